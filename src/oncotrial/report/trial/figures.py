"""The trial report's figures, drawn from the engines' outputs.

Each function turns one result (a Kaplan-Meier curve, the response engine's summary and
timepoints, the CONSORT counts, subgroup hazard ratios) into the plain input of a figure in
``oncotrial.report.figures`` and renders it. Dates become days since time zero (or since the
first dose for the swimmer plot) — a change of unit, not a computation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.analysis.results import (
    ConsortCounts,
    ResponseRun,
    SubgroupHR,
    TrialResults,
    TteOutcome,
)
from oncotrial.catalogue.tumour import (
    NEW_LESION_INDICATOR,
    NON_TARGET_RESPONSE,
    OVERALL_RESPONSE,
    TARGET_RESPONSE,
)
from oncotrial.report import Figure
from oncotrial.report.figures import (
    ConsortArm,
    ConsortFlow,
    ForestPlot,
    ForestRow,
    KMCurve,
    KMPlot,
    Reason,
    SpiderPlot,
    SpiderSeries,
    SwimmerLane,
    SwimmerPlot,
    WaterfallBar,
    WaterfallPlot,
    month_ticks,
    plot_consort,
    plot_forest,
    plot_km,
    plot_spider,
    plot_swimmer,
    plot_waterfall,
)
from oncotrial.report.trial.wording import fmt_p
from oncotrial.stats.km import KaplanMeier

__all__ = [
    "consort_figure",
    "forest_figure",
    "km_figure",
    "spider_figure",
    "swimmer_figure",
    "waterfall_figure",
]

_REASON_CHARS = 90


# A frame's cells are typed by pandas-stubs as a union of every scalar pandas can hold; these
# take one as it comes (Any) and give it the type the figure needs.
def _number_or_none(value: Any) -> float | None:
    """A cell as a number, None where it is missing (NaN, NaT, None)."""
    return None if pd.isna(value) else float(value)


def _timestamp(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value)


def _cell(frame: pd.DataFrame, index: Any, column: str) -> Any:
    """``frame.loc[index, column]``."""
    return frame.loc[index, column]


def _short(text: str) -> str:
    """A criterion's text cut for the diagram (the listing and IE domain keep it whole)."""
    return text if len(text) <= _REASON_CHARS else text[: _REASON_CHARS - 1].rstrip() + "…"


def _reasons(pairs: tuple[tuple[str, int], ...]) -> tuple[Reason, ...]:
    return tuple(Reason(_short(text), n) for text, n in pairs)


def consort_figure(consort: ConsortCounts, efficacy_name: str) -> Figure:
    flow = ConsortFlow(
        screened=consort.screened,
        enrolled=consort.enrolled,
        randomized=consort.randomized,
        not_eligible=_reasons(consort.not_eligible),
        arms=tuple(
            ConsortArm(
                arm.label,
                arm.allocated,
                received=arm.treated,
                not_received=_reasons(arm.not_treated),
                discontinued=arm.discontinued,
                discontinued_reasons=_reasons(arm.discontinued_reasons),
                analysed=arm.analysed,
                excluded_from_analysis=_reasons(arm.not_analysed),
                analysis_set=f"Analysed ({efficacy_name.lower()})",
                completed=arm.completed,
                lost_to_follow_up=arm.lost_to_follow_up,
            )
            for arm in consort.arms
        ),
        in_screening=consort.in_screening,
    )
    excluded = consort.screened - consort.enrolled
    arms_text = "; ".join(f"{a.label}: {a.allocated}" for a in consort.arms)
    return Figure.from_matplotlib(
        plot_consort(flow),
        id="consort",
        caption="Participant flow (CONSORT 2010): screening, allocation, treatment, "
        "completion or discontinuation of study treatment, losses to follow-up and analysis.",
        alt_text=f"Flow diagram: {consort.screened} assessed for eligibility, {excluded} not "
        f"enrolled, {consort.enrolled} {'randomized' if consort.randomized else 'enrolled'} "
        f"({arms_text}), with treatment, discontinuation and analysis counts per arm.",
    )


#: fewer patients than this at risk: the curve is drawn dotted from there (Pocock, Clayton &
#: Altman, Lancet 2002;359:1686 — curves should not be read where few patients remain)
MIN_AT_RISK = 5


def sparse_from(curve: KaplanMeier, threshold: int = MIN_AT_RISK) -> float | None:
    """The day from which fewer than ``threshold`` patients are at risk (None: never).

    ``n_risk[i]`` counts the patients with time ≥ ``times[i]``: the segment after ``times[i-1]``
    rests on them, so the sparse part starts at the previous time (0 for the first)."""
    below = np.flatnonzero(np.asarray(curve.n_risk) < threshold)
    if below.size == 0:
        return None
    i = int(below[0])
    return float(curve.times[i - 1]) if i > 0 else 0.0


