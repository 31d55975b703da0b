"""The healthy-family to-do kinds (fpa.core.todo): nominations waiting for the township's review,
and recommended families waiting for the county's decision."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.todo import TodoKind
from fpa.healthyfamilies import selectors

KINDS = (
    TodoKind(
        key="healthyfamilies.review",
        label=gettext_noop("待乡镇审核的健康家庭提名"),
        capability="activity.approve",
        count=lambda user: selectors.awaiting_review(user=as_user(user)).count(),
        url="healthyfamilies:list",
        query="?year=&status=nominated",
        order=70,
    ),
    TodoKind(
        key="healthyfamilies.award",
        label=gettext_noop("待县级命名的健康家庭"),
        capability="activity.approve",
        count=lambda user: selectors.awaiting_award(user=as_user(user)).count(),
        url="healthyfamilies:list",
        query="?year=&status=recommended",
        order=71,
    ),
)
