"""The boilerplate items of NCI (CTEP) and cooperative-group protocol templates, read whole
(issue 12).

Registry records repeat these items word for word but for the drug's name; the rule in them was
read, while the template's explanation of it ("because … teratogenic or abortifacient effects")
stayed unread and kept the item partial. Each template is declared below as data: its words, what
it requires, and where it comes from.

What is read, and why it is exact:

- An explanation *after* the rule's own words ("Pregnant women are excluded from this study
  because …", "must not be pregnant or breast-feeding due to the potential harm to an unborn
  fetus …") says why the rule is there, not who meets it: its words are understood. The rule is
  the one the other readers found in the rule's own words (the ``rule`` groups); the template is
  read only when every rule there is a pregnancy or breastfeeding rule, and a mention inside the
  explanation ("… adverse events in *nursing* infants") is no rule of its own: it is dropped, so
  the item holds one breastfeeding rule, not two.
- The NCI template's reason for an adult age limit ("Because no dosing or adverse event data are
  currently available on the use of X in patients < 18 years of age, children are excluded from
  this study") is read by ``reading_age_rationale``, which runs before this module.

The drug's name may be any words (``_AGENT``), but never words that could carry a requirement of
their own (a time, a condition): "breastfeeding should be discontinued throughout the treatment
period and for at least 28 days following the last dose" is no template, and stays unread. Any
word of the item outside a template's match stays unread too, as everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncotrial.eligibility.reading import _Found, _Reader
from oncotrial.eligibility.reading_templates import PREGNANCY_CONDITIONS
from oncotrial.eligibility.rules import (
    AnyOfRule,
    ConditionRule,
    LabResultRule,
    Rule,
    SexRule,
    leaf_rules,
)

__all__ = ["BOILERPLATE", "Boilerplate", "read_boilerplate"]


@dataclass(frozen=True)
class Boilerplate:
    """One template: its words (a pattern whose ``rule``/``rule2`` groups are the rule's own
    words, read by other readers; every other word of a match is understood), what it means and
    where it comes from."""

    name: str
    pattern: re.Pattern[str]
    description: str
    source: str
    exclusion_only: bool = False
    # the rules its rule words may hold: pregnancy and breastfeeding, or also a pregnancy test
    # asked of women who can bear children ("must have a negative pregnancy test because …")
    with_test: bool = False


# A drug's (or drugs') name in a template: any words but those that could carry a requirement
# (a time, a condition, an exception) and no sentence end.
_AGENT = (
    r"(?:(?!\b(?:within|after|before|prior|until|unless|except|must|if|only|not|no|"
    r"throughout|during|days?|weeks?|months?|years?)\b)[^.;])+?"
)
# The explanation's own words: the same, naming the harm to a fetus.
_REASON = _AGENT + r"(?:teratogenic|abortifacient|fetus|fetal)" + r"(?:" + _AGENT + r")?"
_WHO = r"(?:patients|participants|subjects|individuals)"
_ENTRY = (
    r"(?:study\s+drug\s+start|(?:study\s+)?(?:registration|randomi[sz]ation|enrol{1,2}ment|"
    r"entry))"
)
# "Because there is an unknown but potential risk for adverse events in nursing infants
# secondary to treatment of the mother with X, breastfeeding should be discontinued if the
# mother is treated with X" / "…, nursing women are excluded from this study"
_NURSING = (
    r"Because\s+there\s+is\s+an\s+unknown,?\s+but\s+potential\s+risk\s+(?:for|of)\s+"
    r"(?:adverse\s+events\s*(?:\(AEs?\)\s*)?|AEs\s+)in\s+nursing\s+infants\s+secondary\s+to\s+"
    r"treatment\s+of\s+the\s+mother(?:\s+with\s+" + _AGENT + r")?\s*[,.]?\s+"
    r"(?:(?P<rule2>breast-?\s?feeding)\s+(?:should|must)\s+be\s+discontinued(?:\s+if\s+the\s+"
    r"mother\s+is\s+treated\s+(?:with|on)\s+" + _AGENT + r"|\s+prior\s+to\s+" + _ENTRY + r")?"
    r"|(?P<rule3>(?:nursing\s+women|breast-?\s?feeding\s+" + _WHO + r"))\s+are\s+excluded\s+"
    r"from\s+this\s+study)"
    r"\s*(?:\.|$)"
    r"(?:\s*These\s+potential\s+risks\s+may\s+also\s+apply\s+to\s+" + _AGENT + r"(?:\.|$))?"
)

BOILERPLATE: tuple[Boilerplate, ...] = (
    Boilerplate(
        "pregnancy_exclusion",
        re.compile(
            r"(?P<rule>[^.;:]{1,80}?)\s+are\s+excluded\s+from\s+this\s+study\s+because\s+"
            + _REASON
            + r"(?:\.|$)"
            + r"(?:\s*"
            + _NURSING
            + r")?",
            re.I,
        ),
        "Pregnant women excluded, then breastfeeding (nursing women) excluded; the reasons "
        "(teratogenic or abortifacient effects, risk to nursing infants) are no requirement",
        "NCI CTEP protocol template, exclusion of pregnant and breastfeeding women",
        exclusion_only=True,  # "are excluded": in an inclusion the rule would ask the opposite
    ),
    Boilerplate(
        "nursing_exclusion",
        re.compile(r"(?<![\w,] )" + _NURSING, re.I),
        "Breastfeeding (nursing women) excluded; the reason (risk to nursing infants) is no "
        "requirement",
        "NCI CTEP protocol template, exclusion of breastfeeding women",
        exclusion_only=True,
    ),
    Boilerplate(
        "pregnancy_harm",
        re.compile(
            r"(?P<rule>[^.;:]{1,80}?)\s+due\s+(?:to\s+)?the\s+potential\s+harm\s+to\s+an?\s+"
            r"unborn\s+fetus\s+and\s+possible\s+risk\s+for\s+adverse\s+events\s+in\s+nursing\s+"
            r"infants\s+with\s+the\s+treatment\s+regimens?\s+being\s+used\s*(?:\.|$)",
            re.I,
        ),
        "Not pregnant or breastfeeding; the reason (harm to an unborn fetus, risk to nursing "
        "infants) is no requirement",
        "NCTN group protocol template (ECOG-ACRIN wording; NCT04181060, NCT05638295, "
        "NCT05863195), pregnancy and breastfeeding",
    ),
    Boilerplate(
        "pregnancy_congenital",
        re.compile(
            r"(?P<rule>[^.;:]{1,80}?)\s+due\s+to\s+the\s+potential\s+for\s+congenital\s+"
            r"abnormalities\s+and\s+the\s+potential\s+of\s+this\s+regimen\s+to\s+harm\s+nursing\s+"
            r"infants\s*(?:\.|$)",
            re.I,
        ),
        "Not pregnant or nursing; the reason (congenital abnormalities, harm to nursing "
        "infants) is no requirement",
        "NCI-sponsored protocol wording (NCT04989959, NCT04762953), pregnancy and nursing",
    ),
)

# A reason after a pregnancy rule, in words that records of several sponsors repeat (NCT01174121,
# NCT03935893, NCT05155033, NCT05566223, NCT05040360, NCT04155034): "Pregnant or breastfeeding
# because of the potentially dangerous effects of the treatment on the fetus or infant", "must
# not be pregnant due to the possibility of harm to the fetus", "because of fetal risks from
# radiation exposure"
_REASONS = Boilerplate(
    "pregnancy_reason",
    re.compile(
        r"(?P<rule>[^.;:]{1,80}?)\s+(?:because\s+of|due\s+to)\s+(?:the\s+)?"
        r"(?:potentially\s+dangerous\s+effects\s+of\s+the\s+treatment\s+on\s+the\s+fetus"
        r"(?:\s+or\s+infant)?|possibility\s+of\s+harm\s+to\s+the\s+fetus|fetal\s+risks?\s+from\s+"
        r"radiation\s+exposure)\s*(?:\.|$)",
        re.I,
    ),
    "Not pregnant or breastfeeding, or a negative pregnancy test; the reason (danger to the "
    "fetus or infant) is no requirement",
    "Protocol wording repeated across sponsors' records, reason for the pregnancy exclusion",
    with_test=True,
)


def _of_pregnancy(f: _Found) -> bool:
    return all(
        isinstance(x, ConditionRule) and x.condition in PREGNANCY_CONDITIONS and x.current
        for x in leaf_rules(f.rule)
    )


def _pregnancy_test(rule: Rule) -> bool:
    """A pregnancy test asked of women (who can bear children): its leaves are the sex, the
    childbearing potential and the hCG test."""
    return all(
        isinstance(x, SexRule)
        or (isinstance(x, LabResultRule) and x.analyte in ("hcg", "childbearing_potential"))
        for x in leaf_rules(rule)
    )


def _inside(f: _Found, a: int, b: int) -> bool:
    return a <= f.start and f.end <= b


def _read_pregnancy(r: _Reader, template: Boilerplate) -> bool:
    """The template's matches whose rule words hold its rules; whether any was read."""
    if template.exclusion_only and not r.exclusion:
        return False
    read = False
    for m in template.pattern.finditer(r.text):
        groups = [m.span(g) for g in ("rule", "rule2", "rule3") if g in m.re.groupindex]
        spans = sorted((a, b) for a, b in groups if a >= 0)
        within = [f for f in r.found if f.start < m.end() and m.start() < f.end]
        if any(
            not _inside(f, m.start(), m.end())
            or not (_of_pregnancy(f) or (template.with_test and _pregnancy_test(f.rule)))
            for f in within
        ):
            continue  # a rule of another kind, or one crossing the template's edge
        if any(not any(_inside(f, a, b) for f in within) for a, b in spans):
            continue  # each rule's own words hold a rule
        if any(
            f.start < b and a < f.end and not _inside(f, a, b) for f in within for a, b in spans
        ):
            continue  # a rule reaching past the rule's own words into the explanation
        # a mention in the explanation ("nursing infants") is no rule of its own
        told = [f for f in within if not any(_inside(f, a, b) for a, b in spans)]
        r.found[:] = [f for f in r.found if f not in told]
        at = m.start()
        for a, b in spans:
            r.consume(at, a)
            at = b
        r.consume(at, m.end())
        _join(spans, [f for f in within if f not in told], m.end())
        read = True
    return read


