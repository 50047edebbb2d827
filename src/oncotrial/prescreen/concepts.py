"""The OMOP concept map shipped with oncotrial, and what it leaves unmapped in a protocol.

``data/omop_concepts.json`` maps every key the eligibility rules use (analytes, conditions, drug
classes, procedures, biomarkers, units) to OMOP standard concept ids, with the source code
(LOINC, SNOMED CT, ATC/RxNorm, UCUM) beside each id and the Athena vocabulary release it was
written against. A drug class lists its ingredients (the class's descendants in RxNorm): OMOP
records drugs below the class, so a class rule matches any of them.

A rule whose concept has no entry cannot be decided from a warehouse: ``map_eligibility``
replaces it by a rule that is unknown for every patient (in the SQL path and in the in-memory
reference alike) and returns it in the report, so that it is never silently "not met".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from oncotrial.eligibility.concepts import CONDITION_IMPLIED
from oncotrial.eligibility.criteria import Criterion, Eligibility
from oncotrial.eligibility.rules import (
    AllergyRule,
    AllOfRule,
    AnyOfRule,
    BiomarkerRule,
    CnsMetastasesRule,
    ConditionalRule,
    ConditionRule,
    DerivedRule,
    DiagnosisRule,
    LabResultRule,
    LabRule,
    LesionRule,
    MedicationRule,
    NotRule,
    OtherMalignancyRule,
    PerformanceStatusRule,
    PriorLinesRule,
    ProcedureRule,
    RegimenRule,
    Rule,
    SexRule,
    StageRule,
    ToxicityRule,
    TumourSizeRule,
)
from oncotrial.simulate.omop import OmopVocabulary

__all__ = [
    "UNMAPPED_MARKER",
    "ConceptMap",
    "Correction",
    "Source",
    "Unmapped",
    "Verification",
    "concept_map",
    "map_eligibility",
    "unverified_criteria",
]

# The marker of the stand-in rule: no record ever carries it, so the rule is unknown everywhere.
UNMAPPED_MARKER = "(no OMOP mapping)"
_DERIVED_INPUTS = {
    "creatinine_clearance": ("creatinine", "weight"),
    "qtc": ("qt", "heart_rate"),
    "qtcb": ("qt", "heart_rate"),
    "bmi": ("weight", "height"),
}


@dataclass(frozen=True)
class Source:
    """Where a concept id was seen with its name: a public file at a commit."""

    concept_id: int
    concept_name: str
    repository: str
    path: str
    commit: str
    vocabulary_id: str | None = None  # as the source states them (some state only the name)
    concept_code: str | None = None


@dataclass(frozen=True)
class Correction:
    """An id a public source contradicted, and what replaced it (None: the entry was removed)."""

    entry: str
    was: int
    now: int | None
    why: str


@dataclass(frozen=True)
class Verification:
    entries: int
    checked_entries: int
    concept_ids: int
    checked_ids: int
    unverified: dict[str, tuple[int, ...]]
    corrections: tuple[Correction, ...]

    def lines(self) -> list[str]:
        """The report: counts, then each unverified entry and each correction."""
        out = [
            f"{self.checked_ids} of {self.concept_ids} concept ids confirmed in public sources "
            f"({self.checked_entries} of {self.entries} entries); "
            f"{self.concept_ids - self.checked_ids} unverified, {len(self.corrections)} corrected",
        ]
        out += [
            f"unverified: {key} ({', '.join(map(str, ids))})"
            for key, ids in self.unverified.items()
        ]
        out += [
            f"corrected: {c.entry} {c.was} -> {c.now if c.now is not None else 'removed'}"
            for c in self.corrections
        ]
        return out


@dataclass(frozen=True)
class ConceptMap:
    version: str
    cdm_version: str
    vocabulary_version: str
    units: dict[str, int]  # unit spelling -> unit_concept_id
    measurements: dict[str, int]  # analyte -> measurement_concept_id
    performance: dict[str, int]  # scale -> measurement_concept_id
    tumour_size: int
    biomarkers: dict[str, int]
    conditions: dict[str, tuple[int, ...]]  # a broader condition includes its narrower ones
    other_cancers: dict[str, int]
    drug_classes: dict[str, dict[str, int]]  # class -> ingredient name -> concept id
    procedures: dict[str, tuple[int, ...]]  # surgery includes major surgery's ids
    value_concepts: dict[int, str]
    gender: dict[str, int]
    raw_procedures: dict[str, tuple[int, ...]] = field(default_factory=dict)  # as in the file
    raw_conditions: dict[str, tuple[int, ...]] = field(default_factory=dict)  # as in the file
    codes: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (vocabulary, code)
    # entry ("table.key") -> for each of its concept ids, where it was seen with its name
    # (repository, path, commit; vocabulary and code where the source states them)
    checked: dict[str, tuple[Source, ...]] = field(default_factory=dict)
    # entry -> the concept ids of it no public source confirmed
    unconfirmed: dict[str, tuple[int, ...]] = field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()

    def unverified(self, keys: list[str]) -> list[str]:
        """Those of ``keys`` whose concept ids no public source confirmed."""
        return [key for key in keys if key not in self.checked]

    def entry_ids(self) -> dict[str, tuple[int, ...]]:
        """Every entry ("table.key") of the map with its concept ids, in the file's order."""
        out: dict[str, tuple[int, ...]] = {f"gender.{k}": (v,) for k, v in self.gender.items()}
        out.update({f"value_concepts.{cid}": (cid,) for cid in self.value_concepts})
        out.update({f"units.{k}": (v,) for k, v in self.units.items()})
        tables: tuple[tuple[str, dict[str, int]], ...] = (
            ("measurements", self.measurements),
            ("performance_status", self.performance),
            ("biomarkers", self.biomarkers),
        )
        for table, ids in tables:
            out.update({f"{table}.{k}": (v,) for k, v in ids.items()})
        out.update({f"other_primary_cancers.{k}": (v,) for k, v in self.other_cancers.items()})
        out.update({f"conditions.{k}": v for k, v in self.raw_conditions.items()})
        out.update({f"procedures.{k}": v for k, v in self.raw_procedures.items()})
        out.update({f"drug_classes.{k}": tuple(v.values()) for k, v in self.drug_classes.items()})
        out["tumour_size"] = (self.tumour_size,)
        return out

    def verification(self) -> Verification:
        """How much of the map public sources confirmed: the concept-map report.

        Computed from the entries and the 'checked' citations, so an entry added without one
        counts as unverified whatever the file's 'unverified' list says.
        """
        entries = self.entry_ids()
        confirmed = {s.concept_id for sources in self.checked.values() for s in sources}
        ids = {cid for cids in entries.values() for cid in cids}
        unverified = {
            key: tuple(cid for cid in cids if cid not in confirmed) or cids
            for key, cids in entries.items()
            if key not in self.checked
        }
        return Verification(
            entries=len(entries),
            checked_entries=len(entries) - len(unverified),
            concept_ids=len(ids),
            checked_ids=len(ids & confirmed),
            unverified=unverified,
            corrections=self.corrections,
        )

    @property
    def unverified_units(self) -> list[str]:
        return self.unverified([f"units.{unit}" for unit in self.units])

    @property
    def unit_of(self) -> dict[int, str]:
        return {cid: unit for unit, cid in self.units.items()}

    def vocabulary(self) -> OmopVocabulary:
        """What the (pure) synthetic-population generator needs of the map."""
        return OmopVocabulary(
            gender=dict(self.gender),
            units=dict(self.units),
            measurements=dict(self.measurements),
            performance=dict(self.performance),
            tumour_size=self.tumour_size,
            biomarkers=dict(self.biomarkers),
            conditions={k: v[0] for k, v in self.conditions.items()},
            other_cancers=dict(self.other_cancers),
            drugs={k: tuple(v.values()) for k, v in self.drug_classes.items()},
            procedures={k: v[0] for k, v in self.procedures.items()},
            positive=next(c for c, v in self.value_concepts.items() if v == "positive"),
            negative=next(c for c, v in self.value_concepts.items() if v == "negative"),
        )


