"""A trial's eligibility rules compiled to one Ibis expression over OMOP CDM tables.

The expression runs where the data lives (DuckDB, PostgreSQL, Spark, any Ibis backend). Its
plan is flat whatever the number of rules:

1. ``measurement`` is scanned once for the concept ids the rules name (on or before the as-of
   date); one window keeps the latest row per person and concept; one ``GROUP BY person_id``
   pivots each rule's reading of that row (its status code, its ``measurement_id``, or a value
   a derived quantity needs) into a column (``sources.LatestMeasurements``).
2. ``condition_occurrence``, ``drug_exposure`` and ``procedure_occurrence`` are each scanned
   once for the rules' concept ids and pivoted the same way (``sources.History``); the earliest
   primary cancer is one more window over ``condition_occurrence``.
3. These few one-row-per-person tables are left-joined to the alive persons; every leaf rule
   is then an expression over that wide row (its default where a person has no row), and the
   all-of / any-of / not / conditional combinations are the engine's Kleene logic over those
   columns (``kleene``), staged level by level.

Only one row per person comes back: a status code per rule and criterion and, for laboratory
rules, the id of the measurement that decided it. Every fact is read as
``oncotrial.prescreen.reading`` reads it for the in-memory reference.
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
from oncotrial.eligibility.concepts_cancers import contradicting_cancers
from oncotrial.eligibility.criteria import CriterionKind, Eligibility
from oncotrial.eligibility.derived import COCKCROFT_GAULT_FEMALE_FACTOR
from oncotrial.eligibility.rules import (
    AgeRule,
    AllOfRule,
    AnyOfRule,
    BiomarkerRule,
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
from oncotrial.eligibility.sublists import combine_headings
from oncotrial.eligibility.units import conversion_factor
from oncotrial.errors import RuleError
from oncotrial.prescreen.concepts import ConceptMap
from oncotrial.prescreen.kleene import (
    CONDITIONAL,
    INVESTIGATOR,
    MET,
    NOT,
    NOT_MET,
    UNKNOWN,
    combine,
    decided,
    holds,
    lookup,
)
from oncotrial.prescreen.reading import primary_cancer_ids
from oncotrial.prescreen.sources import (
    History,
    LatestMeasurements,
    by_unit,
    factor_to,
    first_diagnosis,
    qt_pair,
    source_spellings,
)

__all__ = ["CompiledQuery", "compile_query"]

Code = Callable[[ir.Table], Any]  # a leaf's code over the wide row of a person


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


def _dated(column: str, default: Any) -> Code:
    return lambda w: w[column].fill_null(default)


class _Compiler:
    def __init__(
        self,
        tables: dict[str, ir.Table],
        cmap: ConceptMap,
        as_of: dt.date,
        spellings: tuple[str, ...] | None = None,
    ) -> None:
        self.t = tables
        self.cmap = cmap
        self.as_of = as_of
        self.ref = (as_of - EPOCH).days
        self.latest = LatestMeasurements(tables["measurement"], as_of)
        if spellings is None:
            spellings = source_spellings(tables["measurement"], cmap)
        self.spellings = spellings
        self.histories = {
            "condition": History(
                tables["condition_occurrence"], "condition_concept_id", self._conditions, "hc"
            ),
            "drug": History(tables["drug_exposure"], "drug_concept_id", self._drugs, "hd"),
            "procedure": History(
                tables["procedure_occurrence"], "procedure_concept_id", self._procedures, "hp"
            ),
        }
        self.diagnosis_needed = False
        self.qt: dict[Window | None, tuple[str, str]] = {}
        self.leaves: dict[str, Code] = {}  # column -> its code over the wide row
        self.columns: dict[str, str] = {}  # rule id -> column (leaves and composites)
        self.constants: dict[str, int] = {}  # column -> code of a rule no data can decide
        self.evidence: dict[str, str] = {}  # rule id -> evidence column
        self.wide: ir.Table | None = None

    # ------------------------------------------------------------------ facts
    def earliest(self, window: Window | None) -> dt.date | None:
        if window is None:
            return None
        import numpy as np

        return _day(float(_earliest(window, np.array([float(self.ref)]))[0]))

    def value_in(self, analyte: str, unit: str, window: Window | None) -> tuple[str, str]:
        """Columns of the latest value of ``analyte`` in ``unit`` (null if not convertible)."""
        concept = self.cmap.measurements[analyte]
        since = self.earliest(window)
        mass = ANALYTES[analyte].molar_mass

        def value(rows: ir.Table) -> Any:
            return rows.value * factor_to(rows, self.cmap, unit, mass, self.spellings)

        v = self.latest.add(("value", concept, unit, since), concept, since, value)
        d = self.latest.add(("day", concept, since), concept, since, lambda r: r.day)
        return v, d

    def coded(
        self, rule: Rule, concept: int, window: Window | None, code: Code, evidence: bool
    ) -> Code:
        """A leaf decided by the latest measurement of ``concept``: unknown without one."""
        since = self.earliest(window)
        column = self.latest.add(("code", rule.id), concept, since, lambda r: code(r).cast("int8"))
        if evidence:
            self.evidence[rule.id] = self.latest.add(
                ("id", concept, since), concept, since, lambda r: r.measurement_id.cast("int64")
            )
        return _dated(column, UNKNOWN)

    # ------------------------------------------------------------------ rule kinds
    def lab(self, rule: LabRule) -> Code:
        item = ANALYTES[rule.analyte]

        def code(p: ir.Table) -> Any:
            if rule.relative_to is None:
                assert rule.unit is not None
                factor = factor_to(p, self.cmap, rule.unit, item.molar_mass, self.spellings)
                converted = p.value * factor
                # a unit that does not convert leaves the value unknown, never "not met"
                known = converted.notnull()
                return decided(holds(rule.comparator, converted, rule.value) & known, known)
            limit = (p.range_high if rule.relative_to == "ULN" else p.range_low).cast("float64")
            threshold = rule.value * limit * 1.0
            known = limit.notnull()
            return decided(holds(rule.comparator, p.value, threshold) & known, known)

        concept = self.cmap.measurements[rule.analyte]
        return self.coded(rule, concept, rule.within, code, True)

    def lab_result(self, rule: LabResultRule) -> Code:
        item = ANALYTES[rule.analyte]
        target = float(ordinal_rank(item, rule.result))

        def code(p: ir.Table) -> Any:
            result = p.value_source_value.strip().lower()
            rank = result.cases(
                *((r, float(ordinal_rank(item, r))) for r in item.results),
                else_=ibis.null("float64"),
            )
            # a result off the scale ("moderate") is unknown, as in eligibility.batch_labs
            known = rank.notnull()
            return decided(holds(rule.comparator, rank, target) & known, known)

        concept = self.cmap.measurements[rule.analyte]
        return self.coded(rule, concept, rule.within, code, True)

    def performance(self, rule: PerformanceStatusRule) -> Code:
        def code(p: ir.Table) -> Any:
            ok = p.value.isin([float(a) for a in rule.allowed]).fill_null(False)
            return ibis.cases((ok, MET), else_=NOT_MET)

        concept = self.cmap.performance[rule.scale]
        return self.coded(rule, concept, rule.within, code, True)

    def biomarker(self, rule: BiomarkerRule) -> Code | None:
        concept = self.cmap.biomarkers.get(rule.marker.upper())
        if concept is None:
            return None  # the unmapped stand-in: unknown for everyone
        positive = [c for c, v in self.cmap.value_concepts.items() if v == "positive"]
        negative = [c for c, v in self.cmap.value_concepts.items() if v == "negative"]

        def read(status: str) -> int:
            """The code of a result read as ``status`` (only detected / not detected decide)."""
            if status not in ("detected", "not_detected"):
                return UNKNOWN
            return MET if status == rule.status else NOT_MET

        def code(p: ir.Table) -> Any:
            if rule.status is None:
                assert rule.comparator is not None and rule.value is not None
                known = p.value.notnull()
                return decided(holds(rule.comparator, p.value, rule.value), known)
            # the status of reading.py (Positive, Negative, else 'failed', else unknown),
            # decided here in Python for each of the three: one CASE per row, no strings
            return ibis.cases(
                (p.value_as_concept_id.isin(positive), read("detected")),
                (p.value_as_concept_id.isin(negative), read("not_detected")),
                (p.value_source_value == "failed", read(rule.failed_as or "failed")),
                else_=UNKNOWN,
            )

        return self.coded(rule, concept, None, code, False)

    @staticmethod
    def sex_of(w: ir.Table, cmap: ConceptMap) -> ir.StringValue:
        return ibis.cases(
            (w.gender_concept_id == cmap.gender["female"], "female"),
            (w.gender_concept_id == cmap.gender["male"], "male"),
            else_=ibis.null("string"),
        )

    @staticmethod
    def age_on(w: ir.Table, on: Any) -> ir.FloatingValue:
        """Completed years on ``on`` (a date value or literal); null when the birth is partial."""
        on = ibis.literal(on) if isinstance(on, dt.date) else on
        year, month, day = w.year_of_birth, w.month_of_birth, w.day_of_birth
        before = (on.month() < month) | ((on.month() == month) & (on.day() < day))
        age = on.year() - year - ibis.cases((before, 1), else_=0)
        known = month.notnull() & day.notnull()
        return ibis.cases((known, age.cast("float64")), else_=ibis.null("float64"))

    def age(self, rule: AgeRule) -> Code:
        def code(w: ir.Table) -> Any:
            age = self.age_on(w, self.as_of)
            known = age.notnull()
            return decided(holds(rule.comparator, age, rule.value) & known, known)

        return code

    def sex(self, rule: SexRule) -> Code:
        def code(w: ir.Table) -> Any:
            sex = self.sex_of(w, self.cmap)
            return decided(sex == rule.sex, sex.notnull())

        return code

    def derived(self, rule: DerivedRule) -> Code:
        quantity = DERIVED[rule.quantity]
        value: Callable[[ir.Table], Any]
        if quantity.key == "creatinine_clearance":
            cr, cr_day = self.value_in("creatinine", "mg/dL", rule.within)
            weight, _ = self.value_in("weight", "kg", None)

            def value(w: ir.Table) -> Any:
                # Cockcroft-Gault on the creatinine's date, as eligibility.derived
                age = self.age_on(w, w[cr_day])
                sex = self.sex_of(w, self.cmap)
                factor = ibis.cases(
                    (sex == "female", COCKCROFT_GAULT_FEMALE_FACTOR),
                    (sex == "male", 1.0),
                    else_=ibis.null("float64"),
                )
                return (140 - age) * w[weight] / (72 * w[cr]) * factor

        elif quantity.key in {"qtc", "qtcb"}:
            if rule.within not in self.qt:
                n = len(self.qt)
                self.qt[rule.within] = (f"qt{n}", f"hr{n}")
            qt, hr = self.qt[rule.within]
            # Fridericia (QTcF) or Bazett (QTcB), as eligibility.derived
            power = 0.5 if quantity.key == "qtcb" else 1.0 / 3.0

            def value(w: ir.Table) -> Any:
                return w[qt] / (60.0 / w[hr]) ** power

        else:
            assert quantity.key == "bmi", quantity.key  # others are unmapped stand-ins
            weight, _ = self.value_in("weight", "kg", None)
            height, _ = self.value_in("height", "cm", None)

            def value(w: ir.Table) -> Any:
                metres = w[height] / 100.0
                return w[weight] / (metres * metres)

        threshold = rule.value * conversion_factor(rule.unit, quantity.unit)

        def code(w: ir.Table) -> Any:
            v = value(w)
            known = v.notnull() & ~v.isnan()
            return ibis.cases(
                (~known, UNKNOWN), (holds(rule.comparator, v, threshold), MET), else_=NOT_MET
            )

        return code

    def diagnosis(self, rule: DiagnosisRule) -> Code:
        self.diagnosis_needed = True
        cancers = primary_cancer_ids(self.cmap)
        ids = [cid for cid, key in cancers.items() if key == rule.condition]
        refuting = contradicting_cancers(rule.condition)
        other = [cid for cid, key in cancers.items() if key in refuting]

        def code(w: ir.Table) -> Any:
            has = w.dx.fill_null(False)
            match = w.dx_concept.isin(ids).fill_null(False)
            # another cancer refutes the rule; a cancer the vocabulary cannot tell apart from
            # it leaves it unknown (as eligibility.evaluate_tumour)
            refuted = w.dx_concept.isin(other).fill_null(False)
            status = w.dx_status
            if not rule.confirmed_by:
                return ibis.cases((~has, UNKNOWN), (match, MET), (refuted, NOT_MET), else_=UNKNOWN)
            confirmed = ibis.cases(
                (status.isin(["histology", "cytology"]), status), else_=ibis.null("string")
            )
            return ibis.cases(
                (~has, UNKNOWN),
                (refuted & ~match, NOT_MET),
                (~match, UNKNOWN),
                (confirmed.isnull(), UNKNOWN),
                (confirmed.isin(list(rule.confirmed_by)), MET),
                else_=NOT_MET,
            )

        return code

    def tumour_size(self, rule: TumourSizeRule) -> Code:
        self.diagnosis_needed = True

        def millimetres(p: ir.Table) -> Any:
            return p.value * by_unit(p, self.cmap, {"cm": 10.0, "mm": 1.0})

        concept = self.cmap.tumour_size
        size_column = self.latest.add(("size", concept), concept, None, millimetres)
        scale = 10.0 if rule.unit == "cm" else 1.0

        def code(w: ir.Table) -> Any:
            size = w[size_column]
            ok: ir.BooleanValue = ibis.literal(True)
            for bound in rule.bounds:
                ok = ok & holds(bound.comparator, size.fill_null(0.0), bound.value * scale)
            known = size.notnull()
            # only a person with a diagnosis has a tumour size (reading._diagnosis)
            return ibis.cases((~w.dx.fill_null(False), UNKNOWN), else_=decided(ok & known, known))

        return code

    def history(self, kind: str, key: Any, ids: list[int], flags: Any) -> Code:
        """Met if any record hits, else unknown if any is undated, else not met.

        Closed world only for persons with an observation period: the others are unknown.
        """
        hit, undated = self.histories[kind].add(key, ids, flags)

        def code(w: ir.Table) -> Any:
            return ibis.cases(
                (~w.observed, UNKNOWN),
                (w[hit].fill_null(False), MET),
                (w[undated].fill_null(False), UNKNOWN),
                else_=NOT_MET,
            )

        return code

    @staticmethod
    def _drugs(d: ir.Table) -> ir.Table:
        return d.mutate(
            start=d.drug_exposure_start_date.cast("date"), end=d.drug_exposure_end_date.cast("date")
        )

    @staticmethod
    def _procedures(p: ir.Table) -> ir.Table:
        return p.mutate(day=p.procedure_date.cast("date"))

    @staticmethod
    def _conditions(c: ir.Table) -> ir.Table:
        return c.mutate(
            onset=c.condition_start_date.cast("date"), abate=c.condition_end_date.cast("date")
        )

    def medication(self, rule: MedicationRule) -> Code:
        ids = sorted(self.cmap.drug_classes[rule.therapy].values())
        since = self.earliest(rule.within)

        def flags(d: ir.Table) -> tuple[Any, Any]:
            received = d.start.isnull() | (d.start <= self.as_of)  # an undated start passes
            if rule.ongoing:
                hit = received & d.start.notnull() & (d.end.isnull() | (d.end >= self.as_of))
                return hit, received & d.start.isnull()
            if since is None:
                return received, ibis.literal(False)
            # no end date is an exposure still going on (MedicationRecord.end): in the window
            ongoing = d.end.isnull() & d.start.notnull()
            within = d.end.notnull() & (d.end >= since)
            undated = d.end.isnull() & d.start.isnull()
            return received & (within | ongoing), received & undated

        return self.history("drug", ("drug", rule.therapy, rule.ongoing, since), ids, flags)

    def procedure(self, rule: ProcedureRule) -> Code:
        ids = sorted(self.cmap.procedures[rule.procedure])
        since = self.earliest(rule.within)

        def flags(p: ir.Table) -> tuple[Any, Any]:
            if since is None:
                return p.day.isnull() | (p.day <= self.as_of), ibis.literal(False)
            hit = p.day.notnull() & (p.day <= self.as_of) & (p.day >= since)
            return hit, p.day.isnull()

        return self.history("procedure", ("procedure", rule.procedure, since), ids, flags)

    def condition(self, rule: ConditionRule) -> Code:
        ids = sorted(self.cmap.conditions.get(rule.condition, ()))
        since = self.earliest(rule.within)

        def flags(c: ir.Table) -> tuple[Any, Any]:
            keep = c.onset.isnull() | (c.onset <= self.as_of)
            if rule.current or rule.active:
                keep = keep & (c.abate.isnull() | (c.abate > self.as_of))
            if rule.active:
                # OMOP's condition_occurrence records no clinical status (its
                # condition_status_concept_id is the diagnosis' standing: admitting, final …):
                # a record not ended is unknown, as a record without a status is in the screen
                return ibis.literal(False), keep
            if since is None:
                hit, undated = keep, ibis.literal(False)
            else:
                hit, undated = (
                    keep & c.onset.notnull() & (c.onset >= since),
                    keep & c.onset.isnull(),
                )
            if rule.qualifier is not None:
                # words no record shows ('that required steroids', rules.QUALIFIER): a record
                # found is unknown, none is not met, as in the screen
                return ibis.literal(False), hit | undated
            return hit, undated

        qualified = rule.qualifier is not None
        key = ("condition", rule.condition, rule.current, rule.active, since, qualified)
        return self.history("condition", key, ids, flags)

    # ------------------------------------------------------------------ the wide row
    def persons(self) -> ir.Table:
        """The persons alive on the as-of date, with what person-level rules read."""
        death = self.t["death"]
        dead = death.filter(death.death_date.cast("date") <= self.as_of).select("person_id")
        person = self.t["person"]
        # NOT IN rather than an anti join: Ibis writes PostgreSQL's as "LEFT ANTI JOIN"
        alive = person.filter(person.person_id.notin(dead.person_id))
        # A join, not "person_id IN (SELECT ...)": PostgreSQL copies a column's expression
        # into every rule that reads it, and each copy of the IN would scan the table again.
        period = self.t["observation_period"].select("person_id").distinct()
        period = period.mutate(in_period=ibis.literal(True))
        joined = alive.left_join(period, "person_id")
        return joined.select(
            alive.person_id,
            alive.gender_concept_id,
            alive.year_of_birth,
            alive.month_of_birth,
            alive.day_of_birth,
            observed=period.in_period.fill_null(False),
        )

    def build_wide(self) -> ir.Table:
        """One row per person: the few pivots joined, then every leaf's code as a column."""
        parts: list[ir.Table] = []
        pivots = [self.latest.table(), *(h.table() for h in self.histories.values())]
        parts.extend(p for p in pivots if p is not None)
        if self.diagnosis_needed:
            cancers = sorted(primary_cancer_ids(self.cmap))
            parts.append(first_diagnosis(self.t["condition_occurrence"], cancers))
        for window, names in self.qt.items():
            m = self.t["measurement"]
            parts.append(
                qt_pair(m, self.cmap, self.as_of, self.earliest(window), names, self.spellings)
            )
        wide = self.persons()
        for part in parts:
            joined = wide.left_join(part, "person_id")
            wide = joined.select(wide, *(part[c] for c in part.columns if c != "person_id"))
        codes = {column: code(wide).cast("int8") for column, code in self.leaves.items()}
        codes.update({c: ibis.literal(code, type="int8") for c, code in self.constants.items()})
        self.wide = wide.mutate(**codes)
        return self.wide

    def leaf(self, rule: Rule) -> Code | None:
        """The leaf's code over the wide row (None: unknown for everyone)."""
        kinds: dict[type[Any], Callable[[Any], Code | None]] = {
            LabRule: self.lab,
            LabResultRule: self.lab_result,
            PerformanceStatusRule: self.performance,
            BiomarkerRule: self.biomarker,
            AgeRule: self.age,
            SexRule: self.sex,
            DerivedRule: self.derived,
            DiagnosisRule: self.diagnosis,
            TumourSizeRule: self.tumour_size,
            MedicationRule: self.medication,
            ProcedureRule: self.procedure,
            ConditionRule: self.condition,
        }
        if type(rule) not in kinds:
            raise RuleError(f"rule {rule.id}: kind {rule.kind!r} is not compiled to SQL")
        return kinds[type(rule)](rule)

    # ------------------------------------------------------------------ the tree
    def collect(self, rule: Rule) -> None:
        """Register every leaf below ``rule`` (first pass, before the wide row is built)."""
        if isinstance(rule, JudgementRule):
            return
        if isinstance(rule, NotRule | AllOfRule | AnyOfRule | ConditionalRule):
            for part in children(rule):
                self.collect(part)
            return
        if rule.id in self.columns:
            return
        column = f"c{len(self.columns)}"
        self.columns[rule.id] = column
        code = self.leaf(rule)
        if code is None:
            self.constants[column] = UNKNOWN
        else:
            self.leaves[column] = code

    def code(self, rule: Rule) -> ir.IntegerValue:
        """The rule's code: a column of ``self.wide`` (its stage was added before)."""
        if isinstance(rule, JudgementRule):
            return ibis.literal(INVESTIGATOR, type="int8")
        assert self.wide is not None
        return self.wide[self.columns[rule.id]]

    def composite(self, rule: Rule) -> ir.IntegerValue:
        """A composite rule's code from its parts' columns (each referenced once or twice)."""
        if isinstance(rule, NotRule):
            return lookup(self.code(rule.rule), NOT)
        if isinstance(rule, AllOfRule | AnyOfRule):
            return combine([self.code(r) for r in rule.rules], isinstance(rule, AllOfRule))
        assert isinstance(rule, ConditionalRule)
        when, then = self.code(rule.when), self.code(rule.then)
        other = self.code(rule.otherwise) if rule.otherwise is not None else ibis.literal(MET)
        index = when.cast("int64") * 16 + then.cast("int64") * 4 + other.cast("int64")
        return lookup(index, CONDITIONAL)

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


