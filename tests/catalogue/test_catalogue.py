"""The catalogue itself: staging by edition, vocabularies, lab grading against NCI's CTCAE file,
the one month and the one rule type, and a package that imports nothing heavy."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from oncotrial.catalogue import DAYS_PER_MONTH, ENTITIES, TESTS, Rule, check_record, labs
from oncotrial.catalogue.common import assessment_visit, visit_number
from oncotrial.catalogue.safety import grade_problem
from oncotrial.catalogue.staging import (
    STAGE_ORDER,
    STAGING_SYSTEMS,
    edition_category,
    edition_of_category,
    stage_groups,
)
from oncotrial.catalogue.treatment import ROUTE_OF_PROTOCOL, ROUTES
from oncotrial.catalogue.vocabulary import vocabulary


def test_lung_stage_groups_are_the_same_in_the_8th_and_9th_edition() -> None:
    lung8 = stage_groups(8, "LUNG")
    assert lung8 == (
        "0", "IA1", "IA2", "IA3", "IB", "IIA", "IIB", "IIIA", "IIIB", "IIIC", "IVA", "IVB",
    )  # fmt: skip
    assert stage_groups(9, "LUNG") == lung8
    assert "IVC" not in lung8 and "IVC" in stage_groups(8, "COLON")
    assert stage_groups(9, "COLON") == ()  # version 9 is declared for lung only


def test_a_coarser_group_is_accepted_but_not_offered() -> None:
    accepted = stage_groups(8, "LUNG", parents=True)
    assert {"IA", "IV", "III"} <= set(accepted)
    assert "IA" not in stage_groups(8, "LUNG")
    assert "I" in accepted  # the parent of IA and IB
    colorectal = next(s for s in STAGING_SYSTEMS if s.site == "COLORECTAL")
    assert colorectal.parents == ("II", "III", "IV")  # a prefix is not a parent: IIA's is II
    assert list(accepted) == sorted(accepted, key=STAGE_ORDER.index)


def test_the_edition_travels_with_the_stage() -> None:
    assert edition_category(9) == "AJCC 9TH EDITION"
    assert edition_of_category("AJCC 8TH EDITION") == 8
    assert edition_of_category("ajcc 9th edition ") == 9
    assert edition_of_category("AJCC 7TH EDITION") is None
    with pytest.raises(ValueError, match="edition 7"):
        edition_category(7)
    assert check_record("SC", {"SCTESTCD": "STAGE", "SCCAT": "AJCC 9TH EDITION",
                                "SCSTRESC": "IVC"})  # fmt: skip
    assert not check_record("SC", {"SCTESTCD": "STAGE", "SCCAT": "AJCC 8TH EDITION",
                                   "SCSTRESC": "IVC"})  # fmt: skip


def test_check_record_names_each_disagreement() -> None:
    good = {"QSTESTCD": "ECOG101", "QSTEST": "ECOG1-Performance Status", "QSCAT": "ECOG",
            "QSSTRESC": "1", "QSBLFL": "Y"}  # fmt: skip
    assert check_record("QS", good) == []
    bad = {**good, "QSTEST": "ECOG", "QSSTRESC": "6", "QSBLFL": "N"}
    problems = check_record("QS", bad)
    assert len(problems) == 3, problems
    assert check_record("LB", {"LBTESTCD": "GLUC"}) == ["LBTESTCD 'GLUC' is not a declared LB test"]
    assert check_record("DM", {"SEX": "X"}) == ["SEX 'X' is not a term of 'Sex'"]


def test_every_entity_is_declared_once_with_unique_fields_and_checks() -> None:
    assert len(ENTITIES) == len({e.key for e in ENTITIES.values()})
    for entity in ENTITIES.values():
        names = [f.name for f in entity.fields]
        assert len(names) == len(set(names)), entity.key
        checks = [c.id for c in entity.checks]
        assert len(checks) == len(set(checks)), entity.key
        assert all(c.source for c in entity.checks), entity.key
    assert len(TESTS) == len({(t.domain, t.testcd) for t in TESTS.values()})


def test_vocabularies_refuse_a_code_twice_and_restrict_by_code() -> None:
    with pytest.raises(ValueError, match="twice"):
        vocabulary("x", "y", ("A", "A"))
    assert ROUTES.only("ORAL", "INTRAVENOUS").codes == ("INTRAVENOUS", "ORAL")
    with pytest.raises(ValueError, match="not terms"):
        ROUTES.only("NASAL")


def test_every_protocol_route_has_its_cdisc_term() -> None:
    from oncotrial.protocol.dosing import Route

    assert {r.value for r in Route} == set(ROUTE_OF_PROTOCOL)
    assert set(ROUTE_OF_PROTOCOL.values()) <= set(ROUTES.codes)


def test_the_one_month_and_visit_numbers() -> None:
    from oncotrial.protocol.timeframe import DAYS_PER_MONTH as protocol_month

    assert DAYS_PER_MONTH == 30.4375 == protocol_month
    assert assessment_visit(1, 42) == ("WEEK 6", 201)
    assert assessment_visit(2, 45) == ("DAY 91", 202)
    for k, interval in ((1, 42), (3, 45), (2, 63)):
        name, number = assessment_visit(k, interval)
        assert visit_number(name, imaging_interval_days=interval) == number
    assert visit_number("CYCLE 3 DAY 1", imaging_interval_days=None) == 103
    assert visit_number("PROCEDURE: CRYOABLATION", imaging_interval_days=None,
                        procedures=["Serplulimab", "Cryoablation"]) == 52  # fmt: skip


def test_rules_print_for_audit() -> None:
    rule = Rule("R-1", "does something", "a guideline §1")
    assert str(rule) == rule.describe() == "R-1: does something (a guideline §1)"


def test_the_grade_rule_has_one_wording() -> None:
    assert grade_problem("Alopecia", 2, (1, 2)) is None
    assert grade_problem("Alopecia", 3, (1, 2)) == (
        "grade 3 is not defined for 'Alopecia' in CTCAE v5.0 (defined grades: 1, 2)"
    )
    assert grade_problem("Alopecia", 6, (1, 2)) == "grade 6 is outside CTCAE grades 1–5"


def _ctcae_rows(shared: Path) -> dict[str, list[str]]:
    path = shared / "reference" / "ctcae" / "CTCAE_v5.0.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.reader(handle))
    return {row[2]: row[3:8] for row in rows[1:]}


def test_lab_grading_follows_nci_ctcae(shared: Path) -> None:
    """Each grading hook's term is an NCI CTCAE v5.0 term, and each grade's bound opens that
    grade's text there: '>3.0' (× ULN) or '<1.5' (× 10e9/L), ULN or LLN for grade 1."""
    terms = _ctcae_rows(shared)
    graded = [t for t in labs.LAB_TESTS.values() if t.grading is not None]
    assert len(graded) >= 9
    for test in graded:
        grading = test.grading
        assert grading is not None
        assert grading.term in terms, grading.term
        sign = ">" if grading.direction == "high" else "<"
        for grade, bound in enumerate(grading.bounds, start=1):
            text = terms[grading.term][grade - 1]
            if bound is None:
                limit = "ULN" if grading.direction == "high" else "LLN"
                assert f"{sign}{limit}" in text.replace(" ", ""), (grading.term, grade, text)
                continue
            number = re.escape(f"{bound:g}") + r"(\.0+)?(?![\d])"
            assert re.search(re.escape(sign) + r"\s*" + number, text), (grading.term, grade, text)


