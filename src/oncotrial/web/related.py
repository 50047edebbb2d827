"""Related trials: the other trials in the database ranked by TF-IDF similarity.

Each trial is three bags of words: its conditions (weight 3), its interventions — names and
other names — with its keywords (weight 2), and its text — titles and brief summary (weight 1).
Words are lower-cased runs of letters and digits; stop words, numbers and one-letter words are
dropped, a final plural "s" is removed from words longer than four letters (not from -ss, -us,
-is), and a few abbreviations are expanded (NSCLC → non small cell lung cancer, CRC → colorectal
cancer, …).

A field's vector has weight (1 + ln tf) · idf per word, with the smoothed inverse document
frequency idf = ln((1 + N) / (1 + df)) + 1 over the N trials of the database; each field vector is
normalised to unit length, multiplied by the field weight, and the three are added. Two trials'
similarity is the cosine of their vectors (0 … 1). Only trials with a similarity above zero are
listed, best first, with the words that contributed most. docs/web.md describes the method.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from oncotrial.protocol.model import Protocol

__all__ = ["FIELD_WEIGHTS", "RelatedTrial", "rank_related", "trial_fields"]

FIELD_WEIGHTS = {"conditions": 3.0, "interventions": 2.0, "text": 1.0}

_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about a trial's subject (registry boilerplate included).
_STOP = frozenset(
    """a an and are as at be by for from in into is it its of on or that the this to with
    without versus vs after before during phase study trial patients patient treatment combined
    combination clinical single arm randomized open label pilot ii i iii who have has than if
    can not no will what up under over more less also each may been being were was which when
    where how other such via per out about between both through until while would should could
    must might any all their they them these those there then so do does did we our you your
    goal learn main question questions aims aim answer participants participant""".split()  # noqa: SIM905
)
_ABBREVIATIONS = {
    "nsclc": "non small cell lung cancer",
    "sclc": "small cell lung cancer",
    "crc": "colorectal cancer",
    "crlm": "colorectal liver metastases",
    "hcc": "hepatocellular carcinoma",
    "rfa": "radiofrequency ablation",
    "sbrt": "stereotactic body radiotherapy",
    "pd1": "pd 1",
    "icis": "immune checkpoint inhibitor",
    "ici": "immune checkpoint inhibitor",
}


def _words(text: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        expansion = _ABBREVIATIONS.get(word)
        for part in expansion.split() if expansion else [word]:
            if part in _STOP or len(part) < 2 or part.isdigit():
                continue
            if len(part) > 4 and part.endswith("s") and not part.endswith(("ss", "us", "is")):
                part = part[:-1]
            out.append(part)
    return out


def trial_fields(protocol: Protocol) -> dict[str, list[str]]:
    """The words of each field of a trial (module docstring)."""
    interventions = []
    for i in protocol.interventions:
        interventions += [i.name, *i.other_names]
    text = [
        protocol.identity.brief_title,
        protocol.identity.official_title or "",
        protocol.description.brief_summary or "",
    ]
    return {
        "conditions": _words(" ".join(protocol.conditions)),
        "interventions": _words(" ".join([*interventions, *protocol.keywords])),
        "text": _words(" ".join(text)),
    }


@dataclass(frozen=True)
class RelatedTrial:
    trial_id: str
    title: str
    score: float
    shared: tuple[str, ...]


def _vector(
    fields: dict[str, list[str]], idf: dict[str, dict[str, float]]
) -> dict[tuple[str, str], float]:
    vector: dict[tuple[str, str], float] = {}
    for field, weight in FIELD_WEIGHTS.items():
        counts = Counter(fields[field])
        raw = {w: (1 + math.log(n)) * idf[field][w] for w, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in raw.values()))
        if norm == 0:
            continue
        for word, value in raw.items():
            vector[(field, word)] = weight * value / norm
    return vector


def rank_related(
    target: Protocol, others: Sequence[Protocol], *, limit: int = 5
) -> list[RelatedTrial]:
    """The ``others`` most similar to ``target`` (module docstring), best first."""
    corpus = [target, *[p for p in others if p.trial_id != target.trial_id]]
    fields = [trial_fields(p) for p in corpus]
    n = len(corpus)
    idf: dict[str, dict[str, float]] = {}
    for field in FIELD_WEIGHTS:
        df = Counter(w for f in fields for w in set(f[field]))
        idf[field] = {w: math.log((1 + n) / (1 + d)) + 1 for w, d in df.items()}
    vectors = [_vector(f, idf) for f in fields]

    def norm(v: dict[tuple[str, str], float]) -> float:
        return math.sqrt(sum(x * x for x in v.values()))

    base = vectors[0]
    base_norm = norm(base)
    ranked = []
    for protocol, vector in zip(corpus[1:], vectors[1:], strict=True):
        shared = {k: base[k] * vector[k] for k in base.keys() & vector.keys()}
        denominator = base_norm * norm(vector)
        score = sum(shared.values()) / denominator if denominator else 0.0
        if score <= 0:
            continue
        words: dict[str, float] = {}
        for (_, word), contribution in shared.items():
            words[word] = words.get(word, 0.0) + contribution
        top = tuple(w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        ranked.append(RelatedTrial(protocol.trial_id, protocol.title, round(score, 4), top))
    ranked.sort(key=lambda r: (-r.score, r.trial_id))
    return ranked[:limit]
