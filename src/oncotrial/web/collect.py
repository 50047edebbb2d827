"""What a trial's rules need at screening, and where the screening form takes each item.

A protocol's computable eligibility rules say what they miss when a patient record lacks it
(``RuleResult.missing``: "Serum albumin", "EGFR result", "medication history (to check for
anticoagulant therapy)", …). The trial's *to-collect items* are what they miss for a record
with nothing in it: every item any rule can ask for. Each item is either

- **captured** by a quick entry field of the screening form (``patient_form``: a laboratory
  result, or one read as a word — childbearing potential, pregnancy test — by a select), kept
  in the screening record (its source is "quick entry") and, where the catalogue has an entity
  for it, carried into that baseline record at enrollment (``carry``), or
- **not captured**: listed on the page with the reason and where to give it instead (the
  uploaded or pasted record, or the forms after enrollment) — never silently dropped (issue 13:
  quick entry lacked 17 of the 22 items of trial 002).

The mapping is declared data below (``_FIXED`` and ``_PATTERNS``), each with its reason; an item
no entry matches is reported as unmapped, which the tests count as a failure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from oncotrial.catalogue import baseline, labs
from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.outcome import RuleResult
from oncotrial.eligibility.patient import Diagnosis, Patient
from oncotrial.eligibility.screening import screen_patient
from oncotrial.protocol.model import Protocol

__all__ = ["Capture", "capture_of", "shown", "trial_coverage", "trial_items"]

# Any date will do: an empty record misses the same items whatever the date (the date only
# appears in the wording of time-windowed items, which ``capture_of`` reads without it).
_AS_OF = dt.date(2000, 1, 1)
_RECORD = "Give it in the uploaded or pasted record"
# The records screened to find the items: an empty one (what every rule asks first), and one
# with a bare diagnosis — a rule asks for the stage's edition and T, N, M categories only once
# there is a diagnosis (found by issue 13's test: a quick entry diagnosis asked for them).
_PROBES = (
    Patient(id="to-collect"),
    Patient(id="to-collect", diagnosis=Diagnosis(concept="nsclc")),
)


@dataclass(frozen=True)
class Capture:
    """Where one to-collect item goes: a quick entry field (``field``) or nowhere, and why."""

    item: str
    field: str | None  # the quick entry field's name (None: not captured)
    label: str  # the field's label, or the reason it is not captured
    entity: str | None = None  # the catalogue entity the value is carried to at enrollment

    @property
    def captured(self) -> bool:
        return self.field is not None


def _rule_missing(results: Iterable[RuleResult]) -> list[str]:
    out: list[str] = []
    for result in results:
        out.extend(result.missing)
        out.extend(_rule_missing(result.parts))
    return out


_ITEMS: dict[int, tuple[Protocol, tuple[str, ...]]] = {}  # by protocol object (kept alive)


def trial_items(protocol: Protocol) -> tuple[str, ...]:
    """Every item the protocol's rules can ask for (what they miss for an empty record)."""
    known = _ITEMS.get(id(protocol))
    if known is not None and known[0] is protocol:
        return known[1]
    found: dict[str, None] = {}
    for probe in _PROBES:
        result = screen_patient(protocol.eligibility, probe, as_of=_AS_OF)
        for criterion in result.criteria:
            for item in (*criterion.missing, *_rule_missing(criterion.rules)):
                found.setdefault(_undated(item), None)
    _ITEMS[id(protocol)] = (protocol, tuple(found))
    return tuple(found)


_DATED = re.compile(r" (on or before|within .+ before) \d{4}-\d{2}-\d{2}$")


def _undated(item: str) -> str:
    """Drop the date: "body weight on or before 2026-01-01" → "body weight" (one form date)."""
    return _DATED.sub("", item)


# Quick entry fields of the screening form (``patient_form``) by the item's words; entity: the
# catalogue entity the value is carried to at enrollment (``carry``), None when it stays in the
# screening record (no catalogue entity takes it).
_FIXED: dict[str, tuple[str, str, str | None]] = {
    "date of birth": ("birth_date", "Date of birth", "demographics"),
    "sex": ("sex", "Sex", "demographics"),
    "ECOG performance status": ("ecog", "ECOG", baseline.ECOG.key),
    "primary diagnosis": ("confirmed_by", "Diagnosis confirmed by", None),
    "primary diagnosis with its stage": ("stage", "Stage (AJCC)", baseline.DISEASE.key),
    "how the diagnosis was confirmed (histology or cytology)": (
        "confirmed_by",
        "Diagnosis confirmed by",
        None,
    ),
    "primary tumour size (greatest dimension, mm)": ("tumour_size", "Primary tumour size", None),
    "stage group": ("stage", "Stage (AJCC)", baseline.DISEASE.key),
    "T category": ("stage_t", "T category", None),
    "N category": ("stage_n", "N category", None),
    "M category": ("stage_m", "M category", None),
    "body weight": ("weight", baseline.WEIGHT_TEST.test, baseline.VITAL_SIGNS.key),
}

