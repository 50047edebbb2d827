"""A trial's eligibility rules compiled to one Ibis expression over OMOP CDM tables.

The expression runs where the data lives (DuckDB, PostgreSQL, Spark, any Ibis backend): the
database filters measurements to the analytes and time windows the rules name, keeps the
latest result per person and analyte, converts units with factors computed here (a CASE on the
unit), compares with the engine's tolerance, and combines the statuses with the engine's Kleene
logic (``eligibility.batch``: all-of, any-of, not, conditional). Only one row per person comes
back: a status code per rule and criterion and the id of the measurement that decided each
laboratory rule.

Codes are the vectorised engine's: 0 not met, 1 met, 2 unknown, 3 left to the investigator.
Every fact is read as ``oncotrial.prescreen.reading`` reads it for the in-memory reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from oncotrial.eligibility.analytes import ANALYTES, DERIVED, ordinal_rank
from oncotrial.eligibility.batch_context import _earliest
from oncotrial.eligibility.batch_frames import EPOCH
from oncotrial.eligibility.criteria import CriterionKind, Eligibility
from oncotrial.eligibility.derived import COCKCROFT_GAULT_FEMALE_FACTOR
from oncotrial.eligibility.rules import (
    TOLERANCE,
    AgeRule,
    AllOfRule,
    AnyOfRule,
    BiomarkerRule,
    Comparator,
    ConditionalRule,
    ConditionRule,
    DerivedRule,
    DiagnosisRule,
    JudgementRule,
    LabResultRule,
    LabRule,
    MedicationRule,
    NotRule,
    PerformanceStatusRule,
    ProcedureRule,
    Rule,
    SexRule,
    TumourSizeRule,
    Window,
    children,
)
from oncotrial.eligibility.screening import REGISTRY, registry_rules
from oncotrial.eligibility.units import conversion_factor
from oncotrial.errors import DictionaryError, RuleError
from oncotrial.prescreen.concepts import ConceptMap
from oncotrial.prescreen.reading import PRIMARY_CANCERS, condition_keys, primary_cancer_ids

__all__ = ["CompiledQuery", "compile_query"]

NOT_MET, MET, UNKNOWN, INVESTIGATOR = 0, 1, 2, 3
_ALL_RANK = (3, 0, 2, 1)
_ANY_RANK = (0, 3, 2, 1)
_ALL_CODE = (MET, INVESTIGATOR, UNKNOWN, NOT_MET)
_ANY_CODE = (NOT_MET, INVESTIGATOR, UNKNOWN, MET)


@dataclass
class CompiledQuery:
    """The expression and what its columns are: ``c<k>`` a rule or criterion, ``e<k>`` evidence."""

    expr: ir.Table
    rule_columns: dict[str, str] = field(default_factory=dict)  # rule id -> column
    criterion_columns: dict[str, str] = field(default_factory=dict)
    evidence_columns: dict[str, str] = field(default_factory=dict)  # rule id -> column
    kinds: dict[str, str] = field(default_factory=dict)  # criterion -> inclusion/exclusion


def _day(value: float) -> dt.date:
    return EPOCH + dt.timedelta(days=int(value))


def _holds(comparator: Comparator, value: ir.FloatingValue, threshold: Any) -> ir.BooleanValue:
    diff = value - threshold
    limit = threshold if isinstance(threshold, ir.Value) else ibis.literal(threshold)
    tol = TOLERANCE * ibis.greatest(value.abs(), limit.abs())
    if comparator is Comparator.GE:
        out = diff >= -tol
    elif comparator is Comparator.GT:
        out = diff > tol
    elif comparator is Comparator.LE:
        out = diff <= tol
    elif comparator is Comparator.LT:
        out = diff < -tol
    else:
        out = diff.abs() <= tol
    return out.fill_null(False)


def _decided(ok: ir.BooleanValue, known: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.cases((~known, UNKNOWN), (ok, MET), else_=NOT_MET)


def _lookup(index: ir.IntegerValue, table: tuple[int, ...]) -> ir.IntegerValue:
    """``table[index]`` with ``index`` referenced once: nested rules stay linear in SQL size."""
    # int32: Spark's element_at takes an INT position
    return ibis.literal(list(table), type="array<int8>")[index.cast("int32")]


def _conditional_table() -> tuple[int, ...]:
    """The conditional's code for every (when, then, otherwise), as ``batch_logic._conditional``."""
    out = []
    for when in range(4):
        for then in range(4):
            for other in range(4):
                if when == MET:
                    out.append(then)
                elif when == NOT_MET:
                    out.append(other)
                elif then == other and then in (MET, NOT_MET):
                    out.append(then)
                elif when == UNKNOWN:
                    out.append(UNKNOWN)
                elif NOT_MET in (then, other) or UNKNOWN not in (then, other):
                    out.append(INVESTIGATOR)
                else:
                    out.append(UNKNOWN)
    return tuple(out)


