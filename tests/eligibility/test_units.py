"""Lab units: accepted spellings, conversions through molar masses, and refusals."""

from __future__ import annotations

import pytest

from oncotrial.eligibility.analytes import ANALYTES
from oncotrial.eligibility.units import compatible, conversion_factor, convert, parse_unit
from oncotrial.errors import DictionaryError, RuleError


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("10^9/L", "10^9/L"),
        ("×10^9/L", "10^9/L"),
        ("x10^9/L", "10^9/L"),
        ("10⁹/L", "10^9/L"),
        ("× 10⁹/L", "10^9/L"),
        ("10*9/L", "10^9/L"),
        ("10E9/L", "10^9/L"),
        ("G/L", "G/L"),
        ("/mm³", "/mm^3"),
        ("/mm^3", "/mm^3"),
        ("cells/mm3", "/mm^3"),
        ("/µL", "/uL"),
        ("/μL", "/uL"),
        ("cells/uL", "/uL"),
        ("K/uL", "K/uL"),
        ("g/dl", "g/dL"),
        ("gm/dl", "g/dL"),
        ("g/l", "g/L"),
        ("MG/DL", "mg/dL"),
        ("µmol/L", "umol/L"),
        ("μmol/L", "umol/L"),
        ("umol/l", "umol/L"),
        ("ml/min", "mL/min"),
        ("msec", "ms"),
        ("g/24 h", "g/24h"),
        ("kg/m²", "kg/m^2"),
        ("ratio", "{ratio}"),
        ("IU/L", "IU/L"),
        # the older per-cent spellings (mg per 100 mL) and the cubic millimetre as 'cmm'
        ("mg%", "mg/dL"),
        ("/cmm", "/mm^3"),
        ("cells/cmm", "/mm^3"),
        ("K/cumm", "K/mm^3"),  # thousands per cubic millimetre (NCT06374459 I10.2)
    ],
)
def test_spellings(written: str, canonical: str) -> None:
    assert parse_unit(written).spelling == canonical


@pytest.mark.parametrize("written", ["furlongs", "mmol/dL", "10^9", "mg‰", ""])
def test_unknown_unit_is_an_error(written: str) -> None:
    with pytest.raises(DictionaryError, match="unknown unit"):
        parse_unit(written)


def test_case_matters_between_giga_and_grams() -> None:
    assert conversion_factor("G/L", "10^9/L") == 1.0
    with pytest.raises(RuleError):
        conversion_factor("G/L", "g/L")
    with pytest.raises(DictionaryError, match="ambiguous"):
        parse_unit("G/l")


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (1500, "/mm^3", "10^9/L", 1.5),
        (100_000, "/mm^3", "10^9/L", 100.0),
        (1.5, "10^9/L", "/uL", 1500.0),
        (2.1, "K/uL", "10^9/L", 2.1),
        (1.5, "K/mm^3", "10^9/L", 1.5),
        (9.0, "g/dL", "g/L", 90.0),
        (8, "g/dL", "g/L", 80.0),
        (1.0, "mg/dL", "umol/L", 10_000 / 113.12),  # creatinine: 88.4017 µmol/L per mg/dL
        (100.0, "umol/L", "mg/dL", 100 * 113.12 / 10_000),
        (4.62, "mIU/L", "uIU/mL", 4.62),
        (1.0, "g/24h", "mg/24h", 1000.0),
        (20, "mg/day", "mg/d", 20.0),  # the spelling of medication lists
        (0.5, "g/day", "mg/d", 500.0),
        (60, "beats/min", "/min", 60.0),
        (154.0, "lb", "kg", 154.0 * 0.45359237),
        (1.75, "m", "cm", 175.0),
    ],
)
def test_conversions(value: float, source: str, target: str, expected: float) -> None:
    molar = ANALYTES["creatinine"].molar_mass if "mol" in source + target else None
    assert convert(value, source, target, molar) == pytest.approx(expected, rel=1e-12)


def test_molar_masses_give_the_handbook_factors() -> None:
    # creatinine 113.12 g/mol: 1 mg/dL = 88.4 µmol/L; bilirubin 584.66 g/mol: 1 mg/dL = 17.1 µmol/L
    creatinine = conversion_factor("mg/dL", "umol/L", ANALYTES["creatinine"].molar_mass)
    bilirubin = conversion_factor("mg/dL", "umol/L", ANALYTES["bilirubin"].molar_mass)
    calcium = conversion_factor("mg/dL", "mmol/L", ANALYTES["calcium"].molar_mass)
    assert creatinine == pytest.approx(88.4, abs=0.01)
    assert bilirubin == pytest.approx(17.1, abs=0.01)
    assert calcium == pytest.approx(0.2495, abs=1e-4)
    # haemoglobin counted by its monomer (one haem, 16 114.5 g/mol): 1 g/dL = 0.6206 mmol/L
    hemoglobin = conversion_factor("g/dL", "mmol/L", ANALYTES["hemoglobin"].molar_mass)
    assert hemoglobin == pytest.approx(0.6206, abs=1e-4)


def test_mass_to_amount_needs_a_molar_mass() -> None:
    with pytest.raises(RuleError, match="without a molar mass"):
        conversion_factor("mg/dL", "umol/L")


@pytest.mark.parametrize(("source", "target"), [("%", "{ratio}"), ("U/L", "g/L"), ("ms", "mL/min")])
def test_different_quantities_do_not_convert(source: str, target: str) -> None:
    with pytest.raises(RuleError, match="cannot convert"):
        conversion_factor(source, target, 113.12)


def test_compatibility_known_without_pint_agrees_with_pint() -> None:
    # `compatible` answers for same-family units without pint (so that loading a protocol does
    # not import it); pint must agree on every such pair, with and without a molar mass.
    from oncotrial.eligibility import units

    spellings = list(units._FAMILY)
    for a in spellings:
        for b in spellings:
            for molar_mass in (None, 40.078):
                if not units._same_kind(units.parse_unit(a), units.parse_unit(b), molar_mass):
                    continue
                factor = units.conversion_factor(a, b, molar_mass)  # pint: raises if not
                assert factor > 0, (a, b, molar_mass)
    assert not units._same_kind(units.parse_unit("mg/dL"), units.parse_unit("mmol/L"), None)
    assert not compatible("mg/dL", "mmol/L")
    assert compatible("mg/dL", "mmol/L", 40.078)
