"""The task book's to-do kinds (fpa.core.todo): for the responsible side, overdue tasks and
督办单 waiting for an answer; for the setting level, completions waiting for acceptance and
extension requests waiting for a decision."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.actors import Actor
from fpa.core.todo import TodoKind, shared
from fpa.tasks import selectors


def _count(key: str) -> Callable[[Actor], int]:
    """One of the four counts, read once per page for all four (`selectors.todo_counts`)."""

    def count(user: Actor) -> int:
        counts = shared(
            f"tasks.todo_counts:{user.pk}",
            lambda: selectors.todo_counts(user=as_user(user)),
        )
        return counts[key]

    return count


KINDS = (
    TodoKind(
        key="tasks.overdue",
        label=gettext_noop("已逾期的改革任务"),
        capability="task.report",
        count=_count("overdue"),
        url="tasks:list",
        query="?status=overdue",
        order=90,
        urgent=True,
    ),
    TodoKind(
        key="tasks.notices",
        label=gettext_noop("待答复的督办单"),
        capability="task.report",
        count=_count("notices"),
        url="tasks:list",
        order=91,
        urgent=True,
    ),
    TodoKind(
        key="tasks.acceptance",
        label=gettext_noop("待验收的改革任务"),
        capability="task.manage",
        count=_count("acceptance"),
        url="tasks:list",
        order=92,
    ),
    TodoKind(
        key="tasks.extensions",
        label=gettext_noop("待审批的延期申请"),
        capability="task.manage",
        count=_count("extensions"),
        url="tasks:list",
        order=93,
    ),
)
