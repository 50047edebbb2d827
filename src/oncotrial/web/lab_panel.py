"""A visit's laboratory panel on one grid: units, the site's normal ranges, the CTCAE grade.

Data managers used to REDCap or OpenClinica enter a visit's haematology and chemistry in one
grid rather than one result per form. Each row is a catalogue test (``catalogue/labs.py``: codes,
LOINC, standard unit, plausible range, CTCAE v5.0 grading); the row's range is the site's as
last stored for that test (LBSTNRLO/HI of the site's latest result), else the catalogue's typical
adult interval, labelled as such so nobody takes it for the site's. Each filled row is checked
and saved as the single-result form saves it (``web.entry.baseline.LAB``), all rows or none.

The grade is the one CTCAE v5.0 gives the value alone for a subject whose baseline was normal
(``CtcaeGrading.grade``); the thresholds are declared once, in the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from oncotrial.catalogue import labs
from oncotrial.catalogue.labs import LabTest
from oncotrial.store import models as db

__all__ = ["PANEL", "PanelRow", "grade_text", "panel_rows", "parse_number", "site_ranges"]

#: The panel, in the order a haematology then chemistry report lists it: the tests CTCAE v5.0
#: grades that phase II oncology protocols monitor every cycle (ANC, platelets, haemoglobin,
#: ALT, AST, bilirubin, creatinine).
PANEL: Final[tuple[LabTest, ...]] = (
    labs.NEUT,
    labs.PLAT,
    labs.HGB,
    labs.ALT,
    labs.AST,
    labs.BILI,
    labs.CREAT,
)
CATALOGUE_DEFAULT: Final = "catalogue default (typical adult)"


@dataclass
class PanelRow:
    test: LabTest
    value: str = ""
    low: str = ""
    high: str = ""
    range_source: str = CATALOGUE_DEFAULT
    grade: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.test.testcd


def parse_number(text: Any) -> float | None:
    try:
        number = float(str(text).strip())
    except ValueError:
        return None
    return number if number == number else None  # NaN is not a number here


def _shown(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def site_ranges(subject: db.Subject) -> dict[str, tuple[float | None, float | None, str]]:
    """Test code → (low, high, where from) of the site's latest stored range of each test."""
    found: dict[str, tuple[float | None, float | None, str]] = {}
    stored = (
        db.LabResult.objects.filter(
            trial_id=subject.trial_id,
            subject__siteid=subject.siteid,
            testcd__in=[t.testcd for t in PANEL],
        )
        .exclude(stnrlo__isnull=True, stnrhi__isnull=True)
        .order_by("-dtc", "-pk")
        .values_list("testcd", "stnrlo", "stnrhi", "dtc")
    )
    for code, low, high, when in stored:
        if code not in found:
            site = subject.siteid or "this site"
            found[code] = (low, high, f"site {site} range (stored {when or 'undated'})")
    return found


def grade_text(test: LabTest, value: float | None, low: float | None, high: float | None) -> str:
    """What the grid shows in a row's CTCAE column (CTCAE v5.0, baseline normal)."""
    if value is None or test.grading is None:
        return ""
    grade = test.grading.grade(value, low, high)
    if grade is None:
        return "no grade: give the limit of normal"
    if grade == 0:
        return "Grade 0 (within normal limits)"
    return f"Grade {grade}: {test.grading.term} ({labs.CTCAE})"


def panel_rows(subject: db.Subject, data: Mapping[str, Any] | None = None) -> list[PanelRow]:
    """The grid's rows: the site's ranges (or the catalogue's), and what was typed if posted."""
    ranges = site_ranges(subject)
    rows = []
    for test in PANEL:
        low, high, source = ranges.get(test.testcd, (test.low, test.high, CATALOGUE_DEFAULT))
        row = PanelRow(test, low=_shown(low), high=_shown(high), range_source=source)
        if data is not None:
            row.value = str(data.get(f"{test.testcd}-value", "")).strip()
            row.low = str(data.get(f"{test.testcd}-low", row.low)).strip()
            row.high = str(data.get(f"{test.testcd}-high", row.high)).strip()
        row.grade = grade_text(
            test, parse_number(row.value), parse_number(row.low), parse_number(row.high)
        )
        rows.append(row)
    return rows
