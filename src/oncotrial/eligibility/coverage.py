"""How much of a protocol's criteria text is computable: the coverage report.

For each criterion item: the rules it has (the parser's proposal, or the protocol's reviewed
rules), whether it is ``computable`` (rules, no judgement, every number accounted for),
``partial`` (rules, but also a judgement or numbers the rules do not account for) or a
``checklist`` item (no rules, or judgement only), the numbers not understood and the parser's
warnings. A number is understood when it lies in the text a rule was read from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from oncotrial.eligibility.criteria import Criterion, Eligibility
from oncotrial.eligibility.parser import NumberInText, numbers_in, read_eligibility
from oncotrial.eligibility.rules import iter_rules
from oncotrial.eligibility.sublists import item_tree
from oncotrial.eligibility.text import normalise_text

__all__ = ["CoverageReport", "ItemCoverage", "coverage_report"]

Level = Literal["computable", "partial", "checklist"]


@dataclass(frozen=True)
class ItemCoverage:
    criterion: Criterion
    level: Level
    numbers: tuple[NumberInText, ...]
    warnings: tuple[str, ...]

    @property
    def rules(self) -> int:
        return len(self.criterion.rules)

    @property
    def not_understood(self) -> tuple[NumberInText, ...]:
        return tuple(n for n in self.numbers if not n.understood)


@dataclass(frozen=True)
class CoverageReport:
    source: Literal["parser", "protocol"]
    items: tuple[ItemCoverage, ...]

    def count(self, level: Level) -> int:
        return sum(1 for item in self.items if item.level == level)

    @property
    def numbers(self) -> int:
        return sum(len(item.numbers) for item in self.items)

    @property
    def numbers_understood(self) -> int:
        return sum(1 for item in self.items for n in item.numbers if n.understood)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for item in self.items for w in item.warnings)

    def summary(self) -> str:
        total = len(self.items)
        return (
            f"{total} items: {self.count('computable')} computable, {self.count('partial')} "
            f"partly computable, {self.count('checklist')} investigator checklist; "
            f"{self.numbers_understood} of {self.numbers} numbers understood; "
            f"{len(self.warnings)} warnings"
        )


def _level(
    criterion: Criterion, numbers: tuple[NumberInText, ...], judgement: bool = False
) -> Level:
    rules = iter_rules(criterion.rules)
    computable = [r for r in criterion.rules if r.kind != "judgement"]
    if not computable:
        return "checklist"
    if (
        judgement
        or any(r.kind == "judgement" for r in rules)
        or any(not n.understood for n in numbers)
        or criterion.unread
    ):
        return "partial"
    return "computable"


def coverage_report(
    eligibility: Eligibility, source: Literal["parser", "protocol"] = "parser"
) -> CoverageReport:
    """Coverage of the parser's proposal (``parser``) or of the rules the protocol carries."""
    items = []
    if source == "parser":
        for reading in read_eligibility(eligibility):
            items.append(
                ItemCoverage(
                    reading.criterion,
                    _level(
                        reading.criterion,
                        reading.numbers,
                        any("asks for a judgement" in w for w in reading.warnings),
                    ),
                    reading.numbers,
                    reading.warnings,
                )
            )
    else:
        for criterion in eligibility.criteria:
            spans = [
                (r.source.start, r.source.end) for r in iter_rules(criterion.rules) if r.source
            ]
            numbers = numbers_in(normalise_text(criterion.text), spans, original_spans=True)
            notes = tuple(
                f"{criterion.id}: {r.id}: {r.note}" for r in iter_rules(criterion.rules) if r.note
            )
            items.append(ItemCoverage(criterion, _level(criterion, numbers), numbers, notes))
    return CoverageReport(source, _with_headings(items))


def _with_headings(items: list[ItemCoverage]) -> tuple[ItemCoverage, ...]:
    """A heading (eligibility.sublists) is as computable as its sub-items: computable when all
    are, a checklist item when none has a rule, else partial."""
    tree = item_tree([item.criterion for item in items])
    by_id = {item.criterion.id: item for item in items}
    for heading in tree.order:
        levels = {by_id[k].level for k in tree.sub_items[heading]}
        if not levels:
            continue
        level: Level = (
            "computable"
            if levels == {"computable"}
            else "checklist"
            if levels == {"checklist"}
            else "partial"
        )
        by_id[heading] = replace(by_id[heading], level=level)
    return tuple(by_id[item.criterion.id] for item in items)
