"""A straightforward per-subject implementation of RECIST 1.1, mRECIST and iRECIST, to cross-check.

Written independently of the vectorised engine, as one would by hand: loop over subjects, over
assessments, over lesions, with the rules of RECIST 1.1, iRECIST (Seymour et al., Lancet Oncol
2017;18:e143-52, Table 2) and admiralonco spelt out in ``if`` statements. The tests compare it
with :func:`oncotrial.response.derive_response` on random data (Hypothesis) and
``bench/response_bench.py`` times it as the peer of the vectorised engine. It expects clean input
(it checks nothing) and is not used by the engine.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from oncotrial.response.settings import AfterCompleteResponse, ResponseCriteria, ResponseSettings

__all__ = [
    "Measurement",
    "SubjectOutcome",
    "reference_best_response",
    "reference_derive",
    "reference_subject",
    "reference_timepoints",
]

_GONE_WORDS = {"ABSENT", "NOT PRESENT", "DISAPPEARED", "RESOLVED", "CR"}
_PD_WORDS = {"UNEQUIVOCAL PROGRESSION", "PROGRESSION", "PD", "UNEQUIVOCAL"}
_NE_WORDS = {"NOT EVALUABLE", "NOT EVALUATED", "NOT ASSESSED", "NOT DONE", "NE", "ND"}
_SMALL_WORDS = {"TOO SMALL TO MEASURE", "TOO SMALL", "TSTM"}
_INCREASED_WORDS = {"INCREASED", "INCREASE", "FURTHER INCREASE"}
#: iRECIST's names of the RECIST 1.1 timepoint responses.
_I_NAMES = {
    "CR": "iCR",
    "PR": "iPR",
    "SD": "iSD",
    "NON-CR/NON-PD": "NON-iCR/NON-iUPD",
    "PD": "iCPD",
    "NE": "NE",
    "ND": "ND",
}
_SEEN_WORDS = {
    "PRESENT",
    "NON-CR/NON-PD",
    "STABLE",
    "NO CHANGE",
    "PERSISTENT",
    "IR/SD",
    "INCREASED",
    "INCREASE",
    "FURTHER INCREASE",
    *_SMALL_WORDS,
    *_GONE_WORDS,
    *_PD_WORDS,
}


@dataclass(frozen=True)
class Measurement:
    """One lesion record: day of assessment, lesion, role, node flag, diameter (mm), state."""

    day: date
    lesion: str
    role: str  # TARGET, NON-TARGET, NEW
    is_node: bool
    diameter: float | None
    status: str | None


@dataclass
class SubjectOutcome:
    """What the reference derives for one subject (dates are None when not applicable)."""

    timepoints: list[tuple[date, str]] = field(default_factory=list)
    bor: str = "MISSING"
    bor_date: date | None = None
    cbor: str = "MISSING"
    cbor_date: date | None = None
    rsp_date: date | None = None
    crsp_date: date | None = None
    cb_date: date | None = None
    ccb_date: date | None = None
    pd_date: date | None = None
    last_date: date | None = None


def _word(status: str | None) -> str:
    return " ".join((status or "").replace("_", " ").upper().split())


@dataclass(frozen=True)
class _Reading:
    """One follow-up assessment read by RECIST 1.1 (what iRECIST then looks at)."""

    day: date
    target: str
    nontarget: str
    new: bool
    overall: str
    total: float | None  # the sum of target diameters when every target was measured
    partial: float | None  # the sum of the targets measured (None: none measured)
    nontarget_increased: bool
    new_increased: bool
    new_lesions: frozenset[str]
    new_sum: float  # diameters of the new lesions present


def reference_timepoints(
    records: Sequence[Measurement], ref: date, settings: ResponseSettings
) -> list[tuple[date, str, float | None]]:
    """(date, overall response, sum of target diameters or None) per follow-up assessment.

    With iRECIST the overall responses are iRECIST's (:func:`_irecist`).
    """
    readings = _readings(records, ref, settings)
    if settings.criteria is ResponseCriteria.IRECIST:
        labels = _irecist(readings, settings)
    else:
        labels = [reading.overall for reading in readings]
    return [(r.day, label, r.total) for r, label in zip(readings, labels, strict=True)]


def _readings(
    records: Sequence[Measurement], ref: date, settings: ResponseSettings
) -> list[_Reading]:
    """Each follow-up assessment read by RECIST 1.1 Tables 1 and 2 (mRECIST: no 5 mm minimum)."""
    baseline: dict[str, Measurement] = {}
    for m in records:
        latest = m.lesion not in baseline or baseline[m.lesion].day < m.day
        if m.day <= ref and m.role != "NEW" and latest:
            baseline[m.lesion] = m
    targets = {k: m for k, m in baseline.items() if m.role == "TARGET"}
    nontargets = {k: m for k, m in baseline.items() if m.role == "NON-TARGET"}

    def measure(m: Measurement) -> float | None:
        word = _word(m.status)
        if word in _SMALL_WORDS:
            return settings.too_small_mm
        if word in _NE_WORDS:
            return None
        if m.diameter is None and word in _GONE_WORDS:
            return 0.0
        return m.diameter

    base_sum = 0.0
    for m in targets.values():
        value = measure(m)
        base_sum += value if value is not None else 0.0
    nadir = base_sum
    confirmed_new: set[str] = set()
    for m in records:
        word = _word(m.status)
        if m.role == "NEW" and m.day > ref and word not in ("EQUIVOCAL", *_GONE_WORDS, *_NE_WORDS):
            confirmed_new.add(m.lesion)
    days = sorted({m.day for m in records if m.day > ref})
    out: list[_Reading] = []
    minimum_increase = 0.0 if settings.criteria is ResponseCriteria.MRECIST else 5.0
    for day in days:
        today = [m for m in records if m.day == day]
        # Target lesions (RECIST 1.1 §4.3.1).
        target_values: dict[str, float] = {}
        node_of: dict[str, bool] = {}
        for m in today:
            if m.role == "TARGET" and m.lesion in targets:
                value = measure(m)
                if value is not None:
                    target_values[m.lesion] = value
                    node_of[m.lesion] = m.is_node
        total = sum(target_values.values())
        all_there = len(target_values) == len(targets)
        if not targets:
            target = "NA"
        elif (
            target_values
            and total - nadir > 1e-6
            and total >= 1.2 * nadir - 1e-6
            and total - nadir >= minimum_increase - 1e-6
        ):
            target = "PD"
        elif not all_there:
            target = "NE"
        elif all((v < 10 - 1e-6) if node_of[k] else (v <= 1e-6) for k, v in target_values.items()):
            target = "CR"
        elif total <= 0.7 * base_sum + 1e-6:
            target = "PR"
        else:
            target = "SD"
        if targets and all_there:
            nadir = min(nadir, total)
        # Non-target lesions (§4.3.3).
        states = {
            m.lesion: _word(m.status)
            for m in today
            if m.role == "NON-TARGET" and m.lesion in nontargets
        }
        if not nontargets:
            nontarget = "NA"
        elif any(s in _PD_WORDS for s in states.values()):
            nontarget = "PD"
        elif len([s for s in states.values() if s in _SEEN_WORDS]) < len(nontargets):
            nontarget = "NE"
        elif all(s in _GONE_WORDS for s in states.values()):
            nontarget = "CR"
        else:
            nontarget = "NON-CR/NON-PD"
        # New lesions (§4.3.5): an equivocal lesion confirmed at any assessment counts.
        new = False
        new_lesions: set[str] = set()
        new_sum = 0.0
        for m in today:
            if m.role != "NEW":
                continue
            word = _word(m.status)
            if word in _GONE_WORDS or word in _NE_WORDS:
                continue
            if word != "EQUIVOCAL" or m.lesion in confirmed_new:
                new = True
                new_lesions.add(m.lesion)
                new_sum += m.diameter or 0.0
        # Tables 1 and 2.
        if new or target == "PD" or nontarget == "PD":
            overall = "PD"
        elif target == "NA":
            overall = {"CR": "CR", "NON-CR/NON-PD": "NON-CR/NON-PD", "NE": "NE"}[nontarget]
        elif target == "CR":
            overall = "CR" if nontarget in ("CR", "NA") else "PR"
        elif target == "PR":
            overall = "PR"
        elif target == "SD":
            overall = "SD"
        else:
            overall = "NE"
        out.append(
            _Reading(
                day=day,
                target=target,
                nontarget=nontarget,
                new=new,
                overall=overall,
                total=total if targets and all_there else None,
                partial=total if targets and target_values else None,
                nontarget_increased=any(s in _INCREASED_WORDS for s in states.values()),
                new_increased=any(
                    m.role == "NEW" and _word(m.status) in _INCREASED_WORDS for m in today
                ),
                new_lesions=frozenset(new_lesions),
                new_sum=new_sum,
            )
        )
    return out


def _irecist(readings: Sequence[_Reading], settings: ResponseSettings) -> list[str]:
    """iRECIST timepoint responses (Seymour 2017, Table 2), one assessment after the other.

    RECIST 1.1 progression of any category is unconfirmed (iUPD) and remembered with what
    progressed; it is confirmed (iCPD) at a later assessment, at least
    ``irecist_min_confirm_days`` after it, by further growth of what progressed (target sum
    +5 mm over its value at iUPD; any non-target increase; another new lesion, new-lesion sum
    +5 mm, or an increased new lesion) or by RECIST progression of a category that had not
    progressed. Until then it remains iUPD while anything is still at progression level, NE stays
    NE, and anything else resets it (iCR, iPR, iSD, NON-iCR/NON-iUPD).
    """
    labels: list[str] = []
    iupd: _Reading | None = None  # the assessment of the pending iUPD
    for reading in readings:
        progression = reading.target == "PD" or reading.nontarget == "PD" or reading.new
        if iupd is None:
            if progression:
                iupd = reading
                labels.append("iUPD")
            else:
                labels.append(_I_NAMES[reading.overall])
            continue
        confirmed = False
        if iupd.target == "PD":
            if (
                reading.partial is not None
                and iupd.partial is not None
                and reading.partial - iupd.partial >= 5.0 - 1e-6
            ):
                confirmed = True
        elif reading.target == "PD":
            confirmed = True
        if iupd.nontarget == "PD":
            if reading.nontarget_increased:
                confirmed = True
        elif reading.nontarget == "PD":
            confirmed = True
        if iupd.new:
            if (
                reading.new_lesions - iupd.new_lesions
                or reading.new_sum - iupd.new_sum >= 5.0 - 1e-6
                or reading.new_increased
            ):
                confirmed = True
        elif reading.new:
            confirmed = True
        too_soon = (reading.day - iupd.day).days < settings.irecist_min_confirm_days
        if confirmed:
            labels.append("iUPD" if too_soon else "iCPD")
        elif progression:
            labels.append("iUPD")
        elif reading.overall == "NE":
            labels.append("NE")
        else:
            labels.append(_I_NAMES[reading.overall])
            iupd = None
    return labels


def reference_best_response(
    timepoints: Sequence[tuple[date, str]], ref: date, settings: ResponseSettings
) -> SubjectOutcome:
    """Best overall response and the subject-level parameters, admiralonco's way, by loops.

    iRECIST responses are read as their RECIST 1.1 twins (iCPD as PD) with iUPD, an unconfirmed
    progression, ranked after PD; the best responses are given back in iRECIST's names and
    progression is dated at the iUPD that the first iCPD confirmed.
    """
    irecist = settings.criteria is ResponseCriteria.IRECIST
    result = SubjectOutcome(timepoints=list(timepoints))
    rows = sorted(timepoints)
    if irecist:
        twin = {i_name: name for name, i_name in _I_NAMES.items()}
        rows = [(d, twin.get(v, v)) for d, v in rows]
    if not rows:
        return result
    result.last_date = rows[-1][0]
    for i, (day, response) in enumerate(rows):
        if response == "PD":
            result.pd_date = day
            # iRECIST: back over the iUPD (and NE) assessments this iCPD confirmed.
            for earlier, value in reversed(rows[:i]):
                if value not in ("iUPD", "NE", "ND"):
                    break
                if value == "iUPD":
                    result.pd_date = earlier
            break
    first_pd = next((d for d, v in rows if v == "PD"), None)
    if not settings.count_after_pd and first_pd is not None:
        rows = [(d, v) for d, v in rows if d <= first_pd]
    window = ref + timedelta(days=settings.sd_min_days)
    order = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "iUPD", "NE", "ND"]

    def best_of(candidates: Iterable[tuple[date, str]]) -> tuple[str, date | None]:
        best, when = "MISSING", None
        for day, value in candidates:
            if best == "MISSING" or order.index(value) < order.index(best):
                best, when = value, day
        return best, when

    unconfirmed = []
    for day, value in rows:
        if value in ("CR", "PR", "PD"):
            unconfirmed.append((day, value))
        elif value in ("SD", "NON-CR/NON-PD"):
            unconfirmed.append((day, value if day >= window else "NE"))
        else:
            unconfirmed.append((day, value))
    result.bor, result.bor_date = best_of(unconfirmed)

    def confirmed(i: int) -> bool:
        day, value = rows[i]
        for j in range(i + 1, len(rows)):
            later, what = rows[j]
            wanted = ("CR",) if value == "CR" else ("CR", "PR")
            if what in wanted and later >= day + timedelta(days=settings.confirmation_days):
                between = [v for _, v in rows[i + 1 : j + 1]]
                allowed = {"CR", "NE"} if value == "CR" else {"CR", "PR", "SD", "NE"}
                if any(v not in allowed for v in between):
                    return False
                if between.count("NE") > settings.max_ne_between:
                    return False
                if value == "PR":
                    if between.count("SD") > (1 if settings.accept_sd_between else 0):
                        return False
                    seen_cr = False
                    for v in between:
                        if v == "CR":
                            seen_cr = True
                        if v == "PR" and seen_cr:
                            return False
                return True
        return False

    after_cr = set()
    if settings.after_cr is AfterCompleteResponse.RECIST:
        previous = None
        for i, (_, value) in enumerate(rows):
            if value in ("NE", "ND"):
                continue
            if previous == "CR" and value in ("PR", "SD", "NON-CR/NON-PD"):
                after_cr.add(i)
            previous = value
    confirmed_rows = []
    for i, (day, value) in enumerate(rows):
        if i in after_cr:
            confirmed_rows.append((day, "PD"))
        elif value in ("CR", "PR") and confirmed(i):
            confirmed_rows.append((day, value))
        elif value in ("CR", "PR", "SD"):
            confirmed_rows.append((day, "SD" if day >= window else "NE"))
        elif value == "NON-CR/NON-PD":
            confirmed_rows.append((day, value if day >= window else "NE"))
        else:
            confirmed_rows.append((day, value))
    result.cbor, result.cbor_date = best_of(confirmed_rows)

    for day, value in rows:
        if value in ("CR", "PR"):
            result.rsp_date = day
            break
    for i, (day, value) in enumerate(rows):
        if value in ("CR", "PR") and confirmed(i):
            result.crsp_date = day
            break
    benefit = None
    for day, value in rows:
        if value in ("CR", "PR", "SD", "NON-CR/NON-PD") and day >= window:
            benefit = day
            break
    result.cb_date = min((d for d in (result.rsp_date, benefit) if d is not None), default=None)
    result.ccb_date = min((d for d in (result.crsp_date, benefit) if d is not None), default=None)
    if irecist:
        return replace(
            result,
            bor=_I_NAMES.get(result.bor, result.bor),
            cbor=_I_NAMES.get(result.cbor, result.cbor),
        )
    return result


def reference_subject(
    records: Sequence[Measurement], ref: date, settings: ResponseSettings
) -> SubjectOutcome:
    """Timepoints and best response of one subject from its lesion records."""
    points = reference_timepoints(records, ref, settings)
    return reference_best_response([(d, v) for d, v, _ in points], ref, settings)


def _is_yes(value: object) -> bool:
    return str(value).strip().upper() in {"Y", "YES", "TRUE", "1"}


def reference_derive(
    lesions: pd.DataFrame,
    reference_dates: Mapping[str, date],
    settings: ResponseSettings,
) -> pd.DataFrame:
    """Per-subject parameters from a long lesion table (the CSV's columns, as text).

    The straightforward way: group the rows by subject and derive each subject on its own.
    """
    out = []
    columns = {c.lower(): c for c in lesions.columns}

    def get(row: Mapping[Hashable, object], name: str) -> object:
        column = columns.get(name)
        value = row.get(column) if column else None
        return None if value is None or (isinstance(value, float) and value != value) else value

    for subject, group in lesions.groupby(columns["subject"], sort=False):
        records = []
        for row in group.to_dict("records"):
            text = get(row, "diameter_mm")
            diameter = None if text is None or text == "" else float(str(text))
            status = get(row, "status")
            records.append(
                Measurement(
                    day=date.fromisoformat(str(get(row, "date"))[:10]),
                    lesion=str(get(row, "lesion_id")),
                    role=str(get(row, "role")).strip().upper(),
                    is_node=_is_yes(get(row, "is_node")),
                    diameter=diameter,
                    status=None if status is None else str(status),
                )
            )
        outcome = reference_subject(records, reference_dates[str(subject)], settings)
        out.append(
            {
                "USUBJID": str(subject),
                "BOR": outcome.bor,
                "BOR_DT": outcome.bor_date,
                "CBOR": outcome.cbor,
                "CBOR_DT": outcome.cbor_date,
                "RSP_DT": outcome.rsp_date,
                "CRSP_DT": outcome.crsp_date,
                "CB_DT": outcome.cb_date,
                "CCB_DT": outcome.ccb_date,
                "PD_DT": outcome.pd_date,
                "LSTA_DT": outcome.last_date,
                "N_TIMEPOINTS": len(outcome.timepoints),
            }
        )
    return pd.DataFrame(out)
