"""The SDTM variables oncotrial writes: order, labels, types, and their canonical text form.

One table per domain (docs/sdtm.md describes each). The table gives the column order of data
oncotrial creates, the Dataset-JSON ``label`` and ``dataType`` of each variable, and which variables
are numeric (SDTM ``Num``). Variables not listed (a file's own extra columns) are character unless
their name ends in a numeric suffix (``--SEQ``, ``--STRESN``, ``--DY`` …).

Exchange frames are text: every value a ``str`` or ``None``. ``to_text_frame`` converts any frame
to that form, writing numbers canonically: an integral value without a decimal point (``21``), any
other as the shortest text that reads back to the same double (``33.6128``) — what R's
``write.csv`` writes for the pharmaverse data, so that those files round-trip unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DOMAIN_VARIABLES",
    "ISO_8601",
    "NUMERIC_SUFFIXES",
    "Variable",
    "format_number",
    "is_numeric_variable",
    "numbers_as_text",
    "order_columns",
    "sort_records",
    "to_text_frame",
    "variable_label",
]


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    numeric: bool = False


# ISO 8601 date/datetime as SDTM --DTC allows it: complete or partial date, optional time.
ISO_8601 = re.compile(
    r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d(\.\d+)?)?)?)?)?)?$"
)

NUMERIC_SUFFIXES = ("SEQ", "STRESN", "DY", "STNRLO", "STNRHI", "DOSE", "LLTCD", "PTCD", "VISITNUM")
_NUMERIC_NAMES = {"AGE", "VISITNUM", "TAETORD", "DMDY"}

_COMMON = {
    "STUDYID": "Study Identifier",
    "DOMAIN": "Domain Abbreviation",
    "USUBJID": "Unique Subject Identifier",
    "VISIT": "Visit Name",
    "VISITNUM": "Visit Number",
    "EPOCH": "Epoch",
    "SPDEVID": "Sponsor Device Identifier",
}


def _spec(domain: str, rows: str) -> tuple[Variable, ...]:
    """Parse 'NAME|Label|N' lines ('--' stands for the domain prefix; N marks numeric)."""
    variables = [Variable("STUDYID", _COMMON["STUDYID"]), Variable("DOMAIN", _COMMON["DOMAIN"])]
    variables.append(Variable("USUBJID", _COMMON["USUBJID"]))
    for line in rows.strip().splitlines():
        parts = [p.strip() for p in line.split("|")]
        name = parts[0].replace("--", domain)
        label = parts[1] if len(parts) > 1 and parts[1] else _COMMON.get(name, name)
        numeric = len(parts) > 2 and parts[2] == "N"
        variables.append(Variable(name, label, numeric))
    return tuple(variables)


DOMAIN_VARIABLES: dict[str, tuple[Variable, ...]] = {
    "DM": _spec(
        "DM",
        """
        SUBJID|Subject Identifier for the Study
        RFSTDTC|Subject Reference Start Date/Time
        RFENDTC|Subject Reference End Date/Time
        RFXSTDTC|Date/Time of First Study Treatment
        RFXENDTC|Date/Time of Last Study Treatment
        RFICDTC|Date/Time of Informed Consent
        RFPENDTC|Date/Time of End of Participation
        DTHDTC|Date/Time of Death
        DTHFL|Subject Death Flag
        SITEID|Study Site Identifier
        BRTHDTC|Date/Time of Birth
        AGE|Age|N
        AGEU|Age Units
        SEX|Sex
        RACE|Race
        ETHNIC|Ethnicity
        ARMCD|Planned Arm Code
        ARM|Description of Planned Arm
        ACTARMCD|Actual Arm Code
        ACTARM|Description of Actual Arm
        ARMNRS|Reason Arm and/or Actual Arm is Null
        ACTARMUD|Description of Unplanned Actual Arm
        COUNTRY|Country
        DMDTC|Date/Time of Collection
        DMDY|Study Day of Collection|N
        """,
    ),
    "DS": _spec(
        "DS",
        """
        --SEQ|Sequence Number|N
        --TERM|Reported Term for the Disposition Event
        --DECOD|Standardized Disposition Term
        --CAT|Category for Disposition Event
        --SCAT|Subcategory for Disposition Event
        EPOCH
        VISIT
        VISITNUM||N
        --STDTC|Start Date/Time of Disposition Event
        --STDY|Study Day of Start of Disposition Event|N
        STRATUM|Randomization Stratum
        """,
    ),
    "IE": _spec(
        "IE",
        """
        --SEQ|Sequence Number|N
        --TESTCD|Inclusion/Exclusion Criterion Short Name
        --TEST|Inclusion/Exclusion Criterion
        --CAT|Inclusion/Exclusion Category
        --ORRES|I/E Criterion Original Result
        --STRESC|I/E Criterion Result in Std Format
        VISIT
        VISITNUM||N
        --DTC|Date/Time of Collection
        """,
    ),
    "TU": _spec(
        "TU",
        """
        --SEQ|Sequence Number|N
        --LNKID|Link ID
        --TESTCD|Tumor/Lesion ID Short Name
        --TEST|Tumor/Lesion ID Test Name
        --ORRES|Tumor/Lesion ID Result
        --STRESC|Tumor/Lesion ID Result Std. Format
        --LOC|Location of the Tumor/Lesion
        --LOCDTL|Location Detail
        --LAT|Laterality
        --METHOD|Method of Identification
        --EVAL|Evaluator
        --EVALID|Evaluator Identifier
        --ACPTFL|Accepted Record Flag
        VISIT
        VISITNUM||N
        --DTC|Date/Time of Tumor/Lesion Identification
        --DY|Study Day of Tumor/Lesion Identification|N
        """,
    ),
    "TR": _spec(
        "TR",
        """
        --SEQ|Sequence Number|N
        --GRPID|Group ID
        --LNKID|Link ID
        --TESTCD|Tumor/Lesion Assessment Short Name
        --TEST|Tumor/Lesion Assessment Test Name
        --ORRES|Result or Finding in Original Units
        --ORRESU|Original Units
        --STRESC|Character Result/Finding in Std Format
        --STRESN|Numeric Result/Finding in Standard Units|N
        --STRESU|Standard Units
        --STAT|Completion Status
        --REASND|Reason Not Done
        --METHOD|Method Used to Identify the Tumor/Lesion
        --EVAL|Evaluator
        --EVALID|Evaluator Identifier
        --ACPTFL|Accepted Record Flag
        VISIT
        VISITNUM||N
        --DTC|Date/Time of Tumor/Lesion Measurement
        --DY|Study Day of Tumor/Lesion Measurement|N
        """,
    ),
    "RS": _spec(
        "RS",
        """
        --SEQ|Sequence Number|N
        --LNKGRP|Link Group ID
        --TESTCD|Assessment Short Name
        --TEST|Assessment Name
        --CAT|Category for Assessment
        --ORRES|Result or Finding in Original Units
        --STRESC|Character Result/Finding in Std Format
        --STAT|Completion Status
        --REASND|Reason Not Done
        --EVAL|Evaluator
        --EVALID|Evaluator Identifier
        --ACPTFL|Accepted Record Flag
        VISIT
        VISITNUM||N
        --DTC|Date/Time of Assessment
        --DY|Study Day of Assessment|N
        """,
    ),
    "EX": _spec(
        "EX",
        """
        --SEQ|Sequence Number|N
        --TRT|Name of Treatment
        --CAT|Category of Treatment
        --DOSE|Dose|N
        --DOSU|Dose Units
        --DOSFRM|Dose Form
        --DOSFRQ|Dosing Frequency per Interval
        --ROUTE|Route of Administration
        --ADJ|Reason for Dose Adjustment
        EPOCH
        VISIT
        VISITNUM||N
        --STDTC|Start Date/Time of Treatment
        --ENDTC|End Date/Time of Treatment
        --STDY|Study Day of Start of Treatment|N
        --ENDY|Study Day of End of Treatment|N
        """,
    ),
    "PR": _spec(
        "PR",
        """
        --SEQ|Sequence Number|N
        --TRT|Reported Name of Procedure
        --CAT|Category
        --DOSE|Dose|N
        --DOSU|Dose Units
        --LOC|Location of Procedure
        --LAT|Laterality
        --LNKID|Link ID
        EPOCH
        VISIT
        VISITNUM||N
        --STDTC|Start Date/Time of Procedure
        --ENDTC|End Date/Time of Procedure
        --STDY|Study Day of Start of Procedure|N
        """,
    ),
    "AE": _spec(
        "AE",
        """
        --SEQ|Sequence Number|N
        --TERM|Reported Term for the Adverse Event
        --LLT|Lowest Level Term
        --LLTCD|Lowest Level Term Code|N
        --DECOD|Dictionary-Derived Term
        --BODSYS|Body System or Organ Class
        --TOXGR|Standard Toxicity Grade
        --SER|Serious Event
        --REL|Causality
        --ACN|Action Taken with Study Treatment
        --ACNOTH|Other Action Taken
        --OUT|Outcome of Adverse Event
        EPOCH
        --STDTC|Start Date/Time of Adverse Event
        --ENDTC|End Date/Time of Adverse Event
        --STDY|Study Day of Start of Adverse Event|N
        --ENDY|Study Day of End of Adverse Event|N
        """,
    ),
    "LB": _spec(
        "LB",
        """
        --SEQ|Sequence Number|N
        --TESTCD|Lab Test or Examination Short Name
        --TEST|Lab Test or Examination Name
        --CAT|Category for Lab Test
        --LOINC|LOINC Code
        --ORRES|Result or Finding in Original Units
        --ORRESU|Original Units
        --ORNRLO|Reference Range Lower Limit in Orig Unit
        --ORNRHI|Reference Range Upper Limit in Orig Unit
        --STRESC|Character Result/Finding in Std Format
        --STRESN|Numeric Result/Finding in Standard Units|N
        --STRESU|Standard Units
        --STNRLO|Reference Range Lower Limit-Std Units|N
        --STNRHI|Reference Range Upper Limit-Std Units|N
        --NRIND|Reference Range Indicator
        --SPEC|Specimen Type
        --BLFL|Baseline Flag
        VISIT
        VISITNUM||N
        --DTC|Date/Time of Specimen Collection
        --DY|Study Day of Specimen Collection|N
        """,
    ),
    "CM": _spec(
        "CM",
        """
        --SEQ|Sequence Number|N
        --TRT|Reported Name of Drug, Med, or Therapy
        --CAT|Category for Medication
        --INDC|Indication
        --STDTC|Start Date/Time of Medication
        --ENDTC|End Date/Time of Medication
        --STDY|Study Day of Start of Medication|N
        """,
    ),
}


def _findings(domain: str, extra: str = "") -> tuple[Variable, ...]:
    return _spec(
        domain,
        f"""
        --SEQ|Sequence Number|N
        --TESTCD|Test Short Name
        --TEST|Test Name
        --CAT|Category
        --SCAT|Subcategory
        --ORRES|Result or Finding in Original Units
        --ORRESU|Original Units
        --STRESC|Character Result/Finding in Std Format
        --STRESN|Numeric Result/Finding in Standard Units|N
        --STRESU|Standard Units
        --STAT|Completion Status
        --REASND|Reason Not Done
        --METHOD|Method of Test or Examination
        --SPEC|Specimen Type
        --LOC|Location
        {extra}
        --BLFL|Baseline Flag
        VISIT
        VISITNUM||N
        --DTC|Date/Time of Collection
        --DY|Study Day of Collection|N
        """.replace("        \n", ""),
    )


DOMAIN_VARIABLES["QS"] = _findings("QS")
DOMAIN_VARIABLES["VS"] = _findings("VS")
DOMAIN_VARIABLES["SC"] = _findings("SC")
DOMAIN_VARIABLES["GF"] = _findings("GF")
DOMAIN_VARIABLES["MI"] = _findings("MI", "SPDEVID|Sponsor Device Identifier")

_LABELS: dict[tuple[str, str], str] = {
    (domain, v.name): v.label for domain, variables in DOMAIN_VARIABLES.items() for v in variables
}
_NUMERIC: set[tuple[str, str]] = {
    (domain, v.name)
    for domain, variables in DOMAIN_VARIABLES.items()
    for v in variables
    if v.numeric
}


def variable_label(domain: str, name: str) -> str:
    return _LABELS.get((domain, name)) or _COMMON.get(name) or name


def is_numeric_variable(domain: str, name: str) -> bool:
    """Whether ``name`` is an SDTM ``Num`` variable (declared, or by its numeric suffix)."""
    if (domain, name) in _NUMERIC or name in _NUMERIC_NAMES:
        return True
    if domain in DOMAIN_VARIABLES and name.startswith(domain):
        return name[len(domain) :] in NUMERIC_SUFFIXES
    return False


def format_number(value: Any) -> str | None:
    """The canonical text of a number: ``21`` for 21.0, shortest round-trip text otherwise."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _canonical_text(value: Any) -> str | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | float):
        return format_number(value)
    if hasattr(value, "isoformat"):  # date, datetime, Timestamp
        if pd.isna(value):
            return None
        text = str(value.isoformat())
        return text[:10] if text.endswith("T00:00:00") else text
    text = str(value)
    return None if text == "" else text


