"""What the patient-record readers share: building a model with a clear problem, and the
words a biomarker result may be written in."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from oncotrial.errors import ValueProblem

__all__ = ["biomarker_status", "build_record"]


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