def _join(spans: list[tuple[int, int]], within: list[_Found], end: int) -> None:
    """The explanation after a rule belongs to it: its span runs on to the next rule's words (or
    the template's end), so that an 'and' inside it ("… unknown, and there is potential for …")
    is no 'and' between two rules of an exclusion (parser._and_between_exclusions)."""
    for i, (a, b) in enumerate(spans):
        before = max((f for f in within if _inside(f, a, b)), key=lambda f: f.end)
        later = [f.start for f in within if f.start >= b]
        before.end = min(later) if i + 1 < len(spans) and later else end


def _plain(rule: Rule) -> bool:
    """A pregnancy or breastfeeding condition, or alternatives of them (no negation)."""
    return isinstance(rule, ConditionRule) or (
        isinstance(rule, AnyOfRule) and all(isinstance(x, ConditionRule) for x in rule.rules)
    )


def _key(rule: Rule) -> str:
    """The rule's whole content (a window, a qualifier and all), not where it was read."""
    return rule.model_dump_json(exclude={"id", "description", "source"})


def _dedupe(r: _Reader) -> None:
    """In an exclusion, a pregnancy or breastfeeding rule the item states already ("Pregnant or
    lactating women are excluded … breastfeeding should be discontinued") is one rule, not two:
    any one met excludes either way. The later statement is dropped; its words stay read."""
    if not r.exclusion:
        return
    seen: set[str] = set()
    kept: list[_Found] = []
    for f in sorted(r.found, key=lambda f: (f.start, f.end)):
        keys = (
            {_key(x) for x in leaf_rules(f.rule)} if _plain(f.rule) and _of_pregnancy(f) else None
        )
        if keys is not None and keys <= seen and kept:
            if _plain(kept[-1].rule) and _of_pregnancy(kept[-1]):
                kept[-1].end = max(kept[-1].end, f.end)  # its words join the rule they restate
            continue
        seen |= keys or set()
        kept.append(f)
    if len(kept) < len(r.found):
        r.found[:] = kept


def read_boilerplate(r: _Reader) -> None:
    """The templates' items (see the module's docstring), after every reader of their rules."""
    read = [_read_pregnancy(r, template) for template in (*BOILERPLATE, _REASONS)]
    if any(read):
        _dedupe(r)
