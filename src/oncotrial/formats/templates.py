"""CSV/Excel data-entry templates, one per entity, and their conversion to SDTM records.

``oncotrial template ENTITY`` writes a blank template with a description of every field; a filled
template imports with ``oncotrial data import FILE --template ENTITY``. Each row becomes one or
more SDTM records (docs/database.md lists which); the store then checks and writes them like any
SDTM import — all or nothing, every bad row reported with its row number, field, value and why.

Row numbers count the header as row 1 (the first data row is row 2), as a spreadsheet shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from oncotrial.catalogue import baseline, labs, safety, subject, treatment, tumour
from oncotrial.catalogue.model import Field as CatalogueField
from oncotrial.catalogue.model import Kind
from oncotrial.catalogue.staging import EDITIONS, stage_groups
from oncotrial.catalogue.treatment import ROUTES
from oncotrial.errors import FormatError, InputError, Problem, SchemaError, ValueProblem
from oncotrial.formats.sdtm import read_table_csv
from oncotrial.formats.sdtm_spec import ISO_8601, format_number
from oncotrial.formats.template_rows import CONVERSIONS, EVENTS, Context, Record, Row

__all__ = [
    "TEMPLATES",
    "Context",
    "Field",
    "Template",
    "TemplateRecords",
    "convert_template",
    "read_template",
    "write_template",
]


@dataclass(frozen=True)
class Field:
    name: str
    description: str
    required: bool = False
    kind: str = "text"  # text | date | number | integer | choice
    choices: tuple[str, ...] = ()
    example: str = ""


@dataclass(frozen=True)
class Template:
    entity: str
    title: str
    domains: tuple[str, ...]
    fields: tuple[Field, ...]
    convert: Callable[[Row, Context], list[Record]]
    updates_dm: tuple[str, ...] = ()  # DM variables the template sets on existing subjects

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass
class TemplateRecords:
    """SDTM frames converted from a template, with the template row of every record."""

    frames: dict[str, pd.DataFrame]
    rows: dict[str, list[int]]
    updates_dm: tuple[str, ...]


_KINDS = {
    Kind.TEXT: "text",
    Kind.DATE: "date",
    Kind.NUMBER: "number",
    Kind.INTEGER: "integer",
    Kind.CHOICE: "choice",
    Kind.TERM: "text",
    Kind.GRADE: "choice",
}


def _field(
    source: CatalogueField,
    name: str | None = None,
    description: str | None = None,
    *,
    required: bool | None = None,
    choices: tuple[str, ...] | None = None,
    free: bool = False,
) -> Field:
    """A template column from a catalogue field: its kind, its vocabulary as the allowed values
    (``free``: the vocabulary is only an example, any text is taken), its example."""
    kind = _KINDS[source.kind]
    allowed = source.choices if choices is None else choices
    if free or not allowed:
        kind = "text" if kind == "choice" else kind
        allowed = ()
    elif kind == "text":
        kind = "choice"
    text = description or (f"{source.label}." + (f" {source.help}" if source.help else ""))
    return Field(
        name or source.name,
        text,
        source.required if required is None else required,
        kind,
        allowed,
        source.example,
    )


SUBJECT = Field("subject_id", "Subject id (USUBJID) as registered.", required=True)
DATE = Field("date", "Date (YYYY-MM-DD).", required=True, kind="date")
VISIT = Field("visit", "Visit name, e.g. WEEK 6, CYCLE 2 DAY 1.")

_DM = subject.DEMOGRAPHICS
_AE = safety.ADVERSE_EVENT
_TU = tumour.LESION
_RS = tumour.RESPONSE
_EX = treatment.EXPOSURE
_PR = treatment.PROCEDURE
_CM = treatment.MEDICATION
_DISEASE = baseline.DISEASE
_STATUS = (*baseline.MUTATION_STATUS.codes, baseline.NOT_TESTED)
# An end of treatment may give death as its reason (docs/sdtm.md DS).
_REASONS = (
    *dict.fromkeys(
        r for e in subject.DISPOSITION_EVENTS if e.key != subject.ALIVE for r in e.reasons
    ),
    subject.DEATH,
)
_STAGES = tuple(dict.fromkeys(g for e in EDITIONS for g in stage_groups(e, parents=True)))

TEMPLATES: dict[str, Template] = {
    t.entity: t
    for t in (
        Template(
            "subject",
            "Subjects at screening: demographics and baseline characteristics",
            ("DM", "DS", "VS", "QS", "SC", "MI", "GF"),
            (
                _field(_DM.field("screening_number"), description="Screening number given at "
                       "consent (SUBJID)."),
                _field(_DM.field("subject_id"), description="Unique subject id (USUBJID); "
                       "default STUDYID-screening_number."),
                _field(_DM.field("site_id"), description="Site id (SITEID)."),
                _field(_DM.field("sex"), description="Sex (CDISC CT)."),
                _field(_DM.field("birth_year"), description="Year of birth."),
                _field(_DM.field("age"), description="Age in years at consent."),
                _field(_DM.field("consent_date"), description="Date of informed consent."),
                _field(_DM.field("country"), description="Country, ISO 3166-1 alpha-3."),
                _field(_DM.field("race"), description="Race (CDISC CT)."),
                _field(_DM.field("ethnicity"), description="Ethnicity (CDISC CT)."),
                _field(baseline.VITAL_SIGNS.field("value"), "height_cm", "Height in cm.",
                       required=False),
                _field(baseline.VITAL_SIGNS.field("value"), "weight_kg", "Weight in kg.",
                       required=False),
                _field(baseline.ECOG.field("score"), "ecog",
                       "ECOG performance status at baseline.", required=False,
                       choices=baseline.ECOG_GRADES.codes[:5]),
                _field(_DISEASE.field("value"), "stage", "AJCC stage group (docs/catalogue.md, "
                       "Staging).", required=False, choices=_STAGES),
                _field(_DISEASE.field("edition"), "stage_edition",
                       "AJCC edition of the stage: 8 (default) or 9.", required=False),
                _field(_DISEASE.field("value"), "histology", "Histologic type.", required=False,
                       choices=baseline.HISTOLOGIES.codes),
                _field(_DISEASE.field("value"), "primary_site", "Primary tumour site.",
                       required=False, choices=baseline.PRIMARY_SITES.codes),
                _field(baseline.PDL1.field("value"), "pdl1_tps",
                       "PD-L1 tumour proportion score, % (0-100).", required=False),
                _field(baseline.PDL1.field("assay"), "pdl1_assay", "PD-L1 assay.",
                       required=False),
                *(
                    Field(gene.lower(), f"{gene} status.", kind="choice", choices=_STATUS)
                    for gene in baseline.GENES
                ),
                Field("msi", "Microsatellite status.", kind="choice",
                      choices=(*baseline.MSI_STATUS.codes, baseline.NOT_TESTED)),
            ),
            CONVERSIONS["subject"],
        ),
        Template(
            "eligibility",
            "Eligibility: one row per criterion assessed (or per criterion not met)",
            ("IE",),
            (
                SUBJECT,
                *(_field(subject.ELIGIBILITY.field(n), description=d) for n, d in (
                    ("criterion_id", "Criterion code, IN01… / EX01…."),
                    ("category", "INCLUSION or EXCLUSION."),
                    ("criterion", "Criterion text."),
                    ("result", "Criterion met: Y, N or UNKNOWN."),
                )),
                DATE,
            ),
            CONVERSIONS["eligibility"],
        ),
        Template(
            "randomization",
            "Enrollment or randomization: arm, stratum, date (one per subject)",
            ("DS", "DM"),
            (
                SUBJECT,
                DATE,
                _field(subject.ALLOCATION.field("arm"), description="Arm label or code as in "
                       "the protocol."),
                _field(subject.ALLOCATION.field("stratum"), description="Randomization stratum."),
                _field(subject.ALLOCATION.field("kind"), description="RANDOMIZED (default for "
                       "randomized trials) or ENROLLED."),
            ),
            CONVERSIONS["randomization"],
            updates_dm=("ARMCD", "ARM"),
        ),
        Template(
            "exposure",
            "Treatment exposure: one row per administration",
            ("EX",),
            (
                SUBJECT,
                _field(_EX.field("trt"), "agent", "Drug name.", free=True),
                _field(_EX.field("dose"), description="Dose.", required=False),
                _field(_EX.field("dosu"), "unit", "Dose unit.", required=False, free=True),
                _field(_EX.field("route"), description="Route (CDISC CT).", choices=ROUTES.codes),
                Field("form", "Dose form.", example="INJECTION"),
                Field("frequency", "Dosing frequency.", example="Q3W"),
                _field(_EX.field("stdtc"), "start_date", "Date given (start)."),
                _field(_EX.field("endtc"), "end_date", "End date (oral cycles)."),
                Field("cycle", "Cycle number.", kind="integer"),
                _field(_EX.field("adj"), "adjustment", "Reason for a delay or dose change."),
            ),
            CONVERSIONS["exposure"],
        ),
        Template(
            "procedure",
            "Procedures: cryoablation, radiofrequency ablation, radiotherapy",
            ("PR",),
            (
                SUBJECT,
                _field(_PR.field("trt"), "procedure", "Procedure name.", free=True),
                DATE,
                _field(_PR.field("endtc"), "end_date", "End date (radiotherapy)."),
                _field(_PR.field("location"), description="Treated site.", required=False,
                       free=True),
                _field(_PR.field("laterality"), description="LEFT or RIGHT."),
                _field(_PR.field("lesion_id"), description="Treated lesion (TULNKID), if "
                       "recorded."),
                _field(_PR.field("dose"), description="Radiotherapy dose."),
                Field("dose_unit", "Dose unit.", example=treatment.RADIATION_DOSE_UNIT),
                Field("category", f"Category (default {treatment.LOCAL_THERAPY}).",
                      kind="choice", choices=(treatment.LOCAL_THERAPY,)),
            ),
            CONVERSIONS["procedure"],
        ),
        Template(
            "tumour_assessment",
            "Tumour assessments: one row per lesion per scan (lesions identified when first seen)",
            ("TU", "TR"),
            (
                SUBJECT,
                DATE,
                VISIT,
                _field(_TU.field("evaluator"), "assessor", "INVESTIGATOR (default) or "
                       "INDEPENDENT ASSESSOR."),
                Field("assessor_id", "Reader id, e.g. RADIOLOGIST 1."),
                _field(_TU.field("lesion_id"), description="Lesion id: T01-T05 targets, NT01… "
                       "non-targets, NEW01… new."),
                _field(_TU.field("role"), description="TARGET, NON-TARGET or NEW."),
                _field(_TU.field("location"), description="Organ (CDISC location term).",
                       required=False, free=True),
                _field(_TU.field("location_detail"), description="Detail, e.g. node station."),
                _field(_TU.field("laterality"), description="LEFT or RIGHT."),
                Field("is_node", f"Y for a lymph node (recorded as TULOC {tumour.LYMPH_NODE}).",
                      kind="choice", choices=("Y", "N")),
                Field("diameter_mm", "Longest diameter, or short axis for a node, in mm.",
                      kind="number"),
                Field("status", "Non-target/new lesion state.", kind="choice",
                      choices=tumour.TUMOUR_STATE.results.codes if tumour.TUMOUR_STATE.results
                      else ()),
                Field("not_done_reason", "Why the lesion was not assessed."),
                _field(_TU.field("method"), description="Imaging method (default CT SCAN)."),
            ),
            CONVERSIONS["tumour_assessment"],
        ),
        Template(
            "response",
            "Investigator timepoint responses",
            ("RS",),
            (
                SUBJECT,
                DATE,
                VISIT,
                _field(_RS.field("criteria"), description="RECIST 1.1 (default), iRECIST or "
                       "mRECIST."),
                _field(_RS.field("evaluator"), "assessor", "INVESTIGATOR (default) or "
                       "INDEPENDENT ASSESSOR."),
                Field("assessor_id", "Reader id."),
                _field(_RS.field("target"), description="Target response."),
                _field(_RS.field("non_target"), description="Non-target response."),
                _field(_RS.field("overall"), description="Overall response."),
            ),
            CONVERSIONS["response"],
        ),
        Template(
            "adverse_event",
            "Adverse events by CTCAE v5.0 term and grade",
            ("AE",),
            (
                SUBJECT,
                _field(_AE.field("term"), "ctcae_term", "CTCAE v5.0 term."),
                _field(_AE.field("verbatim"), "verbatim_term", "Term as reported (default: the "
                       "CTCAE term)."),
                _field(_AE.field("grade"), description="CTCAE grade 1-5."),
                _field(_AE.field("stdtc"), "start_date", "Onset date."),
                _field(_AE.field("endtc"), "end_date", "Resolution date."),
                _field(_AE.field("serious"), description="Serious: Y or N.", required=False),
                _field(_AE.field("rel"), "related", "Related to study treatment.",
                       required=False),
                Field("relatedness", "Per intervention: 'Serplulimab=RELATED; CT-guided "
                      "Cryoablation=NOT RELATED'."),
                _field(_AE.field("acn"), "action_taken", "Action with study drug.",
                       required=False),
                _field(_AE.field("acnoth"), "other_action", "Other action, e.g. TREATMENT WITH "
                       "STEROIDS."),
                _field(_AE.field("outcome"), description="Outcome.", required=False),
            ),
            CONVERSIONS["adverse_event"],
        ),
        Template(
            "lab",
            "Laboratory results",
            ("LB",),
            (
                SUBJECT,
                DATE,
                VISIT,
                Field("test_code", "Test code.", True, example=labs.ALT.testcd),
                Field("test", "Test name.", True, example=labs.ALT.test),
                Field("category", "CHEMISTRY, HEMATOLOGY, ENDOCRINE…",
                      example=labs.ALT.category or ""),
                Field("loinc", "LOINC code.", example=labs.ALT.loinc or ""),
                Field("value", "Result.", True),
                Field("unit", "Unit.", example=labs.ALT.unit or ""),
                _field(labs.LAB.field("low"), description="Reference range low."),
                _field(labs.LAB.field("high"), description="Reference range high."),
                Field("baseline", "Y on the baseline result.", kind="choice", choices=("Y", "N")),
            ),
            CONVERSIONS["lab"],
        ),
        Template(
            "therapy",
            "Prior, concomitant and subsequent anticancer therapy",
            ("CM",),
            (
                SUBJECT,
                _field(_CM.field("trt"), "therapy", "Drug or regimen."),
                _field(_CM.field("cat"), "category", "Category."),
                _field(_CM.field("indication"), description="Indication."),
                _field(_CM.field("stdtc"), "start_date", "Start date."),
                _field(_CM.field("endtc"), "end_date", "End date."),
            ),
            CONVERSIONS["therapy"],
        ),
        Template(
            "death",
            "Deaths: date and cause",
            ("DS", "DM"),
            (
                SUBJECT,
                DATE,
                _field(subject.DEATH_ENTITY.field("cause"), description="Cause of death.",
                       free=True),
            ),
            CONVERSIONS["death"],
            updates_dm=("DTHDTC", "DTHFL"),
        ),
        Template(
            "disposition",
            "Disposition: end of treatment, end of study, last known alive",
            ("DS",),
            (
                SUBJECT,
                Field("event", "The event.", True, "choice", tuple(EVENTS)),
                Field(
                    "reason",
                    "DSDECOD (empty for last known alive).",
                    kind="choice",
                    choices=_REASONS,
                ),
                DATE,
                Field("verbatim", "Reason as reported."),
            ),
            CONVERSIONS["disposition"],
        ),
        Template(
            "qol",
            "Quality-of-life scale scores",
            ("QS",),
            (
                SUBJECT,
                DATE,
                VISIT,
                Field("questionnaire", "Questionnaire.", True,
                      example=baseline.QOL_GLOBAL_TEST.category or ""),
                Field("scale_code", "Scale code.", True, example=baseline.QOL_GLOBAL_TEST.testcd),
                Field("scale", "Scale name.", True, example=baseline.QOL_GLOBAL_TEST.test),
                Field("score", "Score.", True, "number"),
                Field("baseline", "Y on the baseline score.", kind="choice", choices=("Y", "N")),
            ),
            CONVERSIONS["qol"],
        ),
    )
}  # fmt: skip


def _template(entity: str) -> Template:
    key = entity.strip().lower().replace("-", "_")
    if key not in TEMPLATES:
        raise InputError(
            f"no template {entity!r}",
            hint=f"Templates: {', '.join(TEMPLATES)}.",
        )
    return TEMPLATES[key]


def write_template(entity: str, path: Path) -> list[Path]:
    """Write a blank template (.csv with a .fields.csv description beside it, or .xlsx)."""
    template = _template(entity)
    descriptions = pd.DataFrame(
        {
            "field": [f.name for f in template.fields],
            "required": ["yes" if f.required else "" for f in template.fields],
            "type": [f.kind for f in template.fields],
            "allowed values": [", ".join(f.choices) for f in template.fields],
            "example": [f.example for f in template.fields],
            "description": [f.description for f in template.fields],
        }
    )
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.comments import Comment
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "data"
        for column, spec in enumerate(template.fields, start=1):
            cell = sheet.cell(row=1, column=column, value=spec.name)
            cell.font = Font(bold=spec.required)
            cell.comment = Comment(spec.description, "oncotrial")
        notes = workbook.create_sheet("fields")
        notes.append(list(descriptions.columns))
        for values in descriptions.itertuples(index=False, name=None):
            notes.append(list(values))
        workbook.save(path)
        return [path]
    pd.DataFrame(columns=template.columns).to_csv(path, index=False)
    fields_path = path.with_name(path.stem + ".fields.csv")
    descriptions.to_csv(fields_path, index=False)
    return [path, fields_path]


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | float):
        return format_number(value)
    text = str(value).strip()
    return text or None


def read_template(path: Path) -> pd.DataFrame:
    """A filled template as text (CSV, or the first sheet of an .xlsx workbook)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        if not path.is_file():
            raise InputError("file not found", file=str(path))
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
            raise FormatError(f"not a readable Excel file ({exc})", file=str(path)) from exc
        sheet = workbook["data"] if "data" in workbook.sheetnames else workbook.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        if not table:
            raise FormatError("the workbook is empty", file=str(path))
        header = [str(h).strip() if h is not None else "" for h in table[0]]
        rows = [[_cell_text(v) for v in row] for row in table[1:]]
        rows = [row for row in rows if any(v is not None for v in row)]
        return pd.DataFrame(rows, columns=header, dtype=object)
    frame = read_table_csv(path)
    return frame.astype(object).where(frame.notna(), None)


