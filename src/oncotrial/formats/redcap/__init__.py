"""REDCap: a trial's data dictionary and longitudinal design generated from the entity
catalogue, its records as REDCap flat records, and REDCap records read back into SDTM.

``design`` builds the project (instruments, fields, events, repeats), ``dictionary`` writes and
reads REDCap's data dictionary and design CSV files, ``records`` converts records both ways and
``api`` fetches a project's dictionary and records through the REDCap API. docs/formats.md
(REDCap) gives the mapping and its limits.
"""

from __future__ import annotations

from oncotrial.formats.redcap.design import Project, design_project
from oncotrial.formats.redcap.dictionary import HEADER, read_dictionary, write_dictionary
from oncotrial.formats.redcap.records import map_dictionary, records_from_sdtm, sdtm_from_records

__all__ = [
    "HEADER",
    "Project",
    "design_project",
    "map_dictionary",
    "read_dictionary",
    "records_from_sdtm",
    "sdtm_from_records",
    "write_dictionary",
]
