"""CSV/Excel data-entry templates, one per entity, and their conversion to SDTM records.

``oncotrial template ENTITY`` writes a blank template with a description of every field; a filled
template imports with ``oncotrial data import FILE --template ENTITY``. Each row becomes one or
more SDTM records (docs/database.md lists which); the store then checks and writes them like any
SDTM import — all or nothing, every bad row reported with its row number, field, value and why.

Row numbers count the header as row 1 (the first data row is row 2), as a spreadsheet shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import FormatError, InputError, Problem, SchemaError, ValueProblem
from oncotrial.formats.sdtm import read_table_csv
from oncotrial.formats.sdtm_spec import ISO_8601, format_number

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
class Context:
    """What a conversion needs from the trial: its STUDYID, arms and interventions."""

    studyid: str
    arms: Mapping[str, str] = field(default_factory=dict)  # label -> code
    interventions: Sequence[str] = ()
    randomized: bool = True
    ctcae: CtcaeDictionary | None = None


Record = tuple[str, dict[str, object]]  # (domain, SDTM variables)


@dataclass(frozen=True)
class Template:
    entity: str
    title: str
    domains: tuple[str, ...]
    fields: tuple[Field, ...]
    convert: Callable[[dict[str, str | None], Context], list[Record]]
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


SUBJECT = Field("subject_id", "Subject id (USUBJID) as registered.", required=True)
DATE = Field("date", "Date (YYYY-MM-DD).", required=True, kind="date")
VISIT = Field("visit", "Visit name, e.g. WEEK 6, CYCLE 2 DAY 1.")


def _y(value: str | None) -> str | None:
    return None if value is None else value.strip().upper()


# -- conversions -----------------------------------------------------------------------------


def _subject(row: dict[str, str | None], ctx: Context) -> list[Record]:
    usubjid = row["subject_id"] or f"{ctx.studyid}-{row['screening_number']}"
    consent = row["consent_date"]
    records: list[Record] = [
        (
            "DM",
            {
                "USUBJID": usubjid,
                "SUBJID": row["screening_number"],
                "SITEID": row["site_id"],
                "SEX": _y(row["sex"]),
                "BRTHDTC": row["birth_year"],
                "AGE": row["age"],
                "AGEU": "YEARS" if row["age"] else None,
                "RACE": _y(row["race"]),
                "ETHNIC": _y(row["ethnicity"]),
                "COUNTRY": _y(row["country"]),
                "RFICDTC": consent,
                "DMDTC": consent,
            },
        ),
        (
            "DS",
            {
                "USUBJID": usubjid,
                "DSTERM": "INFORMED CONSENT OBTAINED",
                "DSDECOD": "INFORMED CONSENT OBTAINED",
                "DSCAT": "PROTOCOL MILESTONE",
                "EPOCH": "SCREENING",
                "VISIT": "SCREENING",
                "VISITNUM": "1",
                "DSSTDTC": consent,
            },
        ),
    ]
    common = {"USUBJID": usubjid, "VISIT": "SCREENING", "VISITNUM": "1"}
    for code, test, name, unit in (
        ("HEIGHT", "Height", "height_cm", "cm"),
        ("WEIGHT", "Weight", "weight_kg", "kg"),
    ):
        if row[name]:
            records.append(
                (
                    "VS",
                    {
                        **common,
                        "VSTESTCD": code,
                        "VSTEST": test,
                        "VSORRES": row[name],
                        "VSORRESU": unit,
                        "VSSTRESC": row[name],
                        "VSSTRESN": row[name],
                        "VSSTRESU": unit,
                        "VSBLFL": "Y",
                        "VSDTC": consent,
                    },
                )
            )
    if row["ecog"]:
        records.append(
            (
                "QS",
                {
                    **common,
                    "QSTESTCD": "ECOG101",
                    "QSTEST": "ECOG1-Performance Status",
                    "QSCAT": "ECOG",
                    "QSORRES": row["ecog"],
                    "QSSTRESC": row["ecog"],
                    "QSSTRESN": row["ecog"],
                    "QSBLFL": "Y",
                    "QSDTC": consent,
                },
            )
        )
    for code, test, name, category in (
        ("STAGE", "Disease Stage", "stage", "AJCC 8TH EDITION"),
        ("HISTTYP", "Histologic Type", "histology", None),
        ("PRIMSITE", "Primary Tumor Site", "primary_site", None),
    ):
        if row[name]:
            value = _y(row[name])
            records.append(
                (
                    "SC",
                    {
                        **common,
                        "SCTESTCD": code,
                        "SCTEST": test,
                        "SCCAT": category,
                        "SCORRES": value,
                        "SCSTRESC": value,
                        "SCDTC": consent,
                    },
                )
            )
    if row["pdl1_tps"]:
        records.append(
            (
                "MI",
                {
                    **common,
                    "MITESTCD": "PDL1TPS",
                    "MITEST": "PD-L1 Tumor Proportion Score",
                    "MIORRES": row["pdl1_tps"],
                    "MIORRESU": "%",
                    "MISTRESC": row["pdl1_tps"],
                    "MISTRESN": row["pdl1_tps"],
                    "MISTRESU": "%",
                    "MIMETHOD": "IMMUNOHISTOCHEMISTRY",
                    "MISPEC": "TUMOR TISSUE",
                    "SPDEVID": _y(row["pdl1_assay"]),
                    "MIDTC": consent,
                },
            )
        )
    for gene in ("EGFR", "ALK", "ROS1", "KRAS", "BRAF", "NRAS", "MSI"):
        status = _y(row[gene.lower()])
        if status:
            label = (
                "Microsatellite Instability Status" if gene == "MSI" else f"{gene} Mutation Status"
            )
            records.append(
                (
                    "GF",
                    {
                        **common,
                        "GFTESTCD": gene,
                        "GFTEST": label,
                        "GFORRES": status,
                        "GFSTRESC": status,
                        "GFDTC": consent,
                    },
                )
            )
    return records


def _eligibility(row: dict[str, str | None], ctx: Context) -> list[Record]:
    result = _y(row["result"])
    return [
        (
            "IE",
            {
                "USUBJID": row["subject_id"],
                "IETESTCD": _y(row["criterion_id"]),
                "IETEST": row["criterion"],
                "IECAT": _y(row["category"]),
                "IEORRES": result,
                "IESTRESC": result,
                "VISIT": "SCREENING",
                "IEDTC": row["date"],
            },
        )
    ]


def _randomization(row: dict[str, str | None], ctx: Context) -> list[Record]:
    arm = row["arm"] or ""
    codes = {label.upper(): code for label, code in ctx.arms.items()}
    labels = {code.upper(): label for label, code in ctx.arms.items()}
    if arm.upper() in codes:
        code, label = codes[arm.upper()], next(k for k in ctx.arms if k.upper() == arm.upper())
    elif arm.upper() in labels:
        code, label = arm.upper(), labels[arm.upper()]
    elif ctx.arms:
        known = ", ".join(f"{code} {label}" for label, code in ctx.arms.items())
        raise ValueProblem(f"no arm {arm!r} in the protocol (arms: {known})", field="arm")
    else:
        code, label = arm, arm
    term = _y(row["kind"]) or ("RANDOMIZED" if ctx.randomized else "ENROLLED")
    return [
        (
            "DS",
            {
                "USUBJID": row["subject_id"],
                "DSTERM": term,
                "DSDECOD": term,
                "DSCAT": "PROTOCOL MILESTONE",
                "EPOCH": "SCREENING",
                "DSSTDTC": row["date"],
                "STRATUM": row["stratum"],
            },
        ),
        ("DM", {"USUBJID": row["subject_id"], "ARMCD": code, "ARM": label}),
    ]


def _exposure(row: dict[str, str | None], ctx: Context) -> list[Record]:
    cycle = row["cycle"]
    return [
        (
            "EX",
            {
                "USUBJID": row["subject_id"],
                "EXTRT": _y(row["agent"]),
                "EXDOSE": row["dose"],
                "EXDOSU": row["unit"],
                "EXDOSFRM": _y(row["form"]),
                "EXDOSFRQ": _y(row["frequency"]),
                "EXROUTE": _y(row["route"]),
                "EXADJ": row["adjustment"],
                "EPOCH": "TREATMENT",
                "VISIT": f"CYCLE {cycle} DAY 1" if cycle else None,
                "VISITNUM": str(100 + int(cycle)) if cycle else None,
                "EXSTDTC": row["start_date"],
                "EXENDTC": row["end_date"] or row["start_date"],
            },
        )
    ]


def _procedure(row: dict[str, str | None], ctx: Context) -> list[Record]:
    return [
        (
            "PR",
            {
                "USUBJID": row["subject_id"],
                "PRTRT": _y(row["procedure"]),
                "PRCAT": _y(row["category"]) or "LOCAL THERAPY",
                "PRDOSE": row["dose"],
                "PRDOSU": row["dose_unit"],
                "PRLOC": _y(row["location"]),
                "PRLAT": _y(row["laterality"]),
                "PRLNKID": row["lesion_id"],
                "EPOCH": "TREATMENT",
                "PRSTDTC": row["date"],
                "PRENDTC": row["end_date"] or row["date"],
            },
        )
    ]


def _tumour_assessment(row: dict[str, str | None], ctx: Context) -> list[Record]:
    role = _y(row["role"]) or "TARGET"
    node = _y(row["is_node"]) in {"Y", "YES", "TRUE", "1"}
    location = "LYMPH NODE" if node else _y(row["location"])
    detail = _y(row["location_detail"]) or (
        _y(row["location"]) if node and _y(row["location"]) != "LYMPH NODE" else None
    )
    evaluator = _y(row["assessor"]) or "INVESTIGATOR"
    common = {
        "USUBJID": row["subject_id"],
        "VISIT": _y(row["visit"]),
    }
    lesion: Record = (
        "TU",
        {
            **common,
            "TULNKID": row["lesion_id"],
            "TUTESTCD": "TUMIDENT",
            "TUTEST": "Tumor Identification",
            "TUORRES": role,
            "TUSTRESC": role,
            "TULOC": location,
            "TULOCDTL": detail,
            "TULAT": _y(row["laterality"]),
            "TUMETHOD": _y(row["method"]) or "CT SCAN",
            "TUEVAL": evaluator,
            "TUEVALID": row["assessor_id"],
            "TUACPTFL": "Y",
            "TUDTC": row["date"],
        },
    )
    result: dict[str, object] = {
        **common,
        "TRGRPID": role,
        "TRLNKID": row["lesion_id"],
        "TRMETHOD": _y(row["method"]) or "CT SCAN",
        "TREVAL": evaluator,
        "TREVALID": row["assessor_id"],
        "TRACPTFL": "Y",
        "TRDTC": row["date"],
    }
    if row["diameter_mm"] is not None:
        code, test = ("LPERP", "Longest Perpendicular") if node else ("LDIAM", "Longest Diameter")
        result.update(
            TRTESTCD=code,
            TRTEST=test,
            TRORRES=row["diameter_mm"],
            TRORRESU="mm",
            TRSTRESC=row["diameter_mm"],
            TRSTRESN=row["diameter_mm"],
            TRSTRESU="mm",
        )
    elif row["not_done_reason"]:
        code, test = ("LPERP", "Longest Perpendicular") if node else ("LDIAM", "Longest Diameter")
        if role != "TARGET":
            code, test = "TUMSTATE", "Tumor State"
        result.update(
            TRTESTCD=code, TRTEST=test, TRSTAT="NOT DONE", TRREASND=row["not_done_reason"]
        )
    else:
        state = _y(row["status"])
        if state is None:
            raise ValueProblem(
                "give diameter_mm (target lesions), status (non-target and new lesions) or "
                "not_done_reason",
                field="diameter_mm",
            )
        result.update(TRTESTCD="TUMSTATE", TRTEST="Tumor State", TRORRES=state, TRSTRESC=state)
    return [lesion, ("TR", result)]


def _response(row: dict[str, str | None], ctx: Context) -> list[Record]:
    out: list[Record] = []
    for name, code, test in (
        ("target", "TRGRESP", "Target Response"),
        ("non_target", "NTRGRESP", "Non-target Response"),
        ("overall", "OVRLRESP", "Overall Response"),
    ):
        value = _y(row[name])
        if value:
            out.append(
                (
                    "RS",
                    {
                        "USUBJID": row["subject_id"],
                        "RSTESTCD": code,
                        "RSTEST": test,
                        "RSCAT": row["criteria"] or "RECIST 1.1",
                        "RSORRES": value,
                        "RSSTRESC": value,
                        "RSEVAL": _y(row["assessor"]) or "INVESTIGATOR",
                        "RSEVALID": row["assessor_id"],
                        "RSACPTFL": "Y",
                        "VISIT": _y(row["visit"]),
                        "RSDTC": row["date"],
                    },
                )
            )
    return out


def _adverse_event(row: dict[str, str | None], ctx: Context) -> list[Record]:
    term = row["ctcae_term"] or ""
    record: dict[str, object] = {
        "USUBJID": row["subject_id"],
        "AETERM": row["verbatim_term"] or term,
        "AEDECOD": term,
        "AETOXGR": row["grade"],
        "AESER": _y(row["serious"]),
        "AEREL": _y(row["related"]),
        "AEACN": _y(row["action_taken"]),
        "AEACNOTH": _y(row["other_action"]),
        "AEOUT": _y(row["outcome"]),
        "AESTDTC": row["start_date"],
        "AEENDTC": row["end_date"],
    }
    if ctx.ctcae is not None and term in ctx.ctcae:
        entry = ctx.ctcae.lookup(term)
        record.update(
            AEDECOD=entry.term,
            AELLT=entry.term,
            AELLTCD=entry.meddra_code or None,
            AEBODSYS=entry.soc or None,
        )
    for part in re.split(r"[;\n]", row["relatedness"] or ""):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueProblem(
                f"write relatedness as 'Intervention=RELATED; Other=NOT RELATED' (got {part!r})",
                field="relatedness",
            )
        name, value = (p.strip() for p in part.split("=", 1))
        names = [n.lower() for n in ctx.interventions]
        if name.lower() not in names:
            raise ValueProblem(
                f"no intervention {name!r} in the protocol (interventions: "
                f"{', '.join(ctx.interventions) or 'none known'})",
                field="relatedness",
            )
        record[f"AEREL{names.index(name.lower()) + 1}"] = value.upper()
    return [("AE", record)]


def _lab(row: dict[str, str | None], ctx: Context) -> list[Record]:
    value = row["value"]
    number = None
    if value is not None:
        try:
            number = float(value)
        except ValueError:
            number = None
    indicator = None
    if number is not None and row["low"] and row["high"]:
        indicator = (
            "LOW"
            if number < float(row["low"])
            else "HIGH"
            if number > float(row["high"])
            else "NORMAL"
        )
    return [
        (
            "LB",
            {
                "USUBJID": row["subject_id"],
                "LBTESTCD": _y(row["test_code"]),
                "LBTEST": row["test"],
                "LBCAT": _y(row["category"]),
                "LBLOINC": row["loinc"],
                "LBORRES": value,
                "LBORRESU": row["unit"],
                "LBORNRLO": row["low"],
                "LBORNRHI": row["high"],
                "LBSTRESC": value,
                "LBSTRESN": format_number(number) if number is not None else None,
                "LBSTRESU": row["unit"],
                "LBSTNRLO": row["low"],
                "LBSTNRHI": row["high"],
                "LBNRIND": indicator,
                "LBBLFL": _y(row["baseline"]) if _y(row["baseline"]) == "Y" else None,
                "VISIT": _y(row["visit"]),
                "LBDTC": row["date"],
            },
        )
    ]


def _therapy(row: dict[str, str | None], ctx: Context) -> list[Record]:
    return [
        (
            "CM",
            {
                "USUBJID": row["subject_id"],
                "CMTRT": _y(row["therapy"]),
                "CMCAT": _y(row["category"]),
                "CMINDC": _y(row["indication"]),
                "CMSTDTC": row["start_date"],
                "CMENDTC": row["end_date"],
            },
        )
    ]


def _death(row: dict[str, str | None], ctx: Context) -> list[Record]:
    return [
        (
            "DS",
            {
                "USUBJID": row["subject_id"],
                "DSTERM": _y(row["cause"]) or "UNKNOWN",
                "DSDECOD": "DEATH",
                "DSCAT": "DISPOSITION EVENT",
                "DSSCAT": "END OF STUDY",
                "EPOCH": "FOLLOW-UP",
                "DSSTDTC": row["date"],
            },
        ),
        ("DM", {"USUBJID": row["subject_id"], "DTHDTC": row["date"], "DTHFL": "Y"}),
    ]


_EVENTS = {
    "END OF TREATMENT": ("DISPOSITION EVENT", "END OF TREATMENT"),
    "END OF STUDY": ("DISPOSITION EVENT", "END OF STUDY"),
    "LAST KNOWN ALIVE": ("OTHER EVENT", "SURVIVAL FOLLOW-UP"),
}


def _disposition(row: dict[str, str | None], ctx: Context) -> list[Record]:
    event = _y(row["event"]) or ""
    category, subcategory = _EVENTS[event]
    reason = "ALIVE" if event == "LAST KNOWN ALIVE" else (_y(row["reason"]) or "")
    if not reason:
        raise ValueProblem(f"a reason is required for {event.lower()}", field="reason")
    return [
        (
            "DS",
            {
                "USUBJID": row["subject_id"],
                "DSTERM": row["verbatim"] or reason,
                "DSDECOD": reason,
                "DSCAT": category,
                "DSSCAT": subcategory,
                "DSSTDTC": row["date"],
            },
        )
    ]


def _qol(row: dict[str, str | None], ctx: Context) -> list[Record]:
    return [
        (
            "QS",
            {
                "USUBJID": row["subject_id"],
                "QSTESTCD": _y(row["scale_code"]),
                "QSTEST": row["scale"],
                "QSCAT": _y(row["questionnaire"]),
                "QSORRES": row["score"],
                "QSSTRESC": row["score"],
                "QSSTRESN": row["score"],
                "QSBLFL": "Y" if _y(row["baseline"]) == "Y" else None,
                "VISIT": _y(row["visit"]),
                "QSDTC": row["date"],
            },
        )
    ]


STATUS = ("POSITIVE", "NEGATIVE", "NOT TESTED")

TEMPLATES: dict[str, Template] = {
    t.entity: t
    for t in (
        Template(
            "subject",
            "Subjects at screening: demographics and baseline characteristics",
            ("DM", "DS", "VS", "QS", "SC", "MI", "GF"),
            (
                Field(
                    "screening_number",
                    "Screening number given at consent (SUBJID).",
                    True,
                    example="01-0001",
                ),
                Field(
                    "subject_id", "Unique subject id (USUBJID); default STUDYID-screening_number."
                ),
                Field("site_id", "Site id (SITEID).", True, example="01"),
                Field("sex", "Sex.", True, "choice", ("M", "F", "U")),
                Field("birth_year", "Year of birth.", kind="integer", example="1961"),
                Field("age", "Age in years at consent.", True, "integer", example="62"),
                Field("consent_date", "Date of informed consent.", True, "date"),
                Field("country", "Country, ISO 3166-1 alpha-3.", example="CHN"),
                Field("race", "Race (CDISC CT).", example="ASIAN"),
                Field("ethnicity", "Ethnicity (CDISC CT).", example="NOT HISPANIC OR LATINO"),
                Field("height_cm", "Height in cm.", kind="number"),
                Field("weight_kg", "Weight in kg.", kind="number"),
                Field(
                    "ecog",
                    "ECOG performance status at baseline.",
                    kind="choice",
                    choices=("0", "1", "2", "3", "4"),
                ),
                Field("stage", "AJCC 8th edition stage group.", example="IVA"),
                Field("histology", "Histologic type.", example="ADENOCARCINOMA"),
                Field("primary_site", "Primary tumour site.", example="LUNG"),
                Field("pdl1_tps", "PD-L1 tumour proportion score, % (0-100).", kind="number"),
                Field("pdl1_assay", "PD-L1 assay.", example="22C3 PHARMDX"),
                *(
                    Field(gene.lower(), f"{gene} status.", kind="choice", choices=STATUS)
                    for gene in ("EGFR", "ALK", "ROS1", "KRAS", "BRAF", "NRAS")
                ),
                Field(
                    "msi",
                    "Microsatellite status.",
                    kind="choice",
                    choices=("MSS", "MSI-H", "NOT TESTED"),
                ),
            ),
            _subject,
        ),
        Template(
            "eligibility",
            "Eligibility: one row per criterion assessed (or per criterion not met)",
            ("IE",),
            (
                SUBJECT,
                Field("criterion_id", "Criterion code, IN01… / EX01….", True, example="IN03"),
                Field(
                    "category",
                    "INCLUSION or EXCLUSION.",
                    True,
                    "choice",
                    ("INCLUSION", "EXCLUSION"),
                ),
                Field("criterion", "Criterion text.", True),
                Field(
                    "result",
                    "Criterion met: Y, N or UNKNOWN.",
                    True,
                    "choice",
                    ("Y", "N", "UNKNOWN"),
                ),
                DATE,
            ),
            _eligibility,
        ),
        Template(
            "randomization",
            "Enrollment or randomization: arm, stratum, date (one per subject)",
            ("DS", "DM"),
            (
                SUBJECT,
                DATE,
                Field("arm", "Arm label or code as in the protocol.", True),
                Field("stratum", "Randomization stratum."),
                Field(
                    "kind",
                    "RANDOMIZED (default for randomized trials) or ENROLLED.",
                    kind="choice",
                    choices=("RANDOMIZED", "ENROLLED"),
                ),
            ),
            _randomization,
            updates_dm=("ARMCD", "ARM"),
        ),
        Template(
            "exposure",
            "Treatment exposure: one row per administration",
            ("EX",),
            (
                SUBJECT,
                Field("agent", "Drug name.", True, example="SERPLULIMAB"),
                Field("dose", "Dose.", kind="number", example="300"),
                Field("unit", "Dose unit.", example="mg"),
                Field("route", "Route (CDISC CT).", example="INTRAVENOUS"),
                Field("form", "Dose form.", example="INJECTION"),
                Field("frequency", "Dosing frequency.", example="Q3W"),
                Field("start_date", "Date given (start).", True, "date"),
                Field("end_date", "End date (oral cycles).", kind="date"),
                Field("cycle", "Cycle number.", kind="integer"),
                Field(
                    "adjustment",
                    "Reason for a delay or dose change.",
                    example="DOSE DELAYED: ADVERSE EVENT",
                ),
            ),
            _exposure,
        ),
        Template(
            "procedure",
            "Procedures: cryoablation, radiofrequency ablation, radiotherapy",
            ("PR",),
            (
                SUBJECT,
                Field("procedure", "Procedure name.", True, example="CT-GUIDED CRYOABLATION"),
                DATE,
                Field("end_date", "End date (radiotherapy).", kind="date"),
                Field("location", "Treated site.", example="LUNG"),
                Field(
                    "laterality",
                    "LEFT or RIGHT.",
                    kind="choice",
                    choices=("LEFT", "RIGHT", "BILATERAL"),
                ),
                Field("lesion_id", "Treated lesion (TULNKID), if recorded."),
                Field("dose", "Radiotherapy dose.", kind="number"),
                Field("dose_unit", "Dose unit.", example="Gy"),
                Field("category", "Category (default LOCAL THERAPY)."),
            ),
            _procedure,
        ),
        Template(
            "tumour_assessment",
            "Tumour assessments: one row per lesion per scan (lesions identified when first seen)",
            ("TU", "TR"),
            (
                SUBJECT,
                DATE,
                VISIT,
                Field("assessor", "INVESTIGATOR (default) or INDEPENDENT ASSESSOR."),
                Field("assessor_id", "Reader id, e.g. RADIOLOGIST 1."),
                Field(
                    "lesion_id", "Lesion id: T01-T05 targets, NT01… non-targets, NEW01… new.", True
                ),
                Field(
                    "role",
                    "TARGET, NON-TARGET or NEW.",
                    True,
                    "choice",
                    ("TARGET", "NON-TARGET", "NEW"),
                ),
                Field("location", "Organ (CDISC location term).", example="LUNG"),
                Field("location_detail", "Detail, e.g. node station.", example="MEDIASTINAL"),
                Field(
                    "laterality",
                    "LEFT or RIGHT.",
                    kind="choice",
                    choices=("LEFT", "RIGHT", "BILATERAL"),
                ),
                Field(
                    "is_node",
                    "Y for a lymph node (recorded as TULOC LYMPH NODE).",
                    kind="choice",
                    choices=("Y", "N"),
                ),
                Field(
                    "diameter_mm",
                    "Longest diameter, or short axis for a node, in mm.",
                    kind="number",
                ),
                Field(
                    "status",
                    "Non-target/new lesion state.",
                    kind="choice",
                    choices=("PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION", "EQUIVOCAL"),
                ),
                Field("not_done_reason", "Why the lesion was not assessed."),
                Field("method", "Imaging method (default CT SCAN).", example="CT SCAN"),
            ),
            _tumour_assessment,
        ),
        Template(
            "response",
            "Investigator timepoint responses",
            ("RS",),
            (
                SUBJECT,
                DATE,
                VISIT,
                Field("criteria", "RECIST 1.1 (default), iRECIST or mRECIST."),
                Field("assessor", "INVESTIGATOR (default) or INDEPENDENT ASSESSOR."),
                Field("assessor_id", "Reader id."),
                Field(
                    "target",
                    "Target response.",
                    kind="choice",
                    choices=("CR", "PR", "SD", "PD", "NE"),
                ),
                Field(
                    "non_target",
                    "Non-target response.",
                    kind="choice",
                    choices=("CR", "NON-CR/NON-PD", "PD", "NE"),
                ),
                Field(
                    "overall",
                    "Overall response.",
                    True,
                    "choice",
                    ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"),
                ),
            ),
            _response,
        ),
        Template(
            "adverse_event",
            "Adverse events by CTCAE v5.0 term and grade",
            ("AE",),
            (
                SUBJECT,
                Field("ctcae_term", "CTCAE v5.0 term.", True, example="Pneumonitis"),
                Field("verbatim_term", "Term as reported (default: the CTCAE term)."),
                Field("grade", "CTCAE grade 1-5.", True, "choice", ("1", "2", "3", "4", "5")),
                Field("start_date", "Onset date.", True, "date"),
                Field("end_date", "Resolution date.", kind="date"),
                Field("serious", "Serious: Y or N.", kind="choice", choices=("Y", "N")),
                Field(
                    "related",
                    "Related to study treatment.",
                    kind="choice",
                    choices=("RELATED", "NOT RELATED"),
                ),
                Field(
                    "relatedness",
                    "Per intervention: 'Serplulimab=RELATED; CT-guided Cryoablation=NOT RELATED'.",
                ),
                Field(
                    "action_taken",
                    "Action with study drug.",
                    kind="choice",
                    choices=(
                        "DOSE NOT CHANGED",
                        "DRUG INTERRUPTED",
                        "DRUG WITHDRAWN",
                        "DOSE REDUCED",
                        "NOT APPLICABLE",
                    ),
                ),
                Field("other_action", "Other action, e.g. TREATMENT WITH STEROIDS."),
                Field(
                    "outcome",
                    "Outcome.",
                    kind="choice",
                    choices=(
                        "RECOVERED/RESOLVED",
                        "RECOVERING/RESOLVING",
                        "NOT RECOVERED/NOT RESOLVED",
                        "RECOVERED/RESOLVED WITH SEQUELAE",
                        "FATAL",
                        "UNKNOWN",
                    ),
                ),
            ),
            _adverse_event,
        ),
        Template(
            "lab",
            "Laboratory results",
            ("LB",),
            (
                SUBJECT,
                DATE,
                VISIT,
                Field("test_code", "Test code.", True, example="ALT"),
                Field("test", "Test name.", True, example="Alanine Aminotransferase"),
                Field("category", "CHEMISTRY, HEMATOLOGY, ENDOCRINE…"),
                Field("loinc", "LOINC code.", example="1742-6"),
                Field("value", "Result.", True),
                Field("unit", "Unit.", example="U/L"),
                Field("low", "Reference range low.", kind="number"),
                Field("high", "Reference range high.", kind="number"),
                Field("baseline", "Y on the baseline result.", kind="choice", choices=("Y", "N")),
            ),
            _lab,
        ),
        Template(
            "therapy",
            "Prior, concomitant and subsequent anticancer therapy",
            ("CM",),
            (
                SUBJECT,
                Field("therapy", "Drug or regimen.", True, example="DOCETAXEL"),
                Field(
                    "category",
                    "Category.",
                    True,
                    "choice",
                    (
                        "PRIOR ANTICANCER THERAPY",
                        "SUBSEQUENT ANTICANCER THERAPY",
                        "CONCOMITANT MEDICATION",
                    ),
                ),
                Field("indication", "Indication."),
                Field("start_date", "Start date.", True, "date"),
                Field("end_date", "End date.", kind="date"),
            ),
            _therapy,
        ),
        Template(
            "death",
            "Deaths: date and cause",
            ("DS", "DM"),
            (SUBJECT, DATE, Field("cause", "Cause of death.", True, example="PROGRESSIVE DISEASE")),
            _death,
            updates_dm=("DTHDTC", "DTHFL"),
        ),
        Template(
            "disposition",
            "Disposition: end of treatment, end of study, last known alive",
            ("DS",),
            (
                SUBJECT,
                Field("event", "The event.", True, "choice", tuple(_EVENTS)),
                Field(
                    "reason",
                    "DSDECOD: COMPLETED, PROGRESSIVE DISEASE, ADVERSE EVENT, WITHDRAWAL BY "
                    "SUBJECT, LOST TO FOLLOW-UP, PHYSICIAN DECISION…",
                ),
                DATE,
                Field("verbatim", "Reason as reported."),
            ),
            _disposition,
        ),
        Template(
            "qol",
            "Quality-of-life scale scores",
            ("QS",),
            (
                SUBJECT,
                DATE,
                VISIT,
                Field("questionnaire", "Questionnaire.", True, example="EORTC QLQ-C30"),
                Field("scale_code", "Scale code.", True, example="QLQGHS"),
                Field("scale", "Scale name.", True, example="Global Health Status/QoL Scale Score"),
                Field("score", "Score.", True, "number"),
                Field("baseline", "Y on the baseline score.", kind="choice", choices=("Y", "N")),
            ),
            _qol,
        ),
    )
}


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
                {"STUDYID": context.studyid, "DOMAIN": domain, **record}
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
