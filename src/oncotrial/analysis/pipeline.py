"""Analyse one trial: SDTM frames + protocol (+ cut-off) → :class:`TrialResults`.

The order is the pipeline's own (docs/trial-report.md): data as of the cut-off → ADSL-like subject
frame → analysis sets and participant flow → responses (RECIST 1.1 / iRECIST / mRECIST, as the
protocol names) → every registered endpoint in the registration's order. The censoring rules are
FDA 2018 (Table 4) with the protocol's imaging schedule; ORR and DCR count confirmed responses
in single-arm trials and unconfirmed ones in randomized trials (RECIST 1.1 §4.6.1).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from oncotrial.app.baseline import baseline_table
from oncotrial.app.cutoff import apply_cutoff, latest_date
from oncotrial.app.endpoint_results import Inputs, compute_endpoint, response_run
from oncotrial.app.flow import analysis_sets, consort_counts, trial_arms
from oncotrial.app.results import TrialResults
from oncotrial.app.trial_data import TrialData
from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.endpoints.tte import RuleSet, rules_for
from oncotrial.errors import InputError
from oncotrial.response import ReferenceDate, ResponseSettings

__all__ = ["analyse_trial", "response_settings"]


def response_settings(data: TrialData, reference: str) -> ResponseSettings:
    """The protocol's response settings with the reference date of its analysis plan."""
    settings = data.protocol.analysis.response or ResponseSettings()
    return settings.model_copy(update={"reference_date": ReferenceDate(reference)})


def analyse_trial(
    data: TrialData,
    *,
    cutoff: date | None = None,
    ctcae: CtcaeDictionary | None = None,
    ctcae_reason: str | None = None,
) -> TrialResults:
    """Every registered endpoint of ``data.protocol`` computed from ``data.frames``.

    ``cutoff``: the data cut-off (records dated later are left out); default the latest date in
    the data. ``ctcae``: NCI's CTCAE v5.0 dictionary for the adverse-event endpoints (without it
    they say why, with ``ctcae_reason``).
    """
    latest = latest_date(data.frames)
    if cutoff is None and latest is None:
        raise InputError(
            f"{data.source} holds no complete date, so the data cut-off is unknown",
            field="cutoff",
            hint="Give the data cut-off with --cutoff YYYY-MM-DD.",
        )
    chosen = cutoff or latest
    assert chosen is not None  # one of them is a date, checked above
    frames = apply_cutoff(data.frames, chosen) if cutoff is not None else dict(data.frames)
    protocol = data.protocol
    adsl = derive_adsl(frames)
    arms = trial_arms(protocol, adsl)
    sets = analysis_sets(protocol, adsl)
    settings = response_settings(data, sets.reference)
    plan = protocol.analysis
    rules = rules_for(
        RuleSet.FDA_2018,
        assessment_interval_days=plan.imaging_interval_days,
        assessment_window_days=plan.imaging_window_days or 0,
    )
    inputs = Inputs(
        protocol=protocol,
        frames=frames,
        sets=sets,
        arms=arms,
        settings=settings,
        # RECIST 1.1 §4.6.1: confirmation is required where response is the primary endpoint
        # of a non-randomized trial, and not in randomized trials.
        confirmation_required=not protocol.is_randomized,
        rules=rules,
        ctcae=ctcae,
        ctcae_reason=ctcae_reason,
        data_notes=data.notes,
    )
    levels: Counter[str] = Counter()
    endpoints = []
    for index, endpoint in enumerate(protocol.endpoints, start=1):
        levels[endpoint.level.value] += 1
        endpoints.append(compute_endpoint(inputs, endpoint, index, levels[endpoint.level.value]))
    response = response_run(inputs, None)
    notes = list(data.notes)
    if not isinstance(response, str) and len(response.result.excluded):
        notes.append(
            f"{len(response.result.excluded)} tumour-assessment record(s) or subject(s) were left "
            "out of the response derivation; Methods lists each with the reason."
        )
    ae = frames.get("AE")
    return TrialResults(
        protocol=protocol,
        trial_id=data.trial_id or protocol.trial_id,
        source=data.source,
        simulated=data.simulated,
        cutoff=chosen,
        cutoff_stated=cutoff is not None,
        arms=arms,
        adsl=adsl,
        sets=sets,
        consort=consort_counts(protocol, adsl, frames, arms, sets),
        baseline=baseline_table(sets.efficacy, arms),
        settings=settings,
        confirmation_required=inputs.confirmation_required,
        response=response if not isinstance(response, str) else None,
        response_reason=response if isinstance(response, str) else None,
        rules=rules,
        endpoints=tuple(endpoints),
        safety_frame=ae,
        notes=tuple(notes),
    )
