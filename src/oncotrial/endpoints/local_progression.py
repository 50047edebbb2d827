"""Local progression of treated lesions: the event of local progression-free survival (LPFS).

A local therapy (radiotherapy, cryoablation, radiofrequency ablation) is recorded in SDTM PR
with ``PRLNKID`` = the ``TULNKID`` of the lesion it treated (docs/sdtm.md, PR). Local control
asks whether *that* lesion progressed, whatever happened elsewhere. RECIST 1.1 judges the sum of
all target lesions, not one lesion, so the per-lesion reading is declared here
(:data:`LOCAL_PROGRESSION_RULES`): the RECIST 1.1 thresholds applied to the treated lesion alone,
as stereotactic radiotherapy trials define local failure (e.g. SABR-COMET, Palma et al., Lancet
2019;393:2051 — "≥ 20% increase in the longest diameter of the treated lesion").

Input is the response engine's lesion table (``ResponseResult.lesions``: one row per lesion and
assessment, baseline included, with ``DIAMETER`` — the RECIST measure — and ``STATUS``), so the
same assessor's reads decide responses and local control. Only assessments after the start of
the local therapy can show local progression; the nadir includes every earlier measurement of the
lesion (baseline too). Pure: frames in, frames out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from oncotrial.catalogue.rule import Rule
from oncotrial.errors import Problem, SchemaError

__all__ = [
    "LOCAL_PROGRESSION_RULES",
    "LocalProgression",
    "Rule",
    "derive_local_progression",
    "treated_lesions",
]

#: RECIST 1.1 §4.3.1: progression is a ≥ 20% increase over the nadir that is also ≥ 5 mm.
PERCENT_INCREASE = 20.0
ABSOLUTE_INCREASE_MM = 5.0


LOCAL_PROGRESSION_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        rule.id: rule
        for rule in (
            Rule(
                "LP-SIZE",
                "the treated lesion's diameter is at least 20% above its own nadir (smallest "
                "earlier measurement, baseline included) and at least 5 mm larger; a lesion that "
                "had disappeared (nadir 0 mm) progresses when it reappears at ≥ 5 mm",
                "RECIST 1.1 §4.3.1 thresholds applied to the treated lesion (SABR-COMET local "
                "failure definition)",
            ),
            Rule(
                "LP-UNEQUIVOCAL",
                "the treated lesion is recorded as unequivocal progression",
                "RECIST 1.1 §4.3.3 (non-target lesions)",
            ),
            Rule(
                "LP-NONE",
                "no assessment after the local therapy meets a local progression rule",
                "protocol definition of local control",
            ),
        )
    }
)

_UNEQUIVOCAL = {"UNEQUIVOCAL PROGRESSION", "UNEQUIVOCAL", "PD", "PROGRESSION"}


def treated_lesions(pr: pd.DataFrame) -> pd.DataFrame:
    """Lesions a local therapy treated: USUBJID, LESION_ID (PRLNKID), START (PRSTDTC), PRSEQ.

    Rows without ``PRLNKID`` (a site that is not a recorded lesion, e.g. an ablated primary
    tumour that was never a target) are left out. A lesion treated twice keeps its first start.
    A start that is not a complete date is kept as missing (NaT) for
    :func:`derive_local_progression` to report, never guessed.
    """
    for column in ("USUBJID", "PRSTDTC"):
        if column not in pr.columns:
            raise SchemaError(f"the PR domain has no {column} column", field=column)
    if "PRLNKID" not in pr.columns:
        return pd.DataFrame(columns=["USUBJID", "LESION_ID", "START", "PRSEQ"])
    link = pr["PRLNKID"].astype(object).where(pr["PRLNKID"].notna(), "").astype(str).str.strip()
    rows = pr[link != ""]
    out = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].astype(str).to_numpy(),
            "LESION_ID": link[link != ""].to_numpy(),
            "START": pd.to_datetime(
                rows["PRSTDTC"].astype(str).str.slice(0, 10), errors="coerce"
            ).to_numpy(),
            "PRSEQ": (
                pd.to_numeric(rows["PRSEQ"], errors="coerce").to_numpy()
                if "PRSEQ" in rows
                else np.nan
            ),
        }
    )
    return (
        out.sort_values(["USUBJID", "LESION_ID", "START"])
        .drop_duplicates(["USUBJID", "LESION_ID"])
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class LocalProgression:
    """What :func:`derive_local_progression` found.

    ``events``: the first local progression per subject (USUBJID, ADT, LESION_ID, RULE, SRCSEQ)
    — the ``local_progression`` input of :func:`oncotrial.endpoints.tte.derive_adtte`.
    ``assessments``: every assessment of a treated lesion after its therapy, with the lesion's
    nadir before it and the rule that decided it. ``subjects``: the subjects with at least one
    treated lesion found in the lesion table (the LPFS population). ``problems``: treated
    lesions that could not be judged (not in the lesion table, or no complete therapy date).
    """

    events: pd.DataFrame
    assessments: pd.DataFrame
    subjects: tuple[str, ...]
    problems: tuple[Problem, ...]
    rules: Mapping[str, Rule] = field(default_factory=lambda: LOCAL_PROGRESSION_RULES)


def derive_local_progression(lesions: pd.DataFrame, treated: pd.DataFrame) -> LocalProgression:
    """Local progression of each treated lesion from the response engine's lesion table."""
    for column in ("USUBJID", "LESION_ID", "ADT", "DIAMETER", "STATUS"):
        if column not in lesions.columns:
            raise SchemaError(f"the lesion table has no {column} column", field=column)
    for column in ("USUBJID", "LESION_ID", "START"):
        if column not in treated.columns:
            raise SchemaError(f"the treated-lesion table has no {column} column", field=column)
    table = lesions[["USUBJID", "LESION_ID", "ADT", "DIAMETER", "STATUS"]].copy()
    table["USUBJID"] = table["USUBJID"].astype(str)
    table["LESION_ID"] = table["LESION_ID"].astype(str)
    table["ADT"] = pd.to_datetime(table["ADT"], errors="coerce")
    table["DIAMETER"] = pd.to_numeric(table["DIAMETER"], errors="coerce")
    wanted = treated[["USUBJID", "LESION_ID", "START"]].copy()
    wanted["USUBJID"] = wanted["USUBJID"].astype(str)
    wanted["LESION_ID"] = wanted["LESION_ID"].astype(str)
    wanted["START"] = pd.to_datetime(wanted["START"], errors="coerce")

    undated = wanted[wanted["START"].isna()]
    problems = [
        Problem(
            f"the local therapy of lesion {lesion} has no complete start date (PRSTDTC); its "
            "local control cannot be judged",
            record=subject,
            field="PRSTDTC",
            value=lesion,
        )
        for subject, lesion in zip(undated["USUBJID"], undated["LESION_ID"], strict=True)
    ]
    wanted = wanted[wanted["START"].notna()]
    joined = table.merge(wanted, on=["USUBJID", "LESION_ID"], how="inner")
    joined = joined[joined["ADT"].notna()].sort_values(["USUBJID", "LESION_ID", "ADT"])
    found = set(zip(joined["USUBJID"], joined["LESION_ID"], strict=True))
    problems += [
        Problem(
            f"treated lesion {lesion} is not in the lesion table (no TU/TR record for it); its "
            "local control cannot be judged",
            record=subject,
            field="PRLNKID",
            value=lesion,
        )
        for subject, lesion in zip(wanted["USUBJID"], wanted["LESION_ID"], strict=True)
        if (subject, lesion) not in found
    ]

    # The nadir before each assessment: the running minimum of the earlier measurements.
    grouped = joined.groupby(["USUBJID", "LESION_ID"], sort=False)["DIAMETER"]
    joined["NADIR"] = grouped.transform(lambda d: d.cummin().shift(1).ffill())
    status = joined["STATUS"].astype(object).where(joined["STATUS"].notna(), "")
    unequivocal = status.astype(str).str.strip().str.upper().isin(_UNEQUIVOCAL)
    increase = joined["DIAMETER"] - joined["NADIR"]
    by_size = (
        joined["DIAMETER"].notna()
        & joined["NADIR"].notna()
        & (increase >= ABSOLUTE_INCREASE_MM)
        & (increase >= joined["NADIR"] * PERCENT_INCREASE / 100.0)
    )
    after = joined["ADT"] > joined["START"]
    joined["RULE"] = np.where(
        after & unequivocal, "LP-UNEQUIVOCAL", np.where(after & by_size, "LP-SIZE", "LP-NONE")
    )
    joined["LOCAL_PROGRESSION"] = np.where(joined["RULE"] != "LP-NONE", "Y", "N")
    assessments = joined[after].reset_index(drop=True)[
        [
            "USUBJID",
            "LESION_ID",
            "START",
            "ADT",
            "DIAMETER",
            "NADIR",
            "STATUS",
            "LOCAL_PROGRESSION",
            "RULE",
        ]
    ]
    events = (
        assessments[assessments["LOCAL_PROGRESSION"] == "Y"]
        .sort_values(["USUBJID", "ADT", "LESION_ID"])
        .drop_duplicates("USUBJID")
    )
    events = pd.DataFrame(
        {
            "USUBJID": events["USUBJID"].to_numpy(),
            "ADT": events["ADT"].to_numpy(),
            "LESION_ID": events["LESION_ID"].to_numpy(),
            "RULE": events["RULE"].to_numpy(),
            "SRCSEQ": np.nan,
        }
    )
    subjects = tuple(sorted({subject for subject, _ in found}))
    return LocalProgression(
        events=events, assessments=assessments, subjects=subjects, problems=tuple(problems)
    )
