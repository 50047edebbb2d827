"""Where imported records came from, for the messages that name file and row (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Source"]


@dataclass(frozen=True)
class Source:
    """Where a domain's rows came from, for messages (``rows``: the file row of each record,
    when records were made from the rows of a template)."""

    name: str
    first_row: int = 2
    rows: tuple[int, ...] | None = None

    def row(self, index: int) -> int:
        return self.rows[index] if self.rows is not None else index + self.first_row
