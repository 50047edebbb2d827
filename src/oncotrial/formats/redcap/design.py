"""A REDCap project designed from the entity catalogue: instruments, fields, events, repeats.

One **instrument** per catalogue entity (``oncotrial.catalogue.registry.ENTITIES``), named by the
entity's key; its **fields** are the SDTM variables of the entity's domain, one REDCap field each,
named ``<entity>_<variable>`` (``ae_aetoxgr``) and annotated ``SDTM: AE.AETOXGR`` so that a
records file maps back to SDTM without guessing. What a field looks like comes from the
catalogue: the entity field that fills the variable gives label, type, vocabulary, unit, limits
and "required"; otherwise the SDTM variable's label (``oncotrial.formats.sdtm_spec``) and the
variable's controlled terms (``VARIABLE_TERMS``) or the entity's tests (``--TESTCD``) and their
result vocabularies.

A field gets a validation or a choice list only when every value the trial holds passes it, so
that the records export imports into REDCap unchanged (a partial ISO 8601 date, a term outside
the vocabulary, stays a text field with a note saying so).

Choice codes: REDCap raw values allow letters, digits and underscores only, so an SDTM term is
coded by ``choice_code`` (``NOT RECOVERED/NOT RESOLVED`` → ``not_recovered_not_resolved``); the
label is the catalogue's. ``term_of_code`` maps back through the same vocabulary.

A longitudinal project: one arm; a first event ``Subject`` holding the records without a visit
(DM, AE, CM …), then one **event per visit** of the trial's schedule (VISIT names of docs/sdtm.md:
SCREENING, CYCLE c DAY 1, WEEK w, END OF TREATMENT, SURVIVAL FOLLOW-UP) in VISITNUM order. Every
instrument but the demographics is **repeating** in the events it is designated for (several AEs,
lesions or lab tests per subject and visit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from oncotrial.catalogue import subject
from oncotrial.catalogue.common import (
    END_OF_TREATMENT_VISIT,
    SCREENING,
    SURVIVAL_FOLLOW_UP_VISIT,
    VISITNUM_END_OF_TREATMENT,
    VISITNUM_SCREENING,
    VISITNUM_SURVIVAL_FOLLOW_UP,
)
from oncotrial.catalogue.model import Entity, Kind
from oncotrial.catalogue.model import Field as CatalogueField
from oncotrial.catalogue.registry import ENTITIES, VARIABLE_TERMS
from oncotrial.catalogue.safety import CTCAE_GRADES
from oncotrial.catalogue.vocabulary import Term, Vocabulary, vocabulary
from oncotrial.formats.sdtm_spec import DOMAIN_VARIABLES, is_numeric_variable, variable_label

__all__ = [
    "DEMOGRAPHICS",
    "RECORD_ID",
    "SUBJECT_EVENT",
    "Choice",
    "Event",
    "Instrument",
    "Project",
    "RedcapField",
    "choice_code",
    "design_project",
    "instrument_of",
    "term_of_code",
    "unique_event_name",
    "variable_vocabulary",
]

RECORD_ID: Final = "record_id"  # REDCap's first field is the record id: here USUBJID
DEMOGRAPHICS: Final = subject.DEMOGRAPHICS.key
SUBJECT_EVENT: Final = "Subject"
_IDENTIFIERS: Final = ("STUDYID", "DOMAIN", "USUBJID")  # the project, the instrument, the record
# REDCap's own validation patterns (Control Center → Field Validation Types): a value the
# export writes must pass them or REDCap refuses the import.
PATTERNS: Final = {
    "date_ymd": re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    "integer": re.compile(r"^[-+]?\d+$"),
    "number": re.compile(r"^[-+]?[0-9]*\.?[0-9]+([eE][0-9]+)?$"),
}
_VALIDATION_OF_KIND: Final = {
    Kind.DATE: "date_ymd",
    Kind.NUMBER: "number",
    Kind.INTEGER: "integer",
}
# PHI in REDCap's sense (the "Identifier?" column): excluded from de-identified exports.
_PHI: Final = frozenset({"BRTHDTC", "SUBJID"})


@dataclass(frozen=True)
class Choice:
    code: str  # REDCap raw value
    label: str
    term: str  # the SDTM value it stands for


@dataclass(frozen=True)
class RedcapField:
    name: str
    form: str
    field_type: str  # text | dropdown
    label: str
    domain: str
    variable: str
    choices: tuple[Choice, ...] = ()
    note: str = ""
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    identifier: bool = False
    branching: str = ""
    required: bool = False
    section: str = ""

    @property
    def annotation(self) -> str:
        return f"SDTM: {self.domain}.{self.variable}"

    def row(self) -> list[str]:
        """The field's row of the data dictionary (``dictionary.HEADER`` order)."""
        choices = " | ".join(f"{c.code}, {c.label}" for c in self.choices)
        return [
            self.name,
            self.form,
            self.section,
            self.field_type,
            self.label,
            choices,
            self.note,
            self.validation,
            self.minimum,
            self.maximum,
            "y" if self.identifier else "",
            self.branching,
            "y" if self.required else "",
            "",
            "",
            "",
            "",
            self.annotation,
        ]


