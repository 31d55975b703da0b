"""Pure rules of the reform task book (任务书, plan measures 19 and 21), no ORM: a task's status
computed from its dates and its stage, the limits of its fields, and the in-platform links
given as evidence.

Status is never stored: it follows from today, the start date, the deadline, whether progress
was reported, and the workflow stage (open, completed and waiting for acceptance, accepted).
`fpa.tasks.models.TaskQuerySet.with_status` spells the same rule in SQL for filtering and
counting; tests hold the two together.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.utils.translation import gettext, gettext_noop

DUE_SOON_DAYS = 7  # "due within 7 days": the deadline is today or at most 7 days ahead
FIRST_YEAR = 2023  # the reform plan's year
TITLE_MAX = 200
TEXT_MIN = 2
TEXT_MAX = 2000
NOTE_MAX = 500
UNIT_MAX = 200
LINKS_MAX = 10
LINK_MAX = 300
FILES_MAX = 5  # evidence files per progress report or answer

# Workflow stages (stored) and statuses (computed), as the models spell them.
OPEN, COMPLETED, ACCEPTED = "open", "completed", "accepted"
NOT_STARTED, ON_TRACK, DUE_SOON, OVERDUE, DONE = (
    "not_started",
    "on_track",
    "due_soon",
    "overdue",
    "done",
)
STATUS_LABELS = {
    NOT_STARTED: gettext_noop("未开始"),
    ON_TRACK: gettext_noop("正常推进"),
    DUE_SOON: gettext_noop("7天内到期"),
    OVERDUE: gettext_noop("已逾期"),
    DONE: gettext_noop("已完成"),
}
# The roadmap's bar colours per status (also the list's badge classes).
STATUS_COLOURS = {
    NOT_STARTED: "#6c757d",
    ON_TRACK: "#0d6efd",
    DUE_SOON: "#fd7e14",
    OVERDUE: "#dc3545",
    DONE: "#198754",
}
STATUS_BADGES = {
    NOT_STARTED: "secondary",
    ON_TRACK: "primary",
    DUE_SOON: "warning",
    OVERDUE: "danger",
    DONE: "success",
}


def status(
    *,
    stage: str,
    start_on: datetime.date,
    deadline: datetime.date,
    today: datetime.date,
    reported: bool,
    completed_on: datetime.date | None = None,
) -> str:
    """The task's status on `today`.

    - accepted by the level that set it: done;
    - marked complete and waiting for acceptance: the clock stopped on the day it was marked
      (overdue if that day was after the deadline, else on track), so a slow acceptance does not
      make the responsible side late;
    - after the deadline: overdue; the deadline today or within 7 days: due within 7 days;
    - before the start date or with no progress reported yet: not started; else on track.
    """
    if stage == ACCEPTED:
        return DONE
    if stage == COMPLETED:
        return OVERDUE if completed_on is not None and completed_on > deadline else ON_TRACK
    if today > deadline:
        return OVERDUE
    if (deadline - today).days <= DUE_SOON_DAYS:
        return DUE_SOON
    if today < start_on or not reported:
        return NOT_STARTED
    return ON_TRACK


def status_label(code: str) -> str:
    return gettext(STATUS_LABELS.get(code, code))


def dates_problem(start_on: datetime.date | None, deadline: datetime.date | None) -> str | None:
    """Why a task's start date and deadline do not go together, or None."""
    if start_on is None:
        return gettext("请填写开始日期。")
    if deadline is None:
        return gettext("请填写完成时限。")
    if start_on.year < FIRST_YEAR:
        return gettext("开始日期不能早于%(year)s年。") % {"year": FIRST_YEAR}
    if deadline < start_on:
        return gettext("完成时限不能早于开始日期。")
    return None


def done_on_time(
    *, accepted: bool, completed_on: datetime.date | None, deadline: datetime.date
) -> bool:
    """Whether a task counts as done by its deadline (the assessment's figure): accepted, and
    marked complete on or before the deadline in force."""
    return accepted and completed_on is not None and completed_on <= deadline


def link_problem(url: str) -> str | None:
    """Why `url` is not an address of a page of this site (a path such as
    "/families/12/"), or None. No scheme, no host, no "//", nothing but a path and a query."""
    parts = urlsplit(url)
    if (
        not url.startswith("/")
        or url.startswith("//")
        or parts.scheme
        or parts.netloc
        or "\\" in url
        or any(ch.isspace() or not ch.isprintable() for ch in url)
    ):
        return gettext(
            "“%(url)s”不是本平台的页面地址：请填写以“/”开头的站内地址，如 /families/12/。"
        ) % {"url": url[:60]}
    if len(url) > LINK_MAX:
        return gettext("链接最多%(max)s个字符。") % {"max": LINK_MAX}
    return None


def split_links(raw: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """The links as given one per line (or as a list), blank lines dropped, duplicates once."""
    if raw is None:
        return []
    lines = raw.splitlines() if isinstance(raw, str) else list(raw)
    return list(dict.fromkeys(line.strip() for line in lines if line and line.strip()))


def list_years(today_year: int) -> list[int]:
    """The years the list may filter on, newest first (next year too: plans look ahead)."""
    return list(range(today_year + 1, FIRST_YEAR - 1, -1))
