"""Who may open what: one trial's access for the logged-in person, checked by every trial view.

``trial_view(permission)`` wraps a view taking ``(request, access, …)``: it finds the trial named
in the URL among the person's trials (404 otherwise — another trial's pages do not exist for
them), and refuses (403) when their roles lack ``permission``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from oncotrial.protocol.model import Protocol
from oncotrial.store import models as db
from oncotrial.store.conduct import Membership
from oncotrial.web.roles import Permission, Role, permissions_of
from oncotrial.web.trials import is_masked, protocol_of

__all__ = ["TrialAccess", "get_access", "trial_view", "trials_of"]


@dataclass(frozen=True)
class TrialAccess:
    trial: db.Trial
    protocol: Protocol
    roles: frozenset[Role]
    permissions: frozenset[Permission]
    masked: bool

    def can(self, permission: Permission | str) -> bool:
        return Permission(permission) in self.permissions

    @property
    def shows_arms(self) -> bool:
        """Arms are part of the record in an open-label trial; masked trials need unblinding."""
        return not self.masked or self.can(Permission.VIEW_UNBLINDED)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"Your roles in {self.trial.trial_id} "
                f"({', '.join(sorted(r.label for r in self.roles)) or 'none'}) do not allow this."
            )


def roles_in(user: Any, trial: db.Trial) -> frozenset[Role]:
    roles = {
        Role(r)
        for r in Membership.objects.filter(user=user, trial=trial).values_list("role", flat=True)
    }
    return _with_site_role(user, roles)


def _with_site_role(user: Any, roles: set[Role]) -> frozenset[Role]:
    """The site administrator administers every trial (roles.py)."""
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return frozenset(roles)


def trials_of(user: Any) -> list[db.Trial]:
    """The trials a person may see (a site administrator sees every trial)."""
    trials = db.Trial.objects.order_by("trial_id")
    if user.is_superuser:
        return list(trials)
    return list(trials.filter(members__user=user).distinct())


def get_access(user: Any, trial_id: str, trial: db.Trial | None = None) -> TrialAccess:
    """The person's access to the trial named ``trial_id`` (404 when it is not theirs); with
    ``trial``, that row as already read (the home page's list)."""
    if trial is None:
        # The person's roles and the trial's row in one query (issue 13: a query less on every
        # trial page); a site administrator without a role reads the trial alone.
        memberships = list(
            Membership.objects.filter(user=user, trial__trial_id=trial_id).select_related("trial")
        )
        if memberships:
            trial = memberships[0].trial
        elif user.is_superuser:
            trial = db.Trial.objects.filter(trial_id=trial_id).first()
        if trial is None:
            raise Http404("No such trial.")
        roles = _with_site_role(user, {Role(m.role) for m in memberships})
    else:
        roles = roles_in(user, trial)
    if not roles:
        raise Http404("No such trial.")
    protocol = protocol_of(trial)
    masked = is_masked(protocol)
    return TrialAccess(
        trial=trial,
        protocol=protocol,
        roles=roles,
        permissions=permissions_of(roles, masked=masked),
        masked=masked,
    )


View = Callable[..., HttpResponse]


def trial_view(permission: Permission) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, trial_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
            access = get_access(request.user, trial_id)
            access.require(permission)
            request.access = access  # for templates and nav
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorate
