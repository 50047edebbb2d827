"""Enrollment (core, pure): randomization lists, strata, arms and visit schedules.

- ``strata``: stratification factors with their levels, and the strata they make;
- ``arms``: the arms a trial allocates to (ARMCD codes in the protocol's order) and the ratio;
- ``allocation``: stratified permuted-block allocation lists generated from a seed, and lists
  imported from another system (REDCap-style CSV rows), both checked before use;
- ``schedule``: the visit schedule of one subject from the protocol (treatment cycles from the
  interventions' dosing, imaging every N days with its window) and each visit's status on a date.

Nothing here reads a clock or a file: dates and rows come in as arguments.
"""

from oncotrial.enrollment.allocation import (
    ALLOCATION_RULES,
    AllocationList,
    AllocationScheme,
    AllocationSlot,
    allocation_list_from_rows,
    generate_allocation_list,
)
from oncotrial.enrollment.arms import TrialArm, allocation_ratio, trial_arms
from oncotrial.enrollment.schedule import (
    SCHEDULE_RULES,
    PlannedVisit,
    VisitKind,
    VisitSchedule,
    VisitState,
    VisitStatus,
    compute_visit_schedule,
    derive_visit_statuses,
)
from oncotrial.enrollment.strata import (
    StratificationFactor,
    enumerate_strata,
    parse_factor,
    stratum_label,
)

__all__ = [
    "ALLOCATION_RULES",
    "SCHEDULE_RULES",
    "AllocationList",
    "AllocationScheme",
    "AllocationSlot",
    "PlannedVisit",
    "StratificationFactor",
    "TrialArm",
    "VisitKind",
    "VisitSchedule",
    "VisitState",
    "VisitStatus",
    "allocation_list_from_rows",
    "allocation_ratio",
    "compute_visit_schedule",
    "derive_visit_statuses",
    "enumerate_strata",
    "generate_allocation_list",
    "parse_factor",
    "stratum_label",
    "trial_arms",
]
