"""The signed-in account of a request, typed as the app's `User`.

Views behind `scoped_view` (and the API behind its token or session auth) only ever see a
signed-in user, but Django types `request.user` as `User | AnonymousUser`; `signed_in_user`
narrows it once, and refuses (403) if a view were ever reached without an account.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from fpa.accounts.models import User
from fpa.core.actors import Actor


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def as_user(actor: Actor) -> User:
    """The account behind an `Actor` that core hands back to a module (an importer's actor, a
    to-do count's user): always a `User`, checked once."""
    if not isinstance(actor, User):
        raise PermissionDenied
    return actor


def otp_verified(user: User) -> bool:
    """Whether this request's sign-in was confirmed with the authenticator: django-otp's
    middleware sets `user.is_verified` on the request's user (false when it has not run)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False
