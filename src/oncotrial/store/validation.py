"""Checks every incoming SDTM record before anything is written; returns every problem found.

An import is all-or-nothing: one bad row rejects the whole file set, and the report names each bad
row (file, row number, field, value, why). The checks that protect the data (issue 5):

- ``--SEQ`` a whole number, unique per subject in a domain, and (when adding) not already stored;
- numeric variables are numbers, ``--DTC`` variables ISO 8601, controlled terms as docs/sdtm.md;
- every record's subject is in DM (the file's or the database's);
- AE: the CTCAE v5.0 term exists (closest terms suggested) and the grade is 1–5 and defined for it;
- TR: the measured lesion is identified in TU, and not measured before its baseline (``TUDTC``);
- DS: one randomization (or enrollment) and one death per subject; no death before enrollment;
  DM ``DTHDTC`` agrees with the DS death record.

Row numbers count the header as row 1 for CSV and Excel (the first record is row 2), and records
from 1 for Dataset-JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from oncotrial.catalogue import subject
from oncotrial.catalogue.registry import IMPORT_TERMS, ControlledTerm
from oncotrial.catalogue.safety import AE_GRADE_RANGE, CTCAE_GRADES, grade_problem
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import DictionaryError, Problem, ValueProblem
from oncotrial.formats.sdtm_spec import ISO_8601, is_numeric_variable
from oncotrial.store.mapping import domain_columns, model_for
from oncotrial.store.source import Source

__all__ = [
    "CONTROLLED_TERMS",
    "NONE_KEY",
    "ControlledTerm",
    "Source",
    "lesion_index",
    "validate_frames",
]


#: The controlled terms the import enforces: the catalogue's (docs/catalogue.md).
CONTROLLED_TERMS: tuple[ControlledTerm, ...] = IMPORT_TERMS
_GRADES = CTCAE_GRADES.codes
_ALLOCATION = subject.ALLOCATION_TERMS
# Stands for a missing key value when matching records (pandas drops text after a NUL character).
NONE_KEY = "\u2400missing\u2400"
_NONE_KEY = NONE_KEY
_FULL_DATE = r"^\d{4}-\d{2}-\d{2}"


def _complete_date(series: pd.Series) -> pd.Series:
    """The YYYY-MM-DD part of complete ISO dates, None for partial or missing ones."""
    text = series.astype(object).where(series.notna(), None)
    ok = text.map(lambda v: isinstance(v, str) and len(v) >= 10 and v[4] == "-" and v[7] == "-")
    return text.where(ok, None).map(lambda v: v[:10] if isinstance(v, str) else None)


def _labels_by(index: pd.Index, keys: pd.Series) -> dict[Any, pd.Index]:
    """``index.groupby(keys)``: the labels of ``index`` per value of ``keys`` (pandas-stubs
    leaves ``Index.groupby`` out)."""
    return cast("dict[Any, pd.Index]", cast("Any", index).groupby(keys))


def lesion_index(lesions: pd.DataFrame, wanted: pd.DataFrame) -> np.ndarray:
    """For each row of ``wanted`` (USUBJID, LNKID, EVAL, EVALID) the matching row of ``lesions``.

    A TR record belongs to the TU lesion of the same subject, link id and assessor; when no lesion
    of that assessor exists, to the subject's only lesion with that link id. -1: none, -2:
    ambiguous.
    """
    key = ["USUBJID", "LNKID", "EVAL", "EVALID"]
    left = wanted[key].fillna(_NONE_KEY).reset_index(drop=True)
    right = lesions[key].fillna(_NONE_KEY).reset_index(drop=True)
    right = right.assign(__row=np.arange(len(right)))
    exact = right.groupby(key, sort=False)["__row"].agg(["first", "size"]).reset_index()
    merged = left.merge(exact, on=key, how="left")
    result = np.where(merged["size"].isna(), -1, np.where(merged["size"] > 1, -2, merged["first"]))
    result = result.astype(np.int64)
    missing = result == -1
    if missing.any():
        loose = right.groupby(["USUBJID", "LNKID"], sort=False)["__row"].agg(["first", "size"])
        loose = loose.reset_index()
        second = left[missing].merge(loose, on=["USUBJID", "LNKID"], how="left")
        fallback = np.where(
            second["size"].isna(), -1, np.where(second["size"] > 1, -2, second["first"])
        )
        result[missing] = fallback.astype(np.int64)
    return result


class _Checker:
    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame],
        existing: Mapping[str, pd.DataFrame],
        *,
        mode: str,
        sources: Mapping[str, Source],
        ctcae: Callable[[], CtcaeDictionary],
        studyid: str,
        modes: Mapping[str, str] | None = None,
    ) -> None:
        self.frames = frames
        self.existing = existing
        self.mode = mode
        self.modes = modes or {}
        self.sources = sources
        self.ctcae = ctcae
        self.studyid = studyid
        self.problems: list[Problem] = []

    def mode_of(self, domain: str) -> str:
        return self.modes.get(domain, self.mode)

    # -- reporting ---------------------------------------------------------------------------
    def _source(self, domain: str) -> Source:
        return self.sources.get(domain) or Source(f"{domain.lower()}.csv")

    def add(
        self,
        domain: str,
        rows: pd.Index | np.ndarray | list[Any],
        field: str | None,
        values: Any,
        message: str | list[str],
    ) -> None:
        source = self._source(domain)
        rows = list(rows)
        if not isinstance(values, list | tuple | np.ndarray | pd.Series):
            values = [values] * len(rows)
        values = list(values)
        messages = message if isinstance(message, list) else [message] * len(rows)
        for row, value, text in zip(rows, values, messages, strict=True):
            shown = (
                None
                if value is None or (isinstance(value, float) and math.isnan(value))
                else str(value)
            )
            self.problems.append(
                Problem(
                    message=text,
                    file=source.name,
                    record=f"row {source.row(int(row))}",
                    field=field,
                    value=shown,
                )
            )

    # -- checks --------------------------------------------------------------------------------
    def run(self) -> list[Problem]:
        for domain, frame in self.frames.items():
            self._structure(domain, frame)
        if self.problems:
            return self.problems  # without the key columns nothing else can be checked
        for domain, frame in self.frames.items():
            self._values(domain, frame)
            if model_for(domain) is not None:
                self._keys(domain, frame)
        self._subjects()
        if "AE" in self.frames:
            self._adverse_events(self.frames["AE"])
        if "TR" in self.frames:
            self._measurements(self.frames["TR"])
        self._disposition()
        return self.problems

    def _structure(self, domain: str, frame: pd.DataFrame) -> None:
        interpreted = model_for(domain) is not None
        required = ["USUBJID"] if interpreted else []
        if interpreted and domain != "DM":
            required.append(f"{domain}SEQ")
        for name in required:
            if name not in frame.columns:
                self.problems.append(
                    Problem(
                        f"the {domain} file has no {name} column "
                        f"(it has {', '.join(map(str, frame.columns))})",
                        file=self._source(domain).name,
                        field=name,
                    )
                )
        if "DOMAIN" in frame.columns:
            bad = frame.index[frame["DOMAIN"].notna() & (frame["DOMAIN"] != domain)]
            self.add(
                domain,
                bad,
                "DOMAIN",
                frame.loc[bad, "DOMAIN"].tolist(),
                f"DOMAIN must be {domain} in this file",
            )
        if "STUDYID" in frame.columns:
            bad = frame.index[frame["STUDYID"] != self.studyid]
            self.add(
                domain,
                bad,
                "STUDYID",
                frame.loc[bad, "STUDYID"].tolist(),
                f"every record must belong to study {self.studyid!r} (one trial per import)",
            )
        if "USUBJID" in frame.columns and interpreted:
            bad = frame.index[frame["USUBJID"].isna()]
            self.add(domain, bad, "USUBJID", None, "USUBJID is missing")

    def _values(self, domain: str, frame: pd.DataFrame) -> None:
        ints = {m.variable for m in domain_columns(domain) if m.kind == "int"}
        for name in frame.columns:
            column = frame[name]
            # Checked per distinct value: a million records hold a few thousand dates.
            distinct = [v for v in pd.unique(column.to_numpy(dtype=object)) if v is not None]
            if not distinct:
                continue
            if name.endswith("DTC"):
                bad_values = {v for v in distinct if not ISO_8601.match(v)}
                message = "not an ISO 8601 date (YYYY-MM-DD, YYYY-MM or YYYY, optional THH:MM)"
            elif is_numeric_variable(domain, name) or name in ints:
                bad_values = set()
                fractional = set()
                for value in distinct:
                    try:
                        number = float(value)
                    except ValueError:
                        bad_values.add(value)
                        continue
                    if not math.isfinite(number):
                        bad_values.add(value)
                    elif name in ints and not number.is_integer():
                        fractional.add(value)
                if fractional:
                    rows = column.index[column.isin(fractional)]
                    self.add(domain, rows, name, column[rows].tolist(), "must be a whole number")
                message = "not a number"
            else:
                continue
            if bad_values:
                rows = column.index[column.isin(bad_values)]
                self.add(domain, rows, name, column[rows].tolist(), message)
        for rule in CONTROLLED_TERMS:
            if rule.domain not in ("*", domain):
                continue
            name = rule.variable.replace("--", domain)
            if name not in frame.columns:
                continue
            column = frame[name]
            bad = column.index[column.notna() & ~column.isin(rule.allowed)]
            self.add(
                domain,
                bad,
                name,
                column[bad].tolist(),
                f"not an allowed value ({', '.join(sorted(rule.allowed))}; {rule.source})",
            )
        if domain == "AE" and "AETOXGR" in frame.columns:
            grade = frame["AETOXGR"]
            bad = grade.index[grade.notna() & ~grade.isin(_GRADES)]
            self.add(
                domain,
                bad,
                "AETOXGR",
                grade[bad].tolist(),
                f"the grade is outside CTCAE grades 1–5 ({AE_GRADE_RANGE.source})",
            )

    def _keys(self, domain: str, frame: pd.DataFrame) -> None:
        key = ["USUBJID"] if domain == "DM" else ["USUBJID", f"{domain}SEQ"]
        seq = frame[key].copy()
        if domain != "DM":
            seq[key[1]] = pd.to_numeric(seq[key[1]], errors="coerce")
        seq = seq.dropna()
        duplicated = seq.duplicated(keep="first")
        if duplicated.any():
            first_row = seq.reset_index().groupby(key)["index"].transform("first")
            first_row.index = seq.index
            bad = seq.index[duplicated]
            source = self._source(domain)
            what = "subject" if domain == "DM" else f"{key[1]}"
            self.add(
                domain,
                bad,
                key[-1],
                frame.loc[bad, key[-1]].tolist(),
                [
                    f"duplicates the {what} of row {source.row(int(first_row[i]))}; "
                    f"{'USUBJID' if domain == 'DM' else key[1]} identifies a record"
                    + (
                        ""
                        if domain == "DM"
                        else " (correct the file, or import it with --renumber-seq to number "
                        "the records afresh)"
                    )
                    for i in bad
                ],
            )
        mode = self.mode_of(domain)
        if mode == "update":
            return
        stored = self.existing.get(domain)
        if mode == "change":
            known = stored[key].copy() if stored is not None and not stored.empty else seq.iloc[:0]
            if domain != "DM" and len(known):
                known[key[1]] = pd.to_numeric(known[key[1]], errors="coerce")
            merged = seq.reset_index().merge(
                known.drop_duplicates(), on=key, how="left", indicator=True
            )
            rows = merged.loc[merged["_merge"] == "left_only", "index"].tolist()
            self.add(
                domain,
                rows,
                key[-1],
                frame.loc[rows, key[-1]].tolist(),
                "no such record in the database (register the subject first)",
            )
            return
        if stored is None or stored.empty:
            return
        stored_keys = stored[key].copy()
        if domain != "DM":
            stored_keys[key[1]] = pd.to_numeric(stored_keys[key[1]], errors="coerce")
        clash = seq.reset_index().merge(stored_keys.drop_duplicates(), on=key, how="inner")
        if len(clash):
            rows = clash["index"].tolist()
            self.add(
                domain,
                rows,
                key[-1],
                frame.loc[rows, key[-1]].tolist(),
                "this record is already in the database; import with --update and a "
                "--reason to change it",
            )

    def _subjects(self) -> None:
        known = set()
        for source in (self.frames.get("DM"), self.existing.get("DM")):
            if source is not None and "USUBJID" in source.columns:
                known.update(source["USUBJID"].dropna().tolist())
        for domain, frame in self.frames.items():
            if domain == "DM" or model_for(domain) is None or "USUBJID" not in frame.columns:
                continue
            bad = frame.index[frame["USUBJID"].notna() & ~frame["USUBJID"].isin(known)]
            self.add(
                domain,
                bad,
                "USUBJID",
                frame.loc[bad, "USUBJID"].tolist(),
                "no such subject in DM (import the subject's DM record first or with it)",
            )

    def _adverse_events(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        if "AEDECOD" in frame.columns:
            term_field = "AEDECOD"
            terms = frame["AEDECOD"]
            if "AETERM" in frame.columns:
                terms = terms.where(terms.notna(), frame["AETERM"])
        elif "AETERM" in frame.columns:
            term_field, terms = "AETERM", frame["AETERM"]
        else:
            self.add(
                "AE",
                frame.index[:1],
                "AEDECOD",
                None,
                "an AE file needs AEDECOD (the CTCAE v5.0 term) or AETERM",
            )
            return
        missing = terms.index[terms.isna()]
        self.add("AE", missing, term_field, None, "the CTCAE term is missing")
        dictionary = self.ctcae()
        grades = (
            frame["AETOXGR"] if "AETOXGR" in frame.columns else pd.Series(None, index=frame.index)
        )
        for term, group in _labels_by(frame.index[terms.notna()], terms[terms.notna()]).items():
            try:
                entry = dictionary.lookup(term)
            except DictionaryError as exc:
                message = exc.message + (f". {exc.hint}" if exc.hint else "")
                self.add("AE", group, term_field, term, message)
                continue
            for grade_text, rows in pd.Index(group).groupby(grades[group].fillna("")).items():
                if grade_text not in _GRADES:
                    continue  # reported by the grade range check
                problem = grade_problem(
                    entry.term, int(grade_text), entry.defined_grades, version=dictionary.version
                )
                if problem is not None:
                    self.add("AE", rows, "AETOXGR", grade_text, problem)

    def _lesions(self) -> pd.DataFrame:
        parts = []
        for origin, frames in (("stored", self.existing), ("new", self.frames)):
            tu = frames.get("TU")
            if tu is None or tu.empty:
                continue
            parts.append(
                pd.DataFrame(
                    {
                        "USUBJID": tu["USUBJID"],
                        "LNKID": tu.get("TULNKID"),
                        "EVAL": tu.get("TUEVAL"),
                        "EVALID": tu.get("TUEVALID"),
                        "DTC": tu.get("TUDTC"),
                        "origin": origin,
                    }
                ).reset_index(drop=True)
            )
        if not parts:
            return pd.DataFrame(columns=["USUBJID", "LNKID", "EVAL", "EVALID", "DTC", "origin"])
        return pd.concat(parts, ignore_index=True)

    def _measurements(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        lesions = self._lesions()
        wanted = pd.DataFrame(
            {
                "USUBJID": frame["USUBJID"],
                "LNKID": frame.get("TRLNKID"),
                "EVAL": frame.get("TREVAL"),
                "EVALID": frame.get("TREVALID"),
            }
        )
        found = lesion_index(lesions, wanted)
        link = frame.get("TRLNKID", pd.Series(None, index=frame.index))
        missing = frame.index[found == -1]
        self.add(
            "TR",
            missing,
            "TRLNKID",
            link[missing].tolist(),
            "no lesion with this TULNKID in TU for the subject (identify the lesion in TU)",
        )
        ambiguous = frame.index[found == -2]
        self.add(
            "TR",
            ambiguous,
            "TRLNKID",
            link[ambiguous].tolist(),
            "several TU lesions of the subject have this link id and none of them is the "
            "same assessor's (TREVAL/TREVALID)",
        )
        ok = found >= 0
        if not ok.any() or "TRDTC" not in frame.columns:
            return
        measured = _complete_date(frame["TRDTC"]).to_numpy()[ok]
        baseline = _complete_date(lesions["DTC"]).to_numpy()[found[ok]]
        earlier = np.array(
            [
                m is not None and b is not None and m < b
                for m, b in zip(measured, baseline, strict=True)
            ],
            dtype=bool,
        )
        rows = frame.index[ok][earlier]
        self.add(
            "TR",
            rows,
            "TRDTC",
            frame.loc[rows, "TRDTC"].tolist(),
            [
                f"the lesion is measured before its baseline (identified in TU on {b})"
                for b in baseline[earlier]
            ],
        )

    def _combined(self, domain: str) -> pd.DataFrame:
        """Stored records (minus those the incoming ones replace) plus incoming, with origin."""
        new = self.frames.get(domain)
        old = self.existing.get(domain)
        parts = []
        key = ["USUBJID"] if domain == "DM" else ["USUBJID", f"{domain}SEQ"]
        if old is not None and not old.empty:
            old = old.assign(__origin="stored", __row=-1)
            if new is not None and not new.empty and all(k in new.columns for k in key):
                replaced = old[key].merge(
                    new[key].drop_duplicates(), on=key, how="left", indicator=True
                )
                old = old[(replaced["_merge"] == "left_only").to_numpy()]
            parts.append(old)
        if new is not None and not new.empty:
            parts.append(new.assign(__origin="new", __row=new.index))
        if not parts:
            return pd.DataFrame()
        return pd.concat(parts, ignore_index=True)

    def _disposition(self) -> None:
        if "DS" not in self.frames and "DM" not in self.frames:
            return
        ds = self._combined("DS")
        dm = self._combined("DM")
        allocation = pd.DataFrame()
        deaths = pd.DataFrame()
        if not ds.empty and "DSDECOD" in ds.columns:
            allocation = ds[ds["DSDECOD"].isin(_ALLOCATION)]
            deaths = ds[(ds["DSDECOD"] == subject.DEATH) & _not_end_of_treatment(ds)]
            self._one_per_subject(allocation, deaths)
        self._death_after_enrollment(allocation, deaths, dm)
        if (
            not deaths.empty
            and not dm.empty
            and "DTHDTC" in dm.columns
            and "DSSTDTC" in deaths.columns
        ):
            self._death_dates_agree(deaths, dm)

    def _one_per_subject(self, allocation: pd.DataFrame, deaths: pd.DataFrame) -> None:
        """A subject has one randomization (or enrollment) record and one death record."""
        for what, part in (("randomization (or enrollment)", allocation), ("death", deaths)):
            counts = part.groupby("USUBJID")["USUBJID"].transform("size")
            dup = part[(counts > 1) & (part["__origin"] == "new")]
            if len(dup):
                first = part.groupby("USUBJID")["DSSEQ"].transform("first")
                self.add(
                    "DS",
                    dup["__row"].tolist(),
                    "DSDECOD",
                    dup["DSDECOD"].tolist(),
                    [
                        f"the subject already has a {what} record (DSSEQ {first[i]}); a "
                        f"subject has only one"
                        for i in dup.index
                    ],
                )

    def _death_after_enrollment(
        self, allocation: pd.DataFrame, deaths: pd.DataFrame, dm: pd.DataFrame
    ) -> None:
        """No death (DS or DM DTHDTC) before enrollment: the new record of the pair is named."""
        if allocation.empty or "DSSTDTC" not in allocation.columns:
            return
        enrolled = (
            allocation.assign(start=_complete_date(allocation["DSSTDTC"]))
            .dropna(subset=["start"])
            .drop_duplicates("USUBJID")
            .rename(columns={"__origin": "start_origin", "__row": "start_row"})
        )[["USUBJID", "start", "start_origin", "start_row"]]
        candidates = []
        for frame, column, domain in ((deaths, "DSSTDTC", "DS"), (dm, "DTHDTC", "DM")):
            if frame.empty or column not in frame.columns:
                continue
            candidates.append(
                pd.DataFrame(
                    {
                        "USUBJID": frame["USUBJID"],
                        "death": _complete_date(frame[column]),
                        "origin": frame["__origin"],
                        "row": frame["__row"],
                        "domain": domain,
                        "field": column,
                    }
                )
            )
        if not candidates or enrolled.empty:
            return
        death_dates = pd.concat(candidates, ignore_index=True).dropna(subset=["death"])
        early = death_dates.merge(enrolled, on="USUBJID")
        early = early[early["death"] < early["start"]]
        for item in early.itertuples(index=False):
            if item.origin == "new":
                self.add(
                    str(item.domain),
                    [item.row],
                    str(item.field),
                    item.death,
                    f"the death date is before the subject's enrollment date {item.start}",
                )
            elif item.start_origin == "new":
                self.add(
                    "DS",
                    [item.start_row],
                    "DSSTDTC",
                    item.start,
                    f"the enrollment date is after the subject's death on {item.death}",
                )

    def _death_dates_agree(self, deaths: pd.DataFrame, dm: pd.DataFrame) -> None:
        """DM DTHDTC and the DS death record give the same date."""
        ds_death = pd.DataFrame(
            {
                "USUBJID": deaths["USUBJID"],
                "ds_date": _complete_date(deaths["DSSTDTC"]),
                "ds_origin": deaths["__origin"],
                "ds_row": deaths["__row"],
            }
        ).dropna(subset=["ds_date"])
        dm_death = pd.DataFrame(
            {
                "USUBJID": dm["USUBJID"],
                "dm_date": _complete_date(dm["DTHDTC"]),
                "dm_origin": dm["__origin"],
                "dm_row": dm["__row"],
            }
        ).dropna(subset=["dm_date"])
        both = dm_death.merge(ds_death, on="USUBJID")
        for item in both[both["dm_date"] != both["ds_date"]].itertuples(index=False):
            if item.dm_origin == "new":
                self.add(
                    "DM",
                    [item.dm_row],
                    "DTHDTC",
                    item.dm_date,
                    f"DTHDTC disagrees with the DS death record ({item.ds_date})",
                )
            elif item.ds_origin == "new":
                self.add(
                    "DS",
                    [item.ds_row],
                    "DSSTDTC",
                    item.ds_date,
                    f"the death date disagrees with DM DTHDTC ({item.dm_date})",
                )


def _not_end_of_treatment(ds: pd.DataFrame) -> pd.Series:
    """The death record is DSDECOD DEATH outside the end-of-treatment category (docs/sdtm.md)."""
    if "DSSCAT" not in ds.columns:
        return pd.Series(True, index=ds.index)
    return ds["DSSCAT"].ne(subject.END_OF_TREATMENT) | ds["DSSCAT"].isna()


def validate_frames(
    frames: Mapping[str, pd.DataFrame],
    existing: Mapping[str, pd.DataFrame],
    *,
    studyid: str,
    mode: str = "add",
    modes: Mapping[str, str] | None = None,
    sources: Mapping[str, Source] | None = None,
    ctcae: Callable[[], CtcaeDictionary],
) -> list[Problem]:
    """Every problem with the incoming ``frames`` given the ``existing`` records (text frames).

    ``mode`` (or ``modes`` per domain): ``add`` (records must be new), ``update`` (new or stored),
    ``change`` (stored records only).
    """
    for value in [mode, *(modes or {}).values()]:
        if value not in {"add", "update", "change"}:
            raise ValueProblem(f"unknown import mode {value!r} (add, update or change)")
    checker = _Checker(
        frames,
        existing,
        mode=mode,
        sources=sources or {},
        ctcae=ctcae,
        studyid=studyid,
        modes=modes,
    )
    problems = checker.run()

    def order(problem: Problem) -> tuple[str, int]:
        number = (problem.record or "").removeprefix("row ")
        return (problem.file or "", int(number) if number.isdigit() else 0)

    return sorted(problems, key=order)  # stable: a row's problems keep the checks' order
