"""Login throttling, in the database (so it holds across server processes and restarts).

After ``USER_FAILURES`` failed attempts for one user name, or ``IP_FAILURES`` from one address,
within ``WINDOW``, further attempts are refused — without checking the password — until the
oldest failure leaves the window. The refusal reads the same whether or not the user exists.
A successful login does not erase failures: they stay in the security log.
"""

from __future__ import annotations

import datetime as dt

from oncotrial.store.conduct import LoginAttempt

__all__ = ["IP_FAILURES", "USER_FAILURES", "WINDOW", "record_attempt", "seconds_locked"]

USER_FAILURES = 5
IP_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)


def _key(username: str) -> str:
    return username.strip().casefold()[:150]


def seconds_locked(username: str, ip: str | None, now: dt.datetime) -> int:
    """Seconds until another attempt is allowed (0: allowed now)."""
    since = now - WINDOW
    waits = [0]
    checks = [(LoginAttempt.objects.filter(username=_key(username)), USER_FAILURES)]
    if ip:
        checks.append((LoginAttempt.objects.filter(ip=ip), IP_FAILURES))
    for queryset, limit in checks:
        recent = queryset.filter(at__gte=since, succeeded=False)
        if recent.count() >= limit:
            # Allowed again when enough failures have aged out of the window.
            times = list(recent.order_by("-at").values_list("at", flat=True)[:limit])
            oldest_counted = times[-1]
            waits.append(int((oldest_counted + WINDOW - now).total_seconds()) + 1)
    return max(waits)


def record_attempt(username: str, ip: str | None, now: dt.datetime, *, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=_key(username), ip=ip, at=now, succeeded=succeeded)
