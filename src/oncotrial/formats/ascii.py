"""ASCII text for SAS transport files.

FDA's Study Data Technical Conformance Guide (§3.3.1) asks for ASCII text in XPT v5 files. Data
oncotrial stores may hold the symbols of clinical text (criteria quote "≥ 18 years", units
"µmol/L", "10^9/L ×"). Each has one declared ASCII spelling below; a letter with an accent loses it
(é → e, by Unicode decomposition). A character with neither is an error naming where it is —
never a silent "?".
"""

from __future__ import annotations

import unicodedata

__all__ = ["ASCII_SPELLINGS", "NotAscii", "to_ascii"]

ASCII_SPELLINGS: dict[str, str] = {
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "×": "x",
    "µ": "u",
    "μ": "u",
    "°": " deg",
    "±": "+/-",
    "–": "-",
    "—": "-",
    "−": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "·": ".",
    "²": "2",
    "³": "3",
    "½": "1/2",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}


class NotAscii(ValueError):
    """A character with no ASCII spelling; ``character`` says which."""

    def __init__(self, character: str) -> None:
        super().__init__(f"U+{ord(character):04X} {unicodedata.name(character, '?')}")
        self.character = character


def to_ascii(text: str) -> str:
    """``text`` in ASCII: declared spellings, accents removed; NotAscii for anything else."""
    if text.isascii():
        return text
    out = []
    for character in text:
        if character.isascii():
            out.append(character)
        elif character in ASCII_SPELLINGS:
            out.append(ASCII_SPELLINGS[character])
        else:
            base = unicodedata.normalize("NFKD", character).encode("ascii", "ignore").decode()
            if not base:
                raise NotAscii(character)
            out.append(base)
    return "".join(out)
