"""Reading prior anticancer therapy from criteria text: "Prior treatment with bevacizumab or
other VEGF inhibitors", "previously treated with an EGFR TKI", "No prior sorafenib,
temsirolimus, or …".

Each name is a concept of ``oncotrial.eligibility.concepts``: a class (VEGF/VEGFR inhibitors,
EGFR TKIs, ALK inhibitors by their own patterns; PARP, CDK4/6, PI3K, mTOR, BRAF, MEK, BTK and
KRAS G12C inhibitors, anthracyclines and taxanes by the phrases ``concepts_drug_classes``
declares) or a drug with a concept of its own (``concepts_drugs``). A drug named with its class
("bevacizumab or other VEGF inhibitors"), or as its example ("a PARP inhibitor, including
olaparib"), is the class; a drug named alone is the
drug, never its class (a rule on the class would exclude patients given another drug of it); a
member of a class with no concept of its own named alone ("prior anlotinib") is not read. A list
is read drug by drug: any one excludes. An exclusion excludes on any exposure ever; an inclusion
is read only when it is negated ("No prior …"); "… allowed" states no condition and is not read.
Any other word of the list ("or any other agents targeting raf") stays unread, so the item goes
to the checklist (issue 12: never decided on the understood fragment alone).
"""

from __future__ import annotations

import re

from oncotrial.eligibility.concepts import THERAPIES
from oncotrial.eligibility.concepts_drug_classes import CLASS_MEMBERS, DRUG_CLASS_TABLE
from oncotrial.eligibility.concepts_drugs import DRUG_CLASSES, DRUGS
from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _NEGATION, _taken
from oncotrial.eligibility.rules import AnyOfRule, MedicationRule, NotRule, PriorLinesRule, Rule
from oncotrial.eligibility.windows import _WINDOW

__all__ = [
    "class_patterns",
    "drug_names",
    "read_prior_systemic_therapy",
    "read_prior_therapies",
]


# The class names: (pattern, concept key). VEGF inhibitors, EGFR TKIs and ALK inhibitors keep
# the patterns written for their many spellings; the classes of concepts_drug_classes are read
# from the phrases declared there (``_phrase``).
_WRITTEN: tuple[tuple[str, str], ...] = (
    (
        # not "anti-angiogenic": the words also cover endostatin and others outside the class
        r"(?:anti-?\s?VEGF(?:R)?|VEGF(?:R)?(?:[-\s]?(?:targeted|targeting))?)"
        r"(?:\s+(?:receptor\s+)?(?:tyrosine\s+kinase\s+)?(?:inhibitors?|agents?|drugs?|therap(?:y|ies)"
        r"|antibod(?:y|ies)|TKIs?))",
        "vegf_inhibitor",
    ),
    (
        r"EGFR[-\s](?:tyrosine\s+kinase\s+inhibitors?|TKIs?)|EGFR[-\s]targeted\s+TKIs?"
        r"|epidermal\s+growth\s+factor\s+receptor\s+(?:\(EGFR\)\s+)?tyrosine\s+kinase\s+"
        r"inhibitors?(?:\s+\(EGFR[-\s]TKIs?\))?",
        "egfr_tki",
    ),
    (
        r"ALK(?:[-\s]targeted)?\s+(?:tyrosine\s+kinase\s+)?inhibitors?|ALK[-\s]TKIs?",
        "alk_inhibitor",
    ),
)


def _words(phrase: str) -> str:
    """A declared phrase as a pattern: a space or hyphen between words may be either, the last
    word may be plural ("PARP inhibitors", "anthracyclines")."""
    words = [re.escape(w).replace(r"\-", "[-\\s]?") for w in phrase.split()]
    return r"[-\s]+".join(words) + r"(?:s|\(s\))?(?!\w)"


