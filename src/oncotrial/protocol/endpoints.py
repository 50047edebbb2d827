"""Registry outcome measures and their computable reading.

Each outcome keeps the registration's own title, description and time frame; ``read_endpoint``
adds what oncotrial needs to compute it: the endpoint kind, the response criteria and CTCAE
version named, the time origin, and the time frame as a duration. The reading is made by declared
rules (``KIND_RULES``) tried in order, on the title first and on the description only when the
title names no kind — so "Correlation analysis of PD-L1 expression and ORR" is a biomarker
endpoint, not ORR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from oncotrial.catalogue.rule import Rule
from oncotrial.protocol.timeframe import Duration, TimeUnit, parse_duration
from oncotrial.response.settings import ResponseCriteria

__all__ = [
    "KIND_RULES",
    "Endpoint",
    "EndpointKind",
    "EndpointLevel",
    "EndpointReading",
    "KindRule",
    "Origin",
    "origins_named",
    "read_endpoint",
]


class EndpointLevel(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    OTHER = "other"


class EndpointKind(StrEnum):
    ORR = "ORR"
    DCR = "DCR"
    PFS = "PFS"
    OS = "OS"
    TTP = "TTP"
    DOR = "DoR"
    DFS = "DFS"
    EFS = "EFS"
    SURVIVAL_RATE = "survival rate"
    AE_INCIDENCE = "AE incidence"
    BIOMARKER_RESPONSE = "biomarker-response correlation"
    LOCAL_CONTROL = "local control"
    QOL = "quality of life"
    OTHER = "other"


class Origin(StrEnum):
    """The reference date a time-to-event endpoint counts from."""

    RANDOMIZATION = "randomization"
    FIRST_DOSE = "first dose"
    ENROLLMENT = "enrollment"
    #: the first protocol intervention of any kind (drug, procedure, radiotherapy): an analysis
    #: plan's choice where a procedure precedes the first dose; never read from outcome text
    FIRST_INTERVENTION = "first intervention"


class EndpointReading(BaseModel):
    """What oncotrial computes for an outcome (derived from the text, reviewable)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: EndpointKind
    rate_of: EndpointKind | None = Field(
        None, description="For a survival rate: the time-to-event endpoint (OS, PFS)."
    )
    landmark: Duration | None = Field(
        None, description="The time point of a rate ('1-year OS rate', 'PFS at 6 months')."
    )
    time_frame: Duration | None = Field(None, description="The time frame as a duration.")
    criteria: tuple[ResponseCriteria, ...] = ()
    ctcae_version: str | None = None
    origin: Origin | None = None
    rule: str | None = Field(None, description="Id of the rule that chose the kind.")


