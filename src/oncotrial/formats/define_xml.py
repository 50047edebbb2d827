"""Define-XML 2.1: the metadata file that goes beside SAS transport datasets.

Built with odmlib's Define-XML 2.1 model from ``StudyMetadata`` (``oncotrial.formats.metadata``):
one ``ItemGroupDef`` per dataset (label, class, structure, keys, the ``def:leaf`` of its XPT
file), one ``ItemDef`` per variable (DataType, Length, SignificantDigits, label, DisplayFormat,
``def:Origin``, ``CodeListRef``), the codelists (CDISC CT terms present in the data, with their
NCI codes; CTCAE as an external dictionary), and ``def:Standards``. A variable shared by several
datasets (STUDYID, USUBJID …) gets one ItemDef per dataset (``IT.DM.STUDYID``): its length is
that of its dataset.

``validate_define`` checks a file against CDISC's Define-XML 2.1 schema (the XSD files odmlib
ships, with the ODM 1.3.2 foundation they import).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any  # odmlib is untyped: its model module and elements are Any

from oncotrial.formats.metadata import DatasetMeta, StudyMetadata, VariableMeta

# define.xml 2.1 extends ODM 1.3: its CodeList is ODM's
from oncotrial.formats.odm import codelist_element
from oncotrial.formats.xml_schema import validate_xml

__all__ = ["build_define", "validate_define", "write_define"]

_PURPOSE = {"SDTM": "Tabulation", "ADaM": "Analysis"}


def _text(model: ModuleType, text: str) -> Any:
    return model.Description(TranslatedText=[model.TranslatedText(_content=text, lang="en")])


def _item_def(model: ModuleType, dataset: DatasetMeta, variable: VariableMeta) -> Any:
    attributes: dict[str, object] = {
        "OID": f"IT.{dataset.name}.{variable.name}",
        "Name": variable.name,
        "DataType": variable.data_type,
        "SASFieldName": variable.name,
    }
    if variable.length is not None:
        attributes["Length"] = variable.length
    if variable.significant_digits is not None:
        attributes["SignificantDigits"] = variable.significant_digits
    if variable.display_format:
        attributes["DisplayFormat"] = variable.display_format
    item = model.ItemDef(**attributes)
    item.Description = _text(model, variable.label)
    if variable.codelist:
        item.CodeListRef = model.CodeListRef(CodeListOID=variable.codelist)
    origin = model.Origin(Type=variable.origin.type)
    if variable.origin.source:
        origin.Source = variable.origin.source
    if variable.origin.description:
        origin.Description = _text(model, variable.origin.description)
    item.Origin.append(origin)
    return item


def _item_group(model: ModuleType, dataset: DatasetMeta, standard_oid: str) -> Any:
    spec = dataset.spec
    group = model.ItemGroupDef(
        OID=f"IG.{dataset.name}",
        Name=dataset.name,
        SASDatasetName=dataset.name,
        Repeating="No" if dataset.name in ("DM", "ADSL") else "Yes",
        IsReferenceData="No",
        Purpose=_PURPOSE[dataset.standard],
        Structure=spec.structure,
        ArchiveLocationID=f"LF.{dataset.name}",
        StandardOID=standard_oid,
    )
    if dataset.standard == "SDTM":
        group.Domain = dataset.name
    group.Description = _text(model, dataset.label)
    for order, variable in enumerate(dataset.variables, start=1):
        ref = model.ItemRef(
            ItemOID=f"IT.{dataset.name}.{variable.name}",
            Mandatory="Yes" if variable.mandatory else "No",
            OrderNumber=order,
        )
        if variable.key_sequence is not None:
            ref.KeySequence = variable.key_sequence
        group.ItemRef.append(ref)
    cls = model.Class(Name=spec.class_name)
    if spec.subclass:
        cls.SubClass.append(model.SubClass(Name=spec.subclass))
    group.Class = cls
    group.leaf = model.leaf(
        ID=f"LF.{dataset.name}",
        href=dataset.file_name,
        title=model.title(_content=dataset.file_name),
    )
    return group


def build_define(metadata: StudyMetadata, *, created: str, source_version: str) -> Any:
    """The odmlib Define-XML 2.1 document of ``metadata`` (``created``: ISO 8601 date-time)."""
    import odmlib.define_2_1.model as model

    name, version = _standard(metadata)
    standard_oid = f"STD.{name}"
    standards = model.Standards()
    standards.Standard.append(
        model.Standard(OID=standard_oid, Name=name, Type="IG", Version=version, Status="Final")
    )
    mdv = model.MetaDataVersion(
        OID=f"MDV.{metadata.study_oid}.{metadata.standard}",
        Name=f"{metadata.study_name} {metadata.standard}",
        Description=f"{metadata.standard} datasets of {metadata.study_name}",
        DefineVersion="2.1.0",
    )
    mdv.Standards = standards
    for dataset in metadata.datasets:
        mdv.ItemGroupDef.append(_item_group(model, dataset, standard_oid))
    for dataset in metadata.datasets:
        for variable in dataset.variables:
            mdv.ItemDef.append(_item_def(model, dataset, variable))
    for codelist in metadata.codelists:
        mdv.CodeList.append(codelist_element(model, codelist))
    study = model.Study(
        OID=metadata.study_oid,
        GlobalVariables=model.GlobalVariables(
            StudyName=model.StudyName(_content=metadata.study_name),
            StudyDescription=model.StudyDescription(_content=metadata.description),
            ProtocolName=model.ProtocolName(_content=metadata.protocol_name),
        ),
        MetaDataVersion=mdv,
    )
    return model.ODM(
        FileOID=f"DEFINE.{metadata.study_oid}.{metadata.standard}",
        FileType="Snapshot",
        CreationDateTime=created,
        ODMVersion="1.3.2",
        Originator="oncotrial",
        SourceSystem="oncotrial",
        SourceSystemVersion=source_version,
        Context="Submission",
        Study=study,
    )


def _standard(metadata: StudyMetadata) -> tuple[str, str]:
    from oncotrial.formats.metadata import STANDARDS

    return STANDARDS[metadata.standard]


def write_define(metadata: StudyMetadata, path: Path, *, created: str, source_version: str) -> Path:
    """Write ``define.xml`` for ``metadata``; the file is checked against the schema."""
    document = build_define(metadata, created=created, source_version=source_version)
    document.write_xml(str(path))
    validate_define(path)
    return path


def validate_define(path: Path) -> None:
    """FormatError naming the first schema violation when ``path`` is not valid Define-XML 2.1."""
    validate_xml(path, "define", "2.1")
