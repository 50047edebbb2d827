"""Reading variants of driver genes named as present or absent: "with KRAS G12C mutation",
"EGFR Exon 19 deletion or Exon21 L858R mutation", "BRAF V600E mutation-positive", "must be
EGFR-T790M negative", "NSCLC patients with EGFR Cys797Ser (C797S) mutation" (an exclusion;
issue 12).

A variant phrase is a marker (``concepts.BIOMARKERS``) and one or more of its declared variants
(``concepts_variants``), or variants whose names alone name their gene ("exon 19 deletions or
exon 21 L858R mutations" are EGFR's), joined by "or" or commas, with an optional word after
("mutation", "mutant", "mutated", "positive", "+"). It becomes one ``BiomarkerRule`` with the
variants as its any-of ``variant``:

- in an inclusion, required; after "no", "without", "negative for", "not be positive for", or
  before "negative", the rule negated (none of the variants);
- in an exclusion, named as present: the rule excludes.

The gene's name before its symbol ("Kirsten rat sarcoma (KRAS) G12C", ``GENE_NAMES``) and the
words that only say the result is the patient's ("Documentation of the presence of a", "Must
have disease with evidence of", "harboring a", "either a … or …") are read with the phrase;
words naming the specimen or the test ("in tumor tissue or ctDNA", "by a locally validated
assay") stay quoted.

Not read, so the item stays partial or a checklist item: an undeclared variant in the list
("G719X", "BRAF V600": several substitutions under one name), variants joined by "and" (both,
or either? "C797S and T790M"), a variant after another gene's name ("RAS G12D", "HER2
ex20ins"), or named as a drug's target or resistance ("KRAS G12C inhibitor", "therapy targeting
KRAS G12C mutation", "acquired", "germline", "non-G12C"), the test rather than its result
("mutation status", "testing"), a subgroup's condition ("Patients with EGFR T790M mutation must
have received …"), one item of a wider list ("such as EGFR sensitizing mutations, EGFR T790M
mutation, ALK gene fusion"), and an absence in an exclusion.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.concepts_variants import GENE_NAMES, VARIANTS, Variant, variant_pattern
from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import BiomarkerRule, NotRule

__all__ = ["read_variants"]

_MARKERS = sorted({v.marker for v in VARIANTS})
# a gene symbol in capitals, maybe in brackets after its name ("Kirsten rat sarcoma (KRAS)")
_MARKER = r"\(?(?<![\w-])(?-i:" + "|".join(_MARKERS) + r")\)?(?![\w])"


def _one(v: Variant) -> str:
    body = variant_pattern(v)
    if v.exon is None:
        return body
    exon = rf"(?:exon|ex)[\s-]*{v.exon}"
    return rf"(?:{exon}[\s-]*)?(?:{body})(?:\s+in\s+{exon})?"


_ALTERNATIVES = [(f"v{i}", v) for i, v in enumerate(VARIANTS)]
_VARIANT = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<{g}>{_one(v)})" for g, v in _ALTERNATIVES) + r")(?!\w)",
    re.I,
)
_SEP = re.compile(
    r"(?:[\s-]*(?:mutations?|mutant|mutated|substitutions?))?"
    r"\s*,?\s*(?:(?P<word>or|and/or|and)\s+|,\s*|/\s*)(?:an?\s+|the\s+)?"
    r"(?:(?P<marker>" + _MARKER + r")[\s-]*)?",
    re.I,
)
_LEAD = re.compile(
    r"(?:(?P<name>" + "|".join(GENE_NAMES.values()) + r")\s*(?=\())?"
    r"(?P<marker>" + _MARKER + r")(?:[\s-]+|\^)(?:gene\s+)?$",
    re.I,
)
# words before the phrase that say only that the result is the patient's ("Documentation of the
# presence of a", "Must have disease with evidence of", "Tumors must harbor a"), and "either"
# before alternatives
_LEAD_WORDS = re.compile(
    r"(?:\b(?:has\s+|have\s+)?documentation\s+of\s+(?:the\s+)?(?:presence\s+of\s+)?|"
    r"\bdisease\s+with\s+evidence\s+of\s+|\b(?:tumou?rs?\s+(?:must\s+)?)?harbou?r(?:ing|s)?\s+|"
    r"\bcharacteri[sz]ed\s+by\s+|\bpositive\s+for\s+|"
    r"\btumou?r\s+that\s+demonstrates\s+(?:the\s+)?presence\s+of\s+)(?:an?\s+|the\s+)?(?:documented\s+|known\s+)?$",
    re.I,
)
_EITHER = re.compile(r"\beither\s+(?:an?\s+|the\s+)?$", re.I)
_WORD = re.compile(
    r"(?:[\s-]*(?:activating\s+|sensiti[sz]ing\s+)?(?:mutation[\s-]positive|mutations?|mutant|"
    r"mutated|positive|alterations?|substitutions?|variants?(?:\s+mutations?)?)\b(?:\(s\))?|\+)?",
    re.I,
)
# "the L858R or exon 19 deletion activating EGFR mutation": the marker after the variants
_MARKER_AFTER = re.compile(
    r"\s+(?:activating\s+|sensiti[sz]ing\s+)?(?P<marker>" + _MARKER + r")\s+mutations?\b", re.I
)
_NEGATIVE_AFTER = re.compile(r"[\s-]*negative\b", re.I)
_NEGATION = re.compile(
    r"\b(?:no|without|negative\s+for|absence\s+of|not\s+(?:be\s+)?positive\s+for|"
    r"(?:must|should)\s+not\s+(?:have|harbou?r)|do(?:es)?\s+not\s+(?:have|harbou?r))\s+"
    r"(?:an?\s+|any\s+)?(?:known\s+|documented\s+|evidence\s+of\s+)?(?:the\s+)?$",
    re.I,
)
# words before the phrase that make it something other than the patient's result
_NOT_A_RESULT_BEFORE = re.compile(
    r"(?:\b(?i:target(?:ing|s|ed)?|against|inhibitors?\s+(?:of|for)|(?<!positive\s)for|"
    r"resistan(?:ce|t)|acquired|germline|co-?occurring|other\s+than|except|excluding|such\s+as"
    r"|e\.?g\.?|including|include[sd]?|i\.e\.?|like|carrying|(?:treat(?:ment|ed)|therap(?:y|ies)"
    r"|received|receiving)\s+with|received)|\b(?i:non)|[,;(/\[-]\s*(?i:and/or|and|or)?"
    r"|[A-Z0-9]{2,}\)?\s*(?i:and/or|and|or)?)"
    r"\s*(?i:an?\s+|the\s+|any\s+|known\s+)*$"
    # a drug's target or an exception earlier in the clause ("a therapy targeting PARP or KRAS
    # G12C mutation", "unless presence of KRAS G12D mutation is confirmed")
    r"|(?i:\btarget\w*|\bunless)\b[^.;]{0,30}$"
)
_NOT_A_RESULT_AFTER = re.compile(
    r"[\s-]*(?:\([^)]{0,20}\)\s*)?(?i:inhibitors?|targeted|targeting|directed|specific|tkis?|"
    r"therap(?:y|ies)|treatments?|status|test(?:ing|s)?|assays?|analysis|results?|"
    r"wild[\s-]*type|cohorts?|arms?|co-?mutations?|immunohistochemistry|IHC|sequencing|NGS|PCR|"
    r"tyrosine)\b"
    r"|\s+(?i:or\s+other)\b"
    r"|\s*,\s*(?i:or\s+|and\s+)?[A-Z][A-Z0-9]+\b",  # another gene of a wider list
)
# "Patients with EGFR T790M mutation must have received …": a subgroup's condition
_SUBGROUP = re.compile(
    r"\b(?:patients?|participants?|subjects?|those|individuals?|people)\s+(?:with|who\s+have|"
    r"harbou?ring)\s+(?:an?\s+|known\s+|documented\s+)*$",
    re.I,
)
_NOT_ELIGIBLE = re.compile(r"\b(?:not\s+(?:be\s+)?eligible|ineligible|excluded)\b", re.I)


def _variant_of(m: re.Match[str]) -> Variant:
    (group,) = (g for g, _ in _ALTERNATIVES if m.group(g) is not None)
    return VARIANTS[int(group[1:])]


def _phrases(text: str) -> list[tuple[int, int, str | None, list[Variant], bool]]:
    """Runs of variants joined by "or", "and" or commas, with the marker named before the first
    (or the variants' own); each with its span, the marker named, the variants, and whether
    "and" joins any two."""
    runs: list[tuple[int, int, str | None, list[Variant], bool]] = []
    pos = 0
    while (m := _VARIANT.search(text, pos)) is not None:
        found = [_variant_of(m)]
        end = m.end()
        joined_by_and = False
        while True:
            sep = _SEP.match(text, end)
            nxt = _VARIANT.match(text, sep.end()) if sep is not None else None
            if sep is None or nxt is None:
                break
            if sep.group("marker") and sep.group("marker").strip("()").upper() != found[0].marker:
                break
            joined_by_and = joined_by_and or (sep.group("word") or "").lower() == "and"
            found.append(_variant_of(nxt))
            end = nxt.end()
        lead = _LEAD.search(text, 0, m.start())
        start = lead.start() if lead is not None else m.start()
        marker = lead.group("marker").strip("()").upper() if lead is not None else None
        runs.append((start, end, marker, found, joined_by_and))
        pos = end
    return runs


# "(applicable to non-squamous patients only)": the rules apply to every patient
_SUBGROUP_ONLY = re.compile(r"applicable to|only\)", re.I)


def read_variants(r: _Reader) -> None:
    text = r.text
    read = False
    for start, end, named, variants, joined_by_and in _phrases(text):
        if any(f.start < end and start < f.end for f in r.found):
            continue
        marker = named
        after = _MARKER_AFTER.match(text, end)
        if marker is None and after is not None:
            marker = after.group("marker").strip("()").upper()
            end = after.end()
        elif marker is None and all(v.names_its_gene for v in variants):
            marker = variants[0].marker
        if marker is None or any(v.marker != marker for v in variants) or joined_by_and:
            continue
        word = _WORD.match(text, end) if after is None else None
        end = word.end() if word is not None else end
        before = text[max(0, start - 40) : start]
        negation = _NEGATION.search(before)
        negative = _NEGATIVE_AFTER.match(text, end)
        if negative is not None:
            end = negative.end()
        negated = negation is not None or negative is not None
        if negation is None and _NOT_A_RESULT_BEFORE.search(before):
            continue
        if _NOT_A_RESULT_AFTER.match(text, end):
            continue
        if r.exclusion and negated:
            continue  # an absence in an exclusion
        if not r.exclusion and not negated:
            stop = text.find(". ", end)
            sentence = text[max(text.rfind(". ", 0, start), 0) : stop if stop >= 0 else len(text)]
            if _SUBGROUP.search(before) or _NOT_ELIGIBLE.search(sentence):
                continue
        rule = r.draft(
            BiomarkerRule,
            start,
            end,
            marker=marker,
            status="detected",
            variant=tuple(dict.fromkeys(v.key for v in variants)),
        )
        if negated and not r.exclusion:
            r.add(start, end, r.draft(NotRule, start, end, rule=rule))
        else:
            r.add(start, end, rule)
        read = True
        if negation is not None:
            r.consume(max(0, start - 40) + negation.start(), start)
        lead = _LEAD_WORDS.search(before) if negation is None else None
        if lead is not None:
            r.consume(max(0, start - 40) + lead.start(), start)
        either = _EITHER.search(before) if len(variants) > 1 else None
        if either is not None:
            r.consume(max(0, start - 40) + either.start(), start)
    if read and _SUBGROUP_ONLY.search(text):
        r.warn(
            "the variant requirement applies to a subgroup only (e.g. non-squamous); the rules "
            "apply to every patient — edit them if needed"
        )
