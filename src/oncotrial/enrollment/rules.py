"""A declared enrollment rule: an id, what it says and where it comes from (printable for audit)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EnrollmentRule"]


@dataclass(frozen=True)
class EnrollmentRule:
    id: str
    description: str
    source: str

    def __str__(self) -> str:
        return f"{self.id}: {self.description} ({self.source})"
