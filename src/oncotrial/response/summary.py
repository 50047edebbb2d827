"""One row per subject for listings and the waterfall, swimmer and spider plots.

Columns: USUBJID, STUDYID, the reference date, BOR and CBOR with their dates, RSP/CRSP (responder,
unconfirmed and confirmed), CB/CCB (clinical benefit), FIRST_RESPONSE_DT,
FIRST_CONFIRMED_RESPONSE_DT, FIRST_PD_DT, LAST_ASSESSMENT_DT, N_ASSESSMENTS, BASELINE_SUM,
NADIR_SUM (smallest complete sum of diameters counted toward best response, baseline included),
BEST_PCHG (its % change from baseline, the waterfall bar), MEASURABLE and EXCLUDED.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.response.dates import to_datetime64
from oncotrial.response.settings import ResponseSettings

__all__ = ["build_summary"]


def build_summary(
    adrs: pd.DataFrame,
    timepoints: pd.DataFrame,
    settings: ResponseSettings,
    *,
    usubjid: np.ndarray,
    studyid: np.ndarray,
    ref_day: np.ndarray,
    excluded: np.ndarray,
    measurable: np.ndarray | None,
    base_sum: np.ndarray | None,
) -> pd.DataFrame:
    """Pivot the subject-level ADRS parameters and add the target-sum figures."""
    n = len(usubjid)
    params = adrs[adrs["PARAMCD"] != "OVR"]
    index = pd.Index(usubjid)

    def pick(paramcd: str, column: str) -> np.ndarray:
        rows = params[params["PARAMCD"] == paramcd]
        position = index.get_indexer(rows["USUBJID"])
        out = (
            np.full(n, None, dtype=object)
            if column != "ADT"
            else np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        )
        out[position] = rows[column].to_numpy()
        return out

    n_assess = np.zeros(n, dtype=np.int64)
    best_pchg = np.full(n, np.nan)
    nadir = np.full(n, np.nan)
    if len(timepoints):
        subj = timepoints["SUBJ"].to_numpy(dtype=np.int64)
        n_assess = np.bincount(subj, minlength=n)
        if "SUM" in timepoints.columns:
            counted = timepoints["ANL02FL"].to_numpy(dtype=object) == "Y"
            sums = timepoints["SUM"].to_numpy(dtype=float)
            ok = counted & ~np.isnan(sums)
            low = np.full(n, np.inf)
            np.minimum.at(low, subj[ok], sums[ok])
            nadir = np.where(np.isinf(low), np.nan, low)
    if base_sum is not None:
        nadir = np.fmin(nadir, base_sum)
        with np.errstate(divide="ignore", invalid="ignore"):
            best_pchg = np.where(base_sum > 0, 100.0 * (nadir - base_sum) / base_sum, np.nan)

    def flag(paramcd: str) -> np.ndarray:
        return np.asarray(pick(paramcd, "AVALC") == "Y", dtype=bool)

    return pd.DataFrame(
        {
            "USUBJID": usubjid,
            "STUDYID": studyid,
            settings.reference_date.value: to_datetime64(ref_day),
            "BOR": pick("BOR", "AVALC"),
            "BOR_DT": pick("BOR", "ADT"),
            "CBOR": pick("CBOR", "AVALC"),
            "CBOR_DT": pick("CBOR", "ADT"),
            "RSP": flag("RSP"),
            "CRSP": flag("CRSP"),
            "CB": flag("CB"),
            "CCB": flag("CCB"),
            "FIRST_RESPONSE_DT": pick("RSP", "ADT"),
            "FIRST_CONFIRMED_RESPONSE_DT": pick("CRSP", "ADT"),
            "FIRST_PD_DT": pick("PD", "ADT"),
            "LAST_ASSESSMENT_DT": pick("LSTA", "ADT"),
            "N_ASSESSMENTS": n_assess,
            "BASELINE_SUM": base_sum if base_sum is not None else np.full(n, np.nan),
            "NADIR_SUM": nadir,
            "BEST_PCHG": best_pchg,
            "MEASURABLE": measurable if measurable is not None else np.full(n, None, dtype=object),
            "EXCLUDED": excluded,
        }
    )
