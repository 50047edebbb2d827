"""A registry record's own results, as kept by ``trial import`` (``Protocol.registry_results``).

The importer keeps the record's ``resultsSection`` verbatim (JSON text); this reads it whole into
the results model (an unknown field is an error naming its path), so the trial page can show the
registry's results and a generated section can be compared with them.
"""

from __future__ import annotations

import json

from oncotrial.errors import InputError
from oncotrial.protocol.model import Protocol
from oncotrial.results.model import ResultsSection, from_api

__all__ = ["read_results_document", "registry_results"]


def read_results_document(document: object, source: str) -> ResultsSection:
    """A results section from a study record (API v2) or ``{"resultsSection": …}`` (ours)."""
    if not isinstance(document, dict) or not isinstance(document.get("resultsSection"), dict):
        raise InputError(
            f"{source} holds no resultsSection",
            file=source,
            field="resultsSection",
            hint="Give a ClinicalTrials.gov API v2 study record with results, or the JSON "
            "written by `oncotrial results`.",
        )
    return from_api(ResultsSection, document["resultsSection"], source=source)


def registry_results(protocol: Protocol) -> ResultsSection | None:
    """The registry's results kept with ``protocol`` (None when the record had none)."""
    if protocol.registry_results is None:
        return None
    source = protocol.source.name
    return read_results_document({"resultsSection": json.loads(protocol.registry_results)}, source)