def _pairs(raw: dict[str, Any], vocab: str, codes: dict[int, tuple[str, str]]) -> dict[str, int]:
    out = {}
    for key, (cid, code) in raw.items():
        out[key] = int(cid)
        codes[int(cid)] = (vocab, code)
    return out


@cache
def concept_map() -> ConceptMap:
    """The shipped map (read once)."""
    text = (
        resources.files("oncotrial.prescreen")
        .joinpath("data/omop_concepts.json")
        .read_text(encoding="utf-8")
    )
    raw = json.loads(text)
    codes: dict[int, tuple[str, str]] = {}
    conditions = {
        key: tuple(int(cid) for cid, _ in entries) for key, entries in raw["conditions"].items()
    }
    procedures = {
        key: tuple(int(cid) for cid, _ in entries) for key, entries in raw["procedures"].items()
    }
    for table in ("conditions", "procedures"):
        for entries in raw[table].values():
            for cid, code in entries:
                codes[int(cid)] = ("SNOMED", code)
    raw_procedures = dict(procedures)
    raw_conditions = dict(conditions)
    # A narrower condition is also the broader one (eligibility.concepts.CONDITION_IMPLIED: an
    # inflammatory bowel disease is an autoimmune disease): one list per key, each id declared
    # once in the file
    for narrow, broader in CONDITION_IMPLIED.items():
        for key in broader:
            if narrow in conditions and key in conditions:
                conditions[key] = tuple(dict.fromkeys(conditions[key] + raw_conditions[narrow]))
    # Surgery includes major surgery (eligibility.concepts.IMPLIED): one list per key.
    if "major_surgery" in procedures and "surgery" in procedures:
        procedures["surgery"] = tuple(
            dict.fromkeys(procedures["surgery"] + procedures["major_surgery"])
        )
    size_id, size_code = raw["tumour_size"]
    codes[int(size_id)] = ("LOINC", size_code)
    return ConceptMap(
        version=raw["version"],
        cdm_version=raw["cdm_version"],
        vocabulary_version=raw["vocabulary_version"],
        units={k: int(v) for k, v in raw["units"].items()},
        measurements=_pairs(raw["measurements"], "LOINC", codes),
        performance=_pairs(raw["performance_status"], "LOINC", codes),
        tumour_size=int(size_id),
        biomarkers=_pairs(raw["biomarkers"], "LOINC", codes),
        conditions=conditions,
        other_cancers=_pairs(raw["other_primary_cancers"], "SNOMED", codes),
        drug_classes={
            k: {name: int(cid) for name, cid in v["ingredients"].items()}
            for k, v in raw["drug_classes"].items()
        },
        procedures=procedures,
        value_concepts={int(k): v for k, v in raw["value_concepts"].items()},
        gender={k: int(v) for k, v in raw["gender"].items()},
        raw_procedures=raw_procedures,
        raw_conditions=raw_conditions,
        codes=codes,
        checked={
            key: tuple(_source(s) for s in sources)
            for key, sources in raw.get("checked", {}).items()
        },
        unconfirmed={
            key: tuple(int(cid) for cid in entry["concept_ids"])
            for key, entry in raw.get("unverified", {}).items()
        },
        corrections=tuple(
            Correction(c["entry"], int(c["was"]), c["now"], c["why"])
            for c in raw.get("corrections", [])
        ),
    )


