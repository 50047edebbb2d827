"""Concomitant-medication classes that oncology protocols restrict (issue 12: "Treatment with
anticoagulants", "Current antiretroviral therapy", "No concurrent angiotension converting enzyme
inhibitors (ACE-I)", "No concurrent Hypericum perforatum (St. John's wort)").

A record matches a class by its key, a listed name (case ignored) or a WHO ATC code: a prefix for
a group whose every substance belongs to the class, a full substance code otherwise. The codes
and their names are those of hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at
20fc5214adf035a1ec6df827d083dfc08d4544a8 (the EMA's recoding of WHO ATC).

Antiretrovirals for HIV are not ATC J05A as a whole: J05AE also holds the HCV protease
inhibitors coded there before J05AP (J05AE11-J05AE15) and nirmatrelvir with ritonavir for
COVID-19 (J05AE30), J05AF the reverse transcriptase inhibitors given for hepatitis B only
(adefovir J05AF08, entecavir J05AF10, telbivudine J05AF11, clevudine J05AF12). Those are left
out. Lamivudine, tenofovir disoproxil and tenofovir alafenamide are given for HIV and for
hepatitis B, ritonavir alone boosts HIV and other protease inhibitors: a record of one of them
(or of J05AF30, NRTI combinations not named) carries the ``other_uses`` marker, so a rule on
antiretroviral therapy is unknown on it, never met or not met on the drug alone. The classes of
HIV drugs (NRTIs, NNRTIs, protease and integrase inhibitors, entry inhibitors) are those of
aidsmap, "Types of HIV drugs" (www.aidsmap.com/Types-of-HIV-drugs/page/1729408/).

No OMOP concept ids are declared here: a class without confirmed ids is unknown in the
prescreening query (prescreen/data/omop_concepts.json lists it as unmapped).
"""

from __future__ import annotations

from oncotrial.eligibility.concept_model import Concept

__all__ = ["MEDICATION_CLASSES", "OTHER_USES", "other_uses"]

_ATC = (
    "WHO ATC {}: hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at "
    "20fc5214adf035a1ec6df827d083dfc08d4544a8"
)

# Substances of B01AA (vitamin K antagonists), B01AB (heparin group), B01AE (direct thrombin
# inhibitors), B01AF (direct factor Xa inhibitors) and fondaparinux (B01AX05); rivaroxaban was
# B01AX06 before B01AF01.
_ANTICOAGULANTS = (
    "warfarin",
    "acenocoumarol",
    "phenprocoumon",
    "dicoumarol",
    "phenindione",
    "fluindione",
    "heparin",
    "unfractionated heparin",
    "low molecular weight heparin",
    "low-molecular-weight heparin",
    "LMWH",
    "enoxaparin",
    "dalteparin",
    "nadroparin",
    "tinzaparin",
    "parnaparin",
    "reviparin",
    "bemiparin",
    "danaparoid",
    "fondaparinux",
    "argatroban",
    "bivalirudin",
    "desirudin",
    "lepirudin",
    "dabigatran",
    "dabigatran etexilate",
    "rivaroxaban",
    "apixaban",
    "edoxaban",
    "betrixaban",
    # US brand of warfarin (NCT00079612 I9, NCT00426829 E4 name it)
    "Coumadin",
)

# HIV-only substances by ATC code (the module's docstring says which J05A codes are left out)
_HIV_DRUGS: tuple[tuple[str, str], ...] = (
    ("saquinavir", "J05AE01"),
    ("indinavir", "J05AE02"),
    ("nelfinavir", "J05AE04"),
    ("amprenavir", "J05AE05"),
    ("lopinavir", "J05AE06"),
    ("fosamprenavir", "J05AE07"),
    ("atazanavir", "J05AE08"),
    ("tipranavir", "J05AE09"),
    ("darunavir", "J05AE10"),
    ("zidovudine", "J05AF01"),
    ("didanosine", "J05AF02"),
    ("zalcitabine", "J05AF03"),
    ("stavudine", "J05AF04"),
    ("abacavir", "J05AF06"),
    ("emtricitabine", "J05AF09"),
    ("enfuvirtide", "J05AX07"),
    ("maraviroc", "J05AX09"),
    ("ibalizumab", "J05AX23"),
    ("fostemsavir", "J05AX29"),
    ("lenacapavir", "J05AX31"),
    # integrase inhibitors under their codes before J05AJ
    ("raltegravir", "J05AX08"),
    ("elvitegravir", "J05AX11"),
    ("dolutegravir", "J05AX12"),
)
# NNRTIs (J05AG), integrase inhibitors (J05AJ), HIV combinations (J05AR): every substance is HIV's
_HIV_GROUPS = ("J05AG", "J05AJ", "J05AR")
_HIV_GROUP_DRUGS = (
    "nevirapine",
    "delavirdine",
    "efavirenz",
    "etravirine",
    "rilpivirine",
    "doravirine",
    "cabotegravir",
)
# given for HIV and for something else (hepatitis B; boosting other protease inhibitors)
_DUAL_USE: tuple[tuple[str, str], ...] = (
    ("lamivudine", "J05AF05"),
    ("tenofovir disoproxil", "J05AF07"),
    ("tenofovir alafenamide", "J05AF13"),
    ("tenofovir", "J05AF07"),
    ("ritonavir", "J05AE03"),
    ("nucleoside reverse transcriptase inhibitor combination", "J05AF30"),
)

