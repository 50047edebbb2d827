"""Reading driver alterations named as present or absent: "Known EGFR mutation or ALK
rearrangement" (an exclusion), "No known EGFR mutation or ALK rearrangement" (an inclusion),
"Patients with known EGFR sensitizing mutations or ALK translocations are excluded" (issue 12; the
usual exclusion of immunotherapy trials in NSCLC).

Each alteration is a ``BiomarkerRule`` on the marker's concept (``concepts.BIOMARKERS``): EGFR
and KRAS mutations, ALK and ROS1 rearrangements (translocation and fusion are the same event
here). What is read:

- in an exclusion, alterations named as present: each is a rule of its own, any of which
  excludes (the item's rules);
- in an inclusion, alterations after "no", "without", "negative for" or "absence of": each must be
  not detected; named as present, alternatives joined by "or" are one any-of rule ("EGFR
  mutation or ALK rearrangement" asks for either, never both).

Not read: a variant ("KRAS G12C", "EGFR exon 19 deletion", "L858R", "T790M": the records hold
the marker's status, not its variant), BRAF and RET (their concepts are one variant, V600E, and
rearrangements: "BRAF mutation" or "RET mutation" is wider), MET (amplification and exon 14
skipping differ), an alteration named with a word that asks about the test rather than the
result ("EGFR mutation status", "testing"), and an exclusion that names an absence. "Known"
adds nothing a record can show apart: a patient never tested is unknown on these rules, never
taken as free of the alteration.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.concepts import BIOMARKERS, DRIVER_ALTERATIONS
from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import AnyOfRule, BiomarkerRule

__all__ = ["read_driver_markers"]

_ADJ = (
    r"(?:(?:known|documented|confirmed|sensiti[sz]ing|activating|actionable|oncogenic|driver"
    r"|targetable)\s+)*"
)
# the word after a marker, and which markers it fits: a mutation (EGFR, KRAS), a rearrangement
# (ALK, ROS1), or either ("alterations"); which alteration each marker is read as is declared
# with the biomarker concepts (concepts.DRIVER_ALTERATIONS)
_WORDS = {
    "mutation": r"mutations?|mutant|mutated",
    "rearrangement": r"rearrangements?|rearranged|translocations?|fusions?|positive",
}
_EITHER_WORDS = r"alterations?|aberrations?"
_GROUP = re.compile(
    _ADJ
    + r"(?P<marker>"
    + "|".join(DRIVER_ALTERATIONS)
    + r")(?:[\s-]+(?:sensiti[sz]ing|activating))?"
    + r"(?:[\s-]+(?:gene\s+)?(?P<word>"
    + "|".join(_WORDS.values())
    + r"|"
    + _EITHER_WORDS
    + r")\b)?",
    re.I,
)
_SEP = re.compile(r"\s*(?:,\s*)?(?:,|or|and/or|and|/)\s*", re.I)
_FITS = {m: _WORDS[kind] + "|" + _EITHER_WORDS for m, kind in DRIVER_ALTERATIONS.items()}
# the other markers of the concept table (PD-L1's expression is never an alteration)
_OTHERS = re.compile(
    r"\b(?:"
    + "|".join(re.escape(m) for m in BIOMARKERS if m not in DRIVER_ALTERATIONS and "-" not in m)
    + r")\b"
)
_VARIANT = re.compile(
    r"\b(?:[GQV]\d{2,3}[A-Z]|L858R|T790M|C797S|exon\s*\d+|del\s*19|ex(?:on)?\s*20\s*ins\w*"
    r"|insertion|deletion|skipping|amplification)\b",
    re.I,
)
_ABOUT_THE_TEST = re.compile(
    r"\s*(?:status|test(?:ing|s)?|analysis|results?|assessment|negative|wild[-\s]type|"
    r"unknown)\b",
    re.I,
)
_NEGATION = re.compile(
    r"\b(?:no|without|negative\s+for|absence\s+of|(?:must|should)\s+not\s+have|"
    r"do(?:es)?\s+not\s+have)\s+(?:an?\s+|any\s+)?(?:known\s+|documented\s+|evidence\s+of\s+)?$",
    re.I,
)
# "Patients with known EGFR sensitizing mutations or ALK translocations are excluded." in an
# exclusion item says again that the item excludes
_EXCLUDED = re.compile(r"\s+(?:are|will\s+be)\s+(?:excluded|not\s+eligible|ineligible)\b\.?", re.I)


def _lists(text: str) -> list[tuple[int, int, list[str]]]:
    """Runs of markers joined by "or", "and", commas or slashes, each marker with the word
    after it or sharing the next one's ("EGFR, ALK or ROS1 alterations"); the run's span and
    markers, or nothing for a run in which a marker lacks a word that fits it."""
    runs: list[tuple[int, int, list[str]]] = []
    groups = list(_GROUP.finditer(text))
    i = 0
    while i < len(groups):
        run = [groups[i]]
        while i + 1 < len(groups) and _SEP.fullmatch(text, run[-1].end(), groups[i + 1].start()):
            i += 1
            run.append(groups[i])
        i += 1
        start = run[0].start()
        if start > 0 and re.match(r"[\w-]", text[start - 1]):
            continue
        markers: list[str] = []
        word = None
        fits = True
        for g in reversed(run):
            word = g.group("word") or word
            marker = g.group("marker").upper()
            fits = fits and word is not None and re.fullmatch(_FITS[marker], word, re.I) is not None
            markers.insert(0, marker)
        if fits and run[-1].group("word"):
            runs.append((start, run[-1].end(), list(dict.fromkeys(markers))))
    return runs


def read_driver_markers(r: _Reader) -> None:
    text = r.text
    for start, end, markers in _lists(text):
        if any(f.start < end and start < f.end for f in r.found):
            continue  # read already (the negative readers of parser._read_biomarkers)
        near = text[max(0, start - 20) : min(len(text), end + 25)]
        if _VARIANT.search(near) or _ABOUT_THE_TEST.match(text, end):
            continue
        if _OTHERS.search(near):
            continue  # a marker oncotrial does not read here, beside these
        negation = _NEGATION.search(text[max(0, start - 40) : start])
        negated = negation is not None
        if r.exclusion and negated:
            continue
        written = text[start:end]
        if not r.exclusion and not negated and len(markers) > 1:
            if re.search(r"\band\b(?!/)", written, re.I):
                continue  # "EGFR and ALK alterations" to enter: both, or either? not said
            rules = tuple(
                r.draft(BiomarkerRule, start, end, marker=m, status="detected") for m in markers
            )
            r.add(start, end, r.draft(AnyOfRule, start, end, rules=rules))
            continue
        status = "not_detected" if negated else "detected"
        for marker in markers:
            r.add(start, end, r.draft(BiomarkerRule, start, end, marker=marker, status=status))
        if negation is not None:
            r.consume(max(0, start - 40) + negation.start(), start)
        excluded = _EXCLUDED.match(text, end) if r.exclusion else None
        if excluded is not None:
            r.consume(excluded.start(), excluded.end())
