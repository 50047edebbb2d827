"""What the patient-record readers share: building a model with a clear problem, and the
words a biomarker result may be written in."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from oncotrial.eligibility.patient import AdverseEventRecord
from oncotrial.errors import DictionaryError, ValueProblem
from oncotrial.formats.ctcae import load_ctcae

__all__ = ["adverse_event", "biomarker_status", "build_record"]


def _problem(exc: ValidationError, file: str, record: str | None, prefix: str) -> ValueProblem:
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first["loc"])
    field = f"{prefix}.{path}" if prefix and path else prefix or path
    message = first["msg"].removeprefix("Value error, ")
    return ValueProblem(
        message,
        file=file,
        record=record,
        field=field or None,
        hint="Correct the value in the patient record.",
    )


Model = TypeVar("Model", bound=BaseModel)


def build_record(model: type[Model], data: Any, file: str, record: str | None, field: str) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _problem(exc, file, record, field) from exc


_STATUS_WORDS = {
    "not detected": "not_detected",
    "not_detected": "not_detected",
    "negative": "not_detected",
    "wild-type": "not_detected",
    "wild type": "not_detected",
    "wildtype": "not_detected",
    "detected": "detected",
    "positive": "detected",
    "mutated": "detected",
    "mutation detected": "detected",
    "rearranged": "detected",
    "rearrangement": "detected",
    "failed": "failed",
    "test failed": "failed",
    "indeterminate": "failed",
}


def biomarker_status(text: str, file: str, record: str, field: str) -> str:
    folded = text.strip().casefold()
    if folded in _STATUS_WORDS:
        return _STATUS_WORDS[folded]
    raise ValueProblem(
        f"unknown biomarker result {text!r}",
        file=file,
        record=record,
        field=field,
        hint="Use detected, not detected (negative, wild-type) or failed.",
    )


def adverse_event(data: Any, file: str, record: str | None, field: str) -> AdverseEventRecord:
    """An adverse event of prior therapy, its term checked against the CTCAE dictionary in use
    (``formats.ctcae.load_ctcae``: CTCAE v5.0 shipped with oncotrial unless the user names
    another) and written as the dictionary spells it; its grades checked as defined for it."""
    event = build_record(AdverseEventRecord, data, file, record, field)
    dictionary = load_ctcae()
    where = ""
    try:
        entry = dictionary.lookup(event.term)
        for name, grade in (("grade", event.grade), ("baseline_grade", event.baseline_grade)):
            if grade:  # a baseline grade 0 is the event's absence
                where = f"{field}.{name}"
                dictionary.check_grade(entry.term, grade)
        where = ""
    except (DictionaryError, ValueProblem) as exc:
        at = where or f"{field}.{exc.field}"
        raise type(exc)(exc.message, file=file, record=record, field=at, hint=exc.hint) from exc
    return event.model_copy(update={"term": entry.term})
