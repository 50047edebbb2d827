"""The ADSL-like subject frame: one row per subject, derived from SDTM domains (core, pure).

The response and endpoint engines read each subject's reference dates (RANDDT, TRTSDT), death and
last-known-alive dates from this frame, and the report its baseline characteristics. Every column
is derived from named SDTM variables (docs/sdtm.md, "The ADSL-like subject file", gives the table);
dates are ``YYYY-MM-DD`` (the date part of complete ISO 8601 dates; partial dates are not used),
empty when unknown. Variable names follow CDISC ADaM ADSL where it has one (RANDDT, TRTSDT,
TRTEDT, DTHDT, LSTALVDT, EOSSTT, SAFFL, ITTFL, …), as in the pharmaverse ADSL.

The input is SDTM as text (every value a ``str`` or None), as the readers of ``oncotrial.formats``,
the store's export and ``formats.sdtm_spec.to_text_frame`` give it: the derivation copies values
(AGE, the findings' results) as written, so a number must already be its canonical text. A frame
with a numeric column is refused rather than copied as ``61.0``. Writing the frame is
``oncotrial.formats.adam.write_adsl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.catalogue import baseline, subject, treatment
from oncotrial.errors import SchemaError

__all__ = ["ADSL_COLUMNS", "DRIVER_GENES", "derive_adsl"]

_ADSL_TEXT = (
    "STUDYID USUBJID SUBJID SITEID AGE AGEU SEX RACE COUNTRY ARMCD ARM ACTARMCD ACTARM TRT01P "
    "TRT01A RANDDT STRATUM TRTSDT TRTEDT TRTDURD DTHDT DTHFL DTHCAUS LSTALVDT EOTSTT DCTREAS "
    "EOSSTT EOSDT DCSREAS SCRFFL RANDFL ITTFL SAFFL ECOGBL STAGE HISTTYP PRIMSITE PDL1TPS PDL1ASY "
    "PDL1GR1 DRVMUTFL HEIGHTBL WEIGHTBL PRTHXN"
)
ADSL_COLUMNS = tuple(_ADSL_TEXT.split())

# Genes whose positive status makes a NSCLC "driver-positive" (docs/sdtm.md, GF).
DRIVER_GENES = baseline.DRIVER_GENES
GENE_TESTS = baseline.GENE_TESTS

_POSITIVE = baseline.MUTATION_STATUS.codes[1]

# Dates that show a subject alive (LSTALVDT), by domain.
_ALIVE_DATES = {
    "DS": ("DSSTDTC",),
    "EX": ("EXSTDTC", "EXENDTC"),
    "PR": ("PRSTDTC", "PRENDTC"),
    "TR": ("TRDTC",),
    "RS": ("RSDTC",),
    "AE": ("AESTDTC", "AEENDTC"),
    "LB": ("LBDTC",),
    "QS": ("QSDTC",),
    "VS": ("VSDTC",),
}


def _date(series: pd.Series) -> pd.Series:
    """The YYYY-MM-DD part of complete dates; None for partial or missing ones."""
    text = series.astype(object)
    return text.map(
        lambda v: (
            v[:10] if isinstance(v, str) and len(v) >= 10 and v[4] == "-" and v[7] == "-" else None
        )
    )


def _get(frame: pd.DataFrame | None, column: str) -> pd.Series:
    if frame is None or column not in frame.columns:
        return pd.Series([None] * (0 if frame is None else len(frame)), dtype=object)
    return frame[column]


def _first_by_subject(frame: pd.DataFrame, column: str) -> dict[str, object]:
    present = frame[frame[column].notna()]
    return dict(zip(present["USUBJID"], present[column], strict=True)) if len(present) else {}


def _findings(frames: Mapping[str, pd.DataFrame], domain: str, code: str) -> pd.DataFrame:
    frame = frames.get(domain)
    if frame is None or f"{domain}TESTCD" not in frame.columns:
        return pd.DataFrame(columns=["USUBJID", "value", "blfl", "device"])
    rows = frame[frame[f"{domain}TESTCD"] == code]
    value = _get(rows, f"{domain}STRESC")
    if value.isna().all():
        value = _get(rows, f"{domain}ORRES")
    out = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].to_numpy(),
            "value": value.to_numpy(),
            "blfl": _get(rows, f"{domain}BLFL").to_numpy(),
            "device": _get(rows, "SPDEVID").to_numpy(),
        }
    )
    # The baseline record when flagged, else the first one.
    return out.sort_values("blfl", key=lambda s: s.ne("Y"), kind="stable").drop_duplicates(
        "USUBJID"
    )


class _Columns(dict[str, list[object]]):
    """Columns as Python lists (None for missing) until the frame is built."""

    def __setitem__(self, key: str, value: Any) -> None:
        """``value``: a Series, an Index, an array, any iterable of the column's values, or
        None (a column of missing values)."""
        if isinstance(value, pd.Series | pd.Index) or hasattr(value, "tolist"):
            value = value.tolist()
        elif value is None:
            value = [None] * len(self["USUBJID"])
        super().__setitem__(key, _none(list(value)))


def _none(values: list[object]) -> list[object]:
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in values]


def _pdl1_group(tps: Any) -> str | None:
    """The PD-L1 TPS group of a cell as the data holds it (a number, its text, or missing)."""
    try:
        value = float(tps)
    except (TypeError, ValueError):
        return None
    if value < 1:
        return "<1%"
    return "1-49%" if value < 50 else ">=50%"


def _text_frame(frame: pd.DataFrame, domain: str) -> pd.DataFrame:
    """``frame`` with missing and empty values as None; anything but SDTM text is refused.

    The same normalisation as ``formats.sdtm_spec.to_text_frame`` gives text columns, so that a
    frame read from files and one exported from the store derive alike (module docstring).
    """
    out = {}
    for name in frame.columns:
        series = frame[name]
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if pd.api.types.is_numeric_dtype(series.dtype) or kind not in ("string", "empty"):
            raise SchemaError(
                f"the {domain} frame holds {kind} values, not SDTM text, in {name}; the "
                "ADSL-like frame copies values as written",
                field=str(name),
                hint="Convert the frames with oncotrial.formats.sdtm_spec.to_text_frame first.",
            )
        present = series.notna().to_numpy().tolist()
        values = [
            v if p and v != "" else None
            for v, p in zip(series.to_numpy(dtype=object).tolist(), present, strict=True)
        ]
        out[name] = pd.Series(values, index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index, columns=list(frame.columns))


def derive_adsl(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per DM subject with the columns of ``ADSL_COLUMNS`` (plus gene statuses)."""
    frames = {d.upper(): _text_frame(f, d.upper()) for d, f in frames.items()}
    dm = frames.get("DM")
    if dm is None or "USUBJID" not in dm.columns:
        raise SchemaError(
            "the ADSL-like file needs the DM domain (one row per subject)", field="USUBJID"
        )
    out = _Columns({"USUBJID": dm["USUBJID"].tolist()})
    subjects = pd.Series(out["USUBJID"], dtype=object)
    ds = frames.get("DS", pd.DataFrame(columns=["USUBJID"]))
    _demographics(out, dm)
    _allocation(out, subjects, ds)
    _treatment(out, dm, subjects, frames.get("EX"))
    is_death = _death(out, dm, subjects, ds)
    out["LSTALVDT"] = _last_alive(frames, dm, subjects, is_death, out["DTHDT"])
    _disposition(out, dm, subjects, ds)
    genes = _characteristics(out, subjects, frames)
    columns = [c for c in ADSL_COLUMNS if c in out]
    position = columns.index("DRVMUTFL")
    columns[position:position] = list(genes)
    for gene, values in genes.items():
        out[gene] = values.tolist()
    return pd.DataFrame({name: pd.Series(_none(out[name]), dtype=object) for name in columns})