class Endpoint(BaseModel):
    """One outcome measure: the registration's words plus the computable reading."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: EndpointLevel
    title: str
    description: str | None = None
    time_frame: str | None = None
    reading: EndpointReading


@dataclass(frozen=True)
class KindRule(Rule):
    """A declared rule recognising an endpoint kind in outcome text."""

    kind: EndpointKind
    pattern: re.Pattern[str]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_SURVIVAL = r"(?:overall\s+survival|\bos\b|progression[\s-]*free\s+survival|\bpfs\b)"

KIND_RULES: tuple[KindRule, ...] = (
    KindRule(
        "biomarker-response",
        "A biomarker correlated with response, e.g. PD-L1 expression vs ORR.",
        "FDA Guidance: Clinical Trial Endpoints for Cancer Drugs and Biologics (2018)",
        kind=EndpointKind.BIOMARKER_RESPONSE,
        pattern=_rx(
            r"(?=.*\b(?:pd-?l1|biomarker|expression|tmb|ctdna|tps|mutation)\b)"
            r"(?=.*\b(?:correlat\w*|associat\w*|relationship|predict\w*)\b)"
            r"(?=.*\b(?:response|orr|efficacy|outcome)s?\b)"
        ),
    ),
    KindRule(
        "survival-rate",
        "A survival probability at a landmark time, e.g. '1-year OS rate'.",
        "FDA Guidance (2018), landmark analyses",
        kind=EndpointKind.SURVIVAL_RATE,
        pattern=_rx(
            r"\b(?:\d+|one|two|three|five)[\s-]*(?:year|yr|month)s?\s+" + _SURVIVAL + r"\s*rate"
            r"|" + _SURVIVAL + r"\s*rates?\b"
            r"|\b(?:survival|progression[\s-]*free)\s+rate\b"
            r"|\brate\s+of\s+" + _SURVIVAL
        ),
    ),
    KindRule(
        "ae-incidence",
        "Incidence of adverse events graded by CTCAE.",
        "ICH E3 §12.2; CTCAE v5.0",
        kind=EndpointKind.AE_INCIDENCE,
        pattern=_rx(
            r"adverse\s+events?|\btoxicit|\bsafety\b|\bctcae\b|tolerabilit|\baes?\b|\bteaes?\b"
        ),
    ),
    KindRule(
        "qol",
        "Quality of life or another patient-reported outcome.",
        "FDA PRO guidance (2009)",
        kind=EndpointKind.QOL,
        pattern=_rx(
            r"quality\s+of\s+life|\bqol\b|\bhrqol\b|eortc|qlq|fact-\w|eq-5d|patient[\s-]reported"
        ),
    ),
    KindRule(
        "local-control",
        "Control of the treated (ablated or irradiated) lesions.",
        "Protocol-defined (e.g. trial 001 residual-lesion control)",
        kind=EndpointKind.LOCAL_CONTROL,
        pattern=_rx(
            r"local(?:ly)?\s+(?:tumou?r\s+)?(?:control|progression|recurrence|relapse)"
            r"|\blpfs\b|\blc\b|local\s+progression[\s-]*free"
        ),
    ),
    KindRule(
        "dor",
        "Duration of response: first CR/PR to progression or death.",
        "RECIST 1.1 §4.5",
        kind=EndpointKind.DOR,
        pattern=_rx(r"duration\s+of\s+(?:overall\s+|objective\s+)?(?:response|remission)|\bdo?r\b"),
    ),
    KindRule(
        "ttp",
        "Time to progression (deaths censored).",
        "FDA Guidance (2018) Table",
        kind=EndpointKind.TTP,
        pattern=_rx(r"time\s+to\s+(?:disease\s+|tumou?r\s+)?progression|\bttp\b"),
    ),
    KindRule(
        "pfs",
        "Progression-free survival: progression or death.",
        "FDA Guidance (2018)",
        kind=EndpointKind.PFS,
        pattern=_rx(r"progression[\s-]*free\s+survival|\bpfs\b"),
    ),
    KindRule(
        "dfs",
        "Disease-free survival.",
        "FDA Guidance (2018)",
        kind=EndpointKind.DFS,
        pattern=_rx(
            r"disease[\s-]*free\s+survival|\bdfs\b|recurrence[\s-]*free\s+survival|\brfs\b"
        ),
    ),
    KindRule(
        "efs",
        "Event-free survival.",
        "FDA Guidance (2018)",
        kind=EndpointKind.EFS,
        pattern=_rx(r"event[\s-]*free\s+survival|\befs\b"),
    ),
    KindRule(
        "os",
        "Overall survival: death from any cause.",
        "FDA Guidance (2018)",
        kind=EndpointKind.OS,
        pattern=_rx(
            r"overall\s+survival|\bos\b|"
            r"\b(?:time|duration)\b.{0,60}\bto\s+(?:the\s+(?:date\s+of\s+)?)?death"
        ),
    ),
    KindRule(
        "dcr",
        "Disease control rate: CR + PR + SD.",
        "RECIST 1.1 §4.4",
        kind=EndpointKind.DCR,
        pattern=_rx(r"disease\s+control|\bdcr\b|clinical\s+benefit\s+rate|\bcbr\b"),
    ),
    KindRule(
        "orr",
        "Objective response rate: best overall response CR or PR.",
        "RECIST 1.1 §4.4",
        kind=EndpointKind.ORR,
        pattern=_rx(
            r"objective\s+(?:tumou?r\s+)?response|overall\s+response\s+rate|\borr\b"
            r"|response\s+rate|\bcr\b.{0,10}\bpr\b|tumou?r\s+shrinkage"
        ),
    ),
)

_CRITERIA = (
    (_rx(r"\bi-?recist\b"), ResponseCriteria.IRECIST),
    (_rx(r"\bm-?recist\b|modified\s+recist"), ResponseCriteria.MRECIST),
    (
        _rx(
            r"(?<![im-])\brecist\b(?!\s*\(?\s*(?:v(?:ersion)?\s*)?1\.0)"
            r"|response\s+evaluation\s+criteria\s+in\s+solid\s+tumou?rs"
        ),
        ResponseCriteria.RECIST_1_1,
    ),
)
_CTCAE = _rx(r"ctcae\s*(?:version|ver\.?|v)?\s*(\d+(?:\.\d+)?)")
_ORIGINS = (
    (_rx(r"\brandomi[sz]ation\b|\brandomi[sz]ed\b"), Origin.RANDOMIZATION),
    (
        _rx(
            r"\bfirst\s+dose\b|\b(?:initiation|start|beginning)\s+of\s+(?:study\s+)?"
            r"(?:treatment|therapy)\b|\btreatment\s+(?:start|initiation)\b"
        ),
        Origin.FIRST_DOSE,
    ),
    (_rx(r"\benrol(?:l)?ment\b|\bregistration\b"), Origin.ENROLLMENT),
)
_LANDMARK = _rx(r"\b(\d+|one|two|three|five)[\s-]*(year|yr|month)s?\b")
_WORDS = {"one": 1, "two": 2, "three": 3, "five": 5}


def origins_named(text: str | None) -> tuple[Origin, ...]:
    """Every reference date the text names ("from the date of randomization", "first dose")."""
    return tuple(origin for pattern, origin in _ORIGINS if pattern.search(text or ""))


def _classify(text: str) -> KindRule | None:
    return next((rule for rule in KIND_RULES if rule.pattern.search(text)), None)


def read_endpoint(
    level: EndpointLevel, title: str, description: str | None, time_frame: str | None
) -> Endpoint:
    """The outcome as written plus its computable reading."""
    rule = _classify(title) or _classify(description or "")
    kind = rule.kind if rule else EndpointKind.OTHER
    text = " ".join(t for t in (title, description or "", time_frame or "") if t)
    duration = parse_duration(time_frame)

    rate_of = landmark = None
    if kind is EndpointKind.SURVIVAL_RATE:
        inner = title if _rx(_SURVIVAL).search(title) else text
        rate_of = EndpointKind.PFS if _rx(r"progression|pfs").search(inner) else EndpointKind.OS
        if match := _LANDMARK.search(title) or _LANDMARK.search(description or ""):
            raw = match.group(1).lower()
            value = float(_WORDS.get(raw) or raw)
            unit = TimeUnit.YEARS if match.group(2).lower() in {"year", "yr"} else TimeUnit.MONTHS
            landmark = Duration(value=value, unit=unit)
        elif duration is not None and not duration.up_to:
            landmark = duration
    elif kind in {EndpointKind.PFS, EndpointKind.OS} and duration and not duration.up_to:
        # A time-to-event outcome "at 6 months" is read as its rate at that landmark as well
        # as its median (FDA 2018 guidance: landmark analyses of PFS/OS).
        landmark = duration

    criteria = tuple(dict.fromkeys(c for pattern, c in _CRITERIA if pattern.search(text)))
    ctcae = _CTCAE.search(text)
    origin = next((o for pattern, o in _ORIGINS if pattern.search(description or "")), None)
    reading = EndpointReading(
        kind=kind,
        rate_of=rate_of,
        landmark=landmark,
        time_frame=duration,
        criteria=criteria,
        ctcae_version=ctcae.group(1) if ctcae else None,
        origin=origin,
        rule=rule.id if rule else None,
    )
    return Endpoint(
        level=level, title=title, description=description, time_frame=time_frame, reading=reading
    )
