"""The model of a named clinical concept: its key, names and codes (see ``concepts``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

__all__ = ["Concept", "System"]


class System:
    """Code systems, by the names patient records use (FHIR URIs are mapped to these)."""

    SNOMED = "SNOMED"
    ICD10 = "ICD-10"
    ATC = "ATC"
    CVX = "CVX"
    LOINC = "LOINC"

    URIS: ClassVar[dict[str, str]] = {
        "http://snomed.info/sct": SNOMED,
        "http://hl7.org/fhir/sid/icd-10": ICD10,
        "http://hl7.org/fhir/sid/icd-10-cm": ICD10,
        "http://www.whocc.no/atc": ATC,
        "http://hl7.org/fhir/sid/cvx": CVX,
        "http://loinc.org": LOINC,
    }

    @classmethod
    def normalise(cls, system: str | None) -> str | None:
        if system is None:
            return None
        text = system.strip()
        if text in cls.URIS:
            return cls.URIS[text]
        folded = re.sub(r"[\s_-]", "", text.casefold())
        for name in (cls.SNOMED, cls.ICD10, cls.ATC, cls.CVX, cls.LOINC):
            if folded in {re.sub(r"[\s_-]", "", name.casefold()), name.casefold()}:
                return name
        if folded in {"snomedct", "sct"}:
            return cls.SNOMED
        if folded in {"icd10", "icd10cm", "icd10who"}:
            return cls.ICD10
        return text


@dataclass(frozen=True)
class Concept:
    key: str
    name: str
    names: tuple[str, ...] = ()
    snomed: tuple[str, ...] = ()
    icd10: tuple[str, ...] = ()  # category prefixes: 'C78.7' matches C78.7; 'I21' matches I21.4
    atc: tuple[str, ...] = ()  # ATC prefixes: 'L01FF' matches every PD-1/PD-L1 inhibitor
    cvx: tuple[str, ...] = ()
    # where each code was seen with its name, and what could not be coded (issue 12: no invented
    # codes; a concept without a code is matched by key and name only)
    sources: tuple[str, ...] = ()
    note: str | None = None

    def matches_code(self, system: str | None, code: str | None) -> bool:
        if not code:
            return False
        system = System.normalise(system)
        code = code.strip().upper()
        if system == System.SNOMED:
            return code in self.snomed
        if system == System.ICD10:
            return any(_icd_within(code, p) for p in self.icd10)
        if system == System.ATC:
            return any(code.startswith(p) for p in self.atc)
        if system == System.CVX:
            return code.lstrip("0") in {c.lstrip("0") for c in self.cvx}
        return False

    def matches_name(self, text: str | None) -> bool:
        if not text:
            return False
        folded = _fold(text)
        return folded == _fold(self.key) or folded in {_fold(n) for n in (self.name, *self.names)}


def _icd_within(code: str, prefix: str) -> bool:
    """'I21.4' is within 'I21'; 'C78.7' within 'C78.7'; 'I210' (no dot) within 'I21'."""
    plain_code, plain_prefix = code.replace(".", ""), prefix.upper().replace(".", "")
    return plain_code.startswith(plain_prefix)


def _fold(text: str) -> str:
    return re.sub(r"[\s_'’-]+", " ", text.casefold()).strip()
