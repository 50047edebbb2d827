"""What a medication record names besides one drug by its own name (issue 12: never a silent
pass): a regimen ("FOLFOX" is fluorouracil, leucovorin and oxaliplatin), another form of a drug
("Abraxane" is paclitaxel), a drug conjugated to another ("Kadcyla", trastuzumab emtansine), or
a class in the words records use ("anti-PD-1 antibody", "immunotherapy"). Read on records only:
the criteria reader (reading_prior) keeps to the drugs' own names, so that "No prior
nab-paclitaxel" is never read as a rule on every paclitaxel.

How each counts, and why:

- A regimen is an exposure to each of its drugs, and so to their classes: a record "FOLFOX" is
  a prior oxaliplatin and a prior platinum compound ("No prior oxaliplatin" passed it before).
  Its components are those of the NCI drug information summary of the combination
  (cancer.gov/about-cancer/treatment/drugs/<page>: "This chemotherapy combination contains the
  drugs …"), as kept in gautamgauri/suchi-cancer-bot
  suchi_phase1_pack/kb/en/02_nci_core/treatment/about-cancer-treatment-drugs-<page>.md at
  9d1373953856b67bee62d0be9163c90c5e8571b9. A schedule of the regimen (FOLFOX-4, FOLFOX-6,
  modified FOLFOX-6 / mFOLFOX-6, FOLFOX-7: "they differ depending on the doses and ways in which
  the three drugs are given", MSKCC's definition of FOLFOX, mskcc.org/term/folfox) has its drugs.
- Another form of the same substance is the drug: the albumin-bound nanoparticle formulation of
  paclitaxel (Abraxane) and liposomal irinotecan (Onivyde) carry no ATC code of their own (the
  substance's, L01CD01 paclitaxel, L01CE02 irinotecan: hl7-eu/unicom-ig atcEMA.fsh at
  20fc5214adf035a1ec6df827d083dfc08d4544a8), and the NCI summaries call them "a different form
  of the chemotherapy drug paclitaxel" and "irinotecan sucrosofate".
- A conjugate is not its antibody, nor is it clearly not: trastuzumab emtansine (L01FD03, before
  2022 L01XC14) and trastuzumab deruxtecan (L01FD04, before 2022 L01XC41) are substances with
  codes of their own, apart from trastuzumab (L01FD01), yet each delivers trastuzumab. Whether
  "No prior trastuzumab" or "At least 3 months since prior trastuzumab" meant to take them in
  is for the trial team to say: a record of one leaves a rule on trastuzumab unknown, never
  met nor not met (concepts_drugs.conjugate_of).
- A class in the words records use is the class (an "anti-PD-1 antibody" record is a prior
  anti-PD-1/PD-L1 antibody, and so an immune checkpoint inhibitor); a rule on one drug of it is
  unknown on it (concepts_drugs.unspecified). "Immunotherapy" is wider than any class: it may
  have been an immune checkpoint inhibitor, and it may not; rules on those are unknown on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncotrial.eligibility.concept_model import System
from oncotrial.eligibility.concepts_drugs import conjugate_of, unspecified

__all__ = [
    "CONJUGATES",
    "FORMS",
    "RECORD_CLASS_NAMES",
    "REGIMENS",
    "Conjugate",
    "Regimen",
    "lookup",
]

_NCI = (
    "NCI drug information summary, cancer.gov/about-cancer/treatment/drugs/{0}, as kept in "
    "gautamgauri/suchi-cancer-bot suchi_phase1_pack/kb/en/02_nci_core/treatment/"
    "about-cancer-treatment-drugs-{0}.md at 9d1373953856b67bee62d0be9163c90c5e8571b9"
)
_ATC = (
    "WHO ATC {}: hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at "
    "20fc5214adf035a1ec6df827d083dfc08d4544a8"
)


@dataclass(frozen=True)
class Regimen:
    key: str
    names: tuple[str, ...]
    # the drugs, by a name concepts match (leucovorin, a modulator with no concept, is named
    # so that the regimen is complete, and matches nothing)
    drugs: tuple[str, ...]
    source: str


_FOL_F = ("leucovorin", "fluorouracil")
REGIMENS: tuple[Regimen, ...] = (
    Regimen(
        "folfox",
        ("FOLFOX", "FOLFOX-4", "FOLFOX-6", "mFOLFOX-6", "FOLFOX-7"),
        (*_FOL_F, "oxaliplatin"),
        _NCI.format("folfox") + "; schedules: mskcc.org/term/folfox",
    ),
    Regimen("folfiri", ("FOLFIRI",), (*_FOL_F, "irinotecan"), _NCI.format("folfiri")),
    Regimen(
        "folfirinox",
        ("FOLFIRINOX",),
        (*_FOL_F, "irinotecan", "oxaliplatin"),
        _NCI.format("folfirinox"),
    ),
    Regimen(
        "folfoxiri",
        ("FOLFOXIRI",),
        (*_FOL_F, "oxaliplatin", "irinotecan"),
        "Deng Y et al., Gastroenterology Report 2021;9(4):279-289, doi:10.1093/gastro/goab033 "
        "('The FOLFOXIRI regimen, which combines 5-fluorouracil/leucovorin, oxaliplatin, and "
        "irinotecan')",
    ),
    Regimen(
        "capox",
        ("CAPOX", "XELOX"),
        ("capecitabine", "oxaliplatin"),
        _NCI.format("capox") + "; " + _NCI.format("xelox"),
    ),
    Regimen("xeliri", ("XELIRI",), ("capecitabine", "irinotecan"), _NCI.format("xeliri")),
    Regimen("fu_lv", ("FU-LV",), _FOL_F, _NCI.format("fu-lv")),
    Regimen("tpf", ("TPF",), ("docetaxel", "cisplatin", "fluorouracil"), _NCI.format("tpf")),
    Regimen(
        "gemcitabine_cisplatin",
        ("gemcitabine-cisplatin",),
        ("gemcitabine", "cisplatin"),
        _NCI.format("gemcitabine-cisplatin"),
    ),
    Regimen(
        "gemcitabine_oxaliplatin",
        ("gemcitabine-oxaliplatin",),
        ("gemcitabine", "oxaliplatin"),
        _NCI.format("gemcitabine-oxaliplatin"),
    ),
    Regimen(
        "carboplatin_taxol",
        ("carboplatin-Taxol",),
        ("carboplatin", "paclitaxel"),
        _NCI.format("carboplatin-taxol"),
    ),
)

# drug key -> the names of other forms of the same substance, or of the drug in a regimen's
# summary ("paclitaxel (Taxol)", "cisplatin (Platinol)"): see the module's docstring
FORMS: dict[str, tuple[tuple[str, ...], str]] = {
    "paclitaxel": (
        (
            "Taxol",
            "Abraxane",
            "nab-paclitaxel",
            "albumin-bound paclitaxel",
            "protein-bound paclitaxel",
            "paclitaxel protein-bound",
            "paclitaxel albumin-stabilized nanoparticle formulation",
            "nanoparticle albumin-bound paclitaxel",
        ),
        _NCI.format("carboplatin-taxol") + "; " + _NCI.format("nanoparticlepaclitaxel"),
    ),
    "cisplatin": (("Platinol",), _NCI.format("tpf")),
    "irinotecan": (
        ("Onivyde", "irinotecan sucrosofate", "liposomal irinotecan", "irinotecan liposome"),
        _NCI.format("irinotecan-hydrochloride-liposome"),
    ),
}


@dataclass(frozen=True)
class Conjugate:
    key: str
    carrier: str  # the drug (with a concept) it delivers
    names: tuple[str, ...]
    atc: tuple[str, ...]
    sources: tuple[str, ...]


CONJUGATES: tuple[Conjugate, ...] = (
    Conjugate(
        "trastuzumab_emtansine",
        "trastuzumab",
        ("trastuzumab emtansine", "ado-trastuzumab emtansine", "T-DM1", "Kadcyla"),
        ("L01FD03", "L01XC14"),
        (
            _ATC.format("L01FD03, L01XC14 trastuzumab emtansine"),
            _NCI.format("ado-trastuzumab-emtansine") + " (US brand name Kadcyla)",
            "T-DM1: ClinicalTrials.gov NCT03587740 ('Adjuvant Ado-Trastuzumab Emtansine "
            "(T-DM1) ...')",
        ),
    ),
    Conjugate(
        "trastuzumab_deruxtecan",
        "trastuzumab",
        (
            "trastuzumab deruxtecan",
            "fam-trastuzumab deruxtecan",
            "fam-trastuzumab deruxtecan-nxki",
            "T-DXd",
            "Enhertu",
        ),
        ("L01FD04", "L01XC41"),
        (
            _ATC.format("L01FD04, L01XC41 trastuzumab deruxtecan"),
            _NCI.format("famtrastuzumabderuxtecan-nxki") + " (US brand name Enhertu)",
            "T-DXd: the abbreviation in common use; no public source checked here (a record "
            "of it only ever leaves a rule on trastuzumab unknown)",
        ),
    ),
)

# class key -> the words records use for the class (read on records only: the criteria have
# their own patterns, reading_prior._CLASS_NAMES)
RECORD_CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "immune_checkpoint_inhibitor": (
        "immune checkpoint inhibitor",
        "immune checkpoint inhibitors",
        "checkpoint inhibitor",
        "checkpoint inhibitors",
        "immune checkpoint blockade",
    ),
    "pd1_pdl1_inhibitor": (
        "anti-PD-1",
        "anti-PD-1 antibody",
        "anti-PD-1 therapy",
        "PD-1 inhibitor",
        "anti-PD-L1",
        "anti-PD-L1 antibody",
        "anti-PD-L1 therapy",
        "PD-L1 inhibitor",
        "PD-1/PD-L1 inhibitor",
        "anti-PD-1/PD-L1",
        "anti-PD-(L)1",
    ),
    "ctla4_inhibitor": ("anti-CTLA-4", "anti-CTLA-4 antibody", "CTLA-4 inhibitor"),
    "platinum_chemotherapy": (
        "platinum",
        "platinum chemotherapy",
        "platinum-based chemotherapy",
        "platinum doublet",
        "platinum-based doublet",
    ),
    "chemotherapy": ("chemo", "systemic chemotherapy"),
}

# a modulator of fluorouracil in FOLFOX and its kin, with no concept: named, so that a record
# "5-FU/leucovorin" is read whole, and matching nothing (V03AF03 calcium folinate is no
# antineoplastic)
_MODULATORS = ("leucovorin", "leucovorin calcium", "folinic acid", "calcium folinate")

# words wider than any class: the classes the record may have been of (never is known to be)
_MAYBE: dict[str, tuple[str, ...]] = {
    "immunotherapy": ("immune_checkpoint_inhibitor",),
    "cancer immunotherapy": ("immune_checkpoint_inhibitor",),
}


@dataclass(frozen=True)
class Found:
    """What a record's name names: names (and keys) to match, and markers to add."""

    names: tuple[str, ...] = ()
    markers: frozenset[str] = frozenset()


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def _fold(text: str) -> str:
    return re.sub(r"[\s_'’-]+", " ", text.casefold()).strip()


