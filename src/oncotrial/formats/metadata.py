"""Submission metadata of a set of datasets: what define.xml, ODM and SAS transport files say.

One model, built once from the data and the declarations (``sdtm_spec`` for SDTM variables,
``dataset_specs`` for datasets, ADaM variables and controlled terminology), read by every writer:
``oncotrial.formats.xpt`` (SAS transport v5), ``define_xml`` (Define-XML 2.1) and ``odm`` (CDISC
ODM 1.3.2). A REDCap data dictionary is another reader of the same model: a dataset is an
instrument, a variable a field, a codelist its choices.

Frames are exchange frames (``sdtm_spec.to_text_frame``): every value text or None. Each variable
gets a *kind* — how its values are typed in a transport file:

- ``text``: character; length the longest value in ASCII (``oncotrial.formats.ascii``), ≥ 1;
- ``integer`` / ``float``: numeric (SDTM ``Num`` variables; declared ADaM numbers), integer when
  every value is integral;
- ``date``: an ADaM date (``…DT``), a SAS date number (days since 1960-01-01), DATE9. format;
- ``datetime``: an ADaM date-time (``…DTM``), a SAS date-time number (seconds since
  1960-01-01T00:00:00), DATETIME20. format;
- ``iso8601``: an SDTM ``--DTC`` date/time, ISO 8601 text (define.xml says which ISO 8601 type).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from oncotrial.errors import FormatError
from oncotrial.formats.ascii import NotAscii, to_ascii
from oncotrial.formats.dataset_specs import (
    ADAM_DATASETS,
    CODELISTS,
    SDTM_DATASETS,
    CodelistSpec,
    DatasetSpec,
    adam_variable,
)
from oncotrial.formats.sdtm_spec import (
    is_numeric_variable,
    to_text_frame,
    variable_label,
)

__all__ = [
    "STANDARDS",
    "Codelist",
    "DatasetMeta",
    "Origin",
    "StudyMetadata",
    "VariableMeta",
    "describe_datasets",
]

# (name, version) of each standard a dataset follows; define.xml's def:Standards.
STANDARDS = {"SDTM": ("SDTMIG", "3.4"), "ADaM": ("ADaMIG", "1.3")}
SAS_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")
MAX_LABEL = 40  # XPT v5 label limit
MAX_TEXT = 200  # XPT v5 character variable limit
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL = re.compile(r"^\d{4}(-\d{2})?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?$")
_ADAM_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$")  # R drops 00:00:00


@dataclass(frozen=True)
class Origin:
    """Where a variable's values come from (define.xml def:Origin)."""

    type: str  # Collected | Derived | Assigned | Protocol | Predecessor
    source: str | None = None  # Investigator | Sponsor | Subject | Vendor
    description: str | None = None


@dataclass(frozen=True)
class Codelist:
    """A codelist: CDISC CT terms seen in the data, or an external dictionary (CTCAE)."""

    oid: str
    name: str
    data_type: str
    terms: tuple[str, ...] = ()
    nci_code: str | None = None
    extensible: bool = True
    dictionary: str | None = None  # external dictionary name, e.g. "CTCAE"
    version: str | None = None


@dataclass(frozen=True)
class VariableMeta:
    name: str
    label: str
    kind: str  # text | integer | float | date | datetime | iso8601
    data_type: str  # define.xml / ODM DataType
    length: int | None
    origin: Origin
    mandatory: bool
    significant_digits: int | None = None
    display_format: str | None = None
    codelist: str | None = None  # Codelist.oid
    key_sequence: int | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "float", "date", "datetime")


@dataclass(frozen=True)
class DatasetMeta:
    name: str
    label: str
    standard: str  # "SDTM" | "ADaM"
    spec: DatasetSpec
    variables: tuple[VariableMeta, ...]
    records: int

    @property
    def file_name(self) -> str:
        return f"{self.name.lower()}.xpt"

    def variable(self, name: str) -> VariableMeta:
        return next(v for v in self.variables if v.name == name)


@dataclass(frozen=True)
class StudyMetadata:
    study_oid: str
    study_name: str
    description: str
    protocol_name: str
    standard: str  # "SDTM" | "ADaM"
    datasets: tuple[DatasetMeta, ...]
    codelists: tuple[Codelist, ...] = field(default=())

    def dataset(self, name: str) -> DatasetMeta:
        return next(d for d in self.datasets if d.name == name)

    def codelist(self, oid: str) -> Codelist:
        return next(c for c in self.codelists if c.oid == oid)


def _problem(
    message: str, dataset: str, variable: str, hint: str, record: str | None = None
) -> FormatError:
    return FormatError(message, file=dataset, record=record, field=variable, hint=hint)


def _present(values: Iterable[object]) -> list[str]:
    return [v for v in values if isinstance(v, str) and v != ""]


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _iso_type(values: list[str]) -> str:
    """The define.xml ISO 8601 DataType that fits every value."""
    if all(_DATE.match(v) for v in values):
        return "date"
    if all(_DATE.match(v) or _PARTIAL.match(v) for v in values):
        return "partialDate"
    if all(_DATETIME.match(v) for v in values):
        return "datetime"
    return "partialDatetime"


