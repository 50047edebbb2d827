"""Time-to-event endpoints (ADaM ADTTE) from subject data and tumour responses.

Input shapes (pandas data frames; dates as datetime64 or ISO text):

- ``adsl``: one row per subject — ``USUBJID``, the reference date column (``RANDDT`` or
  ``TRTSDT``, as the protocol says), ``DTHDT``, ``LSTALVDT``; optional ``STUDYID``, ``ARM``,
  ``ARMCD``, ``ACTARM``, ``ACTARMCD``, ``AGE``, ``SEX`` (carried to the output).
- ``adrs``: ADaM ADRS as the response engine writes it — ``PARAMCD`` ``OVR`` rows (one per
  assessment: ``ADT``, ``AVALC``, ``ASEQ``), ``PD`` (first progression: ``AVALC`` Y with ``ADT``),
  ``RSP`` (first response: ``AVALC`` Y with ``ADT``), optionally ``LSTA`` and ``DEATH``.
- ``new_therapy`` (optional): ``USUBJID``, ``ADT`` (start of the first new anticancer therapy),
  ``SRCDOM``, ``SRCVAR``, ``SRCSEQ``.

The events and censorings are declared objects (:mod:`oncotrial.endpoints.censoring`: admiral's
``event_source``/``censor_source`` and FDA 2018's censored events) that :func:`derive_adtte`
executes for each parameter; two rule sets are declared there — ``ADMIRALONCO_RULES`` (the
admiralonco ADTTE template, which reproduces ``adtte_onco.csv`` of the pharmaverse oracle) and
FDA 2018 Table 4 (:func:`rules_for`). Each output row says which record decided it
(``EVNTDESC``/``CNSDTDSC``, ``SRCDOM``/``SRCVAR``/``SRCSEQ``), as admiral's ``derive_param_tte``
does. ``AVAL`` is ``ADT − STARTDT + 1`` days (admiral's ``derive_vars_duration(add_one = TRUE)``:
the start day is day 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncotrial.catalogue import subject, treatment
from oncotrial.endpoints.censoring import (
    ADMIRALONCO_RULES,
    FDA_2018_RULES,
    PARAM_LABELS,
    CensorDate,
    CensoredEvent,
    CensoringRules,
    EventKind,
    Param,
    RuleSet,
    TteDefinition,
    Unless,
    rules_for,
)
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


@dataclass(frozen=True)
class TteResult:
    """ADTTE rows plus the subjects that could not be analysed and why."""

    adtte: pd.DataFrame
    excluded: tuple[Problem, ...] = ()
    rules: CensoringRules = field(default=ADMIRALONCO_RULES)


_NOT_ADEQUATE = {"NE", "ND", "NA", "MISSING", "UNK", ""}

_CARRY = ["STUDYID", "ARMCD", "ARM", "ACTARMCD", "ACTARM", "AGE", "SEX"]
_RECORD = ["ADT", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ"]


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


def _records(
    subjects: pd.Series,
    dates: pd.Series,
    *,
    dom: str,
    var: str,
    seq: pd.Series | None,
    evntdesc: str,
    cnsdtdsc: str | None = None,
) -> pd.DataFrame:
    """Dated records of one source, with what admiral records about them."""
    frame = pd.DataFrame(
        {
            "USUBJID": subjects.to_numpy(),
            "ADT": dates.to_numpy(),
            "EVNTDESC": evntdesc,
            "CNSDTDSC": cnsdtdsc,
            "SRCDOM": dom,
            "SRCVAR": var,
            "SRCSEQ": (seq.to_numpy() if seq is not None else np.nan),
        }
    )
    return frame[frame["ADT"].notna()]


@dataclass(frozen=True)
class _Data:
    """The inputs the declared sources read, prepared once for every parameter."""

    subjects: pd.DataFrame  # USUBJID, STARTDT (reference), DTHDT, LSTALVDT, carried columns
    reference: str
    ovr: pd.DataFrame  # OVR records on or after the reference date (ADT, ASEQ, AVALC)
    adequate: pd.DataFrame  # those with an adequate response
    lsta: pd.DataFrame  # ADRS LSTA records
    progression: pd.DataFrame  # first PD = Y per subject
    death: pd.DataFrame
    response_start: pd.DataFrame  # first RSP = Y per subject (USUBJID, STARTDT)
    therapy: pd.DataFrame | None
    local_progression: pd.DataFrame | None

    def events(self, kind: EventKind) -> pd.DataFrame:
        if kind is EventKind.PROGRESSION:
            return self.progression
        if kind is EventKind.DEATH:
            return self.death
        if self.local_progression is None:
            raise RuleError(
                "local progression-free survival needs the first local progression of the "
                "treated lesions per subject",
                hint="Pass the local progression data (USUBJID, ADT) or drop LPFS.",
            )
        return self.local_progression


def _first_flag(responses: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    rows = responses[
        (responses["PARAMCD"] == paramcd)
        & (responses["AVALC"].astype(str).str.upper() == "Y")
        & responses["ADT"].notna()
    ]
    return rows.sort_values("ADT").drop_duplicates("USUBJID")


def _prepare(
    subjects: pd.DataFrame,
    adrs: pd.DataFrame,
    reference: str,
    new_therapy: pd.DataFrame | None,
    local_progression: pd.DataFrame | None,
) -> _Data:
    responses = adrs.copy()
    responses["USUBJID"] = responses["USUBJID"].astype(str)
    responses["PARAMCD"] = responses["PARAMCD"].astype(str)
    responses["ADT"] = _dates(responses["ADT"])
    if "ASEQ" not in responses:
        responses["ASEQ"] = np.nan
    ovr = responses[responses["PARAMCD"] == "OVR"]
    ovr = ovr[ovr["ADT"].notna()].merge(subjects[["USUBJID", "STARTDT"]], on="USUBJID")
    ovr = ovr[ovr["ADT"] >= ovr["STARTDT"]].drop(columns=["STARTDT"])
    adequate = ovr[~ovr["AVALC"].fillna("").astype(str).str.upper().isin(_NOT_ADEQUATE)]
    pd_rows = _first_flag(responses, "PD")
    # Death as the admiralonco template takes it: the ADRS DEATH parameter when the response
    # data carry one (its record is the source), else ADSL.DTHDT.
    death_rows = _first_flag(responses, subject.DEATH)
    if len(death_rows):
        death = _records(
            death_rows["USUBJID"],
            death_rows["ADT"],
            dom="ADRS",
            var="ADT",
            seq=death_rows["ASEQ"],
            evntdesc=EventKind.DEATH.value,
        )
    else:
        dead = subjects[subjects["DTHDT"].notna()]
        death = _records(
            dead["USUBJID"],
            dead["DTHDT"],
            dom="ADSL",
            var="DTHDT",
            seq=None,
            evntdesc=EventKind.DEATH.value,
        )
    rsp = _first_flag(responses, "RSP")
    therapy = None
    if new_therapy is not None and len(new_therapy):
        _require(new_therapy, ["USUBJID", "ADT"], "the new anticancer therapy data")
        therapy = new_therapy.copy()
        therapy["USUBJID"] = therapy["USUBJID"].astype(str)
        therapy["ADT"] = _dates(therapy["ADT"])
        therapy = therapy.sort_values("ADT").drop_duplicates("USUBJID")
    local = None
    if local_progression is not None:
        _require(local_progression, ["USUBJID", "ADT"], "the local progression data")
        lp = local_progression.copy()
        lp["USUBJID"] = lp["USUBJID"].astype(str)
        lp["ADT"] = _dates(lp["ADT"])
        local = _records(
            lp["USUBJID"],
            lp["ADT"],
            dom="ADRS",
            var="ADT",
            seq=lp.get("SRCSEQ"),
            evntdesc=EventKind.LOCAL_PROGRESSION.value,
        )
    return _Data(
        subjects=subjects,
        reference=reference,
        ovr=ovr,
        adequate=adequate,
        lsta=responses[(responses["PARAMCD"] == "LSTA") & responses["ADT"].notna()],
        progression=_records(
            pd_rows["USUBJID"],
            pd_rows["ADT"],
            dom="ADRS",
            var="ADT",
            seq=pd_rows["ASEQ"],
            evntdesc=EventKind.PROGRESSION.value,
        ),
        death=death,
        response_start=rsp[["USUBJID", "ADT"]]
        .rename(columns={"ADT": "STARTDT"})
        .merge(subjects[["USUBJID"]], on="USUBJID"),
        therapy=therapy,
        local_progression=local,
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
    ``TRTSDT`` for first dose). ``rules`` declares each parameter's events and censoring
    (:mod:`oncotrial.endpoints.censoring`). ``local_progression`` (USUBJID, ADT, SRCDOM, SRCVAR,
    SRCSEQ) supplies the first local progression of treated lesions for ``LPFS``.
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
    data = _prepare(subjects, adrs, reference, new_therapy, local_progression)
    # A death before time zero is a data error, not an event or a censoring: say so.
    early = data.death.merge(subjects[["USUBJID", "STARTDT"]], on="USUBJID")
    early = early[early["ADT"] < early["STARTDT"]]
    if len(early):
        excluded += tuple(
            Problem(
                f"death date {d:%Y-%m-%d} is before the reference date ({reference} "
                f"{t:%Y-%m-%d}); the subject is not in the time-to-event analysis: correct the "
                "death or the reference date",
                record=str(s),
                field=str(v),
            )
            for s, d, t, v in early[["USUBJID", "ADT", "STARTDT", "SRCVAR"]].itertuples(index=False)
        )
        subjects = subjects[~subjects["USUBJID"].isin(early["USUBJID"])].reset_index(drop=True)
        data = _prepare(subjects, adrs, reference, new_therapy, local_progression)
    rows = [_derive(rules.definition(param), data) for param in params]
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


def _time_zero(param: Param, start: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Time zero as a censoring record: ADSL's reference date, or DoR's response (ADRS)."""
    if param is Param.DOR:
        return _records(
            start["USUBJID"],
            start["STARTDT"],
            dom="ADRS",
            var="ADT",
            seq=None,
            evntdesc="Start of Response",
            cnsdtdsc="Start of Response",
        )
    label = _zero_label(reference)
    return _records(
        start["USUBJID"],
        start["STARTDT"],
        dom="ADSL",
        var=reference,
        seq=None,
        evntdesc=label,
        cnsdtdsc=label,
    )


