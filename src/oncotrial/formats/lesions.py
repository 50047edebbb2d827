"""Reading tumour assessments into the response engine's input frames.

Three sources, one target shape (:mod:`oncotrial.response.frames`):

**The long lesion CSV** (for users without SDTM): one row per lesion per assessment. Headers are
case-insensitive; aliases in brackets.

============== ======== ===================================================================
column         required meaning
============== ======== ===================================================================
subject        yes      subject id (USUBJID) as in the subject file [usubjid]
date           yes      assessment date, ISO 8601 YYYY-MM-DD [dtc, assessment_date]
lesion_id      yes      the lesion's id, the same at every assessment [lesion]
role           yes      TARGET, NON-TARGET or NEW
organ                   organ or site (used for the 2-per-organ check) [location]
is_node                 Y for a lymph node (its short axis is the RECIST measure) [node]
diameter_mm             diameter in mm: the short axis for a node, the longest diameter
                        otherwise (mRECIST: the viable, enhancing diameter) [diameter]
axis                    LONG or SHORT, when the diameter is not the RECIST measure for the
                        lesion (a node given its longest diameter is then reported)
status                  PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION, INCREASED, EQUIVOCAL, NOT
                        EVALUABLE, TOO SMALL TO MEASURE (non-target state, new-lesion
                        certainty, or a target too small to measure) [state]
assessor                who read the images, when several did [evaluator]
accepted                Y on the read that counts when several assessors read
visit                   visit label, carried to the output [avisit]
============== ======== ===================================================================

**SDTM TU + TR** (``tu.csv``/``tr.csv`` or Dataset-JSON in an SDTM folder): TU identifies each
lesion (``TULNKID``, ``TUSTRESC`` TARGET / NON-TARGET / NEW, ``TULOC``; a location naming a
lymph node makes it nodal); TR holds the measurements (``TRTESTCD`` LDIAM = longest diameter,
LPERP or SAXIS = short axis, TUMSTATE = lesion state; ``TRSTRESN``/``TRSTRESC``, ``TRDTC``,
``TREVAL``/``TREVALID``/``TRACPTFL`` for the assessor). A new lesion recorded in TU only is dated
by ``TUDTC`` or the TR date of the same visit. Records are not merged silently: a lesion measured
twice on one date reaches the engine twice and is reported there.

**SDTM RS** (``rs.csv``): the timepoint responses (``RSTESTCD = OVRLRESP``, ``RSSTRESC``,
``RSDTC``, ``RSEVAL``/``RSEVALID``/``RSACPTFL``); when ``RSCAT`` names criteria, the records of
the chosen criteria are used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from oncotrial.catalogue import tumour
from oncotrial.errors import RuleError, SchemaError
from oncotrial.formats.sdtm import find_domain_file, read_domain, read_sdtm_folder, read_table_csv
from oncotrial.response.assessor import select_assessor
from oncotrial.response.codes import NT_STATUS_WORDS, normalise_word
from oncotrial.response.frames import LDIAM, OVRLRESP, SAXIS
from oncotrial.response.settings import ResponseCriteria

# A missing value for np.where (numpy's stubs take no bare None there; the result is the same).
_NONE = np.array(None, dtype=object)

__all__ = [
    "LONG_COLUMNS",
    "has_lesion_domains",
    "measurable_from_tu",
    "measurable_from_tu_frame",
    "read_lesion_csv",
    "read_sdtm_lesions",
    "read_sdtm_responses",
    "sdtm_lesions",
    "sdtm_responses",
]

#: Long CSV column -> accepted header spellings (lower case).
LONG_COLUMNS: Final = {
    "subject": ("subject", "usubjid", "subject_id"),
    "date": ("date", "dtc", "assessment_date"),
    "lesion_id": ("lesion_id", "lesion", "lesionid"),
    "role": ("role",),
    "organ": ("organ", "location", "site"),
    "is_node": ("is_node", "node"),
    "diameter_mm": ("diameter_mm", "diameter"),
    "axis": ("axis",),
    "status": ("status", "state"),
    "assessor": ("assessor", "evaluator"),
    "accepted": ("accepted",),
    "visit": ("visit", "avisit"),
    "study": ("study", "studyid"),
}
_REQUIRED_LONG = ("subject", "date", "lesion_id", "role")

_CRITERIA_CATEGORIES = {
    ResponseCriteria.RECIST_1_1: {"RECIST 1.1", "RECIST V1.1", "RECIST1.1", "RECIST"},
    ResponseCriteria.IRECIST: {"IRECIST"},
    ResponseCriteria.MRECIST: {"MRECIST"},
}


def _long_name(columns: pd.Index) -> dict[str, str]:
    lower = {str(c).strip().lower(): str(c) for c in columns}
    found: dict[str, str] = {}
    for canonical, spellings in LONG_COLUMNS.items():
        for spelling in spellings:
            if spelling in lower:
                found[canonical] = lower[spelling]
                break
    return found


def read_lesion_csv(path: Path) -> pd.DataFrame:
    """Read the long lesion CSV into the engine's lesion frame."""
    # Categorical columns: each distinct text is parsed once (millions of rows, few values).
    raw = read_table_csv(path, categorical=True)
    names = _long_name(raw.columns)
    missing = [name for name in _REQUIRED_LONG if name not in names]
    if missing:
        raise SchemaError(
            f"missing column(s) {', '.join(missing)}; the file has {', '.join(raw.columns)}",
            file=str(path),
            field=missing[0],
            hint="The long lesion CSV needs subject, date, lesion_id and role columns "
            "(see docs/response.md).",
        )

    def col(name: str) -> pd.Series | None:
        return raw[names[name]] if name in names else None

    out = pd.DataFrame(
        {
            "USUBJID": col("subject"),
            "DTC": col("date"),
            "LESION_ID": col("lesion_id"),
            "ROLE": col("role"),
        }
    )
    for canonical, target in (
        ("organ", "ORGAN"),
        ("is_node", "IS_NODE"),
        ("status", "STATUS"),
        ("assessor", "EVAL"),
        ("accepted", "ACPTFL"),
        ("visit", "VISIT"),
        ("study", "STUDYID"),
    ):
        if canonical in names:
            out[target] = raw[names[canonical]]
    # The diameter is, by the format's definition, the RECIST measure of the lesion (short axis
    # for nodes, longest diameter otherwise) unless the axis column says which one it is.
    if "diameter_mm" in names:
        out["DIAMETER"] = raw[names["diameter_mm"]]
    if "axis" in names:
        out["AXIS"] = raw[names["axis"]]
    out["SOURCE"] = path.name
    out["RECORD"] = np.arange(2, len(raw) + 2)  # line numbers (the header is line 1)
    return out


