"""What the catalogue declares about an entity: its fields, its SDTM tests, its edit checks.

``Entity``
    One kind of clinical record (ECOG, an adverse event, a lesion measurement …): its title, the
    SDTM domain(s) it is stored in, its ``fields`` in form order, the findings ``tests`` it writes
    (one ``TESTCD`` each), and its ``checks`` (declared edit checks).
``Field``
    One item a person enters: name (the form and template key), label, kind, whether required,
    its controlled vocabulary, unit, limits, plausible range, help text, an example, and the SDTM
    variable(s) it fills. A web form, a CSV/Excel template, a REDCap instrument or a lab-panel
    grid is generated from these.
``Test``
    One findings test of an SDTM domain: ``--TESTCD``/``--TEST``, category, units (original =
    standard: oncotrial converts nothing it records), LOINC, method, specimen, the result
    vocabulary. ``codes()`` and ``result()`` give the SDTM variables of a record (domain prefix
    applied); ``read()`` the other direction, the entered value of a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from oncotrial.catalogue.rule import EditCheck
from oncotrial.catalogue.vocabulary import Vocabulary

__all__ = ["Entity", "Field", "Kind", "Range", "Test", "sdtm_name"]


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    NUMBER = "number"
    INTEGER = "integer"
    CHOICE = "choice"
    TERM = "term"  # a CTCAE v5.0 term (looked up in the dictionary)
    GRADE = "grade"  # a CTCAE grade, defined for the term


@dataclass(frozen=True)
class Range:
    """A plausible range: a value outside it is refused as impossible (``check`` names the rule)."""

    low: float
    high: float
    what: str  # "height in cm": the message says "outside the plausible range of <what>"
    check: str  # the EditCheck id


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    vocabulary: Vocabulary | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    plausible: Range | None = None
    help: str = ""
    example: str = ""
    sdtm: str = ""  # the variable(s) filled, '--' standing for the domain prefix

    @property
    def choices(self) -> tuple[str, ...]:
        return self.vocabulary.codes if self.vocabulary is not None else ()


def sdtm_name(domain: str, variable: str) -> str:
    """``--ORRES`` of QS is ``QSORRES``; a full name (``SPDEVID``) stays as it is."""
    return variable.replace("--", domain, 1) if variable.startswith("--") else variable


@dataclass(frozen=True)
class Test:
    """One findings test (``--TESTCD``) and how its records are written."""

    domain: str
    testcd: str
    test: str
    category: str | None = None
    unit: str | None = None
    loinc: str | None = None
    method: str | None = None
    specimen: str | None = None
    results: Vocabulary | None = None
    plausible: Range | None = None
    label: str = ""  # the form's name for it when it differs from --TEST
    definition: str = ""
    adsl: str = ""  # the ADSL variable holding the subject's baseline result (docs/sdtm.md)

    @property
    def title(self) -> str:
        return self.label or self.test

    def var(self, variable: str) -> str:
        return sdtm_name(self.domain, variable)

    def codes(self) -> dict[str, object]:
        """``--TESTCD``, ``--TEST`` and (when declared) ``--CAT`` of a record of this test."""
        out: dict[str, object] = {self.var("--TESTCD"): self.testcd, self.var("--TEST"): self.test}
        if self.category is not None:
            out[self.var("--CAT")] = self.category
        return out

    def result(self, text: str | None, number: object = None) -> dict[str, object]:
        """The result variables: ``--ORRES``/``--STRESC`` ``text`` (the value as recorded),
        ``--STRESN`` ``number`` when given, and the units when the test has one."""
        out: dict[str, object] = {self.var("--ORRES"): text}
        if self.unit is not None:
            out[self.var("--ORRESU")] = self.unit
        out[self.var("--STRESC")] = text
        if number is not None:
            out[self.var("--STRESN")] = number
        if self.unit is not None:
            out[self.var("--STRESU")] = self.unit
        return out

    def read(self, record: Mapping[str, object]) -> object:
        """The standard result of an SDTM record of this test (``--STRESN``, else ``--STRESC``)."""
        number = record.get(self.var("--STRESN"))
        return number if number is not None else record.get(self.var("--STRESC"))

    def is_record(self, record: Mapping[str, object]) -> bool:
        return record.get(self.var("--TESTCD")) == self.testcd


@dataclass(frozen=True)
class Entity:
    """One kind of clinical record, declared once (docs/catalogue.md lists them all)."""

    key: str
    title: str
    domains: tuple[str, ...]
    description: str
    fields: tuple[Field, ...] = ()
    tests: tuple[Test, ...] = ()
    checks: tuple[EditCheck, ...] = ()
    section: str = "baseline"  # baseline | treatment | safety | labs | follow-up | tumour
    notes: tuple[str, ...] = field(default=())

    def field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(f"{self.key} has no field {name!r}")

    def test(self, testcd: str) -> Test:
        for item in self.tests:
            if item.testcd == testcd:
                return item
        raise KeyError(f"{self.key} has no test {testcd!r}")

    def check(self, check_id: str) -> EditCheck:
        for item in self.checks:
            if item.id == check_id:
                return item
        raise KeyError(f"{self.key} has no check {check_id!r}")
