"""The long names of a corrected QT interval (issue 12 item 2: QT, QTcF and QTcB are distinct).

Protocols rarely write just "QTcF". They write "QT interval corrected by Fridericia's formula
(QTcF)", "Fridericia's corrected QT interval (QTcF)", "Mean QT interval corrected for heart rate
using Fridericia's formula (QTcF)", "corrected QT (QTcF) interval", "QTcF (QT interval with
Fridericia's correction)", "heart rate-corrected QT (QTcF)" — over 100 items of the development
records (jwlieb/clinical-trial-agent data/demo @387df17) left the words before the abbreviation
unread, and the item with them. A name is a run of the words such names are made of, holding a
QT token and naming exactly one correction: Fridericia (QTcF) or Bazett (QTcB). A run naming
both ("QTc > 480 ms (Bazett or Fridericia formulae)") or neither ("QT interval corrected for heart
rate (QTc)") is no name here: the first is ambiguous, the second is a QTc of unnamed correction,
read as before (Fridericia assumed, with a warning to confirm) or not at all — unless the formula
is named right after the limit ("… (QTc) < 470 msec (using Fridericia's correction)"), within the
words ``reading._corrected`` looks in for it.

Words that describe how the value was obtained rather than which value it is ("mean", "resting",
"triplicate", "baseline") are not name words: they stay unread (``reading_measurement_method``).
"""

from __future__ import annotations

import re

__all__ = ["BAZETT", "BAZETT_NAME", "FRIDERICIA", "FRIDERICIA_NAME", "qt_names"]

# how a text names each correction, by its author (with the misspellings "Fredericia" and
# "Friderica", NCT06021626 E9) or by its abbreviation; declared once: the name, the formula after
# a limit and the warning of a formula assumed all look for these
FRIDERICIA_NAME = r"Fr[ie]{1,2}derici?a"
BAZETT_NAME = r"Bazett"
FRIDERICIA = FRIDERICIA_NAME + r"|QTcF"
BAZETT = BAZETT_NAME + r"|QTcB"

# the words of a corrected QT's name, lower case, "'s" dropped; hyphens and brackets separate
_NAME_WORDS = frozenset(
    {
        *("qt", "qtc", "qtcf", "qtcb", "interval", "intervals", "q", "t", "wave", "to"),
        *("corrected", "correction", "correct", "for", "heart", "rate", "calculated", "as"),
        *("by", "using", "with", "per", "the", "formula", "formulae", "method", "criteria"),
        *("fridericia", "fredericia", "friderica", "bazett", "calculation", "cube", "root"),
    }
)
_CORE = frozenset({"qt", "qtc", "qtcf", "qtcb"})
# words that join a name to what is around it: never its first or last word
_JOINS = frozenset({"for", "by", "using", "with", "per", "the", "as", "to"})
_TOKEN = re.compile(r"[A-Za-z]+(?:['’]s\b)?|[()\[\]]")
_CORRECTED = frozenset({"corrected", "correction", "qtc"})


def _word(token: str) -> str:
    return re.sub(r"['’]s$", "", token).lower()


def _runs(text: str) -> list[list[re.Match[str]]]:
    """Maximal runs of name words and brackets, separated by nothing but spaces and hyphens."""
    runs: list[list[re.Match[str]]] = []
    run: list[re.Match[str]] = []
    previous_end = None
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        inside = token in "()[]" or _word(token) in _NAME_WORDS
        joined = previous_end is not None and re.fullmatch(
            r"[\s-]*", text[previous_end : m.start()]
        )
        if not inside or (run and not joined):
            if run:
                runs.append(run)
            run = []
        if inside:
            run.append(m)
        previous_end = m.end()
    if run:
        runs.append(run)
    return runs


def _trimmed(run: list[re.Match[str]]) -> list[re.Match[str]]:
    """The run without joining words at its ends and with its brackets balanced."""
    while True:
        before = len(run)
        while run and (_word(run[0].group(0)) in _JOINS or run[0].group(0) in ")]"):
            run = run[1:]
        while run and (_word(run[-1].group(0)) in _JOINS or run[-1].group(0) in "(["):
            run = run[:-1]
        depth = 0
        for i, m in enumerate(run):
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(m.group(0), 0)
            if depth < 0:  # a bracket closed that the run did not open: the name ends before it
                run = run[:i]
                break
        if depth > 0 and run:
            # a bracket opened and not closed: the name ends before it
            last_open = max(i for i, m in enumerate(run) if m.group(0) in "([")
            run = run[:last_open]
        if len(run) == before:
            return run


def qt_names(text: str) -> list[tuple[int, int, str]]:
    """(start, end, 'qtc' | 'qtcb') of every long name of a Fridericia- or Bazett-corrected QT
    interval in ``text`` (module text); a run of one word is left to the analyte synonyms."""
    names: list[tuple[int, int, str]] = []
    for run in _runs(text):
        run = _trimmed(run)
        words = {_word(m.group(0)) for m in run}
        if len(run) < 2 or not words & _CORE:
            continue
        fridericia = any(re.fullmatch(FRIDERICIA, w, re.I) for w in words)
        bazett = any(re.fullmatch(BAZETT, w, re.I) for w in words)
        if not fridericia and not bazett and words & _CORRECTED:
            # "QT interval corrected for heart rate < 470 msec (using Fridericia's correction)":
            # the formula named after the limit, in the window reading._corrected looks in
            after = text[run[-1].end() : run[-1].end() + 80]
            fridericia = re.search(FRIDERICIA, after, re.I) is not None
            bazett = re.search(BAZETT, after, re.I) is not None
        if fridericia == bazett:
            continue
        names.append((run[0].start(), run[-1].end(), "qtc" if fridericia else "qtcb"))
    return names
