"""The urine tests eligibility rules name: protein by dipstick (ordinal), in 24 hours, and the
spot protein/creatinine ratio, with LOINC codes.

Part of the analyte vocabulary (``analytes.ANALYTES`` holds them with the others).
"""

from __future__ import annotations

from oncotrial.eligibility.analyte_model import Analyte, Scale

__all__ = ["URINE_ANALYTES"]

# the dipstick's ordered results
_DIPSTICK = ("negative", "trace", "1+", "2+", "3+", "4+")

URINE_ANALYTES: tuple[Analyte, ...] = (
    Analyte(
        "urine_protein_dipstick",
        "Urine protein (dipstick)",
        None,
        ("5804-0",),
        (
            "urine protein dipstick",
            "urine dipstick protein",
            "dipstick proteinuria",
            "urine protein",
            "urinary protein",
            # a quantity ("proteinuria > 1 g/24 h") is not read on this ordinal scale but as the
            # 24-hour urine protein (reading_labs)
            "proteinuria",
        ),
        scale=Scale.ORDINAL,
        results=_DIPSTICK,
    ),
    Analyte(
        "urine_protein_24h",
        "Urine protein (24-hour)",
        "g/24h",
        ("2889-4",),
        (
            "24-hour urine protein",
            "24 hour urine protein",
            "24-h urine protein",
            "24-hour urinary protein",
        ),
    ),
    # The spot urine protein/creatinine ratio that anti-angiogenic trials limit ("Urine
    # protein-to-creatinine ratio (UPCR): ≤ 1.5 mg/mg", NCT06794229 I8.5; "Urine
    # protein/creatinine ratio (UPCR) ≤ 1 mg/mg (≤ 113.2 mg/mmol), or 24-h urine protein ≤ 1 g";
    # development records of jwlieb/clinical-trial-agent data/demo @387df17). LOINC 2890-2
    # "Protein/Creatinine [Mass Ratio] in Urine": a mass ratio, so mg/mg = g/g = 1000 mg/g, and a
    # ratio written without a unit is one of those. In mg/mmol the creatinine is counted in
    # moles: the molar mass given is therefore creatinine's (113.12 g/mol), the denominator's, so
    # 113.2 mg/mmol is 1.0 mg/mg as the records restate it.
    Analyte(
        "upcr",
        "Urine protein/creatinine ratio",
        "{ratio}",
        ("2890-2",),
        (
            "urine protein-to-creatinine ratio",
            "urine protein to creatinine ratio",
            "urine protein/creatinine ratio",
            "urine protein : creatinine ratio",
            "urine protein:creatinine ratio",
            "urinary protein/creatinine ratio",
            "urinary protein-to-creatinine ratio",
            "urine protein creatinine ratio",
            # "Urine protein/creatinine (UPC) ratio ≥ 1" (NCT06475989 I29)
            "urine protein/creatinine (UPC) ratio",
            "protein/creatinine ratio",
            "protein-to-creatinine ratio",
            "UPCR",
            "UPC ratio",
        ),
        molar_mass=113.12,
    ),
)