def km_figure(
    outcome: TteOutcome, *, figure_id: str, caption: str, y_label: str, reference: str
) -> Figure:
    last = max((curve.last_follow_up for _, curve in outcome.curves), default=0.0)
    ticks = month_ticks(last)
    curves = []
    for label, curve in outcome.curves:
        censored = curve.times[curve.n_censor > 0]
        curves.append(
            KMCurve(
                label,
                times=curve.times.tolist(),
                survival=curve.survival.tolist(),
                lower=curve.lower.tolist(),
                upper=curve.upper.tolist(),
                censor_times=censored.tolist(),
                median=curve.median.time,
                at_risk=curve.risk_table(ticks),
                sparse_from=sparse_from(curve),
            )
        )
    if any(c.sparse_from is not None for c in curves):
        caption = (
            f"{caption} Dotted where fewer than {MIN_AT_RISK} patients remain at risk: the "
            "estimate there rests on too few patients to be read."
        )
    annotation = None
    if outcome.cox is not None and outcome.logrank is not None:
        term = outcome.cox.terms[0]
        # the direction stated: the experimental arm against the control arm (< 1 favours it)
        annotation = (
            f"HR {term.hr:.2f} (95% CI {term.lower:.2f}–{term.upper:.2f}); "
            f"log-rank {fmt_p(outcome.logrank.p)}\n{term.name} vs {outcome.cox.reference}: "
            "HR < 1 favours the first"
        )
    summary = "; ".join(
        f"{label}: {curve.events} events in {curve.n} patients" for label, curve in outcome.curves
    )
    return Figure.from_matplotlib(
        plot_km(KMPlot(curves, y_label=y_label, at_risk_times=ticks, annotation=annotation)),
        id=figure_id,
        caption=caption,
        alt_text=f"Kaplan-Meier curves of {outcome.name.lower()} from {reference} with 95% "
        f"confidence bands, censoring marks and numbers at risk ({summary}).",
    )


def forest_figure(outcome: TteOutcome, *, figure_id: str, arms: tuple[str, str]) -> Figure:
    """Subgroup hazard ratios (experimental vs control) under the overall one."""
    assert outcome.cox is not None  # only drawn for a two-arm comparison
    overall = outcome.cox.terms[0]
    rows = [
        ForestRow(
            "All patients",
            n=outcome.cox.n,
            events=outcome.cox.events,
            estimate=overall.hr,
            lower=overall.lower,
            upper=overall.upper,
            overall=True,
        )
    ]
    heading = None
    for subgroup in outcome.subgroups:
        if subgroup.factor != heading:
            rows.append(ForestRow(subgroup.factor, header=True))
            heading = subgroup.factor
        rows.append(_forest_row(subgroup))
    experimental, control = arms
    return Figure.from_matplotlib(
        plot_forest(ForestPlot(rows, favours=(f"Favours {experimental}", f"Favours {control}"))),
        id=figure_id,
        caption=f"{outcome.name}: hazard ratios of {experimental} versus {control} by "
        "subgroup (Cox model, Efron ties), with 95% confidence intervals on a log scale.",
        alt_text=f"Forest plot of {len(outcome.subgroups)} subgroup hazard ratios under the "
        f"overall hazard ratio {overall.hr:.2f}.",
    )


def _forest_row(subgroup: SubgroupHR) -> ForestRow:
    term = subgroup.term
    return ForestRow(
        subgroup.level,
        n=subgroup.n,
        events=subgroup.events,
        estimate=term.hr if term else None,
        lower=term.lower if term else None,
        upper=term.upper if term else None,
        note=subgroup.note,
        level=1,
    )


def _waterfall_response(value: object) -> str:
    text = str(value) if isinstance(value, str) else "NE"
    # The figure knows RECIST's five categories: non-CR/non-PD is disease control without
    # measurable disease (shown as SD), and no assessment is not evaluable.
    return {"NON-CR/NON-PD": "SD", "MISSING": "NE"}.get(text.removeprefix("i").upper(), text)


