"""Cardiac conditions the QT limits of oncology criteria name beside them: "QTcF > 470 ms or
congenital long QT syndrome", "History of long QT syndrome", declared once here.

Long QT syndrome is matched by name only: SNOMED CT 9651007 'Long QT syndrome (disorder)' and
DOID 2843 are named in public files seen here (hartwigmedical/actin's HasLongQTSyndrome uses DOID
2843), but none of them is a terminology release, so no code is matched on their word. Acquired
QT prolongation (a drug's, an electrolyte's) is a finding of the ECG, not this condition: its
limit is the QTc's.
"""

from __future__ import annotations

from oncotrial.eligibility.concept_model import Concept

__all__ = ["CARDIAC_CONDITIONS"]

CARDIAC_CONDITIONS = (
    Concept(
        "long_qt_syndrome",
        "Long QT syndrome",
        ("long QT syndrome", "congenital long QT syndrome", "long QTc syndrome", "LQTS"),
        note="matched by name only: no SNOMED CT code confirmed by a terminology release yet",
    ),
)
