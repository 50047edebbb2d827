"""The words of an item that no rule reads, and which of them matter.

An unread word may be a condition of its own ("≥ 18 years with metastatic disease"), an
alternative that rescues a patient ("or CrCl ≥ 50 mL/min") or an exception that excludes one:
the item then cannot be decided on its rules alone (issue 12: never a silent pass). Fillers,
benign joins and the openings of an exclusion add nothing and are not quoted.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import NumberInText, _Reader
from oncotrial.eligibility.windows import DAY_AFTER_WINDOW, FIRST_DOSE

__all__ = ["BENIGN_OR", "unread_words"]


# Words that change an item's logic: left unread they may be an alternative that rescues a
# patient ("or CrCl ≥ 50 mL/min") or an exception that excludes one ("except …, who must have").
_LOGIC_WORDS = re.compile(
    r"\b(?:or|except|exceptions?|unless|otherwise|if|but|however|whichever|either|neither|nor|"
    r"without|allowed|permitted|acceptable|eligible|note)\b"
    r"|\b(?:for|in)\s+(?:[\w-]+\s+){0,3}?(?:patients|subjects|participants|those|women|men)\b",
    re.I,
)


# Words that join or anchor without changing the logic of an item ("male or female", "at the
# time of signing the informed consent")
BENIGN_OR = re.compile(
    r"\b(?:males?\s+(?:or|and)\s+females?|men\s+(?:or|and)\s+women|females?\s+(?:or|and)\s+males?|"
    r"women\s+(?:or|and)\s+men|both\s+sexes|(?:of\s+)?(?:any|either)\s+(?:gender|sex)|"
    r"there\s+is\s+no\s+gender\s+limitation|"
    r"in-?patients?\s+or\s+out-?patients?|"  # "Inpatient or outpatient ≥ 18 years" (round 5)
    r"histologically\s+or\s+cytologically|cytologically\s+or\s+histologically|"
    r"(?:when|at\s+the\s+time\s+of|at\s+time\s+of)\s+sign(?:ing|ed)?\s+(?:the\s+)?informed\s+consent|"
    # the day an age is counted on (AgeRule.at, consent by default): "at the time of signature of
    # the informed consent form (ICF)" (NCT05815173 I2), "at date of informed consent form
    # signature" (NCT07012031 I7; jwlieb/clinical-trial-agent data/demo @387df17)
    r"at\s+(?:the\s+)?(?:time|date)\s+of\s+(?:the\s+)?signature\s+of\s+(?:the\s+)?informed\s+"
    r"consent(?:\s+form)?(?:\s*\(ICF\))?|"
    r"at\s+(?:the\s+)?date\s+of\s+(?:the\s+)?informed\s+consent(?:\s+form)?\s+signature|"
    # a value reached after a transfusion is a new observation, screened as any other
    r"(?:patients\s+)?may\s+be\s+transfused\s+to\s+meet\s+this\s+criterion|"
    r"(?:patients\s+)?may\s+be\s+transfused|(?:blood\s+)?transfusions?\s+(?:is\s+|are\s+)?"
    r"(?:allowed|permitted)(?:\s+to\s+(?:achieve|reach|meet)(?:\s+(?:or\s+maintain\s+)?"
    r"(?:this|the)\s+(?:target|criterion|level|value))?)?|"
    r"including\s+both\s+ends|"
    # the reference date of every window is the first dose (Window): naming it adds nothing
    r"(?:prior\s+to|before)\s+" + FIRST_DOSE + r")\b",
    re.I,
)


# Words an item may hold around what its rules read without adding a condition of its own
# ("Male or female patients aged ≥ 18 years at the time of signing the informed consent form").
# Any other word left unread may be a condition ("≥ 18 years with metastatic disease"): the
# item then cannot be decided on its rules alone (issue 12: never a silent pass).
_FILLER = frozenset(
    re.findall(
        r"\S+",
        """a an the and of to at on in by as is are be been must should shall will have has had
    patient patients participant participants subject subjects adult adults both there
    person persons individuals people all
    age aged years year old older time signing signed sign informed consent form icf
    calculated calc estimated using use used per according formula equation method
    cockcroft-gault cockcroft gault value values level levels count serum plasma blood
    following documented demonstrated defined inclusive ends screening baseline
    score status performance ecog eastern cooperative oncology group zubrod karnofsky
    laboratory lab test tests adequate organ function marrow bone renal hepatic liver
    study entry enrollment enrolment registration randomization randomisation allocation
    prior previous before day days within first dose treatment criteria history known receipt
    underwent enrolled administration
    presence based assessment assessments fridericia fridericia's qtcf qtcb bazett bazett's ckd-epi
    ckd epi required diagnosed diagnosis received dipstick
    who co-operative cockroft cockroft-gault evidence with sufficient
    hematologic haematologic hematological haematological hematology haematology
    hematopoietic haematopoietic coagulation kidney chemistry biochemistry
    visit into""",
    )
)


# How an exclusion item may open without adding a condition: its rules are alternatives ("Any
# major surgery within 14 days", NCT03476681 E3), and under the exclusion heading "must not
# have" restates the heading ("Participants must not have untreated central nervous system (CNS)
# metastases", NCT06561386 E4; jwlieb/clinical-trial-agent data/demo @387df17). Read only when no
# rule of the item is a negation of its own.
_EXCLUSION_OPENING = re.compile(
    r"^\s*(?:any\b|(?:(?:the\s+)?(?:patients?|participants?|subjects?)\s+)?"
    r"(?:must|may|should|can|shall)\s+not\s+(?:have|be)(?:\s+(?:had|received|been))?\b)",
    re.I,
)


# A window a rule has read ("within 4 weeks"), then words naming its day as another than the
# rule's (``windows.DAY_AFTER_WINDOW``): the words are fillers elsewhere ("at the time of
# registration"), but after a window a rule that read it without them counts it from another day
# (rules.Window.anchor) — the item is not decided on it (issue 12: never a silent guess).
_WINDOW_READ = re.compile(r"\b(?:days?|weeks?|months?|years?|hours?)\W*$", re.I)


def _content_words(gap: str, negated: bool) -> bool:
    """Whether ``gap`` holds a word that may be a condition; "no" is read when a rule of the
    item is a negation ("No prior organ transplant" is *not (organ transplant)*)."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", gap)
    return any(
        w.lower().strip("'-") not in _FILLER and len(w) > 1 and not (negated and w.lower() == "no")
        for w in words
    )