def _demographics(out: _Columns, dm: pd.DataFrame) -> None:
    for column in (
        "STUDYID",
        "SUBJID",
        "SITEID",
        "AGE",
        "AGEU",
        "SEX",
        "RACE",
        "COUNTRY",
        "ARMCD",
        "ARM",
        "ACTARMCD",
        "ACTARM",
    ):
        out[column] = _get(dm, column).to_numpy()
    out["TRT01P"] = out["ARM"]
    out["TRT01A"] = out["ACTARM"]


def _allocation(out: _Columns, subjects: pd.Series, ds: pd.DataFrame) -> None:
    """RANDDT and STRATUM from the DS record of randomization (or enrollment, single arm)."""
    decod = _get(ds, "DSDECOD")
    allocation = ds[decod.isin(subject.ALLOCATION_TERMS).to_numpy()] if len(ds) else ds
    randomized = (
        dict(zip(allocation["USUBJID"], _date(allocation["DSSTDTC"]), strict=True))
        if len(allocation) and "DSSTDTC" in allocation.columns
        else {}
    )
    out["RANDDT"] = subjects.map(randomized)
    out["STRATUM"] = subjects.map(
        _first_by_subject(allocation, "STRATUM") if "STRATUM" in allocation.columns else {}
    )


def _treatment(
    out: _Columns, dm: pd.DataFrame, subjects: pd.Series, ex: pd.DataFrame | None
) -> None:
    """TRTSDT, TRTEDT (first and last dose in EX, else DM's RFXSTDTC/RFXENDTC) and TRTDURD."""
    if ex is not None and len(ex):
        start = ex.assign(d=_date(_get(ex, "EXSTDTC"))).dropna(subset=["d"])
        end = ex.assign(
            d=_date(_get(ex, "EXENDTC").where(_get(ex, "EXENDTC").notna(), _get(ex, "EXSTDTC")))
        )
        out["TRTSDT"] = subjects.map(start.groupby("USUBJID")["d"].min())
        out["TRTEDT"] = subjects.map(end.dropna(subset=["d"]).groupby("USUBJID")["d"].max())
    else:
        out["TRTSDT"] = _date(_get(dm, "RFXSTDTC")).to_numpy()
        out["TRTEDT"] = _date(_get(dm, "RFXENDTC")).to_numpy()
    duration = (
        pd.to_datetime(pd.Series(out["TRTEDT"], dtype=object))
        - pd.to_datetime(pd.Series(out["TRTSDT"], dtype=object))
    ).dt.days + 1
    out["TRTDURD"] = [None if pd.isna(d) else str(int(d)) for d in duration]


