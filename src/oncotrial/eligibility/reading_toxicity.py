"""Reading the resolution of toxicities of prior therapy (issue 12): 'All toxicities (except
alopecia) from prior cancer treatments or procedures must have resolved to ≤ Grade 1 or
returned to baseline levels prior to enrollment', 'Any unresolved toxicity CTCAE > Grade 2 from
prior therapy with the exception of alopecia, vitiligo, and the laboratory values defined in the
inclusion criteria' (jwlieb/clinical-trial-agent data/demo @387df17).

A sentence is read when it names toxicities or adverse events, prior (previous, earlier,
anticancer) therapy, and a CTCAE grade limit or the baseline: an inclusion as it is stated
('resolved', 'recovered', 'returned to'), an exclusion only where it states the opposite
('unresolved', 'persistent', 'residual', 'not recovered to'), read as *not (recovered)*. The
limit: '≤ grade 1', 'grade ≤ 1', 'grade 1 or less', 'grade 0 or 1', '< grade 2' are grade 1 at
most; in an exclusion '> grade 2' and 'grade ≥ 3' leave grade 2 at most. 'Baseline' anywhere in
the sentence allows an event back to its baseline grade ('or baseline', 'or returned to
baseline levels').

Exceptions ('except (for)', 'excluding', 'with the exception of', 'other than', 'apart from')
are listed with commas, 'and' and 'or', in parentheses or to the end of the sentence; each is a
``concepts_toxicity`` concept ('alopecia', 'grade 2 neuropathy', 'stable sensory neuropathy
(Grade ≤ 2)', 'endocrinopathies controlled by replacement therapy'), its grade limit ('any
grade', 'grade ≤ 2', 'grade 2': at most 2) and the words left beside it, quoted as a qualifier
to confirm ('stable', 'controlled by replacement therapy'). An exception no concept reads ('the
laboratory values defined in the inclusion criteria', 'other toxicities not considered a safety
risk per investigator') is kept in the rule (``ToxicityRule.unread``: an event it may cover is
unknown) and left in the item's unread words: the item is partial, never met on a guess.

Only the words of the reading are consumed (the vocabulary below): any other word of the
sentence ('clinically significant', 'at the discretion of the investigator') stays unread.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import NotRule, ToxicityException, ToxicityRule

__all__ = ["read_toxicity_recovery"]

_TOXICITY = re.compile(
    r"\b(?:toxicit(?:y|ies)|toxic\s+effects?|adverse\s+(?:events?|effects?|reactions?)"
    r"|AEs?|irAEs?)\b",
    re.I,
)
_PRIOR = re.compile(
    r"\b(?:prior|previous(?:ly)?|earlier|preceding|anti-?cancer|anti-?tumou?r|antineoplastic)\b",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(?:unresolved|persistent|persisting|residual|ongoing|presence\s+of"
    r"|(?:not|never)\s+(?:yet\s+)?(?:adequately\s+|fully\s+|completely\s+)?"
    r"(?:recovered|resolved|returned|improved))\b",
    re.I,
)
_POSITIVE = re.compile(
    r"\b(?:recovered|resolved|resolution|returned|recovery|improved|reverted|be|is|are)\b", re.I
)
_OP = (
    r"(?:≤|<=|=<|≥|>=|=>|<|>|less\s+than\s+or\s+equal\s+to|greater\s+than\s+or\s+equal\s+to"
    r"|less\s+than|greater\s+than|more\s+than|at\s+most)"
)
_CTCAE = r"(?:(?:NCI[-\s]?)?CTCAE(?:\s*\(?v(?:ersion)?\s*\d(?:\.\d+)?\)?)?\s*)?(?:criteria\s+)?"
_GRADE = re.compile(
    r"(?P<op1>" + _OP + r")\s*" + _CTCAE + r"grade\s*(?P<n1>[0-4])\b"
    r"|grade\s*(?P<op2>" + _OP + r")\s*(?P<n2>[0-4])\b"
    r"|(?P<to>\bto\s+(?:a\s+)?" + _CTCAE + r")?\bgrade\s*(?:0\s*(?:or|-|–|/|,)\s*)?(?P<n3>[0-4])\b"
    r"(?:\s+(?:severity|toxicity|level))?"
    r"(?:\s+or\s+(?P<dir>less|lower|below|better|fewer|higher|greater|above|more|worse))?",
    re.I,
)
_BASELINE = re.compile(r"\bbaseline\b", re.I)
_EXCEPT = re.compile(
    r"\b(?:except(?:ions?)?(?:\s+(?:for|of))?|excluding|with\s+the\s+exceptions?\s+of"
    r"|other\s+than|apart\s+from|not\s+including)\b",
    re.I,
)
# A sentence ends at a full stop before a capital ("v5.0", "i.e., ≤ grade 1" go on), a
# semicolon or a line break
_SENTENCE_END = re.compile(r"\.(?=\s+[A-Z])|;|\n")
_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and/or\s+|and\s+|or\s+)?|\s+and/or\s+|\s+and\s+|\s+or\s+)")
_CONCEPTS = (
    ("sensory_neuropathy", r"(?:peripheral\s+)?sensory\s+(?:peripheral\s+)?neuropath(?:y|ies)"),
    ("neuropathy", r"(?:peripheral\s+)?neuropath(?:y|ies)"),
    ("alopecia", r"alopecia"),
    ("vitiligo", r"vitiligo"),
    ("hyperpigmentation", r"(?:skin\s+)?hyperpigmentation"),
    ("skin_pigmentation", r"(?:skin\s+)?(?:de)?pigmentation(?:\s+changes)?"),
    ("hypothyroidism", r"hypothyroidism"),
    (
        "endocrinopathy",
        r"endocrinopath(?:y|ies)|endocrine(?:-|\s+)(?:related\s+|immune-related\s+)?"
        r"(?:adverse\s+events|AEs|toxicit(?:y|ies)|disorders)",
    ),
    ("anemia", r"an(?:a)?emia"),
    ("fatigue", r"fatigue"),
)
# Words a qualifier of an exception may be made of, which say nothing of their own
_FILLER = frozenset(
    re.findall(
        r"\S+",
        """a an the any all of for with which that who is are must be been grade grades patients
        participants subjects such as e.g i.e""",
    )
)
# The words of a reading, consumed where they stand between its parts (any other stays unread)
_VOCABULARY = frozenset(
    re.findall(
        r"\S+",
        """toxicity toxicities toxic effect effects adverse event events ae aes irae iraes reaction
    reactions all any acute persistent persisting unresolved residual reversible ongoing from of
    due to related associated with attributed attributable caused by prior previous previously
    earlier preceding last most recent anti cancer anticancer antitumor antitumour tumor tumour
    antineoplastic oncologic systemic therapy therapies treatment treatments agent agents
    regimen regimens chemotherapy chemotherapies radiotherapy radiation immunotherapy surgery
    surgical procedure procedures intervention interventions administered given study must
    should shall have has had be been being is are was were that which resolved recovered
    returned resolution recovery resolve recover improved reverted not yet adequately fully
    completely to or and less lower below than equal higher greater above more better at most
    grade grades severity level levels baseline pre-treatment pretreatment the a an ctcae nci
    national institute common terminology criteria for version v per according as defined
    before enrollment enrolment registration randomization randomisation first dose dosing drug
    start starting initiation day cycle c1d1 screening time visit i.e ie participants patients
    subjects participant patient subject presence who""",
    )
)
_WORD = re.compile(r"[A-Za-z][A-Za-z.'-]*[A-Za-z]|[A-Za-z]")


def _limit(m: re.Match[str], exclusion: bool) -> int | None:
    """The highest grade allowed by a grade phrase, or None when it states none."""
    op = (m["op1"] or m["op2"] or "").replace(" ", "").casefold()
    n = int(m["n1"] or m["n2"] or m["n3"])
    if op in {"≤", "<=", "=<", "lessthanorequalto", "atmost"}:
        return n
    if op in {"<", "lessthan"}:
        return n - 1 if n else None
    if op in {">", "greaterthan", "morethan"}:
        return n if exclusion else None
    if op in {"≥", ">=", "=>", "greaterthanorequalto"}:
        return n - 1 if exclusion and n else None
    direction = (m["dir"] or "").casefold()
    if direction in {"less", "lower", "below", "better", "fewer"}:
        return n
    if direction:
        return n - 1 if exclusion and n else None
    return n if m["to"] else None  # 'resolved to grade 1'; a bare 'grade 2 toxicity' says none


def _exception(text: str) -> ToxicityException | None:
    """One listed exception: its concept, grade limit and qualifier; None when none reads."""
    named = (
        (key, re.search(r"\b(?:" + pattern + r")\b", text, re.I)) for key, pattern in _CONCEPTS
    )
    key, found = next(((k, m) for k, m in named if m is not None), ("", None))
    if found is None:
        return None
    rest = text[: found.start()] + " " + text[found.end() :]
    max_grade = None
    grade = _GRADE.search(rest)
    if grade is not None:
        op = (grade["op1"] or grade["op2"] or "").replace(" ", "").casefold()
        n = int(grade["n1"] or grade["n2"] or grade["n3"])
        if op in {">", "≥", ">=", "greaterthan", "morethan"} or grade["dir"] in {"higher", "above"}:
            return None
        max_grade = n - 1 if op in {"<", "lessthan"} else n
        if max_grade < 1:
            return None
        rest = rest[: grade.start()] + " " + rest[grade.end() :]
    rest = re.sub(r"\bany\s+grade\b|\bof\s+any\s+grade\b", " ", rest, flags=re.I)
    words = list(re.finditer(r"[A-Za-z][A-Za-z-]*|[^\sA-Za-z]+", rest))
    while words and (words[0][0].casefold() in _FILLER or not words[0][0][0].isalpha()):
        words.pop(0)
    while words and (words[-1][0].casefold() in _FILLER or not words[-1][0][0].isalpha()):
        words.pop()
    confirm = rest[words[0].start() : words[-1].end()] if words else None
    return ToxicityException(concept=key, max_grade=max_grade, confirm=confirm)


def _exceptions(
    r: _Reader, start: int, end: int
) -> tuple[tuple[ToxicityException, ...], tuple[str, ...], list[tuple[int, int]]]:
    """The exceptions listed in text[start:end]: read ones, unread ones, and the spans read
    (the list but its unread elements)."""
    read: list[ToxicityException] = []
    unread: list[str] = []
    spans: list[tuple[int, int]] = []
    position = start
    for part in _SEPARATOR.split(r.text[start:end]):
        where = r.text.find(part, position, end) if part else -1
        if where < 0 or not part.strip(" ,();."):
            continue
        exception = _exception(part)
        if exception is None:
            unread.append(" ".join(part.strip(" ,();.").split()))
            spans.append((position, where))
            position = where + len(part)
            continue
        read.append(exception)
    spans.append((position, end))
    return tuple(read), tuple(unread), spans


def _except_region(r: _Reader, m: re.Match[str], end: int) -> tuple[int, int]:
    """Where an exception list runs: to its closing parenthesis, else to the sentence's end."""
    opened = r.text.rfind("(", 0, m.start())
    closed = r.text.rfind(")", 0, m.start())
    if opened > closed:
        close = r.text.find(")", m.end(), end)
        if close >= 0:
            return m.end(), close
    return m.end(), end


