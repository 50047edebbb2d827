"""The one-pass operator normalisation reads exactly as trying each spelling in order would.

``oncotrial.eligibility.text`` replaces comparison spellings (">/=", "=<", "≥", full-width
punctuation …) with one symbol each through a single regular expression. The reference below is
the loop it replaced: at each character, the first spelling of ``_OPERATORS`` (in its order) that
starts there is replaced and the scan resumes after it. Hypothesis draws texts rich in the
characters the spellings are made of, so that overlapping and adjacent spellings are tried.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.text import _OPERATORS, normalise_text


def reference(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        for old, new in _OPERATORS:
            if text.startswith(old, i):
                out.append(new)
                i += len(old)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


PIECES = sorted(
    {old for old, _ in _OPERATORS} | {"=", "/", "<", ">", " ", "or", "o", "r", "5", "a"}
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_one_pass_equals_the_ordered_loop(text: str) -> None:
    assert normalise_text(text).text == reference(text)


def test_every_spelling_is_declared_once() -> None:
    spellings = [old for old, _ in _OPERATORS]
    assert len(spellings) == len(set(spellings))


def test_positions_point_at_the_original() -> None:
    nt = normalise_text("Hb >/= 9 and ANC =< 1.5")
    assert nt.text == "Hb ≥ 9 and ANC ≤ 1.5"
    assert nt.source(3, 4) == ">/="
    assert nt.source(15, 16) == "=<"
