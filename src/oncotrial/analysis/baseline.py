"""Baseline characteristics per arm (ICH E3 §11.2; CONSORT 2010 item 15).

Descriptive counts of the efficacy analysis set from the ADSL-like frame: age (median and
range), sex, ECOG performance status, stage, histology, PD-L1 TPS category, prior anticancer
therapies. Categories are listed in a fixed clinical order, then any other value found; a
missing value is counted as "Not reported" so that every column adds up to its N.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from oncotrial.analysis.results import ArmInfo, BaselineRow, BaselineTable
from oncotrial.catalogue import baseline as catalogue
from oncotrial.catalogue.staging import STAGE_ORDER

__all__ = ["baseline_table"]

_NOT_REPORTED = "Not reported"

# (ADSL column, heading, [(value, label), …] in display order)
_CATEGORICAL: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("SEX", "Sex", (("M", "Male"), ("F", "Female"), ("U", "Unknown"))),
    ("ECOGBL", "ECOG performance status", (("0", "0"), ("1", "1"), ("2", "2"), ("3", "3"))),
    (catalogue.STAGE_TEST.adsl, "Stage", tuple((s, s) for s in STAGE_ORDER)),
    (catalogue.HISTOLOGY_TEST.adsl, "Histology", catalogue.HISTOLOGIES.choices()),
    (
        "PDL1GR1",
        "PD-L1 tumour proportion score",
        (("<1%", "< 1%"), ("1-49%", "1–49%"), (">=50%", "≥ 50%")),
    ),
)


def _percent(k: int, n: int) -> str:
    return f"{k} ({100.0 * k / n:.1f}%)" if n else "0"


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as numbers (NaN where missing or not a number; all NaN without the column)."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce")


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def _age_cells(groups: Sequence[pd.DataFrame]) -> list[BaselineRow]:
    cells_median, cells_mean = [], []
    for group in groups:
        ages = _numbers(group, "AGE").dropna().to_numpy()
        if ages.size:
            cells_median.append(f"{np.median(ages):g} ({ages.min():g}–{ages.max():g})")
            sd = f"{np.std(ages, ddof=1):.1f}" if ages.size > 1 else "–"
            cells_mean.append(f"{ages.mean():.1f} ({sd})")
        else:
            cells_median.append("–")
            cells_mean.append("–")
    over = [_percent(int((_numbers(g, "AGE") >= 65).sum()), len(g)) for g in groups]
    return [
        BaselineRow("Age, years", ("",) * len(groups), heading=True),
        BaselineRow("Median (range)", tuple(cells_median)),
        BaselineRow("Mean (SD)", tuple(cells_mean)),
        BaselineRow("≥ 65 years", tuple(over)),
    ]


def _categorical(
    groups: Sequence[pd.DataFrame], column: str, heading: str, order: tuple[tuple[str, str], ...]
) -> list[BaselineRow]:
    values = [_text(g[column]) if column in g.columns else pd.Series([""] * len(g)) for g in groups]
    known = [v for v, _ in order]
    seen = sorted({x for v in values for x in v if x and x not in known})
    rows = [BaselineRow(heading, ("",) * len(groups), heading=True)]
    for value, label in (*order, *((s, s.capitalize()) for s in seen)):
        counts = [int((v == value).sum()) for v in values]
        if any(counts):
            rows.append(
                BaselineRow(
                    label,
                    tuple(_percent(c, len(g)) for c, g in zip(counts, groups, strict=True)),
                )
            )
    missing = [int((v == "").sum()) for v in values]
    if any(missing):
        rows.append(
            BaselineRow(
                _NOT_REPORTED,
                tuple(_percent(c, len(g)) for c, g in zip(missing, groups, strict=True)),
            )
        )
    return rows


def _prior_therapy(groups: Sequence[pd.DataFrame]) -> list[BaselineRow]:
    counts = [_numbers(g, "PRTHXN") for g in groups]
    if all(c.isna().all() for c in counts):
        return []
    rows = [BaselineRow("Prior anticancer therapies (agents)", ("",) * len(groups), heading=True)]
    bands: tuple[tuple[str, Callable[[pd.Series], pd.Series]], ...] = (
        ("None", lambda s: s == 0),
        ("1–2", lambda s: (s >= 1) & (s <= 2)),
        ("3 or more", lambda s: s >= 3),
    )
    for label, test in bands:
        rows.append(
            BaselineRow(
                label,
                tuple(
                    _percent(int(test(c).sum()), len(g))
                    for c, g in zip(counts, groups, strict=True)
                ),
            )
        )
    return rows


def stage_editions(sc: pd.DataFrame | None) -> tuple[str, ...]:
    """The AJCC editions the stage records name (SDTM SC ``SCCAT`` of the stage test), as
    "AJCC 8th edition"."""
    if sc is None or sc.empty or "SCCAT" not in sc.columns or "SCTESTCD" not in sc.columns:
        return ()
    stage = sc[sc["SCTESTCD"].astype(str) == catalogue.STAGE_TEST.testcd]
    found = stage["SCCAT"].dropna().astype(str).str.strip()
    return tuple(sorted({v.replace("TH EDITION", "th edition") for v in found if v}))


def baseline_table(
    efficacy: pd.DataFrame,
    arms: tuple[ArmInfo, ...],
    *,
    editions: tuple[str, ...] = (),
    registered_staging: str | None = None,
) -> BaselineTable:
    """Baseline characteristics of ``efficacy`` (ADSL rows) per arm, with a total column when
    there are several arms. ``editions``: the AJCC editions the stage records name (shown in
    the stage heading); ``registered_staging``: the edition the registration names, stated
    beside the recorded one when they differ."""
    groups = [efficacy[efficacy["ARM"].astype(str) == arm.label] for arm in arms]
    columns = [arm.label for arm in arms]
    if len(arms) > 1:
        groups.append(efficacy)
        columns.append("Total")
    rows = _age_cells(groups)
    for column, heading, order in _CATEGORICAL:
        if column == catalogue.STAGE_TEST.adsl:
            heading = f"Stage ({', '.join(editions) or 'AJCC edition not recorded'})"
        rows += _categorical(groups, column, heading, order)
    rows += _prior_therapy(groups)
    notes: tuple[str, ...] = ()
    if registered_staging and editions:
        number = "".join(c for c in registered_staging if c.isdigit())
        if not any(number and number in e for e in editions):
            notes = (
                f"The registration names the {registered_staging}; the data record stage by the "
                f"{', '.join(editions)} (SDTM SC SCCAT), shown as recorded, not restaged.",
            )
    return BaselineTable(
        columns=tuple(columns), totals=tuple(len(g) for g in groups), rows=tuple(rows), notes=notes
    )