def numbers_as_text(values: Any) -> list[str | None]:
    """Canonical text of a float array, vectorised for the integral values (the common case)."""
    array = np.asarray(values, dtype=np.float64)
    out = np.full(len(array), None, dtype=object)
    finite = np.isfinite(array)
    integral = finite & (np.floor(array) == array) & (np.abs(array) < 1e15)
    if integral.any():
        out[integral] = array[integral].astype(np.int64).astype(str).astype(object)
    rest = finite & ~integral
    if rest.any():
        out[rest] = [repr(float(v)) for v in array[rest]]
    return out.tolist()


def to_text_frame(frame: pd.DataFrame, domain: str | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with every value canonical text or None (see the module docstring).

    Text in a numeric variable is kept as written (a reader's text is already canonical or is the
    user's own spelling, which an import checks).
    """
    out = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype):
            values: list[Any] = [_canonical_text(v) for v in series.tolist()]
        elif pd.api.types.is_numeric_dtype(series.dtype):
            values = numbers_as_text(series.to_numpy(dtype=np.float64, na_value=np.nan))
        else:
            kind = pd.api.types.infer_dtype(series, skipna=True)
            if kind in ("string", "empty"):
                present = series.notna().to_numpy()
                array = series.to_numpy(dtype=object)
                # numpy's stubs take no bare None as np.where's value; the result is the same.
                array = np.where(present, array, np.array(None, dtype=object))
                values = (
                    [None if v == "" else v for v in array.tolist()]
                    if (array == "").any()
                    else array.tolist()
                )
            else:
                values = [_canonical_text(v) for v in series.tolist()]
        out[name] = pd.Series(values, index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index, columns=list(frame.columns))


def order_columns(domain: str, columns: Iterable[str]) -> list[str]:
    """``columns`` in the domain's canonical order; unknown ones after, in their own order."""
    names = list(dict.fromkeys(columns))
    known = [v.name for v in DOMAIN_VARIABLES.get(domain, ())]
    rank = {name: i for i, name in enumerate(known)}
    listed = sorted((n for n in names if n in rank), key=rank.__getitem__)
    return listed + [n for n in names if n not in rank]


def sort_records(frame: pd.DataFrame, domain: str) -> pd.DataFrame:
    """Rows in SDTM key order: USUBJID, then --SEQ (numerically); stable otherwise."""
    keys: list[str] = []
    work = frame
    if "USUBJID" in frame.columns:
        keys.append("USUBJID")
    seq = f"{domain}SEQ"
    if seq in frame.columns:
        work = frame.assign(__seq=pd.to_numeric(frame[seq], errors="coerce"))
        keys.append("__seq")
    if not keys:
        return frame.reset_index(drop=True)
    work = work.sort_values(keys, kind="stable", na_position="last")
    return work.drop(columns=[c for c in ("__seq",) if c in work.columns]).reset_index(drop=True)


def domain_of(columns: Mapping[str, Any] | Iterable[str]) -> str | None:
    """The domain a set of columns belongs to, from the prefix of its --SEQ variable."""
    for name in columns:
        if isinstance(name, str) and name.endswith("SEQ") and len(name) == 5:
            return name[:2]
    return None