def pd_not_by_target(run: ResponseRun) -> dict[str, str]:
    """Per subject whose first PD timepoint is not target progression: "N" (a new lesion) or
    "NT" (unequivocal non-target progression) — RECIST 1.1 §4.3.1-4.3.3."""
    timepoints = run.result.timepoints
    overall, target = OVERALL_RESPONSE.testcd, TARGET_RESPONSE.testcd
    non_target, new = NON_TARGET_RESPONSE.testcd, NEW_LESION_INDICATOR.testcd
    needed = {"USUBJID", "ADT", overall, target, non_target, new}
    if timepoints.empty or not needed <= set(timepoints.columns):
        return {}
    pd_rows = timepoints[timepoints[overall].astype(str) == "PD"].sort_values("ADT")
    first = pd_rows.drop_duplicates("USUBJID")
    out = {}
    for row in first.to_dict("records"):
        if str(row[target]) == "PD":
            continue
        if str(row[new]) == "Y":
            out[str(row["USUBJID"])] = "N"
        elif str(row[non_target]) == "PD":
            out[str(row["USUBJID"])] = "NT"
    return out


def waterfall_figure(run: ResponseRun, arms: tuple[str, ...], *, figure_id: str) -> Figure:
    marks = pd_not_by_target(run)
    bars = [
        WaterfallBar(
            str(row.SUBJID),
            _number_or_none(row.BEST_PCHG),
            _waterfall_response(row.BOR),
            str(row.ARM) if len(arms) > 1 else None,
            pd_by=marks.get(str(row.USUBJID)) if _waterfall_response(row.BOR) == "PD" else None,
        )
        for row in run.table.itertuples()
    ]
    measured = sum(b.best_change_pct is not None for b in bars)
    kind = "confirmed best overall response" if run.bor == "CBOR" else "best overall response"
    return Figure.from_matplotlib(
        plot_waterfall(WaterfallPlot(bars, arms=arms if len(arms) > 1 else ())),
        id=figure_id,
        caption=f"Best percentage change from baseline in the sum of target-lesion diameters, "
        f"one bar per patient (screening number), coloured by {kind}: the smallest change over "
        "the assessments that count toward best response. Dashed lines: −30% (partial "
        "response) and +20% (progression) thresholds of RECIST 1.1."
        + (
            " N: progression by a new lesion; NT: by unequivocal non-target progression — the "
            "bar's height (target lesions) does not show it (RECIST 1.1 §4.3)."
            if any(b.pd_by for b in bars)
            else ""
        ),
        alt_text=f"Waterfall plot of {measured} patients with a post-baseline measurement, "
        "sorted from the largest increase to the largest decrease.",
    )


def spider_figure(
    run: ResponseRun, arms: tuple[str, ...], reference_label: str, *, figure_id: str
) -> Figure | None:
    timepoints = run.result.timepoints
    if "PCHG" not in timepoints.columns or timepoints.empty:
        return None
    zero_column = run.result.settings.reference_date.value
    summary = run.result.summary.set_index("USUBJID")
    bor = dict(zip(run.table["USUBJID"], run.table["BOR"], strict=True))
    arm_of = dict(zip(run.table["USUBJID"], run.table["ARM"], strict=True))
    subjid_of = dict(zip(run.table["USUBJID"], run.table["SUBJID"], strict=True))
    series: list[SpiderSeries] = []
    for subject, rows in timepoints.groupby("USUBJID", sort=True):
        rows = rows[rows["PCHG"].notna()]
        zero = _cell(summary, subject, zero_column) if subject in summary.index else None
        if rows.empty or zero is None or pd.isna(zero):
            continue
        days = (pd.to_datetime(rows["ADT"]) - pd.Timestamp(zero)).dt.days
        keep = days > 0
        if not keep.any():
            continue
        series.append(
            SpiderSeries(
                str(subjid_of.get(str(subject), subject)),
                days[keep].astype(float).tolist(),
                rows.loc[keep, "PCHG"].astype(float).tolist(),
                _waterfall_response(bor.get(str(subject))),
                str(arm_of.get(str(subject))) if len(arms) > 1 else None,
            )
        )
    if not series:
        return None
    return Figure.from_matplotlib(
        plot_spider(
            SpiderPlot(
                series,
                arms=arms if len(arms) > 1 else (),
                x_label=f"Time since {reference_label} (months)",
            )
        ),
        id=figure_id,
        caption="Percentage change from baseline in the sum of target-lesion diameters at each "
        "assessment, one line per patient, by best overall response.",
        alt_text=f"Spider plot of {len(series)} patients' target-lesion sums over time.",
    )


#: a dosing gap: more than this many times the patient's median interval between
#: administrations without one (drawn as a break in the treatment bar)
GAP_FACTOR = 1.5


