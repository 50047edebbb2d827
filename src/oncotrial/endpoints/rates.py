"""Response-rate endpoints (ORR, DCR) from a per-subject best-overall-response table.

The definitions are declared data (:data:`RATE_DEFINITIONS`) with their source. The denominator
is every subject in the table — the analysis population — including those whose best response
is not evaluable (NE) or missing, as RECIST 1.1 (§4.4, "all patients … should be included in
the response rate") and the FDA 2018 guidance require; a subject is in the numerator if the best
response is one of the definition's categories. Per arm: n/N, %, exact (Clopper-Pearson)
interval by default. Two arms: the difference (Newcombe hybrid score interval) and Fisher's
exact test with the conditional-MLE odds ratio (R ``fisher.test``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from oncotrial.errors import AnalysisError, Problem, SchemaError, ValueProblem
from oncotrial.stats.fisher import FisherResult, fisher_exact
from oncotrial.stats.proportions import (
    CiMethod,
    DiffMethod,
    Proportion,
    ProportionDifference,
    binomial_ci,
    proportion_difference,
)

__all__ = [
    "BOR_CATEGORIES",
    "DCR",
    "ORR",
    "RATE_DEFINITIONS",
    "ArmRate",
    "RateComparison",
    "RateDefinition",
    "RateResult",
    "compute_rate",
    "normalise_bor",
]

#: Best overall response categories (RECIST 1.1 Table 3, iRECIST adds the "i" prefix).
BOR_CATEGORIES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")

_ALIASES = {
    "COMPLETE RESPONSE": "CR",
    "PARTIAL RESPONSE": "PR",
    "STABLE DISEASE": "SD",
    "PROGRESSIVE DISEASE": "PD",
    "NOT EVALUABLE": "NE",
    "NON CR/NON PD": "NON-CR/NON-PD",
    "NON-CR/NON PD": "NON-CR/NON-PD",
    "NON-CR NON-PD": "NON-CR/NON-PD",
    "NCRNPD": "NON-CR/NON-PD",
    "ICR": "CR",  # iRECIST confirmed/unconfirmed labels keep their RECIST meaning here
    "IPR": "PR",
    "ISD": "SD",
    "ICPD": "PD",
    "IUPD": "PD",
}


@dataclass(frozen=True)
class RateDefinition:
    """A response-rate endpoint: which best responses count, and where that is defined."""

    id: str
    name: str
    responders: frozenset[str]
    description: str
    source: str


ORR = RateDefinition(
    id="ORR",
    name="Objective response rate",
    responders=frozenset({"CR", "PR"}),
    description="Proportion of subjects whose best overall response is CR or PR "
    "(confirmed when the protocol requires confirmation).",
    source="RECIST 1.1 §4.4; FDA Clinical Trial Endpoints for the Approval of Cancer Drugs "
    "and Biologics (2018)",
)
DCR = RateDefinition(
    id="DCR",
    name="Disease control rate",
    responders=frozenset({"CR", "PR", "SD", "NON-CR/NON-PD"}),
    description="Proportion of subjects whose best overall response is CR, PR, SD or "
    "non-CR/non-PD (SD after the protocol's minimum duration).",
    source="RECIST 1.1 §4.4.1 (minimum SD duration); protocol definition",
)
RATE_DEFINITIONS: Mapping[str, RateDefinition] = MappingProxyType({"ORR": ORR, "DCR": DCR})


@dataclass(frozen=True)
class ArmRate:
    arm: str
    proportion: Proportion


@dataclass(frozen=True)
class RateComparison:
    """The compared arm against the reference: difference (compared − reference) and Fisher."""

    reference: str
    compared: str
    difference: ProportionDifference
    fisher: FisherResult


@dataclass(frozen=True)
class RateResult:
    definition: RateDefinition
    arms: tuple[ArmRate, ...]
    overall: Proportion
    comparison: RateComparison | None


def normalise_bor(value: object, *, record: str | None = None, field: str = "BOR") -> str:
    """A best-overall-response value as one of :data:`BOR_CATEGORIES` (empty → MISSING)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "MISSING"
    text = " ".join(str(value).strip().upper().split())
    if text in ("", "MISSING", "NA", "ND", "NOT DONE"):
        return "MISSING"
    text = _ALIASES.get(text, text)
    if text not in BOR_CATEGORIES:
        raise ValueProblem(
            f"unknown best overall response {value!r}",
            record=record,
            field=field,
            hint=f"Use one of {', '.join(BOR_CATEGORIES)}.",
        )
    return text