def _check(template: Template, frame: pd.DataFrame, file: str) -> list[Problem]:
    problems: list[Problem] = []
    missing = [f.name for f in template.fields if f.required and f.name not in frame.columns]
    unknown = [c for c in frame.columns if c not in template.columns]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise SchemaError(
            f"not a {template.entity} template: {'; '.join(parts)}",
            file=file,
            hint=f"Write a blank one with `oncotrial template {template.entity}`.",
        )
    for position, row in enumerate(frame.to_dict(orient="records")):
        number = position + 2
        for spec in template.fields:
            value = row.get(spec.name)
            record = f"row {number}"
            if value is None:
                if spec.required:
                    problems.append(Problem("required", file, record, spec.name, None))
                continue
            text = str(value)
            if spec.kind == "date" and not (ISO_8601.match(text) and len(text) >= 4):
                problems.append(Problem("not a date (YYYY-MM-DD)", file, record, spec.name, text))
            elif spec.kind in {"number", "integer"}:
                try:
                    number_value = float(text)
                except ValueError:
                    problems.append(Problem("not a number", file, record, spec.name, text))
                    continue
                if spec.kind == "integer" and not number_value.is_integer():
                    problems.append(Problem("not a whole number", file, record, spec.name, text))
            elif spec.kind == "choice" and text.upper() not in {c.upper() for c in spec.choices}:
                problems.append(
                    Problem(f"not one of {', '.join(spec.choices)}", file, record, spec.name, text)
                )
    return problems


