"""An infection, as the exclusions name it: "Has an active infection requiring systemic therapy"
(Merck's KEYNOTE template), "Active infection requiring IV antibiotics", "Ongoing or active
infection" (issue 12), declared once here.

An infection is an infectious disease of any site or organism: ICD-10 (WHO 2019) chapter I
"Certain infectious and parasitic diseases" and the infections classified by site elsewhere, and
SNOMED CT 40733004 'Infectious disease (disorder)' with the commonest infections recorded under a
code of their own. Records are matched by these codes, by the names below, or by a name that says
"infection", "infectious", "sepsis", "abscess" or "cellulitis" (``INFECTION_WORDS``;
"non-infectious" and "post-infectious" conditions are no infection). An infection recorded under
another code and name is not recognised: the rule then reads no record of it, as for every
condition (a provided list is complete, ``patient``).

Left out of the codes on purpose:

- Sequelae of infectious diseases (ICD-10 B90-B94): the infection is over.
- Chronic viral infections that the same templates decide in items of their own — HIV (B20-B24),
  hepatitis B and C (B16, B17.1, B18): whether a well-controlled HIV or a chronic hepatitis B on
  antivirals is an "active infection requiring systemic therapy" is not said (the templates admit
  "HIV-infected participants … with well controlled HIV on ART" and "HBsAg positive participants
  … on antiviral therapy"). A rule on infection is unknown on a record of them
  (``INFECTION_UNCLEAR``), never met or not met on it. Viral hepatitis of unstated type (B19) is
  not matched.
- Pneumonitis (non-infectious, J84, J70) is no pneumonia: it has a concept of its own.

Active tuberculosis is an infection (``concepts_immune``; CONDITION_IMPLIED in ``concepts``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from oncotrial.eligibility.concept_model import Concept

__all__ = ["INFECTION", "INFECTION_UNCLEAR", "infection_by_name"]

# ICD-10 chapter I without the blocks left out above (B15-B19 viral hepatitis in part, B20-B24
# HIV, B90-B94 sequelae); then the infections classified by site.
_CHAPTER_I = (
    "A",
    "B0",  # B00-B09 viral infections characterised by skin and mucous membrane lesions
    "B15",  # acute hepatitis A
    "B17.0",  # acute delta-(super)infection of hepatitis B carrier — hepatitis D
    "B17.2",  # acute hepatitis E
    "B17.8",
    "B25",  # B25-B34 other viral diseases (cytomegalovirus, mumps, mononucleosis, …)
    "B26",
    "B27",
    "B3",  # B30-B34 other viral diseases; B35-B39 mycoses
    "B4",  # B40-B49 mycoses
    "B5",  # B50-B64 protozoal diseases
    "B6",  # B60-B64 protozoal; B65-B69 helminthiases
    "B7",  # B70-B83 helminthiases
    "B8",  # B80-B83 helminthiases; B85-B89 pediculosis, acariasis, other infestations
    "B95",  # B95-B98 bacterial, viral and other infectious agents
    "B96",
    "B97",
    "B98",
    "B99",  # other and unspecified infectious diseases
)
_BY_SITE = (
    "G00",  # bacterial meningitis
    "G01",
    "G02",
    "G06",  # intracranial and intraspinal abscess and granuloma
    "G07",
    "I33.0",  # acute and subacute infective endocarditis
    "J0",  # J00-J06 acute upper respiratory infections; J09 influenza
    "J1",  # J10-J18 influenza and pneumonia
    "J20",  # acute bronchitis
    "J21",  # acute bronchiolitis
    "J22",  # unspecified acute lower respiratory infection
    "J85",  # abscess of lung and mediastinum
    "J86",  # pyothorax
    "K61",  # abscess of anal and rectal regions
    "K63.0",  # abscess of intestine
    "K75.0",  # abscess of liver
    "L00",  # staphylococcal scalded skin syndrome
    "L01",  # impetigo
    "L02",  # cutaneous abscess, furuncle and carbuncle
    "L03",  # cellulitis
    "L04",  # acute lymphadenitis
    "L08",  # other local infections of skin and subcutaneous tissue
    "M00",  # pyogenic arthritis
    "M86",  # osteomyelitis
    "N10",  # acute tubulo-interstitial nephritis (acute pyelonephritis)
    "N39.0",  # urinary tract infection, site not specified
    "T81.4",  # infection following a procedure
    "U07.1",  # COVID-19, virus identified (WHO emergency use code)
)

INFECTION = Concept(
    "infection",
    "Infection",
    (
        "infection",
        "infections",
        "infectious disease",
        "sepsis",
        "septicaemia",
        "septicemia",
        "bacteraemia",
        "bacteremia",
        "fungaemia",
        "fungemia",
        "pneumonia",
        "bacterial pneumonia",
        "viral pneumonia",
        "community-acquired pneumonia",
        "hospital-acquired pneumonia",
        "urinary tract infection",
        "UTI",
        "cellulitis",
        "abscess",
        "influenza",
        "COVID-19",
        "herpes zoster",
        "shingles",
        "osteomyelitis",
        "infective endocarditis",
    ),
    snomed=("40733004", "91302008", "233604007", "68566005", "128045006", "840539006"),
    icd10=(*_CHAPTER_I, *_BY_SITE),
    sources=(
        "SNOMED CT 40733004 'Infectious disease (disorder)', 91302008 'Sepsis (disorder)', "
        "233604007 'Pneumonia (disorder)', 68566005 'Urinary tract infectious disease "
        "(disorder)', 128045006 'Cellulitis (disorder)', 840539006 'Disease caused by severe "
        "acute respiratory syndrome coronavirus 2 (disorder)'",
        "ICD-10 (WHO 2019) chapter I A00-B99 less B16-B19 in part, B20-B24 and B90-B94; "
        "G00-G02, G06-G07, I33.0, J00-J22, J85-J86, K61, K63.0, K75.0, L00-L04, L08, M00, M86, "
        "N10, N39.0, T81.4; U07.1 (WHO emergency use code)",
    ),
    note="chronic HIV and hepatitis B/C records leave a rule on infection unknown "
    "(INFECTION_UNCLEAR); an infection under another code or name is not recognised",
)

# A rule on infection is unknown on a record of these: whether the criterion means them is not
# said (see the module's text).
INFECTION_UNCLEAR: dict[str, frozenset[str]] = {
    "infection": frozenset({"hiv", "hepatitis_b", "hepatitis_c"})
}

# A condition's name that says it is an infection ("Klebsiella infection of the urinary tract",
# "septic shock", "perianal abscess"); not "non-infectious pneumonitis", "post-infectious
# glomerulonephritis", nor a name of a chronic viral infection decided apart (above).
INFECTION_WORDS = re.compile(
    r"(?<![\w-])(?:infect(?:ion|ions|ious|ed)|sepsis|septic(?:aemia|emia|\s+shock)?|abscess(?:es)?"
    r"|cellulitis)\b",
    re.I,
)
_NOT_AN_INFECTION = re.compile(
    r"\b(?:non|post|para)[\s-]?infect|\bhepatitis\b|\bH[BCD]V\b|\bHIV\b|immunodeficiency\s+virus"
    r"|\bAIDS\b",
    re.I,
)


def infection_by_name(names: Iterable[str | None], found: frozenset[str] | set[str]) -> bool:
    """Whether a condition record's name says it is an infection (``INFECTION_WORDS``), unless
    the record is a chronic viral infection decided apart (``INFECTION_UNCLEAR``)."""
    if found & INFECTION_UNCLEAR["infection"]:
        return False
    return any(n and INFECTION_WORDS.search(n) and not _NOT_AN_INFECTION.search(n) for n in names)
