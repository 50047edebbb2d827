"""Treatment-emergent adverse events (CTCAE v5.0) and incidence tables per arm.

:func:`derive_adae` checks every AE record against the CTCAE dictionary (an unknown term is a
:class:`~oncotrial.errors.DictionaryError` naming the closest terms; a grade the term does not
define is an error) and flags treatment emergence by the declared rules :data:`TEAE_RULES`,
recording on each row the rule that decided it (as ADaM ADAE's TRTEMFL). The tables count
*subjects* with at least one event (each subject once per row, at the worst grade), with the
safety population of each arm — subjects with a first dose date — as denominator: n (%).

Limits: a pre-existing condition that worsens after the first dose is treatment-emergent by
ICH E9's definition but SDTM AE alone cannot show the worsening; record it as a new AE.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from oncotrial.catalogue.rule import Rule
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import (
    AnalysisError,
    DictionaryError,
    OncotrialError,
    Problem,
    SchemaError,
    ValueProblem,
)

__all__ = [
    "AE_CATEGORIES",
    "DISCONTINUATION_ACTIONS",
    "NOT_RELATED_VALUES",
    "RELATED_VALUES",
    "TEAE_RULES",
    "AeCategory",
    "Count",
    "IncidenceRow",
    "IncidenceTable",
    "TeaeRule",
    "WorstGradeRow",
    "WorstGradeTable",
    "ae_incidence",
    "ae_overview",
    "derive_adae",
    "worst_grade_table",
]


@dataclass(frozen=True)
class TeaeRule(Rule):
    """A treatment-emergence rule and what it decides."""

    treatment_emergent: bool


_ICH = "ICH E9 glossary (treatment emergent); protocol safety-reporting window"
TEAE_RULES: Mapping[str, TeaeRule] = MappingProxyType(
    {
        r.id: r
        for r in (
            TeaeRule(
                "TEAE-WINDOW",
                "onset on or after the start of treatment (the first dose, or the first "
                "protocol intervention of any kind where the analysis plan opens the window "
                "there) and no later than the last intervention plus the window",
                _ICH,
                treatment_emergent=True,
            ),
            TeaeRule(
                "TEAE-ON-TREATMENT",
                "onset on or after the start of treatment; no last intervention date yet "
                "(still on treatment)",
                _ICH,
                treatment_emergent=True,
            ),
            TeaeRule(
                "TEAE-MISSING-ONSET",
                "onset date missing for a treated subject: counted as treatment-emergent "
                "(conservative convention of statistical analysis plans)",
                "FDA/ICH conservative handling of unknown onset; documented in the SAP",
                treatment_emergent=True,
            ),
            TeaeRule(
                "PRE-TREATMENT",
                "onset before the start of treatment (first dose or first intervention)",
                _ICH,
                treatment_emergent=False,
            ),
            TeaeRule(
                "AFTER-WINDOW",
                "onset after the last intervention (or dose) plus the window",
                _ICH,
                treatment_emergent=False,
            ),
            TeaeRule(
                "NOT-DOSED",
                "the subject never received a protocol intervention",
                _ICH,
                treatment_emergent=False,
            ),
        )
    }
)

#: AEREL values meaning related / not related to study treatment (case-insensitive). A missing
#: AEREL counts as related (conservative; flagged in AERELIMP), any other value is an error.
RELATED_VALUES = frozenset(
    {
        "Y",
        "YES",
        "RELATED",
        "POSSIBLY RELATED",
        "PROBABLY RELATED",
        "DEFINITELY RELATED",
        "POSSIBLE",
        "PROBABLE",
        "DEFINITE",
    }
)
NOT_RELATED_VALUES = frozenset(
    {"N", "NO", "NOT RELATED", "UNRELATED", "UNLIKELY RELATED", "UNLIKELY", "NONE"}
)
#: AEACN values meaning the AE led to discontinuation of study treatment (CDISC CT C66767).
DISCONTINUATION_ACTIONS = frozenset({"DRUG WITHDRAWN"})

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$")
_PARTIAL = re.compile(r"^\d{4}(-\d{2})?$")


@dataclass(frozen=True)
class AeCategory:
    """A row filter of the TEAE tables, declared with its source."""

    id: str
    label: str
    description: str
    source: str
    select: Callable[[pd.DataFrame], pd.Series]


_CTCAE = "CTCAE v5.0 grades"
AE_CATEGORIES: Mapping[str, AeCategory] = MappingProxyType(
    {
        c.id: c
        for c in (
            AeCategory(
                "ANY",
                "Any TEAE",
                "any treatment-emergent AE",
                _CTCAE,
                lambda f: pd.Series(True, index=f.index),
            ),
            AeCategory(
                "GRADE3",
                "Grade ≥ 3 TEAE",
                "CTCAE grade 3, 4 or 5",
                _CTCAE,
                lambda f: f["AETOXGRN"] >= 3,
            ),
            AeCategory(
                "GRADE5",
                "Grade 5 TEAE",
                "CTCAE grade 5 (death)",
                _CTCAE,
                lambda f: f["AETOXGRN"] == 5,
            ),
            AeCategory(
                "RELATED",
                "Treatment-related TEAE",
                "investigator-assessed relationship to study treatment (AEREL)",
                "SDTM AEREL; RELATED_VALUES",
                lambda f: f["AERELFL"] == "Y",
            ),
            AeCategory(
                "SERIOUS",
                "Serious TEAE",
                "serious adverse event (AESER = Y)",
                "ICH E2A; SDTM AESER",
                lambda f: f["AESERFL"] == "Y",
            ),
            AeCategory(
                "DISCONTINUATION",
                "TEAE leading to discontinuation",
                "action taken with study treatment: drug withdrawn (AEACN)",
                "SDTM AEACN (CDISC CT C66767)",
                lambda f: f["AEDISCFL"] == "Y",
            ),
        )
    }
)


def _parse_date(value: object) -> dt.date | str | None:
    """A date, None when missing, or the problem text when not a full ISO 8601 date."""
    # NaT is a datetime instance: a missing date from a datetime column must stay missing
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    match = _DATE.match(text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return f"{text!r} is not a calendar date"
    if _PARTIAL.match(text):
        return (
            f"partial date {text!r}: impute it (e.g. admiral derive_vars_dt) before deciding "
            "treatment emergence"
        )
    return f"{text!r} is not an ISO 8601 date (YYYY-MM-DD)"


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"the {what} table has no column {', '.join(missing)}",
            field=missing[0],
            hint=f"Columns present: {', '.join(map(str, frame.columns))}.",
        )


def _text(value: object) -> str:
    """A cell as stripped text; missing (None, NaN, empty) is ""."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