def test_lab_grades_of_values() -> None:
    alt = labs.ALT.grading
    assert alt is not None
    assert [alt.grade(v, 7, 40) for v in (30, 41, 121, 201, 801)] == [0, 1, 2, 3, 4]
    neut = labs.NEUT.grading
    assert neut is not None
    assert [neut.grade(v, 1.8, 7.5) for v in (2.0, 1.7, 1.2, 0.7, 0.3)] == [0, 1, 2, 3, 4]
    assert neut.grade(1.7, None, None) is None  # grade 1 needs the lower limit
    assert labs.reference_indicator(41, 7, 40) == "HIGH"
    assert labs.reference_indicator(5, 7, None) == "LOW"
    assert labs.reference_indicator(5, None, None) is None


def test_lab_tests_are_the_eligibility_analytes() -> None:
    from oncotrial.eligibility.analytes import analyte

    for test in labs.LAB_TESTS.values():
        known = analyte(test.analyte)
        assert test.loinc in known.loinc, (test.testcd, test.loinc, known.loinc)
        assert test.unit in test.entry_units and test.entry_units[0] == test.unit


def test_the_catalogue_imports_only_the_standard_library() -> None:
    """Pure and light: a command reading the catalogue does not pay for pandas or Django."""
    code = (
        "import sys, oncotrial.catalogue.docs; "
        "print(sorted(m for m in ('pandas', 'numpy', 'django', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