@dataclass(frozen=True)
class Instrument:
    name: str
    label: str
    domain: str
    fields: tuple[RedcapField, ...]

    @property
    def repeating(self) -> bool:
        return self.name != DEMOGRAPHICS


@dataclass(frozen=True)
class Event:
    label: str
    unique_name: str
    visit: str | None  # None: the Subject event (records without a visit)
    order: int


@dataclass(frozen=True)
class Project:
    instruments: tuple[Instrument, ...]
    events: tuple[Event, ...]
    designations: tuple[tuple[str, str], ...]  # (unique event name, instrument)
    notes: tuple[str, ...] = field(default=())

    def instrument(self, name: str) -> Instrument:
        return next(i for i in self.instruments if i.name == name)

    def event_of_visit(self, visit: str | None) -> Event:
        return next(e for e in self.events if e.visit == (visit or None))

    @property
    def repeating(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (event, form) for event, form in self.designations if self.instrument(form).repeating
        )


def choice_code(term: str) -> str:
    """REDCap raw value of an SDTM term: lower case, runs of other characters as ``_``."""
    code = re.sub(r"[^a-z0-9]+", "_", term.lower()).strip("_")
    return code or "_"


def _coded(terms: Vocabulary) -> tuple[Choice, ...] | None:
    choices = tuple(Choice(choice_code(t.code), t.label, t.code) for t in terms)
    if len({c.code for c in choices}) != len(choices):
        return None  # two terms would share a raw value: keep the field as text
    return choices


def term_of_code(terms: Vocabulary, code: str) -> str | None:
    """The term of ``terms`` whose REDCap raw value is ``code`` (None when none is)."""
    return next((t.code for t in terms if choice_code(t.code) == code), None)


def unique_event_name(label: str, taken: Iterable[str] = (), arm: int = 1) -> str:
    """REDCap's unique event name: the label in lower case, other characters as ``_``, cut to
    18 characters, ``_arm_<n>`` appended (a digit suffix when two labels collide)."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:18] or "event"
    taken = set(taken)
    name, n = f"{base}_arm_{arm}", 2
    while name in taken:
        name, n = f"{base[: 18 - len(str(n))]}{n}_arm_{arm}", n + 1
    return name


def instrument_of(domain: str, record: Mapping[str, object]) -> str | None:
    """The entity (instrument) an SDTM record of ``domain`` belongs to; None when none does.

    A domain shared by several entities is split by what the catalogue declares: findings by
    the entity's tests (QS: ECOG or QLQ-C30), DS by its decoded term (an allocation, the death
    record of ``subject.is_death``, else a disposition event).
    """
    candidates = [e for e in ENTITIES.values() if e.domains[0] == domain]
    if len(candidates) <= 1:
        return candidates[0].key if candidates else None
    testcd = record.get(f"{domain}TESTCD")
    with_tests = [e for e in candidates if any(t.testcd == testcd for t in e.tests)]
    if with_tests:
        return with_tests[0].key
    if domain == "DS":
        decod = record.get("DSDECOD")
        if decod in subject.ALLOCATION_KINDS:
            return subject.ALLOCATION.key
        if subject.is_death(decod, record.get("DSSCAT")):
            return subject.DEATH_ENTITY.key
        return subject.DISPOSITION.key
    return candidates[0].key


def _variables_of(field: CatalogueField, columns: Sequence[str]) -> list[str]:
    """The instrument's variables an entity field fills, the entered one first (its ``sdtm``
    text names them: 'QSORRES, QSSTRESC, QSSTRESN'; after ';' are other domains' records)."""
    names = re.findall(r"[A-Z][A-Z0-9]+", field.sdtm.split(";")[0])
    return [n for n in names if n in columns]


