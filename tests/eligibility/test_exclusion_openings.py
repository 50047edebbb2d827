"""How an exclusion opens: "Any X" and "Participants must not have X" are X.

An exclusion item excludes when any of its rules is met, so "Any major surgery within 14 days of
enrollment" (NCT03476681 E3) and "Any prior treatment with an anti-PD-1 or anti-PD-L1 agent"
(NCT06692738 E4; jwlieb/clinical-trial-agent data/demo/results/*/trials.json @387df17) say
no more than their rules. In an inclusion "any" may be a choice among what follows ("any of the
following"), which an inclusion's rules (all required) would not say, so it stays quoted there.
Under the exclusion heading "must not have" restates the heading ("Participants must not have
untreated central nervous system (CNS) metastases", NCT06561386 E4, same source); in an
inclusion it is the negation the rules carry.
"""

from __future__ import annotations

from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.rules import describe_rule


def _read(text: str, kind: CriterionKind) -> Criterion:
    item_id = "E1" if kind is CriterionKind.EXCLUSION else "I1"
    return read_criterion(Criterion(id=item_id, kind=kind, text=text)).criterion


def test_a_leading_any_in_an_exclusion_is_read() -> None:
    surgery = _read("Any major surgery within 14 days of enrollment.", CriterionKind.EXCLUSION)
    assert [describe_rule(r) for r in surgery.rules] == [
        # "of enrollment": back from registration (the screen's as-of date)
        "Major surgery within 14 days before registration (the screen's as-of date)"
    ]
    assert surgery.unread == () and is_computable(surgery.rules, surgery.unread)
    prior = _read(
        "Any prior treatment with an anti-PD-1 or anti-PD-L1 agent.", CriterionKind.EXCLUSION
    )
    assert prior.rules and prior.unread == ()


def test_any_elsewhere_is_not_dropped() -> None:
    # not at the start: "any" is read by the rules that know it, or quoted
    listed = _read("Prior therapy with any of the following: X", CriterionKind.EXCLUSION)
    assert not is_computable(listed.rules, listed.unread)
    # an inclusion's "any" is not a filler
    choice = _read("Any of the following: ECOG 0 or 1", CriterionKind.INCLUSION)
    assert not is_computable(choice.rules, choice.unread)


def test_must_not_have_under_the_exclusion_heading_is_read() -> None:
    cns = _read(
        "Participants must not have untreated central nervous system (CNS) metastases.",
        CriterionKind.EXCLUSION,
    )
    assert [r.kind for r in cns.rules] == ["cns_metastases"]
    assert cns.unread == () and is_computable(cns.rules, cns.unread)
    pregnant = _read("Patient must not be pregnant or breastfeeding.", CriterionKind.EXCLUSION)
    assert pregnant.rules and pregnant.unread == ()


def test_must_not_have_in_an_inclusion_is_a_negation() -> None:
    cns = _read(
        "Participants must not have untreated central nervous system (CNS) metastases.",
        CriterionKind.INCLUSION,
    )
    assert [r.kind for r in cns.rules] == ["not"]
