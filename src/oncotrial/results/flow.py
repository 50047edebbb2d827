"""participantFlowModule and baselineCharacteristicsModule from the analysis's results.

Participant flow (PRS: "Identical in purpose to a CONSORT flow diagram … but represented as
tables"): one period, "Overall Study", with the report's CONSORT counts per arm. STARTED is the
number allocated; COMPLETED those whose end-of-treatment status is completed; NOT COMPLETED the
rest, with drop/withdraw reasons taken from the data (never treated, treatment discontinued with
its reason, still on treatment at the cut-off, status not recorded) so that they add up.

Baseline characteristics: the report's baseline table (same analysis set, same counts; the
cells are read back from the report's own figures), plus what the PRS asks and the report does
not show — age categories, race and ethnicity as collected (NIH/OMB categories), region of
enrollment and the trial's stratification factors — counted from the same analysis set.
"""

from __future__ import annotations

import re

import pandas as pd

from oncotrial.analysis.results import BaselineRow, TrialResults
from oncotrial.catalogue.countries import country_name
from oncotrial.catalogue.subject import COMPLETED
from oncotrial.results.common import (
    MILESTONE_COMPLETED,
    MILESTONE_NOT_COMPLETED,
    MILESTONE_STARTED,
    Origin,
    Provenance,
    arm_groups,
    denom,
)
from oncotrial.results.model import (
    Achievement,
    BaselineCharacteristicsModule,
    BaselineMeasure,
    Category,
    DropWithdraw,
    Group,
    MeasureClass,
    Measurement,
    Milestone,
    ParticipantFlowModule,
    Period,
    Reason,
)

__all__ = ["arm_descriptions", "baseline_module", "flow_module"]

_COUNT = re.compile(r"^(\d+)(?: \(\d+\.\d%\))?$")
_MEDIAN_RANGE = re.compile(r"^(-?[\d.]+) \((-?[\d.]+)–(-?[\d.]+)\)$")

#: NIH/OMB race categories of the PRS, from SDTM RACE (CDISC CT C74457).
_RACE = (
    ("AMERICAN INDIAN OR ALASKA NATIVE", "American Indian or Alaska Native"),
    ("ASIAN", "Asian"),
    ("NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER", "Native Hawaiian or Other Pacific Islander"),
    ("BLACK OR AFRICAN AMERICAN", "Black or African American"),
    ("WHITE", "White"),
    ("MULTIPLE", "More than one race"),
)
_RACE_UNKNOWN = "Unknown or Not Reported"


def arm_descriptions(results: TrialResults) -> dict[str, str]:
    """The registration's description of each arm (by label)."""
    return {a.label: a.description for a in results.protocol.arms if a.description}


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def _completed(results: TrialResults, label: str) -> int:
    """Treated subjects of the arm whose end-of-treatment status is COMPLETED (ADSL EOTSTT)."""
    adsl = results.adsl
    if "EOTSTT" not in adsl.columns:
        return 0
    members = adsl[
        (_text(adsl["RANDFL"]) == "Y")
        & (_text(adsl["ARM"]) == label)
        & (_text(adsl["SAFFL"]) == "Y")
    ]
    return int((_text(members["EOTSTT"]) == COMPLETED).sum())


def flow_module(
    results: TrialResults, provenance: list[Provenance]
) -> tuple[ParticipantFlowModule, tuple[Group, ...]]:
    consort = results.consort
    groups = arm_groups("FG", tuple(a.label for a in consort.arms), arm_descriptions(results))
    started, completed, not_completed = [], [], []
    reasons: dict[str, list[int]] = {}

    def add(reason: str, index: int, count: int) -> None:
        reasons.setdefault(reason, [0] * len(groups))[index] += count

    for index, arm in enumerate(consort.arms):
        done = _completed(results, arm.label)
        started.append(arm.allocated)
        completed.append(done)
        not_completed.append(arm.allocated - done)
        for reason, count in arm.not_treated:
            add(f"Not treated: {reason}", index, count)
        for reason, count in arm.discontinued_reasons:
            add(reason, index, count)
        if arm.ongoing:
            add(
                f"On treatment at the data cut-off ({results.cutoff.isoformat()})",
                index,
                arm.ongoing,
            )
        unknown = arm.treated - arm.discontinued - arm.ongoing - done
        if unknown:
            add("End-of-treatment status not recorded", index, unknown)

    def milestone(kind: str, counts: list[int]) -> Milestone:
        return Milestone(
            kind, tuple(Achievement(g.id, str(n)) for g, n in zip(groups, counts, strict=True))
        )

    period = Period(
        "Overall Study",
        (
            milestone(MILESTONE_STARTED, started),
            milestone(MILESTONE_COMPLETED, completed),
            milestone(MILESTONE_NOT_COMPLETED, not_completed),
        ),
        tuple(
            DropWithdraw(
                reason, tuple(Reason(g.id, str(n)) for g, n in zip(groups, counts, strict=True))
            )
            for reason, counts in reasons.items()
        ),
    )
    screened, enrolled = consort.screened, consort.enrolled
    failures = "; ".join(f"{reason}: {n}" for reason, n in consort.not_eligible)
    pre = (
        f"{screened} patients were screened and {enrolled} "
        f"{'randomized' if consort.randomized else 'enrolled'}"
        + (f"; not eligible (first criterion not met): {failures}" if failures else "")
        + ". COMPLETED counts patients who completed study treatment as the protocol plans it."
    )
    provenance.append(
        Provenance("participantFlowModule", Origin.DERIVED, "the report's participant flow")
    )
    provenance.append(
        Provenance(
            "participantFlowModule.recruitmentDetails",
            Origin.ASSUMED,
            "not generated: recruitment period and sites must be written by the team",
        )
    )
    return ParticipantFlowModule(
        pre_assignment_details=pre, groups=groups, periods=(period,)
    ), groups