def dosing_gaps(
    dates: Sequence[pd.Timestamp], zero: pd.Timestamp
) -> tuple[tuple[float, float], ...]:
    """Days from ``zero`` without treatment between administrations: where the interval exceeds
    :data:`GAP_FACTOR` × the median interval, from one median interval after the dose before
    to the next dose."""
    days = sorted({(d - zero).days for d in dates})
    if len(days) < 3:
        return ()
    steps = np.diff(days)
    usual = float(np.median(steps))
    return tuple(
        (float(a + usual), float(b))
        for a, b, step in zip(days[:-1], days[1:], steps, strict=True)
        if usual > 0 and step > GAP_FACTOR * usual
    )


def _dates(frame: pd.DataFrame | None, column: str) -> dict[str, list[pd.Timestamp]]:
    if frame is None or frame.empty or column not in frame.columns:
        return {}
    when = pd.to_datetime(frame[column].astype(str).str.slice(0, 10), errors="coerce")
    out: dict[str, list[pd.Timestamp]] = {}
    for subject, day in zip(frame["USUBJID"].astype(str), when, strict=True):
        if not pd.isna(day):
            out.setdefault(subject, []).append(day)
    return out


def _day(value: object, zero: pd.Timestamp) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    when = pd.Timestamp(str(value))
    return None if pd.isna(when) else float((when - zero).days)


def swimmer_figure(
    results: TrialResults,
    run: ResponseRun,
    *,
    figure_id: str,
) -> Figure | None:
    """Treated patients from the analysis time zero: time on treatment with dosing gaps,
    procedures, responses, progression, death, still on treatment."""
    adsl = results.sets.efficacy
    treated = adsl[adsl["TRTSDT"].notna()]
    if treated.empty:
        return None
    reference = results.sets.reference
    ovr = run.result.adrs
    ovr = ovr[(ovr["PARAMCD"] == "OVR") & ovr["AVALC"].isin(["CR", "PR", "iCR", "iPR"])]
    by_subject = {subject: rows for subject, rows in ovr.groupby("USUBJID")}  # noqa: C416
    first_pd = dict(
        zip(run.result.summary["USUBJID"], run.result.summary["FIRST_PD_DT"], strict=True)
    )
    doses = _dates(results.dosing, "EXSTDTC")
    procedures = _dates(results.procedures, "PRSTDTC")
    lanes = []
    for row in treated.to_dict("records"):
        start = pd.Timestamp(row["TRTSDT"])
        zero_value = row.get(reference)
        zero = start if zero_value is None or pd.isna(zero_value) else pd.Timestamp(zero_value)
        end = (
            pd.Timestamp(row["TRTEDT"])
            if isinstance(row["TRTEDT"], str) and row["TRTEDT"]
            else start
        )
        death = _day(row.get("DTHDT"), zero)
        last_alive = _day(row.get("LSTALVDT"), zero)
        subject = str(row["USUBJID"])
        progression = first_pd.get(row["USUBJID"])
        lanes.append(
            SwimmerLane(
                str(row["SUBJID"]) if isinstance(row["SUBJID"], str) else subject,
                str(row["ARM"]),
                treatment_days=float((end - start).days + 1),
                treatment_start=float(max((start - zero).days, 0)),
                study_days=death if death is not None else last_alive,
                responses=tuple(
                    (float((_timestamp(r.ADT) - zero).days), str(r.AVALC).removeprefix("i"))
                    for r in by_subject.get(row["USUBJID"], pd.DataFrame()).itertuples()
                    if _timestamp(r.ADT) >= start
                ),
                progression_day=(
                    float((pd.Timestamp(progression) - zero).days)
                    if progression is not None and not pd.isna(progression)
                    else None
                ),
                death_day=death,
                ongoing=str(row.get("EOTSTT")) == "ONGOING",
                gaps=dosing_gaps(doses.get(subject, []), zero),
                procedures=tuple(
                    float(max((d - zero).days, 0)) for d in procedures.get(subject, [])
                ),
            )
        )
    arms = results.arm_labels
    label = results.sets.reference_label
    return Figure.from_matplotlib(
        plot_swimmer(SwimmerPlot(lanes, arms=arms, x_label=f"Time since {label} (months)")),
        id=figure_id,
        caption=f"Each treated patient from {label}, the analysis time zero: time on study "
        "treatment (bar, from the first dose; white breaks: no dose for more than "
        f"{GAP_FACTOR:g} times the patient's median interval between administrations) and "
        "follow-up (line), by screening number, with procedures (local therapy, SDTM PR), "
        "responses, progression, death and treatment ongoing at the data cut-off (arrow).",
        alt_text=f"Swimmer plot of {len(lanes)} treated patients, longest at the top.",
    )
