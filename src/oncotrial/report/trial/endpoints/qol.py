"""The quality-of-life section: scores and change from baseline per arm and visit."""

from __future__ import annotations

from oncotrial.analysis.results import EndpointResult, QolOutcome, TrialResults
from oncotrial.endpoints.qol import MINIMAL_IMPORTANT_DIFFERENCE
from oncotrial.report import Block, Column, Paragraph, Row, Table
from oncotrial.report.trial.endpoints.arms import arm_codes
from oncotrial.report.trial.wording import fmt_p, round_or_none

__all__ = ["qol_blocks"]


def qol_blocks(results: TrialResults, item: EndpointResult, outcome: QolOutcome) -> list[Block]:
    summary = outcome.summary
    mid = f"{MINIMAL_IMPORTANT_DIFFERENCE:g}"
    codes = arm_codes(results)
    blocks: list[Block] = [
        Paragraph(
            f"{summary.label} ({summary.test}): patients with a baseline score per arm: "
            + ", ".join(
                f"{arm} {n}"
                for arm, n in zip(summary.arms, summary.subjects_with_baseline, strict=True)
            )
            + "."
        )
    ]
    ordered = sorted(
        summary.arms,
        key=lambda a: (results.arm_labels.index(a) if a in results.arm_labels else 99, a),
    )
    for arm in ordered:
        rows = [
            Row(
                (
                    row.visit,
                    row.n,
                    round_or_none(row.mean, 4),
                    round_or_none(row.sd, 4),
                    row.change_n if not row.baseline else None,
                    round_or_none(row.change_mean, 4),
                    round_or_none(row.change_sd, 4),
                    row.improved if not row.baseline else None,
                    row.worsened if not row.baseline else None,
                ),
                emphasis=row.baseline,
            )
            for row in summary.rows
            if row.arm == arm
        ]
        suffix = f"-{codes.get(arm, arm).lower()}" if len(summary.arms) > 1 else ""
        blocks.append(
            Table(
                f"{item.id}-qol{suffix}"[:63],
                f"{summary.label} by visit" + (f": {arm}" if len(summary.arms) > 1 else ""),
                (
                    Column("Visit"),
                    Column("n", "right"),
                    Column("Mean", "right", ".1f"),
                    Column("SD", "right", ".1f"),
                    Column("Change: n", "right"),
                    Column("Mean change", "right", ".1f"),
                    Column("SD of change", "right", ".1f"),
                    Column(f"Improved ≥ {mid}", "right"),
                    Column(f"Worsened ≥ {mid}", "right"),
                ),
                tuple(rows),
                footnotes=(
                    "Baseline row in bold; change from baseline for patients with both scores. "
                    f"Scale and minimal important difference: {summary.source}.",
                ),
            )
        )
    return blocks + _comparison_blocks(item, outcome)


def _comparison_blocks(item: EndpointResult, outcome: QolOutcome) -> list[Block]:
    """The arms compared (ANCOVA of the change) and the missing-data pattern beside it."""
    blocks: list[Block] = []
    missing = outcome.missing
    if outcome.comparison and missing is not None:
        other = next(a for a in missing.arms if a != outcome.reference)
        blocks.append(
            Table(
                f"{item.id}-qol-ancova",
                f"Change from baseline compared: {other} − {outcome.reference}",
                (
                    Column("Visit"),
                    Column(f"n, {outcome.reference}", "right"),
                    Column(f"n, {other}", "right"),
                    Column("Adjusted difference", "right", ".2f"),
                    Column("95% CI", "right"),
                    Column("p", "right"),
                ),
                tuple(
                    Row(
                        (
                            c.visit,
                            c.n[0],
                            c.n[1],
                            round_or_none(c.difference, 6),
                            f"{c.lower:.2f} to {c.upper:.2f}",
                            fmt_p(c.p),
                        )
                    )
                    for c in outcome.comparison
                ),
                footnotes=(
                    "ANCOVA per visit: change from baseline on arm and baseline score, among "
                    "patients with both scores (EMA guideline on adjustment for baseline "
                    "covariates, 2015). Observed cases only: read with the missing-data table.",
                ),
            )
        )
    if missing is not None:
        rows = [
            Row((v.arm, v.visit, v.expected, v.observed, v.missing, 100 * v.missing / v.expected))
            for v in missing.visits
            if v.expected
        ]
        patterns = "; ".join(
            f"{arm}: {c} complete, {m} stop early, {i} with gaps, {n} baseline only"
            for arm, c, m, i, n in zip(
                missing.arms,
                missing.complete,
                missing.monotone,
                missing.intermittent,
                missing.no_follow_up,
                strict=True,
            )
        )
        blocks.append(
            Table(
                f"{item.id}-qol-missing",
                "Questionnaires returned per arm and visit (patients with a baseline score)",
                (
                    Column("Arm"),
                    Column("Visit"),
                    Column("Expected", "right"),
                    Column("Returned", "right"),
                    Column("Missing", "right"),
                    Column("Missing, %", "right", ".1f"),
                ),
                tuple(rows),
                footnotes=(
                    f"Patterns per patient — {patterns}. Uneven attrition between arms biases "
                    "the comparison of observed scores (Fairclough 2010, ch. 6).",
                ),
            )
        )
    if outcome.comparison_note:
        blocks.append(Paragraph(f"Change from baseline not compared: {outcome.comparison_note}."))
    return blocks
