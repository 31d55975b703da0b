"""The signed-in account of a request, typed as the app's `User`.

Views behind `scoped_view` (and the API behind its token or session auth) only ever see a
signed-in user, but Django types `request.user` as `User | AnonymousUser`; `signed_in_user`
narrows it once, and refuses (403) if a view were ever reached without an account.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from fpa.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
