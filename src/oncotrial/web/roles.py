"""Roles per trial and what each may do, as declared data (printable for audit).

A person holds one or more roles in a trial (``Membership``); what they may do there is the
union of their roles' permissions. Outside their trials they see nothing: another trial's pages
answer 404, as if it did not exist. Two permissions depend on the trial's masking: in a masked
(blinded) trial only ``view_unblinded`` shows a subject's arm, and the results (which compare arms)
need it too; in an open-label trial the arm is part of the subject's record.

The site administrator (a Django superuser, made by ``oncotrial serve --create-admin``) manages
accounts and imports trials, and is implicitly an administrator of every trial; to see clinical
data they, like everyone, need a role in the trial.
"""

from __future__ import annotations

from enum import StrEnum

from oncotrial.catalogue.rule import Rule as RoleRule
from oncotrial.store.roles import Role

__all__ = [
    "BLINDED_FIELDS",
    "PERMISSION_TEXT",
    "ROLE_PERMISSIONS",
    "ROLE_RULES",
    "Permission",
    "Role",
    "RoleRule",
    "permissions_of",
]


class Permission(StrEnum):
    VIEW_TRIAL = "view_trial"  # the trial page (registry sections, progress)
    VIEW_SUBJECTS = "view_subjects"  # subject list, records, schedules, history
    SCREEN = "screen"  # screen patients, register them
    RANDOMIZE = "randomize"  # randomize (or enroll) an eligible subject
    ENTER_DATA = "enter_data"  # add and change records (with a reason)
    ANSWER_QUERIES = "answer_queries"
    RAISE_QUERIES = "raise_queries"  # and close them
    MANAGE_RANDOMIZATION = "manage_randomization"  # generate or import the allocation list
    VIEW_ALLOCATION_LIST = "view_allocation_list"  # the concealed list itself
    VIEW_UNBLINDED = "view_unblinded"  # arms in a masked trial, results by arm
    VIEW_RESULTS = "view_results"  # the trial report and its downloads
    MANAGE_MEMBERS = "manage_members"  # who has which role in the trial
    VERIFY_SOURCE = "verify_source"  # mark a visit's forms source-data verified (SIGN-1)
    LOCK_RECORDS = "lock_records"  # lock and unlock visits and casebooks (SIGN-2)
    SIGN_CASEBOOK = "sign_casebook"  # sign a subject's casebook electronically (SIGN-3)


PERMISSION_TEXT: dict[Permission, str] = {
    Permission.VIEW_TRIAL: "see the trial page (registry sections, enrollment progress)",
    Permission.VIEW_SUBJECTS: "see subjects, their records, visit schedules and history",
    Permission.SCREEN: "screen patients and register them (eligible or screen failure)",
    Permission.RANDOMIZE: "randomize or enroll an eligible subject",
    Permission.ENTER_DATA: "enter and correct data (corrections need a reason)",
    Permission.ANSWER_QUERIES: "answer data queries",
    Permission.RAISE_QUERIES: "raise and close data queries",
    Permission.MANAGE_RANDOMIZATION: "generate or import the allocation list before enrollment",
    Permission.VIEW_ALLOCATION_LIST: "see the concealed allocation list",
    Permission.VIEW_UNBLINDED: "see arms and results by arm in a masked trial",
    Permission.VIEW_RESULTS: "see the trial report and download it",
    Permission.MANAGE_MEMBERS: "give and remove roles in the trial",
    Permission.VERIFY_SOURCE: "mark a visit's forms source-data verified",
    Permission.LOCK_RECORDS: "lock and unlock a visit's forms or a subject's casebook",
    Permission.SIGN_CASEBOOK: "sign a subject's casebook (investigator's signature)",
}

# The record fields (DM ARMCD, ARM, ACTARMCD, ACTARM, ACTARMUD) that say which arm a subject is
# on: in a masked trial they are left out of every page, history and twin of a role without
# view_unblinded (ROLE-2; ICH E9 §2.3.1). Randomization writes them into the subject's record,
# so its audit history holds them too (issue 13 item 2).
BLINDED_FIELDS: frozenset[str] = frozenset({"armcd", "arm", "actarmcd", "actarm", "actarmud"})

P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.INVESTIGATOR: frozenset(
        {
            P.VIEW_TRIAL,
            P.VIEW_SUBJECTS,
            P.SCREEN,
            P.RANDOMIZE,
            P.ENTER_DATA,
            P.ANSWER_QUERIES,
            P.VIEW_RESULTS,
            P.SIGN_CASEBOOK,
        }
    ),
    Role.DATA_MANAGER: frozenset(
        {
            P.VIEW_TRIAL,
            P.VIEW_SUBJECTS,
            P.SCREEN,
            P.RANDOMIZE,
            P.ENTER_DATA,
            P.ANSWER_QUERIES,
            P.LOCK_RECORDS,
        }
    ),
    Role.STATISTICIAN: frozenset(
        {
            P.VIEW_TRIAL,
            P.VIEW_SUBJECTS,
            P.MANAGE_RANDOMIZATION,
            P.VIEW_ALLOCATION_LIST,
            P.VIEW_UNBLINDED,
            P.VIEW_RESULTS,
        }
    ),
    Role.MONITOR: frozenset({P.VIEW_TRIAL, P.VIEW_SUBJECTS, P.RAISE_QUERIES, P.VERIFY_SOURCE}),
    Role.ADMINISTRATOR: frozenset({P.VIEW_TRIAL, P.MANAGE_MEMBERS}),
}


ROLE_RULES = (
    RoleRule(
        "ROLE-1",
        "The allocation list is seen only by roles with view_allocation_list (the trial "
        "statistician); randomizing shows the randomized subject's arm only.",
        "ICH E9 §2.3.2; CONSORT 2010 item 9 (allocation concealment)",
    ),
    RoleRule(
        "ROLE-2",
        "In a masked trial, arms and results by arm need view_unblinded.",
        "ICH E9 §2.3.1 (blinding)",
    ),
    RoleRule(
        "ROLE-3",
        "Monitors read, raise queries and mark source-data verification; they never change data.",
        "ICH E6(R2) §5.18.4 (monitor's responsibilities)",
    ),
)


def permissions_of(roles: set[Role] | frozenset[Role], *, masked: bool) -> frozenset[Permission]:
    """The permissions of a person holding ``roles`` in a trial (masked or open-label)."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    if masked and P.VIEW_UNBLINDED not in granted:
        granted.discard(P.VIEW_RESULTS)
    return frozenset(granted)
