"""Rules are declared data: every rule the engine names is registered, sourced and printable."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
from response_builders import L, lesions, subjects, targets, timepoints

from oncotrial.response import (
    RULES,
    ResponseCriteria,
    ResponseSettings,
    derive_response,
    rules_table,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "oncotrial" / "response"
RULE_ID = re.compile(r"^(BL|TL|MR|NT|NL|TP|BOR|CBOR|IR|T1|T2)-[A-Z0-9-]+$")


def test_every_rule_has_a_description_and_a_source() -> None:
    rows = rules_table()
    assert len(rows) == len(RULES) == len({row["id"] for row in rows})
    for row in rows:
        assert row["description"].strip(), row
        assert row["source"].strip(), row
    assert any("RECIST 1.1 Table 1" in row["source"] for row in rows)
    assert any("Seymour 2017" in row["source"] for row in rows)
    assert any("Lencioni" in row["source"] for row in rows)


def test_every_rule_id_written_in_the_engine_is_declared() -> None:
    used = set()
    for path in SRC.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and RULE_ID.match(text):
                used.add(text)
    assert used, "the scan found no rule ids"
    assert used - set(RULES) == set()


def test_every_rule_in_the_output_is_declared() -> None:
    frames = []
    for criteria in ResponseCriteria:
        result = derive_response(
            subjects("S1", "S2", "S3"),
            lesions=lesions(
                *targets(-1, 30, 20),
                L(-1, "NT1", "NON-TARGET", status="PRESENT"),
                *targets(42, 20, 10),
                L(42, "NT1", "NON-TARGET", status="ABSENT"),
                *targets(84, 0, 0),
                L(84, "NT1", "NON-TARGET", status="ABSENT"),
                L(84, "N1", "NEW", status="EQUIVOCAL"),
                *targets(126, 40, 30),
                *targets(-1, 30, subject="S2"),
                *targets(50, 15, subject="S2"),
                *targets(100, 5, subject="S3"),
            ),
            settings=ResponseSettings(criteria=criteria),
        )
        frames += [result.adrs["RULE"], result.excluded["RULE"], result.flags["RULE"]]
        for column in ("TRGRULE", "NTRGRULE", "NEWRULE"):
            frames.append(result.timepoints[column])
    recorded = derive_response(subjects("S1"), timepoints=timepoints([(42, "CR"), (84, "SD")]))
    frames += [recorded.adrs["RULE"], recorded.flags["RULE"]]
    named = {v for v in pd.concat(frames).dropna() if v}
    assert named - set(RULES) == set()
    assert {"EXCLUDED", "TP-RECORDED", "CBOR-AFTER-CR", "T1-CR", "IR-IUPD", "MR-TL-PR"} <= named
