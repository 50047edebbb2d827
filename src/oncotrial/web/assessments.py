"""Tumour assessments: one scan read by one assessor, with its lesions (TU) and results (TR).

The baseline assessment identifies the lesions: targets (T01…, measured: the longest diameter,
or the short axis of a lymph node) and non-targets (NT01…, present). Each later assessment
measures every target again (0 mm when it has disappeared; ``NOT DONE`` with a reason when it
could not be assessed), gives each non-target's state, and adds new lesions (NEW01…). The
investigator's overall response can be recorded with it (RS ``OVRLRESP``); the response engine
derives the response from the measurements independently.

Edit checks follow RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228–247):
- §4.2: at most 5 target lesions, at most 2 per organ;
- §3.1.1: a measurable non-nodal target is ≥ 10 mm (CT), a target node ≥ 15 mm in short axis;
- §3.2.1 / SCHED-1: the baseline scan no more than 4 weeks before the start (a warning);
- a lesion cannot be measured before its baseline (the store refuses it too).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from oncotrial.catalogue import tumour
from oncotrial.catalogue.common import LATERALITY, NOT_DONE, SCREENING, UNSCHEDULED
from oncotrial.catalogue.tumour import LesionRole, LesionState
from oncotrial.enrollment.schedule import study_day
from oncotrial.errors import IntegrityError
from oncotrial.protocol.model import Protocol
from oncotrial.store import models as db
from oncotrial.store.audit import acting_as
from oncotrial.store.casebook import subject_writes
from oncotrial.store.entry import create_assessment, next_seq
from oncotrial.store.mapping import model_fields
from oncotrial.web.entry import LOCATIONS, parse_date, visit_number

__all__ = [
    "AssessmentInput",
    "LesionRow",
    "assessment_lesions",
    "baseline_assessment",
    "parse_assessment",
    "save_assessment",
]

# RECIST 1.1 and the TU/TR/RS vocabularies, from the entity catalogue (docs/catalogue.md).
MAX_TARGETS = tumour.MAX_TARGETS
MAX_PER_ORGAN = tumour.MAX_TARGETS_PER_ORGAN
NODE = tumour.LYMPH_NODE
NON_TARGET_STATES = tumour.NON_TARGET_STATES.codes
NEW_STATES = tumour.NEW_LESION_STATES.codes
RESPONSES = tumour.OVERALL_RESPONSES.codes
EVALUATORS = tumour.EVALUATORS.codes
METHODS = tumour.IMAGING_METHODS.codes
_INVESTIGATOR, _CT = EVALUATORS[0], METHODS[0]
_ROLES = (LesionRole.TARGET, LesionRole.NON_TARGET, LesionRole.NEW)
EMPTY_TARGET_ROWS = 5
EMPTY_NON_TARGET_ROWS = 5
EMPTY_NEW_ROWS = 3


@dataclass
class LesionRow:
    """One row of the form: an existing lesion (``lesion`` set) or a new one."""

    index: int
    role: str  # TARGET | NON-TARGET | NEW
    lesion: db.Lesion | None = None
    location: str = ""
    location_detail: str = ""
    laterality: str = ""
    value: str = ""  # mm for targets (and measurable new lesions), a state otherwise
    size: str = ""  # mm of a new lesion (optional)
    not_done: bool = False
    reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_node(self) -> bool:
        return self.location.strip().upper() == NODE

    @property
    def prefix(self) -> str:
        return dict(zip(_ROLES, ("t", "nt", "n"), strict=True))[self.role] + f"-{self.index}"


@dataclass
class AssessmentInput:
    visit: str = ""
    date: dt.date | None = None
    evaluator: str = _INVESTIGATOR
    method: str = _CT
    overall: str = ""
    baseline: bool = True
    targets: list[LesionRow] = field(default_factory=list)
    non_targets: list[LesionRow] = field(default_factory=list)
    new: list[LesionRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    base_dtc: str | None = None  # the date of this assessor's baseline scan (read once)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(
            row.errors for row in (*self.targets, *self.non_targets, *self.new)
        )


def baseline_assessment(subject: db.Subject, evaluator: str) -> db.TumourAssessment | None:
    """The subject's first assessment by this assessor (the one that identified the lesions)."""
    first: db.TumourAssessment | None = (
        db.TumourAssessment.objects.filter(subject=subject, evaluator=evaluator)
        .order_by("dtc", "pk")
        .first()
    )
    return first


def assessment_lesions(subject: db.Subject, evaluator: str) -> list[db.Lesion]:
    return list(
        db.Lesion.objects.filter(subject=subject, evaluator=evaluator).order_by("link_id", "seq")
    )


def _text(data: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name)
    return str(value).strip()[:limit] if value is not None else ""