_ADAE_COLUMNS = (
    "USUBJID",
    "ARM",
    "AESEQ",
    "AEDECOD",
    "AESOC",
    "AETOXGRN",
    "ASTDT",
    "TRTEMFL",
    "TEAERULE",
    "AERELFL",
    "AERELIMP",
    "AESERFL",
    "AEDISCFL",
)

_Dosing = dict[str, tuple[str, dt.date | None, dt.date | None]]


@dataclass(frozen=True)
class _AeColumns:
    """The caller's column names of the AE table (None: the column is not used)."""

    subject: str
    term: str
    soc: str | None
    grade: str
    start: str
    related: str | None
    serious: str | None
    action: str | None
    sequence: str | None


def _dosing(
    subjects: pd.DataFrame, subject: str, arm: str, first_dose: str, last_dose: str
) -> tuple[_Dosing, list[Problem]]:
    """Arm, first and last dose date per subject; the date problems found."""
    duplicated = subjects[subject][subjects[subject].duplicated()]
    if not duplicated.empty:
        raise ValueProblem(
            "subject listed twice in the subject table",
            record=str(duplicated.iloc[0]),
            field=subject,
        )
    problems: list[Problem] = []
    dosing: _Dosing = {}
    for _, row in subjects.iterrows():
        key = str(row[subject])
        dates = []
        for column in (first_dose, last_dose):
            parsed = _parse_date(row[column])
            if isinstance(parsed, str):
                problems.append(Problem(parsed, record=f"subject {key}", field=column))
                parsed = None
            dates.append(parsed)
        if dates[0] is not None and dates[1] is not None and dates[1] < dates[0]:
            problems.append(
                Problem(
                    "last dose is before the first dose", record=f"subject {key}", field=last_dose
                )
            )
        dosing[key] = (str(row[arm]), dates[0], dates[1])
    return dosing, problems


