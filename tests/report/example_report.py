"""A realistic-looking example report with INVENTED numbers — a fixture, not a result.

Used by the tests, the benchmark and the documentation to exercise every block type, every
figure and every format at the size of a real phase II report (two arms of 30, ~10 pages).
Nothing here is estimated: curves are drawn from a made-up exponential shape, counts from a
seeded random generator, and every page says so in its banner. The real report is assembled
from the engines' outputs by the application layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from oncotrial.report.document import (
    Column,
    Fact,
    Facts,
    Figure,
    Listing,
    Note,
    NoteKind,
    Paragraph,
    RegistryQuote,
    Report,
    Row,
    Section,
    Table,
    TitlePage,
)
from oncotrial.report.figures import (
    MONTH_DAYS,
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

__all__ = ["EXAMPLE_BANNER", "build_example_report"]

EXAMPLE_BANNER = "SYNTHETIC EXAMPLE — invented numbers, not trial results"
ARMS = ("Radiotherapy + PD-1", "PD-1 alone")
REGISTRY = "NCT00000000 (example)"


def _subjects(rng: np.random.Generator, arms: tuple[str, ...], per_arm: int) -> list[dict]:
    subjects = []
    for arm_index, arm in enumerate(arms):
        for i in range(per_arm):
            scale = 330.0 if arm_index == 0 else 220.0  # invented "true" PFS scale, days
            pfs = float(rng.exponential(scale)) + 20
            follow = float(rng.uniform(200, 720))
            progressed = pfs < follow
            death = float(pfs + rng.exponential(300)) if progressed else None
            if death is not None and death > follow:
                death = None
            change = float(np.clip(rng.normal(-28 if arm_index == 0 else -12, 30), -100, 150))
            if i % 11 == 3:
                change = -100.0
            bor = (
                "CR"
                if change <= -99
                else "PR"
                if change <= -30
                else "PD"
                if change >= 20 or (progressed and pfs < 70)
                else "SD"
            )
            measured = i % 13 != 7
            subjects.append(
                {
                    "id": f"{arm_index + 1}{i + 1:03d}",
                    "arm": arm,
                    "pfs": min(pfs, follow),
                    "progressed": progressed,
                    "death": death,
                    "follow": follow,
                    "change": change if measured else None,
                    "bor": bor if measured else "NE",
                    "age": int(rng.integers(41, 82)),
                    "sex": "M" if rng.random() < 0.68 else "F",
                    "ecog": int(rng.random() < 0.45),
                }
            )
    return subjects


def _curve(
    label: str, times: list[float], events: list[bool], scale: float, ticks: tuple[float, ...]
) -> KMCurve:
    """An invented step function shaped like exp(-t/scale) — a drawing, not an estimate."""
    event_times = sorted(t for t, e in zip(times, events, strict=True) if e)
    survival = [math.exp(-t / scale) for t in event_times]
    spread = [0.35 / math.sqrt(max(1, len(times) - k)) * 3 for k in range(len(event_times))]
    lower = [s ** math.exp(w) for s, w in zip(survival, spread, strict=True)]
    upper = [s ** math.exp(-w) for s, w in zip(survival, spread, strict=True)]
    censored = sorted(t for t, e in zip(times, events, strict=True) if not e)
    # The median as read off the drawn step function, so that the guide lines meet the curve.
    median = next((t for t, s in zip(event_times, survival, strict=True) if s <= 0.5), None)
    at_risk = [sum(t >= x for t in times) for x in ticks]
    return KMCurve(label, event_times, survival, lower, upper, censored, median, at_risk)


def _quotes(title: str, definition: str, time_frame: str, which: str) -> list[RegistryQuote]:
    return [
        RegistryQuote(title, "Title", f"{REGISTRY}, {which}"),
        RegistryQuote(definition, "Description", f"{REGISTRY}, {which}"),
        RegistryQuote(time_frame, "Time frame", f"{REGISTRY}, {which}"),
    ]


@dataclass(frozen=True)
class _Example:
    """What every section of the example draws from: the invented patients and the options."""

    rng: np.random.Generator
    subjects: list[dict]
    per_arm: int
    svg: bool

    @property
    def by_arm(self) -> dict[str, list[dict]]:
        return {arm: [s for s in self.subjects if s["arm"] == arm] for arm in ARMS}


def _pct(k: int, n: int) -> str:
    return f"{k} ({100 * k / n:.1f}%)" if n else "0"


def build_example_report(
    *,
    generated: datetime = datetime(2025, 1, 15, 9, 30),
    per_arm: int = 30,
    seed: int = 20250115,
    svg: bool = False,
) -> Report:
    """The example report (two randomized arms of ``per_arm`` invented patients)."""
    rng = np.random.default_rng(seed)
    example = _Example(rng, _subjects(rng, ARMS, per_arm), per_arm, svg)
    # The sections draw from the one generator in this order (response, then safety), so that
    # the invented numbers stay those of the seed.
    response = _response_section(example)
    pfs, os_, dor = _pfs_section(example), _os_section(example), _dor_section(example)
    safety = _safety_section(example)
    endpoints = Section(
        "endpoints",
        "Endpoints",
        (
            Paragraph(
                "Each endpoint is shown with the registration's own title, description and "
                "time frame, then the result computed as registered."
            ),
        ),
        (response, pfs, os_, dor, safety, _pdl1_section()),
    )
    return Report(
        _title_page(generated),
        (
            _flow_section(example),
            Section("baseline", "Baseline characteristics", (_baseline_table(example),)),
            endpoints,
            _methods_section(),
            _listings_section(example),
        ),
    )


def _title_page(generated: datetime) -> TitlePage:
    return TitlePage(
        title="Consolidation radiotherapy after chemo-immunotherapy in oligoresidual NSCLC",
        protocol_id="EXAMPLE-001",
        registry_ids=("NCT00000000",),
        data_cutoff=date(2024, 12, 31),
        software_version="0.1.0",
        generated=generated,
        subtitle="Phase II trial report — example layout",
        banner=EXAMPLE_BANNER,
        details=(
            Fact("Design", "Randomized 1:1, open label, two arms"),
            Fact("Arms", "; ".join(ARMS)),
            Fact("Sponsor", "Example University Hospital"),
        ),
    )


def _flow_section(example: _Example) -> Section:
    per_arm, by_arm = example.per_arm, example.by_arm
    consort = ConsortFlow(
        screened=per_arm * 2 + 17,
        enrolled=per_arm * 2,
        randomized=True,
        not_eligible=(
            Reason("EGFR or ALK driver alteration", 6),
            Reason("ECOG performance status ≥ 2", 4),
            Reason("Progression during induction chemo-immunotherapy", 5),
            Reason("Declined to participate", 2),
        ),
        arms=tuple(
            ConsortArm(
                arm,
                per_arm,
                received=per_arm - (1 if i == 0 else 0),
                not_received=(Reason("Withdrew consent before treatment", 1),) if i == 0 else (),
                discontinued=sum(s["progressed"] for s in by_arm[arm]) + 2,
                discontinued_reasons=(
                    Reason("Disease progression", sum(s["progressed"] for s in by_arm[arm])),
                    Reason("Adverse event", 2),
                ),
                analysed=sum(s["change"] is not None for s in by_arm[arm]),
                excluded_from_analysis=(
                    Reason(
                        "No post-baseline tumour assessment",
                        sum(s["change"] is None for s in by_arm[arm]),
                    ),
                ),
                analysis_set="Analysed for response",
            )
            for i, arm in enumerate(ARMS)
        ),
    )
    return Section(
        "flow",
        "Participant flow",
        (
            Figure.from_matplotlib(
                plot_consort(consort),
                id="consort",
                svg=example.svg,
                caption="Participant flow (CONSORT 2010 style).",
                alt_text=f"Flow diagram: {consort.screened} assessed for eligibility, "
                f"{consort.excluded_count} excluded, {consort.enrolled} randomized "
                f"{per_arm} to each arm, with treatment, discontinuation and analysis "
                "counts per arm.",
            ),
        ),
    )


def _baseline_table(example: _Example) -> Table:
    per_arm, by_arm = example.per_arm, example.by_arm
    baseline_rows: list[Row] = [Row(("Age, years", "", ""), emphasis=True)]
    for label, fn in (
        (
            "Median (range)",
            lambda g: (
                f"{int(np.median([s['age'] for s in g]))} "
                f"({min(s['age'] for s in g)}–{max(s['age'] for s in g)})"
            ),
        ),
    ):
        baseline_rows.append(Row((label, *(fn(by_arm[a]) for a in ARMS)), level=1))
    baseline_rows.append(Row(("Sex", "", ""), emphasis=True))
    for code, label in (("M", "Male"), ("F", "Female")):
        baseline_rows.append(
            Row(
                (label, *(_pct(sum(s["sex"] == code for s in by_arm[a]), per_arm) for a in ARMS)),
                level=1,
            )
        )
    baseline_rows.append(Row(("ECOG performance status", "", ""), emphasis=True))
    for value in (0, 1):
        baseline_rows.append(
            Row(
                (
                    str(value),
                    *(_pct(sum(s["ecog"] == value for s in by_arm[a]), per_arm) for a in ARMS),
                ),
                level=1,
            )
        )
    return Table(
        "baseline",
        "Baseline characteristics (intention-to-treat set)",
        (Column("Characteristic"), *(Column(f"{a} (N = {per_arm})", "right") for a in ARMS)),
        tuple(baseline_rows),
        footnotes=("Percentages of the patients randomized to each arm.",),
    )


def _response_section(example: _Example) -> Section:
    per_arm, by_arm, subjects, rng = example.per_arm, example.by_arm, example.subjects, example.rng

    def counts(arm: str) -> dict[str, int]:
        return {c: sum(s["bor"] == c for s in by_arm[arm]) for c in ("CR", "PR", "SD", "PD", "NE")}

    bor_rows = []
    for category, label in (
        ("CR", "Complete response"),
        ("PR", "Partial response"),
        ("SD", "Stable disease"),
        ("PD", "Progressive disease"),
        ("NE", "Not evaluable"),
    ):
        bor_rows.append((label, *(counts(a)[category] for a in ARMS)))
    orr = {a: counts(a)["CR"] + counts(a)["PR"] for a in ARMS}
    bor_rows.append(Row(("Objective response (CR + PR)", *(orr[a] for a in ARMS)), emphasis=True))
    bor_table = Table(
        "best-response",
        "Best overall response (RECIST 1.1, confirmed)",
        (Column("Best overall response"), *(Column(a) for a in ARMS)),
        tuple(bor_rows),
        footnotes=(
            "Confirmation of CR/PR at least 4 weeks later (RECIST 1.1 §4.4).",
            "Invented counts: this is the example fixture.",
        ),
    )
    waterfall = Figure.from_matplotlib(
        plot_waterfall(
            WaterfallPlot(
                [WaterfallBar(s["id"], s["change"], s["bor"], s["arm"]) for s in subjects],
                arms=ARMS,
            )
        ),
        id="waterfall",
        svg=example.svg,
        caption="Best percentage change from baseline in the sum of target-lesion diameters, "
        "by patient, coloured by best overall response. Dashed lines: −30% and +20%.",
        alt_text="Waterfall plot per arm: bars sorted from largest increase to largest "
        "decrease; most bars in the radiotherapy arm fall below −30%.",
    )
    spider = Figure.from_matplotlib(
        plot_spider(
            SpiderPlot(
                [
                    SpiderSeries(
                        s["id"],
                        days,
                        np.linspace(s["change"] / len(days), s["change"], len(days))
                        * rng.uniform(0.8, 1.0, len(days)),
                        s["bor"],
                        s["arm"],
                    )
                    for s in subjects
                    if s["change"] is not None
                    for days in [np.arange(1, 1 + int(rng.integers(1, 7))) * 56.0]
                ],
                arms=ARMS,
            )
        ),
        id="spider",
        svg=example.svg,
        caption="Percentage change from baseline in the target-lesion sum over time, by patient.",
        alt_text="Spider plot per arm: one line per patient from 0% at baseline.",
    )
    return Section(
        "orr",
        "Objective response rate (primary endpoint)",
        (
            *_quotes(
                "Objective response rate (ORR)",
                "The proportion of patients with a complete or partial response per RECIST "
                "1.1, confirmed at least 4 weeks later.",
                "Up to 24 months",
                "primary outcome 1",
            ),
            Facts(
                tuple(
                    Fact(
                        f"ORR, {a}",
                        f"{orr[a]}/{per_arm} ({100 * orr[a] / per_arm:.1f}%)",
                        "exact (Clopper-Pearson) 95% CI: invented",
                    )
                    for a in ARMS
                )
            ),
            bor_table,
            waterfall,
            spider,
        ),
    )


def _pfs_section(example: _Example) -> Section:
    per_arm, by_arm = example.per_arm, example.by_arm
    ticks = month_ticks(720)
    pfs_curves = [
        _curve(
            a,
            [s["pfs"] for s in by_arm[a]],
            [s["progressed"] for s in by_arm[a]],
            330.0 if i == 0 else 220.0,
            ticks,
        )
        for i, a in enumerate(ARMS)
    ]
    km_pfs = Figure.from_matplotlib(
        plot_km(
            KMPlot(
                pfs_curves,
                y_label="Progression-free survival probability",
                at_risk_times=ticks,
                annotation="HR 0.64 (95% CI 0.36–1.13); log-rank p = 0.12 (invented)",
            )
        ),
        id="km-pfs",
        svg=example.svg,
        caption="Progression-free survival by arm: Kaplan-Meier estimates with pointwise 95% "
        "CIs, censoring marks and numbers at risk.",
        alt_text="Two Kaplan-Meier curves; the radiotherapy arm stays above the control arm.",
    )
    forest = Figure.from_matplotlib(
        plot_forest(
            ForestPlot(
                (
                    ForestRow(
                        "All patients",
                        n=2 * per_arm,
                        events=41,
                        estimate=0.64,
                        lower=0.36,
                        upper=1.13,
                        overall=True,
                    ),
                    ForestRow("Age", header=True),
                    ForestRow(
                        "< 65 years",
                        n=34,
                        events=23,
                        estimate=0.58,
                        lower=0.26,
                        upper=1.30,
                        level=1,
                    ),
                    ForestRow(
                        "≥ 65 years",
                        n=26,
                        events=18,
                        estimate=0.74,
                        lower=0.29,
                        upper=1.88,
                        level=1,
                    ),
                    ForestRow("ECOG performance status", header=True),
                    ForestRow("0", n=33, events=20, estimate=0.55, lower=0.22, upper=1.36, level=1),
                    ForestRow("1", n=27, events=21, estimate=0.79, lower=0.33, upper=1.90, level=1),
                    ForestRow("PD-L1 TPS", header=True),
                    ForestRow("< 1%", n=14, events=0, level=1, note="not estimable: no events"),
                    ForestRow(
                        "≥ 1%", n=46, events=41, estimate=0.61, lower=0.33, upper=1.13, level=1
                    ),
                ),
                favours=(f"Favours {ARMS[0]}", f"Favours {ARMS[1]}"),
            )
        ),
        id="forest-pfs",
        svg=example.svg,
        caption="Hazard ratios for progression-free survival by subgroup (Cox model), 95% CI, "
        "log scale.",
        alt_text="Forest plot: all subgroup hazard ratios below 1 with CIs crossing 1; the "
        "PD-L1 < 1% subgroup is not estimable.",
    )
    return Section(
        "pfs",
        "Progression-free survival",
        (
            *_quotes(
                "Progression-free survival (PFS)",
                "Time from randomization to disease progression per RECIST 1.1 or death from "
                "any cause, whichever occurs first.",
                "Up to 24 months",
                "secondary outcome 1",
            ),
            Facts(
                (
                    Fact(
                        f"Median PFS, {ARMS[0]}",
                        f"{pfs_curves[0].median / MONTH_DAYS:.1f} months"
                        if pfs_curves[0].median
                        else "not reached",
                        "95% CI: invented",
                    ),
                    Fact(
                        f"Median PFS, {ARMS[1]}",
                        f"{pfs_curves[1].median / MONTH_DAYS:.1f} months"
                        if pfs_curves[1].median
                        else "not reached",
                        "95% CI: invented",
                    ),
                    Fact("Hazard ratio", "0.64 (95% CI 0.36–1.13)", "Cox, Efron ties; invented"),
                )
            ),
            km_pfs,
            forest,
        ),
    )


def _os_section(example: _Example) -> Section:
    subjects = example.subjects
    ticks = month_ticks(720)
    os_times = [s["death"] if s["death"] is not None else s["follow"] for s in subjects]
    os_events = [s["death"] is not None for s in subjects]
    os_curve = _curve("All patients", os_times, os_events, 900.0, ticks)
    return Section(
        "os",
        "Overall survival",
        (
            *_quotes(
                "Overall survival (OS)",
                "Time from randomization to death from any cause.",
                "Up to 24 months",
                "secondary outcome 2",
            ),
            Note.not_computable(
                "Median overall survival",
                "fewer than half of the patients had died by the data cut-off "
                f"({sum(os_events)} of {len(subjects)})",
            ),
            Figure.from_matplotlib(
                plot_km(
                    KMPlot([os_curve], y_label="Overall survival probability", at_risk_times=ticks)
                ),
                id="km-os",
                svg=example.svg,
                caption="Overall survival, all patients: Kaplan-Meier estimate with 95% CI.",
                alt_text="One Kaplan-Meier curve staying above 50% throughout follow-up.",
            ),
        ),
    )


def _dor_section(example: _Example) -> Section:
    subjects = example.subjects
    swimmer = Figure.from_matplotlib(
        plot_swimmer(
            SwimmerPlot(
                [
                    SwimmerLane(
                        s["id"],
                        s["arm"],
                        treatment_days=min(s["pfs"], 365.0),
                        study_days=s["death"] or s["follow"],
                        responses=((56.0, "PR"),) if s["bor"] in ("PR", "CR") else (),
                        progression_day=s["pfs"] if s["progressed"] else None,
                        death_day=s["death"],
                        ongoing=not s["progressed"] and s["pfs"] < 365.0 and s["death"] is None,
                    )
                    for s in subjects
                    if s["bor"] in ("CR", "PR")
                ],
                arms=ARMS,
            )
        ),
        id="swimmer",
        svg=example.svg,
        caption="Responders: time on treatment and on study, with response onset, "
        "progression and death.",
        alt_text="Swimmer plot of the responding patients, longest on study at the top.",
    )
    return Section(
        "dor",
        "Duration of response",
        (
            *_quotes(
                "Duration of response (DoR)",
                "Time from first documented response to progression or death.",
                "Up to 24 months",
                "secondary outcome 3",
            ),
            swimmer,
        ),
    )


def _safety_section(example: _Example) -> Section:
    per_arm, rng = example.per_arm, example.rng
    ae_rows: list[Row] = []
    for soc, terms in (
        ("Respiratory, thoracic and mediastinal disorders", ("Pneumonitis", "Cough", "Dyspnea")),
        ("Skin and subcutaneous tissue disorders", ("Rash maculo-papular", "Pruritus")),
        ("Endocrine disorders", ("Hypothyroidism",)),
        ("General disorders and administration site conditions", ("Fatigue",)),
    ):
        ae_rows.append(Row((soc, "", "", "", ""), emphasis=True))
        for term in terms:
            cells = []
            for _ in ARMS:
                any_grade = int(rng.integers(1, 12))
                cells.append(_pct(any_grade, per_arm))
                cells.append(_pct(int(any_grade * rng.uniform(0, 0.4)), per_arm))
            ae_rows.append(Row((term, *cells), level=1))
    ae_table = Table(
        "ae-by-soc",
        "Treatment-emergent adverse events by CTCAE v5.0 SOC and term",
        (
            Column("System organ class / term"),
            *(Column(f"{a}: {g}", "right") for a in ARMS for g in ("any grade", "grade ≥ 3")),
        ),
        tuple(ae_rows),
        footnotes=(
            "Patients counted once per term at their worst grade.",
            "Invented counts: this is the example fixture.",
        ),
    )
    return Section(
        "safety",
        "Safety",
        (
            *_quotes(
                "Incidence of adverse events",
                "Adverse events graded by CTCAE v5.0.",
                "Up to 24 months",
                "secondary outcome 4",
            ),
            ae_table,
        ),
    )


def _pdl1_section() -> Section:
    return Section(
        "pdl1",
        "PD-L1 expression and response",
        (
            *_quotes(
                "Correlation of PD-L1 expression with ORR",
                "PD-L1 tumour proportion score (22C3) and objective response.",
                "Baseline",
                "other outcome 1",
            ),
            Note.not_computable(
                "The PD-L1–response association", "PD-L1 TPS was recorded for only 9 of 60 patients"
            ),
        ),
    )


def _methods_section() -> Section:
    return Section(
        "methods",
        "Methods",
        (
            Paragraph(
                "Analysis sets: intention-to-treat (all randomized patients) for efficacy; "
                "safety set (all patients who received any study treatment) for safety."
            ),
            Paragraph(
                "Tumour response was derived from the lesion measurements per RECIST 1.1 "
                "with confirmation required; time-to-event endpoints were estimated with the "
                "Kaplan-Meier method, medians with Brookmeyer-Crowley CIs (log-log), and "
                "arms compared by the log-rank test and a Cox model (Efron ties)."
            ),
            Facts((Fact("numpy", np.__version__), Fact("Report", "oncotrial example fixture"))),
            Note(
                "This example's numbers are invented to show the layout; none was computed from "
                "trial data.",
                NoteKind.CAUTION,
            ),
        ),
    )


def _listings_section(example: _Example) -> Section:
    subjects = example.subjects
    listing_rows = [
        (
            s["id"],
            s["arm"],
            s["bor"],
            None if s["change"] is None else round(s["change"], 1),
            round(s["pfs"] / MONTH_DAYS, 1),
            "yes" if s["progressed"] else "no",
        )
        for s in subjects
    ]
    return Section(
        "listings",
        "Listings",
        (
            Listing(
                "listing-responses",
                "Best overall response and progression per subject",
                (
                    Column("Subject"),
                    Column("Arm"),
                    Column("BOR", "center"),
                    Column("Best change (%)", format=".1f"),
                    Column("PFS (months)", format=".1f"),
                    Column("Progressed", "center"),
                ),
                tuple(listing_rows),
                footnotes=("BOR: best overall response; – : no post-baseline measurement.",),
            ),
            Listing(
                "listing-deaths",
                "Deaths",
                (Column("Subject"), Column("Arm"), Column("Day of death"), Column("Cause")),
                tuple(
                    (s["id"], s["arm"], int(s["death"]), "Disease progression")
                    for s in subjects
                    if s["death"] is not None
                ),
            ),
        ),
    )