_CONDITIONAL = _conditional_table()
_NOT = (MET, NOT_MET, UNKNOWN, INVESTIGATOR)


class _Compiler:
    def __init__(self, tables: dict[str, ir.Table], cmap: ConceptMap, as_of: dt.date) -> None:
        self.t = tables
        self.cmap = cmap
        self.as_of = as_of
        self.ref = (as_of - EPOCH).days
        self._latest: dict[tuple[int, Window | None], ir.Table] = {}
        death = tables["death"]
        dead = death.filter(death.death_date.cast("date") <= as_of).select("person_id")
        person = tables["person"]
        # NOT IN rather than an anti join: Ibis writes PostgreSQL's as "LEFT ANTI JOIN"
        self.persons = person.filter(person.person_id.notin(dead.person_id))
        period = tables["observation_period"].select("person_id").distinct()
        self.observed = period.mutate(provided=ibis.literal(True))
        self.leaves: list[tuple[ir.Table, bool, str]] = []  # rows, has evidence, column
        self.defaults: dict[str, int] = {}  # column -> code of a person without a row
        self.columns: dict[str, str] = {}  # rule id -> column (leaves and composites)
        self.constants: dict[str, int] = {}  # column -> code of a rule no data can decide
        self.evidence: dict[str, str] = {}  # rule id -> evidence column
        self.wide: ir.Table | None = None

    # ------------------------------------------------------------------ facts
    def earliest(self, window: Window) -> dt.date:
        import numpy as np

        return _day(float(_earliest(window, np.array([float(self.ref)]))[0]))

    def measurements(self, concept: int, window: Window | None) -> ir.Table:
        m = self.t["measurement"]
        rows = m.filter(
            (m.measurement_concept_id == concept) & (m.measurement_date.cast("date") <= self.as_of)
        )
        if window is not None:
            rows = rows.filter(rows.measurement_date.cast("date") >= self.earliest(window))
        return rows

    def latest(self, concept: int, window: Window | None) -> ir.Table:
        key = (concept, window)
        if key not in self._latest:
            rows = self.measurements(concept, window)
            rank = ibis.row_number().over(
                group_by=rows.person_id,
                order_by=[ibis.desc(rows.measurement_date), ibis.desc(rows.measurement_id)],
            )
            picked = rows.mutate(rn=rank).filter(lambda r: r.rn == 0)
            self._latest[key] = picked.mutate(value=picked.value_as_number.cast("float64"))
        return self._latest[key]

    def unit(self, rows: ir.Table) -> ir.StringValue:
        cases = [(rows.unit_concept_id == cid, u) for u, cid in self.cmap.units.items()]
        return ibis.cases(*cases, else_=rows.unit_source_value)

    def factor(self, rows: ir.Table, target: str, molar_mass: float | None) -> Any:
        """The factor to ``target`` of each row's unit (null when it does not convert).

        The unit is the map's unit of ``unit_concept_id``, else ``unit_source_value``; the CASE
        tests the two columns themselves so that the unit expression is not repeated.
        """

        def factor_of(unit: str) -> float | None:
            try:
                return conversion_factor(unit, target, molar_mass)
            except (DictionaryError, RuleError):
                return None  # not convertible: the value is not comparable (null factor)

        known = {u: factor_of(u) for u in self.cmap.units}
        convertible = {u: f for u, f in known.items() if f is not None}
        mapped_ids = list(self.cmap.units.values())
        by_concept = (
            ibis.cases(
                *((rows.unit_concept_id == self.cmap.units[u], f) for u, f in convertible.items()),
                else_=ibis.null("float64"),
            )
            if convertible
            else ibis.null("float64")
        )
        by_source = (
            ibis.cases(
                *((rows.unit_source_value == u, f) for u, f in convertible.items()),
                else_=ibis.null("float64"),
            )
            if convertible
            else ibis.null("float64")
        )
        mapped = rows.unit_concept_id.isin(mapped_ids).fill_null(False)
        return ibis.cases((mapped, by_concept), else_=by_source)

    # ------------------------------------------------------------------ rule kinds
    def lab(self, rule: LabRule) -> ir.Table:
        item = ANALYTES[rule.analyte]
        p = self.latest(self.cmap.measurements[rule.analyte], rule.within)
        if rule.relative_to is None:
            assert rule.unit is not None
            converted = p.value * self.factor(p, rule.unit, item.molar_mass)
            code = ibis.cases((_holds(rule.comparator, converted, rule.value), MET), else_=NOT_MET)
        else:
            limit = (p.range_high if rule.relative_to == "ULN" else p.range_low).cast("float64")
            threshold = rule.value * limit * 1.0
            known = limit.notnull()
            code = _decided(_holds(rule.comparator, p.value, threshold) & known, known)
        return p.mutate(code=code)

    def lab_result(self, rule: LabResultRule) -> ir.Table:
        item = ANALYTES[rule.analyte]
        p = self.latest(self.cmap.measurements[rule.analyte], rule.within)
        result = p.value_source_value.strip().lower()
        rank = ibis.cases(
            *((result == r, float(ordinal_rank(item, r))) for r in item.results),
            else_=ibis.null("float64"),
        )
        target = float(ordinal_rank(item, rule.result))
        return p.mutate(
            code=ibis.cases((_holds(rule.comparator, rank, target), MET), else_=NOT_MET)
        )

    def person_facts(self) -> ir.Table:
        p = self.persons
        female, male = self.cmap.gender["female"], self.cmap.gender["male"]
        sex = ibis.cases(
            (p.gender_concept_id == female, "female"),
            (p.gender_concept_id == male, "male"),
            else_=ibis.null("string"),
        )
        return p.mutate(sex=sex)

    def age_on(self, p: ir.Table, on: Any) -> ir.FloatingValue:
        """Completed years on ``on`` (a date value or literal); null when the birth is partial."""
        on = ibis.literal(on) if isinstance(on, dt.date) else on
        year, month, day = p.year_of_birth, p.month_of_birth, p.day_of_birth
        before = (on.month() < month) | ((on.month() == month) & (on.day() < day))
        age = on.year() - year - ibis.cases((before, 1), else_=0)
        known = month.notnull() & day.notnull()
        return ibis.cases((known, age.cast("float64")), else_=ibis.null("float64"))

    def age(self, rule: AgeRule) -> ir.Table:
        p = self.person_facts()
        age = self.age_on(p, self.as_of)
        known = age.notnull()
        return p.mutate(code=_decided(_holds(rule.comparator, age, rule.value) & known, known))

    def sex(self, rule: SexRule) -> ir.Table:
        p = self.person_facts()
        return p.mutate(code=_decided(p.sex == rule.sex, p.sex.notnull()))

    def performance(self, rule: PerformanceStatusRule) -> ir.Table:
        p = self.latest(self.cmap.performance[rule.scale], rule.within)
        ok = p.value.isin([float(a) for a in rule.allowed]).fill_null(False)
        return p.mutate(code=ibis.cases((ok, MET), else_=NOT_MET))

    def measure(self, analyte: str, unit: str, window: Window | None) -> ir.Table:
        p = self.latest(self.cmap.measurements[analyte], window)
        value = p.value * self.factor(p, unit, ANALYTES[analyte].molar_mass)
        return p.select("person_id", "measurement_date", "measurement_id", v=value)

    def derived(self, rule: DerivedRule) -> ir.Table:
        quantity = DERIVED[rule.quantity]
        people = self.person_facts()
        if quantity.key == "creatinine_clearance":
            cr = self.measure("creatinine", "mg/dL", rule.within)
            weight = self.measure("weight", "kg", None).select("person_id", w=lambda t: t.v)
            j = cr.join(weight, "person_id").join(people, "person_id")
            age = self.age_on(j, j.measurement_date.cast("date"))
            factor = ibis.cases(
                (j.sex == "female", COCKCROFT_GAULT_FEMALE_FACTOR),
                (j.sex == "male", 1.0),
                else_=ibis.null("float64"),
            )
            value = (140 - age) * j.w / (72 * j.v) * factor
        elif quantity.key in {"qtc", "qtcb"}:
            j = self.qt_pair(rule.within)
            # Fridericia (QTcF) or Bazett (QTcB), as eligibility.derived
            power = 0.5 if quantity.key == "qtcb" else 1.0 / 3.0
            value = j.qt / (60.0 / j.hr) ** power
        else:
            assert quantity.key == "bmi", quantity.key  # others are unmapped stand-ins
            weight = self.measure("weight", "kg", None)
            height = self.measure("height", "cm", None).select("person_id", h=lambda t: t.v)
            j = weight.join(height, "person_id")
            metres = j.h / 100.0
            value = j.v / (metres * metres)
        threshold = rule.value * conversion_factor(rule.unit, quantity.unit)
        known = value.notnull() & ~value.isnan()
        code = ibis.cases(
            (~known, UNKNOWN), (_holds(rule.comparator, value, threshold), MET), else_=NOT_MET
        )
        return j.mutate(code=code)

    def qt_pair(self, window: Window | None) -> ir.Table:
        qt = self.measurements(self.cmap.measurements["qt"], window)
        hr = self.measurements(self.cmap.measurements["heart_rate"], window)
        days = (
            qt.select("person_id", d=qt.measurement_date.cast("date"))
            .join(hr.select("person_id", d=hr.measurement_date.cast("date")), ["person_id", "d"])
            .group_by("person_id")
            .aggregate(last=lambda t: t.d.max())
        )

        def on_last(rows: ir.Table, target: str, name: str) -> ir.Table:
            rows = rows.join(days, "person_id")
            rows = rows.filter(rows.measurement_date.cast("date") == rows["last"])
            rank = ibis.row_number().over(
                group_by=rows.person_id, order_by=ibis.desc(rows.measurement_id)
            )
            rows = rows.mutate(rn=rank).filter(lambda r: r.rn == 0)
            value = rows.value_as_number.cast("float64") * self.factor(rows, target, None)
            return rows.select("person_id", **{name: value})

        return on_last(qt, "ms", "qt").join(on_last(hr, "/min", "hr"), "person_id")

    def diagnosis_table(self) -> ir.Table:
        cancers = primary_cancer_ids(self.cmap)
        c = self.t["condition_occurrence"]
        c = c.filter(c.condition_concept_id.isin(list(cancers)))
        rank = ibis.row_number().over(
            group_by=c.person_id,
            order_by=[c.condition_start_date, c.condition_occurrence_id],
        )
        return c.mutate(rn=rank).filter(lambda r: r.rn == 0)

    def diagnosis(self, rule: DiagnosisRule) -> ir.Table:
        d = self.diagnosis_table()
        match = d.condition_concept_id.isin(list(self.cmap.conditions.get(rule.condition, ())))
        if rule.condition not in PRIMARY_CANCERS:
            match = ibis.literal(False)
        status = d.condition_status_source_value
        confirmed = ibis.cases(
            (status.isin(["histology", "cytology"]), status), else_=ibis.null("string")
        )
        if not rule.confirmed_by:
            code = ibis.cases((match, MET), else_=NOT_MET)
        else:
            code = ibis.cases(
                (~match, NOT_MET),
                (confirmed.isnull(), UNKNOWN),
                (confirmed.isin(list(rule.confirmed_by)), MET),
                else_=NOT_MET,
            )
        return d.mutate(code=code)

    def tumour_size(self, rule: TumourSizeRule) -> ir.Table:
        d = self.diagnosis_table().select("person_id")
        p = self.latest(self.cmap.tumour_size, None)
        unit = self.unit(p)
        mm = p.value * ibis.cases((unit == "cm", 10.0), (unit == "mm", 1.0), else_=None)
        size = p.select("person_id", "measurement_id", size=mm)
        j = d.left_join(size, "person_id").select(d.person_id, "size")
        scale = 10.0 if rule.unit == "cm" else 1.0
        ok: ir.BooleanValue = ibis.literal(True)
        for bound in rule.bounds:
            ok = ok & _holds(bound.comparator, j.size.fill_null(0.0), bound.value * scale)
        return j.mutate(code=_decided(ok & j.size.notnull(), j.size.notnull()))

    def biomarker(self, rule: BiomarkerRule) -> ir.Table | None:
        concept = self.cmap.biomarkers.get(rule.marker.upper())
        if concept is None:
            return None  # the unmapped stand-in: unknown for everyone
        p = self.latest(concept, None)
        positive = [c for c, v in self.cmap.value_concepts.items() if v == "positive"]
        negative = [c for c, v in self.cmap.value_concepts.items() if v == "negative"]
        status = ibis.cases(
            (p.value_as_concept_id.isin(positive), "detected"),
            (p.value_as_concept_id.isin(negative), "not_detected"),
            (p.value_source_value == "failed", "failed"),
            else_=ibis.null("string"),
        )
        if rule.status is not None:
            if rule.failed_as is not None:
                status = ibis.cases((status == "failed", rule.failed_as), else_=status)
            known = status.isin(["detected", "not_detected"]).fill_null(False)
            return p.mutate(code=_decided(status == rule.status, known))
        assert rule.comparator is not None and rule.value is not None
        known = p.value.notnull()
        return p.mutate(code=_decided(_holds(rule.comparator, p.value, rule.value), known))

    def history(self, rows: ir.Table, hit: Any, undated: Any) -> ir.Table:
        """Per person with a history: met if any hit, else unknown if any undated, else not met.

        Persons without an observation period get no row (their default is unknown).
        """
        marked = rows.mutate(h=ibis.coalesce(hit, False), u=ibis.coalesce(undated, False))
        flags = marked.group_by("person_id").aggregate(hit=marked.h.max(), undated=marked.u.max())
        j = self.observed.left_join(flags, "person_id").select(
            self.observed.person_id, "hit", "undated"
        )
        code = ibis.cases(
            (j.hit.fill_null(False), MET), (j.undated.fill_null(False), UNKNOWN), else_=NOT_MET
        )
        return j.mutate(code=code)

    def medication(self, rule: MedicationRule) -> ir.Table:
        ids = list(self.cmap.drug_classes[rule.therapy].values())
        d = self.t["drug_exposure"]
        d = d.filter(d.drug_concept_id.isin(ids))
        d = d.mutate(
            start=d.drug_exposure_start_date.cast("date"), end=d.drug_exposure_end_date.cast("date")
        )
        received = d.start.isnull() | (d.start <= self.as_of)  # an undated start passes
        if rule.ongoing:
            hit = received & d.start.notnull() & (d.end.isnull() | (d.end >= self.as_of))
            undated = received & d.start.isnull()
        elif rule.within is None:
            hit, undated = received, ibis.literal(False)
        else:
            last = ibis.coalesce(d.end, d.start)
            hit = received & last.notnull() & (last >= self.earliest(rule.within))
            undated = received & last.isnull()
        return self.history(d, hit, undated)

    def procedure(self, rule: ProcedureRule) -> ir.Table:
        ids = list(self.cmap.procedures[rule.procedure])
        p = self.t["procedure_occurrence"]
        p = p.filter(p.procedure_concept_id.isin(ids))
        p = p.mutate(day=p.procedure_date.cast("date"))
        if rule.within is None:
            hit, undated = p.day.isnull() | (p.day <= self.as_of), ibis.literal(False)
        else:
            undated = p.day.isnull()
            hit = p.day.notnull() & (p.day <= self.as_of) & (p.day >= self.earliest(rule.within))
        return self.history(p, hit, undated)

    def condition(self, rule: ConditionRule) -> ir.Table:
        ids = [cid for cid, key in condition_keys(self.cmap).items() if key == rule.condition]
        c = self.t["condition_occurrence"]
        c = c.filter(c.condition_concept_id.isin(ids))
        c = c.mutate(
            onset=c.condition_start_date.cast("date"), abate=c.condition_end_date.cast("date")
        )
        keep = c.onset.isnull() | (c.onset <= self.as_of)
        if rule.current:
            keep = keep & (c.abate.isnull() | (c.abate > self.as_of))
        if rule.within is not None:
            undated = keep & c.onset.isnull()
            hit = keep & c.onset.notnull() & (c.onset >= self.earliest(rule.within))
        else:
            hit, undated = keep, ibis.literal(False)
        return self.history(c, hit, undated)

    # ------------------------------------------------------------------ the tree
    def code(self, rule: Rule) -> ir.IntegerValue:
        """The rule's code: a column of ``self.wide`` (its stage was added before)."""
        if isinstance(rule, JudgementRule):
            return ibis.literal(INVESTIGATOR, type="int8")
        assert self.wide is not None
        return self.wide[self.columns[rule.id]]

    def composite(self, rule: Rule) -> ir.IntegerValue:
        """A composite rule's code from its parts' columns (each referenced once or twice)."""
        if isinstance(rule, NotRule):
            return _lookup(self.code(rule.rule), _NOT)
        if isinstance(rule, AllOfRule | AnyOfRule):
            return self.combine([self.code(r) for r in rule.rules], isinstance(rule, AllOfRule))
        assert isinstance(rule, ConditionalRule)
        when, then = self.code(rule.when), self.code(rule.then)
        other = self.code(rule.otherwise) if rule.otherwise is not None else ibis.literal(MET)
        index = when.cast("int64") * 16 + then.cast("int64") * 4 + other.cast("int64")
        return _lookup(index, _CONDITIONAL)

    def combine(self, parts: list[ir.IntegerValue], all_of: bool) -> ir.IntegerValue:
        if not parts:
            return ibis.literal(MET if all_of else NOT_MET)
        ranks = [_lookup(p, _ALL_RANK if all_of else _ANY_RANK) for p in parts]
        top = ranks[0] if len(ranks) == 1 else ibis.greatest(*ranks)
        return _lookup(top, _ALL_CODE if all_of else _ANY_CODE)

    def stage_composites(self, rules: list[Rule]) -> None:
        """Add the composite rules' columns level by level (leaves first).

        Each level is its own projection, so a nested rule refers to its parts' columns rather
        than repeating their expressions: the SQL grows linearly with the depth of the tree.
        """
        levels: dict[int, list[Rule]] = {}

        def height(rule: Rule) -> int:
            parts = children(rule)
            if not parts:
                return 0
            level = 1 + max(height(p) for p in parts)
            if rule.id not in self.columns:
                self.columns[rule.id] = f"c{len(self.columns)}"
                levels.setdefault(level, []).append(rule)
            return level

        for rule in rules:
            height(rule)
        for level in sorted(levels):
            assert self.wide is not None
            self.wide = self.wide.mutate(
                **{self.columns[r.id]: self.composite(r).cast("int8") for r in levels[level]}
            )

    def collect(self, rule: Rule) -> None:
        """Register every leaf below ``rule`` (first pass, before the leaves are joined)."""
        if isinstance(rule, JudgementRule):
            return
        if isinstance(rule, NotRule | AllOfRule | AnyOfRule | ConditionalRule):
            for part in children(rule):
                self.collect(part)
            return
        if rule.id in self.columns:
            return
        table, default, evidence = self.leaf_table(rule)
        column = f"c{len(self.columns)}"
        self.columns[rule.id] = column
        if table is None:
            self.constants[column] = default
            return
        if evidence:
            self.evidence[rule.id] = f"e{column}"
        self.defaults[column] = default
        self.leaves.append((table, evidence, column))

    def build_wide(self) -> ir.Table:
        """One row per person: every leaf's code (its default where it has no row).

        The leaves are left-joined in one chain (one SELECT with a LEFT JOIN per leaf; every
        leaf has at most one row per person), so that the SQL stays flat.
        """
        wide = self.persons.select("person_id")
        for table, evidence, column in self.leaves:
            cols: dict[str, Any] = {column: table.code.cast("int8")}
            if evidence:
                cols[f"e{column}"] = table.measurement_id.cast("int64")
            wide = wide.left_join(table.select("person_id", **cols), "person_id")
        wide = wide.select(
            "person_id",
            *[
                c
                for _, evidence, column in self.leaves
                for c in (column, f"e{column}")[: 1 + evidence]
            ],
        )
        fills = {
            column: wide[column].fill_null(self.defaults[column]).cast("int8")
            for _, _, column in self.leaves
        }
        fills.update({c: ibis.literal(code, type="int8") for c, code in self.constants.items()})
        self.wide = wide.mutate(**fills)
        return self.wide

    def leaf_table(self, rule: Rule) -> tuple[ir.Table | None, int, bool]:
        """(rows keyed by person_id with a code, the code of persons without a row, evidence)."""
        kinds: dict[type[Any], Callable[[Any], ir.Table | None]] = {
            LabRule: self.lab,
            LabResultRule: self.lab_result,
            PerformanceStatusRule: self.performance,
            BiomarkerRule: self.biomarker,
        }
        if type(rule) in kinds:
            return kinds[type(rule)](rule), UNKNOWN, not isinstance(rule, BiomarkerRule)
        persons: dict[type[Any], Callable[[Any], ir.Table]] = {
            AgeRule: self.age,
            SexRule: self.sex,
            DerivedRule: self.derived,
            DiagnosisRule: self.diagnosis,
            TumourSizeRule: self.tumour_size,
            MedicationRule: self.medication,
            ProcedureRule: self.procedure,
            ConditionRule: self.condition,
        }
        if type(rule) in persons:
            return persons[type(rule)](rule), UNKNOWN, False
        raise RuleError(f"rule {rule.id}: kind {rule.kind!r} is not compiled to SQL")


