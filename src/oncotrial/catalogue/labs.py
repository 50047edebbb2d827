"""Laboratory tests (LB): codes, LOINC, units, reference intervals and CTCAE v5.0 grading.

Each test is declared once with its ``LBTESTCD``/``LBTEST``, category, LOINC code, standard unit
(oncotrial records results in it), specimen, a typical adult reference interval (the default a
form offers and the simulator draws around; a site's own range is recorded with each result), a
plausible maximum for the entry check, the decimals results are reported with, the eligibility
analyte it is (``oncotrial.eligibility.analytes``), the units the screening form accepts, and
where CTCAE v5.0 grades the value itself, the grading.

CTCAE grading hooks use the definitions for a subject whose baseline was normal (CTCAE v5.0 also
grades some tests against an abnormal baseline; those variants need the baseline and are left to
the investigator). ``grade(value, low, high)`` returns the CTCAE grade the value alone gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from oncotrial.catalogue.checks import DATE_CHECKS, PLAUSIBLE_RANGE
from oncotrial.catalogue.model import Entity, Field, Kind, Range, Test
from oncotrial.catalogue.rule import EditCheck
from oncotrial.catalogue.vocabulary import vocabulary

__all__ = [
    "ALB",
    "ALT",
    "AST",
    "BILI",
    "CREAT",
    "HGB",
    "INR",
    "LAB",
    "LAB_PANEL",
    "LAB_TESTS",
    "NEUT",
    "NORMAL_RANGE_INDICATORS",
    "PLAT",
    "TSH",
    "WBC",
    "CtcaeGrading",
    "LabTest",
    "reference_indicator",
]

CHEMISTRY: Final = "CHEMISTRY"
HEMATOLOGY: Final = "HEMATOLOGY"
ENDOCRINE: Final = "ENDOCRINE"
COAGULATION: Final = "COAGULATION"
SERUM: Final = "SERUM"
WHOLE_BLOOD: Final = "WHOLE BLOOD"
PLASMA: Final = "PLASMA"
CTCAE: Final = "CTCAE v5.0"


@dataclass(frozen=True)
class CtcaeGrading:
    """How CTCAE v5.0 grades a lab value: ``term``, and each grade's bound from grade 1 up.

    ``direction`` high: grade g when the value is above bound g; low: below it. A bound of None
    is the reference limit (ULN when high, LLN when low). With ``uln_multiples`` the bounds of a
    high grading are multiples of the ULN, else values in the test's unit.
    """

    term: str
    direction: Literal["high", "low"]
    bounds: tuple[float | None, ...]
    uln_multiples: bool = False

    def limits(self, low: float | None, high: float | None) -> tuple[float | None, ...]:
        """The bounds in the test's unit for a subject with reference interval low–high."""
        out: list[float | None] = []
        for bound in self.bounds:
            if self.direction == "low":
                out.append(low if bound is None else bound)
            elif self.uln_multiples:
                out.append(None if high is None else high * (1.0 if bound is None else bound))
            else:
                out.append(high if bound is None else bound)
        return tuple(out)

    def grade(self, value: float, low: float | None, high: float | None) -> int | None:
        """The CTCAE grade ``value`` is by itself (0: within the limits), None if unknown."""
        limits = self.limits(low, high)
        if limits[0] is None:
            return None
        found = 0
        for grade, limit in enumerate(limits, start=1):
            if limit is None:
                continue
            if (value > limit) if self.direction == "high" else (value < limit):
                found = grade
        return found


@dataclass(frozen=True)
class LabTest(Test):
    analyte: str = ""  # the eligibility analyte key (oncotrial.eligibility.analytes)
    panel_label: str = ""  # the screening form's short label
    entry_units: tuple[str, ...] = ()  # units the screening form accepts; the first is standard
    low: float | None = None  # typical adult reference interval, in ``unit``
    high: float | None = None
    decimals: int = 0
    grading: CtcaeGrading | None = None


