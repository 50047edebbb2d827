"""Screening in the database: a consented patient becomes a subject, is screened, and registered.

1. ``start_screening`` gives the patient a screening number (``SITEID-NNNN``, the next at the
   site) and a subject id (``STUDYID-SUBJID``), records informed consent (DS) and demographics
   (DM), screens the patient record against the protocol's computable rules
   (``oncotrial.eligibility.screening.screen_patient``) and keeps the record and the result.
2. ``update_record`` screens an updated record (data collected since), keeping the history.
3. ``answer_checklist`` keeps the investigator's answers to the criteria oncotrial cannot judge.
4. ``register_eligible`` needs the screen to say *eligible* and every checklist item answered as
   passing; ``register_screen_failure`` records DS ``SCREEN FAILURE`` (DSTERM: the first criterion
   not met), DM ``ARMNRS``, and one IE record per criterion not met (SDTMIG convention: IE holds
   the criteria not met; docs/sdtm.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from oncotrial.catalogue import subject as subject_terms
from oncotrial.catalogue.common import SCREENING, VISITNUM_SCREENING
from oncotrial.eligibility.criteria import CriterionKind
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.screening import Overall, ScreeningResult, Verdict, screen_patient
from oncotrial.errors import InputError, IntegrityError, ValueProblem
from oncotrial.formats.patients import read_patients
from oncotrial.protocol.model import Protocol
from oncotrial.store import models as db
from oncotrial.store.audit import acting_as
from oncotrial.store.conduct import ScreeningRecord
from oncotrial.store.entry import create_record, lock_subject
from oncotrial.store.mapping import model_fields
from oncotrial.store.sdtm_import import lock_trial

__all__ = [
    "answer_checklist",
    "checklist_items",
    "read_patient_text",
    "register_eligible",
    "register_screen_failure",
    "screen",
    "start_screening",
    "update_patient",
]

REGISTRY_TESTCD = "IN00"


def read_patient_text(text: str, name: str) -> Patient:
    """One patient from an uploaded or pasted record (JSON, CSV or FHIR bundle)."""
    patients = read_patients(text, name)
    if len(patients) != 1:
        raise InputError(
            f"the record holds {len(patients)} patients; screen one patient at a time",
            file=name,
        )
    return patients[0]


def screen(protocol: Protocol, patient: Patient, *, as_of: dt.date) -> ScreeningResult:
    return screen_patient(
        protocol.eligibility, patient, as_of=as_of, first_dose=patient.planned_first_dose
    )


def _age(birth: dt.date | None, on: dt.date) -> float | None:
    if birth is None:
        return None
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return float(years)


def _stored(patient: Patient, source: str, kind: str) -> dict[str, Any]:
    return {"source": source, "format": kind, "record": patient.model_dump(mode="json")}


def stored_patient(screening: ScreeningRecord) -> Patient:
    return Patient.model_validate(screening.patient["record"])


def start_screening(
    trial: db.Trial,
    protocol: Protocol,
    site: db.Site,
    patient: Patient,
    *,
    consent: dt.date,
    as_of: dt.date,
    source: str,
    kind: str,
    user: Any,
) -> ScreeningRecord:
    """Register the consented patient as a subject and screen them (module docstring, 1)."""
    if consent > as_of:
        raise ValueProblem(f"the consent date {consent} is after today ({as_of})", field="consent")
    if site.trial_id != trial.pk:
        raise ValueProblem("the site does not belong to this trial", field="site")
    patient = patient.model_copy(update={"consent_date": consent})
    result = screen(protocol, patient, as_of=as_of)
    with transaction.atomic(), acting_as(user, None):
        lock_trial(trial.trial_id)
        numbers = [
            int(s.split("-")[-1])
            for s in db.Subject.objects.filter(trial=trial, siteid=site.site_id).values_list(
                "subjid", flat=True
            )
            if s and s.split("-")[-1].isdigit()
        ]
        subjid = f"{site.site_id}-{(max(numbers) if numbers else 0) + 1:04d}"
        subject = db.Subject.objects.create(
            trial=trial,
            site=site,
            usubjid=f"{trial.studyid}-{subjid}",
            subjid=subjid,
            siteid=site.site_id,
            rficdtc=consent.isoformat(),
            brthdtc=str(patient.birth_date.year) if patient.birth_date else None,
            age=_age(patient.birth_date, consent),
            ageu=subject_terms.AGE_UNIT if patient.birth_date else None,
            sex={"male": "M", "female": "F"}.get(patient.sex or "", "U"),
        )
        create_record(
            db.Disposition,
            subject,
            {
                **model_fields("DS", subject_terms.consent_record()),
                "stdtc": consent.isoformat(),
            },
            user=user,
        )
        screening: ScreeningRecord = ScreeningRecord.objects.create(
            trial=trial,
            subject=subject,
            patient=_stored(patient, source, kind),
            result=result.model_dump(mode="json"),
            overall=result.overall.value,
            as_of=as_of,
        )
    return screening


def _undecided(screening: ScreeningRecord) -> None:
    if screening.decision:
        raise IntegrityError(
            f"{screening.subject.usubjid} was already registered as {screening.decision}; "
            "nothing was changed",
            record=screening.subject.usubjid,
        )


def update_patient(
    screening: ScreeningRecord,
    protocol: Protocol,
    patient: Patient,
    *,
    as_of: dt.date,
    source: str,
    kind: str,
    user: Any,
    reason: str,
) -> ScreeningRecord:
    """Screen an updated record of the same subject (module docstring, 2)."""
    _undecided(screening)
    consent = dt.date.fromisoformat(screening.subject.rficdtc[:10])
    patient = patient.model_copy(update={"consent_date": consent})
    result = screen(protocol, patient, as_of=as_of)
    with transaction.atomic(), acting_as(user, reason or "patient record updated"):
        screening.patient = _stored(patient, source, kind)
        screening.result = result.model_dump(mode="json")
        screening.overall = result.overall.value
        screening.as_of = as_of
        screening.save()
    return screening


def checklist_items(screening: ScreeningRecord) -> list[dict[str, Any]]:
    """The criteria left to the investigator, with their answers so far."""
    out = []
    for item in _deciding(screening):
        if item["verdict"] != Verdict.INVESTIGATOR.value:
            continue
        answer = screening.checklist.get(item["criterion_id"], {})
        out.append({**item, "answer": answer.get("answer"), "note": answer.get("note", "")})
    return out


def answer_checklist(
    screening: ScreeningRecord, answers: Mapping[str, tuple[str, str]], *, user: Any
) -> None:
    """Keep the investigator's answers: criterion id → (passes | fails, note)."""
    _undecided(screening)
    open_items = {i["criterion_id"] for i in checklist_items(screening)}
    checklist = dict(screening.checklist)
    when = timezone.now().isoformat(timespec="seconds")
    for criterion, (answer, note) in answers.items():
        if criterion not in open_items:
            raise ValueProblem(f"{criterion} is not a checklist item of this screening")
        if answer not in {"passes", "fails", ""}:
            raise ValueProblem(f"{answer!r} is not an answer (passes or fails)", field=criterion)
        if not answer:
            checklist.pop(criterion, None)
            continue
        checklist[criterion] = {
            "answer": answer,
            "note": note.strip()[:500],
            "by": user.username,
            "at": when,
        }
    with transaction.atomic(), acting_as(user, "investigator checklist answered"):
        screening.checklist = checklist
        screening.save(update_fields=["checklist"])


