"""CDISC ODM 1.3.2: a trial's study metadata and clinical data in one XML file.

Built with odmlib's ODM 1.3.2 model from the same ``StudyMetadata`` as define.xml
(``oncotrial.formats.metadata``), in the shape EDC systems exchange (REDCap and OpenClinica
export and import ODM 1.3.2):

- **Metadata**: ``Protocol`` → one ``StudyEventDef`` ``SE.STUDY`` (the whole study; visits are the
  VISIT/VISITNUM items of each record) → one ``FormDef`` per SDTM domain → its ``ItemGroupDef``
  (repeating, except DM) → one ``ItemDef`` per variable (DataType, Length, SignificantDigits,
  SAS name, label as Description, CodeListRef) and the codelists (``EnumeratedItem`` per term
  seen, NCI code as Alias; CTCAE as an external dictionary).
- **Clinical data**: ``SubjectData`` per USUBJID → ``StudyEventData`` ``SE.STUDY`` → ``FormData``
  per domain → ``ItemGroupData`` per record (``ItemGroupRepeatKey`` the record's --SEQ) →
  ``ItemData`` per non-missing value, as the exchange text (UTF-8; no ASCII transliteration).

The metadata must come from ``describe_datasets(..., transport=False)``: text lengths are then in
characters of the stored (UTF-8) text. ``validate_odm`` checks a file against CDISC's ODM 1.3.2
schema (the XSD odmlib ships); ``read_odm_records`` reads the clinical data back as one text
frame per item group.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any  # odmlib is untyped: its model module and elements are Any

import pandas as pd

from oncotrial.formats.metadata import Codelist, DatasetMeta, StudyMetadata, VariableMeta
from oncotrial.formats.sdtm_spec import to_text_frame
from oncotrial.formats.xml_schema import validate_xml

__all__ = ["build_odm", "codelist_element", "read_odm_records", "validate_odm", "write_odm"]

STUDY_EVENT = "SE.STUDY"
NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
# ODM 1.3.2 DataType of each metadata kind (ADaM SAS dates are integers in define.xml only).
_ODM_TYPES = {
    "text": "text",
    "integer": "integer",
    "float": "float",
    "date": "date",
    "datetime": "text",  # an ADaM date-time keeps its text (YYYY-MM-DD hh:mm:ss)
}


def _description(model: ModuleType, text: str) -> Any:
    return model.Description(TranslatedText=[model.TranslatedText(_content=text, lang="en")])


def _item_def(model: ModuleType, dataset: DatasetMeta, variable: VariableMeta) -> Any:
    data_type = _ODM_TYPES.get(variable.kind, variable.data_type)
    item = model.ItemDef(
        OID=f"IT.{dataset.name}.{variable.name}",
        Name=variable.name,
        DataType=data_type,
        SASFieldName=variable.name,
    )
    if data_type == "text":
        item.Length = variable.length
    elif variable.length is not None and data_type in ("integer", "float"):
        item.Length = variable.length
        if variable.significant_digits is not None:
            item.SignificantDigits = variable.significant_digits
    item.Description = _description(model, variable.label)
    if variable.codelist:
        item.CodeListRef = model.CodeListRef(CodeListOID=variable.codelist)
    return item


def codelist_element(model: ModuleType, codelist: Codelist) -> Any:
    """An ODM 1.3 CodeList (define.xml 2.1 uses the same element): terms or a dictionary."""
    node = model.CodeList(OID=codelist.oid, Name=codelist.name, DataType=codelist.data_type)
    if codelist.dictionary:
        node.ExternalCodeList = model.ExternalCodeList(
            Dictionary=codelist.dictionary, Version=codelist.version or ""
        )
        return node
    for order, term in enumerate(codelist.terms, start=1):
        node.EnumeratedItem.append(model.EnumeratedItem(CodedValue=term, OrderNumber=order))
    if codelist.nci_code:
        node.Alias.append(model.Alias(Context="nci:ExtCodeID", Name=codelist.nci_code))
    return node


def _metadata_version(model: ModuleType, metadata: StudyMetadata) -> Any:
    mdv = model.MetaDataVersion(
        OID=f"MDV.{metadata.study_oid}",
        Name=f"{metadata.study_name} {metadata.standard}",
        Description=f"{metadata.standard} datasets of {metadata.study_name}",
    )
    protocol = model.Protocol()
    protocol.StudyEventRef.append(
        model.StudyEventRef(StudyEventOID=STUDY_EVENT, OrderNumber=1, Mandatory="Yes")
    )
    mdv.Protocol = protocol
    event = model.StudyEventDef(OID=STUDY_EVENT, Name="Study", Repeating="No", Type="Common")
    for order, dataset in enumerate(metadata.datasets, start=1):
        event.FormRef.append(
            model.FormRef(FormOID=f"F.{dataset.name}", OrderNumber=order, Mandatory="No")
        )
    mdv.StudyEventDef.append(event)
    for dataset in metadata.datasets:
        form = model.FormDef(OID=f"F.{dataset.name}", Name=dataset.label, Repeating="No")
        form.ItemGroupRef.append(
            model.ItemGroupRef(ItemGroupOID=f"IG.{dataset.name}", OrderNumber=1, Mandatory="Yes")
        )
        mdv.FormDef.append(form)
    for dataset in metadata.datasets:
        group = model.ItemGroupDef(
            OID=f"IG.{dataset.name}",
            Name=dataset.name,
            Repeating="No" if dataset.name in ("DM", "ADSL") else "Yes",
            SASDatasetName=dataset.name,
            Domain=dataset.name,
        )
        group.Description = _description(model, dataset.label)
        for order, variable in enumerate(dataset.variables, start=1):
            ref = model.ItemRef(
                ItemOID=f"IT.{dataset.name}.{variable.name}",
                OrderNumber=order,
                Mandatory="Yes" if variable.mandatory else "No",
            )
            if variable.key_sequence is not None:
                ref.KeySequence = variable.key_sequence
            group.ItemRef.append(ref)
        mdv.ItemGroupDef.append(group)
    for dataset in metadata.datasets:
        for variable in dataset.variables:
            mdv.ItemDef.append(_item_def(model, dataset, variable))
    for codelist in metadata.codelists:
        mdv.CodeList.append(codelist_element(model, codelist))
    return mdv


def _repeat_key(dataset: DatasetMeta, record: Mapping[str, object], row: int) -> str | None:
    if dataset.name in ("DM", "ADSL"):
        return None
    seq = record.get(f"{dataset.name}SEQ")
    return str(seq) if seq not in (None, "") else str(row)


def _clinical_data(
    model: ModuleType, metadata: StudyMetadata, frames: Mapping[str, pd.DataFrame]
) -> Any:
    subjects: dict[str, dict[str, list[tuple[int, dict[str, object]]]]] = {}
    for dataset in metadata.datasets:
        records: list[dict[str, object]] = [
            {str(name): value for name, value in record.items()}
            for record in frames[dataset.name].to_dict("records")
        ]
        for row, record in enumerate(records, start=1):
            subject = str(record["USUBJID"])
            subjects.setdefault(subject, {}).setdefault(dataset.name, []).append((row, record))
    clinical = model.ClinicalData(
        StudyOID=metadata.study_oid, MetaDataVersionOID=f"MDV.{metadata.study_oid}"
    )
    for subject in sorted(subjects):
        event = model.StudyEventData(StudyEventOID=STUDY_EVENT)
        for dataset in metadata.datasets:
            rows = subjects[subject].get(dataset.name)
            if not rows:
                continue
            form = model.FormData(FormOID=f"F.{dataset.name}")
            for row, record in rows:
                group = model.ItemGroupData(ItemGroupOID=f"IG.{dataset.name}")
                key = _repeat_key(dataset, record, row)
                if key is not None:
                    group.ItemGroupRepeatKey = key
                for variable in dataset.variables:
                    value = record.get(variable.name)
                    if value is None or value == "":
                        continue
                    group.ItemData.append(
                        model.ItemData(
                            ItemOID=f"IT.{dataset.name}.{variable.name}", Value=str(value)
                        )
                    )
                form.ItemGroupData.append(group)
            event.FormData.append(form)
        data = model.SubjectData(SubjectKey=subject)
        data.StudyEventData.append(event)
        clinical.SubjectData.append(data)
    return clinical


def build_odm(
    metadata: StudyMetadata,
    frames: Mapping[str, pd.DataFrame],
    *,
    created: str,
    source_version: str,
    clinical_data: bool = True,
) -> Any:
    """The odmlib ODM 1.3.2 document: study metadata and (by default) the clinical data."""
    import odmlib.odm_1_3_2.model as model

    texts = {name: to_text_frame(frame) for name, frame in frames.items()}
    study = model.Study(
        OID=metadata.study_oid,
        GlobalVariables=model.GlobalVariables(
            StudyName=model.StudyName(_content=metadata.study_name),
            StudyDescription=model.StudyDescription(_content=metadata.description),
            ProtocolName=model.ProtocolName(_content=metadata.protocol_name),
        ),
    )
    study.MetaDataVersion.append(_metadata_version(model, metadata))
    document = model.ODM(
        FileOID=f"ODM.{metadata.study_oid}",
        FileType="Snapshot",
        Granularity="All" if clinical_data else "Metadata",
        CreationDateTime=created,
        ODMVersion="1.3.2",
        Originator="oncotrial",
        SourceSystem="oncotrial",
        SourceSystemVersion=source_version,
        Study=[study],
    )
    if clinical_data:
        document.ClinicalData.append(_clinical_data(model, metadata, texts))
    return document


def write_odm(
    metadata: StudyMetadata,
    frames: Mapping[str, pd.DataFrame],
    path: Path,
    *,
    created: str,
    source_version: str,
) -> Path:
    """Write the ODM file; it is checked against the ODM 1.3.2 schema."""
    build_odm(metadata, frames, created=created, source_version=source_version).write_xml(str(path))
    validate_odm(path)
    return path


def validate_odm(path: Path) -> None:
    """FormatError naming the first schema violation when ``path`` is not valid ODM 1.3.2."""
    validate_xml(path, "odm", "1.3.2")


def read_odm_records(path: Path) -> dict[str, pd.DataFrame]:
    """The clinical data of an ODM file as text frames by item group name (ElementTree)."""
    root = ET.parse(path).getroot()
    names = {
        group.get("OID"): group.get("Name")
        for group in root.iterfind(".//odm:MetaDataVersion/odm:ItemGroupDef", NS)
    }
    columns = {
        item.get("OID"): item.get("Name")
        for item in root.iterfind(".//odm:MetaDataVersion/odm:ItemDef", NS)
    }
    rows: dict[str, list[dict[str, str]]] = {}
    for group in root.iterfind(".//odm:ClinicalData//odm:ItemGroupData", NS):
        name = names[group.get("ItemGroupOID")]
        rows.setdefault(str(name), []).append(
            {
                str(columns[item.get("ItemOID")]): str(item.get("Value"))
                for item in group.iterfind("odm:ItemData", NS)
            }
        )
    return {name: pd.DataFrame(records, dtype=object) for name, records in rows.items()}
