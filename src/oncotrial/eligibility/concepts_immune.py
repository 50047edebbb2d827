"""Concepts of the immunotherapy templates' exclusions (issue 12: "Has a known history of active
TB (Bacillus Tuberculosis)", "Has a diagnosis of immunodeficiency or is receiving chronic systemic
steroid therapy … or any other form of immunosuppressive therapy within 7 days prior to the first
dose", the Merck KEYNOTE and NCI templates), declared once here.

- Tuberculosis is the disease: ICD-10 A15-A19 (WHO 2019, block "Tuberculosis") and SNOMED CT
  56717001 'Tuberculosis (disorder)'. Latent tuberculosis infection is no tuberculosis disease
  and is coded apart — ICD-10-CM Z22.7 'Latent tuberculosis', R76.11 / R76.12 'Nonspecific
  reaction to tuberculin skin test / to cell mediated immunity measurement of gamma interferon
  antigen response without active tuberculosis' — so a record of it never matches. Sequelae of
  tuberculosis (ICD-10 B90) are not matched either: a record of them alone leaves "history of
  tuberculosis" not met, as any history the record does not hold.
- Immunodeficiency is ICD-10 D80-D84 (WHO 2019: D80 'Immunodeficiency with predominantly antibody
  defects', D81 'Combined immunodeficiencies', D82 'Immunodeficiency associated with other major
  defects', D83 'Common variable immunodeficiency', D84 'Other immunodeficiencies'). Whether the
  templates' "diagnosis of immunodeficiency" includes HIV infection (ICD-10 B20-B24, acquired) is
  not said: the same templates exclude HIV in an item of their own ("Has a known history of HIV")
  or admit well-controlled HIV ("HIV-infected participants must have well-controlled HIV on
  ART"). A rule on immunodeficiency is therefore unknown on a record of HIV
  (``IMMUNE_UNCLEAR``), never met or not met on it.
- Immunosuppressants are WHO ATC L04 "Immunosuppressants", as recoded by the EMA
  (hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at 20fc5214adf035a1ec6df827d083dfc08d4544a8):
  L04AA selective immunosuppressants, L04AB TNF-alpha inhibitors, L04AC interleukin inhibitors,
  L04AD calcineurin inhibitors and, of L04AX "Other immunosuppressants", azathioprine (L04AX01),
  methotrexate (L04AX03), dimethyl fumarate (L04AX07) and diroximel fumarate (L04AX09).
  Corticosteroids are not in the class: the templates name them apart ("steroid therapy … or any
  other form of immunosuppressive therapy"), with a dose. A record of a drug the class may or may
  not mean is unknown on a rule on the class (``IMMUNE_OTHER_USES``): thalidomide, lenalidomide
  and pomalidomide (L04AX02, L04AX04, L04AX06, given for myeloma), pirfenidone (L04AX05, an
  antifibrotic), any other L04 code (the WHO groups added since, L04AE-L04AK, which the source
  does not list), and the anticancer codes or bare names of drugs that are immunosuppressants
  too: methotrexate (L01BA01), cyclophosphamide (L01AA01), everolimus (L01EG02, L01XE10),
  cladribine (L01BB04), alemtuzumab (L01XC04) and rituximab (L01FA01, L01XC02). Cytotoxic
  chemotherapy otherwise is not read as "immunosuppressive therapy".
"""

from __future__ import annotations

from oncotrial.eligibility.concept_model import Concept

__all__ = [
    "IMMUNE_CONDITIONS",
    "IMMUNE_OTHER_USES",
    "IMMUNE_UNCLEAR",
    "IMMUNOSUPPRESSANTS",
]

_ATC = (
    "WHO ATC {}: hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at "
    "20fc5214adf035a1ec6df827d083dfc08d4544a8"
)

