"""The trial's team: who holds which role (the trial administrator manages it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from oncotrial.store.audit import acting_as
from oncotrial.store.conduct import Membership
from oncotrial.store.roles import USERNAME
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.render import respond
from oncotrial.web.roles import PERMISSION_TEXT, ROLE_PERMISSIONS, ROLE_RULES, Permission, Role

__all__ = ["members_page"]


def _team(access: TrialAccess) -> list[dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    for m in (
        Membership.objects.filter(trial=access.trial)
        .select_related("user")
        .order_by("user__username", "role")
    ):
        person = people.setdefault(
            m.user_id,
            {
                "username": m.user.username,
                "name": m.user.get_full_name(),
                "email": m.user.email,
                "active": m.user.is_active,
                "roles": [],
            },
        )
        person["roles"].append({"id": m.pk, "role": Role(m.role).label, "since": m.granted_at})
    for person in people.values():
        roles = {r["role"] for r in person["roles"]}
        if "investigator" in roles and "statistician" in roles:
            person["warning"] = (
                "holds both investigator and statistician: sees the allocation list while "
                "enrolling subjects, which breaks allocation concealment (ICH E9 §2.3.2)"
            )
    return list(people.values())


@require_http_methods(["GET", "POST"])
@trial_view(Permission.MANAGE_MEMBERS)
def members_page(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        user_model = get_user_model()
        try:
            if action == "add":
                username = request.POST.get("username", "").strip()[:150]
                role = Role(request.POST.get("role", ""))
                user = user_model.objects.filter(username=username).first()
                password = request.POST.get("password", "")
                if user is None:
                    if not password:
                        raise ValueError(
                            f"there is no account {username!r}; give an initial password to "
                            "create it"
                        )
                    candidate = user_model(
                        username=username,
                        first_name=request.POST.get("first_name", "").strip()[:150],
                        last_name=request.POST.get("last_name", "").strip()[:150],
                        email=request.POST.get("email", "").strip()[:254],
                    )
                    if not USERNAME.fullmatch(username):
                        raise ValueError(
                            f"{username!r} is not a user name: use 2 to 64 letters, digits, "
                            "dots, hyphens or underscores, starting with a letter or digit"
                        )
                    validate_password(password, candidate)
                    candidate.set_password(password)
                    candidate.save()
                    user = candidate
                with transaction.atomic(), acting_as(request.user, f"role {role.label} given"):
                    _, created = Membership.objects.get_or_create(
                        user=user, trial=access.trial, role=role.value
                    )
                messages.success(
                    request,
                    f"{user.username} is {role.label} of {access.trial.trial_id}."
                    if created
                    else f"{user.username} already had that role.",
                )
            elif action == "remove":
                membership = Membership.objects.filter(
                    trial=access.trial, pk=int(request.POST.get("membership", "0") or 0)
                ).first()
                reason = request.POST.get("reason", "").strip()[:300]
                if membership is None:
                    raise ValueError("no such role in this trial")
                if not reason:
                    raise ValueError("give the reason for removing the role")
                with transaction.atomic(), acting_as(request.user, reason):
                    membership.delete()
                messages.success(request, "Role removed.")
            else:
                raise ValueError("unknown action")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except ValueError as exc:
            error = str(exc).replace("is not a valid Role", "is not a role")
        else:
            return redirect("web:members", access.trial.trial_id)
    data = {
        "title": "Team",
        "team": _team(access),
        "roles": [
            {
                "role": r.value,
                "label": r.label,
                "permissions": sorted(PERMISSION_TEXT[p] for p in ROLE_PERMISSIONS[r]),
            }
            for r in Role
        ],
        "rules": [f"{r.id}: {r.description} ({r.source})" for r in ROLE_RULES],
        "error": error,
    }
    return respond(
        request,
        "web/members.html",
        data,
        context={"access": access, "nav_section": "members"},
        status=400 if error else 200,
    )
