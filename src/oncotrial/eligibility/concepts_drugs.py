"""Individual anticancer drugs as therapy concepts (issue 12: "No prior bevacizumab", "At least
3 months since prior trastuzumab"), and the classes each belongs to, declared once here.

A drug is matched by its key (the INN), its generic and brand names (case ignored), or its WHO
ATC code. The codes are the 2022+ ATC structure (L01E kinase inhibitors, L01F monoclonal
antibodies) and, for records coded before the 2022 revision, the code the substance had then;
both as listed with the substance's name in hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at
20fc5214adf035a1ec6df827d083dfc08d4544a8 (the EMA's recoding of WHO ATC; no code there is held
by two substances). Only the antineoplastic (L01) codes: the ophthalmic codes of aflibercept
and bevacizumab (S01LA05, S01LA08) and the immunosuppressant code of everolimus (L04AA18) are
left out, so an intravitreal or transplant record counts by its name only. US brand names are
those of the NCI drug information summaries (cancer.gov/about-cancer/treatment/drugs), as kept
in gautamgauri/suchi-cancer-bot suchi_phase1_pack/kb/en/02_nci_core/treatment/ at
9d1373953856b67bee62d0be9163c90c5e8571b9 ("US Brand Name(s)").

Class membership ("a VEGF inhibitor drug is in vegf_inhibitor") is declared here only: the
class concepts list their members' names from ``members`` and ``OTHER_MEMBERS``, and
``match_concepts`` adds a drug's classes to a record of the drug (so a record "Avastin" or ATC
L01XC07 is also a VEGF inhibitor).
"""

from __future__ import annotations

from oncotrial.eligibility.concept_model import Concept
from oncotrial.eligibility.concepts_drug_classes import CLASS_MEMBERS, CLASS_PARENTS, OPEN
from oncotrial.eligibility.concepts_medications import other_uses

__all__ = [
    "ANTICANCER",
    "DRUGS",
    "DRUG_CLASSES",
    "INVESTIGATIONAL",
    "OPEN_CLASSES",
    "OTHER_MEMBERS",
    "UNCLASSIFIED",
    "broader",
    "conjugate_of",
    "members",
    "members_of_any",
    "therapy_keys",
    "unspecified",
    "vague_for",
]

_ATC = (
    "WHO ATC {}: hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at "
    "20fc5214adf035a1ec6df827d083dfc08d4544a8"
)
_NCI = (
    "US brand names {}: NCI drug information summary, as kept in gautamgauri/suchi-cancer-bot "
    "suchi_phase1_pack/kb/en/02_nci_core/treatment/about-cancer-treatment-drugs-{}.md at "
    "9d1373953856b67bee62d0be9163c90c5e8571b9"
)

_VEGF = ("vegf_inhibitor",)
_EGFR = ("egfr_tki",)
_CHEMO = ("chemotherapy",)
_TAXANE = ("chemotherapy", "taxane")
_MTOR = ("mtor_inhibitor",)
_PLATINUM = ("chemotherapy", "platinum_chemotherapy")
_PD1 = ("pd1_pdl1_inhibitor", "immune_checkpoint_inhibitor")
_CTLA4 = ("ctla4_inhibitor", "immune_checkpoint_inhibitor")

