"""The few scans the compiled query makes, each pivoted to one row per person.

The rules read many analytes, conditions and drugs; the query does not scan a table once per
rule. ``LatestMeasurements`` reads ``measurement`` once — only the concept ids the trial needs,
on or before the as-of date — keeps the latest row per person and concept (one ``ROW_NUMBER``
window), and turns every rule's value of that row into a column with one ``GROUP BY
person_id`` (``MAX(x) FILTER (WHERE concept = c AND date >= window start)``). The latest row
inside a window is the latest row overall when that row is inside the window, and there is none
otherwise: one window function serves every window. ``History`` does the same for
``condition_occurrence``, ``drug_exposure`` and ``procedure_occurrence`` (a rule's hit and
undated flags, ``BOOL_OR``), ``first_diagnosis`` keeps the earliest primary cancer, and
``qt_pair`` the QT and heart rate of the latest day that has both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir

from oncotrial.eligibility.units import conversion_factor
from oncotrial.errors import DictionaryError, RuleError
from oncotrial.prescreen.concepts import ConceptMap

__all__ = [
    "History",
    "LatestMeasurements",
    "by_unit",
    "factor_to",
    "first_diagnosis",
    "qt_pair",
    "source_spellings",
]

RowValue = Callable[[ir.Table], Any]


def by_unit(
    rows: ir.Table,
    cmap: ConceptMap,
    factors: dict[str, float],
    spelled: dict[str, float] | None = None,
) -> Any:
    """Each row's number for its unit (``factors``; null for another unit).

    The unit is the map's unit of ``unit_concept_id``, else ``unit_source_value`` (``reading``);
    the two CASEs test the columns themselves, so that no unit string is built per row.
    ``spelled``: factors of the warehouse's own spellings of ``unit_source_value`` (``10*9/L``,
    ``mg/dl``), read as the in-memory engine reads them (``eligibility.units``).
    """
    by_spelling = {**factors, **(spelled or {})}
    if not by_spelling:
        return ibis.null("float64")
    by_concept = (
        rows.unit_concept_id.cases(
            *((cmap.units[u], f) for u, f in factors.items()), else_=ibis.null("float64")
        )
        if factors
        else ibis.null("float64")
    )
    by_source = rows.unit_source_value.cases(*by_spelling.items(), else_=ibis.null("float64"))
    mapped = rows.unit_concept_id.isin(list(cmap.units.values())).fill_null(False)
    return ibis.cases((mapped, by_concept), else_=by_source)


def source_spellings(measurement: ir.Table, cmap: ConceptMap) -> tuple[str, ...]:
    """The ``unit_source_value`` spellings of the trial's analytes where ``unit_concept_id`` is
    not a unit the map knows: one DISTINCT query before compiling, so that the query converts
    them as the in-memory engine does rather than leaving them unconverted."""
    m = measurement
    unmapped = ~m.unit_concept_id.isin(list(cmap.units.values())).fill_null(False)
    wanted = m.measurement_concept_id.isin(sorted(set(cmap.measurements.values())))
    rows = m.filter(unmapped & wanted & m.unit_source_value.notnull())
    found = rows.select("unit_source_value").distinct().to_pandas()["unit_source_value"]
    return tuple(sorted({str(v) for v in found} - set(cmap.units)))


@lru_cache(maxsize=4096)
def _factor(unit: str, target: str, molar_mass: float | None) -> float | None:
    """``conversion_factor``, None when the unit does not convert (the value is then not
    comparable: a null factor). Cached with the failures too: a trial asks for every unit of
    the map against each rule's unit, and a failed conversion (pint parsing both units, then
    raising) is what made compiling a trial take seconds."""
    try:
        return conversion_factor(unit, target, molar_mass)
    except (DictionaryError, RuleError):
        return None


def factor_to(
    rows: ir.Table,
    cmap: ConceptMap,
    target: str,
    molar_mass: float | None,
    spellings: Sequence[str] = (),
) -> Any:
    """The factor to ``target`` of each row's unit (null when it does not convert: the value is
    then unknown, never compared).

    The factors are computed here (``eligibility.units``) and written into the query.
    """

    factors = {u: f for u in cmap.units if (f := _factor(u, target, molar_mass)) is not None}
    spelled = {u: f for u in spellings if (f := _factor(u, target, molar_mass)) is not None}
    return by_unit(rows, cmap, factors, spelled)


class LatestMeasurements:
    """Per person, values of the latest measurement of each concept, one column per use."""

    def __init__(self, measurement: ir.Table, as_of: dt.date, prefix: str = "m") -> None:
        self.measurement = measurement
        self.as_of = as_of
        self.prefix = prefix
        self.uses: dict[Hashable, tuple[str, int, dt.date | None, RowValue]] = {}

    def add(self, key: Hashable, concept: int, since: dt.date | None, value: RowValue) -> str:
        """A column: ``value`` of the latest row of ``concept`` when dated on/after ``since``.

        ``value`` takes the latest rows (with ``value``, a float, and ``day``, a date) and
        returns an expression; the column is null for a person without such a row.
        """
        if key not in self.uses:
            self.uses[key] = (f"{self.prefix}{len(self.uses)}", concept, since, value)
        return self.uses[key][0]

    def rows(self) -> ir.Table:
        """The rows the rules read: their concepts, dated on or before the as-of date, and only
        the columns a rule reads (a person's rows of other analytes never reach the pivot)."""
        m = self.measurement
        concepts = sorted({concept for _, concept, _, _ in self.uses.values()})
        rows = m.filter(
            m.measurement_concept_id.isin(concepts)
            & (m.measurement_date.cast("date") <= self.as_of)
        )
        return rows.select(
            "person_id",
            "measurement_id",
            "measurement_concept_id",
            "measurement_date",
            "value_as_concept_id",
            "unit_concept_id",
            "unit_source_value",
            "range_low",
            "range_high",
            "value_source_value",
            value=rows.value_as_number.cast("float64"),
            day=rows.measurement_date.cast("date"),
        )

    def table(self) -> ir.Table | None:
        """One ``GROUP BY person_id``: each column is its value of the latest row of its concept.

        The latest row is an arg-max per column (Ibis ``argmax``: DuckDB ``first(x ORDER BY key
        DESC)``, Spark ``max_by``, PostgreSQL ``(array_agg(x ORDER BY key DESC))[1]``) keyed on
        (date, id), as the in-memory engine orders them (``reading``), filtered to the column's
        concept. No window function: ranking every (person, concept) pair first (a
        ``ROW_NUMBER`` over all the trial's rows, carrying the whole row through the sort) cost
        four times the CPU time and twenty times the memory at 10^6 persons (bench/RESULTS.md).
        A null value of the latest row is the column's value (``first`` keeps nulls, unlike
        DuckDB's ``arg_max``), never an older row's.
        """
        if not self.uses:
            return None
        rows = self.rows()
        key = ibis.struct({"d": rows.measurement_date, "i": rows.measurement_id})
        aggregates = {}
        for column, concept, since, value in self.uses.values():
            mine = rows.measurement_concept_id == concept
            inside = mine if since is None else mine & (rows.day >= since)
            # The value inside a CASE: a CASE evaluates it only on the rows of its concept
            # (and window), whereas an aggregate's input is computed for every row.
            # The latest row inside a window is the latest row overall when it falls inside
            # it, and there is none otherwise: the CASE is null for a row before the window.
            aggregates[column] = ibis.cases((inside, value(rows))).argmax(key, where=mine)
        return rows.group_by("person_id").aggregate(**aggregates)


class History:
    """Per person and history rule: any record that hits, any undated one (``BOOL_OR``)."""

    def __init__(
        self, table: ir.Table, concept: str, prepare: Callable[[ir.Table], ir.Table], prefix: str
    ) -> None:
        self.rows = table
        self.concept = concept
        self.prepare = prepare
        self.prefix = prefix
        self.uses: dict[Hashable, tuple[str, list[int], Callable[[ir.Table], tuple[Any, Any]]]] = {}

    def add(
        self, key: Hashable, ids: list[int], flags: Callable[[ir.Table], tuple[Any, Any]]
    ) -> tuple[str, str]:
        """The hit and undated columns of a rule matching ``ids`` (``flags`` on the rows)."""
        if key not in self.uses:
            self.uses[key] = (f"{self.prefix}{len(self.uses)}", ids, flags)
        column = self.uses[key][0]
        return f"{column}h", f"{column}u"

    def table(self) -> ir.Table | None:
        if not self.uses:
            return None
        every = sorted({i for _, ids, _ in self.uses.values() for i in ids})
        rows = self.prepare(self.rows.filter(self.rows[self.concept].isin(every)))
        aggregates = {}
        for column, ids, flags in self.uses.values():
            hit, undated = flags(rows)
            mine = rows[self.concept].isin(ids)
            aggregates[f"{column}h"] = (mine & ibis.coalesce(hit, False)).any()
            aggregates[f"{column}u"] = (mine & ibis.coalesce(undated, False)).any()
        return rows.group_by("person_id").aggregate(**aggregates)


def first_diagnosis(condition: ir.Table, cancers: list[int]) -> ir.Table:
    """The earliest primary-cancer condition per person: ``dx`` (true), concept and status."""
    c = condition.filter(condition.condition_concept_id.isin(cancers))
    rank = ibis.row_number().over(
        group_by=c.person_id,
        order_by=[c.condition_start_date, c.condition_occurrence_id],
    )
    first = c.mutate(rn=rank).filter(lambda r: r.rn == 0)
    return first.select(
        "person_id",
        dx=ibis.literal(True),
        dx_concept=first.condition_concept_id,
        dx_status=first.condition_status_source_value,
    )


def qt_pair(
    measurement: ir.Table,
    cmap: ConceptMap,
    as_of: dt.date,
    since: dt.date | None,
    names: tuple[str, str],
    spellings: Sequence[str] = (),
) -> ir.Table:
    """QT (ms) and heart rate (/min) of the latest day with both, the last of each that day.

    One scan of the two concepts' rows: the days with both, the last of them per person, and
    on it the highest ``measurement_id`` of each concept (as ``eligibility.derived`` pairs them).
    """
    qt_id, hr_id = cmap.measurements["qt"], cmap.measurements["heart_rate"]
    m = measurement
    day = m.measurement_date.cast("date")
    keep = m.measurement_concept_id.isin([qt_id, hr_id]) & (day <= as_of)
    if since is not None:
        keep = keep & (day >= since)
    rows = m.filter(keep).mutate(d=day)
    both = (
        rows.group_by(["person_id", "d"])
        .aggregate(
            qt=(rows.measurement_concept_id == qt_id).any(),
            hr=(rows.measurement_concept_id == hr_id).any(),
        )
        .filter(lambda t: t.qt & t.hr)
    )
    days = both.group_by("person_id").aggregate(last=both.d.max())
    on_day = rows.join(days, "person_id")
    on_day = on_day.filter(on_day.d == on_day["last"])
    rank = ibis.row_number().over(
        group_by=[on_day.person_id, on_day.measurement_concept_id],
        order_by=ibis.desc(on_day.measurement_id),
    )
    last = on_day.mutate(rn=rank).filter(lambda r: r.rn == 0)
    value = last.value_as_number.cast("float64")
    qt = value * factor_to(last, cmap, "ms", None, spellings)
    hr = value * factor_to(last, cmap, "/min", None, spellings)
    is_qt = last.measurement_concept_id == qt_id
    return last.group_by("person_id").aggregate(
        **{
            names[0]: ibis.cases((is_qt, qt)).max(),
            names[1]: ibis.cases((~is_qt, hr)).max(),
        }
    )