def has_lesion_domains(folder: Path) -> bool:
    """Whether an SDTM folder holds TR (lesion measurements)."""
    return find_domain_file(folder, "TR") is not None


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column].astype(object)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _key_text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str).str.strip()


def _status_word(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return NT_STATUS_WORDS.get(normalise_word(str(value)))


def read_sdtm_lesions(folder: Path) -> pd.DataFrame:
    """TU and TR of an SDTM folder as the engine's lesion frame (one row per lesion/date/read)."""
    frames = read_sdtm_folder(folder, ["TU", "TR"])
    tr_file = find_domain_file(folder, "TR")
    tu_file = find_domain_file(folder, "TU")
    return sdtm_lesions(
        frames["TU"],
        frames["TR"],
        tu_name=tu_file.name if tu_file else "tu",
        tr_name=tr_file.name if tr_file else "tr",
        folder=folder,
    )


def sdtm_lesions(
    tu: pd.DataFrame,
    tr: pd.DataFrame,
    *,
    tu_name: str = "tu",
    tr_name: str = "tr",
    folder: Path | None = None,
) -> pd.DataFrame:
    """SDTM TU and TR frames (already in memory, e.g. exported from the database) as the
    engine's lesion frame; ``tu_name``/``tr_name`` name them in the SOURCE column and messages."""
    _check_columns(tu, tr, tu_name, tr_name, folder)

    # --- TR: one row per lesion, date and read; the n-th LDIAM pairs with the n-th LPERP ----
    test = _key_text(tr["TRTESTCD"]).str.upper()
    kind = test.map(
        {
            tumour.LONGEST_DIAMETER.testcd: LDIAM,
            tumour.SHORT_AXIS.testcd: SAXIS,
            tumour.SHORT_AXIS_ALIAS: SAXIS,
            tumour.TUMOUR_STATE.testcd: "STATUS",
        }
    )
    tr = tr.loc[kind.notna()].copy()
    tr["_KIND"] = kind[kind.notna()]
    value = _text(tr, "TRSTRESN")
    for fallback_name in ("TRSTRESC", "TRORRES"):
        value = value.where(value.notna(), _text(tr, fallback_name))
    is_diameter = tr["_KIND"] != "STATUS"
    word = value.map(_status_word)
    # A diameter test answered with a state ("TOO SMALL TO MEASURE", "NOT EVALUABLE") is a state.
    tr["_VALUE"] = value.where(~(is_diameter & word.notna()), None)
    tr["_STATEWORD"] = value.where(is_diameter & word.notna(), None)
    keys = ["USUBJID", "TRLNKID", "_EVAL", "_EVALID", "TRDTC"]
    for column in keys[:2]:
        tr[column] = _key_text(tr[column])
    tr["_EVAL"] = _key_text(_text(tr, "TREVAL"))
    tr["_EVALID"] = _key_text(_text(tr, "TREVALID"))
    tr["TRDTC"] = _key_text(tr["TRDTC"])
    for column in ("STUDYID", "TRGRPID", "TRACPTFL", "VISIT", "VISITNUM", "TRSEQ"):
        if column not in tr.columns:
            tr[column] = None
    tr["_OCC"] = tr.groupby([*keys, "_KIND"]).cumcount()
    seq = _text(tr, "TRSEQ")
    tr["_RECORD"] = np.where(
        seq.notna(), "TRSEQ " + seq.astype(str), "row " + (tr.index + 1).astype(str)
    )
    values = tr.groupby([*keys, "_OCC", "_KIND"])["_VALUE"].first().unstack("_KIND")
    for kind_name in (LDIAM, SAXIS, "STATUS"):
        if kind_name not in values.columns:
            values[kind_name] = None
    values = values[[LDIAM, SAXIS, "STATUS"]].astype(object)
    # A lesion with a second LDIAM but one LPERP: the other tests repeat, so that identical
    # repeats merge and different ones reach the engine as a conflict.
    values = values.groupby(level=keys).ffill()
    firsts = tr.groupby([*keys, "_OCC"]).agg(
        STUDYID=("STUDYID", "first"),
        TRGRPID=("TRGRPID", "first"),
        ACPTFL=("TRACPTFL", "first"),
        VISIT=("VISIT", "first"),
        VISITNUM=("VISITNUM", "first"),
        STATEWORD=("_STATEWORD", "first"),
        RECORD=("_RECORD", "first"),
    )
    wide = values.join(firsts).reset_index()
    for column in ("USUBJID", "TRLNKID", "TRDTC"):
        wide[column] = wide[column].replace("", None)
    wide["STATUS"] = wide["STATUS"].where(wide["STATUS"].notna(), wide["STATEWORD"])

    # --- TU: role, location, node flag of each lesion, per read and overall ---------------
    tu = _tu_roles(tu)
    tu_cols = ["_ROLE", "_LOC", "_NODE", "_NEWSTATE"]
    tu_read = tu[["USUBJID", "TULNKID", "_EVAL", "_EVALID", *tu_cols]].drop_duplicates()
    tu_any = tu[["USUBJID", "TULNKID", *tu_cols]].drop_duplicates()
    wide = wide.merge(
        tu_read.rename(columns={"TULNKID": "TRLNKID"}),
        on=["USUBJID", "TRLNKID", "_EVAL", "_EVALID"],
        how="left",
    )
    unmatched = wide["_ROLE"].isna()
    if unmatched.any():
        fallback = (
            wide.loc[unmatched]
            .drop(columns=tu_cols)
            .merge(
                tu_any.rename(columns={"TULNKID": "TRLNKID"}), on=["USUBJID", "TRLNKID"], how="left"
            )
        )
        wide = pd.concat([wide.loc[~unmatched], fallback], ignore_index=True)
    role = wide["_ROLE"].where(wide["_ROLE"].notna(), wide["TRGRPID"])
    status = wide["STATUS"].where(wide["STATUS"].notna(), wide["_NEWSTATE"])
    out = pd.DataFrame(
        {
            "STUDYID": wide["STUDYID"],
            "USUBJID": wide["USUBJID"],
            "DTC": wide["TRDTC"],
            "LESION_ID": wide["TRLNKID"],
            "ROLE": role,
            "ORGAN": wide["_LOC"],
            "IS_NODE": wide["_NODE"].where(wide["_NODE"].notna(), "N"),
            LDIAM: wide[LDIAM],
            SAXIS: wide[SAXIS],
            "STATUS": status,
            "EVAL": wide["_EVAL"].replace("", None),
            "EVALID": wide["_EVALID"].replace("", None),
            "ACPTFL": wide["ACPTFL"],
            "VISIT": wide["VISIT"],
            "SOURCE": tr_name,
            "RECORD": wide["RECORD"],
        }
    )
    return pd.concat([out, _tu_only_new(tu, tr, out, tu_name)], ignore_index=True)


def _check_columns(
    tu: pd.DataFrame, tr: pd.DataFrame, tu_name: str, tr_name: str, folder: Path | None
) -> None:
    for frame, name, needed in (
        (tu, tu_name, ("USUBJID", "TULNKID")),
        (tr, tr_name, ("USUBJID", "TRLNKID", "TRTESTCD", "TRDTC")),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise SchemaError(
                f"missing column(s) {', '.join(missing)}",
                file=str(folder / name) if folder is not None else name,
                field=missing[0],
                hint="TU needs USUBJID and TULNKID; TR needs USUBJID, TRLNKID, TRTESTCD, TRDTC.",
            )


def _tu_roles(tu: pd.DataFrame) -> pd.DataFrame:
    """A copy of TU with each lesion's role, new-lesion state, location and node flag."""
    tu = tu.copy()
    tu["_EVAL"] = _key_text(_text(tu, "TUEVAL"))
    tu["_EVALID"] = _key_text(_text(tu, "TUEVALID"))
    role_text = _text(tu, "TUSTRESC")
    role_text = role_text.where(role_text.notna(), _text(tu, "TUORRES"))
    role_norm = role_text.map(lambda v: normalise_word(str(v)) if v is not None else "")
    tu["_ROLE"] = role_norm.where(~role_norm.str.contains("NEW"), "NEW")
    tu["_NEWSTATE"] = np.where(
        role_norm.str.contains("NEW") & role_norm.str.contains("EQUIVOCAL"), "EQUIVOCAL", _NONE
    )
    tu["_LOC"] = _text(tu, "TULOC")
    tu["_NODE"] = np.where(_key_text(tu["_LOC"]).str.upper().str.contains("NODE"), "Y", "N").astype(
        object
    )
    return tu


def _tu_only_new(
    tu: pd.DataFrame, tr: pd.DataFrame, measured: pd.DataFrame, tu_name: str
) -> pd.DataFrame:
    """New lesions identified in TU without any TR record, dated by TUDTC or the visit's TR date."""
    new = tu.loc[tu["_ROLE"] == "NEW"]
    if new.empty:
        return pd.DataFrame(columns=measured.columns)
    have = measured.assign(
        _EVAL=_key_text(measured["EVAL"]), _EVALID=_key_text(measured["EVALID"])
    )[["USUBJID", "LESION_ID", "_EVAL", "_EVALID"]].drop_duplicates()
    new = new.merge(
        have.rename(columns={"LESION_ID": "TULNKID"}),
        on=["USUBJID", "TULNKID", "_EVAL", "_EVALID"],
        how="left",
        indicator=True,
    )
    new = new.loc[new["_merge"] == "left_only"].drop(columns="_merge")
    if new.empty:
        return pd.DataFrame(columns=measured.columns)
    date = _text(new, "TUDTC")
    if "VISITNUM" in new.columns and "VISITNUM" in tr.columns:
        visit_dates = (
            tr.assign(
                _EVAL=_key_text(_text(tr, "TREVAL")), _EVALID=_key_text(_text(tr, "TREVALID"))
            )
            .groupby(["USUBJID", "_EVAL", "_EVALID", "VISITNUM"], dropna=False)["TRDTC"]
            .first()
            .rename("_VDTC")
            .reset_index()
        )
        new = new.merge(visit_dates, on=["USUBJID", "_EVAL", "_EVALID", "VISITNUM"], how="left")
        date = _text(new, "TUDTC")
        date = date.where(date.notna(), new["_VDTC"])
    seq = _text(new, "TUSEQ")
    return pd.DataFrame(
        {
            "STUDYID": _text(new, "STUDYID"),
            "USUBJID": new["USUBJID"],
            "DTC": date,
            "LESION_ID": new["TULNKID"],
            "ROLE": "NEW",
            "ORGAN": new["_LOC"],
            "IS_NODE": new["_NODE"],
            LDIAM: None,
            SAXIS: None,
            "STATUS": new["_NEWSTATE"],
            "EVAL": new["_EVAL"].replace("", None),
            "EVALID": new["_EVALID"].replace("", None),
            "ACPTFL": _text(new, "TUACPTFL"),
            "VISIT": _text(new, "VISIT"),
            "SOURCE": tu_name,
            "RECORD": np.where(seq.notna(), "TUSEQ " + seq.astype(str), _NONE),
        }
    )


def read_sdtm_responses(folder: Path, *, criteria: ResponseCriteria) -> pd.DataFrame:
    """RS OVRLRESP records of an SDTM folder as the engine's timepoint frame."""
    rs = read_sdtm_folder(folder, ["RS"])["RS"]
    rs_file = find_domain_file(folder, "RS")
    return sdtm_responses(
        rs, criteria=criteria, name=rs_file.name if rs_file else "rs", folder=folder
    )


def sdtm_responses(
    rs: pd.DataFrame,
    *,
    criteria: ResponseCriteria,
    name: str = "rs",
    folder: Path | None = None,
) -> pd.DataFrame:
    """An SDTM RS frame's OVRLRESP records (in memory) as the engine's timepoint frame."""
    where = str(folder / name) if folder is not None else name
    missing = [c for c in ("USUBJID", "RSTESTCD", "RSDTC") if c not in rs.columns]
    if missing:
        raise SchemaError(
            f"missing column(s) {', '.join(missing)}",
            file=where,
            field=missing[0],
            hint="RS needs USUBJID, RSTESTCD, RSDTC and RSSTRESC (or RSORRES).",
        )
    overall = rs.loc[_key_text(rs["RSTESTCD"]).str.upper() == OVRLRESP]
    if overall.empty:
        raise SchemaError(
            "no overall response records (RSTESTCD = OVRLRESP)",
            file=where,
            field="RSTESTCD",
            hint="Give the timepoint responses as RSTESTCD OVRLRESP, or give TU/TR lesions.",
        )
    if "RSCAT" in overall.columns and overall["RSCAT"].notna().any():
        category = overall["RSCAT"].map(
            lambda v: normalise_word(str(v)) if isinstance(v, str) else ""
        )
        wanted = category.isin(_CRITERIA_CATEGORIES[criteria]) | (category == "")
        if not wanted.any():
            found = ", ".join(sorted(set(overall["RSCAT"].dropna().astype(str))))
            raise SchemaError(
                f"no {criteria.value} responses: RSCAT holds {found}",
                file=where,
                field="RSCAT",
                hint="Choose the criteria the data were assessed with (--criteria).",
            )
        overall = overall.loc[wanted]
    response = _text(overall, "RSSTRESC")
    response = response.where(response.notna(), _text(overall, "RSORRES"))
    seq = _text(overall, "RSSEQ")
    return pd.DataFrame(
        {
            "STUDYID": _text(overall, "STUDYID"),
            "USUBJID": overall["USUBJID"],
            "DTC": overall["RSDTC"],
            "RESPONSE": response,
            "EVAL": _text(overall, "RSEVAL"),
            "EVALID": _text(overall, "RSEVALID"),
            "ACPTFL": _text(overall, "RSACPTFL"),
            "VISIT": _text(overall, "VISIT"),
            "SEQ": seq,
            "SOURCE": name,
            "RECORD": np.where(
                seq.notna(), "RSSEQ " + seq.astype(str), "row " + (overall.index + 1).astype(str)
            ),
        }
    ).reset_index(drop=True)


def measurable_from_tu(folder: Path, evaluator: str | None) -> dict[str, bool] | None:
    """USUBJID -> has a TARGET lesion in TU (for MDIS), or None when TU is absent/ambiguous."""
    found = find_domain_file(folder, "TU")
    if found is None:
        return None
    return measurable_from_tu_frame(read_domain(found), evaluator)


def measurable_from_tu_frame(tu: pd.DataFrame, evaluator: str | None) -> dict[str, bool] | None:
    """As :func:`measurable_from_tu`, from a TU frame in memory."""
    if "USUBJID" not in tu.columns or "TUSTRESC" not in tu.columns:
        return None
    # Same assessor choice as the responses; an ambiguous TU simply gives no MDIS parameter.
    frame = pd.DataFrame(
        {
            "USUBJID": tu["USUBJID"],
            "EVAL": _text(tu, "TUEVAL"),
            "EVALID": _text(tu, "TUEVALID"),
            "ACPTFL": _text(tu, "TUACPTFL"),
            "ROLE": _key_text(tu["TUSTRESC"]).str.upper(),
        }
    )
    try:
        chosen = select_assessor(frame, evaluator, what="TU").frame
    except RuleError:
        return None
    targets = set(chosen.loc[chosen["ROLE"] == "TARGET", "USUBJID"].astype(str))
    return {str(s): s in targets for s in frame["USUBJID"].astype(str).unique()}