def _assessment_records(frame: pd.DataFrame, evntdesc: str, cnsdtdsc: str) -> pd.DataFrame:
    last = frame.sort_values(["USUBJID", "ADT"]).drop_duplicates("USUBJID", keep="last")
    return _records(
        last["USUBJID"],
        last["ADT"],
        dom="ADRS",
        var="ADT",
        seq=last["ASEQ"],
        evntdesc=evntdesc,
        cnsdtdsc=cnsdtdsc,
    )


def _censor_records(
    date: CensorDate, evntdesc: str, cnsdtdsc: str, data: _Data, start: pd.DataFrame, param: Param
) -> pd.DataFrame:
    """The candidate censoring record per subject for one declared censoring date."""
    if date is CensorDate.TIME_ZERO:
        return _time_zero(param, start, data.reference)
    if date is CensorDate.LAST_ALIVE:
        alive = data.subjects[data.subjects["LSTALVDT"].notna()]
        return _records(
            alive["USUBJID"],
            alive["LSTALVDT"],
            dom="ADSL",
            var="LSTALVDT",
            seq=None,
            evntdesc=evntdesc,
            cnsdtdsc=cnsdtdsc,
        )
    if date is CensorDate.LAST_ASSESSMENT:
        # admiralonco lasta_censor reads the LSTA parameter; without one, the last OVR record.
        source = data.lsta if len(data.lsta) else data.ovr
        return _assessment_records(source, evntdesc, cnsdtdsc)
    own = data.adequate.merge(start[["USUBJID", "STARTDT"]], on="USUBJID")
    return _assessment_records(own[own["ADT"] >= own["STARTDT"]], evntdesc, cnsdtdsc)


