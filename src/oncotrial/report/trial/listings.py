"""The Listings section: best overall response per patient, deaths, serious adverse events.

Listings show records, not estimates: each row is one patient (or one event) as the data and the
engines give it, for the reader to check against the source.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from oncotrial.analysis.results import SafetyOutcome, TrialResults
from oncotrial.protocol.endpoints import EndpointKind
from oncotrial.report import Block, Column, Listing, Note, Row, Section

__all__ = ["cell", "listings_section"]


def cell(value: object) -> str | int | float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _date(value: Any) -> str | None:
    """A date cell (any scalar a frame holds) as ISO 8601, None where it is missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    text = str(value)
    return text[:10] if text else None


def listings_section(results: TrialResults) -> Section:
    blocks: list[Block] = []
    run = results.response
    adsl = results.sets.efficacy
    several = len(results.arms) > 1
    if run is not None:
        summary = run.result.summary
        best = dict(zip(run.table["USUBJID"], run.table["BEST_PCHG"], strict=True))
        arm_of = dict(zip(adsl["USUBJID"].astype(str), adsl["ARM"], strict=True))
        rows = []
        for r in summary.to_dict("records"):
            subject = str(r["USUBJID"])
            change = best.get(subject)
            cells: list[str | int | float | None] = [subject]
            if several:
                cells.append(str(arm_of.get(subject, "")))
            cells += [
                str(r["BOR"]),
                str(r["CBOR"]),
                None if change is None or pd.isna(change) else round(float(change), 4),
                _date(r["FIRST_RESPONSE_DT"]),
                _date(r["FIRST_PD_DT"]),
                int(r["N_ASSESSMENTS"]),
            ]
            rows.append(Row(tuple(cells)))
        columns = [Column("Subject")]
        if several:
            columns.append(Column("Arm"))
        columns += [
            Column("BOR", "center"),
            Column("Confirmed BOR", "center"),
            Column("Best change (%)", "right", ".1f"),
            Column("First response"),
            Column("First progression"),
            Column("Assessments", "right"),
        ]
        blocks.append(
            Listing(
                "listing-responses",
                "Best overall response per patient",
                tuple(columns),
                tuple(rows),
                footnotes=(
                    f"{results.settings.criteria.value}; BOR without, confirmed BOR with the "
                    "confirmation rule (Methods); MISSING: no post-baseline assessment. Best "
                    "change: the smallest % change of the target-lesion sum from baseline over "
                    "the assessments counted toward best response; – : none measured.",
                ),
            )
        )
    dead = results.adsl[results.adsl["DTHDT"].notna() & results.adsl["RANDFL"].eq("Y")]
    zero = results.sets.reference
    blocks.append(
        _without_arm(
            several,
            "listing-deaths",
            "Deaths",
            (
                Column("Subject"),
                Column("Arm"),
                Column("Date of death"),
                Column(f"Days from {results.sets.reference_label}", "right"),
                Column("Cause"),
            ),
            tuple(
                Row(
                    (
                        str(r["USUBJID"]),
                        str(r["ARM"]) if r["ARM"] else None,
                        str(r["DTHDT"]),
                        (
                            (pd.Timestamp(r["DTHDT"]) - pd.Timestamp(r[zero])).days + 1
                            if isinstance(r[zero], str) and r[zero]
                            else None
                        ),
                        str(r["DTHCAUS"]).capitalize() if r.get("DTHCAUS") else None,
                    )
                )
                for r in dead.to_dict("records")
            ),
            footnotes=(f"Day 1 = the day of {results.sets.reference_label}.",),
        )
    )
    blocks.append(_serious_listing(results, several))
    return Section("listings", "Listings", tuple(blocks))


def _without_arm(
    several: bool,
    listing_id: str,
    title: str,
    columns: tuple[Column, ...],
    rows: tuple[Row, ...],
    footnotes: tuple[str, ...] = (),
) -> Listing:
    """A listing whose second column is the arm, left out when the trial has one arm."""
    if not several:
        columns = (columns[0], *columns[2:])
        rows = tuple(Row((r.cells[0], *r.cells[2:])) for r in rows)
    return Listing(listing_id, title, columns, rows, footnotes=footnotes)


def _serious_listing(results: TrialResults, several: bool) -> Block:
    safety = next(
        (
            item.outcome
            for item in results.endpoints
            if isinstance(item.outcome, SafetyOutcome)
            and item.endpoint.reading.kind is EndpointKind.AE_INCIDENCE
        ),
        None,
    )
    ae = results.safety_frame
    if ae is None or "AESER" not in ae.columns:
        reason = next(
            (
                item.reasons[0]
                for item in results.endpoints
                if item.endpoint.reading.kind is EndpointKind.AE_INCIDENCE and item.reasons
            ),
            "the data hold no adverse event records (no AE domain)",
        )
        return Note.not_computable("The listing of serious adverse events", _lower(reason))
    serious = ae[ae["AESER"].astype(str) == "Y"]
    teae = {}
    if safety is not None:
        adae = safety.adae
        teae = {
            (str(s), str(q)): flag
            for s, q, flag in zip(adae["USUBJID"], adae["AESEQ"], adae["TRTEMFL"], strict=True)
        }
    arm_of = dict(zip(results.adsl["USUBJID"].astype(str), results.adsl["ACTARM"], strict=True))
    rows = [
        Row(
            (
                str(r["USUBJID"]),
                cell(arm_of.get(str(r["USUBJID"]))),
                cell(r.get("AEDECOD") or r.get("AETERM")),
                cell(r.get("AEBODSYS")),
                cell(r.get("AETOXGR")),
                cell(r.get("AESTDTC")),
                cell(r.get("AEENDTC")),
                cell(r.get("AEOUT")),
                cell(r.get("AEREL")),
                teae.get((str(r["USUBJID"]), str(r.get("AESEQ")))),
            )
        )
        for r in serious.to_dict("records")
    ]
    return _without_arm(
        several,
        "listing-sae",
        "Serious adverse events",
        (
            Column("Subject"),
            Column("Arm (actual)"),
            Column("Term (CTCAE v5.0)"),
            Column("System organ class"),
            Column("Grade", "center"),
            Column("Onset"),
            Column("End"),
            Column("Outcome"),
            Column("Relationship"),
            Column("TEAE", "center"),
        ),
        tuple(rows),
        footnotes=(
            "All serious adverse events (AESER = Y) recorded up to the data cut-off.",
            *(
                ()
                if safety is not None
                else (
                    "Terms and grades as recorded: they could not be checked against CTCAE "
                    "v5.0 (see the safety endpoint), and treatment emergence was not derived.",
                )
            ),
        ),
    )


def _lower(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]
