"""Reading the tumour from criteria text: the diagnosis and how it was confirmed, the AJCC
stage group (lists and ranges: "stage IIIB-IV" is IIIB, IIIC and IV), TNM categories and the
primary tumour's size. Only what is named is read: the words between a confirmation and the
cancer's name, or between a quantity and its limit, are another reader's or stay unread.
"""

from __future__ import annotations

import re
from typing import Any

from oncotrial.catalogue.staging import STAGE_ORDER
from oncotrial.eligibility.concepts import CONDITIONS
from oncotrial.eligibility.concepts_cancers import (
    CANCER_CLASS_SITES,
    CANCER_SITES,
    DIAGNOSIS_SUBTYPE_NAMES,
)
from oncotrial.eligibility.evaluate_tumour import matches_stage
from oncotrial.eligibility.reading import _SYMBOLS, _Reader
from oncotrial.eligibility.rules import (
    Bound,
    DiagnosisRule,
    JudgementRule,
    Rule,
    StageRule,
    TumourSizeRule,
)


def _cancer_pattern() -> re.Pattern[str]:
    """Every primary cancer's names, longest first, as one pattern whose group name is the
    concept key; a name never starts inside a word or after a hyphen ("non-melanoma"). An
    abbreviation in capitals may follow in parentheses ("renal cell carcinoma (RCC)"); other
    words there ("melanoma (uveal)") stay unread."""
    skip = {"skin_cancer", "nonmelanoma_skin_cancer"}  # exception classes, not trial diagnoses
    alternatives = []
    for key in sorted({*CANCER_SITES, *CANCER_CLASS_SITES} - skip):
        names = {CONDITIONS[key].name, *CONDITIONS[key].names} - DIAGNOSIS_SUBTYPE_NAMES
        words = sorted(names, key=len, reverse=True)
        body = "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in words)
        alternatives.append((max(len(n) for n in words), f"(?P<{key}>{body})"))
    joined = "|".join(p for _, p in sorted(alternatives, reverse=True))
    return re.compile(
        r"(?<![\w-])(?<!\bnon\s)(?:" + joined + r")(?:\s*\((?-i:[A-Z]{2,6})\))?(?![\w-])", re.I
    )


_CANCER = _cancer_pattern()


def _cancer_in(text: str, start: int = 0, *, exclusion: bool = False) -> re.Match[str] | None:
    """The first primary cancer named from ``start``. In an exclusion only NSCLC is read, as
    before: another cancer named there is a history ("prior breast cancer"), not the
    diagnosis of the trial."""
    for m in _CANCER.finditer(text, start):
        if not exclusion or m.lastgroup == "nsclc":
            return m
    return None


# "histopathologically confirmed" (NCT04130516 I2), "histopathological and/or cytopathological
# confirmation of" (NCT05168566 I2; jwlieb/clinical-trial-agent data/demo @387df17)
_HOW = r"(?:histo-?patholog|cyto-?patholog|histolog|cytolog|patholog)(?:ically|ical|ic)"
# How the diagnosis was confirmed, in the ways records write it: "histologically or
# cytologically confirmed", "histologically-confirmed", "Histologically- or cytologically
# confirmed" (a suspended hyphen, NCT00549328 I2), "pathologically (histologically or
# cytologically) proven", "histological or cytological confirmation of", "histologic diagnosis
# of"; "diagnosis of" after the confirmation names what follows and adds nothing.
_CONFIRMED = re.compile(
    rf"(?P<how>{_HOW}(?:-?\s*(?:or|and/or|and|,|/)\s*{_HOW})?"
    rf"(?:\s*\(\s*{_HOW}(?:\s*(?:or|and/or|and|,|/)\s*{_HOW})?\s*\))?)"
    r"(?:[\s-]+(?:confirmed|documented|proven)(?:\s+diagnosis\s+of)?"
    r"|\s+(?:confirmation|diagnosis|documentation)\s+of)(?!\w)",
    re.I,
)


def _read_diagnosis(r: _Reader) -> None:
    text = r.text
    m = _CONFIRMED.search(text)
    cancer = _cancer_in(text, exclusion=r.exclusion)
    if not (m and cancer) or cancer.lastgroup is None:
        return
    how = m.group("how").lower()
    confirmed = tuple(x for x in ("histology", "cytology") if x[:4] in how)
    start, end = min(m.start(), cancer.start()), max(m.end(), cancer.end())
    rule = r.draft(DiagnosisRule, start, end, condition=cancer.lastgroup, confirmed_by=confirmed)
    # Only the confirmation and the cancer's name are read: what stands between them ("stage
    # IIIB-IV", "EGFR-mutant", "squamous") is another reader's or stays unread, never swallowed.
    r.add_reading(start, end, rule, ((m.start(), m.end()), (cancer.start(), cancer.end())))
    words = list(_EXTENT_WORDS.finditer(text[: cancer.end()]))
    if not words:
        return
    extent = _EXTENT.fullmatch(text, words[0].start(), words[-1].end())
    if extent is not None:
        # "locally advanced or metastatic NSCLC": the extent now (eligibility.extent)
        a, b = extent.span()
        extents = (
            ("locally_advanced", "metastatic")
            if extent.group("met") or extent.group("met_la")
            else ("locally_advanced",)
            if extent.group("la")
            else ("metastatic",)
        )
        r.add(a, b, r.draft(StageRule, a, b, extent=extents))
        return
    advanced = words[0]
    what = f"disease is {advanced.group(0).lower()} (no stage is stated: the investigator confirms)"
    r.add(advanced.start(), cancer.end(), _judgement(r, advanced.start(), cancer.end(), what))