IMMUNE_CONDITIONS: tuple[Concept, ...] = (
    Concept(
        "tuberculosis",
        "Tuberculosis",
        (
            "tuberculosis",
            "TB",
            "active tuberculosis",
            "active TB",
            "pulmonary tuberculosis",
            "respiratory tuberculosis",
            "extrapulmonary tuberculosis",
        ),
        snomed=("56717001",),
        icd10=("A15", "A16", "A17", "A18", "A19"),
        sources=(
            "SNOMED CT 56717001 'Tuberculosis (disorder)'",
            "ICD-10 A15-A19 'Tuberculosis' (WHO 2019); latent infection is ICD-10-CM Z22.7, "
            "R76.11, R76.12, outside the block",
        ),
    ),
    Concept(
        "immunodeficiency",
        "Immunodeficiency",
        (
            "immunodeficiency",
            "immune deficiency",
            "immunodeficiency disorder",
            "primary immunodeficiency",
            "common variable immunodeficiency",
            "CVID",
            "severe combined immunodeficiency",
            "SCID",
        ),
        icd10=("D80", "D81", "D82", "D83", "D84"),
        sources=(
            "ICD-10 D80-D84 (WHO 2019): D80 'Immunodeficiency with predominantly antibody "
            "defects', D81 'Combined immunodeficiencies', D82 'Immunodeficiency associated with "
            "other major defects', D83 'Common variable immunodeficiency', D84 'Other "
            "immunodeficiencies'",
        ),
        note="no SNOMED CT code confirmed by a public source yet; HIV: see IMMUNE_UNCLEAR",
    ),
)

# A rule on the key is unknown on a record of any of these conditions: whether the criterion's
# words hold them is not said (see the module's docstring).
IMMUNE_UNCLEAR: dict[str, frozenset[str]] = {"immunodeficiency": frozenset({"hiv"})}

_IMMUNOSUPPRESSANT_NAMES = (
    "ciclosporin",
    "cyclosporine",
    "cyclosporin",
    "tacrolimus",
    "voclosporin",
    "mycophenolate mofetil",
    "mycophenolate",
    "mycophenolic acid",
    "sirolimus",
    "azathioprine",
    "leflunomide",
    "teriflunomide",
    "antithymocyte globulin",
    "basiliximab",
    "belatacept",
    "abatacept",
    "infliximab",
    "adalimumab",
    "etanercept",
    "certolizumab pegol",
    "golimumab",
    "anakinra",
    "tocilizumab",
    "sarilumab",
    "ustekinumab",
    "secukinumab",
    "tofacitinib",
    "baricitinib",
    "upadacitinib",
    "fingolimod",
    "natalizumab",
    "vedolizumab",
    "belimumab",
)

IMMUNOSUPPRESSANTS = Concept(
    "immunosuppressant",
    "Immunosuppressive therapy",
    (
        "immunosuppressant",
        "immunosuppressants",
        "immunosuppressive therapy",
        "immunosuppressive medication",
        "immunosuppressive agent",
        *_IMMUNOSUPPRESSANT_NAMES,
    ),
    atc=("L04AA", "L04AB", "L04AC", "L04AD", "L04AX01", "L04AX03", "L04AX07", "L04AX09"),
    sources=(
        _ATC.format(
            "L04AA Selective immunosuppressants, L04AB Tumor necrosis factor alpha (TNF-alpha) "
            "inhibitors, L04AC Interleukin inhibitors, L04AD Calcineurin inhibitors, L04AX01 "
            "azathioprine, L04AX03 methotrexate, L04AX07 dimethyl fumarate, L04AX09 diroximel "
            "fumarate"
        ),
    ),
    note="corticosteroids are read apart (systemic_corticosteroid, with a dose)",
)

# (name, ATC codes) of the records a rule on immunosuppressants is unknown on
_MAYBE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("other immunosuppressant (ATC L04)", ("L04",)),
    ("thalidomide", ("L04AX02",)),
    ("lenalidomide", ("L04AX04",)),
    ("pomalidomide", ("L04AX06",)),
    ("pirfenidone", ("L04AX05",)),
    ("methotrexate", ("L01BA01",)),
    ("cyclophosphamide", ("L01AA01",)),
    ("everolimus", ("L01EG02", "L01XE10")),
    ("cladribine", ("L01BB04",)),
    ("alemtuzumab", ("L01XC04",)),
    ("rituximab", ("L01FA01", "L01XC02")),
)

# The drugs a rule on immunosuppressive therapy is unknown on, as concepts to match records with:
# (concept, class), as concepts_medications.OTHER_USES
IMMUNE_OTHER_USES: tuple[tuple[Concept, str], ...] = tuple(
    (Concept(name, name, (name,), atc=codes), "immunosuppressant") for name, codes in _MAYBE
)
