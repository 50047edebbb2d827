"""Controlled vocabularies: the codes a field may hold, each with its label and meaning.

A ``Vocabulary`` is an ordered set of ``Term``s (the order a form lists them in), with the source
that defines it (CDISC Controlled Terminology, CTCAE, AJCC, the protocol convention of
docs/sdtm.md). Codes are what is stored and exported; labels are what a form shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Term", "Vocabulary", "vocabulary"]


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    definition: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms; ``in`` tests a code, iteration yields the terms."""

    name: str
    terms: tuple[Term, ...]
    source: str

    def __post_init__(self) -> None:
        codes = [t.code for t in self.terms]
        if len(set(codes)) != len(codes):
            raise ValueError(f"vocabulary {self.name!r} lists a code twice")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def choices(self) -> tuple[tuple[str, str], ...]:
        """``(code, label)`` pairs in order, for a form's choice list."""
        return tuple((t.code, t.label) for t in self.terms)

    def label(self, code: str) -> str:
        """The label of ``code`` (the code itself when it is not a term)."""
        return next((t.label for t in self.terms if t.code == code), code)

    def only(self, *codes: str) -> Vocabulary:
        """The same vocabulary restricted to ``codes`` (in the vocabulary's order)."""
        missing = set(codes) - set(self.codes)
        if missing:
            raise ValueError(f"{sorted(missing)} are not terms of {self.name!r}")
        kept = tuple(t for t in self.terms if t.code in codes)
        return Vocabulary(self.name, kept, self.source)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.codes

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)


def vocabulary(name: str, source: str, terms: Iterable[str | tuple[str, str]]) -> Vocabulary:
    """A vocabulary from codes (labelled by themselves) or ``(code, label)`` pairs."""
    built = tuple(Term(t, t) if isinstance(t, str) else Term(t[0], t[1]) for t in terms)
    return Vocabulary(name, built, source)
