"""Log in (throttled), log out, change one's password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from oncotrial.web.render import respond
from oncotrial.web.throttle import locked_accounts, record_attempt, seconds_locked, unlock

__all__ = ["locks_view", "login_view", "logout_view", "password_view"]


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_not_required
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = AuthenticationForm(request)
    error = None
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        username = (request.POST.get("username") or "")[:150]
        password = request.POST.get("password") or ""
        ip = _client_ip(request)
        now = timezone.now()
        wait = seconds_locked(username, ip, now)
        if wait:
            minutes = max(1, round(wait / 60))
            error = (
                "Too many failed sign-in attempts. For your account's safety, signing in is "
                f"paused; try again in about {minutes} minute{'s' if minutes != 1 else ''}."
            )
        else:
            user = authenticate(request, username=username, password=password)
            record_attempt(username, ip, now, succeeded=user is not None)
            if user is not None and user.is_active:
                login(request, user)
                if not url_has_allowed_host_and_scheme(
                    wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    wanted = ""
                return redirect(wanted or "web:home")
            error = "The user name or password is not right."
        form = AuthenticationForm(request, initial={"username": username})
    status = 200 if error is None else 401
    if error and "Too many" in error:
        status = 429
    return render(
        request,
        "web/login.html",
        {
            "form": form,
            "error": error,
            "next": wanted,
            "expired": request.GET.get("expired") == "1",
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@require_http_methods(["GET", "POST"])
def password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "Your password has been changed.")
        return redirect("web:home")
    return render(request, "web/password.html", {"form": form, "title": "Change password"})


@never_cache
@require_http_methods(["GET", "POST"])
def locks_view(request: HttpRequest) -> HttpResponse:
    """The site administrator's list of throttled accounts, each with an Unlock button."""
    if not request.user.is_superuser:
        raise PermissionDenied("Only the site administrator unlocks accounts.")
    now = timezone.now()
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()[:150]
        if username:
            unlock(username, request.user, now)
            messages.success(request, f"{username} can sign in again.")
        return redirect("web:locks")
    rows = [
        {"username": name, "address": ip or "—", "minutes": max(1, round(wait / 60))}
        for name, ip, wait in locked_accounts(now)
    ]
    return respond(request, "web/locks.html", {"title": "Locked accounts", "locked": rows})
