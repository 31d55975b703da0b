"""Sign-in lockout per IP address across user names (password spraying).

django-axes locks a (username, IP) pair after FPA_LOCKOUT_FAILURES failures. An attacker who tries
a few passwords on many accounts never reaches that, so every failed sign-in (the sign-in page and
the API token endpoint alike: both go through `django.contrib.auth.authenticate`) also counts
against its address in the shared cache (fpa.core.ratelimit). The failure that reaches
FPA_LOCKOUT_IP_FAILURES within a window of FPA_LOCKOUT_MINUTES locks the address for
FPA_LOCKOUT_MINUTES: `AddressLockoutBackend`, listed before ModelBackend, then refuses every
attempt from it (the right password included) before any other backend looks at the password.
The lock is written once (`cache.add`), with one audit row (`services.address_lockout`).

A success does not reset the address's count: an attacker who knows one password must not be able
to clear the count with it. Attempts refused during the lock are not counted again; the lock ends
FPA_LOCKOUT_MINUTES after it began.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from fpa.core import ratelimit
from fpa.core.middleware import client_ip

SCOPE = "login-address"


def failure_limit() -> int:
    return int(getattr(settings, "FPA_LOCKOUT_IP_FAILURES", 10))


def lock_seconds() -> int:
    return max(60, int(settings.AXES_COOLOFF_TIME.total_seconds()))


def lock_minutes() -> int:
    return lock_seconds() // 60


def _lock_key(ip: str) -> str:
    return f"fpa:lock:address:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"


def address_locked(ip: str | None) -> bool:
    if not ip or failure_limit() <= 0:
        return False
    return cache.get(_lock_key(ip)) is not None


def _mark(request: HttpRequest) -> None:
    """Flag the request as refused by the address lock. `axes_locked_out` makes the sign-in view
    and axes' middleware answer with `fpa.accounts.views.lockout_response`, which reads ours."""
    # Ad-hoc flags on the request (axes' own convention); HttpRequest declares neither attribute.
    request.fpa_address_locked = True  # type: ignore[attr-defined]
    request.axes_locked_out = True  # type: ignore[attr-defined]


def record_failure(request: HttpRequest | None, username: str = "") -> None:
    """Count one failed sign-in against the request's address; lock it at the limit."""
    if request is None or getattr(request, "fpa_address_locked", False):
        return
    ip = client_ip(request)
    limit = failure_limit()
    if not ip or limit <= 0:
        return
    rank = ratelimit.hit(SCOPE, ip, limit=limit, window=lock_seconds())
    if rank < limit:
        return
    if cache.add(_lock_key(ip), 1, lock_seconds()):  # exactly one process starts the lock
        from fpa.accounts.services import address_lockout

        address_lockout(
            actor=None, ip=ip, failures=limit, minutes=lock_minutes(), username=username
        )
    _mark(request)


class AddressLockoutBackend:
    """Refuses every sign-in from a locked address; otherwise leaves the decision to the next
    backends (returns None). No `get_user`: sessions stay with ModelBackend (`force_login` and
    `login` pick the first backend that has one)."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> Any:
        if request is not None and address_locked(client_ip(request)):
            _mark(request)
            raise PermissionDenied("address locked")
        return None