def _lab(
    testcd: str,
    test: str,
    category: str,
    loinc: str,
    unit: str,
    reference: tuple[float, float],
    maximum: float,
    decimals: int,
    analyte: str,
    panel_label: str,
    entry_units: tuple[str, ...] = (),
    grading: CtcaeGrading | None = None,
    specimen: str | None = None,
) -> LabTest:
    return LabTest(
        "LB",
        testcd,
        test,
        category=category,
        unit=unit,
        loinc=loinc,
        specimen=specimen or (WHOLE_BLOOD if category == HEMATOLOGY else SERUM),
        plausible=Range(0, maximum, f"{test} in {unit}", PLAUSIBLE_RANGE.id),
        analyte=analyte,
        panel_label=panel_label,
        entry_units=entry_units or (unit,),
        low=reference[0],
        high=reference[1],
        decimals=decimals,
        grading=grading,
    )


_ALT_AST = (None, 3.0, 5.0, 20.0)  # > ULN, > 3.0, > 5.0, > 20.0 × ULN (baseline normal)
_CELLS = ("10^9/L", "/mm^3")
_LIST: Final = (
    _lab("ALT", "Alanine Aminotransferase", CHEMISTRY, "1742-6", "U/L", (7, 40), 10000, 0, "alt",
         "ALT", grading=CtcaeGrading("Alanine aminotransferase increased", "high", _ALT_AST,
                                     uln_multiples=True)),
    _lab("AST", "Aspartate Aminotransferase", CHEMISTRY, "1920-8", "U/L", (8, 40), 10000, 0,
         "ast", "AST", grading=CtcaeGrading("Aspartate aminotransferase increased", "high",
                                            _ALT_AST, uln_multiples=True)),
    _lab("BILI", "Bilirubin", CHEMISTRY, "1975-2", "umol/L", (3.4, 20.5), 1000, 1, "bilirubin",
         "Total bilirubin", ("umol/L", "mg/dL"),
         CtcaeGrading("Blood bilirubin increased", "high", (None, 1.5, 3.0, 10.0),
                      uln_multiples=True)),
    _lab("CREAT", "Creatinine", CHEMISTRY, "2160-0", "umol/L", (44, 115), 3000, 0, "creatinine",
         "Serum creatinine", ("umol/L", "mg/dL"),
         CtcaeGrading("Creatinine increased", "high", (None, 1.5, 3.0, 6.0), uln_multiples=True)),
    _lab("HGB", "Hemoglobin", HEMATOLOGY, "718-7", "g/L", (115, 175), 250, 0, "hemoglobin",
         "Hemoglobin", ("g/L", "g/dL"), CtcaeGrading("Anemia", "low", (None, 100.0, 80.0))),
    _lab("WBC", "Leukocytes", HEMATOLOGY, "6690-2", "10^9/L", (4.0, 10.0), 500, 1, "leukocytes",
         "White blood cells", _CELLS,
         CtcaeGrading("White blood cell decreased", "low", (None, 3.0, 2.0, 1.0))),
    _lab("NEUT", "Neutrophils", HEMATOLOGY, "751-8", "10^9/L", (1.8, 7.5), 300, 2, "neutrophils",
         "Absolute neutrophil count", _CELLS,
         CtcaeGrading("Neutrophil count decreased", "low", (None, 1.5, 1.0, 0.5))),
    _lab("PLAT", "Platelets", HEMATOLOGY, "777-3", "10^9/L", (125, 350), 3000, 0, "platelets",
         "Platelets", _CELLS,
         CtcaeGrading("Platelet count decreased", "low", (None, 75.0, 50.0, 25.0))),
    _lab("TSH", "Thyrotropin", ENDOCRINE, "3016-3", "mIU/L", (0.27, 4.2), 500, 2, "tsh",
         "TSH"),
    _lab("ALB", "Albumin", CHEMISTRY, "1751-7", "g/L", (35, 52), 100, 0, "albumin", "Albumin",
         ("g/L", "g/dL"), CtcaeGrading("Hypoalbuminemia", "low", (None, 30.0, 20.0))),
    _lab("INR", "Prothrombin Intl. Normalized Ratio", COAGULATION, "6301-6", "{ratio}",
         (0.8, 1.2), 20, 2, "inr", "INR", grading=CtcaeGrading("INR increased", "high",
                                                             (1.2, 1.5, 2.5)),
         specimen=PLASMA),
)  # fmt: skip
LAB_TESTS: Final = {t.testcd: t for t in _LIST}
ALT, AST, BILI, CREAT, HGB, WBC, NEUT, PLAT, TSH, ALB, INR = _LIST

