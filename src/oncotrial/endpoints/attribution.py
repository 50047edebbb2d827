"""Relationship of each adverse event to each protocol intervention (attribution per intervention).

A trial of a drug with a procedure or radiotherapy records the investigator's causality per
intervention (SDTM ``AEREL`` for the study treatment overall; ``AEREL1``, ``AEREL2``, … in the
protocol's intervention order, docs/sdtm.md). Tables of "treatment-related" AEs that merge them
read a pneumothorax after cryoablation as drug toxicity. :func:`relatedness_flags` reads one flag
per intervention; :func:`attribution_categories` gives an :class:`~oncotrial.endpoints.safety.
AeCategory` per intervention for ``ae_incidence``.

A missing causality for an intervention the subject received counts as related (the
conservative convention of ``derive_adae``), flagged in ``<flag>IMP``; for an intervention the
subject's arm did not receive it is blank (not applicable).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from oncotrial.endpoints.safety import NOT_RELATED_VALUES, RELATED_VALUES, AeCategory
from oncotrial.errors import Problem, SchemaError, ValueProblem

__all__ = ["attribution_categories", "flag_name", "relatedness_flags"]


def flag_name(intervention: str) -> str:
    """The ADAE column holding the relatedness to ``intervention`` (``RELFL_<NAME>``)."""
    return "RELFL_" + "".join(c if c.isalnum() else "_" for c in intervention.upper())


def relatedness_flags(
    ae: pd.DataFrame,
    columns: Mapping[str, str],
    received: Mapping[str, frozenset[str]],
    *,
    arm_of: Mapping[str, str],
    subject: str = "USUBJID",
    sequence: str = "AESEQ",
) -> pd.DataFrame:
    """USUBJID, AESEQ and per intervention ``RELFL_<NAME>`` (Y/N/blank) and its ``…IMP`` flag.

    ``columns`` maps intervention name → AE column (``AEREL1``); ``received`` maps arm → the
    interventions it receives; ``arm_of`` maps subject → arm.
    """
    missing = [c for c in (subject, sequence, *columns.values()) if c not in ae.columns]
    if missing:
        raise SchemaError(f"the AE data have no column(s) {', '.join(missing)}", field=missing[0])
    out = pd.DataFrame({"USUBJID": ae[subject].astype(str), "AESEQ": ae[sequence]})
    problems: list[Problem] = []
    for name, column in columns.items():
        flags, imputed = [], []
        for who, value in zip(out["USUBJID"], ae[column], strict=True):
            given = name in received.get(arm_of.get(who, ""), frozenset())
            text = "" if value is None or pd.isna(value) else str(value).strip().upper()
            if not given:
                flags.append("")
                imputed.append("")
            elif text == "":
                flags.append("Y")
                imputed.append("Y")
            elif text in RELATED_VALUES:
                flags.append("Y")
                imputed.append("N")
            elif text in NOT_RELATED_VALUES:
                flags.append("N")
                imputed.append("N")
            else:
                flags.append("")
                imputed.append("")
                problems.append(
                    Problem(f"unknown causality {value!r}", record=f"subject {who}", field=column)
                )
        out[flag_name(name)] = flags
        out[flag_name(name) + "IMP"] = imputed
    if problems:
        raise ValueProblem(
            f"{len(problems)} AE record(s) with an unknown causality; first: {problems[0].message}",
            record=problems[0].record,
            field=problems[0].field,
            hint="Use RELATED / NOT RELATED (or the values safety.RELATED_VALUES lists).",
            problems=problems,
        )
    return out


def attribution_categories(interventions: tuple[str, ...]) -> tuple[AeCategory, ...]:
    """One TEAE category per intervention: related to it (for ``ae_incidence``)."""

    def related_to(column: str) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda frame: frame[column] == "Y"

    return tuple(
        AeCategory(
            id=f"RELATED-{flag_name(name)[6:]}",
            label=f"TEAE related to {name}",
            description=f"investigator-assessed relationship to {name} (one flag per intervention)",
            source="SDTM AEREL1…n per protocol intervention (docs/sdtm.md); ICH E3 §12.2.2",
            select=related_to(flag_name(name)),
        )
        for name in interventions
    )
