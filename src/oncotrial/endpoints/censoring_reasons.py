"""Why each subject's time-to-event ends: events by kind and censorings by reason, per arm.

The table CONSORT 2010 (item 13b, losses and exclusions) and the FDA 2018 guidance (PFS: "a
table of the reasons for censoring") ask for, read from ADTTE as ``derive_adtte`` writes it:
``EVNTDESC`` names the event (Disease Progression, Death) and ``CNSDTDSC`` the censoring reason
(Last Tumor Assessment, New Anticancer Therapy, Event After Two or More Missed Assessments, the
reference date when nothing was assessed, Alive During Study). Counts are subjects, with the
arm's total as denominator. Pure: a frame in, an immutable table out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oncotrial.errors import AnalysisError, SchemaError

__all__ = ["CensoringReasons", "ReasonRow", "censoring_reasons"]


@dataclass(frozen=True)
class ReasonRow:
    status: str  # "event" or "censored"
    reason: str
    counts: tuple[int, ...]  # per arm, in ``CensoringReasons.arms`` order


@dataclass(frozen=True)
class CensoringReasons:
    param: str
    arms: tuple[str, ...]
    totals: tuple[int, ...]
    rows: tuple[ReasonRow, ...]

    def percent(self, row: ReasonRow, arm: int) -> float:
        return 100.0 * row.counts[arm] / self.totals[arm] if self.totals[arm] else 0.0

    def to_frame(self) -> pd.DataFrame:
        records = []
        for row in self.rows:
            record: dict[str, object] = {"status": row.status, "reason": row.reason}
            for i, arm in enumerate(self.arms):
                record[f"{arm} n"] = row.counts[i]
                record[f"{arm} %"] = round(self.percent(row, i), 1)
            records.append(record)
        return pd.DataFrame(records)


def censoring_reasons(adtte: pd.DataFrame, param: str, *, arm: str = "ARM") -> CensoringReasons:
    """Events by description and censorings by reason for one parameter, per arm and overall."""
    needed = ["USUBJID", "PARAMCD", "CNSR", "EVNTDESC", "CNSDTDSC"]
    missing = [c for c in needed if c not in adtte.columns]
    if missing:
        raise SchemaError(f"ADTTE has no column(s) {', '.join(missing)}", field=missing[0])
    rows = adtte[adtte["PARAMCD"] == param]
    if rows.empty:
        raise AnalysisError(f"ADTTE has no {param} rows", field="PARAMCD")
    arms_column = rows[arm].astype(str) if arm in rows else pd.Series("All", index=rows.index)
    arms = tuple(sorted(arms_column.unique()))
    if len(arms) > 1:
        arms = (*arms, "Total")
    totals = tuple(int((arms_column == a).sum()) if a != "Total" else len(rows) for a in arms)
    status = rows["CNSR"].astype(int).map({0: "event", 1: "censored"})
    reason = rows["EVNTDESC"].where(status == "event", rows["CNSDTDSC"]).fillna("not recorded")
    table = pd.DataFrame({"status": status, "reason": reason.astype(str), "arm": arms_column})
    result = []
    for kind in ("event", "censored"):
        part = table[table["status"] == kind]
        for label in sorted(part["reason"].unique()):
            hits = part[part["reason"] == label]
            counts = tuple(
                int((hits["arm"] == a).sum()) if a != "Total" else len(hits) for a in arms
            )
            result.append(ReasonRow(kind, label, counts))
    return CensoringReasons(param=param, arms=arms, totals=totals, rows=tuple(result))
