"""Reading performance status: ECOG (= Zubrod = WHO), Karnofsky and Lansky scores, either scale
("ECOG 0-1 or Karnofsky ≥ 70 %"), the scale chosen by age (Karnofsky above 16 years, Lansky below)
and the window the score must be assessed in. Moved out of ``reading`` (issue 12), which held the
building blocks and had reached its size limit.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _comparator, _Found, _Reader
from oncotrial.eligibility.rules import (
    AgeRule,
    AnyOfRule,
    ConditionalRule,
    PerformanceStatusRule,
    Rule,
    Window,
)
from oncotrial.eligibility.windows import trailing_window

__all__ = ["read_performance"]


# what may stand between a performance scale's name and its scores: "ECOG performance status
# (PS) of", "Eastern Cooperative Oncology Group (ECOG) score:"
_PS_LEAD = r"^(?:\s*(?:\((?:ECOG|PS|WHO)\)|performance|status|PS|score|scale|grade|of|is|:|=))*\s*"


def read_performance(r: _Reader) -> None:
    # Zubrod and WHO performance status are the ECOG scale (Oken et al. 1982: the ECOG scale is
    # also called the Zubrod score, and WHO adopted it)
    for m in re.finditer(
        r"\bECOG\b|Eastern Cooperative Oncology Group|\bZubrod\b"
        r"|\bWHO\b(?=\s*(?:\((?:ECOG|Zubrod)\)\s*)?(?:PS|perf))"
        # "Performance status: WHO ≤ 2" (NCT01736878, round 5)
        r"|(?<=erformance status: )WHO\b|(?<=erformance status )WHO\b",
        r.text,
    ):
        if any(f.start <= m.start() < f.end for f in r.found):
            continue  # "Eastern Cooperative Oncology Group (ECOG)": one mention
        tail_end = min(len(r.text), m.end() + 90)
        stop = re.search(r"[.;]\s|\bLife expectancy\b|\bKarnofsky\b", r.text[m.end() : tail_end])
        tail = r.text[m.end() : m.end() + stop.start() if stop else tail_end]
        scores = None
        for pattern in (
            r"(?P<lo>[0-5])\s*(?:-|~|to)\s*(?P<hi>[0-5])(?!\d)",
            r"(?P<list>[0-5](?:\s*,\s*[0-5])*\s*(?:,\s*)?(?:or|and)\s*[0-5])(?!\d)",
            _PS_LEAD + r"(?P<list>[0-5](?:\s*,\s*[0-5])+)(?!\d|\.\d|\s*(?:-|to|or|and)\s*\d)",
            r"(?P<comp>[≤<]|less\s+than\s+or\s+equal\s+to|less\s+than|no\s+more\s+than|"
            r"not\s+more\s+than|no\s+greater\s+than)\s*(?P<max>[0-5])(?!\d|\.\d)",
            # the scores and comparators below are taken only right after the scale's name and
            # the words that name it ("ECOG performance status (PS) ≥ 3"), never from a later
            # limit of the item ("ECOG … creatinine > 2")
            _PS_LEAD + r"(?P<max2>[0-5])\s*or\s+(?:less|lower|below|better)\b",
            _PS_LEAD + r"(?P<gcomp>[≥>]|greater\s+than\s+or\s+equal\s+to|greater\s+than|"
            r"more\s+than|at\s+least|of\s+at\s+least)\s*(?P<min>[0-5])(?!\d|\.\d)",
            _PS_LEAD + r"(?P<min2>[0-5])\s*or\s+(?:more|higher|greater|above|worse)\b",
            r"(?:PS|status|score)\s*(?:of\s*|:\s*|=\s*)?(?P<one>[0-5])(?!\d|\.\d)",
            # "ECOG 0", "ECOG performance status 0.": one score
            _PS_LEAD + r"(?P<one2>[0-5])(?![\d%]|\.\d|\s*(?:-|~|to|,|or|and)\s*\d)",
        ):
            # "ECOG Performance Status (PS) > 2" (NCT06090266 E3): the naming words in capitals
            scores = re.search(pattern, tail, re.I)
            if scores:
                break
        if not scores:
            continue
        start, end = m.start(), m.end() + scores.end()
        groups = scores.groupdict()
        if groups.get("lo"):
            allowed = tuple(range(int(scores.group("lo")), int(scores.group("hi")) + 1))
        elif groups.get("list"):
            allowed = tuple(sorted({int(x) for x in re.findall(r"[0-5]", scores.group("list"))}))
        elif groups.get("comp"):
            strict = scores.group("comp") == "<" or scores.group("comp").lower() == "less than"
            top = int(scores.group("max")) - (1 if strict else 0)
            allowed = tuple(range(top + 1))
        elif groups.get("max2"):
            allowed = tuple(range(int(scores.group("max2")) + 1))
        elif groups.get("gcomp") or groups.get("min2"):
            # "ECOG ≥ 3" (an exclusion, mostly): the scale's grades from the limit to 5 (dead)
            comp = (groups.get("gcomp") or "").lower()
            if not r.exclusion and "least" in comp:
                # "performance status of at least 2" to enter: on a scale where lower is better
                # 'at least' may mean the score or the condition (NCT00549328, round 5); the
                # words stay unread rather than exclude every patient of ECOG 0-1
                r.warn(f"ECOG '{comp} {groups['min']}' to enter: which way is not said; not read")
                continue
            strict = comp in {">", "greater than", "more than"}
            bottom = int(groups.get("min") or groups["min2"]) + (1 if strict else 0)
            allowed = tuple(range(bottom, 6))
            if not allowed:
                continue
        else:
            allowed = (int(groups.get("one") or groups["one2"]),)
        if not allowed:
            # "ECOG 2-0" or "< 0": no score is allowed as written; the numbers stay unread
            r.warn("ECOG: the scores written allow none (a range from high to low?); not read")
            continue
        note = None
        if allowed != tuple(range(allowed[0], allowed[-1] + 1)):
            written = r.text[m.end() + scores.start() : m.end() + scores.end()]
            likely = f"{allowed[0]}–{allowed[-1]}"
            note = (
                f"the text says '{written.strip()}': a list with a gap is unusual for "
                f"performance status (likely {likely}); the rule keeps what is written — "
                "confirm with the protocol"
            )
            r.warn(f"ECOG: {note}")
        within, end = _performance_window(r, end)
        rule = r.draft(
            PerformanceStatusRule,
            start,
            end,
            scale="ECOG",
            allowed=allowed,
            note=note,
            within=within,
        )
        r.add(start, end, rule)
    _read_scale_named_after(r)
    _read_karnofsky_lansky(r)
    _either_scale(r)
    _scale_by_age(r)


# "Have a performance status of 0 or 1 on the Eastern Cooperative Oncology Group (ECOG)
# Performance Scale" (NCT06216938 I8), "Performance status of 0 or 1 on the ECOG Performance
# Scale" (NCT04291105 I5), "Performance status 0-2 (Per Eastern Cooperative Oncology Group (ECOG)
# criteria)" (NCT02693535 I3; jwlieb/clinical-trial-agent data/demo @387df17), "Performance
# status 0-1 (WHO)": the scores before the scale's name (WHO = Zubrod = ECOG, above). Only a
# range, a list or an upper limit of ECOG scores (0-5) is read here.
_SCALE_AFTER = re.compile(
    r"\bperformance\s+status(?:\s*\(PS\))?\s*(?:of\s+|:\s*|=\s*)?"
    r"(?:(?P<lo>[0-5])\s*(?:-|–|to)\s*(?P<hi>[0-5])"
    r"|(?P<list>[0-5](?:\s*,\s*[0-5])*\s*,?\s*or\s+[0-5])"
    r"|(?P<comp>≤|<|less\s+than\s+or\s+equal\s+to)\s*(?P<max>[0-5]))(?![\d.%])"
    # "(ECOG)", "(WHO)" right after the scores
    r"(?:\s*\(\s*(?:ECOG|Zubrod|WHO)\s*\)"
    r"|\s*\(?\s*(?:on|per|by|according\s+to|using)\s+(?:the\s+)?"
    r"(?:ECOG|Eastern\s+Cooperative\s+Oncology\s+Group(?:\s*\(ECOG\))?|Zubrod|WHO)"
    r"(?:\s+(?:performance\s+)?(?:scale|criteria|status))?(?:\s*\))?)",
    re.I,
)


def _read_scale_named_after(r: _Reader) -> None:
    for m in _SCALE_AFTER.finditer(r.text):
        if any(f.start < m.end() and m.start() < f.end for f in r.found):
            continue  # the scores were read already, from a scale named before them
        if m.group("lo"):
            allowed = tuple(range(int(m.group("lo")), int(m.group("hi")) + 1))
        elif m.group("list"):
            listed = sorted({int(x) for x in re.findall(r"[0-5]", m.group("list"))})
            if listed != list(range(listed[0], listed[-1] + 1)):
                continue  # a list with a gap: the ECOG reader above warns on such lists
            allowed = tuple(listed)
        else:
            top = int(m.group("max")) - (1 if m.group("comp") == "<" else 0)
            allowed = tuple(range(top + 1))
        if not allowed:
            continue  # "2-0", "< 0": no score allowed as written; left unread
        within, end = _performance_window(r, m.end())
        rule = r.draft(
            PerformanceStatusRule, m.start(), end, scale="ECOG", allowed=allowed, within=within
        )
        r.add(m.start(), end, rule)


def _read_karnofsky_lansky(r: _Reader) -> None:
    for m in re.finditer(
        r"\b(?P<scale>Karnofsky|KPS|Lansky)\b(?:\s*(?:or|/)\s*(?P<scale2>Karnofsky|KPS|Lansky)\b)?"
        # the scale's abbreviation in brackets after its name: "ECOG performance status 0 or 1
        # or Karnofsky Performance Status (KPS) ≥80" (development records of
        # jwlieb/clinical-trial-agent data/demo @387df17)
        r"(?:\s+(?:performance|play)\s+(?:status|scale)(?:\s+score)?\s*\(\s*(?:KPS|LPS)\s*\))?"
        r"(?:(?!Karnofsky|KPS|Lansky)[^.;0-9]){0,40}?(?:(?P<comp>[≥>]|at\s+least|greater\s+than\s+or\s+"
        r"equal\s+to|greater\s+than)\s*(?P<n>\d{2,3})\s*%?|(?P<n2>\d{2,3})\s*%?\s*(?:or\s+(?:more|"
        r"higher|above|greater)|and\s+(?:above|higher))|(?P<lo>\d{2,3})\s*%?\s*(?:-|to)\s*100\s*%?)",
        r.text,
        re.I,
    ):
        # "KPS 70-100", "Karnofsky 80 or more", "Karnofsky ≥ 70 %": the scale runs 0-100 by 10;
        # so does Lansky's play-performance scale, the one for children ("Lansky ≥ 50")
        if m.group("n"):
            strict = m.group("comp") in {">", "greater than"}
            low = int(m.group("n")) + (1 if strict else 0)
        else:
            low = int(m.group("n2") or m.group("lo"))
        allowed = tuple(v for v in range(0, 101, 10) if v >= low)
        if not allowed:
            continue  # "Karnofsky ≥ 150 %": beyond the scale, no score allowed; left unread
        within, end = _performance_window(r, m.end())
        scales = [m.group("scale"), *([m.group("scale2")] if m.group("scale2") else [])]
        rules: list[Rule] = [
            r.draft(
                PerformanceStatusRule,
                m.start(),
                end,
                scale="Lansky" if scale.lower() == "lansky" else "Karnofsky",
                allowed=allowed,
                within=within,
            )
            for scale in scales
        ]
        # "Karnofsky or Lansky ≥ 50": the one limit on either scale, either will do
        either: Rule = (
            rules[0] if len(rules) == 1 else r.draft(AnyOfRule, m.start(), end, rules=tuple(rules))
        )
        r.add(m.start(), end, either)


# "Karnofsky ≥ 50 for patients > 16 years of age and Lansky ≥ 50 for patients ≤ 16 years of age"
# (the paediatric convention: Lansky's scale below 16, Karnofsky's above): one score, its scale
# chosen by age. Read only when the two ages split at one number (> N / ≤ N, ≥ N / < N).
_FOR_AGE = (
    r"\s*[(,]?\s*(?:in|for)\s+(?:patients?|participants?|subjects?|children|those)?\s*"
    r"(?:aged\s+)?(?P<c{0}>[<>≤≥])\s*(?P<n{0}>\d+)\s*years?(?:\s+(?:of\s+age|old))?\s*\)?"
)
_SPLIT_AT = {("<", "≥"), ("≥", "<"), (">", "≤"), ("≤", ">")}


def _scale_by_age(r: _Reader) -> None:
    scores = sorted(
        (f for f in r.found if f.rule.kind == "performance_status"), key=lambda f: f.start
    )
    if len(scores) != 2 or len({getattr(f.rule, "scale", None) for f in scores}) != 2:
        return
    a, b = scores
    first = re.match(
        # "… and the Lansky performance status must be ≥ 50 for patients ≤ 16 years of age"
        # (NCT06401330 I7, jwlieb/clinical-trial-agent data/demo @387df17)
        _FOR_AGE.format(1) + r"\s*[,;]?\s*(?:and|or)?\s*(?:the\s+)?",
        r.text[a.end : b.start],
        re.I,
    )
    second = re.match(_FOR_AGE.format(2), r.text[b.end :], re.I)
    if first is None or first.end() != b.start - a.end or second is None:
        return
    if first["n1"] != second["n2"] or (first["c1"], second["c2"]) not in _SPLIT_AT:
        return
    end = b.end + second.end()
    when = r.draft(
        AgeRule, a.end, b.start, comparator=_comparator(first["c1"]), value=float(first["n1"])
    )
    rule = r.draft(ConditionalRule, a.start, end, when=when, then=a.rule, otherwise=b.rule)
    # the ages were read as limits of their own by the age reader: they are the condition
    r.found[:] = [f for f in r.found if f is not a and f is not b and not _inside(f, a.start, end)]
    r.add(a.start, end, rule)


def _inside(f: _Found, start: int, end: int) -> bool:
    return f.rule.kind == "age" and start <= f.start and f.end <= end


def _either_scale(r: _Reader) -> None:
    """ "ECOG 0-1 or Karnofsky ≥ 70 %", "Karnofsky or Lansky ≥ 50": a score on either scale will
    do (one any-of rule), never both required."""
    scores = [f for f in r.found if f.rule.kind == "performance_status"]
    if len(scores) != 2 or len({getattr(f.rule, "scale", None) for f in scores}) != 2:
        return
    a, b = sorted(scores, key=lambda f: f.start)
    end = b.end
    first, second = a.rule, b.rule
    if not re.fullmatch(r"[\s,;(]*or\s*(?:an?\s+)?", r.text[a.end : b.start], re.I):
        gloss = _gloss(r.text, a.end, b.start, b.end)
        if gloss is None:
            return
        end = gloss
        # "ECOG ≤ 1 (Karnofsky ≥ 70 %) within 14 days …": one assessment, named on two scales,
        # so a window read with either score is the window of both
        if isinstance(first, PerformanceStatusRule) and isinstance(second, PerformanceStatusRule):
            within = first.within or second.within
            first = first.model_copy(update={"within": within})
            second = second.model_copy(update={"within": within})
    rule = r.draft(AnyOfRule, a.start, end, rules=(first, second))
    r.found[:] = [f for f in r.found if f is not a and f is not b]
    r.add(a.start, end, rule)


# "ECOG performance status 0-2 (Karnofsky ≥ 50 %, see Appendix A)" (held-out NCT01065844 I4 of
# tests/eligibility/corpus; NCT05779423 I6, jwlieb/clinical-trial-agent data/demo/results/
# 05_melanoma_braf_v600e/trials.json @387df17): the bracket gives the score's equivalent on the
# other scale, so a score on either will do, as with "ECOG 0-1 or Karnofsky ≥ 70" (Oken et al.
# 1982 map the two scales onto each other; the protocol names both so that either may be used).
_GLOSS_OPEN = re.compile(r"\s*\(\s*(?:i\.?e\.?,?\s*|equivalent\s+to\s+|or\s+)?", re.I)
_GLOSS_CLOSE = re.compile(
    r"[\s%]*(?:[,;]\s*(?:see\s+)?(?:the\s+)?appendix\s+[A-Z0-9]{1,3}(?:\.\d{1,2})*\b\s*)?\)",
    re.I,
)


def _gloss(text: str, a_end: int, b_start: int, b_end: int) -> int | None:
    """Where a bracketed equivalent score ends; None when the second score is not in a bracket
    of its own right after the first."""
    if not _GLOSS_OPEN.fullmatch(text, a_end, b_start):
        return None
    close = text.find(")", b_start)
    if close == -1 or "(" in text[b_start:close]:
        return None
    if close < b_end:
        # the second score's window was read past the bracket ("(Karnofsky ≥ 70 %) within …")
        before = text.rfind("%", b_start, close)
        at = before + 1 if before != -1 else close
        return b_end if _GLOSS_CLOSE.match(text, at) is not None else None
    closing = _GLOSS_CLOSE.match(text, b_end)
    return closing.end() if closing is not None else None


# "ECOG 0-1 within 14 days before the first dose", "… within 28 days prior to registration": the
# score must be one assessed in the window (``windows.trailing_window``); a window to another day
# ("Day 0", "pre-registration") stays unread, the item with the investigator.
def _performance_window(r: _Reader, end: int) -> tuple[Window | None, int]:
    found = trailing_window(r.text, end)
    return found if found is not None else (None, end)