def _vocabulary_parts(r: _Reader, start: int, end: int) -> list[tuple[int, int]]:
    parts = []
    for w in _WORD.finditer(r.text, start, end):
        word = w.group(0).casefold().strip(".")
        if word in _VOCABULARY or all(p in _VOCABULARY for p in word.split("-") if p):
            parts.append(w.span())
    return parts


def _read_sentence(r: _Reader, start: int, end: int) -> None:
    text = r.text[:end]
    toxicity = _TOXICITY.search(text, start)
    if toxicity is None:
        return
    # the prior therapy of the toxicity: the first named after it, else the last before it
    priors = list(_PRIOR.finditer(text, start))
    prior = next(
        (p for p in priors if p.start() > toxicity.start()), priors[-1] if priors else None
    )
    if prior is None:
        return
    negative = _NEGATIVE.search(text, start)
    if r.exclusion != (negative is not None):
        return  # an exclusion that states recovery, or an inclusion that states none
    cue = negative or _POSITIVE.search(text, start)
    if cue is None:
        return
    excepted = _EXCEPT.search(text, start)
    region = _except_region(r, excepted, end) if excepted is not None else (end, end)
    grades = [
        g
        for g in _GRADE.finditer(text, start)
        if not region[0] <= g.start() < region[1] and _limit(g, r.exclusion) is not None
    ]
    baseline = _BASELINE.search(text, start)
    if baseline is not None and region[0] <= baseline.start() < region[1]:
        baseline = None
    if not grades and baseline is None:
        return
    if len({_limit(g, r.exclusion) for g in grades}) > 1:
        return  # two limits outside the exceptions: which applies to what?
    exceptions, unread, spans = _exceptions(r, *region) if excepted is not None else ((), (), [])
    max_grade = _limit(grades[0], r.exclusion) if grades else 0
    assert max_grade is not None  # grades keeps only the phrases that state a limit
    anchors = [toxicity.start(), prior.start(), cue.start(), *(g.start() for g in grades)]
    a = min(anchors + ([baseline.start()] if baseline else []))
    lead = re.search(r"\b(?:any|all)\s+$", text[start:a], re.I)
    a = start + lead.start() if lead is not None else a
    ends = [toxicity.end(), prior.end(), cue.end(), *(g.end() for g in grades)]
    b = max([*ends, region[1] if excepted else 0])
    b = max(b, baseline.end() if baseline else 0)
    if any(f.start < b and a < f.end for f in r.found):
        return  # another reader has part of it ('within 4 weeks of prior therapy')
    rule = r.draft(
        ToxicityRule,
        a,
        b,
        max_grade=max_grade,
        or_baseline=baseline is not None,
        exceptions=exceptions,
        unread=unread,
    )
    parts = [g.span() for g in grades] + spans
    parts += _vocabulary_parts(r, a, region[0] if excepted else b)
    if excepted is not None:
        parts.append(excepted.span())
        parts += [(x, x + 1) for x in (region[1],) if r.text[x : x + 1] == ")"]
        parts += _vocabulary_parts(r, region[1], b)
    read = r.draft(NotRule, a, b, rule=rule) if r.exclusion else rule
    r.add_reading(a, b, read, tuple(parts))


def read_toxicity_recovery(r: _Reader) -> None:
    start = 0
    for m in _SENTENCE_END.finditer(r.text):
        _read_sentence(r, start, m.end())
        start = m.end()
    if start < len(r.text):
        _read_sentence(r, start, len(r.text))
