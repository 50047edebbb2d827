"""The one rule type: an id, what the rule says, and where it comes from.

Every declared rule in oncotrial — a RECIST response rule, a censoring rule, an enrollment or
allocation rule, a role rule, an edit check on entered data — is a ``Rule`` (or an ``EditCheck``,
a rule that data entry and import apply to a record). Rules are data: printable for audit,
compared by value, and named by the rows they decide (docs/development.md, "Conventions").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["EditCheck", "Rule", "Severity"]


@dataclass(frozen=True)
class Rule:
    """One declared rule: what it decides (``description``) and its authority (``source``)."""

    id: str
    description: str
    source: str

    def describe(self) -> str:
        """``ID: description (source)``: the line an audit listing prints."""
        return f"{self.id}: {self.description} ({self.source})"

    def __str__(self) -> str:
        return self.describe()


class Severity(StrEnum):
    """An error refuses the record; a warning asks the person entering it to confirm."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class EditCheck(Rule):
    """A rule checked on a record when it is entered or imported (docs/catalogue.md)."""

    severity: Severity = Severity.ERROR
    fields: tuple[str, ...] = ()
