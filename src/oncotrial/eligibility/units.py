"""Units of laboratory values: a closed table of accepted spellings, converted with pint.

Lab reports spell units many ways (``×10^9/L``, ``10⁹/L``, ``G/L``, ``/mm³``, ``cells/µL``,
``gm/dl``, ``μmol/L``). Every accepted spelling is listed here and mapped to a pint expression;
pint does the arithmetic (it is maintained, and its definitions are tested upstream). A spelling
that is not in the table is an error, never a guess: pint alone would read ``MG/DL`` as
megagrams per decilitre and ``G/L`` as gauss per litre.

Case: spellings match exactly first; otherwise case-insensitively when only one accepted unit
has that spelling (``MG/DL`` → mg/dL). ``G/L`` (giga per litre, 10^9/L, a haematology unit in
Europe) and ``g/L`` (grams per litre) differ only by case, so each must be written as listed.

Mass and amount-of-substance concentrations convert through a molar mass (creatinine
113.12 g/mol, bilirubin 584.66 g/mol, calcium 40.078 g/mol; see ``oncotrial.eligibility.analytes``)
and only when the caller gives one. IU and U are the same unit here: the enzyme unit (1 µmol/min)
is the international unit of enzyme activity, and hormone assays (TSH) use mIU/L and mU/L
interchangeably.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from oncotrial.errors import DictionaryError, RuleError

if TYPE_CHECKING:
    import pint

__all__ = [
    "Unit",
    "accepted_units",
    "compatible",
    "conversion_factor",
    "convert",
    "normalise_spelling",
    "parse_unit",
]

# accepted spelling → pint expression. Spellings are after ``normalise_spelling`` (no spaces,
# µ/μ written u, superscripts and ×10^ prefixes unified).
_COUNT = {
    "10^9/L": "1e9/L",
    "G/L": "1e9/L",
    "10^12/L": "1e12/L",
    "T/L": "1e12/L",
    "10^6/L": "1e6/L",
    "10^3/uL": "1e3/uL",
    "10^3/mm^3": "1e3/mm**3",
    "10^6/uL": "1e6/uL",
    "K/uL": "1e3/uL",
    # 'ANC ≥ 1.5 K/cumm' (NCT06374459 I10.2, jwlieb/clinical-trial-agent data/demo @387df17):
    # thousands per cubic millimetre, the same as per microlitre
    "K/mm^3": "1e3/mm**3",
    "/uL": "1/uL",
    "/mm^3": "1/mm**3",
    "/L": "1/L",
    "/nL": "1/nL",
    # viral loads: copies of the genome per volume (a count)
    "copies/mL": "1/mL",
}
_MASS = ("g", "mg", "ug", "ng", "pg")
_VOLUME = ("L", "dL", "mL")
_AMOUNT = ("mol", "mmol", "umol", "nmol", "pmol")
_OTHER = {
    "U/L": "enzyme_unit/L",
    "IU/L": "enzyme_unit/L",
    "mU/L": "mU/L",
    "mIU/L": "mU/L",
    "uIU/mL": "uU/mL",
    "uU/mL": "uU/mL",
    "mIU/mL": "mU/mL",
    "IU/mL": "enzyme_unit/mL",
    "U/mL": "enzyme_unit/mL",
    "kU/L": "kU/L",
    "mL/min": "mL/min",
    # per 1.73 m² of body surface: a GFR normalised to a standard body size (KDIGO); pint keeps
    # the volume rate, the quantity (eGFR, not clearance) is the rule's
    "mL/min/1.73m^2": "mL/min",
    "L/h": "L/h",
    "/min": "1/min",
    "beats/min": "1/min",
    "bpm": "1/min",
    "s": "s",
    "ms": "ms",
    "min": "min",
    "h": "h",
    "d": "day",
    "mmHg": "mmHg",
    "kg": "kg",
    "g": "g",
    "lb": "lb",
    "cm": "cm",
    "mm": "mm",
    "m": "m",
    "in": "inch",
    "kg/m^2": "kg/m**2",
    "g/24h": "g/day",
    "mg/24h": "mg/day",
    "g/d": "g/day",
    "mg/d": "mg/day",
    # 'mg/day': the spelling of medication lists and of criteria ('> 10 mg/day prednisone')
    "g/day": "g/day",
    "mg/day": "mg/day",
    "%": "percent",
    # a mass ratio (urine protein/creatinine): dimensionless, 1 mg/mg = 1 g/g = 1000 mg/g
    "mg/mg": "mg/mg",
    "g/g": "g/g",
    "mg/g": "mg/g",
    # … and per millimole of creatinine (UK laboratories): converted by creatinine's molar mass,
    # the ratio analyte's (analytes 'upcr')
    "mg/mmol": "mg/mmol",
    "1": "dimensionless",
    "{ratio}": "dimensionless",
}


def _table() -> dict[str, str]:
    table = dict(_COUNT)
    for mass in _MASS:
        for volume in _VOLUME:
            table[f"{mass}/{volume}"] = f"{mass}/{volume}"
    for amount in _AMOUNT:
        for volume in ("L", "mL"):
            table[f"{amount}/{volume}"] = f"{amount}/{volume}"
    table.update(_OTHER)
    return table


_TABLE = _table()
# Lower-case litres are common ('mg/dl', 'g/l'); they are unambiguous once the mass or amount is
# read, so each maps to its canonical spelling ('g/l' → g/L, never G/L).
_ALIASES = {
    f"{a}/{v.lower()}": f"{a}/{v}"
    for a in (*_MASS, *_AMOUNT)
    for v in _VOLUME
    if f"{a}/{v}" in _TABLE
}
_FOLDED: dict[str, list[str]] = {}
for _spelling in _TABLE:
    _FOLDED.setdefault(_spelling.casefold(), []).append(_spelling)

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# CJK compatibility "squared" unit characters of Korean and Japanese text (Unicode block
# U+3380-33FF): '㎕' is µL, '㎎' mg, '㎗' dL
_SQUARED = str.maketrans(
    {"㎕": "uL", "㎖": "mL", "㎗": "dL", "ℓ": "L", "㎎": "mg", "㎍": "ug", "㎏": "kg", "㎜": "mm"}
)


def normalise_spelling(text: str) -> str:
    """Unify the typography of a unit: spaces, µ/μ, superscripts, '×10^9', 'mm3', 'cells/'."""
    s = text.strip().translate(_SQUARED).replace("µ", "u").replace("μ", "u").replace("\\", "")
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "10^" + m.group(1).translate(_SUPERSCRIPT), s)
    s = s.translate(_SUPERSCRIPT)
    # '× 109/L': a superscript lost in copying (10⁹ → 109); only after '×', before '/'
    s = re.sub(r"^[×xX*·]10(9|12|3|6)/", r"10^\1/", s)
    s = re.sub(r"^[×xX*·]\s*(?=10)", "", s)  # '×10^9/L' → '10^9/L'
    s = re.sub(r"^10(?:\*|\*\*|[eE])(\d+)", r"10^\1", s)  # UCUM '10*9/L', '10E9/L'
    s = re.sub(r"^10\((\d+)\)", r"10^\1", s)  # '10(9)/L', a superscript written in brackets
    s = re.sub(r"^10'(\d+)", r"10^\1", s)  # "1.5 x 10'9/L" (NCT06182072 I5.1): ' for ^
    s = re.sub(r"(?i)mm\^?3|mm³|cumm", "mm^3", s)
    s = re.sub(r"(?i)/cmm$", "/mm^3", s)  # 'cmm', cubic millimetre: '100,000/cmm'
    s = re.sub(r"(?i)^/mmc$", "/mm^3", s)  # Italian 'millimetro cubo': '/mmc' is per mm³
    s = re.sub(r"(?i)^cells?/", "/", s)  # 'cell/uL' (NCT04679012 I8.1; development records)
    s = re.sub(r"(?i)^(10\^\d+)cells/", r"\1/", s)  # '10^9 cells/L'
    s = re.sub(r"(?i)^milli-?seconds?$", "ms", s)
    s = re.sub(r"(?i)^percent$", "%", s)
    # 'Platelets >= 100,000/microliter' (NCT05630794 I6, jwlieb/clinical-trial-agent data/demo
    # @387df17): the unit written as a word; "Platelets: >=100,000/microL" (NCT05797246 I7.4)
    s = re.sub(r"(?i)micro-?(?:lit(?:er|re)s?|L)$", "uL", s)
    s = re.sub(r"(?i)^millimet(?:er|re)s?ofmercury(?:\(mmHg\))?$", "mmHg", s)
    s = re.sub(r"(?i)^mmhg$", "mmHg", s)
    s = re.sub(r"(?i)^per(?=mm|ul|mcl|l$|nl)", "/", s)  # 'per mm3'
    s = re.sub(r"mc[lL]$", "uL", s)  # '/mcL', NCI's spelling of per microlitre
    s = re.sub(r"(?i)^(?:gm|gms)/", "g/", s)
    s = re.sub(r"(?i)^(m?g)/100ml$", r"\1/dL", s)  # 'mg/100 mL', the older spelling of mg/dL
    s = re.sub(r"(?i)^(?:g|gm|gms|gr)%$", "g/dL", s)  # 'g%': grams per 100 mL, the older g/dL
    s = re.sub(r"(?i)^mg%$", "mg/dL", s)  # 'mg%' (milligram per cent): mg per 100 mL, mg/dL
    s = re.sub(r"(?i)/24-?h(?:rs?|ours?)?$", "/24h", s)
    s = re.sub(r"(?i)^(?:m?sec)$", lambda m: "ms" if m.group(0).lower() == "msec" else "s", s)
    s = re.sub(r"(?i)^beats?/min(?:ute)?$", "beats/min", s)
    s = re.sub(r"m2$|m²$", "m^2", s)
    s = re.sub(r"(?i)^(ml)/min(?:ute)?$", "mL/min", s)
    s = re.sub(r"(?i)^ml/min/1\.73m(?:\^?2|²)$", "mL/min/1.73m^2", s)
    s = re.sub(r"(?i)^ratio$", "{ratio}", s)
    return s


@dataclass(frozen=True)
class Unit:
    """An accepted unit: its canonical spelling and the pint quantity it stands for."""

    spelling: str
    expression: str

    def __str__(self) -> str:
        return self.spelling


@cache
def _registry() -> pint.UnitRegistry[Any]:
    # pint (and the numpy and scipy it imports) loads on the first real conversion only: loading
    # a protocol checks its units without it (see ``_same_kind``), so the CLI starts fast.
    import pint

    registry: pint.UnitRegistry[Any] = pint.UnitRegistry()
    return registry


# The families of the table whose members convert to one another by construction (a power of
# ten, and the molar mass between mass and amount); ``compatible`` answers for them without
# pint. A test checks every pair against pint.
_FAMILY: dict[str, str] = {
    **dict.fromkeys(_COUNT, "count/volume"),
    **{f"{m}/{v}": "mass/volume" for m in _MASS for v in _VOLUME},
    **{f"{a}/{v}": "amount/volume" for a in _AMOUNT for v in ("L", "mL")},
}


def _same_kind(a: Unit, b: Unit, molar_mass: float | None) -> bool:
    """Whether two accepted units surely convert, known without pint (False: ask pint)."""
    if a.expression == b.expression:
        return True
    kinds = {_FAMILY.get(a.spelling), _FAMILY.get(b.spelling)}
    if None in kinds:
        return False
    return len(kinds) == 1 or (kinds == {"mass/volume", "amount/volume"} and molar_mass is not None)


@lru_cache(maxsize=1024)
def parse_unit(text: str) -> Unit:
    """The accepted unit written ``text``; an unknown or ambiguous spelling is an error."""
    spelling = normalise_spelling(text)
    spelling = _ALIASES.get(spelling, spelling)
    if spelling in _TABLE:
        return Unit(spelling, _TABLE[spelling])
    candidates = _FOLDED.get(spelling.casefold(), [])
    if len({_TABLE[c] for c in candidates}) == 1:
        return Unit(candidates[0], _TABLE[candidates[0]])
    if candidates:
        raise DictionaryError(
            f"the unit {text!r} is ambiguous: it could be {' or '.join(candidates)}",
            hint="Write the unit with its exact case (G/L is 10^9/L, g/L is grams per litre).",
        )
    raise DictionaryError(
        f"unknown unit {text!r}",
        hint="Use one of the units oncotrial knows (see docs/eligibility.md, Units), "
        "e.g. 10^9/L, /mm^3, g/L, g/dL, mg/dL, umol/L, U/L, mL/min.",
    )


def accepted_units() -> tuple[str, ...]:
    """Every accepted spelling, for documentation and error messages."""
    return tuple(_TABLE)


def _quantity(unit: Unit) -> Any:
    return _registry().parse_expression(unit.expression)


def compatible(source: str, target: str, molar_mass: float | None = None) -> bool:
    """Whether ``source`` converts to ``target`` (with ``molar_mass`` where given)."""
    try:
        if _same_kind(parse_unit(source), parse_unit(target), molar_mass):
            return True
        conversion_factor(source, target, molar_mass)
    except (DictionaryError, RuleError):
        return False
    return True


@lru_cache(maxsize=4096)
def conversion_factor(source: str, target: str, molar_mass: float | None = None) -> float:
    """The number that multiplies a value in ``source`` to give it in ``target``.

    Conversions here are all proportional (no offsets), so one factor per pair serves a whole
    column of values. Mass ↔ amount of substance needs ``molar_mass`` in g/mol.
    """
    a, b = parse_unit(source), parse_unit(target)
    if (a.spelling == "%") != (b.spelling == "%"):
        raise RuleError(f"cannot convert {a} to {b}: a percentage is not a ratio or a count")
    if a.expression == b.expression:
        return 1.0  # before importing pint: reading criteria text must not load it (CLI start)
    import pint

    qa, qb = _quantity(a), _quantity(b)
    registry = _registry()
    try:
        return float((qa / qb).to("dimensionless").magnitude)
    except pint.DimensionalityError:
        pass
    if molar_mass is not None:
        mass = registry.Quantity(molar_mass, "g/mol")
        for candidate in (qa / mass, qa * mass):
            try:
                return float((candidate / qb).to("dimensionless").magnitude)
            except pint.DimensionalityError:
                continue
    ratio = str((qa / qb).dimensionality)
    needs = (
        " without a molar mass"
        if molar_mass is None and ratio in {"[mass] / [substance]", "[substance] / [mass]"}
        else ""
    )
    raise RuleError(f"cannot convert {a} to {b}{needs}: the units measure different things")


def convert(value: float, source: str, target: str, molar_mass: float | None = None) -> float:
    """``value`` in ``source`` expressed in ``target``."""
    return value * conversion_factor(source, target, molar_mass)
