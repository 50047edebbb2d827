"""SAS transport files and their metadata: the limits of XPT v5, ASCII spellings, SAS dates,
all-or-nothing writing, and the declarations (every label fits in 40 characters)."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.errors import FormatError
from oncotrial.formats.ascii import NotAscii, to_ascii
from oncotrial.formats.dataset_specs import ADAM_DATASETS, ADAM_VARIABLES, SDTM_DATASETS
from oncotrial.formats.metadata import describe_datasets
from oncotrial.formats.sdtm_spec import DOMAIN_VARIABLES
from oncotrial.formats.submission import write_submission
from oncotrial.formats.xpt import sas_date, sas_datetime

STUDY = {"study_oid": "S1", "study_name": "S1", "description": "a study"}


def describe(frames: dict[str, pd.DataFrame], standard: str = "SDTM", **kw):  # type: ignore[no-untyped-def]
    return describe_datasets(frames, standard=standard, **STUDY, **kw)


def dm(**columns: list[str | None]) -> pd.DataFrame:
    base: dict[str, list[str | None]] = {
        "STUDYID": ["S1", "S1"],
        "DOMAIN": ["DM", "DM"],
        "USUBJID": ["S1-1", "S1-2"],
    }
    return pd.DataFrame({**base, **columns}, dtype=object)


def test_every_declared_label_fits_in_a_transport_file() -> None:
    labels = [v.label for variables in DOMAIN_VARIABLES.values() for v in variables]
    labels += [v.label for v in ADAM_VARIABLES.values()]
    labels += [d.label for d in [*SDTM_DATASETS.values(), *ADAM_DATASETS.values()]]
    assert max(len(label) for label in labels) <= 40


def test_ascii_spellings() -> None:
    assert to_ascii("Age ≥ 18 years; ANC ≥ 1.5 × 10^9/L") == "Age >= 18 years; ANC >= 1.5 x 10^9/L"
    assert to_ascii("5 µmol/L, café") == "5 umol/L, cafe"
    with pytest.raises(NotAscii, match="U\\+2603 SNOWMAN"):
        to_ascii("☃")


def test_sas_dates() -> None:
    assert sas_date("1960-01-01") == 0
    assert sas_date("2009-04-13") == 18000  # as R's foreign reads pyreadstat's test file
    assert sas_date("1959-12-31") == -1
    assert sas_datetime("1960-01-02 00:00:01") == 86401
    assert sas_datetime("2014-07-02T23:59:59") == sas_date("2014-07-02") * 86400 + 86399


def test_variable_kinds_types_and_lengths() -> None:
    frame = dm(
        AGE=["63", "7"],
        SEX=["F", None],
        RFSTDTC=["2014-01-02", "2014-02"],
        BRTHDTC=["1950", "1951-03-04"],
        DMDTC=["2013-12-26T10:00", "2013-12-26"],
        DTHFL=["Y", None],
    )
    meta = describe({"DM": frame}).dataset("DM")
    age = meta.variable("AGE")
    assert (age.kind, age.data_type, age.length) == ("integer", "integer", 2)
    assert (meta.variable("SEX").data_type, meta.variable("SEX").length) == ("text", 1)
    assert meta.variable("RFSTDTC").data_type == "partialDate"
    assert meta.variable("DMDTC").data_type == "partialDatetime"
    assert meta.variable("STUDYID").key_sequence == 1
    assert meta.variable("USUBJID").mandatory and not meta.variable("SEX").mandatory
    assert meta.variable("SEX").codelist == "CL.Sex"
    assert meta.variable("STUDYID").origin.type == "Assigned"
    assert meta.variable("SEX").origin.type == "Collected"


def test_adam_dates_are_sas_numbers_and_predecessors_named() -> None:
    adsl = pd.DataFrame(
        {
            "STUDYID": ["S1"],
            "USUBJID": ["S1-1"],
            "AGE": ["63"],
            "TRTSDT": ["2014-01-02"],
            "TRTSDTM": ["2014-01-02 10:00:00"],
            "PDL1TPS": ["33.5"],
        },
        dtype=object,
    )
    meta = describe({"ADSL": adsl}, standard="ADaM").dataset("ADSL")
    trtsdt = meta.variable("TRTSDT")
    assert (trtsdt.kind, trtsdt.data_type, trtsdt.display_format) == ("date", "integer", "DATE9.")
    assert meta.variable("TRTSDTM").display_format == "DATETIME20."
    tps = meta.variable("PDL1TPS")
    assert (tps.data_type, tps.length, tps.significant_digits) == ("float", 3, 1)
    assert meta.variable("AGE").origin.description == "DM.AGE"
    assert meta.variable("TRTSDT").origin.type == "Derived"


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (dm(SUBJECTNUM=["1", "2"]), "not a SAS transport variable name"),
        (dm(ARM=["x" * 201, None]), "at most 200"),
        (dm(ARM=["☃", None]), "no ASCII spelling"),
        (dm(AGE=["63", "old"]), "'old' is not a number"),
    ],
)
def test_what_a_transport_file_cannot_hold_is_refused(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(FormatError, match=message) as info:
        describe({"DM": frame})
    assert "DM" in str(info.value)


def test_odm_metadata_keeps_characters_a_transport_file_cannot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    meta = describe({"DM": dm(ARM=["☃" * 250, None])}, transport=False).dataset("DM")
    assert meta.variable("ARM").length == 250


def test_a_refused_dataset_writes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    frames = {"DM": dm(), "AE": pd.DataFrame({"STUDYID": ["S1"], "AETERM": ["☃"]}, dtype=object)}
    with pytest.raises(FormatError):
        write_submission(
            frames, out, standard="SDTM", created="2026-01-01T00:00:00", source_version="0", **STUDY
        )
    assert list(out.iterdir()) == []


def test_adae_relatedness_flags_per_intervention_are_labelled_in_define() -> None:
    # analysis.adam numbers the per-intervention flags RELFL<k>/RELIMP<k>; define.xml must say
    # what each is rather than repeat the name as its label
    adae = pd.DataFrame(
        {
            "STUDYID": ["S1"],
            "USUBJID": ["S1-1"],
            "AESEQ": ["1"],
            "RELFL1": ["Y"],
            "RELIMP1": ["N"],
            "RELFL2": ["N"],
        }
    )
    meta = describe({"ADAE": adae}, standard="ADaM").dataset("ADAE")
    labels = {v.name: v.label for v in meta.variables}
    assert labels["RELFL1"] == "Related to Intervention 1 Flag"
    assert labels["RELIMP1"] == "Intervention 1 Related Flag Imputed"
    assert labels["RELFL2"] == "Related to Intervention 2 Flag"
    assert all(label != name for name, label in labels.items())