# key (INN), display name, other names (salts, abbreviations), brand names, the NCI page,
# current ATC code, pre-2022 ATC code (None: unchanged), the classes it belongs to, note
_Row = tuple[
    str, str, tuple[str, ...], tuple[str, ...], str | None, str, str | None, tuple[str, ...]
]
_ROWS: tuple[_Row, ...] = (
    (
        "bevacizumab",
        "Bevacizumab",
        (),
        ("Avastin", "Mvasi", "Zirabev", "Alymsys", "Jobevne"),
        "bevacizumab",
        "L01FG01",
        "L01XC07",
        _VEGF,
    ),
    ("ramucirumab", "Ramucirumab", (), ("Cyramza",), "ramucirumab", "L01FG02", "L01XC21", _VEGF),
    # Eylea (intravitreal aflibercept, S01LA05) is left out: see the module's docstring
    (
        "aflibercept",
        "Aflibercept",
        ("ziv-aflibercept",),
        ("Zaltrap",),
        "ziv-aflibercept",
        "L01XX44",
        None,
        _VEGF,
    ),
    (
        "sorafenib",
        "Sorafenib",
        ("sorafenib tosylate",),
        ("Nexavar",),
        "sorafenibtosylate",
        "L01EX02",
        "L01XE05",
        _VEGF,
    ),
    (
        "sunitinib",
        "Sunitinib",
        ("sunitinib malate",),
        ("Sutent",),
        "sunitinibmalate",
        "L01EX01",
        "L01XE04",
        _VEGF,
    ),
    (
        "pazopanib",
        "Pazopanib",
        ("pazopanib hydrochloride",),
        ("Votrient",),
        "pazopanibhydrochloride",
        "L01EX03",
        "L01XE11",
        _VEGF,
    ),
    ("regorafenib", "Regorafenib", (), ("Stivarga",), "regorafenib", "L01EX05", "L01XE21", _VEGF),
    (
        "cabozantinib",
        "Cabozantinib",
        ("cabozantinib s-malate",),
        ("Cabometyx", "Cometriq"),
        "cabozantinib-s-malate",
        "L01EX07",
        "L01XE26",
        _VEGF,
    ),
    (
        "lenvatinib",
        "Lenvatinib",
        ("lenvatinib mesylate",),
        ("Lenvima",),
        "lenvatinibmesylate",
        "L01EX08",
        "L01XE29",
        _VEGF,
    ),
    ("axitinib", "Axitinib", (), ("Inlyta",), "axitinib", "L01EK01", "L01XE17", _VEGF),
    (
        "temsirolimus",
        "Temsirolimus",
        (),
        ("Torisel",),
        "temsirolimus",
        "L01EG01",
        "L01XE09",
        _MTOR,
    ),
    (
        "everolimus",
        "Everolimus",
        (),
        ("Afinitor", "Zortress"),
        "everolimus",
        "L01EG02",
        "L01XE10",
        _MTOR,
    ),
    (
        "trastuzumab",
        "Trastuzumab",
        (),
        (
            "Herceptin",
            "Hercessi",
            "Herzuma",
            "Kanjinti",
            "Ogivri",
            "Ontruzant",
            "Trazimera",
        ),
        "trastuzumab",
        "L01FD01",
        "L01XC03",
        (),
    ),
    ("cetuximab", "Cetuximab", (), ("Erbitux",), "cetuximab", "L01FE01", "L01XC06", ()),
    ("panitumumab", "Panitumumab", (), ("Vectibix",), "panitumumab", "L01FE02", "L01XC08", ()),
    (
        "erlotinib",
        "Erlotinib",
        ("erlotinib hydrochloride",),
        ("Tarceva",),
        "erlotinibhydrochloride",
        "L01EB02",
        "L01XE03",
        _EGFR,
    ),
    ("gefitinib", "Gefitinib", (), ("Iressa",), "gefitinib", "L01EB01", "L01XE02", _EGFR),
    ("osimertinib", "Osimertinib", (), ("Tagrisso",), "osimertinib", "L01EB04", "L01XE35", _EGFR),
    ("temozolomide", "Temozolomide", (), ("Temodar",), "temozolomide", "L01AX03", None, _CHEMO),
    (
        "gemcitabine",
        "Gemcitabine",
        ("gemcitabine hydrochloride",),
        ("Gemzar", "Infugem"),
        "gemcitabinehydrochloride",
        "L01BC05",
        None,
        _CHEMO,
    ),
    ("capecitabine", "Capecitabine", (), ("Xeloda",), "capecitabine", "L01BC06", None, _CHEMO),
    # the NCI page of fluorouracil injection names a topical product only: no brand name here
    (
        "fluorouracil",
        "Fluorouracil",
        ("5-fluorouracil", "5-FU"),
        (),
        None,
        "L01BC02",
        None,
        _CHEMO,
    ),
    ("oxaliplatin", "Oxaliplatin", (), ("Eloxatin",), "oxaliplatin", "L01XA03", None, _PLATINUM),
    (
        "irinotecan",
        "Irinotecan",
        ("irinotecan hydrochloride",),
        ("Camptosar",),
        "irinotecanhydrochloride",
        "L01CE02",
        "L01XX19",
        _CHEMO,
    ),
    (
        "pemetrexed",
        "Pemetrexed",
        ("pemetrexed disodium",),
        ("Alimta", "Pemfexy"),
        "pemetrexeddisodium",
        "L01BA04",
        None,
        _CHEMO,
    ),
    ("paclitaxel", "Paclitaxel", (), (), None, "L01CD01", None, _TAXANE),
    ("docetaxel", "Docetaxel", (), ("Taxotere",), "docetaxel", "L01CD02", None, _TAXANE),
    ("cisplatin", "Cisplatin", (), (), None, "L01XA01", None, _PLATINUM),
    ("carboplatin", "Carboplatin", (), ("Paraplatin",), "carboplatin", "L01XA02", None, _PLATINUM),
    ("nivolumab", "Nivolumab", (), ("Opdivo",), "nivolumab", "L01FF01", "L01XC17", _PD1),
    (
        "pembrolizumab",
        "Pembrolizumab",
        (),
        ("Keytruda",),
        "pembrolizumab",
        "L01FF02",
        "L01XC18",
        _PD1,
    ),
    (
        "atezolizumab",
        "Atezolizumab",
        (),
        ("Tecentriq",),
        "atezolizumab",
        "L01FF05",
        "L01XC32",
        _PD1,
    ),
    ("durvalumab", "Durvalumab", (), ("Imfinzi",), "durvalumab", "L01FF03", "L01XC28", _PD1),
    ("ipilimumab", "Ipilimumab", (), ("Yervoy",), "ipilimumab", "L01FX04", "L01XC11", _CTLA4),
)


