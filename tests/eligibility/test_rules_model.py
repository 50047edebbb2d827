"""Rules are declared data: validated, printable, and carried by the protocol YAML."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from oncotrial.eligibility.criteria import Criterion
from oncotrial.eligibility.rules import (
    Comparator,
    LabRule,
    PerformanceStatusRule,
    Window,
    describe_rule,
)
from oncotrial.errors import ValueProblem
from oncotrial.formats.protocol_files import (
    bundled_protocols,
    dump_protocol_yaml,
    load_protocol_yaml,
)


def lab(**fields) -> LabRule:
    base = {
        "kind": "lab",
        "id": "I1-1",
        "description": "d",
        "analyte": "neutrophils",
        "comparator": ">=",
        "value": 1.5,
        "unit": "10^9/L",
    }
    return LabRule.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"analyte": "ferritin"},
            "unknown analyte 'ferritin'",
        ),  # LDH is an analyte since wave/elig
        ({"unit": "g/L"}, r"g/L cannot be converted to 10\^9/L"),
        ({"unit": "furlongs"}, "unknown unit 'furlongs'"),
        ({"unit": None}, "give either a unit or relative_to"),
        ({"relative_to": "ULN"}, "give either a unit or relative_to"),
        ({"analyte": "hcg"}, "not a measured value"),
    ],
)
def test_bad_lab_rules(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        lab(**fields)


def test_performance_scores_are_checked() -> None:
    with pytest.raises(ValidationError, match="ECOG has no score 6"):
        PerformanceStatusRule(kind="performance_status", id="I1-1", description="d", allowed=(0, 6))
    with pytest.raises(ValidationError, match="increasing order"):
        PerformanceStatusRule(kind="performance_status", id="I1-1", description="d", allowed=(1, 0))


def test_comparator_tolerance() -> None:
    assert Comparator.GE.holds(1500 * 0.001, 1.5)  # 1.5000000000000002
    assert Comparator.GE.holds(1.4999999999999998, 1.5)
    assert not Comparator.GT.holds(50.00000000000001, 50.0)
    assert not Comparator.GE.holds(1.4999, 1.5)
    assert Comparator.LT.holds(51.29, 51.3) and not Comparator.LT.holds(51.3, 51.3)


@pytest.mark.parametrize(
    ("window", "reference", "earliest"),
    [
        (Window(value=14), "2025-03-10", "2025-02-24"),
        (Window(value=4, unit="weeks"), "2025-03-10", "2025-02-10"),
        (Window(value=3, unit="months"), "2025-05-31", "2025-02-28"),
        (Window(value=6, unit="months"), "2025-03-10", "2024-09-10"),
        (Window(value=1, unit="years"), "2024-02-29", "2023-02-28"),
    ],
)
def test_window_start(window: Window, reference: str, earliest: str) -> None:
    assert window.earliest(dt.date.fromisoformat(reference)).isoformat() == earliest


def test_source_span_must_match_the_item_text() -> None:
    text = "Neutrophils ≥ 1.5×10\\^9/L"
    good = lab(source={"start": 0, "end": len(text), "text": text})
    Criterion(id="I1", kind="inclusion", text=text, rules=(good,))
    wrong = lab(source={"start": 1, "end": len(text) + 1, "text": text})
    with pytest.raises(ValidationError, match="source 1-26 is"):
        Criterion(id="I1", kind="inclusion", text=text, rules=(wrong,))
    with pytest.raises(ValidationError, match="must start with the item's id I2-"):
        Criterion(id="I2", kind="inclusion", text=text, rules=(good,))


def test_yaml_carries_rules_and_refuses_bad_ones() -> None:
    (protocol,) = [p for p in bundled_protocols() if p.identity.local_id == "002"]
    text = dump_protocol_yaml(protocol)
    assert "kind: conditional" in text and "analyte: neutrophils" in text
    assert load_protocol_yaml(text, "002.yaml") == protocol
    broken = text.replace("analyte: neutrophils", "analyte: neutrofils", 1)
    with pytest.raises(ValueProblem) as info:
        load_protocol_yaml(broken, "002.yaml")
    assert info.value.field is not None and info.value.field.startswith(
        "eligibility.inclusion.7.rules.0"
    )
    assert "unknown analyte 'neutrofils'" in str(info.value)


def test_rules_describe_themselves() -> None:
    (protocol,) = [p for p in bundled_protocols() if p.identity.local_id == "001"]
    rules = {r.id: r for c in protocol.eligibility.criteria for r in c.rules}
    assert describe_rule(rules["I9.3-1"]) == "Absolute neutrophil count ≥ 1.5 × 10^9/L"
    assert describe_rule(rules["I9.3-8"]) == (
        "if Liver metastases (current): Alanine aminotransferase ≤ 5 × ULN; "
        "otherwise Alanine aminotransferase ≤ 2.5 × ULN"
    )
    assert rules["I9.3-6"].description == "Creatinine clearance (Cockcroft-Gault) > 50 mL/min"
