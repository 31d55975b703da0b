"""The kinds of message a user may receive, and what each defaults to.

Two families of kinds: events published by the modules (`fpa.core.events`: a report returned, a
filing returned, a grant waiting at a step, a background job finished), which come one by one
unless the user chose the digest; and the to-do centre's kinds (`fpa.core.todo`), whose counts
the daily sweep lists in one digest unless the user chose a single message for a kind. Their key
here is "todo." + the to-do kind's key.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from fpa.core.todo import todo_kinds

DIGEST = "notifications.digest"
TODO_PREFIX = "todo."

EVENT_KINDS: dict[str, str] = {
    "reports.submitted": gettext_noop("下级报表已上报"),
    "reports.returned": gettext_noop("报表被退回"),
    "reports.accepted": gettext_noop("报表已审核通过"),
    "organizations.filing_returned": gettext_noop("备案被退回"),
    "fund.grant_waiting": gettext_noop("待您办理的资助申请"),
    "core.job_finished": gettext_noop("后台任务已结束"),
    # The reform task book (fpa.tasks): to the responsible side, then to the setting level.
    "tasks.assigned": gettext_noop("新的改革任务"),
    "tasks.reminder": gettext_noop("任务督促提醒"),
    "tasks.notice": gettext_noop("督办单待答复"),
    "tasks.returned": gettext_noop("任务被退回或重新打开"),
    "tasks.extension_decided": gettext_noop("延期申请的审批结果"),
    "tasks.completed": gettext_noop("任务已报完成"),
    "tasks.answered": gettext_noop("督办单已答复"),
    "tasks.extension_asked": gettext_noop("延期申请待审批"),
    DIGEST: gettext_noop("每日待办汇总"),
}


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # translated
    todo: bool  # a to-do kind: in the digest unless the user asks for single messages
    capability: str = ""


def label_of(kind: str) -> str:
    """The kind's name for the user (a kind nobody declared shows its key)."""
    if kind in EVENT_KINDS:
        return gettext(EVENT_KINDS[kind])
    if kind.startswith(TODO_PREFIX):
        for todo in todo_kinds():
            if todo.key == kind[len(TODO_PREFIX) :]:
                return gettext(todo.label)
    return kind


def all_kinds() -> list[Kind]:
    """Every kind a preference may name: the events, then the to-do kinds in their order."""
    events = [Kind(key, gettext(label), todo=False) for key, label in EVENT_KINDS.items()]
    todos = [
        Kind(TODO_PREFIX + todo.key, gettext(todo.label), todo=True, capability=todo.capability)
        for todo in todo_kinds()
    ]
    return events + todos


def kinds_for(user: object) -> list[Kind]:
    """The kinds that can reach `user`: every event kind, and the to-do kinds of the
    capabilities the user holds."""
    has = getattr(user, "has_capability", None)
    return [k for k in all_kinds() if not k.capability or (has is not None and has(k.capability))]


def default_digest(kind: str) -> bool:
    """A to-do kind waits for the digest; an event comes at once."""
    return kind.startswith(TODO_PREFIX)