def _concept(row: _Row) -> Concept:
    key, name, other, brands, page, atc, old, _ = row
    codes = (atc,) if old is None else (atc, old)
    sources = [_ATC.format(", ".join(codes) + f" {key}")]
    if brands and page is not None:
        sources.append(_NCI.format(", ".join(brands), page))
    note = None if brands else "no US brand name confirmed by a public source: generic names only"
    return Concept(key, name, (key, *other, *brands), atc=codes, sources=tuple(sources), note=note)


DRUGS: tuple[Concept, ...] = tuple(_concept(row) for row in _ROWS)

# drug key -> the classes it belongs to (their concepts are in concepts and concepts_oncology)
DRUG_CLASSES: dict[str, tuple[str, ...]] = {row[0]: row[7] for row in _ROWS}

# The members of each class with no concept of their own, by name (the record names them; a rule
# on one of them alone is not read). With ``members`` they are the class's names.
OTHER_MEMBERS: dict[str, tuple[str, ...]] = {
    "vegf_inhibitor": (
        "anlotinib",
        "apatinib",
        "rivoceranib",
        "fruquintinib",
        "tivozanib",
        "cediranib",
        "nintedanib",
        "vandetanib",
    ),
    "egfr_tki": (
        "afatinib",
        "dacomitinib",
        "icotinib",
        "aumolertinib",
        "almonertinib",
        "furmonertinib",
        "lazertinib",
    ),
    "chemotherapy": ("etoposide", "cyclophosphamide", "doxorubicin", "vinorelbine"),
    "platinum_chemotherapy": ("nedaplatin", "lobaplatin"),
    "pd1_pdl1_inhibitor": (
        "cemiplimab",
        "dostarlimab",
        "avelumab",
        "toripalimab",
        "sintilimab",
        "camrelizumab",
        "tislelizumab",
        "serplulimab",
        "penpulimab",
        "sugemalimab",
        "envafolimab",
        "adebrelimab",
        "benmelstobart",
        "ivonescimab",
        "cadonilimab",
    ),
    # cadonilimab, a PD-1 x CTLA-4 bispecific, is in both
    "ctla4_inhibitor": ("tremelimumab", "cadonilimab"),
    # PARP, CDK4/6, PI3K, mTOR, BRAF, MEK, BTK, KRAS G12C inhibitors, anthracyclines, taxanes
    **CLASS_MEMBERS,
}


def members(klass: str) -> tuple[str, ...]:
    """The drugs with a concept of their own in ``klass``, by key (the INN)."""
    return tuple(key for key, classes in DRUG_CLASSES.items() if klass in classes)


def unspecified(klass: str) -> str:
    """The marker a record of ``klass`` that names no one drug of it carries ('chemotherapy',
    ATC L01FG): a rule on one drug of the class is unknown on it, never 'not met'."""
    return f"{klass}:unspecified"


def members_of_any() -> tuple[str, ...]:
    """The classes some drug with a concept of its own belongs to, and those of
    ``concepts_drug_classes``."""
    found = (c for classes in DRUG_CLASSES.values() for c in classes)
    return tuple(dict.fromkeys((*found, *CLASS_PARENTS)))