def variable_vocabulary(entity: Entity, domain: str, variable: str) -> Vocabulary | None:
    """The controlled terms of ``variable`` in ``entity``'s records, from the catalogue."""
    columns = [v.name for v in DOMAIN_VARIABLES.get(domain, ())] + [variable]
    for item in entity.fields:
        found = _variables_of(item, columns)
        if found and found[0] == variable:
            if item.vocabulary is not None:
                return item.vocabulary
            if item.kind is Kind.GRADE:
                return CTCAE_GRADES
    if entity.tests and variable == f"{domain}TESTCD":
        return vocabulary(
            f"{entity.title} tests",
            "oncotrial catalogue",
            ((t.testcd, t.title) for t in entity.tests),
        )
    if entity.tests and variable == f"{domain}TEST":
        return vocabulary(f"{entity.title} test names", "oncotrial catalogue",
                          tuple(dict.fromkeys(t.test for t in entity.tests)))  # fmt: skip
    terms = VARIABLE_TERMS.get((domain, variable))
    if terms is None and variable.startswith(domain):
        terms = VARIABLE_TERMS.get(("*", "--" + variable[len(domain) :]))
    terms = terms or VARIABLE_TERMS.get(("*", variable))
    if terms is not None:
        return terms
    if variable in (f"{domain}ORRES", f"{domain}STRESC"):
        results = [t.results for t in entity.tests if t.results is not None]
        if results and len(results) == len(entity.tests):
            merged: dict[str, Term] = {}
            for found_terms in results:
                for term in found_terms:
                    merged.setdefault(term.code, term)
            return Vocabulary(
                f"{entity.title} results", tuple(merged.values()), "oncotrial catalogue"
            )
    return None


def _present(values: Iterable[object]) -> list[str]:
    return [str(v) for v in values if v is not None and v == v and str(v) != ""]


def _entered_field(entity: Entity, variable: str, columns: Sequence[str]) -> CatalogueField | None:
    for item in entity.fields:
        found = _variables_of(item, columns)
        if found and found[0] == variable:
            return item
    return None


def _field(
    entity: Entity, domain: str, variable: str, columns: Sequence[str], values: list[str]
) -> RedcapField:
    entered = _entered_field(entity, variable, columns)
    spec_label = variable_label(domain, variable)
    label = spec_label
    if entered is not None:
        same = entered.label.lower() == spec_label.lower()
        label = entered.label if same else f"{entered.label} ({spec_label})"
    notes: list[str] = []
    if entered is not None and entered.unit:
        notes.append(f"unit: {entered.unit}")
    if entered is not None and entered.help:
        notes.append(entered.help)
    field_type, validation, minimum, maximum = "text", "", "", ""
    choices: tuple[Choice, ...] = ()
    terms = variable_vocabulary(entity, domain, variable)
    coded = _coded(terms) if terms is not None else None
    if terms is not None and coded is not None and all(v in terms for v in values):
        field_type, choices = "dropdown", coded
    elif terms is not None:
        notes.append(f"values outside {terms.name!r} recorded; kept as text")
    else:
        if entered is not None and entered.kind in _VALIDATION_OF_KIND:
            validation = _VALIDATION_OF_KIND[entered.kind]
        elif variable.endswith("DTC"):
            validation = "date_ymd"
        elif is_numeric_variable(domain, variable):
            integers = all(PATTERNS["integer"].match(v) for v in values)
            validation = "integer" if integers else "number"
        if validation and not all(PATTERNS[validation].match(v) for v in values):
            notes.append(f"values that are not REDCap {validation} recorded (ISO 8601 partial "
                         "dates, …); kept as text")  # fmt: skip
            validation = ""
    if validation in ("number", "integer") and entered is not None:
        low, high = entered.minimum, entered.maximum
        numbers = [float(v) for v in values]
        if low is not None and all(n >= low for n in numbers):
            minimum = f"{low:g}"
        if high is not None and all(n <= high for n in numbers):
            maximum = f"{high:g}"
    return RedcapField(
        name=f"{entity.key}_{variable.lower()}",
        form=entity.key,
        field_type=field_type,
        label=label,
        domain=domain,
        variable=variable,
        choices=choices,
        note="; ".join(notes),
        validation=validation,
        minimum=minimum,
        maximum=maximum,
        identifier=variable in _PHI,
        required=entered is not None and entered.required and variable == _variables_of(
            entered, columns)[0] and len(values) > 0,
    )  # fmt: skip


