"""The activities' to-do kinds (fpa.core.todo): planned activities below the user that wait for
its approval, and activities that have started but are not yet marked held."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.activities import selectors
from fpa.core.todo import TodoKind

KINDS = (
    TodoKind(
        key="activities.approval",
        label=gettext_noop("待审批的下级活动"),
        capability="activity.approve",
        count=lambda user: selectors.pending_approval(user=as_user(user)).count(),
        url="activities:list",
        query="?todo=approval",
        order=80,
    ),
    TodoKind(
        key="activities.to_hold",
        label=gettext_noop("已开始、待登记开展情况的活动"),
        capability="activity.edit",
        count=lambda user: selectors.to_hold(user=as_user(user)).count(),
        url="activities:list",
        query="?todo=hold",
        order=81,
    ),
)
