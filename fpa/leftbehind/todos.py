"""The 三留守 to-do kinds (fpa.core.todo): the people I look after who are overdue for contact,
the records of my area behind their contact schedule (the supervisor's view), and needs near or
past their deadline. Both overdue counts read `selectors.overdue_people`, the list's filter."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.actors import Actor
from fpa.core.links import link_to
from fpa.core.todo import Notice, TodoKind
from fpa.leftbehind import selectors


def _needs(user: Actor) -> list[Notice]:
    return [
        Notice(
            title=need.description[:40],
            reason=gettext("办结期限：%(date)s")
            % {"date": formats.date_format(need.due_date) if need.due_date else ""},
            url=link_to("leftbehind:detail", need.person_id),
        )
        for need in selectors.needs_due(user=as_user(user))[:5]
    ]


KINDS = (
    TodoKind(
        key="leftbehind.mine_overdue",
        label=gettext_noop("联系超期的我联系的三留守人员"),
        capability="account.self",
        count=lambda user: selectors.my_overdue_count(user=as_user(user)),
        url="leftbehind:mine",
        order=80,
        urgent=True,
    ),
    TodoKind(
        key="leftbehind.area_overdue",
        label=gettext_noop("未按计划联系的三留守人员"),
        capability="leftbehind.edit",
        count=lambda user: selectors.area_overdue_count(user=as_user(user)),
        url="leftbehind:list",
        query="?overdue=1",
        order=81,
    ),
    TodoKind(
        key="leftbehind.needs_due",
        label=gettext_noop("临近或超过办结期限的三留守诉求"),
        capability="account.self",
        count=lambda user: selectors.needs_due(user=as_user(user)).count(),
        url="leftbehind:mine",
        order=82,
        notices=_needs,
    ),
)