def _source(raw: dict[str, Any]) -> Source:
    return Source(
        concept_id=int(raw["concept_id"]),
        concept_name=str(raw["concept_name"]),
        repository=str(raw["repository"]),
        path=str(raw["path"]),
        commit=str(raw["commit"]),
        vocabulary_id=raw.get("vocabulary_id") or None,
        concept_code=raw.get("concept_code") or None,
    )


@dataclass(frozen=True)
class Unmapped:
    rule_id: str
    description: str
    reason: str


def _why_unmapped(rule: Rule, cmap: ConceptMap) -> str | None:
    if isinstance(rule, LabRule | LabResultRule):
        return None if rule.analyte in cmap.measurements else f"analyte {rule.analyte!r}"
    if isinstance(rule, DerivedRule):
        if rule.quantity not in _DERIVED_INPUTS:
            return f"derived quantity {rule.quantity!r} (not compiled to SQL yet)"
        missing = [a for a in _DERIVED_INPUTS[rule.quantity] if a not in cmap.measurements]
        return f"analytes {missing}" if missing else None
    if isinstance(rule, PerformanceStatusRule):
        return None if rule.scale in cmap.performance else f"{rule.scale} performance status"
    if isinstance(rule, DiagnosisRule | ConditionRule):
        return None if rule.condition in cmap.conditions else f"condition {rule.condition!r}"
    if isinstance(rule, MedicationRule):
        if rule.daily_dose is not None:
            return "medication dose (drug_exposure doses are not compiled to SQL yet)"
        if rule.within is not None and rule.within.half_lives is not None:
            # the screen decides on the days where they decide, else unknown (rule_window)
            return "a window of half-lives (not compiled to SQL yet)"
        if rule.therapy == "systemic_corticosteroid":
            # an ingredient's descendants include its eye drops and creams: not systemic
            return "systemic corticosteroids (the route is not compiled to SQL yet)"
        return None if rule.therapy in cmap.drug_classes else f"drug class {rule.therapy!r}"
    if isinstance(rule, ProcedureRule):
        if rule.site is not None:
            return "radiotherapy site (procedure body sites are not compiled to SQL yet)"
        return None if rule.procedure in cmap.procedures else f"procedure {rule.procedure!r}"
    if isinstance(rule, BiomarkerRule):
        if rule.variant is not None:
            # the measurement's value concept says positive or negative, not which variant: a
            # mapping to it would pass every positive result (looser than the rule)
            return "biomarker variant (OMOP measurement values name no variant; not compiled yet)"
        return None if rule.marker.upper() in cmap.biomarkers else f"biomarker {rule.marker!r}"
    if isinstance(rule, StageRule):
        return "TNM stage (OMOP cancer modifiers are not read yet)"
    if isinstance(rule, RegimenRule | PriorLinesRule):
        return "treatment lines (the OMOP oncology episode tables are not read yet)"
    if isinstance(rule, LesionRule):
        return "tumour lesions (not in the OMOP CDM core tables)"
    if isinstance(rule, OtherMalignancyRule):
        return "other malignancy (telling the cancer under study apart is not compiled to SQL yet)"
    if isinstance(rule, CnsMetastasesRule):
        return "brain metastases treated and stable (their status is not in the OMOP CDM tables)"
    if isinstance(rule, AllergyRule):
        # OMOP CDM 5.4 has no allergy table: allergies are observations of concepts such as
        # 'Allergy to drug' whose substance is coded in several ways; none is compiled yet
        return "allergies (the OMOP CDM has no allergy table; not compiled to SQL yet)"
    if isinstance(rule, ToxicityRule):
        # condition_occurrence holds diagnoses, not CTCAE-graded adverse events of a therapy
        # with a baseline grade: nothing in the CDM says a toxicity is graded or resolved
        return "toxicities of prior therapy (no CTCAE grades in the OMOP CDM; not compiled)"
    if isinstance(rule, TumourSizeRule):
        return None
    return None


