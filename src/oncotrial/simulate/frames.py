"""The SDTM columns the simulator writes, and the assembly of its rows into domain frames.

Rows are collected as tuples in the column order below (docs/sdtm.md gives the variables; the
order is the canonical order of ``oncotrial.formats.sdtm_spec``, which a test checks). Date
variables hold study days (day 0 = the simulation's start date) until assembly turns them into
ISO 8601 dates; ``--DY`` variables are then derived from them and the subject's first dose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["COLUMNS", "Tables"]

_COLUMN_TEXT = {
    "DM": (
        "USUBJID SUBJID RFSTDTC RFENDTC RFXSTDTC RFXENDTC RFICDTC RFPENDTC DTHDTC DTHFL "
        "SITEID BRTHDTC AGE AGEU SEX RACE ETHNIC ARMCD ARM ACTARMCD ACTARM ARMNRS "
        "COUNTRY DMDTC DMDY"
    ),
    "DS": ("USUBJID DSSEQ DSTERM DSDECOD DSCAT DSSCAT EPOCH VISIT VISITNUM DSSTDTC DSSTDY STRATUM"),
    "IE": "USUBJID IESEQ IETESTCD IETEST IECAT IEORRES IESTRESC VISIT VISITNUM IEDTC",
    "TU": (
        "USUBJID TUSEQ TULNKID TUTESTCD TUTEST TUORRES TUSTRESC TULOC TULOCDTL TULAT "
        "TUMETHOD TUEVAL TUACPTFL VISIT VISITNUM TUDTC TUDY"
    ),
    "TR": (
        "USUBJID TRSEQ TRGRPID TRLNKID TRTESTCD TRTEST TRORRES TRORRESU TRSTRESC "
        "TRSTRESN TRSTRESU TRSTAT TRREASND TRMETHOD TREVAL TRACPTFL VISIT VISITNUM "
        "TRDTC TRDY"
    ),
    "RS": (
        "USUBJID RSSEQ RSTESTCD RSTEST RSCAT RSORRES RSSTRESC RSEVAL RSACPTFL VISIT "
        "VISITNUM RSDTC RSDY"
    ),
    "EX": (
        "USUBJID EXSEQ EXTRT EXDOSE EXDOSU EXDOSFRM EXDOSFRQ EXROUTE EXADJ EPOCH VISIT "
        "VISITNUM EXSTDTC EXENDTC EXSTDY EXENDY"
    ),
    "PR": (
        "USUBJID PRSEQ PRTRT PRCAT PRDOSE PRDOSU PRLOC PRLAT PRLNKID EPOCH PRSTDTC PRENDTC PRSTDY"
    ),
    "AE": (
        "USUBJID AESEQ AETERM AELLT AELLTCD AEDECOD AEBODSYS AETOXGR AESER AEREL AEACN "
        "AEACNOTH AEOUT EPOCH AESTDTC AEENDTC AESTDY AEENDY"
    ),
    "LB": (
        "USUBJID LBSEQ LBTESTCD LBTEST LBCAT LBLOINC LBORRES LBORRESU LBORNRLO LBORNRHI "
        "LBSTRESC LBSTRESN LBSTRESU LBSTNRLO LBSTNRHI LBNRIND LBSPEC LBBLFL VISIT "
        "VISITNUM LBDTC LBDY"
    ),
    "CM": "USUBJID CMSEQ CMTRT CMCAT CMINDC CMSTDTC CMENDTC CMSTDY",
    "QS": (
        "USUBJID QSSEQ QSTESTCD QSTEST QSCAT QSORRES QSSTRESC QSSTRESN QSBLFL VISIT "
        "VISITNUM QSDTC QSDY"
    ),
    "VS": (
        "USUBJID VSSEQ VSTESTCD VSTEST VSORRES VSORRESU VSSTRESC VSSTRESN VSSTRESU "
        "VSBLFL VISIT VISITNUM VSDTC"
    ),
    "SC": "USUBJID SCSEQ SCTESTCD SCTEST SCCAT SCORRES SCSTRESC VISIT VISITNUM SCDTC",
    "GF": ("USUBJID GFSEQ GFTESTCD GFTEST GFORRES GFSTRESC GFMETHOD GFSPEC VISIT VISITNUM GFDTC"),
    "MI": (
        "USUBJID MISEQ MITESTCD MITEST MIORRES MIORRESU MISTRESC MISTRESN MISTRESU "
        "MISTAT MIREASND MIMETHOD MISPEC SPDEVID VISIT VISITNUM MIDTC"
    ),
}
COLUMNS: dict[str, tuple[str, ...]] = {
    domain: tuple(text.split()) for domain, text in _COLUMN_TEXT.items()
}

# Columns holding numbers (float64 in the frames); the rest are text.
NUMERIC = {
    "AGE",
    "DMDY",
    "VISITNUM",
    "TRSTRESN",
    "EXDOSE",
    "PRDOSE",
    "AELLTCD",
    "LBSTRESN",
    "LBSTNRLO",
    "LBSTNRHI",
    "QSSTRESN",
    "VSSTRESN",
    "MISTRESN",
}


def _is_numeric(name: str) -> bool:
    return name in NUMERIC or name.endswith(("SEQ", "DY"))


@dataclass
class Tables:
    """Rows per domain while a trial is simulated (then ``frames``).

    ``extra`` adds trial-specific variables after a domain's columns (AEREL1, AEREL2, …).
    """

    studyid: str
    start: date
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rows: dict[str, list[dict[str, object]]] = field(
        default_factory=lambda: {domain: [] for domain in COLUMNS}
    )

    def __post_init__(self) -> None:
        self.columns = {d: COLUMNS[d] + self.extra.get(d, ()) for d in COLUMNS}

    def put(self, domain: str, **values: object) -> None:
        """Add one row; variables not given are missing (names are checked at assembly)."""
        self.rows[domain].append(values)

    def frames(self, first_dose: dict[str, int]) -> dict[str, pd.DataFrame]:
        """Domain frames: dates as ISO text, study days derived, rows in key order."""
        origin = np.datetime64(self.start.isoformat(), "D")
        out: dict[str, pd.DataFrame] = {}
        for domain, columns in self.columns.items():
            rows = self.rows[domain]
            if not rows:
                continue
            known = set(columns)
            # A variable the domain does not write may be given as None (the catalogue's record
            # builders name every variable of a record; docs/sdtm.md lists what is written).
            unknown = {
                name for row in rows[:1000] for name, value in row.items() if value is not None
            } - known
            if unknown:
                raise KeyError(f"{domain} has no variable(s) {sorted(unknown)}")
            table0 = pd.DataFrame.from_records(rows, columns=list(columns))
            data = {name: table0[name].tolist() for name in columns}
            subjects = np.array(data["USUBJID"], dtype=object)
            reference = np.array(
                [first_dose.get(s, np.nan) for s in subjects.tolist()], dtype=np.float64
            )
            days: dict[str, npt.NDArray[np.float64]] = {}
            for name in columns:
                # Date variables hold study days; one given as text (BRTHDTC, a year) stays text.
                if name.endswith("DTC") and not any(isinstance(v, str) for v in data[name]):
                    values = np.array(
                        [np.nan if v is None else v for v in data[name]], dtype=np.float64
                    )
                    days[name] = values
            frame: dict[str, object] = {"STUDYID": self.studyid, "DOMAIN": domain}
            for name in columns:
                if name in days:
                    frame[name] = _iso(days[name], origin)
                elif name.endswith("DY") and _day_source(name) in days:
                    frame[name] = _study_day(days[_day_source(name)], reference)
                elif _is_numeric(name):
                    frame[name] = np.array(
                        [np.nan if v is None else v for v in data[name]], dtype=np.float64
                    )
                else:
                    frame[name] = pd.Series(data[name], dtype=object)
            table = pd.DataFrame(frame)
            seq = f"{domain}SEQ"
            if seq in table.columns:
                table[seq] = table.groupby("USUBJID", sort=False).cumcount() + 1.0
            table = table.sort_values(
                ["USUBJID", seq] if seq in table.columns else ["USUBJID"], kind="stable"
            ).reset_index(drop=True)
            out[domain] = table
        return out


def _day_source(name: str) -> str:
    """--DY ← --DTC, --STDY ← --STDTC, --ENDY ← --ENDTC (DMDY ← DMDTC)."""
    return name[:-2] + "DTC"


def _iso(days: npt.NDArray[np.float64], origin: np.datetime64) -> pd.Series:
    text = np.full(len(days), None, dtype=object)
    present = ~np.isnan(days)
    if present.any():
        dates = origin + days[present].astype(np.int64).astype("timedelta64[D]")
        text[present] = np.datetime_as_string(dates, unit="D").astype(object)
    return pd.Series(text, dtype=object)


def _study_day(
    days: npt.NDArray[np.float64], reference: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """SDTMIG study day: date − reference + 1 from the first dose on, date − reference before."""
    delta = days - reference
    return np.where(delta >= 0, delta + 1, delta)
