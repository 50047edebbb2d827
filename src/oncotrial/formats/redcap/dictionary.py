"""REDCap data dictionaries and longitudinal design files: written from a ``Project``, read back.

Files written beside ``dict.csv`` (REDCap's own CSV formats, so each uploads as it is):

- ``dict.csv``: the data dictionary (Project Setup → Data Dictionary), REDCap's 18-column header;
- ``dict.arms.csv``: ``arm_num, name`` (one arm: the trial's arms are DM ARM, not REDCap arms);
- ``dict.events.csv``: ``event_name, arm_num, unique_event_name`` (Define My Events);
- ``dict.instruments.csv``: ``arm_num, unique_event_name, form`` (Designate Instruments);
- ``dict.repeating.csv``: ``event_name, form_name, custom_form_label`` (repeating instruments,
  as REDCap's API exports them).

``read_dictionary`` reads a data dictionary as REDCap writes it (the 18-column header of the
download, the API's ``field_name …`` header, or the 16-column header of REDCap before 6.5),
refusing any other file with what is wrong.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from oncotrial.errors import FormatError, Problem
from oncotrial.formats.redcap.design import Project

__all__ = [
    "API_HEADER",
    "FIELD_TYPES",
    "HEADER",
    "VALIDATION_TYPES",
    "DictionaryField",
    "design_files",
    "parse_choices",
    "read_dictionary",
    "write_dictionary",
]

HEADER: Final = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
API_HEADER: Final = (
    "field_name",
    "form_name",
    "section_header",
    "field_type",
    "field_label",
    "select_choices_or_calculations",
    "field_note",
    "text_validation_type_or_show_slider_number",
    "text_validation_min",
    "text_validation_max",
    "identifier",
    "branching_logic",
    "required_field",
    "custom_alignment",
    "question_number",
    "matrix_group_name",
    "matrix_ranking",
    "field_annotation",
)
# REDCap's field types (REDCap Data Dictionary guide) and its validation types (legacy names
# "date", "int", "float" included: dictionaries of REDCap < 5 use them).
FIELD_TYPES: Final = frozenset(
    {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "calc", "file",
     "slider", "descriptive", "sql"}
)  # fmt: skip
VALIDATION_TYPES: Final = frozenset(
    {"date_ymd", "date_mdy", "date_dmy", "datetime_ymd", "datetime_mdy", "datetime_dmy",
     "datetime_seconds_ymd", "datetime_seconds_mdy", "datetime_seconds_dmy", "time",
     "time_mm_ss", "integer", "number", "number_1dp", "number_2dp", "number_3dp", "number_4dp",
     "number_comma_decimal", "number_1dp_comma_decimal", "number_2dp_comma_decimal", "email",
     "phone", "zipcode", "alpha_only", "postalcode_canada", "ssn", "mrn_10d", "vmrn",
     "date", "int", "float", "autocomplete"}
)  # fmt: skip


@dataclass(frozen=True)
class DictionaryField:
    """One row of a data dictionary, as read (``row``: its line in the file)."""

    name: str
    form: str
    field_type: str
    label: str
    choices: tuple[tuple[str, str], ...]
    validation: str
    annotation: str
    row: int


def design_files(out: Path) -> dict[str, Path]:
    """The design files written beside the dictionary ``out``."""
    stem = out.with_suffix("")
    return {
        kind: stem.with_name(f"{stem.name}.{kind}.csv")
        for kind in ("arms", "events", "instruments", "repeating")
    }


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_dictionary(project: Project, out: Path) -> list[Path]:
    """Write the data dictionary ``out`` and the design files beside it; the paths written."""
    rows = [list(HEADER)] + [f.row() for i in project.instruments for f in i.fields]
    files = design_files(out)
    contents = {
        out: _csv(rows),
        files["arms"]: _csv([["arm_num", "name"], ["1", "Arm 1"]]),
        files["events"]: _csv(
            [["event_name", "arm_num", "unique_event_name"]]
            + [[e.label, "1", e.unique_name] for e in project.events]
        ),
        files["instruments"]: _csv(
            [["arm_num", "unique_event_name", "form"]]
            + [["1", event, form] for event, form in project.designations]
        ),
        files["repeating"]: _csv(
            [["event_name", "form_name", "custom_form_label"]]
            + [[event, form, ""] for event, form in project.repeating]
        ),
    }
    for path, text in contents.items():
        path.write_text(text, encoding="utf-8")
    return list(contents)


def parse_choices(text: str) -> tuple[tuple[str, str], ...]:
    """``"1, Yes | 0, No"`` → ``(("1", "Yes"), ("0", "No"))`` (a choice without a comma is its
    own label, as REDCap reads it)."""
    choices = []
    for part in text.split("|"):
        part = part.strip()
        if not part:
            continue
        code, _, label = part.partition(",")
        choices.append((code.strip(), label.strip() or code.strip()))
    return tuple(choices)


_YES_NO: Final = {
    "yesno": (("1", "Yes"), ("0", "No")),
    "truefalse": (("1", "True"), ("0", "False")),
}


def read_dictionary(path: Path) -> list[DictionaryField]:
    """The fields of a REDCap data dictionary file; FormatError listing every bad row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read the REDCap data dictionary {path}: {exc}") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise FormatError(f"{path} is empty; expected a REDCap data dictionary", file=str(path))
    header = tuple(h.strip() for h in rows[0])
    if header not in (HEADER, API_HEADER, HEADER[:16], API_HEADER[:16], HEADER[:17]):
        raise FormatError(
            f"{path} is not a REDCap data dictionary: its header is not REDCap's 18 columns",
            file=str(path),
            hint=f"The first line must be: {', '.join(HEADER)}",
        )
    problems: list[Problem] = []
    fields: list[DictionaryField] = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [c.strip() for c in row] + [""] * (18 - len(row))
        name, form, field_type, validation = cells[0], cells[1], cells[3], cells[7]
        where = {"file": str(path), "record": f"row {line}", "field": name or None}
        if not name or not form:
            problems.append(Problem("a field needs a variable name and a form name", **where))
            continue
        if name in seen:
            problems.append(Problem(f"field {name!r} is defined twice", **where))
        seen.add(name)
        if field_type not in FIELD_TYPES:
            problems.append(Problem(f"{field_type!r} is not a REDCap field type", **where))
        if validation and field_type == "text" and validation not in VALIDATION_TYPES:
            problems.append(Problem(f"{validation!r} is not a REDCap validation type", **where))
        choices: tuple[tuple[str, str], ...] = _YES_NO.get(field_type, ())
        if field_type in ("dropdown", "radio", "checkbox"):
            choices = parse_choices(cells[5])
        fields.append(
            DictionaryField(name, form, field_type, cells[4], choices, validation,
                            cells[17] if len(header) == 18 else "", line)
        )  # fmt: skip
    if problems:
        raise FormatError(
            f"{len(problems)} problem(s) in the REDCap data dictionary {path}",
            file=str(path),
            problems=problems,
        )
    if not fields:
        raise FormatError(f"{path} defines no field", file=str(path))
    return fields