def _kind(standard: str, domain: str, name: str, values: list[str]) -> str:
    if standard == "ADaM":
        declared = adam_variable(name)
        if declared is not None:
            return declared.kind
        if name.endswith("DT") and values and all(_DATE.match(v) for v in values):
            return "date"
        if name.endswith("DTM") and values and all(_ADAM_DATETIME.match(v) for v in values):
            return "datetime"
        return "text"
    if name.endswith("DTC"):
        return "iso8601"
    if is_numeric_variable(domain, name):
        return "float"
    return "text"


def _numeric_shape(values: list[str], dataset: str, name: str) -> tuple[str, int, int | None]:
    """(integer | float, Length, SignificantDigits) of a numeric variable's values."""
    decimals = 0
    digits = 1
    for row, text in enumerate(values, start=1):
        number = _number(text)
        if number is None:
            raise _problem(
                f"{text!r} is not a number",
                dataset,
                name,
                "A numeric variable holds numbers only; correct the record and export again.",
                record=f"value {row}",
            )
        mantissa = text.lstrip("-").split("e")[0].split("E")[0]
        whole, _, fraction = mantissa.partition(".")
        decimals = max(decimals, len(fraction))
        digits = max(digits, len(whole) + len(fraction))
    if decimals == 0:
        return "integer", digits, None
    return "float", digits, decimals


def _text_length(values: list[str], dataset: str, name: str, transport: bool) -> int:
    if not transport:
        return max([1, *(len(v) for v in values)])
    longest = 1
    for text in values:
        try:
            size = len(to_ascii(text))
        except NotAscii as exc:
            raise _problem(
                f"the value {text[:60]!r} holds {exc}, which has no ASCII spelling",
                dataset,
                name,
                "SAS transport files are ASCII (FDA Technical Conformance Guide §3.3.1); "
                "correct the value, or add its spelling to oncotrial.formats.ascii.",
            ) from exc
        if size > MAX_TEXT:
            raise _problem(
                f"a value is {size} characters long; SAS transport v5 holds at most {MAX_TEXT}",
                dataset,
                name,
                "Shorten the value (SDTMIG 4.5.3: longer text goes to SUPP-- variables).",
            )
        longest = max(longest, size)
    return longest


_REQUIRED_SUFFIXES = ("SEQ", "TESTCD", "TEST", "TERM", "TRT")


def _required(standard: str, dataset: str, name: str) -> bool:
    """SDTMIG 'Req' variables oncotrial writes, and the ADaM BDS parameter variables."""
    if standard == "ADaM":
        return name in ("STUDYID", "USUBJID", "PARAMCD", "PARAM")
    if name in ("STUDYID", "DOMAIN", "USUBJID") or (dataset == "AE" and name == "AEDECOD"):
        return True
    return name.startswith(dataset) and name[len(dataset) :] in _REQUIRED_SUFFIXES


def _sdtm_origin(domain: str, name: str) -> Origin:
    suffix = name[len(domain) :] if name.startswith(domain) else name
    if name in ("STUDYID", "DOMAIN"):
        return Origin("Assigned", "Sponsor")
    if name in ("USUBJID", "EPOCH") or suffix in ("SEQ", "DY", "STDY", "ENDY"):
        return Origin("Derived", "Sponsor")
    if name in ("AEDECOD", "AEBODSYS", "AELLT", "AELLTCD"):
        return Origin("Assigned", "Sponsor", "Coded with the CTCAE dictionary")
    if suffix in ("TESTCD", "TEST", "CAT", "SCAT") or name in ("VISITNUM", "VISIT"):
        return Origin("Assigned", "Sponsor")
    if suffix in ("STRESC", "STRESN", "STRESU") or name.startswith("RF") or name == "AGE":
        return Origin("Derived", "Sponsor")
    return Origin("Collected", "Investigator")


def _adam_origin(name: str) -> Origin:
    declared = adam_variable(name)
    if declared is not None and declared.predecessor:
        return Origin("Predecessor", description=declared.predecessor)
    return Origin("Derived", "Sponsor")


def _codelist_spec(domain: str, name: str) -> CodelistSpec | None:
    if name in CODELISTS:
        return CODELISTS[name]
    if name.startswith(domain):
        return CODELISTS.get("--" + name[len(domain) :])
    return None


