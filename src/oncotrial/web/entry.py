"""The data entry forms, declared as data: fields, the record they write, and their edit checks.

One ``EntitySpec`` per kind of record a trial team enters (docs/sdtm.md says where each goes):
ECOG and quality of life (QS), height and weight (VS), stage, histology and primary site (SC),
driver mutations (GF), PD-L1 (MI), labs (LB), study drug (EX), local therapy (PR), adverse events
(AE, CTCAE v5.0), other medications and prior/subsequent therapy (CM), end of treatment / end of
study / alive contacts (DS) and death (DS + DM). Tumour assessments have their own form
(``oncotrial.web.assessments``); their lesions and measurements are corrected here.

Edit checks are of two kinds: an *error* refuses the entry (an impossible value: a date in the
future, a grade CTCAE does not define for the term, an end before a start), a *warning* asks the
person to confirm (an unusual value: a dose 10 % off the protocol's, a stage outside the
protocol's population). Each check states its rule in its message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Model, QuerySet

from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.enrollment import compute_visit_schedule
from oncotrial.errors import OncotrialError
from oncotrial.formats.ctcae import load_ctcae
from oncotrial.protocol.model import Protocol
from oncotrial.protocol.vocabulary import InterventionType
from oncotrial.store import models as db

__all__ = [
    "ENTITIES",
    "EntitySpec",
    "EntryContext",
    "FieldSpec",
    "Issue",
    "lower_first",
    "parse_date",
    "visit_number",
]

Choices = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | textarea | date | number | integer | choice | term | grade
    required: bool = False
    choices: Choices = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    help: str = ""
    refresh: bool = False  # changing it re-draws the form (dependent choices)
    wide: bool = False
    suggestions: tuple[str, ...] = ()  # offered, not enforced (a datalist)


@dataclass(frozen=True)
class Issue:
    field: str | None
    message: str
    warning: bool = False


@dataclass
class EntryContext:
    """What edit checks need to know about the trial, the subject and today."""

    trial: db.Trial
    protocol: Protocol
    subject: db.Subject
    today: dt.date
    ctcae_loader: Callable[[], CtcaeDictionary] = load_ctcae
    _dates: dict[str, dt.date | None] = field(default_factory=dict)

    @cached_property
    def consent(self) -> dt.date | None:
        return parse_date(self.subject.rficdtc)

    @cached_property
    def allocated(self) -> dt.date | None:
        record = db.Disposition.objects.filter(
            subject=self.subject, decod__in=list(db.Disposition.ALLOCATION_TERMS)
        ).first()
        return parse_date(record.stdtc) if record else None

    @cached_property
    def death(self) -> dt.date | None:
        record = db.Disposition.objects.filter(subject=self.subject, decod="DEATH").first()
        return parse_date(record.stdtc) if record else parse_date(self.subject.dthdtc)

    @cached_property
    def first_dose(self) -> dt.date | None:
        dates = [
            parse_date(d)
            for d in db.Exposure.objects.filter(subject=self.subject).values_list(
                "stdtc", flat=True
            )
        ]
        known = [d for d in dates if d]
        return min(known) if known else None

    @cached_property
    def ctcae(self) -> CtcaeDictionary:
        return self.ctcae_loader()

    def visit_choices(self) -> Choices:
        names: list[str] = ["SCREENING"]
        reference = self.allocated or self.consent or self.today
        schedule = compute_visit_schedule(
            self.protocol, reference=reference, first_dose=self.first_dose, horizon_days=730
        )
        names += [v.visit for v in schedule.visits if v.visit != "SCREENING"]
        names += ["END OF TREATMENT", "SURVIVAL FOLLOW-UP", "UNSCHEDULED"]
        seen: dict[str, None] = {}
        for name in names:
            seen.setdefault(name, None)
        return tuple((n, n.title().replace("Of", "of")) for n in seen)

    def interventions(self, *kinds: InterventionType) -> Choices:
        return tuple(
            (i.name.upper(), i.name)
            for i in self.protocol.interventions
            if not kinds or i.type in kinds
        )


def lower_first(title: str) -> str:
    """'Adverse event' → 'adverse event'; 'ECOG performance status' stays as it is."""
    first = title.split()[0]
    return title if first.isupper() else title[0].lower() + title[1:]


def parse_date(text: Any) -> dt.date | None:
    """The date of an ISO 8601 --DTC text (complete dates only; partial dates give None)."""
    if isinstance(text, dt.date):
        return text
    if not text or len(str(text)) < 10:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def visit_number(visit: str | None, protocol: Protocol) -> float | None:
    """VISITNUM of a visit name (docs/sdtm.md): SCREENING 1, CYCLE c 100 + c, WEEK w 200 + k."""
    if not visit:
        return None
    name = visit.upper()
    if name == "SCREENING":
        return 1
    if name.startswith("CYCLE "):
        parts = name.split()
        if len(parts) > 1 and parts[1].isdigit():
            return 100 + int(parts[1])
    if name.startswith(("WEEK ", "DAY ")) and protocol.analysis.imaging_interval_days:
        parts = name.split()
        if len(parts) > 1 and parts[1].isdigit():
            days = int(parts[1]) * 7 if name.startswith("WEEK") else int(parts[1]) - 1
            k, remainder = divmod(days, protocol.analysis.imaging_interval_days)
            if remainder == 0 and k > 0:
                return 200 + k
    if name.startswith("PROCEDURE: "):
        for n, intervention in enumerate(protocol.interventions, start=1):
            if name == f"PROCEDURE: {intervention.name.upper()}":
                return 50 + n
    return {"END OF TREATMENT": 900, "SURVIVAL FOLLOW-UP": 1000}.get(name)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else (value or None)


def _num_text(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def _date_checks(
    values: Mapping[str, Any],
    ctx: EntryContext,
    *,
    start: str,
    end: str | None = None,
    after_consent: bool = True,
    before_death: bool = True,
) -> list[Issue]:
    issues: list[Issue] = []
    for name in (start, end):
        if name is None:
            continue
        when = values.get(name)
        if not isinstance(when, dt.date):
            continue
        if when > ctx.today:
            issues.append(
                Issue(name, f"{when.isoformat()} is in the future (today is {ctx.today}).")
            )
        if after_consent and ctx.consent and when < ctx.consent:
            issues.append(
                Issue(
                    name,
                    f"{when.isoformat()} is before informed consent ({ctx.consent}); data of a "
                    "study subject are collected after consent (ICH E6 §4.8.8).",
                )
            )
        if before_death and ctx.death and when > ctx.death:
            issues.append(Issue(name, f"{when.isoformat()} is after the death ({ctx.death})."))
    first, last = values.get(start), values.get(end) if end else None
    if isinstance(first, dt.date) and isinstance(last, dt.date) and last < first:
        issues.append(Issue(end, f"the end ({last}) is before the start ({first})."))
    return issues


def _range_check(value: Any, name: str, low: float, high: float, what: str) -> list[Issue]:
    if isinstance(value, int | float) and not low <= value <= high:
        return [
            Issue(name, f"{value:g} is outside the plausible range of {what} ({low:g}–{high:g}).")
        ]
    return []


# --- the entities ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntitySpec:
    key: str
    title: str
    plural: str
    model: type[Model]
    section: str  # baseline | treatment | safety | labs | follow-up | tumour
    fields: Callable[[EntryContext, Mapping[str, Any]], tuple[FieldSpec, ...]]
    to_record: Callable[[Mapping[str, Any], EntryContext], dict[str, Any]]
    from_record: Callable[[Any], dict[str, Any]]
    checks: Callable[[Mapping[str, Any], EntryContext], list[Issue]]
    queryset: Callable[[db.Subject], QuerySet[Any]]
    columns: tuple[str, ...]
    row: Callable[[Any], tuple[str, ...]]
    creatable: bool = True
    single: bool = False
    help: str = ""
    # DM fields kept in agreement with the record (death: DTHDTC, DTHFL; docs/sdtm.md).
    subject_updates: Callable[[Any], dict[str, Any]] | None = None


def _findings(subject: db.Subject, domain: str, **filters: Any) -> QuerySet[Any]:
    return db.Finding.objects.filter(subject=subject, domain=domain, **filters).order_by(
        "dtc", "seq"
    )


def _visit_field(ctx: EntryContext, required: bool = True) -> FieldSpec:
    return FieldSpec("visit", "Visit", "choice", required=required, choices=ctx.visit_choices())


def _finding_values(values: Mapping[str, Any], ctx: EntryContext, **fixed: Any) -> dict[str, Any]:
    visit = values.get("visit") or None
    out = {
        "visit": visit,
        "visitnum": visit_number(visit, ctx.protocol),
        "dtc": _iso(values.get("dtc")),
        "blfl": "Y" if visit == "SCREENING" else None,
    }
    out.update(fixed)
    return out


# ECOG (QS ECOG101) — docs/sdtm.md, QS.
ECOG_GRADES: Choices = (
    ("0", "0 — Fully active"),
    ("1", "1 — Restricted in strenuous activity, ambulatory"),
    ("2", "2 — Ambulatory, capable of self-care, unable to work"),
    ("3", "3 — Limited self-care, in bed or chair > 50% of waking hours"),
    ("4", "4 — Completely disabled"),
    ("5", "5 — Dead"),
)


def _ecog_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        _visit_field(ctx),
        FieldSpec("dtc", "Date assessed", "date", required=True),
        FieldSpec(
            "score",
            "ECOG performance status",
            "choice",
            required=True,
            choices=ECOG_GRADES,
            help="Oken MM et al., Am J Clin Oncol 1982;5:649–655.",
        ),
    )


def _ecog_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    score = int(values["score"])
    return _finding_values(
        values,
        ctx,
        domain="QS",
        testcd="ECOG101",
        test="ECOG1-Performance Status",
        cat="ECOG",
        orres=str(score),
        stresc=str(score),
        stresn=float(score),
    )


def _ecog_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, start="dtc", after_consent=False)
    if values.get("score") == "5" and not ctx.death:
        issues.append(
            Issue("score", "ECOG 5 means the subject died; record the death as well.", True)
        )
    return issues


ECOG = EntitySpec(
    key="ecog",
    title="ECOG performance status",
    plural="ECOG performance status",
    model=db.Finding,
    section="baseline",
    fields=_ecog_fields,
    to_record=_ecog_to,
    from_record=lambda r: {"visit": r.visit, "dtc": parse_date(r.dtc), "score": r.stresc},
    checks=_ecog_checks,
    queryset=lambda s: _findings(s, "QS", testcd="ECOG101"),
    columns=("Visit", "Date", "ECOG"),
    row=lambda r: (r.visit or "", r.dtc or "", r.stresc or ""),
)


# Quality of life (QS QLQGHS, EORTC QLQ-C30 global health status 0–100).
def _qol_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        _visit_field(ctx),
        FieldSpec("dtc", "Date", "date", required=True),
        FieldSpec(
            "score",
            "Global health status / QoL scale score",
            "number",
            required=True,
            minimum=0,
            maximum=100,
            help="EORTC QLQ-C30 items 29–30, linearly transformed to 0–100.",
        ),
    )


def _qol_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    score = float(values["score"])
    return _finding_values(
        values,
        ctx,
        domain="QS",
        testcd="QLQGHS",
        test="Global Health Status/QoL Scale Score",
        cat="EORTC QLQ-C30",
        orres=_num_text(score),
        stresc=_num_text(score),
        stresn=score,
    )


QOL = EntitySpec(
    key="qol",
    title="Quality of life score",
    plural="Quality of life",
    model=db.Finding,
    section="follow-up",
    fields=_qol_fields,
    to_record=_qol_to,
    from_record=lambda r: {"visit": r.visit, "dtc": parse_date(r.dtc), "score": r.stresn},
    checks=lambda v, ctx: _date_checks(v, ctx, start="dtc"),
    queryset=lambda s: _findings(s, "QS", testcd="QLQGHS"),
    columns=("Visit", "Date", "Score"),
    row=lambda r: (r.visit or "", r.dtc or "", r.stresc or ""),
)


# Height and weight (VS).
VITALS: dict[str, tuple[str, str, float, float]] = {
    "HEIGHT": ("Height", "cm", 100, 230),
    "WEIGHT": ("Weight", "kg", 25, 250),
}


def _vital_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = current.get("test") or "HEIGHT"
    name, unit, _, _ = VITALS.get(test, VITALS["HEIGHT"])
    return (
        FieldSpec(
            "test",
            "Measurement",
            "choice",
            required=True,
            choices=tuple((k, v[0]) for k, v in VITALS.items()),
            refresh=True,
        ),
        _visit_field(ctx),
        FieldSpec("dtc", "Date", "date", required=True),
        FieldSpec("value", name, "number", required=True, unit=unit, minimum=0),
    )


def _vital_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    test = values["test"]
    name, unit, _, _ = VITALS[test]
    value = float(values["value"])
    return _finding_values(
        values,
        ctx,
        domain="VS",
        testcd=test,
        test=name,
        orres=_num_text(value),
        orresu=unit,
        stresc=_num_text(value),
        stresn=value,
        stresu=unit,
    )


def _vital_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, start="dtc", after_consent=False)
    test = values.get("test")
    if test in VITALS:
        name, unit, low, high = VITALS[test]
        issues += _range_check(values.get("value"), "value", low, high, f"{name.lower()} in {unit}")
    return issues


VITAL = EntitySpec(
    key="vital",
    title="Height or weight",
    plural="Height and weight",
    model=db.Finding,
    section="baseline",
    fields=_vital_fields,
    to_record=_vital_to,
    from_record=lambda r: {
        "test": r.testcd,
        "visit": r.visit,
        "dtc": parse_date(r.dtc),
        "value": r.stresn,
    },
    checks=_vital_checks,
    queryset=lambda s: _findings(s, "VS"),
    columns=("Measurement", "Visit", "Date", "Value"),
    row=lambda r: (r.test or r.testcd or "", r.visit or "", r.dtc or "", f"{r.stresc} {r.stresu}"),
)


# Disease at study entry (SC): stage, histology, primary site.
STAGES = ("IA1", "IA2", "IA3", "IB", "IIA", "IIB", "IIIA", "IIIB", "IIIC", "IVA", "IVB")
DISEASE: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "STAGE": ("Disease Stage", STAGES, "AJCC 8TH EDITION"),
    "HISTTYP": (
        "Histologic Type",
        (
            "ADENOCARCINOMA",
            "SQUAMOUS CELL CARCINOMA",
            "LARGE CELL CARCINOMA",
            "ADENOSQUAMOUS CARCINOMA",
            "NSCLC NOT OTHERWISE SPECIFIED",
            "HEPATOCELLULAR CARCINOMA",
            "OTHER",
        ),
        None,
    ),
    "PRIMSITE": ("Primary Tumor Site", ("LUNG", "COLON", "RECTUM", "LIVER", "OTHER"), None),
}


def _disease_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = current.get("test") or "STAGE"
    name, values, _ = DISEASE.get(test, DISEASE["STAGE"])
    return (
        FieldSpec(
            "test",
            "Characteristic",
            "choice",
            required=True,
            choices=tuple((k, v[0]) for k, v in DISEASE.items()),
            refresh=True,
        ),
        FieldSpec("value", name, "choice", required=True, choices=tuple((v, v) for v in values)),
        FieldSpec("dtc", "Date of diagnosis or staging", "date", required=True),
    )


def _disease_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    test = values["test"]
    name, _, cat = DISEASE[test]
    return {
        "domain": "SC",
        "testcd": test,
        "test": name,
        "cat": cat,
        "orres": values["value"],
        "stresc": values["value"],
        "visit": "SCREENING",
        "visitnum": 1,
        "dtc": _iso(values.get("dtc")),
    }


DISEASE_SPEC = EntitySpec(
    key="disease",
    title="Disease characteristic",
    plural="Disease at study entry",
    model=db.Finding,
    section="baseline",
    fields=_disease_fields,
    to_record=_disease_to,
    from_record=lambda r: {"test": r.testcd, "value": r.stresc, "dtc": parse_date(r.dtc)},
    checks=lambda v, ctx: _date_checks(v, ctx, start="dtc", after_consent=False),
    queryset=lambda s: _findings(s, "SC"),
    columns=("Characteristic", "Value", "Date"),
    row=lambda r: (r.test or r.testcd or "", r.stresc or "", r.dtc or ""),
)


# Driver mutations (GF).
GENES = ("EGFR", "ALK", "ROS1", "KRAS", "BRAF", "NRAS", "MSI")


def _gene_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    gene = current.get("gene") or "EGFR"
    statuses = ("MSS", "MSI-H") if gene == "MSI" else ("NEGATIVE", "POSITIVE")
    return (
        FieldSpec(
            "gene",
            "Gene",
            "choice",
            required=True,
            choices=tuple((g, g) for g in GENES),
            refresh=True,
        ),
        FieldSpec(
            "status", "Result", "choice", required=True, choices=tuple((s, s) for s in statuses)
        ),
        FieldSpec("dtc", "Date of test", "date", required=True),
    )


def _gene_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    gene = values["gene"]
    return {
        "domain": "GF",
        "testcd": gene,
        "test": "Microsatellite Instability" if gene == "MSI" else f"{gene} Mutation Status",
        "orres": values["status"],
        "stresc": values["status"],
        "method": "NEXT GENERATION SEQUENCING",
        "visit": "SCREENING",
        "visitnum": 1,
        "dtc": _iso(values.get("dtc")),
    }


GENE = EntitySpec(
    key="mutation",
    title="Driver mutation test",
    plural="Driver mutations",
    model=db.Finding,
    section="baseline",
    fields=_gene_fields,
    to_record=_gene_to,
    from_record=lambda r: {"gene": r.testcd, "status": r.stresc, "dtc": parse_date(r.dtc)},
    checks=lambda v, ctx: _date_checks(v, ctx, start="dtc", after_consent=False),
    queryset=lambda s: _findings(s, "GF"),
    columns=("Gene", "Result", "Date"),
    row=lambda r: (r.testcd or "", r.stresc or "", r.dtc or ""),
)


# PD-L1 tumour proportion score (MI), the assay in SPDEVID.
ASSAYS = ("22C3 PHARMDX", "SP263", "28-8 PHARMDX", "SP142", "JS311", "OTHER")


def _pdl1_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("value", "PD-L1 tumour proportion score", "number", True, unit="%", minimum=0),
        FieldSpec("assay", "Assay", "choice", required=True, choices=tuple((a, a) for a in ASSAYS)),
        FieldSpec("dtc", "Date of test", "date", required=True),
    )


def _pdl1_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    value = float(values["value"])
    return {
        "domain": "MI",
        "testcd": "PDL1TPS",
        "test": "PD-L1 Tumor Proportion Score",
        "orres": _num_text(value),
        "orresu": "%",
        "stresc": _num_text(value),
        "stresn": value,
        "stresu": "%",
        "method": "IMMUNOHISTOCHEMISTRY",
        "spec": "TUMOR TISSUE",
        "spdevid": values["assay"],
        "visit": "SCREENING",
        "visitnum": 1,
        "dtc": _iso(values.get("dtc")),
    }


PDL1 = EntitySpec(
    key="pdl1",
    title="PD-L1 result",
    plural="PD-L1",
    model=db.Finding,
    section="baseline",
    fields=_pdl1_fields,
    to_record=_pdl1_to,
    from_record=lambda r: {"value": r.stresn, "assay": r.spdevid, "dtc": parse_date(r.dtc)},
    checks=lambda v, ctx: (
        _date_checks(v, ctx, start="dtc", after_consent=False)
        + _range_check(v.get("value"), "value", 0, 100, "a proportion in %")
    ),
    queryset=lambda s: _findings(s, "MI", testcd="PDL1TPS"),
    columns=("TPS", "Assay", "Date"),
    row=lambda r: (f"{r.stresc} %", r.spdevid or "", r.dtc or ""),
)


# Laboratory tests (LB): docs/sdtm.md lists the tests, LOINC codes and standard units.
LAB_TESTS: dict[str, tuple[str, str, str, str, float]] = {
    # code: (name, LOINC, unit, category, plausible maximum)
    "ALT": ("Alanine Aminotransferase", "1742-6", "U/L", "CHEMISTRY", 10000),
    "AST": ("Aspartate Aminotransferase", "1920-8", "U/L", "CHEMISTRY", 10000),
    "BILI": ("Bilirubin", "1975-2", "umol/L", "CHEMISTRY", 1000),
    "CREAT": ("Creatinine", "2160-0", "umol/L", "CHEMISTRY", 3000),
    "HGB": ("Hemoglobin", "718-7", "g/L", "HEMATOLOGY", 250),
    "WBC": ("Leukocytes", "6690-2", "10^9/L", "HEMATOLOGY", 500),
    "NEUT": ("Neutrophils", "751-8", "10^9/L", "HEMATOLOGY", 300),
    "PLAT": ("Platelets", "777-3", "10^9/L", "HEMATOLOGY", 3000),
    "TSH": ("Thyrotropin", "3016-3", "mIU/L", "CHEMISTRY", 500),
}


def _lab_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    code = current.get("test") or "ALT"
    _, _, unit, _, _ = LAB_TESTS.get(code, LAB_TESTS["ALT"])
    return (
        FieldSpec(
            "test",
            "Test",
            "choice",
            required=True,
            choices=tuple((k, f"{v[0]} ({k}, LOINC {v[1]})") for k, v in LAB_TESTS.items()),
            refresh=True,
        ),
        _visit_field(ctx),
        FieldSpec("dtc", "Date of sample", "date", required=True),
        FieldSpec("value", "Result", "number", required=True, unit=unit, minimum=0),
        FieldSpec("low", "Lower limit of normal", "number", unit=unit, minimum=0),
        FieldSpec("high", "Upper limit of normal", "number", unit=unit, minimum=0),
    )


def _lab_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    code = values["test"]
    name, loinc, unit, cat, _ = LAB_TESTS[code]
    value = float(values["value"])
    low, high = values.get("low"), values.get("high")
    indicator = None
    if low is not None and value < low:
        indicator = "LOW"
    elif high is not None and value > high:
        indicator = "HIGH"
    elif low is not None or high is not None:
        indicator = "NORMAL"
    visit = values.get("visit") or None
    return {
        "testcd": code,
        "test": name,
        "cat": cat,
        "loinc": loinc,
        "orres": _num_text(value),
        "orresu": unit,
        "ornrlo": _num_text(low),
        "ornrhi": _num_text(high),
        "stresc": _num_text(value),
        "stresn": value,
        "stresu": unit,
        "stnrlo": low,
        "stnrhi": high,
        "nrind": indicator,
        "spec": "SERUM" if cat == "CHEMISTRY" else "BLOOD",
        "blfl": "Y" if visit == "SCREENING" else None,
        "visit": visit,
        "visitnum": visit_number(visit, ctx.protocol),
        "dtc": _iso(values.get("dtc")),
    }


def _lab_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, start="dtc", after_consent=False)
    code = values.get("test")
    if code in LAB_TESTS:
        name, _, unit, _, top = LAB_TESTS[code]
        issues += _range_check(values.get("value"), "value", 0, top, f"{name} in {unit}")
    low, high = values.get("low"), values.get("high")
    if isinstance(low, float) and isinstance(high, float) and low >= high:
        issues.append(Issue("high", "the upper limit of normal must be above the lower limit."))
    return issues


LAB = EntitySpec(
    key="lab",
    title="Laboratory result",
    plural="Laboratory results",
    model=db.LabResult,
    section="labs",
    fields=_lab_fields,
    to_record=_lab_to,
    from_record=lambda r: {
        "test": r.testcd,
        "visit": r.visit,
        "dtc": parse_date(r.dtc),
        "value": r.stresn,
        "low": r.stnrlo,
        "high": r.stnrhi,
    },
    checks=_lab_checks,
    queryset=lambda s: db.LabResult.objects.filter(subject=s).order_by("dtc", "seq"),
    columns=("Test", "Visit", "Date", "Result", "Range", "Flag"),
    row=lambda r: (
        r.testcd or "",
        r.visit or "",
        r.dtc or "",
        f"{r.stresc} {r.stresu or ''}".strip(),
        f"{r.ornrlo or ''}–{r.ornrhi or ''}" if (r.ornrlo or r.ornrhi) else "",
        r.nrind or "",
    ),
)


# Study drug administrations (EX).
ROUTES = ("INTRAVENOUS", "ORAL", "SUBCUTANEOUS", "INTRAMUSCULAR")
DOSE_ADJUSTMENTS = (
    ("", "Given as planned"),
    ("DOSE DELAYED: ADVERSE EVENT", "Delayed: adverse event"),
    ("DOSE DELAYED: SCHEDULING", "Delayed: scheduling"),
    ("DOSE REDUCED: ADVERSE EVENT", "Reduced: adverse event"),
)
SYSTEMIC = (
    InterventionType.DRUG,
    InterventionType.BIOLOGICAL,
    InterventionType.COMBINATION_PRODUCT,
    InterventionType.GENETIC,
    InterventionType.DIETARY_SUPPLEMENT,
    InterventionType.OTHER,
)
LOCAL = (InterventionType.PROCEDURE, InterventionType.RADIATION, InterventionType.DEVICE)


def _protocol_dose(ctx: EntryContext, treatment: str | None) -> tuple[float | None, str | None]:
    for intervention in ctx.protocol.interventions:
        if treatment and intervention.name.upper() == treatment.upper():
            return intervention.dosing.dose, intervention.dosing.unit
    return None, None


def _exposure_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    choices = ctx.interventions(*SYSTEMIC) or ctx.interventions()
    dose, unit = _protocol_dose(ctx, current.get("trt") or (choices[0][0] if choices else None))
    return (
        FieldSpec("trt", "Study drug", "choice", required=True, choices=choices, refresh=True),
        FieldSpec(
            "visit",
            "Cycle",
            "choice",
            required=True,
            choices=tuple(c for c in ctx.visit_choices() if c[0].startswith("CYCLE"))
            or ctx.visit_choices(),
        ),
        FieldSpec("stdtc", "Date given (start)", "date", required=True),
        FieldSpec("endtc", "End date", "date", help="Oral drugs: last day of the cycle's dosing."),
        FieldSpec(
            "dose",
            "Dose",
            "number",
            required=True,
            minimum=0,
            help=f"Protocol dose: {dose:g} {unit or ''}" if dose is not None else "",
        ),
        FieldSpec(
            "dosu",
            "Unit",
            "choice",
            required=True,
            choices=tuple((u, u) for u in ("mg", "mg/kg", "mg/m2", "g", "µg")),
        ),
        FieldSpec("route", "Route", "choice", choices=tuple((r, r.title()) for r in ROUTES)),
        FieldSpec("adj", "Dose adjustment", "choice", choices=DOSE_ADJUSTMENTS),
    )


def _exposure_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    visit = values.get("visit")
    start = _iso(values.get("stdtc"))
    return {
        "trt": values["trt"],
        "cat": "STUDY TREATMENT",
        "dose": values.get("dose"),
        "dosu": values.get("dosu") or None,
        "route": values.get("route") or None,
        "adj": values.get("adj") or None,
        "epoch": "TREATMENT",
        "visit": visit,
        "visitnum": visit_number(visit, ctx.protocol),
        "stdtc": start,
        "endtc": _iso(values.get("endtc")) or start,
    }


def _exposure_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, start="stdtc", end="endtc")
    start = values.get("stdtc")
    if isinstance(start, dt.date) and ctx.allocated and start < ctx.allocated:
        issues.append(
            Issue(
                "stdtc",
                f"study drug on {start} is before enrollment ({ctx.allocated}).",
            )
        )
    dose, unit = _protocol_dose(ctx, values.get("trt"))
    given = values.get("dose")
    if dose and isinstance(given, float):
        if unit and values.get("dosu") and values["dosu"] != unit:
            issues.append(
                Issue("dosu", f"the protocol doses in {unit}, not {values['dosu']}.", True)
            )
        elif abs(given - dose) / dose > 0.10 and not values.get("adj"):
            issues.append(
                Issue(
                    "dose",
                    f"{given:g} differs from the protocol dose {dose:g} {unit or ''} by more than "
                    "10% and no dose adjustment is recorded.",
                    True,
                )
            )
    return issues


EXPOSURE = EntitySpec(
    key="exposure",
    title="Study drug administration",
    plural="Study drug",
    model=db.Exposure,
    section="treatment",
    fields=_exposure_fields,
    to_record=_exposure_to,
    from_record=lambda r: {
        "trt": r.trt,
        "visit": r.visit,
        "stdtc": parse_date(r.stdtc),
        "endtc": parse_date(r.endtc) if r.endtc != r.stdtc else None,
        "dose": r.dose,
        "dosu": r.dosu,
        "route": r.route,
        "adj": r.adj or "",
    },
    checks=_exposure_checks,
    queryset=lambda s: db.Exposure.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Drug", "Cycle", "Date", "Dose", "Adjustment"),
    row=lambda r: (
        r.trt or "",
        r.visit or "",
        r.stdtc or "",
        f"{r.dose:g} {r.dosu or ''}".strip() if r.dose is not None else "",
        r.adj or "",
    ),
)


# Local therapy (PR).
LOCATIONS = (
    "LUNG",
    "LIVER",
    "LYMPH NODE",
    "ADRENAL GLAND",
    "BONE",
    "BRAIN",
    "PLEURA",
    "PERITONEUM",
    "KIDNEY",
    "SPLEEN",
)
LATERALITY: Choices = (("", "—"), ("LEFT", "Left"), ("RIGHT", "Right"), ("BILATERAL", "Bilateral"))


def _procedure_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    choices = ctx.interventions(*LOCAL) or ctx.interventions()
    return (
        FieldSpec("trt", "Procedure", "choice", required=True, choices=choices),
        FieldSpec("stdtc", "Date", "date", required=True),
        FieldSpec("endtc", "End date", "date", help="Radiotherapy: last fraction."),
        FieldSpec(
            "location",
            "Treated site",
            "text",
            required=True,
            suggestions=LOCATIONS,
            help="Organ, as CDISC anatomical location terms.",
        ),
        FieldSpec("laterality", "Laterality", "choice", choices=LATERALITY),
        FieldSpec("dose", "Radiation dose", "number", minimum=0, unit="Gy"),
    )


def _procedure_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    start = _iso(values.get("stdtc"))
    return {
        "trt": values["trt"],
        "cat": "LOCAL THERAPY",
        "dose": values.get("dose"),
        "dosu": "Gy" if values.get("dose") is not None else None,
        "location": (values.get("location") or "").strip().upper() or None,
        "laterality": values.get("laterality") or None,
        "epoch": "TREATMENT",
        "stdtc": start,
        "endtc": _iso(values.get("endtc")) or start,
    }


def _location_warning(value: Any, name: str) -> list[Issue]:
    text = (value or "").strip().upper()
    if text and text not in LOCATIONS:
        return [
            Issue(
                name,
                f"{text!r} is not one of the usual anatomical location terms "
                f"({', '.join(LOCATIONS)}).",
                True,
            )
        ]
    return []


PROCEDURE = EntitySpec(
    key="procedure",
    title="Local therapy",
    plural="Local therapy",
    model=db.Procedure,
    section="treatment",
    fields=_procedure_fields,
    to_record=_procedure_to,
    from_record=lambda r: {
        "trt": r.trt,
        "stdtc": parse_date(r.stdtc),
        "endtc": parse_date(r.endtc) if r.endtc != r.stdtc else None,
        "location": r.location,
        "laterality": r.laterality or "",
        "dose": r.dose,
    },
    checks=lambda v, ctx: (
        _date_checks(v, ctx, start="stdtc", end="endtc")
        + _location_warning(v.get("location"), "location")
        + _range_check(v.get("dose"), "dose", 0, 150, "a radiation dose in Gy")
    ),
    queryset=lambda s: db.Procedure.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Procedure", "Date", "Site", "Dose"),
    row=lambda r: (
        r.trt or "",
        r.stdtc or "",
        " ".join(x for x in (r.laterality, r.location) if x),
        f"{r.dose:g} Gy" if r.dose is not None else "",
    ),
)


# Adverse events (AE, CTCAE v5.0).
ACTIONS: Choices = (
    ("DOSE NOT CHANGED", "Dose not changed"),
    ("DRUG INTERRUPTED", "Drug interrupted"),
    ("DOSE REDUCED", "Dose reduced"),
    ("DRUG WITHDRAWN", "Drug withdrawn"),
    ("NOT APPLICABLE", "Not applicable"),
)
OUTCOMES: Choices = (
    ("RECOVERED/RESOLVED", "Recovered / resolved"),
    ("RECOVERING/RESOLVING", "Recovering / resolving"),
    ("NOT RECOVERED/NOT RESOLVED", "Not recovered / not resolved"),
    ("RECOVERED/RESOLVED WITH SEQUELAE", "Recovered with sequelae"),
    ("FATAL", "Fatal"),
)
RELATED: Choices = (("", "—"), ("RELATED", "Related"), ("NOT RELATED", "Not related"))
YES_NO: Choices = (("N", "No"), ("Y", "Yes"))


def _ae_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    fields = [
        FieldSpec(
            "term",
            "CTCAE v5.0 term",
            "term",
            required=True,
            wide=True,
            help="Type a few letters; choose the CTCAE term. Its grades are shown below.",
        ),
        FieldSpec(
            "grade",
            "Grade",
            "grade",
            required=True,
            choices=tuple((str(g), str(g)) for g in range(1, 6)),
            wide=True,
        ),
        FieldSpec("stdtc", "Start date", "date", required=True),
        FieldSpec("endtc", "End date", "date", help="Empty while ongoing."),
        FieldSpec("serious", "Serious", "choice", required=True, choices=YES_NO),
        FieldSpec(
            "rel", "Related to study treatment", "choice", required=True, choices=RELATED[1:]
        ),
    ]
    for n, intervention in enumerate(ctx.protocol.interventions, start=1):
        fields.append(
            FieldSpec(f"rel{n}", f"Related to {intervention.name}", "choice", choices=RELATED)
        )
    fields += [
        FieldSpec("acn", "Action with study drug", "choice", required=True, choices=ACTIONS),
        FieldSpec(
            "acnoth", "Other action", "text", help="E.g. TREATMENT WITH STEROIDS.", wide=False
        ),
        FieldSpec("outcome", "Outcome", "choice", required=True, choices=OUTCOMES),
    ]
    return tuple(fields)


def _ae_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    entry = ctx.ctcae.lookup(values["term"])
    extra = {
        f"AEREL{n}": values.get(f"rel{n}") or None
        for n in range(1, len(ctx.protocol.interventions) + 1)
    }
    start = values.get("stdtc")
    epoch = (
        "TREATMENT"
        if ctx.first_dose and isinstance(start, dt.date) and start >= ctx.first_dose
        else "SCREENING"
    )
    meddra = int(entry.meddra_code) if entry.meddra_code.isdigit() else None
    return {
        "term": values["term"].strip(),
        "llt": entry.term,
        "lltcd": meddra,
        "decod": entry.term,
        "bodsys": entry.soc,
        "grade": int(values["grade"]),
        "serious": values["serious"],
        "rel": values.get("rel") or None,
        "acn": values.get("acn") or None,
        "acnoth": (values.get("acnoth") or "").strip().upper() or None,
        "outcome": values.get("outcome") or None,
        "epoch": epoch,
        "stdtc": _iso(start),
        "endtc": _iso(values.get("endtc")),
        "extra": {k: v for k, v in extra.items() if v} or None,
    }


def _ae_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, start="stdtc", end="endtc")
    term, grade = values.get("term"), values.get("grade")
    if term:
        try:
            entry = ctx.ctcae.lookup(term)
        except OncotrialError as exc:
            issues.append(Issue("term", str(exc)))
        else:
            if grade and entry.grade_definition(int(grade)) is None:
                defined = ", ".join(map(str, entry.defined_grades))
                issues.append(
                    Issue(
                        "grade",
                        f"CTCAE v5.0 does not define grade {grade} for {entry.term} (defined: "
                        f"{defined}).",
                    )
                )
    if grade == "5" and values.get("outcome") and values["outcome"] != "FATAL":
        issues.append(
            Issue("outcome", "a grade 5 event is fatal (CTCAE v5.0: 'Death related to AE').")
        )
    if values.get("outcome") == "FATAL" and grade and grade != "5":
        issues.append(Issue("grade", "a fatal event is grade 5 (CTCAE v5.0)."))
    if grade == "5" and values.get("serious") != "Y":
        issues.append(Issue("serious", "a fatal event is serious (ICH E2A)."))
    if values.get("outcome") == "RECOVERED/RESOLVED" and not values.get("endtc"):
        issues.append(Issue("endtc", "a resolved event has an end date.", True))
    return issues


AE = EntitySpec(
    key="ae",
    title="Adverse event",
    plural="Adverse events",
    model=db.AdverseEvent,
    section="safety",
    fields=_ae_fields,
    to_record=_ae_to,
    from_record=lambda r: {
        "term": r.decod or r.term,
        "grade": str(r.grade) if r.grade else None,
        "stdtc": parse_date(r.stdtc),
        "endtc": parse_date(r.endtc),
        "serious": r.serious or "N",
        "rel": r.rel or "",
        "acn": r.acn or "",
        "acnoth": r.acnoth or "",
        "outcome": r.outcome or "",
        **{
            f"rel{k[5:]}": v
            for k, v in (r.extra or {}).items()
            if k.startswith("AEREL") and k[5:].isdigit()
        },
    },
    checks=_ae_checks,
    queryset=lambda s: db.AdverseEvent.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Term", "Grade", "Start", "End", "Serious", "Related", "Outcome"),
    row=lambda r: (
        r.decod or r.term or "",
        str(r.grade or ""),
        r.stdtc or "",
        r.endtc or "ongoing",
        r.serious or "",
        r.rel or "",
        r.outcome or "",
    ),
)


# Other medications, prior and subsequent anticancer therapy (CM).
CM_CATEGORIES: Choices = (
    ("PRIOR ANTICANCER THERAPY", "Prior anticancer therapy"),
    ("CONCOMITANT MEDICATION", "Concomitant medication"),
    ("SUBSEQUENT ANTICANCER THERAPY", "Subsequent anticancer therapy"),
)


def _cm_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("cat", "Category", "choice", required=True, choices=CM_CATEGORIES),
        FieldSpec("trt", "Medication or regimen", "text", required=True),
        FieldSpec("indication", "Indication", "text"),
        FieldSpec("stdtc", "Start date", "date", required=True),
        FieldSpec("endtc", "End date", "date"),
    )


def _cm_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    prior = values.get("cat") == "PRIOR ANTICANCER THERAPY"
    issues = _date_checks(values, ctx, start="stdtc", end="endtc", after_consent=not prior)
    start = values.get("stdtc")
    if (
        values.get("cat") == "SUBSEQUENT ANTICANCER THERAPY"
        and isinstance(start, dt.date)
        and ctx.first_dose
        and start < ctx.first_dose
    ):
        issues.append(Issue("stdtc", "subsequent therapy starts after study treatment began."))
    if prior and isinstance(start, dt.date) and ctx.consent and start >= ctx.consent:
        issues.append(Issue("stdtc", "prior therapy starts before informed consent.", True))
    return issues


MEDICATION = EntitySpec(
    key="medication",
    title="Medication or therapy",
    plural="Medications and other therapy",
    model=db.Medication,
    section="treatment",
    fields=_cm_fields,
    to_record=lambda v, ctx: {
        "cat": v["cat"],
        "trt": v["trt"].strip().upper(),
        "indication": (v.get("indication") or "").strip().upper() or None,
        "stdtc": _iso(v.get("stdtc")),
        "endtc": _iso(v.get("endtc")),
    },
    from_record=lambda r: {
        "cat": r.cat,
        "trt": r.trt,
        "indication": r.indication or "",
        "stdtc": parse_date(r.stdtc),
        "endtc": parse_date(r.endtc),
    },
    checks=_cm_checks,
    queryset=lambda s: db.Medication.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Category", "Medication", "Indication", "Start", "End"),
    row=lambda r: (r.cat or "", r.trt or "", r.indication or "", r.stdtc or "", r.endtc or ""),
)


# Disposition events other than death (DS).
DISPOSITION_EVENTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # event: (DSCAT, DSSCAT, DSDECOD choices)
    "END OF TREATMENT": (
        "DISPOSITION EVENT",
        "END OF TREATMENT",
        (
            "COMPLETED",
            "PROGRESSIVE DISEASE",
            "ADVERSE EVENT",
            "WITHDRAWAL BY SUBJECT",
            "LOST TO FOLLOW-UP",
            "PHYSICIAN DECISION",
        ),
    ),
    "END OF STUDY": (
        "DISPOSITION EVENT",
        "END OF STUDY",
        ("COMPLETED", "WITHDRAWAL BY SUBJECT", "LOST TO FOLLOW-UP"),
    ),
    "ALIVE": ("OTHER EVENT", "SURVIVAL FOLLOW-UP", ("ALIVE",)),
}


def _ds_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    event = current.get("event") or "END OF TREATMENT"
    _, _, reasons = DISPOSITION_EVENTS.get(event, DISPOSITION_EVENTS["END OF TREATMENT"])
    return (
        FieldSpec(
            "event",
            "Event",
            "choice",
            required=True,
            choices=(
                ("END OF TREATMENT", "End of treatment"),
                ("END OF STUDY", "End of study (not death)"),
                ("ALIVE", "Contact: alive at follow-up"),
            ),
            refresh=True,
        ),
        FieldSpec(
            "decod",
            "Reason",
            "choice",
            required=True,
            choices=tuple((r, r.capitalize()) for r in reasons),
        ),
        FieldSpec("term", "In the investigator's words", "text"),
        FieldSpec("stdtc", "Date", "date", required=True),
    )


def _ds_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    cat, scat, _ = DISPOSITION_EVENTS[values["event"]]
    term = (values.get("term") or "").strip().upper() or values["decod"]
    if values["event"] == "ALIVE":
        term = "ALIVE AT SURVIVAL FOLLOW-UP CONTACT"
    return {
        "cat": cat,
        "scat": scat,
        "decod": values["decod"],
        "term": term,
        "epoch": "FOLLOW-UP" if values["event"] != "END OF TREATMENT" else "TREATMENT",
        "stdtc": _iso(values.get("stdtc")),
    }


def _ds_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, start="stdtc")
    event = values.get("event")
    if event in DISPOSITION_EVENTS and values.get("decod") not in DISPOSITION_EVENTS[event][2]:
        issues.append(Issue("decod", "choose a reason listed for this event."))
    start = values.get("stdtc")
    if isinstance(start, dt.date) and ctx.allocated and start < ctx.allocated:
        issues.append(Issue("stdtc", f"this is before enrollment ({ctx.allocated})."))
    if event != "ALIVE" and not ctx.allocated:
        issues.append(
            Issue("event", "the subject has not been enrolled; record a screen failure instead.")
        )
    return issues


DISPOSITION = EntitySpec(
    key="disposition",
    title="Disposition event",
    plural="Disposition",
    model=db.Disposition,
    section="follow-up",
    fields=_ds_fields,
    to_record=_ds_to,
    from_record=lambda r: {
        "event": "ALIVE" if r.decod == "ALIVE" else r.scat,
        "decod": r.decod,
        "term": r.term if r.term != r.decod else "",
        "stdtc": parse_date(r.stdtc),
    },
    checks=_ds_checks,
    queryset=lambda s: (
        db.Disposition.objects.filter(
            subject=s, scat__in=["END OF TREATMENT", "END OF STUDY", "SURVIVAL FOLLOW-UP"]
        )
        .exclude(decod="DEATH")
        .order_by("stdtc", "seq")
    ),
    columns=("Event", "Reason", "Date"),
    row=lambda r: (r.scat or "", r.decod or "", r.stdtc or ""),
)


# Death (DS DEATH, with DM DTHDTC/DTHFL kept in agreement).
DEATH_CAUSES: Choices = (
    ("PROGRESSIVE DISEASE", "Progressive disease"),
    ("ADVERSE EVENT", "Adverse event"),
    ("OTHER", "Other"),
)


def _death_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("stdtc", "Date of death", "date", required=True),
        FieldSpec("cause", "Cause", "choice", required=True, choices=DEATH_CAUSES),
        FieldSpec(
            "ae_term",
            "Adverse event (when the cause)",
            "term",
            help="The CTCAE term of the fatal adverse event.",
        ),
    )


def _death_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    cause = values["cause"]
    if cause == "ADVERSE EVENT":
        cause = f"ADVERSE EVENT: {ctx.ctcae.lookup(values['ae_term']).term.upper()}"
    return {
        "cat": "DISPOSITION EVENT",
        "scat": "END OF STUDY",
        "decod": "DEATH",
        "term": cause,
        "epoch": "FOLLOW-UP",
        "stdtc": _iso(values.get("stdtc")),
    }


def _death_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, start="stdtc", before_death=False)
    when = values.get("stdtc")
    if isinstance(when, dt.date) and ctx.allocated and when < ctx.allocated:
        issues.append(Issue("stdtc", f"the death date is before enrollment ({ctx.allocated})."))
    if isinstance(when, dt.date):
        later = _latest_record_date(ctx.subject)
        if later and later > when:
            issues.append(
                Issue("stdtc", f"the subject has a record dated {later}, after this death date.")
            )
    if values.get("cause") == "ADVERSE EVENT":
        if not values.get("ae_term"):
            issues.append(Issue("ae_term", "name the fatal adverse event (CTCAE term)."))
        else:
            try:
                ctx.ctcae.lookup(values["ae_term"])
            except OncotrialError as exc:
                issues.append(Issue("ae_term", str(exc)))
    return issues


def _latest_record_date(subject: db.Subject) -> dt.date | None:
    dates: list[str | None] = []
    dates += db.Exposure.objects.filter(subject=subject).values_list("stdtc", flat=True)
    dates += db.AdverseEvent.objects.filter(subject=subject).values_list("stdtc", flat=True)
    dates += db.TumourAssessment.objects.filter(subject=subject).values_list("dtc", flat=True)
    dates += db.LabResult.objects.filter(subject=subject).values_list("dtc", flat=True)
    parsed = [parse_date(d) for d in dates]
    known = [d for d in parsed if d]
    return max(known) if known else None


DEATH = EntitySpec(
    key="death",
    title="Death",
    plural="Death",
    model=db.Disposition,
    section="follow-up",
    fields=_death_fields,
    to_record=_death_to,
    from_record=lambda r: {
        "stdtc": parse_date(r.stdtc),
        "cause": "ADVERSE EVENT" if (r.term or "").startswith("ADVERSE EVENT") else r.term,
        "ae_term": (r.term or "").partition(": ")[2].capitalize(),
    },
    checks=_death_checks,
    queryset=lambda s: db.Disposition.objects.filter(subject=s, decod="DEATH"),
    columns=("Date", "Cause"),
    row=lambda r: (r.stdtc or "", r.term or ""),
    single=True,
    subject_updates=lambda r: {"dthdtc": r.stdtc, "dthfl": "Y"},
)


# Corrections of tumour assessment records (made by the assessment form).
def _lesion_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("location", "Location", "text", required=True, suggestions=LOCATIONS),
        FieldSpec("location_detail", "Location detail", "text"),
        FieldSpec("laterality", "Laterality", "choice", choices=LATERALITY),
    )


LESION = EntitySpec(
    key="lesion",
    title="Lesion",
    plural="Lesions",
    model=db.Lesion,
    section="tumour",
    fields=_lesion_fields,
    to_record=lambda v, ctx: {
        "location": v["location"].strip().upper(),
        "location_detail": (v.get("location_detail") or "").strip().upper() or None,
        "laterality": v.get("laterality") or None,
    },
    from_record=lambda r: {
        "location": r.location,
        "location_detail": r.location_detail or "",
        "laterality": r.laterality or "",
    },
    checks=lambda v, ctx: _location_warning(v.get("location"), "location"),
    queryset=lambda s: db.Lesion.objects.filter(subject=s).order_by("link_id", "seq"),
    columns=("Lesion", "Role", "Location", "Detail"),
    row=lambda r: (r.link_id or "", r.role or "", r.location or "", r.location_detail or ""),
    creatable=False,
)

NOT_DONE: Choices = (("", "Measured"), ("NOT DONE", "Not done"))


def _measurement_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(
            "value",
            "Result",
            "text",
            help="mm for target lesions; PRESENT / ABSENT / "
            "UNEQUIVOCAL PROGRESSION for non-target lesions.",
        ),
        FieldSpec("stat", "Status", "choice", choices=NOT_DONE),
        FieldSpec("reasnd", "Reason not done", "text"),
    )


def _measurement_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    text = (values.get("value") or "").strip().upper()
    if values.get("stat") == "NOT DONE":
        return {
            "orres": None,
            "stresc": None,
            "stresn": None,
            "stat": "NOT DONE",
            "reasnd": (values.get("reasnd") or "").strip().upper() or None,
        }
    try:
        number = float(text)
    except ValueError:
        return {"orres": text, "stresc": text, "stresn": None, "stat": None, "reasnd": None}
    return {
        "orres": f"{number:g}",
        "stresc": f"{number:g}",
        "stresn": number,
        "stat": None,
        "reasnd": None,
    }


def _measurement_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    text = (values.get("value") or "").strip().upper()
    if values.get("stat") == "NOT DONE":
        return [] if values.get("reasnd") else [Issue("reasnd", "say why it was not done.")]
    if not text:
        return [Issue("value", "enter the result, or mark it not done.")]
    try:
        number = float(text)
    except ValueError:
        allowed = ("PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION", "EQUIVOCAL")
        if text not in allowed:
            return [Issue("value", f"a result is a number in mm or one of {', '.join(allowed)}.")]
        return []
    return _range_check(number, "value", 0, 500, "a lesion diameter in mm")


MEASUREMENT = EntitySpec(
    key="measurement",
    title="Lesion measurement",
    plural="Lesion measurements",
    model=db.Measurement,
    section="tumour",
    fields=_measurement_fields,
    to_record=_measurement_to,
    from_record=lambda r: {
        "value": r.orres or "",
        "stat": r.stat or "",
        "reasnd": r.reasnd or "",
    },
    checks=_measurement_checks,
    queryset=lambda s: db.Measurement.objects.filter(subject=s).order_by("seq"),
    columns=("Lesion", "Test", "Result", "Status"),
    row=lambda r: (r.link_id or "", r.testcd or "", r.orres or "", r.stat or ""),
    creatable=False,
)


# Demographics (DM): set at screening, corrected here with a reason.
def _demographics_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(
            "sex",
            "Sex",
            "choice",
            required=True,
            choices=(("F", "Female"), ("M", "Male"), ("U", "Unknown")),
        ),
        FieldSpec("birth_year", "Year of birth", "integer", minimum=1900, maximum=2100),
        FieldSpec(
            "age", "Age at informed consent", "integer", minimum=0, maximum=120, unit="years"
        ),
    )


def _demographics_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    year, age = values.get("birth_year"), values.get("age")
    return {
        "sex": values["sex"],
        "brthdtc": str(year) if year else None,
        "age": float(age) if age is not None else None,
        "ageu": "YEARS" if age is not None else None,
    }


def _demographics_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    year, age = values.get("birth_year"), values.get("age")
    issues: list[Issue] = []
    if isinstance(year, int) and ctx.consent is not None:
        if year > ctx.consent.year:
            issues.append(Issue("birth_year", "the year of birth is after informed consent."))
        elif isinstance(age, int) and ctx.consent.year - year - age not in (0, 1):
            issues.append(
                Issue(
                    "age",
                    f"an age of {age} at consent ({ctx.consent}) does not fit a birth in {year}.",
                )
            )
    return issues


DEMOGRAPHICS = EntitySpec(
    key="demographics",
    title="Demographics",
    plural="Demographics",
    model=db.Subject,
    section="baseline",
    fields=_demographics_fields,
    to_record=_demographics_to,
    from_record=lambda r: {
        "sex": r.sex or "U",
        "birth_year": int(r.brthdtc[:4]) if r.brthdtc and r.brthdtc[:4].isdigit() else None,
        "age": int(r.age) if r.age is not None else None,
    },
    checks=_demographics_checks,
    queryset=lambda s: db.Subject.objects.filter(pk=s.pk),
    columns=("Sex", "Year of birth", "Age"),
    row=lambda r: (r.sex or "", r.brthdtc or "", f"{r.age:g}" if r.age is not None else ""),
    creatable=False,
)


ENTITIES: dict[str, EntitySpec] = {
    spec.key: spec
    for spec in (
        ECOG,
        VITAL,
        DISEASE_SPEC,
        GENE,
        PDL1,
        LAB,
        EXPOSURE,
        PROCEDURE,
        MEDICATION,
        AE,
        QOL,
        DISPOSITION,
        DEATH,
        LESION,
        MEASUREMENT,
        DEMOGRAPHICS,
    )
}

SECTIONS: Sequence[tuple[str, str]] = (
    ("baseline", "Baseline"),
    ("treatment", "Treatment"),
    ("safety", "Adverse events"),
    ("labs", "Laboratory"),
    ("follow-up", "Follow-up"),
)