def _grade(raw: object, where: str, field: str) -> int | Problem:
    """A CTCAE grade as a whole number, or the problem."""
    try:
        value = int(float(str(raw).strip()))
        if float(str(raw).strip()) != value:
            raise ValueError
    except (TypeError, ValueError):
        return Problem(
            "CTCAE grade must be a whole number 1–5", record=where, field=field, value=str(raw)
        )
    return value


def _flags(
    record: pd.Series, cols: _AeColumns, present: set[str], where: str
) -> tuple[str, str, str, str] | Problem:
    """AERELFL, AERELIMP, AESERFL, AEDISCFL of one record, or its problem. A missing
    relationship counts as related and is flagged imputed (the conservative reading)."""
    related_flag, related_imputed = "Y", "N"
    if cols.related and cols.related in present:
        text = _text(record[cols.related]).upper()
        if not text:
            related_imputed = "Y"
        elif text in RELATED_VALUES:
            related_flag = "Y"
        elif text in NOT_RELATED_VALUES:
            related_flag = "N"
        else:
            return Problem(
                f"unknown relationship {record[cols.related]!r}", record=where, field=cols.related
            )
    else:
        related_imputed = "Y"
    serious_flag = ""
    if cols.serious and cols.serious in present:
        serious_flag = _text(record[cols.serious]).upper()
        if serious_flag not in ("Y", "N"):
            return Problem(
                "AESER must be Y or N",
                record=where,
                field=cols.serious,
                value=str(record[cols.serious]),
            )
    discontinued = ""
    if cols.action and cols.action in present:
        discontinued = "Y" if _text(record[cols.action]).upper() in DISCONTINUATION_ACTIONS else "N"
    return related_flag, related_imputed, serious_flag, discontinued


def _adae_row(
    record: pd.Series,
    position: int,
    cols: _AeColumns,
    present: set[str],
    dosing: _Dosing,
    dictionary: CtcaeDictionary,
    window_days: int,
) -> dict[str, object] | Problem | DictionaryError:
    """One checked ADAE row; else its problem (a DictionaryError for a term not in CTCAE)."""
    who = str(record[cols.subject])
    numbered = cols.sequence is not None and cols.sequence in present
    seq = record[cols.sequence] if numbered and cols.sequence else position
    where = f"subject {who}, AESEQ {seq}" if numbered else f"AE row {position} (subject {who})"
    if who not in dosing:
        return Problem("subject is not in the subject table", record=where, field=cols.subject)
    arm_name, first, last = dosing[who]
    raw_term = record[cols.term]
    if not _text(raw_term):
        return Problem("missing AE term", record=where, field=cols.term)
    grade_value = _grade(record[cols.grade], where, cols.grade)
    if isinstance(grade_value, Problem):
        return grade_value
    try:
        entry = dictionary.check_grade(str(raw_term), grade_value, record=where)
    except DictionaryError as exc:
        return exc
    except OncotrialError as exc:
        return Problem(exc.message, record=where, field=cols.grade, value=str(record[cols.grade]))
    if cols.soc and cols.soc in present:
        given = record[cols.soc]
        if (
            isinstance(given, str)
            and given.strip()
            and given.strip().casefold() != entry.soc.casefold()
        ):
            return Problem(
                f"SOC {given!r} does not match CTCAE v{dictionary.version}'s SOC "
                f"{entry.soc!r} for {entry.term!r}",
                record=where,
                field=cols.soc,
            )
    onset = _parse_date(record[cols.start])
    if isinstance(onset, str):
        return Problem(onset, record=where, field=cols.start)
    flags = _flags(record, cols, present, where)
    if isinstance(flags, Problem):
        return flags
    rule = _teae_rule(onset, first, last, window_days)
    values = (
        who,
        arm_name,
        seq,
        entry.term,
        entry.soc,
        grade_value,
        onset,
        "Y" if TEAE_RULES[rule].treatment_emergent else "N",
        rule,
        *flags,
    )
    return dict(zip(_ADAE_COLUMNS, values, strict=True))


