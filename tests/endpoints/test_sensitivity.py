"""FDA 2018 censoring-rule variants and the censoring-reasons table.

Hand-made subjects show that each variant changes exactly what it says; the pharmaverse ADaM
(admiralonco's own example data, ../shared/oracles/pharmaverse) shows the variants on real
records: the admiralonco variant reproduces admiral's ADTTE, and counting more events never
loses one.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.endpoints.censoring_reasons import censoring_reasons
from oncotrial.endpoints.sensitivity import CENSORING_VARIANTS, censoring_sensitivity
from oncotrial.errors import RuleError


def _ovr(*assessments: tuple[str, str, str]) -> pd.DataFrame:
    rows = [
        {"USUBJID": s, "PARAMCD": "OVR", "ADT": d, "AVALC": r, "ASEQ": i}
        for i, (s, d, r) in enumerate(assessments, start=1)
    ]
    frame = pd.DataFrame(rows)
    first_pd = frame[frame["AVALC"] == "PD"].sort_values("ADT").drop_duplicates("USUBJID")
    return pd.concat([frame, first_pd.assign(PARAMCD="PD", AVALC="Y")], ignore_index=True)


ADSL = pd.DataFrame(
    {
        "USUBJID": ["THERAPY", "MISSED", "PLAIN"],
        "RANDDT": ["2024-01-01"] * 3,
        "ARM": ["A", "A", "B"],
    }
)
ADRS = _ovr(
    ("THERAPY", "2024-02-12", "SD"),
    ("THERAPY", "2024-03-25", "SD"),
    ("THERAPY", "2024-06-01", "PD"),  # after the new therapy of 2024-04-10
    ("MISSED", "2024-02-12", "SD"),
    ("MISSED", "2024-05-20", "PD"),  # 98 days after the last scan: two missed
    ("PLAIN", "2024-02-12", "SD"),
    ("PLAIN", "2024-03-25", "PD"),
)
THERAPY = pd.DataFrame([{"USUBJID": "THERAPY", "ADT": "2024-04-10"}])


@pytest.fixture(scope="module")
def variants() -> dict[str, pd.DataFrame]:
    results = censoring_sensitivity(
        ADSL,
        ADRS,
        tuple(CENSORING_VARIANTS),
        new_therapy=THERAPY,
        assessment_interval_days=42,
        assessment_window_days=7,
    )
    return {name: r.adtte.set_index("USUBJID") for name, r in results.items()}


def test_each_variant_changes_what_it_says(variants: dict[str, pd.DataFrame]) -> None:
    events = {name: frame["CNSR"].eq(0) for name, frame in variants.items()}
    assert dict(events["fda2018"]) == {"THERAPY": False, "MISSED": False, "PLAIN": True}
    assert dict(events["fda2018-events-after-missed"]) == {
        "THERAPY": False,
        "MISSED": True,
        "PLAIN": True,
    }
    assert dict(events["fda2018-ignore-new-therapy"]) == {
        "THERAPY": True,
        "MISSED": False,
        "PLAIN": True,
    }
    assert events["fda2018-every-event"].all()
    assert variants["fda2018-every-event"].loc["MISSED", "ADT"] == pd.Timestamp("2024-05-20")


def test_variant_rules_are_printable_and_drop_what_they_do_not_apply() -> None:
    rules = CENSORING_VARIANTS["fda2018-every-event"].rules(assessment_interval_days=42)
    ids = {rule.id for rule in rules.rules}
    assert "censor-new-therapy" not in ids and "censor-missed-assessments" not in ids
    primary = CENSORING_VARIANTS["fda2018"].rules(assessment_interval_days=42)
    assert {"censor-new-therapy", "censor-missed-assessments"} <= {r.id for r in primary.rules}
    assert not rules.censor_new_therapy and not rules.censor_missed_assessments
    for variant in CENSORING_VARIANTS.values():
        assert variant.description and variant.source


def test_unknown_variant_is_named() -> None:
    with pytest.raises(RuleError, match="unknown censoring variant 'fda1999'"):
        censoring_sensitivity(ADSL, ADRS, ("fda1999",))


def test_censoring_reasons_per_arm(variants: dict[str, pd.DataFrame]) -> None:
    table = censoring_reasons(variants["fda2018"].reset_index(), "PFS")
    assert table.arms == ("A", "B", "Total")
    assert table.totals == (2, 1, 3)
    got = {(row.status, row.reason): row.counts for row in table.rows}
    assert got == {
        ("event", "Disease Progression"): (0, 1, 1),
        ("censored", "Event After Two or More Missed Assessments"): (1, 0, 1),
        ("censored", "New Anticancer Therapy"): (1, 0, 1),
    }
    frame = table.to_frame()
    assert list(frame.columns) == [
        "status",
        "reason",
        "A n",
        "A %",
        "B n",
        "B %",
        "Total n",
        "Total %",
    ]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=["", "NA"])


def test_variants_on_the_pharmaverse_records(shared: Path) -> None:
    adam = shared / "oracles" / "pharmaverse" / "adam"
    adsl, adrs = _read(adam / "adsl.csv"), _read(adam / "adrs_onco.csv")
    oracle = _read(adam / "adtte_onco.csv")
    results = censoring_sensitivity(
        adsl, adrs, tuple(CENSORING_VARIANTS), assessment_interval_days=42
    )
    events = {name: int(r.adtte["CNSR"].eq(0).sum()) for name, r in results.items()}
    # admiral's own ADTTE, from the same records: the admiralonco variant is that template
    pfs = oracle[oracle["PARAMCD"] == "PFS"]
    assert events["admiralonco"] == int(pfs["CNSR"].astype(int).eq(0).sum())
    # relaxing a censoring rule never turns an event into a censoring
    assert (
        events["fda2018"] <= events["fda2018-events-after-missed"] <= events["fda2018-every-event"]
    )
    table = censoring_reasons(results["fda2018"].adtte, "PFS")
    assert (
        sum(row.counts[-1] for row in table.rows)
        == table.totals[-1]
        == len(results["fda2018"].adtte)
    )