def _stand_in(rule: Rule, reason: str) -> BiomarkerRule:
    # Constructed without validation: the marker is deliberately none the vocabulary knows.
    return BiomarkerRule.model_construct(
        kind="biomarker",
        id=rule.id,
        description=f"{rule.description} — no OMOP mapping ({reason}): unknown",
        marker=UNMAPPED_MARKER,
        status="detected",
    )


def _map_rule(rule: Rule, cmap: ConceptMap, found: list[Unmapped]) -> Rule:
    if isinstance(rule, NotRule):
        return rule.model_copy(update={"rule": _map_rule(rule.rule, cmap, found)})
    if isinstance(rule, AllOfRule | AnyOfRule):
        parts = tuple(_map_rule(r, cmap, found) for r in rule.rules)
        return rule.model_copy(update={"rules": parts})
    if isinstance(rule, ConditionalRule):
        update: dict[str, Rule | None] = {
            "when": _map_rule(rule.when, cmap, found),
            "then": _map_rule(rule.then, cmap, found),
            "otherwise": (
                _map_rule(rule.otherwise, cmap, found) if rule.otherwise is not None else None
            ),
        }
        return rule.model_copy(update=update)
    reason = _why_unmapped(rule, cmap)
    if reason is None:
        return rule
    found.append(Unmapped(rule.id, rule.description, reason))
    return _stand_in(rule, reason)


