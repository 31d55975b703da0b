"""The reports' to-do kinds (fpa.core.todo): reports to submit (due within 3 days, or late:
urgent), reports of the associations below waiting for review, and a returned report's reason as
a notice on the submitter's home page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.actors import Actor
from fpa.core.todo import Notice, TodoKind, shared
from fpa.reports import selectors


def _due(user: Actor, late: bool) -> int:
    rows = shared(f"reports.to_submit:{user.pk}", lambda: selectors.to_submit(user=as_user(user)))
    return sum(1 for row in rows if row[3] == late)


def _returned(user: Actor) -> list[Notice]:
    return [
        Notice(
            title=gettext("%(kind)s（%(period)s）被退回")
            % {"kind": selectors.kind_label(report.kind), "period": report.period},
            reason=report.reason,
            url=reverse("reports:detail", args=[report.pk]),
        )
        for report in selectors.returned_to(user=as_user(user))
    ]


KINDS = (
    TodoKind(
        key="reports.late",
        label=gettext_noop("逾期未上报的报表"),
        capability="report.submit",
        count=lambda user: _due(user, True),
        url="reports:own",
        order=30,
        urgent=True,
    ),
    TodoKind(
        key="reports.due",
        label=gettext_noop("3天内到期的报表"),
        capability="report.submit",
        count=lambda user: _due(user, False),
        url="reports:own",
        order=31,
    ),
    TodoKind(
        key="reports.to_review",
        label=gettext_noop("待审核的下级上报"),
        capability="report.review",
        count=lambda user: selectors.to_review(user=as_user(user)).count(),
        url="reports:below",
        order=32,
    ),
    TodoKind(
        key="reports.returned",
        label=gettext_noop("被退回的报表"),
        capability="report.submit",
        count=lambda user: 0,  # shown as notices, each with its reason
        url="reports:own",
        order=33,
        notices=_returned,
    ),
)