def register_eligible(screening: ScreeningRecord, *, user: Any) -> None:
    _undecided(screening)
    if screening.overall != Overall.ELIGIBLE.value:
        raise IntegrityError(
            f"the screen says {screening.overall!r}, not eligible; nothing was registered",
            record=screening.subject.usubjid,
            hint="Collect the missing data and update the record, or register a screen failure.",
        )
    items = checklist_items(screening)
    unanswered = [i["criterion_id"] for i in items if not i["answer"]]
    failed = [i["criterion_id"] for i in items if i["answer"] == "fails"]
    if unanswered or failed:
        problem = (
            f"checklist items not answered: {', '.join(unanswered)}"
            if unanswered
            else f"checklist items judged not passing: {', '.join(failed)}"
        )
        raise IntegrityError(
            f"{screening.subject.usubjid} cannot be registered as eligible: {problem}",
            record=screening.subject.usubjid,
        )
    with transaction.atomic(), acting_as(user, "registered as eligible"):
        screening.decision = "eligible"
        screening.decided_by = user
        screening.decided_at = timezone.now()
        screening.save(update_fields=["decision", "decided_by", "decided_at"])


def _deciding(screening: ScreeningRecord) -> list[dict[str, Any]]:
    """The criteria whose verdicts make the overall one: not a heading whose sub-items decide,
    not an alternative whose heading decides (eligibility.sublists; results stored before
    headings were decided count whole)."""
    return [
        item
        for item in (screening.result or {}).get("criteria", [])
        if item.get("in_overall", True)
    ]


