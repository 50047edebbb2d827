"""Where each value of an analysis plan comes from: the registry, a rule, or a person.

Every value the plan holds is a :class:`Sourced` value: the value and its source, one of

* :class:`FromRegistry` — the registration's own words, quoted verbatim, and where they stand
  (``"outcome measures, primary 1, description"``); ``sap check`` verifies that the quote is in
  the registration.
* :class:`Derived` — computed or read from other values by a stated rule (``"smallest r with
  P(X ≥ r | p0) ≤ α"``, ``"randomized design: time to event from randomization"``), with the
  text it was read from where there is one.
* :class:`Assumed` — a person's choice where the registration is silent or unclear: who, why,
  and whether a reviewer accepted it (by whom, when). An assumption nobody accepted is listed by
  ``sap check`` and reaches every output that uses it.

The design follows ICH E9 (R1) §5.1–5.2 (a plan states its estimands and methods before the data
are seen) and the brief's rule: nothing assumed silently.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Acceptance",
    "Assumed",
    "Derived",
    "FromRegistry",
    "Source",
    "SourceKind",
    "Sourced",
]

T = TypeVar("T")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceKind(StrEnum):
    REGISTRY = "registry"
    DERIVED = "derived"
    ASSUMED = "assumed"


class FromRegistry(_Frozen):
    """The registration's words, verbatim, and where they are in the record."""

    kind: Literal[SourceKind.REGISTRY] = SourceKind.REGISTRY
    quote: str = Field(min_length=1, description="The registration's text, verbatim.")
    where: str = Field(min_length=1, description="Section and item, e.g. 'primary outcome 1'.")

    def describe(self) -> str:
        return f"registry ({self.where}): “{self.quote}”"


class Derived(_Frozen):
    """Obtained from other values by a stated rule."""

    kind: Literal[SourceKind.DERIVED] = SourceKind.DERIVED
    rule: str = Field(min_length=1, description="The rule, in words, with its source.")
    quote: str | None = Field(None, description="Registry text the value was read from, if any.")
    where: str | None = None

    def describe(self) -> str:
        read = f" from “{self.quote}” ({self.where})" if self.quote else ""
        return f"derived: {self.rule}{read}"


class Acceptance(_Frozen):
    """A reviewer's acceptance of an assumption (the time is given by the caller)."""

    by: str = Field(min_length=1)
    at: datetime
    note: str | None = None

    def describe(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"accepted by {self.by} on {self.at.date().isoformat()}{note}"


class Assumed(_Frozen):
    """A person's choice: who made it, why, and whether a reviewer accepted it."""

    kind: Literal[SourceKind.ASSUMED] = SourceKind.ASSUMED
    by: str = Field(min_length=1)
    why: str = Field(min_length=1)
    accepted: Acceptance | None = None

    def describe(self) -> str:
        state = self.accepted.describe() if self.accepted else "not yet accepted"
        return f"assumed by {self.by}: {self.why} — {state}"


Source = Annotated[FromRegistry | Derived | Assumed, Field(discriminator="kind")]


class Sourced(_Frozen, Generic[T]):
    """A plan value with its provenance."""

    value: T
    source: Source

    @property
    def is_assumption(self) -> bool:
        return isinstance(self.source, Assumed)

    @property
    def is_accepted(self) -> bool:
        """True unless this is an assumption no reviewer has accepted."""
        return not isinstance(self.source, Assumed) or self.source.accepted is not None