def _death(out: _Columns, dm: pd.DataFrame, subjects: pd.Series, ds: pd.DataFrame) -> np.ndarray:
    """DTHDT, DTHFL, DTHCAUS; returns which DS records are deaths (not end-of-treatment ones)."""
    is_death: np.ndarray = (
        _get(ds, "DSDECOD").eq(subject.DEATH).to_numpy()
        & ~_get(ds, "DSSCAT").eq(subject.END_OF_TREATMENT).to_numpy()
        if len(ds)
        else np.zeros(0, dtype=bool)
    )
    deaths = ds[is_death] if len(ds) else ds
    death_date = (
        dict(zip(deaths["USUBJID"], _date(deaths["DSSTDTC"]), strict=True)) if len(deaths) else {}
    )
    death_cause = (
        dict(zip(deaths["USUBJID"], _get(deaths, "DSTERM"), strict=True)) if len(deaths) else {}
    )
    dm_death = dict(zip(dm["USUBJID"], _date(_get(dm, "DTHDTC")), strict=True))
    out["DTHDT"] = [death_date.get(u) or dm_death.get(u) for u in subjects]
    out["DTHFL"] = ["Y" if d else None for d in out["DTHDT"]]
    out["DTHCAUS"] = subjects.map(death_cause)
    return is_death


def _last_alive(
    frames: Mapping[str, pd.DataFrame],
    dm: pd.DataFrame,
    subjects: pd.Series,
    is_death: np.ndarray,
    death_dates: list[object],
) -> list[str | None]:
    """LSTALVDT: the latest date of any record showing the subject alive, never after death."""
    alive: dict[str, str] = {}
    for domain, columns in _ALIVE_DATES.items():
        frame = frames.get(domain)
        if frame is None or not len(frame):
            continue
        keep = frame
        if domain == "DS":
            keep = frame[~pd.Series(is_death, index=frame.index)] if len(is_death) else frame
        for column in columns:
            if column not in keep.columns:
                continue
            dated = pd.DataFrame({"u": keep["USUBJID"], "d": _date(keep[column])}).dropna()
            for u, d in dated.groupby("u")["d"].max().items():
                if str(d) > alive.get(str(u), ""):
                    alive[str(u)] = str(d)
    consent = dict(zip(dm["USUBJID"], _date(_get(dm, "RFICDTC")), strict=True))
    last_alive: list[str | None] = []
    for u, death in zip(subjects, death_dates, strict=True):
        best = max([d for d in (alive.get(u), consent.get(u)) if d], default=None)
        if best is not None and isinstance(death, str) and best > death:
            best = death  # nothing after death counts as alive (a data error elsewhere)
        last_alive.append(best)
    return last_alive


_Status = tuple[list[str | None], list[str | None], list[str | None]]


