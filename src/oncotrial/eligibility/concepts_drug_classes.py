"""The classes of anticancer drugs that prior-therapy criteria name (issue 12: "Prior therapy
with alpelisib or any other phosphoinositide 3-kinase (PI3K) inhibitor", NCT05563220 E19;
"Prior treatment with PARP inhibitor", NCT04511039 E3; "Prior therapy with anthracycline.",
NCT07125183 E1; "Prior treatment with a KRAS G12C inhibitor", NCT05789082 E4 — jwlieb/
clinical-trial-agent data/demo/results/<dir>/trials.json @387df17), declared once here: the
words criteria and records use for the class (``phrases``), its members that have no concept of
their own (INN and US brand names), its WHO ATC group and the classes that hold it.

ATC codes are as listed with their names in hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at
20fc5214adf035a1ec6df827d083dfc08d4544a8 (the file ``concepts_drugs`` cites): the group, and for
records coded before the 2022 revision each member's code then. US brand names are those of the
NCI drug information summaries as kept in gautamgauri/suchi-cancer-bot suchi_phase1_pack/kb/en/
02_nci_core/treatment/about-cancer-treatment-drugs-<drug>.md at
9d1373953856b67bee62d0be9163c90c5e8571b9 ("US Brand Name(s)").

A class whose members no list closes (KRAS G12C inhibitors: most are investigational, with code
names only) is open (``OPEN``): a drug record oncotrial cannot classify leaves a rule on it
unknown, never not met (``concepts_drugs.therapy_keys``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oncotrial.eligibility.concept_model import Concept

__all__ = ["CLASS_MEMBERS", "CLASS_PARENTS", "DRUG_CLASS_TABLE", "OPEN", "class_concepts"]

_ATC = (
    "WHO ATC {}: hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at "
    "20fc5214adf035a1ec6df827d083dfc08d4544a8"
)
_NCI = (
    "US brand names {}: NCI drug information summaries, as kept in gautamgauri/suchi-cancer-bot "
    "suchi_phase1_pack/kb/en/02_nci_core/treatment/ at 9d1373953856b67bee62d0be9163c90c5e8571b9"
)


@dataclass(frozen=True)
class DrugClass:
    key: str
    name: str
    # the words for the class itself, as criteria and records write them (singular; the reader
    # takes a plural and hyphens for spaces)
    phrases: tuple[str, ...]
    # members with no concept of their own: INN (and other names), then US brand names
    members: tuple[str, ...]
    brands: tuple[str, ...]
    atc: tuple[str, ...]
    parents: tuple[str, ...] = ()
    open: bool = False
    note: str | None = None


DRUG_CLASS_TABLE: tuple[DrugClass, ...] = (
    DrugClass(
        "parp_inhibitor",
        "PARP inhibitor",
        (
            "PARP inhibitor",
            "PARPi",
            "poly (ADP-ribose) polymerase inhibitor",
            "poly (ADP-ribose) polymerase (PARP) inhibitor",
            "poly(ADP-ribose) polymerase inhibitor",
            "poly(ADP-ribose) polymerase (PARP) inhibitor",
        ),
        ("olaparib", "niraparib", "rucaparib", "talazoparib", "veliparib", "pamiparib"),
        ("Lynparza", "Zejula", "Rubraca", "Talzenna"),
        # L01XK, and the codes before 2022: olaparib, niraparib, rucaparib, talazoparib
        ("L01XK", "L01XX46", "L01XX54", "L01XX55", "L01XX60"),
    ),
    DrugClass(
        "cdk46_inhibitor",
        "CDK4/6 inhibitor",
        (
            "CDK4/6 inhibitor",
            "CDK 4/6 inhibitor",
            "CDK4/6i",
            "cyclin-dependent kinase 4/6 inhibitor",
            "cyclin-dependent kinase 4/6 (CDK4/6) inhibitor",
        ),
        ("palbociclib", "ribociclib", "abemaciclib"),
        ("Ibrance", "Kisqali", "Verzenio"),
        # L01EF holds only CDK4/6 inhibitors in this file; before 2022: L01XE33, 42, 50
        ("L01EF", "L01XE33", "L01XE42", "L01XE50"),
        note="ATC L01EF is 'cyclin-dependent kinase (CDK) inhibitors': its three members in "
        "the cited file are the CDK4/6 inhibitors palbociclib, ribociclib and abemaciclib",
    ),
    DrugClass(
        "pi3k_inhibitor",
        "PI3K inhibitor",
        (
            "PI3K inhibitor",
            "phosphoinositide 3-kinase inhibitor",
            "phosphoinositide 3-kinase (PI3K) inhibitor",
            "phosphatidylinositol 3-kinase inhibitor",
            "phosphatidylinositol 3-kinase (PI3K) inhibitor",
        ),
        ("alpelisib", "idelalisib", "copanlisib", "duvelisib", "inavolisib", "umbralisib"),
        ("Piqray", "Vijoice", "Zydelig", "Copiktra", "Itovebi"),
        # L01EM; before 2022: alpelisib L01XX65, idelalisib L01XX47, copanlisib L01XX61
        ("L01EM", "L01XX65", "L01XX47", "L01XX61"),
        note="inavolisib and umbralisib have no code in the cited file: matched by name",
    ),
    DrugClass(
        "mtor_inhibitor",
        "mTOR inhibitor",
        (
            "mTOR inhibitor",
            "mTORi",
            "mammalian target of rapamycin inhibitor",
            "mammalian target of rapamycin (mTOR) inhibitor",
            "mechanistic target of rapamycin inhibitor",
            "mechanistic target of rapamycin (mTOR) inhibitor",
        ),
        # everolimus and temsirolimus have concepts of their own (concepts_drugs)
        ("ridaforolimus", "sirolimus", "nab-sirolimus", "Fyarro"),
        (),
        # L01EG; ridaforolimus before 2022 L01XE19. Sirolimus's code (L04AA10, an
        # immunosuppressant) is left out, as everolimus's L04AA18 is: by name only
        ("L01EG", "L01XE19"),
        note="sirolimus is an mTOR inhibitor given also as an immunosuppressant: a record of "
        "it counts by its name (nab-sirolimus, Fyarro, is named by NCT05997056 E1)",
    ),
    DrugClass(
        "braf_inhibitor",
        "BRAF inhibitor",
        ("BRAF inhibitor", "BRAFi", "B-Raf inhibitor"),
        ("vemurafenib", "dabrafenib", "encorafenib"),
        ("Zelboraf", "Tafinlar", "Braftovi"),
        ("L01EC", "L01XE15", "L01XE23", "L01XE46"),
    ),
    DrugClass(
        "mek_inhibitor",
        "MEK inhibitor",
        ("MEK inhibitor", "MEKi"),
        ("trametinib", "cobimetinib", "binimetinib", "selumetinib"),
        ("Mekinist", "Cotellic", "Mektovi", "Koselugo"),
        ("L01EE", "L01XE25", "L01XE38", "L01XE41"),
    ),
    DrugClass(
        "btk_inhibitor",
        "BTK inhibitor",
        (
            "BTK inhibitor",
            "BTKi",
            "Bruton tyrosine kinase inhibitor",
            "Bruton's tyrosine kinase inhibitor",
            "Bruton tyrosine kinase (BTK) inhibitor",
            "Bruton's tyrosine kinase (BTK) inhibitor",
        ),
        ("ibrutinib", "acalabrutinib", "zanubrutinib", "pirtobrutinib", "orelabrutinib"),
        ("Imbruvica", "Calquence", "Brukinsa", "Jaypirca"),
        ("L01EL", "L01XE27", "L01XE51"),
        note="pirtobrutinib and orelabrutinib have no code in the cited file: matched by name",
    ),
    DrugClass(
        "anthracycline",
        "Anthracycline",
        ("anthracycline", "anthracycline-based chemotherapy", "anthracycline chemotherapy"),
        (
            "doxorubicin",
            "liposomal doxorubicin",
            "pegylated liposomal doxorubicin",
            "epirubicin",
            "daunorubicin",
            "idarubicin",
            "aclarubicin",
            "zorubicin",
            "pirarubicin",
            "valrubicin",
            "amrubicin",
        ),
        ("Doxil", "Lipodox", "Ellence", "Idamycin", "Idamycin PFS"),
        # the anthracyclines of L01DB one by one: L01DB07 mitoxantrone and L01DB11 pixantrone,
        # anthracenediones in the same group, are no anthracyclines by name
        (
            "L01DB01",
            "L01DB02",
            "L01DB03",
            "L01DB04",
            "L01DB05",
            "L01DB06",
            "L01DB08",
            "L01DB09",
            "L01DB10",
        ),
        parents=("chemotherapy",),
        note="mitoxantrone and pixantrone (ATC L01DB 'anthracyclines and related substances') "
        "are not taken: whether a criterion's 'anthracycline' means them is the trial's to say",
    ),
    DrugClass(
        "taxane",
        "Taxane",
        ("taxane", "taxane-based chemotherapy", "taxane chemotherapy"),
        # paclitaxel and docetaxel have concepts of their own (concepts_drugs)
        ("cabazitaxel", "paclitaxel poliglumex"),
        ("Jevtana",),
        ("L01CD",),
        parents=("chemotherapy",),
    ),
    DrugClass(
        "kras_g12c_inhibitor",
        "KRAS G12C inhibitor",
        (
            "KRAS G12C inhibitor",
            "KRAS G12C tyrosine kinase inhibitor",
            "KRASG12C inhibitor",
            "G12C inhibitor",
        ),
        (
            "sotorasib",
            "adagrasib",
            "divarasib",
            "glecirasib",
            "garsorasib",
            "fulzerasib",
            "olomorasib",
        ),
        ("Lumakras", "Krazati"),
        # sotorasib L01XX73; adagrasib has no code in the cited file
        ("L01XX73",),
        open=True,
        note="an open class: most of its drugs are investigational, with code names only, so a "
        "drug record oncotrial cannot classify leaves a rule on it unknown",
    ),
)

# class key -> the classes that hold every drug of it (a taxane is chemotherapy)
CLASS_PARENTS: dict[str, tuple[str, ...]] = {c.key: c.parents for c in DRUG_CLASS_TABLE}
# class key -> its members with no concept of their own, INN and brand names
CLASS_MEMBERS: dict[str, tuple[str, ...]] = {
    c.key: (*c.members, *c.brands) for c in DRUG_CLASS_TABLE
}
OPEN = frozenset(c.key for c in DRUG_CLASS_TABLE if c.open)


def class_concepts(own: Callable[[str], tuple[str, ...]]) -> tuple[Concept, ...]:
    """The class concepts, with ``own(key)``: the class's drugs that have a concept of their own
    (``concepts_drugs.members``), so that membership stays declared once."""
    return tuple(
        Concept(
            c.key,
            c.name,
            tuple(dict.fromkeys((*c.phrases, *own(c.key), *c.members, *c.brands))),
            atc=c.atc,
            sources=(_ATC.format(", ".join(c.atc)), _NCI.format(", ".join(c.brands))),
            note=c.note,
        )
        for c in DRUG_CLASS_TABLE
    )