# The words of the disease's extent before the cancer's name. "Locally advanced", "metastatic" and
# "locally advanced or metastatic" are an extent a record can hold (eligibility.extent); with
# "advanced" alone, "recurrent" or "unresectable" among them the item asks the investigator, as
# before: "advanced" names no extent, recurrence and resectability are not recorded.
_EXTENT_WORDS = re.compile(
    r"\b(?:locally[\s-]+advanced|advanced|metastatic|recurrent|unresectable)\b", re.I
)
_OR = r"\s*(?:,|/|,?\s*or|,?\s*and/or|and)\s*"
_EXTENT = re.compile(
    r"(?P<la>locally[\s-]+advanced)(?:" + _OR + r"(?P<met>metastatic))?"
    # "metastatic or locally advanced solid tumor" (NCT05410145 I1)
    r"|metastatic(?P<met_la>" + _OR + r"locally[\s-]+advanced)?",
    re.I,
)


def _judgement(r: _Reader, start: int, end: int, what: str) -> Rule:
    rule = JudgementRule(kind="judgement", id="draft", description=what, source=r.span(start, end))
    return rule


_STAGE_GROUP = re.compile(
    r"(?P<sep>\s*(?:,|or|and|/|-|–|to|through)?\s*)(?P<g>(?:IV|I{1,3})[ABC]?\d?)", re.I
)


def _stage_range(low: str, high: str) -> list[str]:
    """'IIIB' to 'IV' → IIIB, IIIC, IV; 'IB' to 'IIIA' → IB, II, IIIA: the groups of
    ``STAGE_ORDER`` from ``low`` to the last subgroup of ``high``, a parent group only when every
    subgroup of it is within the range (III is not within IB–IIIA), subgroups of a kept parent
    dropped. Reversed or unknown ends give the two ends alone."""
    order = list(STAGE_ORDER)
    if low not in order or high not in order or order.index(low) > order.index(high):
        return [low, high]
    last = max(i for i, g in enumerate(order) if matches_stage(g, high))
    span = order[order.index(low) : last + 1]
    kept = [g for g in span if all(d in span for d in order if matches_stage(d, g))]
    return [g for g in kept if not any(a != g and matches_stage(g, a) for a in kept)]


def _stage_list(written: str) -> list[str]:
    """The stage groups of 'IIIB, IIIC or IV', 'IIIB-IV', 'IB to IIIA'."""
    groups: list[str] = []
    for m in _STAGE_GROUP.finditer(written):
        group = m.group("g").upper()
        if groups and re.fullmatch(r"\s*(?:-|–|to|through)\s*", m.group("sep"), re.I):
            groups[-1:] = _stage_range(groups[-1], group)
        else:
            groups.append(group)
    return groups