def _status(ds: pd.DataFrame, subjects: pd.Series, category: str) -> _Status:
    """Per subject: COMPLETED or DISCONTINUED, the reason and the date of a DS category."""
    part = ds[_get(ds, "DSSCAT").eq(category).to_numpy()] if len(ds) else ds
    records = (
        {
            u: (d, dt)
            for u, d, dt in zip(
                part["USUBJID"], part["DSDECOD"], _date(part["DSSTDTC"]), strict=True
            )
        }
        if len(part)
        else {}
    )
    states: list[str | None] = []
    reasons: list[str | None] = []
    dates: list[str | None] = []
    for u in subjects:
        if u in records:
            reason, when = records[u]
            states.append("COMPLETED" if reason == subject.COMPLETED else "DISCONTINUED")
            reasons.append(None if reason == subject.COMPLETED else reason)
            dates.append(when)
        else:
            states.append(None)
            reasons.append(None)
            dates.append(None)
    return states, reasons, dates


def _disposition(out: _Columns, dm: pd.DataFrame, subjects: pd.Series, ds: pd.DataFrame) -> None:
    """End of treatment and of study, screen failure, and the population flags."""
    eot, eot_reason, _ = _status(ds, subjects, subject.END_OF_TREATMENT)
    out["EOTSTT"] = [
        s or ("ONGOING" if t else None) for s, t in zip(eot, out["TRTSDT"], strict=True)
    ]
    out["DCTREAS"] = eot_reason
    eos, eos_reason, eos_date = _status(ds, subjects, subject.END_OF_STUDY)
    failure, failure_reason, failure_date = _status(ds, subjects, subject.END_OF_SCREENING)
    out["EOSSTT"] = [
        s or ("DISCONTINUED" if f else "ONGOING") for s, f in zip(eos, failure, strict=True)
    ]
    out["EOSDT"] = [d or f for d, f in zip(eos_date, failure_date, strict=True)]
    out["DCSREAS"] = [r or f for r, f in zip(eos_reason, failure_reason, strict=True)]
    armnrs = _get(dm, "ARMNRS").tolist()
    out["SCRFFL"] = [
        "Y" if (f is not None or a == subject.SCREEN_FAILURE) else "N"
        for f, a in zip(failure, armnrs, strict=True)
    ]
    out["RANDFL"] = ["Y" if d else "N" for d in out["RANDDT"]]
    out["ITTFL"] = out["RANDFL"]
    out["SAFFL"] = ["Y" if d else "N" for d in out["TRTSDT"]]


def _characteristics(
    out: _Columns, subjects: pd.Series, frames: Mapping[str, pd.DataFrame]
) -> dict[str, pd.Series]:
    """Baseline characteristics (ECOG, disease, PD-L1, vital signs, prior therapies); returns
    the gene statuses found (a column per gene, placed before DRVMUTFL)."""
    # Baseline results: each in the ADSL variable the catalogue names for its test.
    for test in (
        baseline.ECOG_TEST,
        baseline.STAGE_TEST,
        baseline.HISTOLOGY_TEST,
        baseline.PRIMARY_SITE_TEST,
        baseline.PDL1_TEST,
        baseline.HEIGHT_TEST,
        baseline.WEIGHT_TEST,
    ):
        found = _findings(frames, test.domain, test.testcd)
        out[test.adsl] = subjects.map(dict(zip(found["USUBJID"], found["value"], strict=True)))
        if test is baseline.PDL1_TEST:
            device = dict(zip(found["USUBJID"], found["device"], strict=True))
            out["PDL1ASY"] = subjects.map(device)
            out["PDL1GR1"] = [_pdl1_group(v) for v in out[test.adsl]]
    genes: dict[str, pd.Series] = {}
    for test in GENE_TESTS:
        found = _findings(frames, test.domain, test.testcd)
        if len(found):
            genes[test.adsl] = subjects.map(
                dict(zip(found["USUBJID"], found["value"], strict=True))
            )
    flags = []
    for i in range(len(subjects)):
        statuses = [genes[g].iloc[i] for g in DRIVER_GENES if g in genes]
        tested = [s for s in statuses if isinstance(s, str)]
        flags.append("Y" if _POSITIVE in tested else ("N" if tested else None))
    out["DRVMUTFL"] = flags
    cm = frames.get("CM")
    if cm is not None and "CMCAT" in cm.columns:
        prior = cm[cm["CMCAT"] == treatment.PRIOR_THERAPY].groupby("USUBJID").size()
        out["PRTHXN"] = [str(int(prior.get(u, 0))) for u in subjects]
    else:
        out["PRTHXN"] = None
    return genes