# --- baseline ------------------------------------------------------------------------------------


def _count(cell: str, where: str) -> int:
    match = _COUNT.match(cell.strip())
    if match is None:
        raise ValueError(f"baseline cell {cell!r} ({where}) is not 'n (p%)'")  # a defect
    return int(match[1])


def _sections(rows: tuple[BaselineRow, ...]) -> list[tuple[str, list[BaselineRow]]]:
    out: list[tuple[str, list[BaselineRow]]] = []
    for row in rows:
        if row.heading:
            out.append((row.label, []))
        elif out:
            out[-1][1].append(row)
    return out


def _counts_measure(
    title: str, groups: tuple[Group, ...], rows: list[tuple[str, tuple[int, ...]]]
) -> BaselineMeasure:
    return BaselineMeasure(
        title=title,
        param_type="COUNT_OF_PARTICIPANTS",
        unit_of_measure="Participants",
        classes=(
            MeasureClass(
                categories=tuple(
                    Category(
                        label,
                        tuple(
                            Measurement(g.id, str(n)) for g, n in zip(groups, counts, strict=True)
                        ),
                    )
                    for label, counts in rows
                )
            ),
        ),
    )


def _age_measures(
    results: TrialResults,
    groups: tuple[Group, ...],
    frames: list[pd.DataFrame],
    rows: list[BaselineRow],
) -> list[BaselineMeasure]:
    by_label = {r.label: r for r in rows}
    out = []
    median = by_label.get("Median (range)")
    if median is not None:
        values = []
        for g, cell in zip(groups, median.cells, strict=True):
            match = _MEDIAN_RANGE.match(cell)
            values.append(
                Measurement(g.id, match[1], lower_limit=match[2], upper_limit=match[3])
                if match
                else Measurement(g.id, "NA", comment="No age recorded")
            )
        out.append(
            BaselineMeasure(
                title="Age, Continuous",
                param_type="MEDIAN",
                dispersion_type="FULL_RANGE",
                unit_of_measure="years",
                classes=(MeasureClass(categories=(Category(measurements=tuple(values)),)),),
            )
        )
    over = by_label.get("≥ 65 years")
    if over is not None:
        # The PRS's Age, Categorical: <=18, between 18 and 65, >=65 (the last is the report's).
        older = tuple(_count(c, "age ≥ 65") for c in over.cells)
        ages = [
            pd.to_numeric(f["AGE"], errors="coerce") if "AGE" in f else pd.Series(dtype=float)
            for f in frames
        ]
        young = tuple(int((a <= 18).sum()) for a in ages)
        middle = tuple(int(((a > 18) & (a < 65)).sum()) for a in ages)
        out.append(
            _counts_measure(
                "Age, Categorical",
                groups,
                [("<=18 years", young), ("Between 18 and 65 years", middle), (">=65 years", older)],
            )
        )
    return out


def _adsl_categories(
    frames: list[pd.DataFrame], column: str, mapping: tuple[tuple[str, str], ...], other: str
) -> list[tuple[str, tuple[int, ...]]] | None:
    if not any(column in f.columns and _text(f[column]).ne("").any() for f in frames):
        return None
    rows = []
    known = [code for code, _ in mapping]
    for code, label in mapping:
        counts = tuple(
            int((_text(f[column]).str.upper() == code).sum()) if column in f else 0 for f in frames
        )
        if any(counts):
            rows.append((label, counts))
    rest = tuple(
        int((~_text(f[column]).str.upper().isin(known)).sum()) if column in f else len(f)
        for f in frames
    )
    if any(rest):
        rows.append((other, rest))
    return rows