def _phrase(phrases: tuple[str, ...]) -> str:
    """A class's phrases, the longest first, with one of them in brackets after it ("PARP
    inhibitor (PARPi)")."""
    one = "|".join(_words(p) for p in sorted(phrases, key=len, reverse=True))
    return rf"(?:{one})(?:\s*\((?:{one})\))?"


_DECLARED = tuple((_phrase(c.phrases), c.key) for c in DRUG_CLASS_TABLE)
_CLASS_NAMES: tuple[tuple[str, str], ...] = (*_WRITTEN, *_DECLARED)


def class_patterns() -> tuple[tuple[str, str], ...]:
    """(pattern, class key) of each class of ``concepts_drug_classes``, for the windowed
    reading ("an mTOR inhibitor within 4 weeks prior to first dose": reading_history)."""
    return tuple((rf"(?<![\w-])(?:{p})", key) for p, key in _DECLARED)


# A name of a drug: (the drug's key if it has a concept of its own, the classes it belongs to).
# A member of a class with no concept of its own (anlotinib) is read only beside its class.
_MEMBERS: dict[str, tuple[str, ...]] = {
    "vegf_inhibitor": THERAPIES["vegf_inhibitor"].names,
    "egfr_tki": THERAPIES["egfr_tki"].names,
    "alk_inhibitor": THERAPIES["alk_inhibitor"].names,
    **CLASS_MEMBERS,
}


def _classes_of_members() -> dict[str, tuple[str, ...]]:
    """Each member's name (case folded) → the classes that list it, in ``_MEMBERS`` order."""
    found: dict[str, dict[str, None]] = {}
    for key, names in _MEMBERS.items():
        for name in names:
            found.setdefault(name.casefold(), {})[key] = None
    return {name: tuple(classes) for name, classes in found.items()}


_DRUG_OF: dict[str, tuple[str | None, tuple[str, ...]]] = {
    **{name: (None, classes) for name, classes in _classes_of_members().items()},
    **{
        name.casefold(): (drug.key, DRUG_CLASSES[drug.key]) for drug in DRUGS for name in drug.names
    },
}


def drug_names(key: str) -> str:
    """A pattern of the names of drug ``key`` (generic, salts, brands), the longest first, with
    a brand in brackets after it ("trastuzumab (Herceptin®)")."""
    names = sorted(THERAPIES[key].names, key=len, reverse=True)
    one = "|".join(re.escape(n) for n in names)
    return (
        rf"(?<![\w-])(?:{one})(?!\s+(?:emtansine|deruxtecan|liposome|protein-bound))"
        rf"(?:\s*\((?:{one})\s*[®™]?\))?(?![\w-])"
    )


_DRUG = re.compile(
    r"(?<![\w-])(?P<name>"
    + "|".join(re.escape(n) for n in sorted(_DRUG_OF, key=len, reverse=True))
    + r")(?!\s+(?:emtansine|deruxtecan|liposome|protein-bound))"
    r"(?:\s*\((?P<brand>[^()]{2,30}?)\s*[®™]?\))?(?![\w-])",
    re.I,
)
_CLASS = re.compile(
    "|".join(
        f"(?P<c{i}>(?:{p})(?:\\s+(?:therapy|treatment))?)" for i, (p, _) in enumerate(_CLASS_NAMES)
    ),
    re.I,
)
_LEAD = re.compile(
    r"\b(?:prior|previous(?:ly)?)\s+(?:(?:treatment|therapy|exposure|use)\s+(?:with|to|of)\s+|"
    r"treated\s+with\s+|received\s+)?(?:an?\s+|any\s+)?",
    re.I,
)
# "No concurrent bevacizumab": taken at the first dose (as "no concurrent chemotherapy" is)
_CONCURRENT = re.compile(
    r"\b(?:concurrent|concomitant)\s+(?:(?:treatment|therapy|use)\s+(?:with|of)\s+)?",
    re.I,
)
_JOINER = re.compile(
    r"\s*(?:,\s*)?(?:or|and/or|,)\s*(?:(?:any\s+)?other\s+|an?\s+(?=\S+\s+inhibitor))?", re.I
)
# A count of regimens or lines, not any exposure: "more than 1 prior taxane regimen"
# (NCT04662580 E2), "> 2 lines of prior taxane-based chemotherapy" (NCT05766371 E8), "no more
# than 1 prior taxane regimen" (NCT05519449 I5; jwlieb/clinical-trial-agent data/demo @387df17)
_COUNT_BEFORE = re.compile(
    r"(?:\d|[<>≤≥]|\b(?:one|two|three|four|more|fewer|less|most|least|lines?|regimens?|"
    r"courses?)\b)[^.;:\d<>≤≥]{0,20}$",
    re.I,
)
_COUNT_AFTER = re.compile(
    r"[-\s]*(?:based\s+)?(?:chemotherapy\s+)?(?:regimens?|lines?|courses?|cycles?)\b", re.I
)
# "Prior temozolomide or sorafenib allowed": no condition stated, nothing is read
_ALLOWED = re.compile(r"[^.;]*\b(?:allowed|permitted|eligible)\b", re.I)


