"""The viral tests eligibility rules name: hepatitis B serology and DNA, hepatitis C and HIV-1
RNA, quantitative (viral load) and qualitative (detected or not), with LOINC codes.

Part of the analyte vocabulary (``analytes.ANALYTES`` holds them with the others).
"""

from __future__ import annotations

from oncotrial.eligibility.analyte_model import Analyte, Scale

__all__ = ["VIRAL_ANALYTES"]

VIRAL_ANALYTES: tuple[Analyte, ...] = (
    # Viral loads (issue 12 item 3: "HBsAg positive and HBV DNA > 500 IU/mL"). LOINC codes as
    # named in the RKI HIV-PrEP value sets, konvoulg/mio.prep.bericht HIV-PrEP_Bericht/input/
    # fsh/ValueSets/RKI_VS_HIV_PrEP_Bericht_Lab_Test_HBVP.fsh and _HCVP.fsh at 7c4c095c3de7bcf5
    # d529bfb74d415c83972b3b96, _HIV_Lab_Study_LOINC.fsh at 0b3365a14e1e11f85443de31b917a3f6de9b
    # e096. International units and copies are not interconverted: the factor depends on the
    # assay (WHO standards), so a record in copies/mL against a limit in IU/mL is refused with
    # its reason, never converted on a guess; the [#/volume] codes (copies) are left out.
    Analyte(
        "hbsag",
        "Hepatitis B surface antigen (HBsAg)",
        None,
        # 5196-1 "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay"
        ("5196-1",),
        # no synonyms: the laboratory reader would take 'HBsAg or HCV RNA ≥ 15 IU/mL' as one
        # limit on both and drop the serology silently; reading_viral reads 'HBsAg positive'
        (),
        scale=Scale.NOMINAL,
        results=("negative", "positive"),
    ),
    Analyte(
        "hbv_dna",
        "HBV DNA (viral load)",
        "IU/mL",
        # 42595-9 "Hepatitis B virus DNA [Units/volume] (viral load) in Serum or Plasma by NAA
        # with probe detection"
        ("42595-9",),
        ("hepatitis B virus DNA", "HBV DNA", "HBV-DNA", "HBV viral load"),
    ),
    Analyte(
        "hcv_rna",
        "HCV RNA (viral load)",
        "IU/mL",
        # 11011-4 "… [Units/volume] (viral load) in Serum or Plasma by NAA with probe
        # detection", 10676-5 "… by Probe with amplification"
        ("11011-4", "10676-5"),
        ("hepatitis C virus RNA", "HCV RNA", "HCV-RNA", "HCV viral load"),
    ),
    # "Detectable HCV RNA", "undetectable viral load": the qualitative test (detected or not at
    # the assay's limit), never inferred from a quantitative result, whose limit of detection
    # the record does not give. LOINC 11259-9 "Hepatitis C virus RNA [Presence] in Serum or
    # Plasma by Probe and target amplification method" (the LOINC enumeration of eHealth
    # Suisse's Java eHealth Connector; later LOINC names it "... by NAA with probe detection")
    # and 25835-0 "HIV 1 RNA [Presence] in Serum or Plasma by NAA with probe detection".
    Analyte(
        "hcv_rna_detected",
        "HCV RNA (qualitative)",
        None,
        ("11259-9",),
        (),  # read by reading_viral, never as a limit of the laboratory reader
        scale=Scale.NOMINAL,
        results=("negative", "positive"),
    ),
    # "The HBV viral load must be undetectable": LOINC 29610-3 "Hepatitis B virus DNA [Presence]
    # in Serum or Plasma by NAA with probe detection" (the HBVP value set cited above).
    Analyte(
        "hbv_dna_detected",
        "HBV DNA (qualitative)",
        None,
        ("29610-3",),
        (),  # read by reading_viral_templates, never as a limit of the laboratory reader
        scale=Scale.NOMINAL,
        results=("negative", "positive"),
    ),
    Analyte(
        "hiv_rna_detected",
        "HIV-1 RNA (qualitative)",
        None,
        ("25835-0",),
        (),
        scale=Scale.NOMINAL,
        results=("negative", "positive"),
    ),
    Analyte(
        "hiv_rna",
        "HIV-1 RNA (viral load)",
        "copies/mL",
        # 20447-9 "HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe
        # detection"
        ("20447-9",),
        ("HIV-1 RNA", "HIV RNA", "HIV viral load", "HIV-1 viral load"),
    ),
)