_LESIONS = "Lesions are recorded on the baseline tumour assessment after enrollment"
_LIST = "a list: quick entry cannot tell none from not asked"
# Items not captured, by pattern: (pattern, reason shown on the page).
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^medication history \("), f"{_RECORD} (medications, {_LIST})."),
    (re.compile(r"^procedure history \("), f"{_RECORD} (procedures, {_LIST})."),
    (
        re.compile(r"^medical history \("),
        f"{_RECORD} (conditions, {_LIST}; the catalogue has no medical history entity).",
    ),
    (
        re.compile(r"^prior lines of systemic therapy|^line number of |^number of cycles of "),
        f"{_RECORD} (prior therapies with line and cycles, {_LIST}).",
    ),
    (
        re.compile(r"^current tumour lesions|^measurability of each lesion|^metabolic response"),
        f"{_RECORD} (lesions). {_LESIONS}.",
    ),
    (re.compile(r"from the same ECG"), f"{_RECORD} (the catalogue has no ECG entity)."),
)
_EDITION = re.compile(r"^AJCC edition of the stage|^stage by AJCC edition")
_RANGE = re.compile(r"^(upper|lower) limit of normal \(reference range\) of the (.+) result of ")
_MARKER = re.compile(r"^(\S+) (result|status|level)\b")


@cache
def _panel() -> dict[str, str]:
    """Analyte name (as rules word it) → quick entry lab key (``patient_form.LAB_PANEL``)."""
    from oncotrial.web.patient_form import LAB_PANEL

    keys = {key for key, _, _ in LAB_PANEL}
    return {a.name: a.key for a in ANALYTES.values() if a.key in keys}


@cache
def _findings() -> frozenset[str]:
    """Analyte keys of the findings quick entry takes by a select (``patient_form.FINDINGS``)."""
    from oncotrial.web.patient_form import FINDINGS

    return frozenset(key for key, _, _ in FINDINGS)


def _lab_capture(item: str, name: str) -> Capture | None:
    """A measurement the rules name (``ANALYTES``): the panel's field, or why there is none."""
    analyte = next((a for a in ANALYTES.values() if a.name == name), None)
    if analyte is None:
        return None
    if analyte.key in _findings():
        # a result read as a word (childbearing potential, pregnancy test): a select of its own,
        # kept in the screening record — no catalogue entity takes it, so nothing is carried
        return Capture(item, f"finding:{analyte.key}", f"{name} ({' / '.join(analyte.results)})")
    key = _panel().get(name)
    if key is None:
        return Capture(item, None, f"{_RECORD} (the catalogue has no test for it).")
    return Capture(item, f"lab:{key}", f"{name} (laboratory panel)", labs.LAB.key)


def capture_of(item: str) -> Capture | None:
    """Where the screening form takes ``item`` (None: no declared mapping, a gap)."""
    plain = _undated(item)
    if plain in _FIXED:
        field, label, entity = _FIXED[plain]
        return Capture(item, field, label, entity)
    for pattern, reason in _PATTERNS:
        if pattern.search(plain):
            return Capture(item, None, reason)
    if _EDITION.match(plain):
        return Capture(item, "stage_edition", "AJCC edition", baseline.DISEASE.key)
    ranged = _RANGE.match(plain)
    if ranged:
        found = _lab_capture(item, ranged.group(2))
        if found is not None and found.field is not None:
            side = "low" if ranged.group(1) == "lower" else "high"
            return Capture(item, f"{side}:{found.field[4:]}", f"{found.label}, limit", found.entity)
        return found
    lab = _lab_capture(item, plain)
    if lab is not None:
        return lab
    marker = _MARKER.match(plain)
    if marker:
        return _marker_capture(item, marker.group(1))
    return None


def _marker_capture(item: str, marker: str) -> Capture | None:
    from oncotrial.web.patient_form import MARKERS

    if marker.upper() in MARKERS:
        return Capture(item, f"marker:{marker.upper()}", marker.upper(), baseline.MUTATIONS.key)
    if marker.upper() == "PD-L1":
        return Capture(item, "pdl1", "PD-L1 TPS", baseline.PDL1.key)
    return Capture(item, None, f"{_RECORD} (biomarkers).")


def trial_coverage(protocol: Protocol) -> list[Capture | str]:
    """Each to-collect item's capture, or the bare item when nothing declares it (a gap)."""
    return [capture_of(item) or item for item in trial_items(protocol)]


def shown(items: Iterable[str]) -> list[Capture]:
    """The captures of ``items`` for a page: a gap is listed too, as not captured."""
    return [
        capture_of(item) or Capture(item, None, f"{_RECORD} (no quick entry field takes it).")
        for item in items
    ]
