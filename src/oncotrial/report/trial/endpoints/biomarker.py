"""The PD-L1 section: response by tumour proportion score category, trend, odds ratio and ROC."""

from __future__ import annotations

from oncotrial.analysis.results import BiomarkerOutcome, EndpointResult
from oncotrial.report import Block, Column, Fact, Facts, Note, NoteKind, Row, Table
from oncotrial.report.trial.wording import ci, fmt_p, round_or_none

__all__ = ["biomarker_blocks"]


def biomarker_blocks(item: EndpointResult, outcome: BiomarkerOutcome) -> list[Block]:
    analysis = outcome.analysis
    facts = [
        Fact(
            "Patients analysed",
            str(analysis.analysed),
            f"{analysis.missing_tps} without a PD-L1 TPS left out",
        ),
        Fact("Fisher's exact test (response × TPS category)", fmt_p(analysis.fisher_p)),
    ]
    if analysis.trend is not None:
        facts.append(Fact("Cochran-Armitage trend test", fmt_p(analysis.trend.p)))
    if analysis.logistic is not None:
        lg = analysis.logistic
        facts.append(
            Fact(
                "Odds ratio of response per 10 TPS points",
                f"{lg.odds_ratio:.2f}",
                f"{ci(f'{lg.lower:.2f}', f'{lg.upper:.2f}')} (Wald); {fmt_p(lg.p)}",
            )
        )
    if analysis.roc is not None:
        roc = analysis.roc
        facts.append(
            Fact(
                "ROC AUC of TPS for response",
                f"{roc.auc:.2f}",
                ci(f"{roc.lower:.2f}", f"{roc.upper:.2f}") + " (DeLong)",
            )
        )
    rows = [
        Row(
            (
                c.category.label,
                c.rate.count,
                c.rate.total,
                round_or_none(c.rate.percent, 6),
                round_or_none(100 * c.rate.lower, 6),
                round_or_none(100 * c.rate.upper, 6),
            )
        )
        for c in analysis.categories
    ]
    blocks: list[Block] = [
        Facts(facts),
        Table(
            f"{item.id}-pdl1",
            "Objective response by PD-L1 tumour proportion score",
            (
                Column("PD-L1 TPS"),
                Column("Responders (n)", "right"),
                Column("Patients (N)", "right"),
                Column("ORR (%)", "right", ".1f"),
                Column("95% CI lower (%)", "right", ".1f"),
                Column("95% CI upper (%)", "right", ".1f"),
            ),
            tuple(rows),
            footnotes=(
                "Categories of the PD-L1 IHC 22C3 pharmDx interpretation manual (KEYNOTE-024/-042 "
                "cut-offs); exact 95% CIs.",
            ),
        ),
    ]
    blocks += [Note(note, NoteKind.CAUTION) for note in analysis.notes]
    return blocks
