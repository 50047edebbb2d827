"""The CTCAE dictionary: terms, system organ classes and grade definitions.

Built from the rows of a CTCAE file (``oncotrial.formats.ctcae`` loads NCI's CTCAE v5.0 shipped
with oncotrial, or a file the user names); ``description`` says which, for reports. A term is
matched case-insensitively and with whitespace normalised; an unknown term is an error that
suggests the closest terms, and a grade the dictionary marks as undefined for a term (e.g. grade
4 or 5 of "Alopecia") is an error too (CTCAE v5.0, "Grades").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from oncotrial.catalogue.safety import grade_problem
from oncotrial.errors import DictionaryError, SchemaError, ValueProblem

__all__ = ["CtcaeDictionary", "CtcaeTerm", "normalise_term"]

_SPACES = re.compile(r"\s+")

# Abbreviations clinicians type for CTCAE terms; used only to suggest terms, never to accept one.
_ABBREVIATIONS = {
    "alt": "alanine aminotransferase",
    "ast": "aspartate aminotransferase",
    "alp": "alkaline phosphatase",
    "ggt": "gamma-glutamyl transferase",  # the CTCAE term itself is "GGT increased"
    "tsh": "hypothyroidism",
    "anc": "neutrophil count",
    "plt": "platelet count",
    "wbc": "white blood cell",
    "hgb": "anemia",
    "neutropenia": "neutrophil count decreased",
    "thrombocytopenia": "platelet count decreased",
    "leukopenia": "white blood cell decreased",
    "lymphopenia": "lymphocyte count decreased",
    "bili": "blood bilirubin",
    "bilirubin": "blood bilirubin increased",
    "creatinine": "creatinine increased",
    "sob": "dyspnea",
    "itch": "pruritus",
    "itching": "pruritus",
}


def normalise_term(term: str) -> str:
    """Case- and whitespace-insensitive key of a term."""
    return _SPACES.sub(" ", term.strip()).casefold()


@dataclass(frozen=True)
class CtcaeTerm:
    """One CTCAE term with its MedDRA code, SOC and grade definitions (None = not defined)."""

    term: str
    soc: str
    meddra_code: str
    grades: tuple[str | None, str | None, str | None, str | None, str | None]
    definition: str | None = None
    navigational_note: str | None = None

    @property
    def defined_grades(self) -> tuple[int, ...]:
        return tuple(g for g, text in enumerate(self.grades, start=1) if text)

    def grade_definition(self, grade: int) -> str | None:
        return self.grades[grade - 1] if 1 <= grade <= 5 else None


@dataclass(frozen=True)
class CtcaeDictionary:
    """An immutable CTCAE dictionary with term lookup and grade validation.

    ``source`` names the file the terms were read from (error messages cite it); ``origin`` says
    where the dictionary came from in words, for the reader of a report.
    """

    version: str
    source: str
    terms: Mapping[str, CtcaeTerm] = field(repr=False)
    origin: str = ""

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Mapping[str, str | None]],
        *,
        source: str,
        version: str = "5.0",
        origin: str = "",
    ) -> CtcaeDictionary:
        """Build from rows with keys term, soc, meddra_code, grade1..grade5, definition, note."""
        terms: dict[str, CtcaeTerm] = {}
        for number, row in enumerate(rows, start=2):
            name = (row.get("term") or "").strip()
            if not name:
                raise SchemaError(
                    "a row has no CTCAE term", file=source, record=f"row {number}", field="term"
                )
            grades = tuple(_grade_text(row.get(f"grade{g}")) for g in range(1, 6))
            terms[normalise_term(name)] = CtcaeTerm(
                term=name,
                soc=(row.get("soc") or "").strip(),
                meddra_code=(row.get("meddra_code") or "").strip(),
                grades=(grades[0], grades[1], grades[2], grades[3], grades[4]),
                definition=_grade_text(row.get("definition")),
                navigational_note=_grade_text(row.get("note")),
            )
        if not terms:
            raise SchemaError("the CTCAE file has no terms", file=source)
        return cls(
            version=version, source=source, terms=MappingProxyType(terms), origin=origin or source
        )

    @property
    def description(self) -> str:
        """Which dictionary this is, e.g. ``CTCAE v5.0 (NCI's publication …, shipped …)``."""
        return f"CTCAE v{self.version} ({self.origin})"

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and normalise_term(term) in self.terms

    @property
    def socs(self) -> tuple[str, ...]:
        return tuple(sorted({t.soc for t in self.terms.values()}))

    def closest(self, term: str, n: int = 5) -> list[str]:
        """The terms closest to ``term`` by shared words (abbreviations expanded) and spelling."""
        key = normalise_term(term)
        words = set()
        for word in key.split():
            words.update(_ABBREVIATIONS.get(word, word).split())
        scored = []
        for candidate_key, entry in self.terms.items():
            candidate_words = set(candidate_key.split())
            overlap = len(words & candidate_words) / max(len(words), 1)
            spelling = difflib.SequenceMatcher(None, key, candidate_key).ratio()
            score = max(spelling, overlap - 0.05 * len(candidate_words - words) / 10)
            scored.append((score, entry.term))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [name for score, name in scored[:n] if score >= 0.5]

    def lookup(self, term: str, *, record: str | None = None) -> CtcaeTerm:
        """The entry for ``term``, or a DictionaryError naming the closest terms."""
        found = self.terms.get(normalise_term(term))
        if found is not None:
            return found
        suggestions = self.closest(term)
        hint = (
            "Closest CTCAE v" + self.version + " terms: " + "; ".join(suggestions) + "."
            if suggestions
            else "Check the spelling against the CTCAE v" + self.version + " term list."
        )
        raise DictionaryError(
            f"{term!r} is not a CTCAE v{self.version} term",
            record=record,
            field="term",
            hint=hint,
        )

    def check_grade(self, term: str, grade: int, *, record: str | None = None) -> CtcaeTerm:
        """The entry for ``term`` after checking ``grade`` is defined for it."""
        entry = self.lookup(term, record=record)
        problem = grade_problem(entry.term, grade, entry.defined_grades, version=self.version)
        if problem is not None:
            raise ValueProblem(problem, record=record, field="grade")
        return entry


def _grade_text(value: str | None) -> str | None:
    """The dictionary writes an undefined grade as '-' (often ' -'); that is None here."""
    if value is None:
        return None
    text = value.strip()
    return None if text in {"", "-", "–"} else text