def broader(klass: str) -> frozenset[str]:
    """The classes that hold every drug of ``klass`` (an anti-PD-1/PD-L1 antibody is an immune
    checkpoint inhibitor; a platinum compound is chemotherapy), derived from the rows above so
    that class membership stays declared once, with the parents ``concepts_drug_classes``
    declares (an anthracycline is chemotherapy). Empty for a class with neither, and for a
    drug."""
    parents = frozenset(CLASS_PARENTS.get(klass, ()))
    sets = [set(classes) for classes in DRUG_CLASSES.values() if klass in classes]
    if not sets:
        return parents
    return frozenset(set.intersection(*sets) - {klass}) | parents


def conjugate_of(drug: str) -> str:
    """The marker a record of a conjugate of ``drug`` carries (trastuzumab emtansine is a
    conjugate of trastuzumab: concepts_regimens): a rule on the drug is unknown on it."""
    return f"{drug}:conjugate"


def vague_for(therapy: str) -> frozenset[str]:
    """The markers of the records a rule on ``therapy`` is unknown on: those of the records of
    a class holding it that name no one drug ('chemotherapy' for a rule on gemcitabine or on
    platinum compounds; 'immune checkpoint inhibitor' for a rule on anti-PD-1 antibodies) and,
    for a drug, those of the records of a conjugate of it. A record of ``therapy`` itself is met
    before its marker is looked at (evaluate_history). For a class, also those of the records of
    a drug given for it and for other purposes (concepts_medications: lamivudine, for HIV or
    hepatitis B)."""
    classes = set(DRUG_CLASSES.get(therapy, ()))
    if therapy not in DRUG_CLASSES:
        classes |= {therapy, *broader(therapy)}
    markers = {unspecified(c) for c in classes} | {conjugate_of(therapy), other_uses(therapy)}
    if therapy in OPEN_CLASSES:
        markers.add(UNCLASSIFIED)
    return frozenset(markers)


# Two classes no list of names closes (issue 12, washout criteria: "Treatment with any
# investigational drug within 28 days prior to registration", NCT06248606 E7; "Has received
# prior systemic anticancer therapy … within 4 weeks before randomization", NCT06997497 E6, the
# Merck template; development records). A record is an
# investigational agent when the data manager says so (concept key ``investigational_agent``:
# concepts_washout); it is systemic anticancer therapy when it is a drug or class of this
# module, ATC L01/L02, or a drug of a line of therapy (``TherapyLine``: a line of systemic
# therapy). A record oncotrial classifies as nothing (an uncoded "XYZ-123") may be either, so it
# carries the ``UNCLASSIFIED`` marker and a rule on these classes is unknown on it, never not met.
INVESTIGATIONAL = "investigational_agent"
ANTICANCER = "systemic_anticancer_therapy"
# with the classes of concepts_drug_classes no list of names closes (KRAS G12C inhibitors)
OPEN_CLASSES = frozenset({INVESTIGATIONAL, ANTICANCER, *OPEN})
UNCLASSIFIED = "medication:unclassified"
# the classes of anticancer drugs (ONCOLOGY_THERAPIES and the classes of the drugs above)
_ANTICANCER_CLASSES = frozenset(
    {
        *DRUG_CLASSES,
        *(c for classes in DRUG_CLASSES.values() for c in classes),
        *OTHER_MEMBERS,
        "chemotherapy",
        "platinum_chemotherapy",
        "vegf_inhibitor",
        "egfr_tki",
        "alk_inhibitor",
        "immune_checkpoint_inhibitor",
        "pd1_pdl1_inhibitor",
        "ctla4_inhibitor",
    }
)


def therapy_keys(keys: frozenset[str], in_line: bool = False) -> frozenset[str]:
    """A drug record's therapy concepts (``match_concepts``) with the two open classes': the
    ``UNCLASSIFIED`` marker when the record names no drug or class oncotrial knows (only markers,
    a class named without a drug: 'chemotherapy' may be an investigational one, or only an
    investigational agent, which may be an anticancer drug or not), and
    ``ANTICANCER`` for an anticancer drug or class, or any drug of a line of therapy."""
    named = {k for k in keys if ":" not in k and unspecified(k) not in keys}
    found = set(keys)
    # an investigational agent may be an anticancer drug or not: the record does not say
    if not named - {ANTICANCER, INVESTIGATIONAL}:
        found.add(UNCLASSIFIED)
    if in_line or keys & _ANTICANCER_CLASSES:
        found.add(ANTICANCER)
    return frozenset(found)