def _derive(definition: TteDefinition, data: _Data) -> pd.DataFrame:
    """One parameter for every subject, executing the declared definition (vectorised)."""
    param = definition.param
    start = (data.response_start if param is Param.DOR else data.subjects)[["USUBJID", "STARTDT"]]
    out = start.drop_duplicates("USUBJID").reset_index(drop=True)

    # The earliest event on or after time zero; a tie goes to the source listed first.
    events = pd.concat(
        [data.events(s.event).assign(ORDER=i) for i, s in enumerate(definition.events)],
        ignore_index=True,
    ).merge(out, on="USUBJID")
    events = events[events["ADT"] >= events["STARTDT"]]
    first = events.sort_values(["USUBJID", "ADT", "ORDER"]).drop_duplicates("USUBJID")
    # Without one, the latest censoring date; a tie goes to the source listed last.
    censors = pd.concat(
        [
            _censor_records(s.date, s.evntdesc, s.cnsdtdsc, data, out, param).assign(ORDER=i)
            for i, s in enumerate(definition.censors)
        ],
        ignore_index=True,
    ).merge(out[["USUBJID"]], on="USUBJID")
    last = censors.sort_values(["USUBJID", "ADT", "ORDER"]).drop_duplicates("USUBJID", keep="last")
    event = out[["USUBJID"]].merge(first[["USUBJID", *_RECORD]], on="USUBJID", how="left")
    censor = out[["USUBJID"]].merge(last[["USUBJID", *_RECORD]], on="USUBJID", how="left")
    is_event = event["ADT"].notna()
    record = {name: event[name].where(is_event, censor[name]) for name in _RECORD}
    record["CNSDTDSC"] = censor["CNSDTDSC"].where(~is_event, None)
    cnsr = pd.Series(np.where(is_event, 0, 1), index=out.index)

    # The censored-event rules, in order: the first that applies to a subject decides.
    decided = pd.Series(False, index=out.index)
    zero = _time_zero(param, out, data.reference).set_index("USUBJID").reindex(out["USUBJID"])
    zero.index = out.index
    for rule in definition.censored_events:
        applies, at = _censored_event(rule, out, event, data)
        applies = applies & ~decided
        decided |= applies
        found = applies & at["ADT"].notna()
        at_zero = applies & ~found
        replacement = {
            "ADT": at["ADT"],
            "EVNTDESC": rule.evntdesc,
            "CNSDTDSC": rule.cnsdtdsc,
            "SRCDOM": "ADRS",
            "SRCVAR": "ADT",
            "SRCSEQ": at["SEQ"],
        }
        for name in _RECORD:
            record[name] = record[name].where(~found, replacement[name])
            record[name] = record[name].where(~at_zero, zero[name])
        cnsr = cnsr.where(~applies, 1)

    result = pd.DataFrame({"USUBJID": out["USUBJID"], "STARTDT": out["STARTDT"], **record})
    result["ADT"] = pd.to_datetime(result["ADT"])
    result["CNSR"] = cnsr.to_numpy()
    result["PARAMCD"] = param.value
    return result