def _branching(fields: list[RedcapField], records: Sequence[Mapping[str, object]]) -> None:
    """SDTMIG conventions as REDCap branching logic, where the trial's records obey them:
    ``--REASND`` only when ``--STAT`` is NOT DONE, ``DTHDTC`` only when ``DTHFL`` is Y."""
    by_variable = {f.variable: i for i, f in enumerate(fields)}
    pairs = [(v, v[:-6] + "STAT", "NOT DONE") for v in by_variable if v.endswith("REASND")]
    pairs.append(("DTHDTC", "DTHFL", "Y"))
    for dependent, control, term in pairs:
        if dependent not in by_variable or control not in by_variable:
            continue
        switch = fields[by_variable[control]]
        if switch.field_type != "dropdown" or not any(c.term == term for c in switch.choices):
            continue
        shown = [r for r in records if r.get(dependent) not in (None, "")]
        if all(r.get(control) == term for r in shown):
            index = by_variable[dependent]
            fields[index] = _replace(
                fields[index], branching=f"[{switch.name}] = '{choice_code(term)}'"
            )


def _replace(item: RedcapField, **changes: Any) -> RedcapField:
    from dataclasses import replace

    return replace(item, **changes)


def _instrument(
    entity: Entity, columns: Sequence[str], records: Sequence[Mapping[str, object]]
) -> Instrument:
    domain = entity.domains[0]
    variables = [c for c in columns if c not in _IDENTIFIERS]
    fields = [
        _field(entity, domain, v, variables, _present(r.get(v) for r in records)) for v in variables
    ]
    _branching(fields, records)
    if entity.key == DEMOGRAPHICS:
        record_id = RedcapField(
            RECORD_ID, entity.key, "text", "Subject (Unique Subject Identifier)", domain,
            "USUBJID", required=True,
        )  # fmt: skip
        fields.insert(0, record_id)
    if fields:
        fields[0] = _replace(fields[0], section=f"{entity.title}: {entity.description}")
    return Instrument(entity.key, entity.title, domain, tuple(fields))


def _visits(records: Mapping[str, Sequence[Mapping[str, object]]]) -> list[tuple[str, float]]:
    """The trial's visits with their VISITNUM: the fixed ones of docs/sdtm.md and each visit
    its records name, in VISITNUM order (a visit without a number after the numbered ones)."""
    number: dict[str, float] = {
        SCREENING: VISITNUM_SCREENING,
        END_OF_TREATMENT_VISIT: VISITNUM_END_OF_TREATMENT,
        SURVIVAL_FOLLOW_UP_VISIT: VISITNUM_SURVIVAL_FOLLOW_UP,
    }
    for rows in records.values():
        for row in rows:
            visit = row.get("VISIT")
            if visit in (None, ""):
                continue
            try:
                num = float(str(row.get("VISITNUM")))
            except ValueError:
                num = 1e9  # a visit without a number: after the numbered ones
            name = str(visit)
            number[name] = min(number.get(name, num), num)
    return sorted(number.items(), key=lambda item: (item[1], item[0]))


def design_project(
    columns: Mapping[str, Sequence[str]], records: Mapping[str, Sequence[Mapping[str, object]]]
) -> Project:
    """The REDCap project of a trial whose SDTM domains have ``columns`` and ``records``
    (both by domain; a domain the trial lacks gets its entity's SDTM variables)."""
    routed: dict[str, list[Mapping[str, object]]] = {key: [] for key in ENTITIES}
    notes: list[str] = []
    for domain, rows in records.items():
        for row in rows:
            key = instrument_of(domain, row)
            if key is None:
                notes.append(f"domain {domain} has no catalogue entity: not part of the project")
                break
            routed[key].append(row)
    instruments = []
    for entity in ENTITIES.values():
        domain = entity.domains[0]
        names = columns.get(domain) or [v.name for v in DOMAIN_VARIABLES.get(domain, ())]
        instruments.append(_instrument(entity, list(names), routed[entity.key]))
    events = [Event(SUBJECT_EVENT, unique_event_name(SUBJECT_EVENT), None, 0)]
    for order, (visit, _) in enumerate(_visits(records), start=1):
        name = unique_event_name(visit, (e.unique_name for e in events))
        events.append(Event(visit, name, visit, order))
    by_visit = {e.visit: e.unique_name for e in events}
    pairs = {(by_visit[None], DEMOGRAPHICS)}
    for key, rows in routed.items():
        for row in rows:
            pairs.add((by_visit[_visit_of(row)], key))
        if not any(form == key for _, form in pairs):
            pairs.add((by_visit[None], key))
    event_order = {e.unique_name: e.order for e in events}
    forms = list(ENTITIES)
    designations = tuple(sorted(pairs, key=lambda p: (event_order[p[0]], forms.index(p[1]))))
    return Project(tuple(instruments), tuple(events), designations, tuple(dict.fromkeys(notes)))


def _visit_of(row: Mapping[str, object]) -> str | None:
    visit = row.get("VISIT")
    return None if visit in (None, "") else str(visit)
