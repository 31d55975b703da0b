"""Reads of accounts: scoped like every other read (an administrator sees the accounts of their
subtree), and the user's own second factor and tokens."""

from __future__ import annotations

from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from fpa.accounts.models import ApiToken, User
from fpa.core.pagination import Page, keyset_page


def otp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def own_tokens(user: User, *, size: int = 20) -> list[ApiToken]:
    """The user's API tokens, newest first."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at")[:size])


def user_list(
    *, user: User, query: str = "", after: str | None = None, before: str | None = None
) -> Page:
    """Accounts of the user's subtree, optionally by user name or full name."""
    queryset = User.objects.visible_to(user)
    if query:
        queryset = queryset.filter(Q(username__icontains=query) | Q(full_name__contains=query))
    return keyset_page(queryset, key="id", after=after, before=before)


def own_token(*, user: User, plain: str) -> ApiToken | None:
    """The user's own API token given in plain (the one the request came with)."""
    return ApiToken.objects.filter(digest=ApiToken.digest_of(plain), user=user).first()