def _mm(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a measurement


def _touched(row: LesionRow) -> bool:
    """Whether the user put anything in a blank row (the form's selects start on "—")."""
    return bool(
        row.location
        or row.location_detail
        or row.laterality
        or row.value
        or row.size
        or row.not_done
        or row.reason
    )


def empty_input(subject: db.Subject, evaluator: str = _INVESTIGATOR) -> AssessmentInput:
    """The form's starting rows: blank lesions at baseline, the known lesions after it."""
    form = AssessmentInput(evaluator=evaluator)
    lesions = assessment_lesions(subject, evaluator)
    # The baseline scan's date only (``baseline_assessment``'s row, not the record).
    base = (
        db.TumourAssessment.objects.filter(subject=subject, evaluator=evaluator)
        .order_by("dtc", "pk")
        .values_list("pk", "dtc")
        .first()
    )
    form.baseline = base is None
    form.base_dtc = base[1] if base is not None else None
    if form.baseline:
        form.visit = SCREENING
        form.targets = [LesionRow(i, LesionRole.TARGET) for i in range(EMPTY_TARGET_ROWS)]
        form.non_targets = [
            LesionRow(i, LesionRole.NON_TARGET) for i in range(EMPTY_NON_TARGET_ROWS)
        ]
        return form
    for lesion in lesions:
        row = LesionRow(
            0,
            lesion.role or LesionRole.TARGET,
            lesion=lesion,
            location=lesion.location or "",
            location_detail=lesion.location_detail or "",
            laterality=lesion.laterality or "",
        )
        {LesionRole.TARGET: form.targets, LesionRole.NON_TARGET: form.non_targets}.get(
            row.role, form.new
        ).append(row)
    for rows in (form.targets, form.non_targets, form.new):
        for i, row in enumerate(rows):
            row.index = i
    known_new = len(form.new)
    form.new += [LesionRow(known_new + i, LesionRole.NEW) for i in range(EMPTY_NEW_ROWS)]
    return form


def parse_assessment(
    data: Mapping[str, Any],
    subject: db.Subject,
    protocol: Protocol,
    *,
    today: dt.date,
    allocated: dt.date | None,
) -> AssessmentInput:
    """Read and check the posted form (module docstring's rules); errors stay on the rows."""
    evaluator = _text(data, "evaluator") or _INVESTIGATOR
    if evaluator not in EVALUATORS:
        evaluator = _INVESTIGATOR
    form = empty_input(subject, evaluator)
    _read_header(form, data, today)
    _check_dates(form, subject, evaluator, allocated)
    _read_rows(form, data)
    _check_lesion_counts(form)
    for row in form.targets:
        _check_target(row, form.baseline)
    for row in form.non_targets:
        _check_non_target(row, form.baseline)
    for row in form.new:
        _check_new(row, form.baseline)
    for row in (*form.targets, *form.non_targets, *form.new):
        if row.location and row.location not in LOCATIONS and row.lesion is None:
            form.warnings.append(
                f"{row.location!r} is not one of the usual location terms ({', '.join(LOCATIONS)})."
            )
    return form


def _read_header(form: AssessmentInput, data: Mapping[str, Any], today: dt.date) -> None:
    """Visit, method, the investigator's overall response and the scan date."""
    form.visit = _text(data, "visit").upper() or form.visit
    form.method = _text(data, "method") or _CT
    if form.method not in METHODS:
        form.errors["method"] = "choose CT scan or MRI."
    form.overall = _text(data, "overall").upper()
    if form.overall and form.overall not in RESPONSES:
        form.errors["overall"] = f"choose one of {', '.join(RESPONSES)}."
    raw_date = _text(data, "date")
    form.date = parse_date(raw_date)
    if form.date is None:
        form.errors["date"] = "enter the date of the scan (YYYY-MM-DD)."
    elif form.date > today:
        form.errors["date"] = f"{form.date} is in the future (today is {today})."
    if not form.visit:
        form.errors["visit"] = "choose the visit."


def _check_dates(
    form: AssessmentInput, subject: db.Subject, evaluator: str, allocated: dt.date | None
) -> None:
    """A follow-up after the baseline scan; one assessment per visit; baseline ≤ 4 weeks early."""
    if not form.baseline and form.date is not None:  # the baseline as read by empty_input
        base_date = parse_date(form.base_dtc)
        if base_date and form.date <= base_date:
            form.errors["date"] = (
                f"a follow-up scan must be after the baseline scan ({base_date}); lesions cannot "
                "be measured before their baseline."
            )
        if (
            form.visit != UNSCHEDULED  # unscheduled scans may repeat: no query for them
            and db.TumourAssessment.objects.filter(
                subject=subject, evaluator=evaluator, visit=form.visit
            ).exists()
        ):
            form.warnings.append(f"{form.visit} already has an assessment by this assessor.")
    if form.baseline and form.date and allocated and (allocated - form.date).days > 28:
        form.warnings.append(
            f"the baseline scan is {(allocated - form.date).days} days before enrollment; RECIST "
            "1.1 asks for no more than 4 weeks before the start of treatment."
        )


def _read_rows(form: AssessmentInput, data: Mapping[str, Any]) -> None:
    """Each lesion row's posted values; untouched blank rows dropped where they are optional."""
    for row in (*form.targets, *form.non_targets, *form.new):
        p = row.prefix
        if row.lesion is None:
            row.location = _text(data, f"{p}-location").upper()
            row.location_detail = _text(data, f"{p}-detail").upper()
            row.laterality = _text(data, f"{p}-laterality").upper()
            if row.laterality not in ("", *LATERALITY.codes):
                row.errors["laterality"] = "left, right or bilateral."
        row.value = _text(data, f"{p}-value").upper()
        row.size = _text(data, f"{p}-size")
        row.not_done = data.get(f"{p}-notdone") in ("on", "1", "true", NOT_DONE)
        row.reason = _text(data, f"{p}-reason").upper()
    # At baseline and for new lesions, a blank row the user left untouched is an unused row;
    # a row with anything in it is used (and then needs its organ).
    if form.baseline:
        form.targets = [r for r in form.targets if _touched(r)]
        form.non_targets = [r for r in form.non_targets if _touched(r)]
    form.new = [r for r in form.new if r.lesion is not None or _touched(r)]


def _check_lesion_counts(form: AssessmentInput) -> None:
    """At baseline: at least one lesion, at most 5 targets and 2 per organ (RECIST 1.1 §4.2)."""
    if not form.baseline:
        return
    organs = Counter(r.location for r in form.targets if r.location)
    if not form.targets and not form.non_targets:
        form.errors["lesions"] = "a baseline assessment records at least one lesion."
    if len(form.targets) > MAX_TARGETS:
        form.errors["lesions"] = (
            f"RECIST 1.1 §4.2 allows at most {MAX_TARGETS} target lesions "
            f"({len(form.targets)} given)."
        )
    for organ, n in organs.items():
        if n > MAX_PER_ORGAN:
            form.errors["lesions"] = (
                f"RECIST 1.1 §4.2 allows at most {MAX_PER_ORGAN} target lesions per organ "
                f"({n} in {organ})."
            )


def _check_target(row: LesionRow, baseline: bool) -> None:
    if baseline and not row.location:
        row.errors["location"] = "give the organ."
    if row.not_done:
        if baseline:
            row.errors["value"] = "a target lesion must be measured at baseline."
        elif not row.reason:
            row.errors["reason"] = "say why it could not be measured."
        return
    value = _mm(row.value)
    if value is None:
        row.errors["value"] = "enter the diameter in mm (0 if it has disappeared)."
        return
    if not 0 <= value <= 500:
        row.errors["value"] = "a diameter is between 0 and 500 mm."
    elif baseline and row.is_node and value < 15:
        row.errors["value"] = (
            "a target lymph node needs a short axis of at least 15 mm (RECIST 1.1 §3.1.1)."
        )
    elif baseline and not row.is_node and value < 10:
        row.errors["value"] = (
            "a measurable lesion is at least 10 mm in longest diameter (RECIST 1.1 §3.1.1)."
        )


def _check_non_target(row: LesionRow, baseline: bool) -> None:
    if baseline and not row.location:
        row.errors["location"] = "give the organ."
    state = row.value or (LesionState.PRESENT if baseline else "")
    if row.not_done:
        if not row.reason:
            row.errors["reason"] = "say why it could not be assessed."
        return
    if state not in NON_TARGET_STATES:
        row.errors["value"] = f"choose {', '.join(s.lower() for s in NON_TARGET_STATES)}."
    elif baseline and state != LesionState.PRESENT:
        row.errors["value"] = "at baseline a non-target lesion is present."
    row.value = state


def _check_new(row: LesionRow, baseline: bool) -> None:
    if baseline:
        row.errors["location"] = "new lesions are recorded after the baseline assessment."
        return
    if row.lesion is None and not row.location:
        row.errors["location"] = "give the organ."
    if row.not_done:
        if not row.reason:
            row.errors["reason"] = "say why it could not be assessed."
        return
    if (row.value or LesionState.PRESENT) not in (*NEW_STATES, LesionState.ABSENT):
        row.errors["value"] = "present, equivocal (or absent when seen before)."
    row.value = row.value or LesionState.PRESENT
    if row.size:
        size = _mm(row.size)
        if size is None or not 0 < size <= 500:
            row.errors["size"] = "a size is a number of mm above 0."


def _lesion_values(
    row: LesionRow, link_id: str, form: AssessmentInput, protocol: Protocol
) -> dict[str, Any]:
    assert form.date is not None  # checked by parse_assessment
    record = tumour.lesion_record(
        link_id,
        row.role,
        row.location or None,
        detail=row.location_detail or None,
        laterality=row.laterality or None,
        method=form.method,
        evaluator=form.evaluator,
    )
    return {
        **model_fields("TU", record),
        "visit": form.visit,
        "visitnum": visit_number(form.visit, protocol),
        "dtc": form.date.isoformat(),
    }


def _result_values(
    row: LesionRow, lesion: db.Lesion, form: AssessmentInput
) -> list[dict[str, Any]]:
    """TR records of one lesion at this scan, by the catalogue's TR tests (docs/sdtm.md TR)."""
    node = (lesion.location or "").upper() == NODE
    group = lesion.role or row.role
    base = {"grpid": group, "link_id": lesion.link_id, "method": form.method, "accepted": "Y"}
    records: list[dict[str, object]] = []
    if row.not_done:
        test = tumour.diameter_test(node) if group == LesionRole.TARGET else tumour.TUMOUR_STATE
        records.append(tumour.not_done_record(test, row.reason or None))
    elif group == LesionRole.TARGET:
        value = _mm(row.value)
        assert value is not None
        records.append(tumour.diameter_record(node, f"{value:g}", value))
    else:
        records.append(tumour.state_record(row.value))
        size = _mm(row.size) if group == LesionRole.NEW and row.size else None
        if size is not None:
            records.append(tumour.diameter_record(node, f"{size:g}", size))
    return [{**base, **model_fields("TR", r)} for r in records]


def save_assessment(
    form: AssessmentInput, subject: db.Subject, protocol: Protocol, *, user: Any
) -> db.TumourAssessment:
    """Write the assessment, its new lesions, results and response in one transaction."""
    if form.has_errors or form.date is None:
        raise IntegrityError("the assessment has errors; nothing was saved")
    settings = protocol.analysis.response
    criteria = settings.criteria.value if settings is not None else tumour.CRITERIA.codes[0]
    with transaction.atomic(), acting_as(user, None), subject_writes(subject) as locked:
        reference = parse_date(locked.rfstdtc)
        dy = study_day(form.date, reference) if reference else None
        assessment = create_assessment(  # one per subject, visit and assessor
            locked,
            {
                "visit": form.visit,
                "visitnum": visit_number(form.visit, protocol),
                "dtc": form.date.isoformat(),
                "evaluator": form.evaluator,
            },
        )
        tr_seq = next_seq(db.Measurement, locked)
        # The next lesion number and the lesions known under the lock are read only when the
        # scan adds a lesion (issue 13: a follow-up of known lesions needs neither query).
        tu_seq = 0
        counters: dict[str, int] = {}
        for row in (*form.targets, *form.non_targets, *form.new):
            lesion = row.lesion
            if lesion is None:
                if not counters:
                    tu_seq = next_seq(db.Lesion, locked)
                    counters = _lesion_counters(locked, form.evaluator)
                counters[row.role] += 1
                link_id = tumour.link_id(row.role, counters[row.role])
                lesion = db.Lesion.objects.create(
                    trial_id=locked.trial_id,
                    subject=locked,
                    seq=tu_seq,
                    dy=dy,
                    **_lesion_values(row, link_id, form, protocol),
                )
                tu_seq += 1
            for values in _result_values(row, lesion, form):
                db.Measurement.objects.create(
                    trial_id=locked.trial_id,
                    subject=locked,
                    seq=tr_seq,
                    assessment=assessment,
                    lesion=lesion,
                    dy=dy,
                    **values,
                )
                tr_seq += 1
        if form.overall:
            response = tumour.response_record(tumour.OVERALL_RESPONSE, form.overall, criteria)
            db.Response.objects.create(
                trial_id=locked.trial_id,
                subject=locked,
                seq=next_seq(db.Response, locked),
                assessment=assessment,
                **model_fields("RS", response),
                accepted=tumour.ACCEPTED,
                dy=dy,
            )
    return assessment


def _lesion_counters(subject: db.Subject, evaluator: str) -> dict[str, int]:
    """The assessor's lesions of the subject so far, by role (for the next link ids)."""
    existing = {lesion.link_id for lesion in assessment_lesions(subject, evaluator)}
    counters = dict.fromkeys(_ROLES, 0)
    for role in counters:
        counters[role] = sum(1 for link in existing if _link_role(link) == role)
    return counters


def _link_role(link_id: str | None) -> str:
    return tumour.role_of_link(link_id)