def compute_rate(
    table: pd.DataFrame,
    definition: RateDefinition | str = ORR,
    *,
    subject: str = "USUBJID",
    bor: str = "BOR",
    arm: str | None = None,
    reference: str | None = None,
    method: CiMethod | str = CiMethod.CLOPPER_PEARSON,
    difference_method: DiffMethod | str = DiffMethod.NEWCOMBE,
    conf_level: float = 0.95,
    compare: bool = True,
) -> RateResult:
    """ORR, DCR or another declared rate per arm (and overall), compared between two arms.

    ``table`` has one row per subject of the analysis population with the best overall
    response in column ``bor``. With exactly two arms the result carries the difference
    (compared − reference; reference = ``reference`` or the first arm in sorted order) with its
    interval and Fisher's exact test (``compare=False``: the rates only, e.g. for a best-response
    category that no subject of either arm has, where the odds ratio is not defined).
    """
    rule = RATE_DEFINITIONS[definition] if isinstance(definition, str) else definition
    missing = [c for c in (subject, bor, arm) if c and c not in table.columns]
    if missing:
        raise SchemaError(
            f"the best-response table has no column {', '.join(missing)}",
            field=missing[0],
            hint=f"Columns present: {', '.join(map(str, table.columns))}.",
        )
    if table.empty:
        raise AnalysisError("the best-response table has no subjects", field=subject)
    duplicated = table[subject][table[subject].duplicated()]
    if not duplicated.empty:
        raise ValueProblem(
            f"subject {duplicated.iloc[0]!r} has more than one best overall response",
            record=str(duplicated.iloc[0]),
            field=subject,
            hint="Give one row per subject (ADaM ADRS PARAMCD = BOR).",
        )
    problems: list[Problem] = []
    categories = []
    for _, row in table.iterrows():
        try:
            categories.append(normalise_bor(row[bor], record=str(row[subject]), field=bor))
        except ValueProblem as exc:
            problems.append(Problem(exc.message, record=exc.record, field=bor))
            categories.append("MISSING")
    if problems:
        raise ValueProblem(
            problems[0].message,
            record=problems[0].record,
            field=bor,
            hint=f"Use one of {', '.join(BOR_CATEGORIES)}.",
            problems=problems,
        )
    responder = pd.Series([c in rule.responders for c in categories], index=table.index)
    if arm is not None and table[arm].isna().any():
        who = table.loc[table[arm].isna(), subject].iloc[0]
        raise ValueProblem("missing arm", record=str(who), field=arm)
    arms = sorted({str(a) for a in table[arm]}) if arm is not None else []
    labels = table[arm].astype(str) if arm is not None else None

    def rate(mask: pd.Series) -> Proportion:
        return binomial_ci(
            int(responder[mask].sum()), int(mask.sum()), method=method, conf_level=conf_level
        )

    arm_rates = tuple(ArmRate(a, rate(labels == a)) for a in arms) if labels is not None else ()
    overall = rate(pd.Series(True, index=table.index))
    comparison = None
    if len(arms) == 2 and compare:
        ref = reference or arms[0]
        if ref not in arms:
            raise ValueProblem(
                f"reference arm {ref!r} is not one of {', '.join(arms)}", field="reference"
            )
        other = arms[1] if ref == arms[0] else arms[0]
        a = next(r.proportion for r in arm_rates if r.arm == other)
        b = next(r.proportion for r in arm_rates if r.arm == ref)
        comparison = RateComparison(
            reference=ref,
            compared=other,
            difference=proportion_difference(
                a.count, a.total, b.count, b.total, method=difference_method, conf_level=conf_level
            ),
            fisher=fisher_exact(
                [[a.count, a.total - a.count], [b.count, b.total - b.count]],
                conf_level=conf_level,
            ),
        )
    elif reference is not None and compare:
        raise ValueProblem("a reference arm needs exactly two arms", field="reference")
    return RateResult(definition=rule, arms=arm_rates, overall=overall, comparison=comparison)