def map_eligibility(
    eligibility: Eligibility, cmap: ConceptMap | None = None
) -> tuple[Eligibility, list[Unmapped]]:
    """``eligibility`` with every unmapped rule made unknown, and the list of those rules."""
    cmap = cmap or concept_map()
    found: list[Unmapped] = []

    def mapped(items: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
        return tuple(
            c.model_copy(update={"rules": tuple(_map_rule(r, cmap, found) for r in c.rules)})
            for c in items
        )

    update = {
        "inclusion": mapped(eligibility.inclusion),
        "exclusion": mapped(eligibility.exclusion),
    }
    return eligibility.model_copy(update=update), found


_RESULT_VALUES = "value_concepts.*"  # every positive / negative value concept (expanded below)


def _concept_keys(rule: Rule) -> list[str]:
    """The map entries ("table.key") whose concept ids decide ``rule``."""
    if isinstance(rule, NotRule):
        return _concept_keys(rule.rule)
    if isinstance(rule, AllOfRule | AnyOfRule):
        return [key for part in rule.rules for key in _concept_keys(part)]
    if isinstance(rule, ConditionalRule):
        parts = [rule.when, rule.then] + ([rule.otherwise] if rule.otherwise is not None else [])
        return [key for part in parts for key in _concept_keys(part)]
    if isinstance(rule, LabRule | LabResultRule):
        return [f"measurements.{rule.analyte}"]
    if isinstance(rule, DerivedRule):
        return [f"measurements.{a}" for a in _DERIVED_INPUTS.get(rule.quantity, ())]
    if isinstance(rule, PerformanceStatusRule):
        return [f"performance_status.{rule.scale}"]
    if isinstance(rule, DiagnosisRule | ConditionRule):
        return [f"conditions.{rule.condition}"]
    if isinstance(rule, MedicationRule):
        return [f"drug_classes.{rule.therapy}"]
    if isinstance(rule, ProcedureRule):
        return [f"procedures.{rule.procedure}"]
    if isinstance(rule, BiomarkerRule):
        if rule.marker == UNMAPPED_MARKER:
            return []
        # The status is read from value_as_concept_id (positive / negative concepts).
        return [f"biomarkers.{rule.marker.upper()}", _RESULT_VALUES]
    if isinstance(rule, TumourSizeRule):
        return ["tumour_size"]
    if isinstance(rule, SexRule):
        return ["gender.male", "gender.female"]
    return []


def unverified_criteria(
    eligibility: Eligibility, cmap: ConceptMap | None = None
) -> dict[str, list[str]]:
    """Criterion id -> the unverified map entries it rests on (criteria with none are left out).

    Provenance, never silent: a wrong concept id would misclassify every patient without a
    trace, so the prescreening output names each criterion that depends on an id no public
    source confirmed (the map's 'checked' entries cite theirs).
    """
    cmap = cmap or concept_map()
    out: dict[str, list[str]] = {}
    for criterion in eligibility.criteria:
        keys = [k for rule in criterion.rules for k in _concept_keys(rule)]
        if _RESULT_VALUES in keys:
            results = [
                f"value_concepts.{cid}"
                for cid, label in cmap.value_concepts.items()
                if label in ("positive", "negative")
            ]
            at = keys.index(_RESULT_VALUES)
            keys = [k for k in keys[:at] + results + keys[at:] if k != _RESULT_VALUES]
        missing = cmap.unverified(list(dict.fromkeys(keys)))
        if missing:
            out[criterion.id] = missing
    return out