def _drug_at(text: str, at: int) -> tuple[int, tuple[str | None, tuple[str, ...]]] | None:
    """The end and the drug of a drug name at ``at`` (a brand in brackets after it must name
    the same drug), or None."""
    m = _DRUG.match(text, at)
    if m is None:
        return None
    drug = _DRUG_OF[m.group("name").casefold()]
    brand = m.group("brand")
    same = brand is None or (
        drug[0] is not None and _DRUG_OF.get(brand.strip().casefold(), (None, ()))[0] == drug[0]
    )
    # words of their own in the brackets stay unread
    return (m.end(), drug) if same else (m.end("name"), drug)


# "a BRAF inhibitor (e.g., encorafenib, dabrafenib, vemurafenib)" (NCT03803553 E32), "a PARP
# inhibitor, including olaparib, niraparib, and rucaparib" (NCT06580314 I8)
_EXAMPLES = re.compile(
    r"\s*(?:(?P<bracket>\()(?:e\.\s?g\.?|i\.\s?e\.?|such\s+as|including)[,:]?|,?\s+including)\s*",
    re.I,
)
_EXAMPLE_JOIN = re.compile(r"\s*(?:,\s*(?:(?:and/)?or\s+|and\s+)?|\s(?:and/)?or\s+|\sand\s+)", re.I)


def _examples(text: str, at: int, klass: str) -> int:
    """The end of the examples after a class name when every one is a drug of the class (they
    restrict nothing: the class holds them), else ``at``: examples naming anything else stay
    unread."""
    lead = _EXAMPLES.match(text, at)
    if lead is None:
        return at
    close = re.compile(r"\s*(?:,?\s*etc\.?)?\s*\)" if lead["bracket"] else r"\s*(?=[.;]|$)")
    end = lead.end()
    while True:
        drug = _drug_at(text, end)
        if drug is None or klass not in drug[1][1]:
            return at
        end = drug[0]
        closed = close.match(text, end)
        if closed is not None:
            return closed.end()
        join = _EXAMPLE_JOIN.match(text, end)
        if join is None:
            return at
        end = join.end()


def _names(text: str, at: int) -> list[tuple[int, int, str | None, tuple[str, ...]]]:
    """The names listed from ``at``: (start, end, the drug's key or None for a class name, the
    class named or the drug's classes)."""
    found: list[tuple[int, int, str | None, tuple[str, ...]]] = []
    while True:
        klass = _CLASS.match(text, at)
        drug = _drug_at(text, at)
        if klass is not None:
            key = next(_CLASS_NAMES[int(g[1:])][1] for g, v in klass.groupdict().items() if v)
            at = _examples(text, klass.end(), key)
            found.append((klass.start(), at, None, (key,)))
        elif drug is not None:
            end, (own, classes) = drug
            found.append((at, end, own if own is not None else "", classes))
            at = end
        else:
            return found
        join = _JOINER.match(text, at)
        if join is None or join.end() == at:
            return found
        at = join.end()