def _read_stage(r: _Reader) -> None:
    text = r.text
    groups: list[str] = []
    start = end = None
    for m in re.finditer(
        r"\bstages?\s+(?P<list>(?:(?:IV|I{1,3})[ABC]?\d?)"
        r"(?:\s*(?:,|or|and|/|-|–|to|through)?\s*(?:IV|I{1,3})[ABC]?\d?(?![\w]))*)(?![\w])",
        text,
        re.I,
    ):
        groups += _stage_list(m.group("list"))
        start = m.start() if start is None else start
        end = m.end()
    tnm = re.search(r"\b(?P<t>T[0-4](?:[a-c]|is|mi)?)(?P<n>N[0-3][a-c]?)(?P<m>M[01][a-c]?)\b", text)
    edition = re.search(
        r"(?P<ed>\d+)(?:st|nd|rd|th)\s+edition\s+of\s+(?:the\s+)?(?:AJCC|American Joint Committee)"
        r"|(?:AJCC|American Joint Committee on Cancer)[^.;]{0,40}?(?P<ed2>\d+)(?:st|nd|rd|th)"
        r"\s+edition",
        text,
        re.I,
    )
    partial = re.search(r"\bT[0-4](?:-[0-4])?N[0-3](?!M)", text)
    if partial and not tnm:
        r.warn(f"the TNM qualifier '{partial.group(0)}' is not read (no M category)")
    if not groups and not tnm:
        return
    lung = re.search(r"lung\s+cancer|NSCLC|non-small", text, re.I)
    if not (tnm or lung or _cancer_in(text, exclusion=r.exclusion)):
        return  # a stage of something else ("stage I malignancies" of a second cancer)
    spans = [
        (a, b)
        for a, b in ((start, end), (tnm.start(), tnm.end()) if tnm else (None, None))
        if a is not None and b is not None
    ]
    if edition:
        spans.append((edition.start(), edition.end()))
    a, b = min(s[0] for s in spans), max(s[1] for s in spans)
    fields: dict[str, Any] = {"groups": tuple(dict.fromkeys(groups))}
    if tnm:
        fields.update(t=(tnm.group("t"),), n=(tnm.group("n"),), m=(tnm.group("m"),))
    if edition:
        fields["editions"] = (int(edition.group("ed") or edition.group("ed2")),)
    rule = r.draft(StageRule, a, b, **fields)
    # the stage list, the TNM categories and the edition are read; words between them are not
    r.add_reading(a, b, rule, tuple(spans))
    cancer = _named_after(text, b, r.exclusion) or _named_after(text, end or b, r.exclusion)
    if cancer and cancer.lastgroup and not any(isinstance(f.rule, DiagnosisRule) for f in r.found):
        # "Stage IV NSCLC": the cancer named right after its stage is the diagnosis required
        # (how it was confirmed is not said, so any confirmation meets it)
        c0, c1 = cancer.start(), cancer.end()
        r.add(c0, c1, r.draft(DiagnosisRule, c0, c1, condition=cancer.lastgroup))


_AJCC_LEAD = re.compile(r"\s*(?:\(\s*AJCC[^)]{0,30}\)\s*)?")


def _named_after(text: str, at: int, exclusion: bool) -> re.Match[str] | None:
    """A cancer named right after ``at`` ("Stage IV NSCLC"; "(AJCC 8th edition) NSCLC")."""
    lead = _AJCC_LEAD.match(text, at)
    start = lead.end() if lead else at
    m = _cancer_in(text, start, exclusion=exclusion)
    return m if m is not None and m.start() == start else None


# What may stand between a quantity's name and its limit without a meaning of its own. The
# biomarker rule's PD-L1 value is the tumour proportion score (oncotrial.eligibility.patient):
# "PD-L1 TPS or CPS ≥ 1%" or "PD-L1 on immune cells ≥ 1%" is another quantity, and "tumour
# diameter or volume" another limit, so any other word stays unread (issue 12: never decided on
# the understood fragment alone).
_PDL1_GAP = re.compile(
    r"(?:\s|[(),:=]|expression|level|staining|status|of|on|in|by|IHC|immunohistochemistry|"
    r"tumou?r\s+proportion\s+score|TPS|tumou?r\s+cells?|\(TC\)|22C3|SP263|28-8|assay)*",
    re.I,
)
_SIZE_GAP = re.compile(r"(?:\s|[(),:]|of|the|largest|longest|maximum|max\.?)*", re.I)


def _add_across_gap(r: _Reader, m: re.Match[str], rule: Rule, filler: re.Pattern[str]) -> None:
    """Add ``rule`` read from ``m``; words in its ``gap`` other than ``filler`` stay unread."""
    if filler.fullmatch(m.group("gap")):
        r.add(m.start(), m.end(), rule)
    else:
        r.add_reading(
            m.start(), m.end(), rule, ((m.start(), m.start("gap")), (m.end("gap"), m.end()))
        )


def _read_tumour_size(r: _Reader) -> None:
    m = re.search(
        r"(?:tumou?r\s+(?:size|diameter)|diameter|lesion\s+size)(?P<gap>[^.;0-9]{0,12}?)"
        r"(?P<c1>[<>≤≥])\s*(?P<v1>\d+(?:\.\d+)?)\s*(?P<u1>cm|mm)"
        r"(?:\s*(?:and|,|-|to)\s*(?P<c2>[<>≤≥])\s*(?P<v2>\d+(?:\.\d+)?)\s*(?P<u2>cm|mm))?",
        r.text,
        re.I,
    )
    if not m:
        return
    unit = m.group("u1").lower()
    bounds = [Bound(comparator=_SYMBOLS[m.group("c1")], value=float(m.group("v1")))]
    if m.group("c2"):
        value = float(m.group("v2"))
        if m.group("u2").lower() != unit:
            value = value * (10 if unit == "mm" else 0.1)
        bounds.append(Bound(comparator=_SYMBOLS[m.group("c2")], value=value))
    rule = r.draft(TumourSizeRule, m.start(), m.end(), bounds=tuple(bounds), unit=unit)
    _add_across_gap(r, m, rule, _SIZE_GAP)
