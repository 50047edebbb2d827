"""The one exception tree of oncotrial.

::

    OncotrialError                    anything oncotrial raises on purpose (CLI exit code 1)
    ├── InputError                    input a user can fix: names file, record, field, what to do
    │   ├── FormatError               the file cannot be read as its format (not JSON, truncated, …)
    │   ├── SchemaError               readable, but the wrong shape, a missing column or field
    │   ├── ValueProblem              a value that is not allowed (unknown enum, negative time, …)
    │   └── DictionaryError           a term unknown to a dictionary (CTCAE, units, LOINC)
    ├── RuleError                     a declared rule or setting that cannot be applied
    ├── AnalysisError                 valid data, but the analysis cannot be done (one group, …)
    ├── StoreError                    the trial database refuses or cannot do something
    │   └── IntegrityError            a write that would corrupt the record (nothing is written)
    │       ├── EditConflict          a save from a revision someone else has changed since
    │       └── RecordLocked          a write to a locked visit or casebook
    └── ConfigurationError            the environment is missing something (a file, a server)

Every error carries a one-paragraph message and, where known, the ``file``, ``record`` and
``field`` it is about plus a ``hint`` saying what to do. Errors that collect several problems
(an import with many bad rows) carry them in ``problems`` so that a report can list every one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AnalysisError",
    "ConfigurationError",
    "DictionaryError",
    "EditConflict",
    "FormatError",
    "InputError",
    "IntegrityError",
    "OncotrialError",
    "Problem",
    "RecordLocked",
    "RuleError",
    "SchemaError",
    "StoreError",
    "ValueProblem",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record of an input: where, what and why."""

    message: str
    file: str | None = None
    record: str | None = None
    field: str | None = None
    value: str | None = None

    def describe(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file and f"file {self.file}",
                self.record and f"record {self.record}",
                self.field and f"field {self.field}",
            )
            if part
        )
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.message}{shown}" if where else f"{self.message}{shown}"


class OncotrialError(Exception):
    """Base of every error oncotrial raises deliberately."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
        hint: str | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.record = record
        self.field = field
        self.hint = hint
        self.problems: tuple[Problem, ...] = tuple(problems)

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file and f"file {self.file}",
                self.record and f"record {self.record}",
                self.field and f"field {self.field}",
            )
            if part
        )
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text.rstrip('.')}. {self.hint}"
        return text

    def report(self, limit: int = 50) -> str:
        """The message plus every collected problem, one per line (at most ``limit``)."""
        lines = [str(self)]
        for problem in self.problems[:limit]:
            lines.append(f"  - {problem.describe()}")
        if len(self.problems) > limit:
            lines.append(f"  … and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


class InputError(OncotrialError):
    """Input that a user can correct."""


class FormatError(InputError):
    """The file cannot be read as the format it claims to be."""


class SchemaError(InputError):
    """The file reads, but its shape is wrong: a missing column, field or section."""


class ValueProblem(InputError):
    """A value that is not allowed where it stands."""


class DictionaryError(InputError):
    """A term that a controlled dictionary (CTCAE, units, LOINC) does not know."""


class RuleError(OncotrialError):
    """A declared rule or setting that cannot be applied as written."""


class AnalysisError(OncotrialError):
    """Valid data on which the requested analysis cannot be done."""


class StoreError(OncotrialError):
    """The trial database refuses or cannot complete an operation."""


class IntegrityError(StoreError):
    """A write that would break the record's integrity; it is rejected and nothing is written."""


class EditConflict(IntegrityError):
    """A change made to an older revision of a record than the one stored (optimistic
    concurrency): someone saved the record after this person opened it, so nothing is written.

    ``stored`` is the record as it is now, ``opened`` as it was at the revision the person
    opened (None when that revision is not in the history), ``changed_by`` the saves since
    (user, time, reason), oldest first.
    """

    def __init__(
        self,
        message: str,
        *,
        stored: object,
        opened: object,
        changed_by: Sequence[tuple[str, object, str | None]],
        expected_revision: int,
        record: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, record=record, hint=hint)
        self.stored = stored
        self.opened = opened
        self.changed_by = tuple(changed_by)
        self.expected_revision = expected_revision


class RecordLocked(IntegrityError):
    """A write to a visit or casebook a data manager has locked (nothing is written)."""


class ConfigurationError(OncotrialError):
    """The environment lacks something oncotrial needs (a dictionary file, a database server)."""