def derive_adae(
    ae: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    dictionary: CtcaeDictionary,
    window_days: int,
    subject: str = "USUBJID",
    arm: str = "ARM",
    first_dose: str = "TRTSDT",
    last_dose: str = "TRTEDT",
    term: str = "AEDECOD",
    soc: str | None = "AEBODSYS",
    grade: str = "AETOXGR",
    start: str = "AESTDTC",
    related: str | None = "AEREL",
    serious: str | None = "AESER",
    action: str | None = "AEACN",
    sequence: str | None = "AESEQ",
) -> pd.DataFrame:
    """Checked AE records with CTCAE term/SOC, grade and the TEAE flag and its rule (ADAE).

    ``subjects`` has one row per subject with the arm and first/last dose dates (ADSL
    TRTSDT/TRTEDT); a missing last dose date means still on treatment. ``window_days`` is the
    protocol's reporting window after the last dose (e.g. 30, or 90 for immunotherapy).
    Columns out: USUBJID, ARM, AESEQ, AEDECOD, AESOC, AETOXGRN, ASTDT, TRTEMFL, TEAERULE,
    AERELFL, AERELIMP, AESERFL, AEDISCFL. Every problem is collected and raised together.
    """
    if window_days < 0:
        raise ValueProblem(f"window_days must be ≥ 0, got {window_days}", field="window_days")
    _require(ae, [subject, term, grade, start], "adverse event")
    _require(subjects, [subject, arm, first_dose, last_dose], "subject")
    dosing, problems = _dosing(subjects, subject, arm, first_dose, last_dose)
    cols = _AeColumns(subject, term, soc, grade, start, related, serious, action, sequence)
    present = set(ae.columns)
    dictionary_problems: list[Problem] = []
    rows = []
    for position, (_, record) in enumerate(ae.iterrows(), start=1):
        row = _adae_row(record, position, cols, present, dosing, dictionary, window_days)
        if isinstance(row, DictionaryError):
            message = f"{row.message}. {row.hint or ''}".strip()
            dictionary_problems.append(Problem(message, record=row.record, field=term))
        elif isinstance(row, Problem):
            problems.append(row)
        else:
            rows.append(row)
    if dictionary_problems:
        first_problem = dictionary_problems[0]
        raise DictionaryError(
            f"{len(dictionary_problems)} AE term(s) not in CTCAE v{dictionary.version}: "
            f"{first_problem.message}",
            record=first_problem.record,
            field=term,
            hint="Code each term to its CTCAE v5.0 term (MedDRA LLT).",
            problems=dictionary_problems + problems,
        )
    if problems:
        raise ValueProblem(
            f"{len(problems)} problem(s) in the AE data; first: {problems[0].message}",
            record=problems[0].record,
            field=problems[0].field,
            hint="Correct the records listed and run again.",
            problems=problems,
        )
    return pd.DataFrame(rows, columns=list(_ADAE_COLUMNS))


