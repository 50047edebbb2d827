"""Real REDCap data dictionaries (tests/formats/redcap_sources.json cites each): read as REDCap
writes them, then mapped to SDTM where they say how, or refused field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncotrial.errors import FormatError, InputError
from oncotrial.formats.redcap.dictionary import read_dictionary
from oncotrial.formats.redcap.records import map_dictionary, sdtm_from_records

SOURCES = json.loads((Path(__file__).parent / "redcap_sources.json").read_text())["sources"]

# IeDEA/redcap-dictionaries IeDEA_tblCENTER_2020-06-30.csv @ 34fdfde48b5af20ce1d4e094af15167b104a3275
# (excerpt: header, the first four fields, a choice field, two trailing empty rows as in the file)
IEDEA = """Variable / Field Name,Form Name,Section Header,Field Type,Field Label,"Choices, Calculations, OR Slider Labels",Field Note,Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,Identifier?,Branching Logic (Show field only if...),Required Field?,Custom Alignment,Question Number (surveys only),Matrix Group Name,Matrix Ranking?,Field Annotation
record_id,tblcenter,,text,Record ID,,,,,,,,,,,,,
last_reviewed_d,tblcenter,,text,"Last Reviewed Date
<div style=""font-weight:lighter;font-style:italic"">Date when this center's data was last reviewed and/or updated</div>",,,date_ymd,,,,,,,,,,
tblcenter_txt,tblcenter,,descriptive,"<div style=""color:white; text-align:center; border: 1px #34495e; background-color: #2c3e50;""><h3 style=""margin:0px; padding:10px"">CENTER Record</h3></div>",,,,,,,,,,,,,
rural,tblcenter,,dropdown,"RURAL
<div style=""font-weight:lighter;font-style:italic"">Facility location</div>","1, Urban | 2, Mostly urban | 3, Mostly rural | 4, Rural | 9, Unknown",,,,,,,,,,,,
open_d,tblcenter,Site Metadata,text,"Database Open Date (OPEN_D)",,,date_ymd,,,,,,,,,,
notes,tblcenter,,notes,Notes about this site,,,,,,,,,,,,,
,,,,,,,,,,,,,,,,,
,,,,,,,,,,,,,,,,,
"""

# ctsit/ae_and_conmeds adverse_events.csv @ 0bf442c8d49f17b9368d2db027763b668055b45b (excerpt)
CTSIT = '''field_name,form_name,section_header,field_type,field_label,select_choices_or_calculations,field_note,text_validation_type_or_show_slider_number,text_validation_min,text_validation_max,identifier,branching_logic,required_field,custom_alignment,question_number,matrix_group_name,matrix_ranking,field_annotation
ae_ae,adverse_events,,notes,"Adverse Event Description",,,,,,,,,,,,,
ae_start,adverse_events,,text,"Start Date",,,date_mdy,,,y,,,,,,,
ae_severity,adverse_events,,radio,"Is this event serious?","1, Yes | 0, No",,,,,,,,,,,,
ae_outcome,adverse_events,,dropdown,Outcome,"1, Not recovered/not resolved | 2, Recovered/resolved | 3, Recovered/resolved with sequelae | 4, Recovering/resolving | 5, Death | 99, Unknown",,,,,,,,,,,,
ae_followup,adverse_events,,text,"What report number is this following-up?",,,,,,,"[ae_reporting] = ""2""",,,,,,
'''


def test_sources_are_cited() -> None:
    assert {s["repository"] for s in SOURCES} == {
        "IeDEA/redcap-dictionaries",
        "ctsit/ae_and_conmeds",
    }
    assert all(len(s["commit"]) == 40 and s["path"] for s in SOURCES)


def test_download_format_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tblcenter.csv"
    path.write_text(IEDEA, encoding="utf-8")
    fields = read_dictionary(path)
    assert [f.name for f in fields] == [
        "record_id",
        "last_reviewed_d",
        "tblcenter_txt",
        "rural",
        "open_d",
        "notes",
    ]
    rural = next(f for f in fields if f.name == "rural")
    assert rural.choices[0] == ("1", "Urban") and rural.choices[-1] == ("9", "Unknown")
    assert next(f for f in fields if f.name == "open_d").validation == "date_ymd"
    assert fields[1].label.startswith("Last Reviewed Date\n<div")  # newline inside the label


def test_unmapped_dictionary_is_refused_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "tblcenter.csv"
    path.write_text(IEDEA, encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        map_dictionary(read_dictionary(path), path.name)
    report = caught.value.report()
    assert "cannot be mapped to SDTM: 4 field(s) refused" in report
    for name in ("last_reviewed_d", "rural", "open_d", "notes"):
        assert f"field {name}" in report
    assert "instrument tblcenter" in report and "SDTM: DOMAIN.VARIABLE" in report
    assert "tblcenter_txt" not in report  # a descriptive field holds no data


def test_api_format_is_read_and_mapped_once_annotated(tmp_path: Path) -> None:
    path = tmp_path / "adverse_events.csv"
    path.write_text(CTSIT, encoding="utf-8")
    fields = read_dictionary(path)
    assert [f.field_type for f in fields] == ["notes", "text", "radio", "dropdown", "text"]
    with pytest.raises(FormatError, match="4 field"):
        map_dictionary(fields, path.name)
    # The same instrument once a data manager has annotated it (the first field, REDCap's
    # record id, is USUBJID).
    annotated = (
        CTSIT.replace(
            'ae_start,adverse_events,,text,"Start Date",,,date_mdy,,,y,,,,,,,',
            'ae_start,adverse_events,,text,"Start Date",,,date_mdy,,,y,,,,,,,SDTM: AE.AESTDTC',
        )
        .replace('Unknown",,,,,,,,,,,,', 'Unknown",,,,,,,,,,,,SDTM: AE.AEOUT')
        .replace(
            'Is this event serious?","1, Yes | 0, No",,,,,,,,,,,,',
            'Is this event serious?","1, Yes | 0, No",,,,,,,,,,,,SDTM: AE.AESER',
        )
        .replace(
            'following-up?",,,,,,,"[ae_reporting] = ""2""",,,,,,',
            'following-up?",,,,,,,"[ae_reporting] = ""2""",,,,,,SDTM: AE.AESEQ',
        )
    )
    path.write_text(annotated, encoding="utf-8")
    mapped = map_dictionary(read_dictionary(path), path.name)
    assert {n: (m.domain, m.variable) for n, m in mapped.items()} == {
        "ae_ae": ("DM", "USUBJID"),
        "ae_start": ("AE", "AESTDTC"),
        "ae_severity": ("AE", "AESER"),
        "ae_outcome": ("AE", "AEOUT"),
        "ae_followup": ("AE", "AESEQ"),
    }
    records = tmp_path / "records.csv"
    records.write_text(
        "ae_ae,ae_start,ae_severity,ae_outcome,ae_followup,adverse_events_complete\n"
        "S-1,2024-03-02,1,2,1,2\nS-1,2024-04-01,0,3,2,2\n",
        encoding="utf-8",
    )
    ae = sdtm_from_records(records, mapped, "S").frames["AE"]
    # Choice labels are matched with the catalogue's terms by code or label, case aside
    # (Recovered/resolved → RECOVERED/RESOLVED; Yes → Y of the No Yes Response codelist).
    assert ae.to_dict("records") == [
        {
            "STUDYID": "S",
            "DOMAIN": "AE",
            "USUBJID": "S-1",
            "AESTDTC": "2024-03-02",
            "AESER": "Y",
            "AEOUT": "RECOVERED/RESOLVED",
            "AESEQ": "1",
        },
        {
            "STUDYID": "S",
            "DOMAIN": "AE",
            "USUBJID": "S-1",
            "AESTDTC": "2024-04-01",
            "AESER": "N",
            "AEOUT": "RECOVERED/RESOLVED WITH SEQUELAE",
            "AESEQ": "2",
        },
    ]


def test_records_and_dictionary_come_from_the_redcap_api(tmp_path: Path) -> None:
    """`--url/--token`: the two documented API calls, the token in the POST body only."""
    import threading
    import urllib.parse
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from oncotrial.formats.redcap.api import download_project

    seen: list[dict[str, list[str]]] = []

    class Api(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            form = urllib.parse.parse_qs(body)
            seen.append(form)
            answer = (
                CTSIT if form["content"] == ["metadata"] else "ae_ae,ae_start\nS-1,2024-03-02\n"
            )
            if form["token"] != ["T0KEN"]:
                self.send_response(403)
                self.end_headers()
                self.wfile.write(b'{"error": "You do not have permissions to use the API"}')
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(answer.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/"
    try:
        records, dictionary = download_project(url, "T0KEN", tmp_path)
        assert [f.name for f in read_dictionary(dictionary)][:2] == ["ae_ae", "ae_start"]
        assert records.read_text() == "ae_ae,ae_start\nS-1,2024-03-02\n"
        assert [f["content"] for f in seen] == [["metadata"], ["record"]]
        assert seen[1]["rawOrLabel"] == ["raw"] and seen[1]["type"] == ["flat"]
        with pytest.raises(InputError, match="refused the metadata export \\(403\\)"):
            download_project(url, "wrong", tmp_path)
    finally:
        server.shutdown()
