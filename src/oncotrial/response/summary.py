"""One row per subject for listings and the waterfall, swimmer and spider plots.

Columns: USUBJID, STUDYID, the reference date, BOR and CBOR with their dates, RSP/CRSP (responder,
unconfirmed and confirmed), CB/CCB (clinical benefit), FIRST_RESPONSE_DT,
FIRST_CONFIRMED_RESPONSE_DT, FIRST_PD_DT, LAST_ASSESSMENT_DT, N_ASSESSMENTS, BASELINE_SUM,
NADIR_SUM (smallest sum of diameters among baseline and the complete assessments counted toward
best response: the RECIST 1.1 §4.3.2 nadir), BEST_PCHG (the smallest % change from baseline among
those post-baseline assessments — positive when every scan showed growth: the waterfall bar; none
without a complete post-baseline sum), MEASURABLE and EXCLUDED. The spider plot reads
``ResponseResult.timepoints`` (PCHG per assessment).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.response.adrs import SubjectParameter
from oncotrial.response.columns import filled, frame_of
from oncotrial.response.dates import NO_DATE, to_datetime64
from oncotrial.response.settings import ResponseSettings

__all__ = ["build_summary"]


def build_summary(
    params: list[SubjectParameter],
    ovr: pd.DataFrame,
    counted: np.ndarray,
    settings: ResponseSettings,
    *,
    usubjid: np.ndarray,
    studyid: np.ndarray,
    ref_day: np.ndarray,
    excluded: np.ndarray,
    measurable: np.ndarray | None,
    base_sum: np.ndarray | None,
) -> pd.DataFrame:
    """Subject-level figures from the parameters and the assessments."""
    n = len(usubjid)
    by_code = {p.paramcd: p for p in params}
    day = ovr["DAY"].to_numpy(dtype=np.int64)
    subj = ovr["SUBJ"].to_numpy(dtype=np.int64)

    def date_of(paramcd: str) -> np.ndarray:
        rows = by_code[paramcd].row
        days = np.full(n, NO_DATE, dtype=np.int64)
        days[rows >= 0] = day[rows[rows >= 0]]
        return to_datetime64(days)

    def yes(paramcd: str) -> np.ndarray:
        return np.asarray(by_code[paramcd].avalc == "Y", dtype=bool)

    nadir = np.full(n, np.nan)
    best_pchg = np.full(n, np.nan)
    if base_sum is not None:
        low = np.full(n, np.inf)
        if "SUM" in ovr.columns and len(ovr):
            sums = ovr["SUM"].to_numpy(dtype=float)
            ok = counted & ~np.isnan(sums)
            np.minimum.at(low, subj[ok], sums[ok])
        post_baseline = np.where(np.isinf(low), np.nan, low)
        nadir = np.fmin(post_baseline, base_sum)
        with np.errstate(divide="ignore", invalid="ignore"):
            best_pchg = np.where(
                base_sum > 0, 100.0 * (post_baseline - base_sum) / base_sum, np.nan
            )
    columns: dict[str, np.ndarray | str] = {
        "USUBJID": usubjid,
        "STUDYID": studyid,
        settings.reference_date.value: to_datetime64(ref_day),
        "BOR": by_code["BOR"].avalc,
        "BOR_DT": date_of("BOR"),
        "CBOR": by_code["CBOR"].avalc,
        "CBOR_DT": date_of("CBOR"),
        "RSP": yes("RSP"),
        "CRSP": yes("CRSP"),
        "CB": yes("CB"),
        "CCB": yes("CCB"),
        "FIRST_RESPONSE_DT": date_of("RSP"),
        "FIRST_CONFIRMED_RESPONSE_DT": date_of("CRSP"),
        "FIRST_PD_DT": date_of("PD"),
        "LAST_ASSESSMENT_DT": date_of("LSTA"),
        "N_ASSESSMENTS": np.bincount(subj, minlength=n),
        "BASELINE_SUM": base_sum if base_sum is not None else np.full(n, np.nan),
        "NADIR_SUM": nadir,
        "BEST_PCHG": best_pchg,
        "MEASURABLE": (measurable if measurable is not None else filled(n, None)),
        "EXCLUDED": excluded,
    }
    return frame_of(columns, n)