def _teae_rule(
    onset: dt.date | None, first: dt.date | None, last: dt.date | None, window: int
) -> str:
    if first is None:
        return "NOT-DOSED"
    if onset is None:
        return "TEAE-MISSING-ONSET"
    if onset < first:
        return "PRE-TREATMENT"
    if last is None:
        return "TEAE-ON-TREATMENT"
    if onset > last + dt.timedelta(days=window):
        return "AFTER-WINDOW"
    return "TEAE-WINDOW"


@dataclass(frozen=True)
class Count:
    """Subjects with the event: n of the arm's N."""

    n: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.n / self.total if self.total else 0.0

    def describe(self, digits: int = 1) -> str:
        return f"{self.n} ({self.percent:.{digits}f}%)"


@dataclass(frozen=True)
class IncidenceRow:
    level: str  # "overall", "soc" or "term"
    soc: str | None
    term: str | None
    counts: tuple[Count, ...]  # one per arm, then the total

    @property
    def label(self) -> str:
        return self.term or self.soc or "Any"


@dataclass(frozen=True)
class IncidenceTable:
    category: AeCategory
    arms: tuple[str, ...]  # arms, then "Total"
    denominators: tuple[int, ...]
    rows: tuple[IncidenceRow, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per table row; a column "n (%)" per arm and the total."""
        return pd.DataFrame(
            [
                {"level": r.level, "soc": r.soc, "term": r.term}
                | {
                    f"{arm} (N={n})": c.describe()
                    for arm, n, c in zip(self.arms, self.denominators, r.counts, strict=True)
                }
                for r in self.rows
            ]
        )


def _population(subjects: pd.DataFrame, subject: str, arm: str, first_dose: str) -> pd.DataFrame:
    _require(subjects, [subject, arm, first_dose], "subject")
    dosed = subjects[[_parse_date(v) is not None for v in subjects[first_dose]]]
    if dosed.empty:
        raise AnalysisError(
            "no subject has a first dose date: the safety population is empty", field=first_dose
        )
    return pd.DataFrame({"USUBJID": dosed[subject].astype(str), "ARM": dosed[arm].astype(str)})


def _counts(who: set[str], population: pd.DataFrame, arms: tuple[str, ...]) -> tuple[Count, ...]:
    counts = []
    for name in arms:
        members = set(population.loc[population["ARM"] == name, "USUBJID"])
        counts.append(Count(len(who & members), len(members)))
    everyone = set(population["USUBJID"])
    counts.append(Count(len(who & everyone), len(everyone)))
    return tuple(counts)


def _teae(adae: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    _require(adae, ["USUBJID", "AEDECOD", "AESOC", "AETOXGRN", "TRTEMFL"], "ADAE")
    return adae[(adae["TRTEMFL"] == "Y") & adae["USUBJID"].isin(population["USUBJID"])]


def _category(category: AeCategory | str) -> AeCategory:
    if isinstance(category, AeCategory):
        return category
    if category not in AE_CATEGORIES:
        raise ValueProblem(
            f"unknown AE category {category!r}",
            field="category",
            hint=f"Use one of {', '.join(AE_CATEGORIES)}.",
        )
    return AE_CATEGORIES[category]


def ae_incidence(
    adae: pd.DataFrame,
    subjects: pd.DataFrame,
    category: AeCategory | str = "ANY",
    *,
    subject: str = "USUBJID",
    arm: str = "ARM",
    first_dose: str = "TRTSDT",
) -> IncidenceTable:
    """Subjects with ≥ 1 TEAE of ``category``: overall, by SOC and by term, per arm, n (%).

    SOCs are ordered by descending total count then name; terms within a SOC likewise.
    """
    rule = _category(category)
    population = _population(subjects, subject, arm, first_dose)
    arms = tuple(sorted(population["ARM"].unique()))
    events = _teae(adae, population)
    events = events[rule.select(events).to_numpy(dtype=bool)] if not events.empty else events
    rows = [IncidenceRow("overall", None, None, _counts(set(events["USUBJID"]), population, arms))]
    socs = events.groupby("AESOC")["USUBJID"].nunique().sort_index()
    for soc_name in sorted(socs.index, key=lambda s: (-socs[s], s)):
        in_soc = events[events["AESOC"] == soc_name]
        rows.append(
            IncidenceRow("soc", soc_name, None, _counts(set(in_soc["USUBJID"]), population, arms))
        )
        terms = in_soc.groupby("AEDECOD")["USUBJID"].nunique()
        for term_name in sorted(terms.index, key=lambda t: (-terms[t], t)):
            who = set(in_soc.loc[in_soc["AEDECOD"] == term_name, "USUBJID"])
            rows.append(IncidenceRow("term", soc_name, term_name, _counts(who, population, arms)))
    totals = _counts(set(), population, arms)
    return IncidenceTable(
        category=rule,
        arms=(*arms, "Total"),
        denominators=tuple(c.total for c in totals),
        rows=tuple(rows),
    )


def ae_overview(
    adae: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    subject: str = "USUBJID",
    arm: str = "ARM",
    first_dose: str = "TRTSDT",
    categories: tuple[AeCategory, ...] | None = None,
) -> tuple[tuple[AeCategory, tuple[Count, ...]], ...]:
    """Subjects with any TEAE, grade ≥ 3, grade 5, related, serious, leading to discontinuation
    (``categories``: these instead, e.g. with relatedness per intervention)."""
    result = []
    for rule in categories if categories is not None else tuple(AE_CATEGORIES.values()):
        table = ae_incidence(adae, subjects, rule, subject=subject, arm=arm, first_dose=first_dose)
        result.append((rule, table.rows[0].counts))
    return tuple(result)


@dataclass(frozen=True)
class WorstGradeRow:
    soc: str | None
    term: str | None
    any_grade: tuple[Count, ...]
    grade3: tuple[Count, ...]
    grade5: tuple[Count, ...]


@dataclass(frozen=True)
class WorstGradeTable:
    arms: tuple[str, ...]
    denominators: tuple[int, ...]
    rows: tuple[WorstGradeRow, ...]


def worst_grade_table(
    adae: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    subject: str = "USUBJID",
    arm: str = "ARM",
    first_dose: str = "TRTSDT",
) -> WorstGradeTable:
    """Per SOC and term: subjects by worst CTCAE grade — any grade, grade ≥ 3, grade 5."""
    population = _population(subjects, subject, arm, first_dose)
    arms = tuple(sorted(population["ARM"].unique()))
    events = _teae(adae, population)

    def three(frame: pd.DataFrame) -> tuple[tuple[Count, ...], ...]:
        worst = frame.groupby("USUBJID")["AETOXGRN"].max()
        return (
            _counts(set(worst.index), population, arms),
            _counts(set(worst[worst >= 3].index), population, arms),
            _counts(set(worst[worst == 5].index), population, arms),
        )

    rows = [WorstGradeRow(None, None, *three(events))]
    socs = events.groupby("AESOC")["USUBJID"].nunique()
    for soc_name in sorted(socs.index, key=lambda s: (-socs[s], s)):
        in_soc = events[events["AESOC"] == soc_name]
        rows.append(WorstGradeRow(soc_name, None, *three(in_soc)))
        terms = in_soc.groupby("AEDECOD")["USUBJID"].nunique()
        for term_name in sorted(terms.index, key=lambda t: (-terms[t], t)):
            rows.append(
                WorstGradeRow(soc_name, term_name, *three(in_soc[in_soc["AEDECOD"] == term_name]))
            )
    totals = _counts(set(), population, arms)
    return WorstGradeTable(
        arms=(*arms, "Total"), denominators=tuple(c.total for c in totals), rows=tuple(rows)
    )
