"""What screening says about a rule: a status, the evidence used and the data missing.

Four statuses. ``met`` and ``not met`` are decided from the patient's data; ``unknown`` means
data are missing (named in ``missing``, so that they can be collected); ``investigator`` means the
rule (or item) asks for a clinical judgement that oncotrial does not make.

Combining (an inclusion item's rules, ``all_of``; an exclusion item's rules, ``any_of``) is
three-valued logic (Kleene) with the judgement last: a rule not met decides an ``all_of`` whatever
is unknown, a rule met decides an ``any_of``; otherwise missing data come before judgement, since
collecting them may decide the item without the investigator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = ["Evidence", "RuleResult", "Status", "combine_all", "combine_any", "with_unit"]


def with_unit(unit: str) -> str:
    """'10^9/L' reads '× 10^9/L' after a number; other units as they are."""
    return f"× {unit}" if unit.startswith("10^") else unit


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not met"
    UNKNOWN = "unknown"
    INVESTIGATOR = "investigator"


def combine_all(statuses: Iterable[Status]) -> Status:
    found = set(statuses)
    for status in (Status.NOT_MET, Status.UNKNOWN, Status.INVESTIGATOR):
        if status in found:
            return status
    return Status.MET


def combine_any(statuses: Iterable[Status]) -> Status:
    found = set(statuses)
    for status in (Status.MET, Status.UNKNOWN, Status.INVESTIGATOR):
        if status in found:
            return status
    return Status.NOT_MET


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Frozen):
    """One datum a rule used: as recorded, as converted, and the limit it was held against."""

    item: str
    value: float | str | None = None
    unit: str | None = None
    date: dt.date | None = None
    converted: float | None = None
    converted_unit: str | None = None
    threshold: str | None = None
    record: str | None = None
    note: str | None = None

    def describe(self) -> str:
        shown = self.value if not isinstance(self.value, float) else f"{self.value:g}"
        if isinstance(self.value, str):
            text = f"{self.item}: {shown}"
        else:
            text = f"{self.item} {shown}" if shown is not None else self.item
        if self.unit:
            text += f" {with_unit(self.unit)}"
        if self.converted is not None:
            text += f" (= {self.converted:.6g} {with_unit(self.converted_unit or '')})".rstrip()
            text = text.replace(" )", ")")
        if self.date:
            text += f" on {self.date.isoformat()}"
        if self.threshold:
            text += f"; limit {self.threshold}"
        if self.note:
            text += f"; {self.note}"
        return text


class RuleResult(_Frozen):
    rule_id: str
    kind: str
    description: str
    status: Status
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    parts: tuple[RuleResult, ...] = ()
