"""Template rows to SDTM records: one function per template, each built on the entity catalogue.

Each function takes one row of a filled template (text values, ``None`` when empty) and the trial
context, and returns ``(domain, variables)`` records; a row the catalogue cannot accept raises a
``ValueProblem`` naming the field. The SDTM codes, categories and units come from
``oncotrial.catalogue`` (docs/catalogue.md); nothing is written here that the catalogue does not
declare.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from oncotrial.catalogue import baseline, labs, subject, treatment, tumour
from oncotrial.catalogue.common import (
    EPOCH_TREATMENT,
    NOT_DONE,
    SCREENING,
    VISITNUM_SCREENING,
    YES,
    cycle_visit,
)
from oncotrial.catalogue.registry import check_record
from oncotrial.catalogue.safety import relatedness_variable
from oncotrial.catalogue.staging import edition_category, stage_groups
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import ValueProblem
from oncotrial.formats.sdtm_spec import format_number

__all__ = ["CONVERSIONS", "Context", "Record", "Row"]

Row = dict[str, str | None]
Record = tuple[str, dict[str, object]]  # (domain, SDTM variables)
_TRUE = {"Y", "YES", "TRUE", "1"}


@dataclass(frozen=True)
class Context:
    """What a conversion needs from the trial: its STUDYID, arms and interventions."""

    studyid: str
    arms: Mapping[str, str] = field(default_factory=dict)  # label -> code
    interventions: Sequence[str] = ()
    randomized: bool = True
    ctcae: CtcaeDictionary | None = None


def _y(value: str | None) -> str | None:
    return None if value is None else value.strip().upper()


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def subject_rows(row: Row, ctx: Context) -> list[Record]:
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
                "AGEU": subject.AGE_UNIT if row["age"] else None,
                "RACE": _y(row["race"]),
                "ETHNIC": _y(row["ethnicity"]),
                "COUNTRY": _y(row["country"]),
                "RFICDTC": consent,
                "DMDTC": consent,
            },
        ),
        ("DS", {"USUBJID": usubjid, **subject.consent_record(), "DSSTDTC": consent}),
    ]
    common = {"USUBJID": usubjid, "VISIT": SCREENING, "VISITNUM": str(VISITNUM_SCREENING)}
    for test, name in ((baseline.HEIGHT_TEST, "height_cm"), (baseline.WEIGHT_TEST, "weight_kg")):
        if row[name]:
            value = row[name]
            records.append(
                ("VS", {**common, **test.codes(), **test.result(value, value), "VSBLFL": YES,
                        "VSDTC": consent})
            )  # fmt: skip
    if row["ecog"]:
        test = baseline.ECOG_TEST
        records.append(
            ("QS", {**common, **test.codes(), **test.result(row["ecog"], row["ecog"]),
                    "QSBLFL": YES, "QSDTC": consent})
        )  # fmt: skip
    edition = int(row.get("stage_edition") or 8)
    stage = _y(row["stage"])
    if stage and stage not in stage_groups(edition, parents=True):
        raise ValueProblem(
            f"{stage} is not a stage group of AJCC edition {edition} "
            f"({', '.join(stage_groups(edition))})",
            field="stage",
        )
    for test, name in (
        (baseline.STAGE_TEST, "stage"),
        (baseline.HISTOLOGY_TEST, "histology"),
        (baseline.PRIMARY_SITE_TEST, "primary_site"),
    ):
        if row[name]:
            category = edition_category(edition) if test is baseline.STAGE_TEST else None
            value = _y(row[name])
            records.append(
                ("SC", {**common, **test.codes(), "SCCAT": category, **test.result(value),
                        "SCDTC": consent})
            )  # fmt: skip
    if row["pdl1_tps"]:
        test = baseline.PDL1_TEST
        tps = row["pdl1_tps"]
        records.append(
            ("MI", {**common, **test.codes(), **test.result(tps, tps), "MIMETHOD": test.method,
                    "MISPEC": test.specimen, "SPDEVID": _y(row["pdl1_assay"]), "MIDTC": consent})
        )  # fmt: skip
    for test in baseline.GENE_TESTS:
        status = _y(row[test.testcd.lower()])
        if status == baseline.NOT_TESTED:
            records.append(("GF", {**common, **test.codes(), "GFSTAT": NOT_DONE, "GFDTC": consent}))
        elif status:
            records.append(
                ("GF", {**common, **test.codes(), **test.result(status), "GFDTC": consent})
            )
    return records


def eligibility_rows(row: Row, ctx: Context) -> list[Record]:
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
                "VISIT": SCREENING,
                "IEDTC": row["date"],
            },
        )
    ]


def randomization_rows(row: Row, ctx: Context) -> list[Record]:
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
    kind = _y(row["kind"]) or (subject.RANDOMIZED if ctx.randomized else subject.ENROLLED)
    record = {"USUBJID": row["subject_id"], **subject.allocation_record(kind, row["stratum"])}
    stratum = record.pop("STRATUM")
    return [
        ("DS", {**record, "DSSTDTC": row["date"], "STRATUM": stratum}),
        ("DM", {"USUBJID": row["subject_id"], "ARMCD": code, "ARM": label}),
    ]


def exposure_rows(row: Row, ctx: Context) -> list[Record]:
    cycle = row["cycle"]
    visit, visitnum = cycle_visit(int(cycle)) if cycle else (None, None)
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
                "EPOCH": EPOCH_TREATMENT,
                "VISIT": visit,
                "VISITNUM": None if visitnum is None else str(visitnum),
                "EXSTDTC": row["start_date"],
                "EXENDTC": row["end_date"] or row["start_date"],
            },
        )
    ]


def procedure_rows(row: Row, ctx: Context) -> list[Record]:
    return [
        (
            "PR",
            {
                "USUBJID": row["subject_id"],
                "PRTRT": _y(row["procedure"]),
                "PRCAT": _y(row["category"]) or treatment.LOCAL_THERAPY,
                "PRDOSE": row["dose"],
                "PRDOSU": row["dose_unit"],
                "PRLOC": _y(row["location"]),
                "PRLAT": _y(row["laterality"]),
                "PRLNKID": row["lesion_id"],
                "EPOCH": EPOCH_TREATMENT,
                "PRSTDTC": row["date"],
                "PRENDTC": row["end_date"] or row["date"],
            },
        )
    ]


def tumour_assessment_rows(row: Row, ctx: Context) -> list[Record]:
    role = _y(row["role"]) or tumour.LesionRole.TARGET
    node = _y(row["is_node"]) in _TRUE
    location = tumour.LYMPH_NODE if node else _y(row["location"])
    detail = _y(row["location_detail"]) or (
        _y(row["location"]) if node and _y(row["location"]) != tumour.LYMPH_NODE else None
    )
    evaluator = _y(row["assessor"]) or tumour.EVALUATORS.codes[0]
    method = _y(row["method"]) or tumour.IMAGING_METHODS.codes[0]
    common = {"USUBJID": row["subject_id"], "VISIT": _y(row["visit"])}
    lesion: Record = (
        "TU",
        {
            **common,
            **tumour.lesion_record(
                row["lesion_id"] or "",
                role,
                location,
                detail=detail,
                laterality=_y(row["laterality"]),
                method=method,
                evaluator=evaluator,
                evaluator_id=row["assessor_id"],
            ),
            "TUDTC": row["date"],
        },
    )
    result: dict[str, object] = {
        **common,
        "TRGRPID": role,
        "TRLNKID": row["lesion_id"],
        "TRMETHOD": method,
        "TREVAL": evaluator,
        "TREVALID": row["assessor_id"],
        "TRACPTFL": tumour.ACCEPTED,
        "TRDTC": row["date"],
    }
    if row["diameter_mm"] is not None:
        result.update(tumour.diameter_record(node, row["diameter_mm"], row["diameter_mm"]))
    elif row["not_done_reason"]:
        test = tumour.diameter_test(node) if role == tumour.LesionRole.TARGET else None
        result.update(tumour.not_done_record(test or tumour.TUMOUR_STATE, row["not_done_reason"]))
    else:
        state = _y(row["status"])
        if state is None:
            raise ValueProblem(
                "give diameter_mm (target lesions), status (non-target and new lesions) or "
                "not_done_reason",
                field="diameter_mm",
            )
        result.update(tumour.state_record(state))
    return [lesion, ("TR", result)]


def response_rows(row: Row, ctx: Context) -> list[Record]:
    out: list[Record] = []
    for name, test in (
        ("target", tumour.TARGET_RESPONSE),
        ("non_target", tumour.NON_TARGET_RESPONSE),
        ("overall", tumour.OVERALL_RESPONSE),
    ):
        value = _y(row[name])
        if value:
            out.append(
                (
                    "RS",
                    {
                        "USUBJID": row["subject_id"],
                        **tumour.response_record(
                            test, value, row["criteria"] or tumour.CRITERIA.codes[0]
                        ),
                        "RSEVAL": _y(row["assessor"]) or tumour.EVALUATORS.codes[0],
                        "RSEVALID": row["assessor_id"],
                        "RSACPTFL": tumour.ACCEPTED,
                        "VISIT": _y(row["visit"]),
                        "RSDTC": row["date"],
                    },
                )
            )
    return out


def adverse_event_rows(row: Row, ctx: Context) -> list[Record]:
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
        record[relatedness_variable(names.index(name.lower()) + 1)] = value.upper()
    return [("AE", record)]


def _declared(domain: str, record: dict[str, object], field: str) -> dict[str, object]:
    """``record`` when the catalogue accepts it: a test it declares (ALT, QLQGHS, …) carries
    the declared name, category, LOINC code and standard unit (docs/catalogue.md)."""
    problems = check_record(domain, record)
    known = [p for p in problems if "is not a declared" not in p]
    if known:
        raise ValueProblem("; ".join(known) + " (docs/catalogue.md)", field=field)
    return record


def lab_rows(row: Row, ctx: Context) -> list[Record]:
    """An LB record as the row gives it (other systems' tests included); a test the catalogue
    declares must carry its name, category, LOINC code and standard unit."""
    value = row["value"]
    number = _number(value)
    low, high = row["low"], row["high"]
    indicator = None
    if number is not None and low and high:
        indicator = labs.reference_indicator(number, float(low), float(high))
    unit = row["unit"]
    record: dict[str, object] = {
        "USUBJID": row["subject_id"],
        "LBTESTCD": _y(row["test_code"]),
        "LBTEST": row["test"],
        "LBCAT": _y(row["category"]),
        "LBLOINC": row["loinc"],
        "LBORRES": value,
        "LBORRESU": unit,
        "LBORNRLO": low,
        "LBORNRHI": high,
        "LBSTRESC": value,
        "LBSTRESN": format_number(number) if number is not None else None,
        "LBSTRESU": unit,
        "LBSTNRLO": low,
        "LBSTNRHI": high,
        "LBNRIND": indicator,
        "LBBLFL": YES if _y(row["baseline"]) == YES else None,
        "VISIT": _y(row["visit"]),
        "LBDTC": row["date"],
    }
    return [("LB", _declared("LB", record, "test_code"))]


def therapy_rows(row: Row, ctx: Context) -> list[Record]:
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


def death_rows(row: Row, ctx: Context) -> list[Record]:
    cause = _y(row["cause"]) or "UNKNOWN"
    return [
        ("DS", {"USUBJID": row["subject_id"], **subject.death_record(cause),
                "DSSTDTC": row["date"]}),
        ("DM", {"USUBJID": row["subject_id"], "DTHDTC": row["date"], "DTHFL": YES}),
    ]  # fmt: skip


#: The template's event words → the catalogue's disposition events.
EVENTS: Mapping[str, str] = {
    subject.END_OF_TREATMENT: subject.END_OF_TREATMENT,
    subject.END_OF_STUDY: subject.END_OF_STUDY,
    "LAST KNOWN ALIVE": subject.ALIVE,
}


def disposition_rows(row: Row, ctx: Context) -> list[Record]:
    event = EVENTS[_y(row["event"]) or ""]
    reason = subject.ALIVE if event == subject.ALIVE else (_y(row["reason"]) or "")
    if not reason:
        raise ValueProblem(f"a reason is required for {event.lower()}", field="reason")
    record = subject.disposition_record(event, reason, row["verbatim"])
    return [("DS", {"USUBJID": row["subject_id"], **record, "DSSTDTC": row["date"]})]


def qol_rows(row: Row, ctx: Context) -> list[Record]:
    """A QS score as the row gives it (other questionnaires included); a scale the catalogue
    declares must carry its name and questionnaire."""
    record: dict[str, object] = {
        "USUBJID": row["subject_id"],
        "QSTESTCD": _y(row["scale_code"]),
        "QSTEST": row["scale"],
        "QSCAT": _y(row["questionnaire"]),
        "QSORRES": row["score"],
        "QSSTRESC": row["score"],
        "QSSTRESN": row["score"],
        "QSBLFL": YES if _y(row["baseline"]) == YES else None,
        "VISIT": _y(row["visit"]),
        "QSDTC": row["date"],
    }
    return [("QS", _declared("QS", record, "scale_code"))]


CONVERSIONS = {
    "subject": subject_rows,
    "eligibility": eligibility_rows,
    "randomization": randomization_rows,
    "exposure": exposure_rows,
    "procedure": procedure_rows,
    "tumour_assessment": tumour_assessment_rows,
    "response": response_rows,
    "adverse_event": adverse_event_rows,
    "lab": lab_rows,
    "therapy": therapy_rows,
    "death": death_rows,
    "disposition": disposition_rows,
    "qol": qol_rows,
}
