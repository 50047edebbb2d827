"""Stratification factors and strata.

A protocol names its stratification factors in ``analysis.stratification_factors`` as text. The
levels can be written there too: ``"PD-L1 TPS: <1% | 1-49% | >=50%"`` (levels separated by ``|``;
with no ``|``, by commas: ``"Histology: squamous, non-squamous"``). A factor written without levels
(``"ECOG"``) gets its levels from the person who generates the allocation list.

A stratum is one level of each factor; its label joins the levels with ``"; "`` in the factor
order — the ``DS.STRATUM`` value of docs/sdtm.md (``PD-L1 TPS >=50%; SQUAMOUS`` style). A trial
without factors has one stratum whose label is the empty string.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from oncotrial.errors import ValueProblem

__all__ = [
    "MAX_STRATA",
    "StratificationFactor",
    "enumerate_strata",
    "parse_factor",
    "stratum_label",
]

# Beyond a few dozen strata, stratified blocks stop balancing anything (most blocks stay
# incomplete); 200 is a generous ceiling that still catches a mistyped level list.
MAX_STRATA = 200


@dataclass(frozen=True)
class StratificationFactor:
    """A factor and its levels, in the order the protocol (or the statistician) gave them."""

    name: str
    levels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueProblem("a stratification factor needs a name", field="factor")
        if any(not level.strip() for level in self.levels):
            raise ValueProblem(f"factor {self.name!r} has an empty level", field="levels")
        if len({level.casefold() for level in self.levels}) != len(self.levels):
            raise ValueProblem(
                f"factor {self.name!r} lists a level twice",
                field="levels",
                hint="Give each level once.",
            )
        if any(";" in level for level in self.levels):
            raise ValueProblem(
                f"factor {self.name!r}: a level may not contain ';' (it separates the levels of "
                "a stratum label)",
                field="levels",
            )

    def level(self, value: str) -> str:
        """The level matching ``value`` (case-insensitive), as the factor spells it."""
        wanted = value.strip().casefold()
        for level in self.levels:
            if level.casefold() == wanted:
                return level
        raise ValueProblem(
            f"{value!r} is not a level of stratification factor {self.name!r}",
            field=self.name,
            hint=f"Choose one of: {', '.join(self.levels)}.",
        )


def parse_factor(text: str) -> StratificationFactor:
    """A factor from its protocol text: ``"Name: level | level"`` or just ``"Name"``."""
    name, sep, rest = text.partition(":")
    if not sep or not rest.strip():
        return StratificationFactor(name=text.strip())
    separator = "|" if "|" in rest else ","
    levels = tuple(part.strip() for part in rest.split(separator))
    return StratificationFactor(name=name.strip(), levels=levels)


def enumerate_strata(factors: Sequence[StratificationFactor]) -> tuple[str, ...]:
    """Every stratum label, the first factor varying slowest (the order of a design table)."""
    for factor in factors:
        if not factor.levels:
            raise ValueProblem(
                f"stratification factor {factor.name!r} has no levels",
                field="levels",
                hint="Give its levels, e.g. 'ECOG: 0 | 1'.",
            )
    count = 1
    for factor in factors:
        count *= len(factor.levels)
    if count > MAX_STRATA:
        raise ValueProblem(
            f"the factors make {count} strata (more than {MAX_STRATA}); stratified blocks would "
            "not balance arms within strata that small",
            field="stratification_factors",
            hint="Use fewer factors or fewer levels.",
        )
    return tuple("; ".join(combo) for combo in itertools.product(*(f.levels for f in factors)))


def stratum_label(factors: Sequence[StratificationFactor], values: Mapping[str, str]) -> str:
    """The stratum of a subject from one value per factor (keys are factor names)."""
    by_name = {k.casefold(): v for k, v in values.items()}
    parts = []
    for factor in factors:
        value = by_name.get(factor.name.casefold())
        if value is None or not value.strip():
            raise ValueProblem(
                f"the stratification factor {factor.name!r} has no value",
                field=factor.name,
                hint=f"Choose one of: {', '.join(factor.levels)}.",
            )
        parts.append(factor.level(value))
    return "; ".join(parts)