_REGIMEN_OF = {_compact(n): r for r in REGIMENS for n in (r.key, *r.names)}
_FORM_OF = {_fold(n): key for key, (names, _) in FORMS.items() for n in names}
_CONJUGATE_OF = {_fold(n): c for c in CONJUGATES for n in (c.key, *c.names)}
_CONJUGATE_CODE = {code: c for c in CONJUGATES for code in c.atc}
_CLASS_OF = {_fold(n): key for key, names in RECORD_CLASS_NAMES.items() for n in names}
_MODULATOR_NAMES = frozenset(_fold(n) for n in _MODULATORS)
_MAYBE_OF = {_fold(n): classes for n, classes in _MAYBE.items()}


def _regimen(name: str) -> Regimen | None:
    """The regimen a name names, a schedule of it (FOLFOX-6, FOLFOX4) or a modified one
    (mFOLFOX-6, modified FOLFIRINOX) included: they differ in doses, not in drugs."""
    compact = _compact(name)
    for stem in (compact, re.sub(r"^(?:modified|m)", "", compact)):
        for plain in (stem, re.sub(r"\d+$", "", stem)):
            if plain and plain in _REGIMEN_OF:
                return _REGIMEN_OF[plain]
    return None


def lookup(name: str) -> Found | None:
    """What a whole record name names besides a drug's or a class's own names, or None."""
    folded = _fold(name)
    if folded in _MODULATOR_NAMES:
        return Found(names=(name,))
    if folded in _FORM_OF:
        return Found(names=(_FORM_OF[folded],))
    if folded in _CONJUGATE_OF:
        return Found(markers=frozenset({conjugate_of(_CONJUGATE_OF[folded].carrier)}))
    if folded in _CLASS_OF:
        return Found(names=(_CLASS_OF[folded],))
    if folded in _MAYBE_OF:
        return Found(markers=frozenset(unspecified(c) for c in _MAYBE_OF[folded]))
    regimen = _regimen(name)
    if regimen is not None:
        return Found(names=regimen.drugs)
    return None


def code_markers(system: str | None, code: str | None) -> frozenset[str]:
    """The markers an ATC code of a conjugate gives (L01FD03: a conjugate of trastuzumab)."""
    if not code or System.normalise(system) != System.ATC:
        return frozenset()
    conjugate = _CONJUGATE_CODE.get(code.strip().upper())
    return frozenset() if conjugate is None else frozenset({conjugate_of(conjugate.carrier)})
