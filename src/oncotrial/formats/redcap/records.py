"""REDCap flat records (CSV, raw values) to and from SDTM records.

Export: each SDTM record becomes one instance of its entity's instrument (``instrument_of``) in
the event of its visit (the ``Subject`` event when it has none), numbered per subject, event and
instrument in --SEQ order; the demographics are the one non-repeating row of each subject.

Import: every row of a REDCap records export (``record_id``, ``redcap_event_name``,
``redcap_repeat_instrument``, ``redcap_repeat_instance``, fields …; ``*_complete`` status columns
ignored) gives one SDTM record per instrument holding values in it. Fields map to SDTM through
the dictionary: ``SDTM: DOMAIN.VARIABLE`` in the Field Annotation (as ``oncotrial redcap
dictionary`` writes it) or the ``<entity>_<variable>`` name on an entity's instrument; a
dictionary with a field mapped to nothing is refused, field by field. Raw values are checked
against the dictionary (choice codes, REDCap's date/number formats) before anything is stored;
each refusal names record, event, instrument, instance and field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from oncotrial.catalogue.registry import ENTITIES, VARIABLE_TERMS
from oncotrial.catalogue.vocabulary import Vocabulary
from oncotrial.errors import FormatError, Problem, ValueProblem
from oncotrial.formats.redcap.design import (
    DEMOGRAPHICS,
    PATTERNS,
    Project,
    choice_code,
    instrument_of,
    term_of_code,
    variable_vocabulary,
)
from oncotrial.formats.redcap.dictionary import DictionaryField
from oncotrial.formats.sdtm_spec import DOMAIN_VARIABLES

__all__ = [
    "SPECIAL",
    "FieldMap",
    "Location",
    "RedcapRecords",
    "map_dictionary",
    "records_from_sdtm",
    "sdtm_from_records",
    "write_records",
]

EVENT, REPEAT_INSTRUMENT, REPEAT_INSTANCE = (
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
)
SPECIAL: Final = (EVENT, REPEAT_INSTRUMENT, REPEAT_INSTANCE)
_IGNORED: Final = ("redcap_data_access_group", "redcap_survey_identifier")
_ANNOTATION: Final = re.compile(r"SDTM:\s*([A-Z][A-Z0-9]{1,3})\.([A-Z][A-Z0-9]{0,7})\b")
_DATETIME: Final = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(:\d{2})?)$")
_LEGACY_VALIDATION: Final = {"date": "date_ymd", "int": "integer", "float": "number"}


def _seq_key(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return float("inf")


def records_from_sdtm(
    project: Project, frames: Mapping[str, pd.DataFrame]
) -> tuple[list[str], list[list[str]]]:
    """The REDCap flat records of the SDTM ``frames`` (text frames): header and rows."""
    fields = [f for i in project.instruments for f in i.fields]
    header = [fields[0].name, EVENT, REPEAT_INSTRUMENT, REPEAT_INSTANCE]
    header += [f.name for f in fields[1:]]
    position = {name: n for n, name in enumerate(header)}
    event_order = {e.unique_name: e.order for e in project.events}
    form_order = {i.name: n for n, i in enumerate(project.instruments)}
    rows: list[tuple[tuple[object, ...], list[str]]] = []
    instances: dict[tuple[str, str, str], int] = {}
    for domain, frame in frames.items():
        seq = f"{domain}SEQ"
        records: list[dict[str, object]] = [
            {str(k): v for k, v in row.items()} for row in frame.to_dict("records")
        ]
        records.sort(key=lambda r: (str(r["USUBJID"]), _seq_key(r.get(seq))))
        for record in records:
            form = instrument_of(domain, record)
            if form is None:
                raise ValueProblem(
                    f"domain {domain} has no REDCap instrument (no catalogue entity)",
                    hint="Export the other domains with --domains, or use the SDTM export.",
                )
            instrument = project.instrument(form)
            visit = record.get("VISIT")
            event = project.event_of_visit(None if visit in (None, "") else str(visit))
            usubjid = str(record["USUBJID"])
            row = [""] * len(header)
            row[0], row[1] = usubjid, event.unique_name
            if instrument.repeating:
                key = (usubjid, event.unique_name, form)
                instances[key] = instances.get(key, 0) + 1
                row[2], row[3] = form, str(instances[key])
            for item in instrument.fields[1 if form == DEMOGRAPHICS else 0 :]:
                value = record.get(item.variable)
                if value is None or value == "":
                    continue
                text = str(value)
                row[position[item.name]] = choice_code(text) if item.choices else text
            sort = (usubjid, event_order[event.unique_name], form_order[form], int(row[3] or 0))
            rows.append((sort, row))
    rows.sort(key=lambda item: item[0])
    return header, [row for _, row in rows]


def write_records(header: Sequence[str], rows: Sequence[Sequence[str]], out: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return out


@dataclass(frozen=True)
class FieldMap:
    field: DictionaryField
    domain: str
    variable: str
    terms: Vocabulary | None  # the catalogue's vocabulary of the variable, for choice codes


def _target(item: DictionaryField) -> tuple[str, str] | None:
    found = _ANNOTATION.search(item.annotation)
    if found:
        return found.group(1), found.group(2)
    entity = ENTITIES.get(item.form)
    if entity is not None and item.name.startswith(f"{entity.key}_"):
        variable = item.name[len(entity.key) + 1 :].upper()
        domain = entity.domains[0]
        if variable in {v.name for v in DOMAIN_VARIABLES.get(domain, ())}:
            return domain, variable
    return None


def _terms(form: str, domain: str, variable: str) -> Vocabulary | None:
    entity = ENTITIES.get(form)
    if entity is not None and entity.domains[0] == domain:
        return variable_vocabulary(entity, domain, variable)
    return VARIABLE_TERMS.get((domain, variable))


def map_dictionary(fields: Sequence[DictionaryField], file: str) -> dict[str, FieldMap]:
    """Field name → SDTM variable for every data field; FormatError naming each field that maps
    to nothing (REDCap's first field is the record id: USUBJID)."""
    record_id = fields[0]
    mapped = {record_id.name: FieldMap(record_id, "DM", "USUBJID", None)}
    problems = []
    domains: dict[str, set[str]] = {}
    for item in fields[1:]:
        if item.field_type == "descriptive":
            continue
        where = {"file": file, "record": f"row {item.row}, instrument {item.form}",
                 "field": item.name}  # fmt: skip
        if item.field_type == "checkbox":
            problems.append(Problem("a checkbox holds several values; SDTM variables hold one "
                                    "(make it a dropdown or radio)", **where))  # fmt: skip
            continue
        target = _target(item)
        if target is None:
            problems.append(
                Problem("maps to no SDTM variable: write 'SDTM: DOMAIN.VARIABLE' in its Field "
                        "Annotation (e.g. SDTM: AE.AETERM)", **where)
            )  # fmt: skip
            continue
        domain, variable = target
        domains.setdefault(item.form, set()).add(domain)
        mapped[item.name] = FieldMap(item, domain, variable, _terms(item.form, domain, variable))
    for form, found in domains.items():
        if len(found) > 1:
            problems.append(Problem(f"instrument {form} maps to several SDTM domains "
                                    f"({', '.join(sorted(found))}); one instrument is one "
                                    "domain's records", file=file))  # fmt: skip
    if problems:
        raise FormatError(
            f"the REDCap data dictionary {file} cannot be mapped to SDTM: {len(problems)} "
            "field(s) refused; nothing was imported",
            file=file,
            problems=problems,
        )
    return mapped


@dataclass(frozen=True)
class Location:
    """Where an SDTM record came from in the records file (for every message about it)."""

    row: int
    record: str
    event: str
    instrument: str
    instance: str

    def describe(self) -> str:
        """``<record>, event …, instrument …, instance … (row n)``: a Problem prefixes it with
        "record "."""
        return (
            f"{self.record}, event {self.event or '-'}, instrument {self.instrument}, instance "
            f"{self.instance or '-'} (row {self.row})"
        )


@dataclass(frozen=True)
class RedcapRecords:
    frames: dict[str, pd.DataFrame]
    locations: dict[str, list[Location]]  # per domain, one per record (frame order)
    fields: dict[tuple[str, str], str]  # (instrument, SDTM variable) → REDCap field name


def _choice_term(item: FieldMap, code: str) -> str:
    label = dict(item.field.choices)[code]
    if item.terms is not None:
        term = term_of_code(item.terms, code)
        if term is not None:
            return term
        for candidate in item.terms:
            if label.upper() in (candidate.label.upper(), candidate.code.upper()):
                return candidate.code
    return label  # a dictionary of another origin: its label is the value


def _value(item: FieldMap, raw: str) -> tuple[str | None, str | None]:
    """(SDTM value, None) or (None, why the raw value is refused)."""
    if item.field.field_type in ("dropdown", "radio", "yesno", "truefalse"):
        if raw not in dict(item.field.choices):
            codes = ", ".join(c for c, _ in item.field.choices)
            return None, f"{raw!r} is not one of the field's choice codes ({codes})"
        return _choice_term(item, raw), None
    validation = _LEGACY_VALIDATION.get(item.field.validation, item.field.validation)
    if validation.startswith(("date_", "datetime")):
        # REDCap exports raw dates as YYYY-MM-DD [HH:MM[:SS]] whatever the display format.
        moment = _DATETIME.match(raw)
        if moment:
            return f"{moment.group(1)}T{moment.group(2)}", None
        validation = "date_ymd"
    pattern = PATTERNS.get(validation)
    if pattern is not None and not pattern.match(raw):
        return None, f"{raw!r} is not a REDCap {validation} value"
    return raw, None


def _header_problems(
    columns: Sequence[str], mapped: Mapping[str, FieldMap], record_id: str, file: str
) -> list[Problem]:
    forms = {m.field.form for m in mapped.values()}
    allowed = {*mapped, *SPECIAL, *_IGNORED}
    allowed |= {f"{form}_complete" for form in forms} | {f"{form}_timestamp" for form in forms}
    problems = [
        Problem(f"column {c!r} is not a field of the data dictionary", file=file, field=c)
        for c in columns
        if c not in allowed
    ]
    if not columns or columns[0] != record_id:
        problems.insert(0, Problem(f"the first column must be the record id {record_id!r}",
                                   file=file))  # fmt: skip
    return problems


def sdtm_from_records(path: Path, mapped: Mapping[str, FieldMap], studyid: str) -> RedcapRecords:
    """The SDTM frames of a REDCap records CSV; ValueProblem listing every refused value."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FormatError(f"cannot read the REDCap records file {path}: {exc}") from exc
    file = path.name
    record_id = next(iter(mapped))
    problems = _header_problems(list(table.columns), mapped, record_id, file)
    if problems:
        raise FormatError(f"{file} is not a records export of this data dictionary",
                          file=file, problems=problems)  # fmt: skip
    by_form: dict[str, list[FieldMap]] = {}
    for name, item in mapped.items():
        if name != record_id:
            by_form.setdefault(item.field.form, []).append(item)
    records: dict[str, list[dict[str, object]]] = {}
    locations: dict[str, list[Location]] = {}
    for index, row in enumerate(table.to_dict("records")):
        line = index + 2
        subject = str(row[record_id]).strip()
        event, repeat = str(row.get(EVENT, "")), str(row.get(REPEAT_INSTRUMENT, ""))
        instance = str(row.get(REPEAT_INSTANCE, ""))
        for form, items in by_form.items():
            filled = [(i, str(row[i.field.name]).strip()) for i in items]
            filled = [(i, v) for i, v in filled if v != ""]
            if not filled:
                continue
            where = Location(line, subject, event, form, instance if repeat else "")
            if repeat and repeat != form:
                problems.append(Problem(f"values of instrument {form} on a row of repeating "
                                        f"instrument {repeat}", file=file,
                                        record=where.describe()))  # fmt: skip
                continue
            if not subject:
                problems.append(Problem("the record id is empty", file=file,
                                        record=where.describe()))  # fmt: skip
                continue
            domain = items[0].domain
            record: dict[str, object] = {"STUDYID": studyid, "DOMAIN": domain, "USUBJID": subject}
            for item, raw in filled:
                value, why = _value(item, raw)
                if why is not None:
                    problems.append(Problem(why, file=file, record=where.describe(),
                                            field=item.field.name, value=raw))  # fmt: skip
                record[item.variable] = value
            records.setdefault(domain, []).append(record)
            locations.setdefault(domain, []).append(where)
    if problems:
        raise ValueProblem(
            f"{len(problems)} problem(s) in {file}; nothing was imported",
            file=file,
            hint="Correct the values listed (or the data dictionary) and import again.",
            problems=problems,
        )
    frames = {}
    for domain, rows in records.items():
        columns = ["STUDYID", "DOMAIN", "USUBJID"]
        columns += list(dict.fromkeys(
            m.variable for n, m in mapped.items() if n != record_id and m.domain == domain
        ))  # fmt: skip
        frames[domain] = pd.DataFrame(rows, columns=columns, dtype=object)
    fields = {(m.field.form, m.variable): name for name, m in mapped.items()}
    return RedcapRecords(frames, locations, fields)
