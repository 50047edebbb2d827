"""Variants of driver genes that eligibility criteria name ("KRAS G12C mutation", "EGFR exon 19
deletion or exon 21 L858R", "BRAF V600E", "MET exon 14 skipping"; issue 12).

A variant belongs to a marker of ``concepts.BIOMARKERS``, named by its HGNC gene symbol (HUGO
Gene Nomenclature Committee, genenames.org: EGFR HGNC:3236, KRAS HGNC:6407, BRAF HGNC:1097, MET
HGNC:7029). Its canonical name is, for a single amino-acid substitution, the HGVS protein
notation with one-letter amino-acid codes and without the "p." prefix ("G12C" for
p.Gly12Cys: HGVS Nomenclature, protein substitution recommendations, hgvs-nomenclature.org
/stable/recommendations/protein/substitution/, which allows the one-letter code; FHIR names the
system http://varnomen.hgvs.org). Exon-level classes that no single HGVS description covers —
the many in-frame deletions of EGFR exon 19, the insertions of exon 20, the splice-site variants
that make MET skip exon 14 — keep the name the FDA labels that select patients on them use
("EGFR exon 19 deletions or exon 21 L858R substitution mutations", osimertinib; "EGFR exon 20
insertion mutations", amivantamab; "MET exon 14 skipping", capmatinib).

Only the variants the development corpus names are declared (jwlieb/clinical-trial-agent
data/demo @387df17: NCT ids in each ``source``). Classes written with an X ("G719X", "BRAF
V600") are not declared: they stand for several substitutions, and a record's one substitution
must not be compared to them as if they were one.

A patient record's variant (``Biomarker.variant``) is any HGVS amino-acid substitution (one- or
three-letter codes, with or without "p." and its parentheses) or a declared class's spelling;
it is stored canonical, so that a rule and a record compare by equality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "GENE_NAMES",
    "VARIANTS",
    "Variant",
    "canonical_variant",
    "variant",
    "variant_pattern",
]

# IUPAC-IUB one- and three-letter amino-acid codes (HGVS uses both; "Ter" / "*" is a stop)
_AMINO = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
}  # fmt: skip
_THREE = {one: three for three, one in _AMINO.items()}
_ONE_LETTER = "".join(_AMINO.values()).replace("*", "")


@dataclass(frozen=True)
class Variant:
    marker: str  # the HGNC gene symbol (a key of concepts.BIOMARKERS)
    key: str  # canonical: "G12C", "exon 19 deletion"
    name: str
    source: str
    # how criteria text and records write a class (a regular expression); a substitution's
    # spellings are its HGVS forms and need none
    spellings: str | None = None
    # the variant's name alone names its gene in criteria ("exon 19 deletion or L858R" are
    # EGFR's in every record that writes them; "G12C" may be KRAS's, NRAS's or HRAS's)
    names_its_gene: bool = False
    # the exon a substitution lies in, which criteria may write with it ("exon 21 L858R")
    exon: int | None = None

    @property
    def hgvs(self) -> str | None:
        """The HGVS protein description with three-letter codes (None for a class)."""
        m = _SUBSTITUTION_ONE.fullmatch(self.key)
        if m is None:
            return None
        return f"p.{_THREE[m['ref']]}{m['pos']}{_THREE[m['alt']]}"


_SUBSTITUTION_ONE = re.compile(
    rf"(?P<ref>[{_ONE_LETTER}])(?P<pos>[1-9]\d*)(?P<alt>[{_ONE_LETTER}*])"
)
_SUBSTITUTION_THREE = re.compile(
    r"(?P<ref>" + "|".join(_AMINO) + r")(?P<pos>[1-9]\d*)(?P<alt>" + "|".join(_AMINO) + r")"
)

_EGFR = "EGFR"
_KRAS = "KRAS"
_BRAF = "BRAF"
_MET = "MET"
_DEV = "jwlieb/clinical-trial-agent data/demo @387df17"


def _sub(marker: str, key: str, exon: int, where: str, *, names_its_gene: bool = False) -> Variant:
    m = _SUBSTITUTION_ONE.fullmatch(key)
    assert m is not None
    name = f"{marker} {key} (p.{_THREE[m['ref']]}{m['pos']}{_THREE[m['alt']]}, exon {exon})"
    source = f"HGVS protein substitution; named in {where} ({_DEV})"
    return Variant(marker, key, name, source, names_its_gene=names_its_gene, exon=exon)


VARIANTS: tuple[Variant, ...] = (
    Variant(
        _EGFR,
        "exon 19 deletion",
        "EGFR exon 19 deletion (in-frame deletions, e.g. p.Glu746_Ala750del)",
        "osimertinib label (exon 19 deletions); named in NCT03586453, NCT07155187, NCT04665206 "
        f"({_DEV})",
        r"exon[\s-]*19[\s-]+deletions?|exon\s+deletion\s+19|deletions?\s+in\s+exon[\s-]*19"
        r"|ex(?:on)?[\s-]*19[\s-]*del(?:etions?)?|del(?:etion)?[\s-]*19|19[\s-]*del",
        names_its_gene=True,
    ),
    _sub(_EGFR, "L858R", 21, "NCT03586453, NCT07155187", names_its_gene=True),
    _sub(_EGFR, "T790M", 20, "NCT03586453, NCT04762199, NCT06074588", names_its_gene=True),
    _sub(_EGFR, "C797S", 20, "NCT06225804, NCT05394831, NCT05519293", names_its_gene=True),
    _sub(_EGFR, "L861Q", 21, "NCT03260491, NCT05168566", names_its_gene=True),
    _sub(_EGFR, "S768I", 20, "NCT05168566, NCT04181060", names_its_gene=True),
    Variant(
        _EGFR,
        "exon 20 insertion",
        "EGFR exon 20 insertion (in-frame insertions, e.g. p.Asp770_Asn771insSerValAsp)",
        f"amivantamab label (exon 20 insertion mutations); named in NCT06225804, NCT05519293 "
        f"({_DEV})",
        r"(?:in-frame\s+)?exon[\s-]*20[\s-]+insertions?|ex(?:on)?[\s-]*20[\s-]*ins(?:ertions?)?",
    ),
    _sub(_KRAS, "G12C", 2, "NCT04613596, NCT05074810, NCT06343402"),
    _sub(_KRAS, "G12D", 2, "NCT06040541, NCT06179160, NCT06619587"),
    _sub(_KRAS, "G12V", 2, "NCT06607185, NCT06917079, NCT07094204"),
    _sub(_KRAS, "G12A", 2, "NCT06607185, NCT06917079, NCT07094204"),
    _sub(_KRAS, "G12S", 2, "NCT06607185, NCT06720987"),
    _sub(_KRAS, "G12R", 2, "NCT05254184, NCT07094204"),
    _sub(_KRAS, "G13D", 2, "NCT05254184, NCT06607185, NCT07094204"),
    _sub(_BRAF, "V600E", 15, "NCT05503797, NCT06102902, NCT06902376"),
    _sub(_BRAF, "V600K", 15, "NCT06194929"),
    Variant(
        _MET,
        "exon 14 skipping",
        "MET exon 14 skipping (splice-site and deletion variants that skip exon 14)",
        f"capmatinib label (MET exon 14 skipping); named in NCT04892953, NCT06116682 ({_DEV})",
        r"exon[\s-]*14[\s-]+skipping|ex(?:on)?[\s-]*14[\s-]*skipping|METex14",
    ),
)

_BY_KEY = {(v.marker, v.key): v for v in VARIANTS}

# The genes' names as criteria write them before the symbol in brackets ("Kirsten rat sarcoma
# viral oncogene homolog (KRAS) G12V"): HGNC's approved names (epidermal growth factor receptor;
# KRAS proto-oncogene, GTPase; B-Raf proto-oncogene, serine/threonine kinase; MET
# proto-oncogene, receptor tyrosine kinase) and the previous ones the corpus still uses
GENE_NAMES: dict[str, str] = {
    _EGFR: r"epidermal\s+growth\s+factor\s+receptor",
    _KRAS: r"kirsten\s+rat\s+sarcoma(?:\s+viral\s+oncogene\s+homolog(?:ue)?|\s+virus)?",
    _BRAF: r"(?:proto-oncogene\s+)?B-Raf(?:\s+proto-oncogene)?",
    _MET: r"mesenchymal[\s-]+epithelial\s+transition(?:\s+factor)?|MET\s+proto-oncogene",
}


def variant(marker: str, key: str) -> Variant | None:
    """The declared variant ``key`` of ``marker`` (None when it is not declared)."""
    return _BY_KEY.get((marker.strip().upper(), key))


def variant_pattern(v: Variant) -> str:
    """A regular expression for the ways criteria text writes ``v`` ("G12C", "p.G12C",
    "p.Gly12Cys", "Cys797Ser (C797S)")."""
    if v.spellings is not None:
        return v.spellings
    three = v.hgvs
    assert three is not None
    one, three = re.escape(v.key), re.escape(three[2:])
    return rf"(?:p\.\s*\(?)?(?:{one}|{three}(?:\s*\({one}\))?)\)?"


def canonical_variant(marker: str, text: str) -> str:
    """A record's variant, canonical: an HGVS substitution in one-letter codes ("G12C"), or a
    declared class of ``marker`` ("exon 19 deletion"). Raises ValueError on anything else."""
    # a reference sequence before the change ("NP_005219.2:p.(Leu858Arg)") names the
    # transcript, not the variant
    written = re.sub(r"^[A-Z]{2}_\d+(?:\.\d+)?:", "", text.strip())
    bare = re.sub(r"^p\.\s*\(?|\)$", "", written)
    m = _SUBSTITUTION_ONE.fullmatch(bare.upper()) if bare[1:2].isdigit() else None
    if m is not None:
        return m.group(0)
    m3 = _SUBSTITUTION_THREE.fullmatch(bare[:1].upper() + bare[1:])
    if m3 is not None:
        return f"{_AMINO[m3['ref']]}{m3['pos']}{_AMINO[m3['alt']]}"
    classes = [v for v in VARIANTS if v.spellings and v.marker == marker.strip().upper()]
    for v in classes:
        assert v.spellings is not None
        if re.fullmatch(v.spellings, written, re.I) or written.casefold() == v.key:
            return v.key
    raise ValueError(
        f"unknown {marker} variant {text!r}: give an HGVS amino-acid substitution "
        "(p.Gly12Cys, p.G12C or G12C)"
        + (f" or one of: {', '.join(v.key for v in classes)}" if classes else "")
    )