# Substances of C09AA (ACE inhibitors, plain); C09B holds them in combinations.
_ACE_INHIBITORS = (
    "captopril",
    "enalapril",
    "lisinopril",
    "perindopril",
    "ramipril",
    "quinapril",
    "benazepril",
    "cilazapril",
    "fosinopril",
    "trandolapril",
    "spirapril",
    "delapril",
    "moexipril",
    "temocapril",
    "zofenopril",
    "imidapril",
)

MEDICATION_CLASSES: tuple[Concept, ...] = (
    Concept(
        "anticoagulant",
        "Anticoagulant therapy",
        ("anticoagulant", "anticoagulants", *_ANTICOAGULANTS),
        atc=("B01AA", "B01AB", "B01AE", "B01AF", "B01AX05", "B01AX06"),
        sources=(
            _ATC.format(
                "B01AA Vitamin K antagonists, B01AB Heparin group, B01AE Direct thrombin "
                "inhibitors, B01AF Direct factor Xa inhibitors, B01AX05 fondaparinux, B01AX06 "
                "rivaroxaban"
            ),
        ),
    ),
    Concept(
        "hiv_antiretroviral",
        "Antiretroviral therapy for HIV",
        (
            "antiretroviral therapy",
            "antiretroviral",
            "antiretrovirals",
            "cART",
            "HAART",
            "combination antiretroviral therapy",
            "highly active antiretroviral therapy",
            *(name for name, _ in _HIV_DRUGS),
            *_HIV_GROUP_DRUGS,
        ),
        atc=(*_HIV_GROUPS, *(code for _, code in _HIV_DRUGS)),
        sources=(
            _ATC.format(
                "J05AE Protease inhibitors, J05AF Nucleoside and nucleotide reverse "
                "transcriptase inhibitors, J05AG Non-nucleoside reverse transcriptase "
                "inhibitors, J05AJ Integrase inhibitors, J05AR Antivirals for treatment of HIV "
                "infections, combinations, J05AX (enfuvirtide, maraviroc, ibalizumab, "
                "fostemsavir, lenacapavir; raltegravir, elvitegravir, dolutegravir before J05AJ)"
            ),
            "aidsmap, Types of HIV drugs (www.aidsmap.com/Types-of-HIV-drugs/page/1729408/)",
        ),
        note="lamivudine, tenofovir and ritonavir alone: unknown (given for other infections)",
    ),
    Concept(
        "ace_inhibitor",
        "Angiotensin-converting enzyme (ACE) inhibitor",
        (
            "ACE inhibitor",
            "ACE inhibitors",
            "ACE-I",
            "ACEI",
            "angiotensin converting enzyme inhibitor",
            "angiotensin-converting enzyme inhibitor",
            *_ACE_INHIBITORS,
        ),
        atc=("C09A", "C09B"),
        sources=(_ATC.format("C09A ACE inhibitors, plain, C09B ACE inhibitors, combinations"),),
    ),
    Concept(
        "st_johns_wort",
        "St John's wort (Hypericum perforatum)",
        (
            "St John's wort",
            "St. John's wort",
            "St Johns wort",
            "St. Johns wort",
            "Saint John's wort",
            "Hypericum perforatum",
            "Hypericum",
            "Hyperici herba",
        ),
        atc=("N06AX25",),
        sources=(_ATC.format("N06AX25 Hyperici herba"),),
    ),
)


def other_uses(klass: str) -> str:
    """The marker of a record of a drug given for ``klass``'s purpose and for others
    (lamivudine: HIV or hepatitis B): a rule on the class is unknown on it."""
    return f"{klass}:other_uses"


# The drugs of a class that have other uses, as concepts to match records with: (concept, class)
OTHER_USES: tuple[tuple[Concept, str], ...] = tuple(
    (Concept(name, name, (name,), atc=(code,)), "hiv_antiretroviral") for name, code in _DUAL_USE
)