def unread_words(
    r: _Reader, numbers: tuple[NumberInText, ...], negated: bool = False
) -> tuple[str, ...]:
    """The parts of the text no rule reads that hold a number, a word of logic or any word that
    may be a condition of its own, quoted."""
    text = r.text
    covered = [False] * len(text)
    for start, end in r.consumed:
        for i in range(max(start, 0), min(end, len(text))):
            covered[i] = True
    found: list[str] = []
    i = 0
    while i < len(text):
        if covered[i]:
            i += 1
            continue
        j = i
        while j < len(text) and not covered[j]:
            j += 1
        gap = text[i:j]
        orig_a, orig_b = r.nt.span(i, j)
        has_number = any(
            not n.understood and orig_a <= n.start and n.end <= orig_b for n in numbers
        )
        benign = BENIGN_OR.sub(" ", gap)
        if i == 0 and r.exclusion and not negated:
            benign = _EXCLUSION_OPENING.sub(" ", benign)
        another_day = bool(_WINDOW_READ.search(text[:i]) and DAY_AFTER_WINDOW.search(gap))
        if (
            has_number
            or another_day
            or _LOGIC_WORDS.search(benign)
            or _content_words(benign, negated)
        ):
            quote = " ".join(gap.strip(" ,;:.()[]").split())
            if quote:
                found.append(quote)
        i = j
    return tuple(found)