def _text_values(record: dict[str, object]) -> dict[str, object]:
    """Exchange frames are text (docs/sdtm.md): numbers the catalogue gives (VISITNUM) as text."""
    return {
        name: format_number(value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else value
        for name, value in record.items()
    }


def convert_template(
    entity: str, frame: pd.DataFrame, context: Context, *, file: str
) -> TemplateRecords:
    """Check a filled template and turn its rows into SDTM frames (without --SEQ)."""
    template = _template(entity)
    problems = _check(template, frame, file)
    records: dict[str, list[dict[str, object]]] = {}
    origins: dict[str, list[int]] = {}
    for position, row in enumerate(frame.to_dict(orient="records")):
        number = position + 2
        values = {
            f.name: (None if row.get(f.name) is None else str(row[f.name])) for f in template.fields
        }
        if any(p.record == f"row {number}" for p in problems):
            continue
        try:
            converted = template.convert(values, context)
        except ValueProblem as exc:
            problems.append(Problem(exc.message, file, f"row {number}", exc.field, None))
            continue
        for domain, record in converted:
            records.setdefault(domain, []).append(
                {"STUDYID": context.studyid, "DOMAIN": domain, **_text_values(record)}
            )
            origins.setdefault(domain, []).append(number)
    if problems:
        raise ValueProblem(
            f"{len(problems)} problem(s) in {file}; nothing was written",
            file=file,
            hint="Correct the rows listed and import the file again.",
            problems=problems,
        )
    frames = {
        domain: pd.DataFrame(rows, dtype=object).astype(object) for domain, rows in records.items()
    }
    return TemplateRecords(frames, origins, template.updates_dm)


def template_entities() -> Iterable[str]:
    return TEMPLATES.keys()
