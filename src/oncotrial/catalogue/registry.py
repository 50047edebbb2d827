"""Every entity, test and controlled variable in one place, and a record checked against them.

``ENTITIES`` lists the entities in the order docs/catalogue.md gives them. ``TESTS`` indexes the
findings tests by (domain, TESTCD). ``VARIABLE_TERMS`` gives, for the SDTM variables whose values
are controlled independently of a test, their vocabulary; ``IMPORT_TERMS`` the subset the
database enforces on import (``oncotrial.store.validation``: a value outside it rejects the file).
``check_record`` compares one SDTM record with all of it: the writers (data entry, templates, the
simulator) are tested with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from oncotrial.catalogue import baseline, labs, safety, subject, treatment, tumour
from oncotrial.catalogue.common import EPOCHS, LATERALITY, YES_NO
from oncotrial.catalogue.model import Entity, Test
from oncotrial.catalogue.staging import edition_of_category, stage_groups
from oncotrial.catalogue.vocabulary import Vocabulary, vocabulary

__all__ = [
    "ENTITIES",
    "IMPORT_TERMS",
    "TESTS",
    "VARIABLE_TERMS",
    "ControlledTerm",
    "check_record",
    "entity",
    "sdtm_literals",
]

ENTITIES: Final = MappingProxyType(
    {
        e.key: e
        for e in (
            subject.DEMOGRAPHICS,
            subject.ELIGIBILITY,
            subject.ALLOCATION,
            baseline.ECOG,
            baseline.VITAL_SIGNS,
            baseline.DISEASE,
            baseline.MUTATIONS,
            baseline.PDL1,
            labs.LAB,
            treatment.EXPOSURE,
            treatment.PROCEDURE,
            treatment.MEDICATION,
            safety.ADVERSE_EVENT,
            tumour.LESION,
            tumour.MEASUREMENT,
            tumour.RESPONSE,
            baseline.QOL,
            subject.DISPOSITION,
            subject.DEATH_ENTITY,
        )
    }
)


def entity(key: str) -> Entity:
    return ENTITIES[key]


TESTS: Final = MappingProxyType(
    {(t.domain, t.testcd): t for e in ENTITIES.values() for t in e.tests}
    | {(tumour.NEW_LESION_INDICATOR.domain, tumour.NEW_LESION_INDICATOR.testcd): (
        tumour.NEW_LESION_INDICATOR)}
)  # fmt: skip

_FLAG_Y = vocabulary("Y flag", "SDTMIG 3.4", ("Y",))

#: (domain, variable) → vocabulary; domain "*" applies to every domain, "--" is its prefix.
VARIABLE_TERMS: Final = MappingProxyType(
    {
        ("DM", "SEX"): subject.SEX,
        ("DM", "DTHFL"): _FLAG_Y,
        ("DM", "AGEU"): vocabulary("Age unit", "CDISC CT AGEU", (subject.AGE_UNIT,)),
        ("DM", "RACE"): subject.RACE,
        ("DM", "ETHNIC"): subject.ETHNICITY,
        ("DM", "ARMNRS"): vocabulary(
            "Reason arm is null",
            "SDTMIG 3.4 §5.2",
            (subject.SCREEN_FAILURE, subject.ASSIGNED_NOT_TREATED),
        ),
        ("DS", "DSCAT"): subject.DS_CATEGORIES,
        ("DS", "DSSCAT"): subject.DS_SUBCATEGORIES,
        ("DS", "DSDECOD"): subject.DS_DECODES,
        ("IE", "IECAT"): subject.IE_CATEGORIES,
        ("IE", "IEORRES"): subject.IE_RESULTS,
        ("TU", "TUSTRESC"): tumour.LESION_ROLES,
        ("TU", "TULAT"): LATERALITY,
        ("TU", "TUMETHOD"): tumour.IMAGING_METHODS,
        ("TU", "TUEVAL"): tumour.EVALUATORS,
        ("TR", "TRGRPID"): tumour.LESION_ROLES,
        ("TR", "TRMETHOD"): tumour.IMAGING_METHODS,
        ("TR", "TREVAL"): tumour.EVALUATORS,
        ("TR", "TRSTAT"): vocabulary("Completion status", "CDISC CT ND", ("NOT DONE",)),
        ("RS", "RSCAT"): tumour.CRITERIA,
        ("RS", "RSEVAL"): tumour.EVALUATORS,
        ("EX", "EXROUTE"): treatment.ROUTES,
        ("EX", "EXADJ"): treatment.DOSE_ADJUSTMENTS,
        ("PR", "PRCAT"): vocabulary("Procedure category", "docs/sdtm.md PR",
                                    (treatment.LOCAL_THERAPY,)),
        ("PR", "PRLAT"): LATERALITY,
        ("AE", "AESER"): YES_NO,
        ("AE", "AETOXGR"): safety.CTCAE_GRADES,
        ("AE", "AEREL"): safety.RELATEDNESS,
        ("AE", "AEACN"): safety.ACTIONS,
        ("AE", "AEOUT"): safety.OUTCOMES,
        ("CM", "CMCAT"): treatment.CM_CATEGORIES,
        ("LB", "LBNRIND"): labs.NORMAL_RANGE_INDICATORS,
        ("MI", "SPDEVID"): baseline.PDL1_ASSAYS,
        ("*", "EPOCH"): EPOCHS,
        ("*", "--ACPTFL"): _FLAG_Y,
        ("*", "--BLFL"): _FLAG_Y,
    }
)  # fmt: skip


@dataclass(frozen=True)
class ControlledTerm:
    """A variable whose values the database enforces on import."""

    id: str
    domain: str  # "*" for every domain; "--" in the variable stands for the domain prefix
    variable: str
    allowed: frozenset[str]
    source: str


def _enforced(check_id: str, domain: str, variable: str, extra: str = "") -> ControlledTerm:
    terms = VARIABLE_TERMS[(domain, variable)]
    source = terms.source + (f"; {extra}" if extra else "")
    return ControlledTerm(check_id, domain, variable, frozenset(terms.codes), source)


#: Enforced on import. Other controlled variables are kept as written: imported data (the CDISC
#: pilot, other systems) use terms oncotrial does not write, and refusing them would lose data.
IMPORT_TERMS: Final = (
    _enforced("sex", "DM", "SEX"),
    _enforced("death-flag", "DM", "DTHFL"),
    _enforced("lesion-role", "TU", "TUSTRESC"),
    _enforced("serious", "AE", "AESER"),
    _enforced("accepted", "*", "--ACPTFL"),
    _enforced("baseline", "*", "--BLFL"),
)


def _variable_terms(domain: str, variable: str) -> Vocabulary | None:
    found = VARIABLE_TERMS.get((domain, variable))
    if found is None and variable.startswith(domain):
        found = VARIABLE_TERMS.get(("*", "--" + variable[len(domain) :]))
    return found or VARIABLE_TERMS.get(("*", variable))


def check_record(domain: str, record: Mapping[str, object]) -> list[str]:
    """What in ``record`` (SDTM variables of ``domain``) disagrees with the catalogue.

    Checked: controlled variables hold a term of their vocabulary; a findings record's TESTCD is
    a declared test of the domain (for the domains the catalogue declares tests of), and its
    TEST, category, units, method, specimen and coded results are the test's. Empty values pass.
    """
    problems: list[str] = []
    for variable, value in record.items():
        if value is None or value == "":
            continue
        terms = _variable_terms(domain, variable)
        if terms is not None and str(value) not in terms:
            problems.append(f"{variable} {value!r} is not a term of {terms.name!r}")
    testcd = record.get(f"{domain}TESTCD")
    if testcd is None or domain == "IE":  # IETESTCD is the protocol's criterion code
        return problems
    test = TESTS.get((domain, str(testcd)))
    if test is None:
        if any(d == domain for d, _ in TESTS):
            problems.append(f"{domain}TESTCD {testcd!r} is not a declared {domain} test")
        return problems
    problems += _check_test(test, record)
    return problems


def _check_test(test: Test, record: Mapping[str, object]) -> list[str]:
    problems = []
    expected: dict[str, object] = {"--TEST": test.test, "--LOINC": test.loinc}
    if test.unit is not None:
        expected |= {"--ORRESU": test.unit, "--STRESU": test.unit}
    if test.method is not None:
        expected["--METHOD"] = test.method
    if test.specimen is not None:
        expected["--SPEC"] = test.specimen
    if test.category is not None and test.testcd != baseline.STAGE_TEST.testcd:
        expected["--CAT"] = test.category  # a stage's category is its edition (_check_stage)
    for variable, value in expected.items():
        name = test.var(variable)
        given = record.get(name)
        if value is not None and given not in (None, "") and given != value:
            problems.append(f"{name} {given!r} for {test.testcd} is not {value!r}")
    result = record.get(test.var("--STRESC"))
    if result not in (None, ""):
        if test.testcd == baseline.STAGE_TEST.testcd:
            problems += _check_stage(str(result), record.get(test.var("--CAT")))
        elif test.results is not None and str(result) not in test.results:
            terms = test.results.name
            problems.append(f"{test.testcd} result {result!r} is not a term of {terms!r}")
    return problems


def _check_stage(stage: str, category: object) -> list[str]:
    edition = edition_of_category(category)
    if edition is None:
        return [f"SCCAT {category!r} names no AJCC edition"]
    if stage not in stage_groups(edition, parents=True):
        return [f"stage {stage!r} is not an AJCC {edition} stage group"]
    return []


def sdtm_literals() -> dict[str, str]:
    """The literal SDTM codes the catalogue owns → what they are (a test keeps them out of the
    other modules of ``src/``): every findings test's TESTCD and TEST, the categories, methods
    and reasons only these tests use, the disposition terms and the CM/EX/PR categories."""
    found: dict[str, str] = {}
    for test in TESTS.values():
        found[test.testcd] = f"{test.domain}TESTCD"
        found[test.test] = f"{test.domain}TEST of {test.testcd}"
    # QSCAT ECOG is left out: it is also the scale's own name, which eligibility reads in criteria.
    for text, what in (
        (baseline.QOL_GLOBAL_TEST.category, "QSCAT"),
        (baseline.STAGE_TEST.category, "SCCAT"),
        (baseline.GF_METHOD, "GFMETHOD"),
        (baseline.PDL1_TEST.method, "MIMETHOD"),
        (baseline.PDL1_NOT_EVALUABLE, "MIREASND"),
        (tumour.NOT_ASSESSABLE, "TRREASND"),
        (tumour.SHORT_AXIS_ALIAS, "TRTESTCD alias"),
    ):
        if text is not None:
            found[text] = what
    for term in subject.DS_DECODES.codes:
        found.setdefault(term, "DSDECOD")
    for term in (*subject.DS_CATEGORIES.codes, *subject.DS_SUBCATEGORIES.codes):
        found.setdefault(term, "DSCAT/DSSCAT")
    for term in (subject.ALIVE_TERM, subject.ASSIGNED_NOT_TREATED):
        found.setdefault(term, "DSTERM/ARMNRS")
    for term in treatment.CM_CATEGORIES.codes:
        found.setdefault(term, "CMCAT")
    for term in (treatment.LOCAL_THERAPY, treatment.STUDY_TREATMENT):
        found.setdefault(term, "PRCAT/EXCAT")
    return found
