"""The task book's to-do kinds (fpa.core.todo): for the responsible side, overdue tasks and
督办单 waiting for an answer; for the setting level, completions waiting for acceptance and
extension requests waiting for a decision."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.todo import TodoKind
from fpa.tasks import selectors

KINDS = (
    TodoKind(
        key="tasks.overdue",
        label=gettext_noop("已逾期的改革任务"),
        capability="task.report",
        count=lambda user: selectors.overdue_mine(user=as_user(user)).count(),
        url="tasks:list",
        query="?status=overdue",
        order=90,
        urgent=True,
    ),
    TodoKind(
        key="tasks.notices",
        label=gettext_noop("待答复的督办单"),
        capability="task.report",
        count=lambda user: selectors.notices_unanswered(user=as_user(user)).count(),
        url="tasks:list",
        order=91,
        urgent=True,
    ),
    TodoKind(
        key="tasks.acceptance",
        label=gettext_noop("待验收的改革任务"),
        capability="task.manage",
        count=lambda user: selectors.awaiting_acceptance(user=as_user(user)).count(),
        url="tasks:list",
        order=92,
    ),
    TodoKind(
        key="tasks.extensions",
        label=gettext_noop("待审批的延期申请"),
        capability="task.manage",
        count=lambda user: selectors.extensions_waiting(user=as_user(user)).count(),
        url="tasks:list",
        order=93,
    ),
)
