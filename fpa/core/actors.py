"""Who acts, as core sees it: the interface an account offers, without importing the accounts app.

Core's services and selectors take an `Actor` (the signed-in account, `fpa.accounts.models.User`
satisfies it) or a `Viewer` (an account or Django's anonymous user, for reads a public page may
make). The apps type their own parameters with `User` itself.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class HasPath(Protocol):
    """An association as scope needs it: its materialised path and its code."""

    @property
    def path(self) -> str: ...

    @property
    def code(self) -> str: ...


class Actor(Protocol):
    """A signed-in account: its home association bounds what it sees, its roles what it may do."""

    @property
    def pk(self) -> Any: ...

    @property
    def username(self) -> str: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def home_association(self) -> HasPath | None: ...

    @property
    def role_codes(self) -> list[str]: ...

    def has_capability(self, capability: str) -> bool: ...


Viewer = Actor | AnonymousUser
"""Whoever makes a request: an account, or nobody yet."""


def signed_in(user: Viewer | None) -> TypeGuard[Actor]:
    """Whether `user` is an active signed-in account (anonymous and None are not)."""
    return user is not None and not isinstance(user, AnonymousUser) and user.is_authenticated


def actor_of(request: HttpRequest) -> Actor:
    """The signed-in account behind a request that a scoped view has already let through."""
    user = request.user
    if not signed_in(user):
        raise PermissionDenied
    return user
