"""Login throttling, in the database (so it holds across server processes and restarts).

Failures are counted per account *and* address: after ``USER_FAILURES`` failed attempts for one
user name from one address since that pair's last successful sign-in, that address must wait
before trying the name again, ``BACKOFF`` doubling with each further failure up to ``WINDOW``
(OWASP Authentication Cheat Sheet, "Login Throttling"). Someone guessing from their own address
therefore cannot lock the real user, who signs in from another address, out of their account
(issue 13 item 11: five wrong passwords locked anyone, the administrator included, for 15
minutes). One address is also refused after ``IP_FAILURES`` failures within ``WINDOW`` whatever
the names (password spraying). Refused attempts are not checked and read the same whether or
not the user exists. Every attempt stays in the security log (``LoginAttempt``).

The site administrator can unlock a throttled account (``LoginUnlock``, also kept): failures for
that name before the unlock no longer count, from any address. The address limit is left as it
is: it guards against spraying many names, which unlocking one account must not undo.
"""

from __future__ import annotations

import datetime as dt

from oncotrial.store.conduct import LoginAttempt, LoginUnlock

__all__ = [
    "BACKOFF",
    "IP_FAILURES",
    "USER_FAILURES",
    "WINDOW",
    "locked_accounts",
    "record_attempt",
    "seconds_locked",
    "unlock",
]

USER_FAILURES = 5
IP_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
BACKOFF = dt.timedelta(seconds=30)


def _key(username: str) -> str:
    return username.strip().casefold()[:150]


def _pair_wait(username: str, ip: str | None, now: dt.datetime) -> int:
    attempts = LoginAttempt.objects.filter(username=_key(username), ip=ip, at__gte=now - WINDOW)
    last_success = (
        attempts.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
    )
    unlocked = (
        LoginUnlock.objects.filter(username=_key(username), at__gte=now - WINDOW)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    failures = attempts.filter(succeeded=False)
    for since in (last_success, unlocked):
        if since is not None:
            failures = failures.filter(at__gt=since)
    count = failures.count()
    if count < USER_FAILURES:
        return 0
    last = failures.order_by("-at").values_list("at", flat=True).first()
    assert last is not None
    wait = min(BACKOFF * 2 ** (count - USER_FAILURES), WINDOW)
    return max(0, int((last + wait - now).total_seconds()) + 1)


def _address_wait(ip: str, now: dt.datetime) -> int:
    recent = LoginAttempt.objects.filter(ip=ip, at__gte=now - WINDOW, succeeded=False)
    if recent.count() < IP_FAILURES:
        return 0
    # Allowed again when enough failures have aged out of the window.
    times = list(recent.order_by("-at").values_list("at", flat=True)[:IP_FAILURES])
    return int((times[-1] + WINDOW - now).total_seconds()) + 1


def seconds_locked(username: str, ip: str | None, now: dt.datetime) -> int:
    """Seconds until another attempt for ``username`` from ``ip`` is allowed (0: allowed now)."""
    waits = [_pair_wait(username, ip, now)]
    if ip:
        waits.append(_address_wait(ip, now))
    return max(waits)


def record_attempt(username: str, ip: str | None, now: dt.datetime, *, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=_key(username), ip=ip, at=now, succeeded=succeeded)


def locked_accounts(now: dt.datetime) -> list[tuple[str, str | None, int]]:
    """(user name, address, seconds left) of every account throttled now, longest wait first."""
    pairs = (
        LoginAttempt.objects.filter(at__gte=now - WINDOW, succeeded=False)
        .values_list("username", "ip")
        .distinct()
    )
    found = [(name, ip, _pair_wait(name, ip, now)) for name, ip in pairs]
    return sorted((row for row in found if row[2] > 0), key=lambda row: (-row[2], row[0]))


def unlock(username: str, by: object, now: dt.datetime) -> None:
    """Release ``username`` from the per-account throttle (the security log keeps who and when)."""
    LoginUnlock.objects.create(username=_key(username), at=now, by=by)