#: The screening form's one-day panel (``oncotrial.web.patient_form``), in form order.
LAB_PANEL: Final = tuple(
    LAB_TESTS[code]
    for code in ("NEUT", "PLAT", "HGB", "WBC", "CREAT", "ALT", "AST", "BILI", "ALB", "INR")
)
#: The tests a data-entry form offers (in order): those the trials' protocols monitor (albumin
#: and INR: trial NCT07064876's inclusion criteria; the screening panel takes them, so the
#: baseline must too — issue 13).
ENTRY_TESTS: Final = tuple(
    LAB_TESTS[code]
    for code in ("ALT", "AST", "BILI", "CREAT", "HGB", "WBC", "NEUT", "PLAT", "TSH", "ALB", "INR")
)

NORMAL_RANGE_INDICATORS: Final = vocabulary(
    "Reference Range Indicator", "CDISC CT NRIND", ("LOW", "NORMAL", "HIGH")
)


def reference_indicator(value: float, low: float | None, high: float | None) -> str | None:
    """LBNRIND: LOW below the lower limit, HIGH above the upper, NORMAL in between (None when
    no limit is known)."""
    if low is not None and value < low:
        return "LOW"
    if high is not None and value > high:
        return "HIGH"
    if low is not None or high is not None:
        return "NORMAL"
    return None


LAB: Final = Entity(
    key="lab",
    title="Laboratory result",
    domains=("LB",),
    description="One result with the site's reference range; LBNRIND from the range, LBBLFL Y "
    "on the screening result.",
    fields=(
        Field("test", "Test", Kind.CHOICE, required=True,
              vocabulary=vocabulary("Lab test", "CDISC CT LBTESTCD; LOINC 2.7x",
                                    ((t.testcd, f"{t.test} ({t.testcd}, LOINC {t.loinc})")
                                     for t in ENTRY_TESTS)),
              example="ALT", sdtm="LBTESTCD, LBTEST, LBCAT, LBLOINC, LBSPEC"),
        Field("visit", "Visit", Kind.CHOICE, required=True, sdtm="VISIT, VISITNUM, LBBLFL"),
        Field("dtc", "Date of sample", Kind.DATE, required=True, sdtm="LBDTC"),
        Field("value", "Result", Kind.NUMBER, required=True, minimum=0,
              help="In the test's standard unit.",
              sdtm="LBORRES, LBORRESU, LBSTRESC, LBSTRESN, LBSTRESU"),
        Field("low", "Lower limit of normal", Kind.NUMBER, minimum=0,
              sdtm="LBORNRLO, LBSTNRLO"),
        Field("high", "Upper limit of normal", Kind.NUMBER, minimum=0,
              sdtm="LBORNRHI, LBSTNRHI, LBNRIND"),
    ),
    tests=_LIST,
    checks=(
        DATE_CHECKS[0],
        DATE_CHECKS[2],
        PLAUSIBLE_RANGE,
        EditCheck("LB-RANGE-ORDER", "the upper limit of normal is above the lower limit",
                  "CDISC SDTMIG 3.4 LB (--ORNRLO/--ORNRHI)", fields=("high",)),
    ),
    section="labs",
)  # fmt: skip


def result_record(
    test: Test,
    text: str | None,
    number: object,
    *,
    low: object = None,
    high: object = None,
    low_text: str | None = None,
    high_text: str | None = None,
    indicator: str | None = None,
) -> dict[str, object]:
    """LB record variables of a result of ``test`` in its standard unit: the codes, LOINC,
    result, reference range (as text in ``--ORNRLO/HI``, numbers in ``--STNRLO/HI``), the
    indicator and the specimen."""
    return {
        **test.codes(),
        "LBLOINC": test.loinc,
        "LBORRES": text,
        "LBORRESU": test.unit,
        "LBORNRLO": low_text,
        "LBORNRHI": high_text,
        "LBSTRESC": text,
        "LBSTRESN": number,
        "LBSTRESU": test.unit,
        "LBSTNRLO": low,
        "LBSTNRHI": high,
        "LBNRIND": indicator,
        "LBSPEC": test.specimen,
    }