def compile_query(
    eligibility: Eligibility, tables: dict[str, ir.Table], cmap: ConceptMap, as_of: dt.date
) -> CompiledQuery:
    """One expression for the whole trial: a row per person alive on ``as_of``."""
    c = _Compiler(tables, cmap, as_of)
    registry = list(registry_rules(eligibility))
    rules = registry + [r for criterion in eligibility.criteria for r in criterion.rules]
    for rule in rules:
        c.collect(rule)
    c.build_wide()
    c.stage_composites(rules)
    assert c.wide is not None
    out = CompiledQuery(expr=c.wide)
    criteria: dict[str, Any] = {}
    if registry:
        out.kinds[REGISTRY] = CriterionKind.INCLUSION
        criteria[REGISTRY] = c.combine([c.code(r) for r in registry], True)
    for criterion in eligibility.criteria:
        out.kinds[criterion.id] = criterion.kind
        if not criterion.rules or criterion.unread:
            # unread words make the item a checklist item (eligibility.logic)
            criteria[criterion.id] = ibis.literal(INVESTIGATOR)
        else:
            parts = [c.code(r) for r in criterion.rules]
            criteria[criterion.id] = c.combine(parts, criterion.kind is not CriterionKind.EXCLUSION)
    out.criterion_columns = {cid: f"k{k}" for k, cid in enumerate(criteria)}
    assert c.wide is not None
    staged = c.wide.mutate(
        **{out.criterion_columns[cid]: code.cast("int8") for cid, code in criteria.items()}
    )
    fails: Any = ibis.literal(False)
    unknown: Any = ibis.literal(False)
    for cid, column in out.criterion_columns.items():
        code = staged[column]
        fails = fails | (code == (MET if out.kinds[cid] == CriterionKind.EXCLUSION else NOT_MET))
        unknown = unknown | (code == UNKNOWN)
    overall = ibis.cases((fails, NOT_MET), (unknown, UNKNOWN), else_=MET).cast("int8")
    out.evidence_columns = dict(c.evidence)
    out.expr = staged.select(
        "person_id",
        *out.criterion_columns.values(),
        *out.evidence_columns.values(),
        overall=overall,
    ).order_by("person_id")
    return out