def _values(frames: list[pd.DataFrame], column: str) -> list[tuple[str, tuple[int, ...]]] | None:
    if not any(column in f.columns and _text(f[column]).ne("").any() for f in frames):
        return None
    seen = sorted({v for f in frames for v in _text(f[column]) if v})
    rows = [(v, tuple(int((_text(f[column]) == v).sum()) for f in frames)) for v in seen]
    missing = tuple(int((_text(f[column]) == "").sum()) for f in frames)
    if any(missing):
        rows.append(("Not reported", missing))
    return rows


def baseline_module(
    results: TrialResults, provenance: list[Provenance]
) -> BaselineCharacteristicsModule:
    table = results.baseline
    groups = arm_groups("BG", table.columns, arm_descriptions(results))
    if len(groups) > 1:
        groups = (*groups[:-1], Group(groups[-1].id, "Total", "Total of all reporting groups"))
    efficacy = results.sets.efficacy
    frames = [efficacy[_text(efficacy["ARM"]) == a.label] for a in results.arms]
    if len(frames) > 1:
        frames.append(efficacy)
    sections = _sections(table.rows)
    measures: list[BaselineMeasure] = []
    for heading, rows in sections:
        if heading.startswith("Age"):
            measures += _age_measures(results, groups, frames, rows)
            continue
        counted = [
            (r.label, tuple(_count(c, f"{heading}: {r.label}") for c in r.cells)) for r in rows
        ]
        if heading == "Sex" and {label for label, _ in counted} <= {"Male", "Female"}:
            order = {"Female": 0, "Male": 1}
            counted.sort(key=lambda item: order[item[0]])
            measures.append(_counts_measure("Sex: Female, Male", groups, counted))
        else:
            measures.append(
                _counts_measure(
                    heading if heading != "Sex" else "Sex/Gender, Customized", groups, counted
                )
            )
    race = _adsl_categories(frames, "RACE", _RACE, _RACE_UNKNOWN)
    if race is not None:
        measures.append(_counts_measure("Race (NIH/OMB)", groups, race))
    ethnic = _adsl_categories(
        frames,
        "ETHNIC",
        (
            ("HISPANIC OR LATINO", "Hispanic or Latino"),
            ("NOT HISPANIC OR LATINO", "Not Hispanic or Latino"),
        ),
        _RACE_UNKNOWN,
    )
    if ethnic is not None:
        measures.append(_counts_measure("Ethnicity (NIH/OMB)", groups, ethnic))
    countries = _values(frames, "COUNTRY")
    if countries is not None:
        # Region of Enrollment: one class per country, counts as NUMBER of participants (PRS),
        # titled by the country's ClinicalTrials.gov name (catalogue.countries); a code the
        # table does not name stays as recorded and the checks flag it (REGION-NAME).
        countries = [(country_name(code) or code, counts) for code, counts in countries]
        provenance.append(
            Provenance(
                f"baselineCharacteristicsModule.measures[{len(measures)}].classes",
                Origin.DERIVED,
                "ADSL COUNTRY (ISO 3166-1 alpha-3) named as ClinicalTrials.gov names the country "
                "(oncotrial.catalogue.countries)",
            )
        )
        measures.append(
            BaselineMeasure(
                title="Region of Enrollment",
                param_type="NUMBER",
                unit_of_measure="participants",
                classes=tuple(
                    MeasureClass(
                        title=country,
                        categories=(
                            Category(
                                measurements=tuple(
                                    Measurement(g.id, str(n))
                                    for g, n in zip(groups, counts, strict=True)
                                )
                            ),
                        ),
                    )
                    for country, counts in countries
                ),
            )
        )
    strata = _values(frames, "STRATUM")
    if strata is not None:
        factors = ", ".join(results.plan.stratification_factors) or "as randomized"
        measures.append(_counts_measure(f"Stratification factors ({factors})", groups, strata))
    provenance.append(
        Provenance(
            "baselineCharacteristicsModule",
            Origin.DERIVED,
            "the report's baseline table (same analysis set); race, ethnicity, region and strata "
            "counted from the same set's ADSL rows",
        )
    )
    return BaselineCharacteristicsModule(
        population_description=(
            f"{results.sets.efficacy_name}: {results.sets.efficacy_definition}. "
            f"Data cut-off {results.cutoff.isoformat()}."
        ),
        groups=groups,
        denoms=(denom(groups, table.totals),),
        measures=tuple(measures),
    )