def _failing(screening: ScreeningRecord, protocol: Protocol) -> list[dict[str, Any]]:
    failing = []
    for item in _deciding(screening):
        answer = screening.checklist.get(item["criterion_id"], {}).get("answer")
        if item["verdict"] == Verdict.FAILS.value or answer == "fails":
            failing.append(item)
    return failing


def _ie_code(protocol: Protocol, criterion_id: str, kind: str) -> str:
    if criterion_id == "registry":
        return REGISTRY_TESTCD
    items = (
        protocol.eligibility.inclusion
        if kind == CriterionKind.INCLUSION.value
        else protocol.eligibility.exclusion
    )
    for n, criterion in enumerate(items, start=1):
        if criterion.id == criterion_id:
            return f"{'IN' if kind == CriterionKind.INCLUSION.value else 'EX'}{n:02d}"
    return criterion_id.upper()[:8]


def register_screen_failure(
    screening: ScreeningRecord,
    protocol: Protocol,
    *,
    date: dt.date,
    chosen: Sequence[str],
    note: str,
    user: Any,
) -> None:
    """DS SCREEN FAILURE, DM ARMNRS and IE records of the criteria not met (docstring, 4)."""
    _undecided(screening)
    failing = [f for f in _failing(screening, protocol) if f["criterion_id"] in set(chosen)]
    if not failing and not note.strip():
        raise ValueProblem(
            "a screen failure needs a reason: choose the criteria not met or describe it",
            field="reasons",
        )
    subject = screening.subject
    first = (f"{failing[0]['criterion_id']}: {failing[0]['text']}" if failing else note.strip())[
        :200
    ].upper()
    with transaction.atomic(), acting_as(user, "screen failure"):
        locked = lock_subject(subject)
        create_record(
            db.Disposition,
            locked,
            {
                **model_fields("DS", subject_terms.screen_failure_record(first)),
                "stdtc": date.isoformat(),
            },
            user=user,
        )
        for item in failing:
            inclusion = item["kind"] == CriterionKind.INCLUSION.value
            record = subject_terms.criterion_not_met_record(
                _ie_code(protocol, item["criterion_id"], item["kind"]),
                item["text"][:200],
                subject_terms.IE_CATEGORIES.codes[0 if inclusion else 1],
            )
            create_record(
                db.Finding,
                locked,
                {
                    "domain": "IE",
                    **model_fields("IE", record),
                    "visit": SCREENING,
                    "visitnum": VISITNUM_SCREENING,
                    "dtc": date.isoformat(),
                },
                user=user,
            )
        locked.armnrs = subject_terms.SCREEN_FAILURE
        locked.save(update_fields=["armnrs"])
        screening.decision = "screen failure"
        screening.reasons = "; ".join(
            [f"{f['criterion_id']}: {f['text'][:120]}" for f in failing]
            + ([note.strip()] if note.strip() else [])
        )
        screening.decided_by = user
        screening.decided_at = timezone.now()
        screening.save(update_fields=["decision", "reasons", "decided_by", "decided_at"])