def compile_query(
    eligibility: Eligibility,
    tables: dict[str, ir.Table],
    cmap: ConceptMap,
    as_of: dt.date,
    *,
    spellings: tuple[str, ...] | None = None,
) -> CompiledQuery:
    """One expression for the whole trial: a row per person alive on ``as_of``.

    ``spellings``: the warehouse's unit spellings (``sources.source_spellings``), when
    ``tables`` are a slice of the persons (read on the whole table, not on the slice).
    """
    c = _Compiler(tables, cmap, as_of, spellings)
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
        criteria[REGISTRY] = combine([c.code(r) for r in registry], True)
    for criterion in eligibility.criteria:
        out.kinds[criterion.id] = criterion.kind
        if not criterion.rules or criterion.unread:
            # unread words make the item a checklist item (eligibility.logic)
            criteria[criterion.id] = ibis.literal(INVESTIGATOR)
        else:
            parts = [c.code(r) for r in criterion.rules]
            criteria[criterion.id] = combine(parts, criterion.kind is not CriterionKind.EXCLUSION)
    # headings decided by their sub-items, deepest first (eligibility.sublists)
    tree = combine_headings(eligibility.criteria, criteria, combine)
    out.criterion_columns = {cid: f"k{k}" for k, cid in enumerate(criteria)}
    staged = c.wide.mutate(
        **{out.criterion_columns[cid]: code.cast("int8") for cid, code in criteria.items()}
    )
    fails: Any = ibis.literal(False)
    unknown: Any = ibis.literal(False)
    for cid, column in out.criterion_columns.items():
        if cid != REGISTRY and cid not in tree.deciding:
            continue
        code = staged[column]
        fails = fails | (code == (MET if out.kinds[cid] == CriterionKind.EXCLUSION else NOT_MET))
        unknown = unknown | (code == UNKNOWN)
    overall = ibis.cases((fails, NOT_MET), (unknown, UNKNOWN), else_=MET).cast("int8")
    out.rule_columns = dict(c.columns)
    # rules reading the same analyte in the same window share one evidence column
    out.evidence_columns = {rule: f"e{column}" for rule, column in c.evidence.items()}
    evidence = {f"e{column}": staged[column] for column in c.evidence.values()}
    out.expr = staged.select(
        "person_id",
        *out.criterion_columns.values(),
        **evidence,
        overall=overall,
    ).order_by("person_id")
    return out