def _oid(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", text.title())


class _Codelists:
    """Codelists collected while variables are described (terms merged across variables)."""

    def __init__(self, dictionaries: Mapping[str, str]) -> None:
        self.dictionaries = dictionaries
        self.terms: dict[str, set[str]] = {}
        self.specs: dict[str, CodelistSpec] = {}

    def attach(self, domain: str, name: str, values: list[str]) -> str | None:
        if name in ("AEDECOD", "AELLT", "AEBODSYS", "AESOC") and "CTCAE" in self.dictionaries:
            return "CL.CTCAE"
        spec = _codelist_spec(domain, name)
        if spec is None or not values:
            return None
        oid = f"CL.{_oid(spec.name)}"
        self.specs[oid] = spec
        self.terms.setdefault(oid, set()).update(values)
        return oid

    def build(self, used: set[str]) -> tuple[Codelist, ...]:
        out = []
        if "CL.CTCAE" in used:
            version = self.dictionaries["CTCAE"]
            out.append(Codelist("CL.CTCAE", "CTCAE", "text", dictionary="CTCAE", version=version))
        for oid in sorted(self.specs):
            spec = self.specs[oid]
            out.append(
                Codelist(
                    oid,
                    spec.name,
                    "text",  # only character variables carry CT codelists here
                    tuple(sorted(self.terms[oid])),
                    nci_code=spec.nci_code,
                    extensible=spec.extensible,
                )
            )
        return tuple(out)


def _describe_variable(
    standard: str,
    dataset: str,
    name: str,
    series: pd.Series,
    keys: tuple[str, ...],
    codelists: _Codelists,
    transport: bool,
) -> VariableMeta:
    if not SAS_NAME.match(name):
        raise _problem(
            f"{name!r} is not a SAS transport variable name (letters, digits, _; at most 8)",
            dataset,
            name,
            "Rename the variable (SDTMIG 2.5: names are at most 8 characters).",
        )
    values = _present(series.tolist())
    kind = _kind(standard, dataset, name, values)
    if standard == "ADaM":
        declared = adam_variable(name)
        label = declared.label if declared else name
        origin = _adam_origin(name)
    else:
        label = variable_label(dataset, name)
        origin = _sdtm_origin(dataset, name)
    if len(label) > MAX_LABEL:
        raise _problem(
            f"the label {label!r} is longer than {MAX_LABEL} characters",
            dataset,
            name,
            "Shorten the declared label (SAS transport v5 labels hold 40 characters).",
        )
    significant = display = None
    if kind in ("integer", "float"):
        data_type, length, significant = _numeric_shape(values, dataset, name)
        kind = data_type
    elif kind == "date":
        for text in values:
            if not _DATE.match(text):
                raise _problem(
                    f"{text!r} is not a complete date (YYYY-MM-DD)",
                    dataset,
                    name,
                    "ADaM dates are complete; correct the derivation's input.",
                )
        data_type, length, display = "integer", 8, "DATE9."
    elif kind == "datetime":
        data_type, length, display = "integer", 8, "DATETIME20."
    elif kind == "iso8601":
        data_type, length = _iso_type(values) if values else "date", None
    else:
        data_type, length = "text", _text_length(values, dataset, name, transport)
    key = keys.index(name) + 1 if name in keys else None
    # Mandatory (define.xml): required by the standard and present on every record.
    required = key is not None or _required(standard, dataset, name)
    return VariableMeta(
        name=name,
        label=label,
        kind=kind,
        data_type=data_type,
        length=length,
        origin=origin,
        mandatory=required and len(values) == len(series),
        significant_digits=significant,
        display_format=display,
        codelist=codelists.attach(dataset, name, values) if kind == "text" else None,
        key_sequence=key,
    )


def describe_datasets(
    frames: Mapping[str, pd.DataFrame],
    *,
    standard: str,
    study_oid: str,
    study_name: str,
    description: str,
    dictionaries: Mapping[str, str] | None = None,
    transport: bool = True,
) -> StudyMetadata:
    """Metadata of ``frames`` (exchange frames by dataset name) under ``standard`` (SDTM/ADaM).

    ``dictionaries``: external dictionaries and versions the data were coded with
    (``{"CTCAE": "5.0"}``). With ``transport`` (for SAS transport files) a text value must have
    an ASCII spelling and at most 200 characters, and text lengths are ASCII lengths; without
    it (ODM) lengths are in characters. A name over 8 characters or a label over 40 is always
    an error (define.xml and ODM carry SAS names).
    """
    if standard not in STANDARDS:
        raise ValueError(f"unknown standard {standard!r}")
    declared = SDTM_DATASETS if standard == "SDTM" else ADAM_DATASETS
    codelists = _Codelists(dictionaries or {})
    datasets = []
    for name in sorted(frames, key=lambda n: (list(declared).index(n) if n in declared else 99, n)):
        frame = to_text_frame(frames[name])
        spec = declared.get(name) or DatasetSpec(
            name, name, "FINDINGS" if standard == "SDTM" else "OTHER", "One record per record", ()
        )
        if not SAS_NAME.match(name):
            raise _problem(
                f"{name!r} is not a SAS transport dataset name",
                name,
                "",
                "Dataset names are at most 8 letters and digits.",
            )
        keys = tuple(k for k in spec.keys if k in frame.columns)
        # The frame's own column order, as its CSV export has it (docs/sdtm.md, "Order").
        columns = [str(c) for c in frame.columns]
        variables = tuple(
            _describe_variable(standard, name, column, frame[column], keys, codelists, transport)
            for column in columns
        )
        datasets.append(DatasetMeta(name, spec.label, standard, spec, variables, len(frame)))
    used = {v.codelist for d in datasets for v in d.variables if v.codelist}
    return StudyMetadata(
        study_oid=study_oid,
        study_name=study_name,
        description=description,
        protocol_name=study_name,
        standard=standard,
        datasets=tuple(datasets),
        codelists=codelists.build(used),
    )