def _censored_event(
    rule: CensoredEvent, out: pd.DataFrame, event: pd.DataFrame, data: _Data
) -> tuple[pd.Series, pd.DataFrame]:
    """Which subjects the rule censors, and at which adequate assessment (ADT, SEQ; NaT: none)."""
    own = data.adequate.merge(out[["USUBJID", "STARTDT"]], on="USUBJID")
    own = own[own["ADT"] >= own["STARTDT"]]
    event_date = event["ADT"]
    if rule.unless is Unless.NEW_THERAPY:
        therapy = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        if data.therapy is not None:
            therapy = out[["USUBJID"]].merge(data.therapy, on="USUBJID", how="left")["ADT"]
            therapy.index = out.index
        applies = therapy.notna() & (event_date.isna() | (event_date > therapy))
        at = _last_assessment(out[["USUBJID"]].assign(LIMIT=therapy), own, inclusive=True)
        return applies, at.rename(columns={"LADT": "ADT", "LSEQ": "SEQ"})
    # Missed assessments: the gap from the last adequate assessment before the event (or time
    # zero) to the event.
    at = _last_assessment(out[["USUBJID"]].assign(LIMIT=event_date), own, inclusive=False)
    anchor = at["LADT"].fillna(out["STARTDT"])
    gap = (event_date - anchor).dt.days
    kinds = {k.value for k in rule.applies_to}
    applies = (
        event_date.notna()
        & event["EVNTDESC"].isin(kinds)
        & (rule.max_gap_days is not None)
        & (gap > (rule.max_gap_days or 0))
    )
    return applies, at.rename(columns={"LADT": "ADT", "LSEQ": "SEQ"})


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
