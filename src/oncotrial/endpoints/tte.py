"""Time-to-event endpoints (ADaM ADTTE) from subject data and tumour responses.

Input shapes (pandas data frames; dates as datetime64 or ISO text):

- ``adsl``: one row per subject — ``USUBJID``, the reference date column (``RANDDT`` or
  ``TRTSDT``, as the protocol says), ``DTHDT``, ``LSTALVDT``; optional ``STUDYID``, ``ARM``,
  ``ARMCD``, ``ACTARM``, ``ACTARMCD``, ``AGE``, ``SEX`` (carried to the output).
- ``adrs``: ADaM ADRS as the response engine writes it — ``PARAMCD`` ``OVR`` rows (one per
  assessment: ``ADT``, ``AVALC``, ``ASEQ``), ``PD`` (first progression: ``AVALC`` Y with ``ADT``),
  ``RSP`` (first response: ``AVALC`` Y with ``ADT``), optionally ``LSTA``.
- ``new_therapy`` (optional): ``USUBJID``, ``ADT`` (start of the first new anticancer therapy),
  ``SRCDOM``, ``SRCVAR``, ``SRCSEQ``.

Each output row says which record decided it (``EVNTDESC``/``CNSDTDSC``, ``SRCDOM``/``SRCVAR``/
``SRCSEQ``), as admiral's ``derive_param_tte`` does. ``AVAL`` is ``ADT − STARTDT + 1`` days
(admiral's ``derive_vars_duration(add_one = TRUE)``: the start day is day 1).

Two declared rule sets:

- ``ADMIRALONCO`` — the admiralonco ADTTE template: the earliest event (progression or death), else
  the latest censoring date (last tumour assessment, else the reference date). Matches
  ``adtte_onco.csv`` of the pharmaverse oracle.
- ``FDA_2018`` — FDA Guidance for Industry, *Clinical Trial Endpoints for the Approval of Cancer
  Drugs and Biologics* (2018), Table 4 (PFS censoring): new anticancer therapy before an event →
  censored at the last adequate assessment before it; an event after two or more missed assessments
  → censored at the last adequate assessment; no event → last adequate assessment; no adequate
  post-baseline assessment → reference date, except a death before the second scheduled assessment
  would have been missed, which is an event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from oncotrial.catalogue import subject, treatment
from oncotrial.catalogue.rule import Rule
from oncotrial.errors import Problem, RuleError, SchemaError

__all__ = [
    "ADMIRALONCO_RULES",
    "FDA_2018_RULES",
    "CensoringRules",
    "Param",
    "RuleSet",
    "TteResult",
    "derive_adtte",
    "new_therapy_from_cm",
    "rules_for",
]


class RuleSet(StrEnum):
    ADMIRALONCO = "admiralonco"
    FDA_2018 = "fda2018"


class Param(StrEnum):
    OS = "OS"
    PFS = "PFS"
    TTP = "TTP"
    DOR = "RSD"  # admiralonco's parameter code for duration of response
    LPFS = "LPFS"


PARAM_LABELS = {
    Param.OS: "Overall Survival",
    Param.PFS: "Progression Free Survival",
    Param.TTP: "Time to Progression",
    Param.DOR: "Duration of Response",
    Param.LPFS: "Local Progression Free Survival",
}


@dataclass(frozen=True)
class CensoringRules:
    """A rule set: which rules apply and their parameters."""

    name: RuleSet
    rules: tuple[Rule, ...]
    adequate_only: bool
    censor_new_therapy: bool
    censor_missed_assessments: bool
    missed_assessment_days: int | None = None

    def describe(self) -> str:
        lines = [f"Censoring rules: {self.name.value}"]
        for rule in self.rules:
            lines.append(f"- {rule.id}: {rule.description} [{rule.source}]")
        if self.censor_missed_assessments and self.missed_assessment_days is not None:
            lines.append(
                f"  (two missed assessments = a gap of more than "
                f"{self.missed_assessment_days} days)"
            )
        return "\n".join(lines)


_ADMIRAL = "admiralonco ADTTE template (ad_adtte.R), admiral derive_param_tte"
_FDA = "FDA Guidance: Clinical Trial Endpoints for Cancer Drugs and Biologics (2018), Table 4"

ADMIRALONCO_RULES = CensoringRules(
    name=RuleSet.ADMIRALONCO,
    rules=(
        Rule("event-first", "the earliest event (progression or death) is the event", _ADMIRAL),
        Rule(
            "censor-last",
            "without an event, the latest censoring date: the last tumour assessment, "
            "else the reference date",
            _ADMIRAL,
        ),
        Rule(
            "os",
            "OS: death; censored at the last known alive date, else the reference date",
            _ADMIRAL,
        ),
    ),
    adequate_only=False,
    censor_new_therapy=False,
    censor_missed_assessments=False,
)


def _fda_rules(missed_assessment_days: int | None) -> CensoringRules:
    return CensoringRules(
        name=RuleSet.FDA_2018,
        rules=(
            Rule(
                "no-assessment",
                "no adequate post-baseline assessment and no death: censored at the reference date",
                _FDA,
            ),
            Rule(
                "death-before-assessment",
                "death before the first assessment (within two "
                "assessment intervals of the reference date): event",
                _FDA,
            ),
            Rule(
                "no-event",
                "no progression or death: censored at the last adequate assessment",
                _FDA,
            ),
            Rule(
                "new-therapy",
                "new anticancer therapy started before progression or death: "
                "censored at the last adequate assessment before it",
                _FDA,
            ),
            Rule(
                "missed-assessments",
                "progression or death after two or more missed "
                "assessments: censored at the last adequate assessment before it",
                _FDA,
            ),
            Rule(
                "os",
                "OS: death; censored at the last known alive date, else the reference date",
                _FDA,
            ),
        ),
        adequate_only=True,
        censor_new_therapy=True,
        censor_missed_assessments=missed_assessment_days is not None,
        missed_assessment_days=missed_assessment_days,
    )


FDA_2018_RULES = _fda_rules(None)


def rules_for(
    name: RuleSet | str,
    *,
    assessment_interval_days: int | None = None,
    assessment_window_days: int = 0,
) -> CensoringRules:
    """The named rule set; FDA 2018 takes the imaging schedule to define a missed assessment."""
    kind = RuleSet(name)
    if kind is RuleSet.ADMIRALONCO:
        return ADMIRALONCO_RULES
    gap = (
        2 * assessment_interval_days + assessment_window_days if assessment_interval_days else None
    )
    return _fda_rules(gap)


@dataclass(frozen=True)
class TteResult:
    """ADTTE rows plus the subjects that could not be analysed and why."""

    adtte: pd.DataFrame
    excluded: tuple[Problem, ...] = ()
    rules: CensoringRules = field(default=ADMIRALONCO_RULES)


_NOT_ADEQUATE = {"NE", "ND", "NA", "MISSING", "UNK", ""}

_CARRY = ["STUDYID", "ARMCD", "ARM", "ACTARMCD", "ACTARM", "AGE", "SEX"]


def _dates(series: pd.Series) -> pd.Series:
    # one resolution everywhere: merge_asof refuses to compare datetime64[us] with [ns]
    return pd.to_datetime(series, errors="coerce").dt.normalize().astype("datetime64[ns]")


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{name} has no column(s) {', '.join(missing)}",
            field=missing[0],
            hint=f"{name} needs {', '.join(columns)}.",
        )


def _source(
    subjects: pd.Series,
    dates: pd.Series,
    *,
    dom: str,
    var: str,
    seq: pd.Series | None,
    desc: str,
    priority: int,
) -> pd.DataFrame:
    """Event records of one source, with what admiral records about them."""
    frame = pd.DataFrame(
        {
            "USUBJID": subjects.to_numpy(),
            "ADT": dates.to_numpy(),
            "SRCDOM": dom,
            "SRCVAR": var,
            "SRCSEQ": (seq.to_numpy() if seq is not None else np.nan),
            "EVNTDESC": desc,
            "PRIORITY": priority,
        }
    )
    return frame[frame["ADT"].notna()]


SUBSEQUENT_THERAPY = treatment.SUBSEQUENT_THERAPY


def new_therapy_from_cm(cm: pd.DataFrame) -> pd.DataFrame:
    """The first new anticancer therapy per subject from SDTM CM (``CMCAT`` subsequent therapy).

    A partial start date (``2024-05``) is read as the first day of its month: the earliest date
    it can be, so that no assessment after the new therapy is counted (FDA 2018, Table 4).
    """
    _require(cm, ["USUBJID", "CMCAT", "CMSTDTC"], "the CM domain")
    rows = cm[cm["CMCAT"].astype(str).str.upper() == SUBSEQUENT_THERAPY].copy()
    text = rows["CMSTDTC"].astype(str).str.slice(0, 10)
    text = text.where(text.str.len() != 7, text + "-01")
    text = text.where(text.str.len() != 4, text + "-01-01")
    rows["ADT"] = _dates(text)
    rows = rows[rows["ADT"].notna()].sort_values("ADT").drop_duplicates("USUBJID")
    return pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].to_numpy(),
            "ADT": rows["ADT"].to_numpy(),
            "SRCDOM": "CM",
            "SRCVAR": "CMSTDTC",
            "SRCSEQ": (
                pd.to_numeric(rows["CMSEQ"], errors="coerce").to_numpy()
                if "CMSEQ" in rows
                else np.nan
            ),
        }
    )


def derive_adtte(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    reference: str = "RANDDT",
    params: tuple[Param, ...] = (Param.OS, Param.PFS, Param.DOR),
    rules: CensoringRules = ADMIRALONCO_RULES,
    new_therapy: pd.DataFrame | None = None,
    local_progression: pd.DataFrame | None = None,
) -> TteResult:
    """Derive ADTTE parameters for every subject with a reference date.

    ``reference`` names the ADSL column holding time zero (``RANDDT`` for randomization,
    ``TRTSDT`` for first dose). ``local_progression`` (USUBJID, ADT, SRCDOM, SRCVAR, SRCSEQ)
    supplies the first local progression of treated lesions for ``LPFS``.
    """
    _require(adsl, ["USUBJID", reference], "the subject file (ADSL)")
    _require(adrs, ["USUBJID", "PARAMCD", "AVALC", "ADT"], "the response data (ADRS)")
    subjects = adsl.copy()
    # subject ids may arrive as text, categorical or object columns; compare them as text
    subjects["USUBJID"] = subjects["USUBJID"].astype(str)
    subjects["STARTDT"] = _dates(subjects[reference])
    for column in ("DTHDT", "LSTALVDT"):
        subjects[column] = _dates(subjects[column]) if column in subjects else pd.NaT
    excluded = tuple(
        Problem(
            f"no reference date ({reference}); the subject is not in the time-to-event analysis",
            record=str(s),
            field=reference,
        )
        for s in subjects.loc[subjects["STARTDT"].isna(), "USUBJID"]
    )
    subjects = subjects[subjects["STARTDT"].notna()].reset_index(drop=True)

    responses = adrs.copy()
    responses["USUBJID"] = responses["USUBJID"].astype(str)
    responses["PARAMCD"] = responses["PARAMCD"].astype(str)
    responses["ADT"] = _dates(responses["ADT"])
    if "ASEQ" not in responses:
        responses["ASEQ"] = np.nan
    ovr = responses[responses["PARAMCD"] == "OVR"]
    ovr = ovr[ovr["ADT"].notna()].merge(subjects[["USUBJID", "STARTDT"]], on="USUBJID")
    ovr = ovr[ovr["ADT"] >= ovr["STARTDT"]]
    adequate = ovr[~ovr["AVALC"].fillna("").astype(str).str.upper().isin(_NOT_ADEQUATE)]
    assessments = adequate if rules.adequate_only else ovr

    def first_flag(paramcd: str) -> pd.DataFrame:
        rows = responses[
            (responses["PARAMCD"] == paramcd)
            & (responses["AVALC"].astype(str).str.upper() == "Y")
            & responses["ADT"].notna()
        ]
        return rows.sort_values("ADT").drop_duplicates("USUBJID")

    pd_rows = first_flag("PD")
    # Death as the admiralonco template takes it: the ADRS DEATH parameter when the response
    # data carry one (its record is the source), else ADSL.DTHDT.
    death_rows = first_flag(subject.DEATH)
    if len(death_rows):
        death = _source(
            death_rows["USUBJID"],
            death_rows["ADT"],
            dom="ADRS",
            var="ADT",
            seq=death_rows["ASEQ"],
            desc="Death",
            priority=1,
        )
    else:
        dead = subjects[subjects["DTHDT"].notna()]
        death = _source(
            dead["USUBJID"],
            dead["DTHDT"],
            dom="ADSL",
            var="DTHDT",
            seq=None,
            desc="Death",
            priority=1,
        )
    rsp_rows = first_flag("RSP")
    lsta_rows = responses[(responses["PARAMCD"] == "LSTA") & responses["ADT"].notna()]
    if rules.adequate_only or lsta_rows.empty:
        last = assessments.sort_values(["USUBJID", "ADT"]).drop_duplicates("USUBJID", keep="last")
    else:
        last = lsta_rows.sort_values("ADT").drop_duplicates("USUBJID", keep="last")

    therapy = None
    if new_therapy is not None and len(new_therapy):
        _require(new_therapy, ["USUBJID", "ADT"], "the new anticancer therapy data")
        therapy = new_therapy.copy()
        therapy["USUBJID"] = therapy["USUBJID"].astype(str)
        therapy["ADT"] = _dates(therapy["ADT"])
        therapy = therapy.sort_values("ADT").drop_duplicates("USUBJID")

    rows = []
    for param in params:
        if param is Param.OS:
            rows.append(_os(subjects, death, reference))
            continue
        start = subjects[["USUBJID", "STARTDT"]]
        if param is Param.DOR:
            start = rsp_rows[["USUBJID", "ADT"]].rename(columns={"ADT": "STARTDT"})
            start = start.merge(subjects[["USUBJID"]], on="USUBJID")
        events = []
        if param is Param.LPFS:
            if local_progression is None:
                raise RuleError(
                    "local progression-free survival needs the first local progression of the "
                    "treated lesions per subject",
                    hint="Pass the local progression data (USUBJID, ADT) or drop LPFS.",
                )
            _require(local_progression, ["USUBJID", "ADT"], "the local progression data")
            lp = local_progression.copy()
            lp["USUBJID"] = lp["USUBJID"].astype(str)
            lp["ADT"] = _dates(lp["ADT"])
            events.append(
                _source(
                    lp["USUBJID"],
                    lp["ADT"],
                    dom="ADRS",
                    var="ADT",
                    seq=lp.get("SRCSEQ"),
                    desc="Local Progression",
                    priority=0,
                )
            )
        else:
            events.append(
                _source(
                    pd_rows["USUBJID"],
                    pd_rows["ADT"],
                    dom="ADRS",
                    var="ADT",
                    seq=pd_rows["ASEQ"],
                    desc="Disease Progression",
                    priority=0,
                )
            )
        if param is not Param.TTP:
            events.append(death)
        rows.append(
            _time_to_event(
                param,
                start,
                pd.concat(events, ignore_index=True),
                assessments,
                last,
                therapy,
                rules,
                reference,
            )
        )
    adtte = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    carry = [c for c in _CARRY if c in subjects.columns]
    adtte = adtte.merge(subjects[["USUBJID", *carry]], on="USUBJID", how="left")
    adtte["AVAL"] = (adtte["ADT"] - adtte["STARTDT"]).dt.days + 1
    adtte["PARAM"] = adtte["PARAMCD"].map({p.value: label for p, label in PARAM_LABELS.items()})
    order = {p.value: i for i, p in enumerate(params)}
    adtte = adtte.sort_values(
        ["USUBJID", "PARAMCD"], key=lambda s: s.map(order) if s.name == "PARAMCD" else s
    ).reset_index(drop=True)
    adtte["ASEQ"] = adtte.groupby("USUBJID").cumcount() + 1
    columns = [
        *(["STUDYID"] if "STUDYID" in adtte else []),
        "USUBJID",
        "PARAMCD",
        "PARAM",
        "STARTDT",
        "ADT",
        "AVAL",
        "CNSR",
        "EVNTDESC",
        "CNSDTDSC",
        "SRCDOM",
        "SRCVAR",
        "SRCSEQ",
        "ASEQ",
        *[c for c in carry if c != "STUDYID"],
    ]
    return TteResult(adtte=adtte[columns], excluded=excluded, rules=rules)


def _zero_label(reference: str) -> str:
    return {"RANDDT": "Randomization", "TRTSDT": "First Dose"}.get(reference, reference)


def _os(subjects: pd.DataFrame, death: pd.DataFrame, reference: str) -> pd.DataFrame:
    """OS: death is the event; else censored at the last known alive date, else time zero
    (the latest of the two, as admiral's ``censor_conditions`` keep the last date)."""
    first_death = death.sort_values("ADT").drop_duplicates("USUBJID")
    out = subjects[["USUBJID", "STARTDT", "LSTALVDT"]].merge(
        first_death[["USUBJID", "ADT", "SRCDOM", "SRCVAR", "SRCSEQ"]], on="USUBJID", how="left"
    )
    dead = out["ADT"].notna()
    # admiral keeps the last censoring date; on a tie the later-listed source (time zero) wins
    alive_later = out["LSTALVDT"].notna() & (out["LSTALVDT"] > out["STARTDT"])
    zero = _zero_label(reference)
    result = pd.DataFrame({"USUBJID": out["USUBJID"], "STARTDT": out["STARTDT"]})
    result["ADT"] = out["ADT"].where(dead, out["LSTALVDT"].where(alive_later, out["STARTDT"]))
    result["CNSR"] = np.where(dead, 0, 1)
    result["EVNTDESC"] = np.where(dead, "Death", np.where(alive_later, "Alive", zero))
    censored_desc = pd.Series(np.where(alive_later, "Alive During Study", zero), index=out.index)
    result["CNSDTDSC"] = censored_desc.where(~dead, None)
    result["SRCDOM"] = out["SRCDOM"].where(dead, "ADSL")
    result["SRCVAR"] = out["SRCVAR"].where(
        dead, pd.Series(np.where(alive_later, "LSTALVDT", reference), index=out.index)
    )
    result["SRCSEQ"] = out["SRCSEQ"].where(dead)
    result["PARAMCD"] = Param.OS.value
    return result


def _last_assessment(
    limits: pd.DataFrame, assessments: pd.DataFrame, *, inclusive: bool
) -> pd.DataFrame:
    """For each (USUBJID, LIMIT) row, the last assessment on/before (or before) LIMIT.

    A missing LIMIT means no limit. Returns the rows of ``limits`` with ``LADT`` and ``LSEQ``.
    """
    out = limits.copy()
    out["LADT"] = pd.NaT
    out["LSEQ"] = np.nan
    if assessments.empty or out.empty:
        return out
    right = assessments[["USUBJID", "ADT", "ASEQ"]].rename(columns={"ADT": "LADT", "ASEQ": "LSEQ"})
    right = right.sort_values("LADT")
    left = out.drop(columns=["LADT", "LSEQ"]).reset_index(names="_ROW")
    left["_KEY"] = left["LIMIT"].fillna(pd.Timestamp.max.normalize())
    merged = (
        pd.merge_asof(
            left.sort_values("_KEY"),
            right,
            left_on="_KEY",
            right_on="LADT",
            by="USUBJID",
            direction="backward",
            allow_exact_matches=inclusive,
        )
        .set_index("_ROW")
        .sort_index()
    )
    out["LADT"] = merged["LADT"].to_numpy()
    out["LSEQ"] = merged["LSEQ"].to_numpy()
    return out


def _time_to_event(
    param: Param,
    start: pd.DataFrame,
    events: pd.DataFrame,
    assessments: pd.DataFrame,
    last: pd.DataFrame,
    therapy: pd.DataFrame | None,
    rules: CensoringRules,
    reference: str,
) -> pd.DataFrame:
    """One parameter for every subject in ``start`` (USUBJID, STARTDT), vectorised."""
    out = start[["USUBJID", "STARTDT"]].drop_duplicates("USUBJID").reset_index(drop=True)
    ev = events.merge(out, on="USUBJID")
    ev = ev[ev["ADT"] >= ev["STARTDT"]]
    first = ev.sort_values(["USUBJID", "ADT", "PRIORITY"]).drop_duplicates("USUBJID")
    out = out.merge(
        first[["USUBJID", "ADT", "EVNTDESC", "SRCDOM", "SRCVAR", "SRCSEQ"]].rename(
            columns=lambda c: c if c == "USUBJID" else f"E_{c}"
        ),
        on="USUBJID",
        how="left",
    )
    own = assessments.drop(columns=["STARTDT"], errors="ignore").merge(
        out[["USUBJID", "STARTDT"]], on="USUBJID"
    )
    own = own[own["ADT"] >= own["STARTDT"]]
    # time zero of DoR is a response date, recorded in ADRS; of the others an ADSL date
    zero = (
        {"SRCDOM": "ADRS", "SRCVAR": "ADT", "DESC": "Start of Response"}
        if param is Param.DOR
        else {"SRCDOM": "ADSL", "SRCVAR": reference, "DESC": _zero_label(reference)}
    )

    if rules.name is RuleSet.ADMIRALONCO:
        lasts = last[["USUBJID", "ADT", "ASEQ"]].rename(columns={"ADT": "LADT", "ASEQ": "LSEQ"})
        out = out.merge(lasts, on="USUBJID", how="left")
        # censor dates tie-break as admiral's filter_extreme(mode = "last"): time zero is listed
        # after the last assessment, so it wins a tie (except for DoR, which has no such source)
        too_early = (
            out["LADT"] < out["STARTDT"] if param is Param.DOR else out["LADT"] <= out["STARTDT"]
        )
        out["LADT"] = out["LADT"].where(~too_early)
        out["LSEQ"] = out["LSEQ"].where(~too_early)
        is_event = out["E_ADT"].notna()
        reason = pd.Series("Last Tumor Assessment", index=out.index)
    else:
        limit = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        new = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        if therapy is not None:
            new = out[["USUBJID"]].merge(therapy[["USUBJID", "ADT"]], on="USUBJID", how="left")[
                "ADT"
            ]
            new.index = out.index
        therapy_first = (
            rules.censor_new_therapy & new.notna() & (out["E_ADT"].isna() | (out["E_ADT"] > new))
        )
        has_event = out["E_ADT"].notna() & ~therapy_first
        limit = limit.where(~therapy_first, new)
        limit = limit.where(~has_event, out["E_ADT"])
        inclusive_rows = _last_assessment(
            out[["USUBJID"]].assign(LIMIT=limit.where(~has_event)), own, inclusive=True
        )
        before_event = _last_assessment(
            out[["USUBJID"]].assign(LIMIT=out["E_ADT"]), own, inclusive=False
        )
        out["LADT"] = inclusive_rows["LADT"].where(~has_event, before_event["LADT"])
        out["LSEQ"] = inclusive_rows["LSEQ"].where(~has_event, before_event["LSEQ"])
        anchor = out["LADT"].fillna(out["STARTDT"])
        gap = (out["E_ADT"] - anchor).dt.days
        missed = (
            has_event
            & rules.censor_missed_assessments
            & (rules.missed_assessment_days is not None)
            & (gap > (rules.missed_assessment_days or 0))
        )
        is_event = has_event & ~missed
        reason = pd.Series("Last Tumor Assessment", index=out.index)
        reason = reason.where(~therapy_first, "New Anticancer Therapy")
        reason = reason.where(~missed, "Event After Two or More Missed Assessments")

    censored_at_zero = ~is_event & out["LADT"].isna()
    result = pd.DataFrame({"USUBJID": out["USUBJID"], "STARTDT": out["STARTDT"]})
    result["ADT"] = out["E_ADT"].where(
        is_event, out["LADT"].where(~censored_at_zero, out["STARTDT"])
    )
    result["CNSR"] = np.where(is_event, 0, 1)
    censor_desc = reason.where(~censored_at_zero, zero["DESC"])
    event_desc = out["E_EVNTDESC"]
    result["EVNTDESC"] = event_desc.where(
        is_event,
        np.where(
            censor_desc == "New Anticancer Therapy",
            "Last Tumor Assessment Before New Anticancer Therapy",
            np.where(
                censor_desc == "Event After Two or More Missed Assessments",
                "Last Tumor Assessment Before Missed Assessments",
                censor_desc,
            ),
        ),
    )
    result["CNSDTDSC"] = censor_desc.where(~is_event, None)
    result["SRCDOM"] = out["E_SRCDOM"].where(
        is_event, np.where(censored_at_zero, zero["SRCDOM"], "ADRS")
    )
    result["SRCVAR"] = out["E_SRCVAR"].where(
        is_event, np.where(censored_at_zero, zero["SRCVAR"], "ADT")
    )
    result["SRCSEQ"] = out["E_SRCSEQ"].where(is_event, out["LSEQ"].where(~censored_at_zero))
    result["PARAMCD"] = param.value
    result["ADT"] = pd.to_datetime(result["ADT"])
    return result