def read_prior_therapies(r: _Reader) -> None:
    """'Prior bevacizumab or other VEGF inhibitors' (the class), 'No prior sorafenib,
    temsirolimus, or …' (each drug with a concept of its own: any one excludes), 'No concurrent
    bevacizumab' (taken at the first dose)."""
    text = r.text
    leads = [(m, False) for m in _LEAD.finditer(text)]
    leads += [(m, True) for m in _CONCURRENT.finditer(text)]
    for lead, ongoing in leads:
        names = _names(text, lead.end())
        if not names or _taken(r, lead.start(), names[-1][1]):
            continue
        start, end = lead.start(), names[-1][1]
        if _ALLOWED.match(text, end) or re.match(r"[\s,]*" + _WINDOW, text[end:], re.I):
            continue  # no condition stated, or a window the windowed reading takes
        if _COUNT_BEFORE.search(text, 0, start) or _COUNT_AFTER.match(text, end):
            continue  # a count of regimens, not any exposure
        negate = not r.exclusion
        negated = _NEGATION.search(text[max(0, start - 40) : start]) is not None
        if negate != negated:
            # an inclusion states no condition unless negated; an exclusion negated ("without
            # prior treatment with a PARP inhibitor", NCT05563220 E4) is the other way round
            continue
        classes = {member_of[0] for _, _, own, member_of in names if own is None}
        keys: list[str] = []
        for _, _, own, member_of in names:
            if own is None:
                keys.append(member_of[0])
            elif set(member_of) & classes:
                continue  # a drug named beside its class ("… or other VEGF inhibitors")
            elif not own:
                keys = []  # a member with no concept of its own, alone: its class is a guess
                break
            else:
                keys.append(own)
        if not keys:
            continue
        rules: list[Rule] = [
            r.draft(MedicationRule, start, end, therapy=key, ongoing=ongoing)
            for key in dict.fromkeys(keys)
        ]
        rule = rules[0] if len(rules) == 1 else r.draft(AnyOfRule, start, end, rules=tuple(rules))
        if negate:
            rule = r.draft(NotRule, start, end, rule=rule)
        r.add(start, end, rule)


_SYSTEMIC = re.compile(
    r"\b(?:prior|previous)\s+systemic\s+(?:anti-?\s?cancer\s+|anti-?\s?neoplastic\s+)?"
    r"(?:therapy|therapies|treatment|treatments)\b",
    re.I,
)


_SYSTEMIC_NEGATION = re.compile(
    r"\b(?:no|without|(?:must\s+)?not\s+(?:have\s+|has\s+)?(?:received|had)|"
    r"never\s+(?:received|had))\s*$",
    re.I,
)


def read_prior_systemic_therapy(r: _Reader) -> None:
    """'No prior systemic therapy' (inclusion) and 'Prior systemic anticancer therapy'
    (exclusion): no line of systemic therapy recorded. A setting named after it ("for
    metastatic disease", "except adjuvant …") stays unread, so such an item is partial."""
    text = r.text
    m = _SYSTEMIC.search(text)
    if m is None or _taken(r, m.start(), m.end()):
        return
    if r.exclusion:
        r.add(m.start(), m.end(), r.draft(PriorLinesRule, m.start(), m.end(), min_lines=1))
        return
    # the negation is the rule's own words here ("no prior …" is *at most 0 lines*)
    negation = _SYSTEMIC_NEGATION.search(text, 0, m.start())
    if negation is None:
        return
    r.add(m.start(), m.end(), r.draft(PriorLinesRule, m.start(), m.end(), max_lines=0))
    r.consume(negation.start(), negation.end())
