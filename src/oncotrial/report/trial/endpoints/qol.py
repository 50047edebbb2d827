"""The quality-of-life section: scores and change from baseline per arm and visit."""

from __future__ import annotations

from oncotrial.analysis.results import EndpointResult, QolOutcome, TrialResults
from oncotrial.endpoints.qol import MINIMAL_IMPORTANT_DIFFERENCE
from oncotrial.report import Block, Column, Paragraph, Row, Table
from oncotrial.report.trial.endpoints.arms import arm_codes
from oncotrial.report.trial.wording import round_or_none

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
    return blocks
