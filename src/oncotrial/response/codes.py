"""The response vocabulary: categories, their numeric codes and the words inputs use for them.

Numeric analysis values follow admiralonco's ``aval_resp()`` (CR 1, PR 2, SD 3, NON-CR/NON-PD 4,
PD 5, NE 6, MISSING 7); iRECIST categories reuse them with the ``i`` prefix and iUPD, which has
no RECIST 1.1 twin, gets 8. ``Y``/``N`` flags are 1/0 as in the admiralonco ADRS template.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# The RECIST categories, lesion roles and lesion states are the catalogue's (TU/TR/RS vocabularies).
from oncotrial.catalogue.tumour import CR, ND, NE, NON_CR_NON_PD, PD, PR, SD
from oncotrial.catalogue.tumour import LesionRole as Role
from oncotrial.catalogue.tumour import LesionState as Status

__all__ = [
    "AVAL",
    "CR",
    "ICPD",
    "ICR",
    "IPR",
    "IRECIST_RESPONSES",
    "ISD",
    "IUPD",
    "MISSING",
    "ND",
    "NE",
    "NON_CR_NON_PD",
    "NON_ICR_NON_IUPD",
    "NT_STATUS_WORDS",
    "PD",
    "PR",
    "RECIST_RESPONSES",
    "ROLE_WORDS",
    "SD",
    "Role",
    "Status",
    "normalise_word",
]

MISSING: Final = "MISSING"

ICR: Final = "iCR"
IPR: Final = "iPR"
ISD: Final = "iSD"
NON_ICR_NON_IUPD: Final = "NON-iCR/NON-iUPD"
IUPD: Final = "iUPD"
ICPD: Final = "iCPD"

#: Timepoint responses a RECIST 1.1 / mRECIST RS record may carry (ND = not done, as
#: admiralonco accepts it).
RECIST_RESPONSES: Final = frozenset({CR, PR, SD, NON_CR_NON_PD, PD, NE, ND})
IRECIST_RESPONSES: Final = frozenset({ICR, IPR, ISD, NON_ICR_NON_IUPD, IUPD, ICPD, NE, ND})

AVAL: Final = MappingProxyType(
    {
        CR: 1.0,
        PR: 2.0,
        SD: 3.0,
        NON_CR_NON_PD: 4.0,
        PD: 5.0,
        NE: 6.0,
        MISSING: 7.0,
        ICR: 1.0,
        IPR: 2.0,
        ISD: 3.0,
        NON_ICR_NON_IUPD: 4.0,
        ICPD: 5.0,
        IUPD: 8.0,
        "Y": 1.0,
        "N": 0.0,
    }
)


def normalise_word(text: str) -> str:
    """Upper-case, single-spaced, with '_' and '-' spacing unified, for vocabulary lookups."""
    return " ".join(text.replace("_", " ").upper().split())


#: Words accepted for a lesion's role, normalised with :func:`normalise_word`.
ROLE_WORDS: Final = MappingProxyType(
    {
        "TARGET": Role.TARGET,
        "T": Role.TARGET,
        "TL": Role.TARGET,
        "NON-TARGET": Role.NON_TARGET,
        "NON TARGET": Role.NON_TARGET,
        "NONTARGET": Role.NON_TARGET,
        "NT": Role.NON_TARGET,
        "NTL": Role.NON_TARGET,
        "NEW": Role.NEW,
        "NEW LESION": Role.NEW,
        "NL": Role.NEW,
    }
)

#: Words accepted for a lesion's state at an assessment, normalised with :func:`normalise_word`.
NT_STATUS_WORDS: Final = MappingProxyType(
    {
        "ABSENT": Status.ABSENT,
        "NOT PRESENT": Status.ABSENT,
        "DISAPPEARED": Status.ABSENT,
        "RESOLVED": Status.ABSENT,
        "CR": Status.ABSENT,
        "ICR": Status.ABSENT,
        "PRESENT": Status.PRESENT,
        "NON-CR/NON-PD": Status.PRESENT,
        "NON-ICR/NON-IUPD": Status.PRESENT,
        "STABLE": Status.PRESENT,
        "NO CHANGE": Status.PRESENT,
        "PERSISTENT": Status.PRESENT,
        "IR/SD": Status.PRESENT,
        "UNEQUIVOCAL PROGRESSION": Status.PROGRESSION,
        "UNEQUIVOCAL": Status.PROGRESSION,
        "PROGRESSION": Status.PROGRESSION,
        "PD": Status.PROGRESSION,
        "IUPD": Status.PROGRESSION,
        "INCREASED": Status.INCREASED,
        "INCREASE": Status.INCREASED,
        "FURTHER INCREASE": Status.INCREASED,
        "EQUIVOCAL": Status.EQUIVOCAL,
        "NOT EVALUABLE": Status.NOT_EVALUABLE,
        "NOT EVALUATED": Status.NOT_EVALUABLE,
        "NOT ASSESSED": Status.NOT_EVALUABLE,
        "NOT DONE": Status.NOT_EVALUABLE,
        "NE": Status.NOT_EVALUABLE,
        "ND": Status.NOT_EVALUABLE,
        "TOO SMALL TO MEASURE": Status.TOO_SMALL,
        "TOO SMALL": Status.TOO_SMALL,
        "TSTM": Status.TOO_SMALL,
    }
)
