"""Censoring-rule variants for PFS sensitivity analyses (FDA 2018), declared as data.

The primary PFS analysis follows FDA 2018 Table 4 (:data:`~oncotrial.endpoints.tte.FDA_2018_RULES`):
censored at the last adequate assessment, and censored before new anticancer therapy or after two
or more missed assessments. The guidance asks sponsors to show that the result does not hinge on
those choices ("sensitivity analyses ... should be prespecified", section on PFS; EMA's Appendix 1
to the anticancer guideline lists the same). Each :class:`CensoringVariant` states what it
changes, with a source, and builds its rule set from the primary one; ``derive_adtte`` then runs
it like any rule set. The analysis plan names the variants it uses by id
(``endpoints.<id>.sensitivity``).

Not declared here (they need rules that ``endpoints.tte`` does not express): counting the start
of new anticancer therapy itself as an event, and moving a progression to the next scheduled
assessment date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from oncotrial.endpoints.censoring import Unless
from oncotrial.endpoints.tte import (
    CensoringRules,
    Param,
    RuleSet,
    TteResult,
    derive_adtte,
    rules_for,
)
from oncotrial.errors import RuleError

__all__ = ["CENSORING_VARIANTS", "CensoringVariant", "censoring_sensitivity"]

_FDA = "FDA Guidance, Clinical Trial Endpoints for Cancer Drugs and Biologics (2018), PFS"
_EMA = "EMA/CHMP/27994/2008 Rev.1, Appendix 1 (PFS sensitivity analyses)"


@dataclass(frozen=True)
class CensoringVariant:
    """A named change to the primary censoring rules."""

    id: str
    description: str
    source: str
    base: RuleSet
    censor_new_therapy: bool | None = None  # None: as the base rule set
    censor_missed_assessments: bool | None = None

    def rules(
        self, *, assessment_interval_days: int | None = None, assessment_window_days: int = 0
    ) -> CensoringRules:
        """The rule set of this variant for the trial's assessment schedule."""
        base = rules_for(
            self.base,
            assessment_interval_days=assessment_interval_days,
            assessment_window_days=assessment_window_days,
        )
        for wanted, declared, what in (
            (self.censor_new_therapy, base.censor_new_therapy, "before new anticancer therapy"),
            (
                self.censor_missed_assessments,
                base.censor_missed_assessments,
                "after missed assessments",
            ),
        ):
            if wanted and not declared:
                raise RuleError(
                    f"variant {self.id!r} censors {what}, which the {base.name.value} rules "
                    "do not declare here (after missed assessments needs the assessment "
                    "interval)",
                    hint="Pass the analysis plan's assessment interval, or base the variant on "
                    "the FDA 2018 rules.",
                )
        dropped = [
            unless
            for unless, keep in (
                (Unless.NEW_THERAPY, self.censor_new_therapy),
                (Unless.MISSED_ASSESSMENTS, self.censor_missed_assessments),
            )
            if keep is False
        ]
        return base.without(*dropped)


CENSORING_VARIANTS: Mapping[str, CensoringVariant] = MappingProxyType(
    {
        v.id: v
        for v in (
            CensoringVariant(
                "fda2018",
                "primary: FDA 2018 Table 4 (last adequate assessment; censored before new "
                "anticancer therapy and after two or more missed assessments)",
                _FDA,
                RuleSet.FDA_2018,
            ),
            CensoringVariant(
                "fda2018-events-after-missed",
                "progression or death after two or more missed assessments counted at its date",
                _FDA,
                RuleSet.FDA_2018,
                censor_missed_assessments=False,
            ),
            CensoringVariant(
                "fda2018-ignore-new-therapy",
                "new anticancer therapy not censored: progression or death after it counts "
                "(treatment-policy reading)",
                _EMA,
                RuleSet.FDA_2018,
                censor_new_therapy=False,
            ),
            CensoringVariant(
                "fda2018-every-event",
                "every documented progression or death counts at its date (no censoring for "
                "new therapy or missed assessments)",
                _EMA,
                RuleSet.FDA_2018,
                censor_new_therapy=False,
                censor_missed_assessments=False,
            ),
            CensoringVariant(
                "admiralonco",
                "the admiralonco template: any last assessment, no censoring for new therapy or "
                "missed assessments",
                "admiralonco ADTTE template (ad_adtte.R)",
                RuleSet.ADMIRALONCO,
            ),
        )
    }
)


def censoring_sensitivity(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    variants: tuple[str, ...],
    *,
    reference: str = "RANDDT",
    params: tuple[Param, ...] = (Param.PFS,),
    new_therapy: pd.DataFrame | None = None,
    assessment_interval_days: int | None = None,
    assessment_window_days: int = 0,
) -> Mapping[str, TteResult]:
    """ADTTE under each named variant (ids of :data:`CENSORING_VARIANTS`), in the order given."""
    unknown = [v for v in variants if v not in CENSORING_VARIANTS]
    if unknown:
        raise RuleError(
            f"unknown censoring variant {unknown[0]!r}",
            field="variant",
            hint=f"Known variants: {', '.join(CENSORING_VARIANTS)}.",
        )
    return MappingProxyType(
        {
            variant: derive_adtte(
                adsl,
                adrs,
                reference=reference,
                params=params,
                rules=CENSORING_VARIANTS[variant].rules(
                    assessment_interval_days=assessment_interval_days,
                    assessment_window_days=assessment_window_days,
                ),
                new_therapy=new_therapy,
            )
            for variant in variants
        }
    )
