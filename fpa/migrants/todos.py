"""The migrant module's to-do kinds (fpa.core.todo): migrants still in the register after their
expected departure date, for the staff of their association's subtree; transfers waiting for
the user's association; and the needs the user owns near or past their deadline (the same rule
as the special families' and 三留守 needs)."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core import transfers as transfer_engine
from fpa.core.actors import Actor
from fpa.core.links import link_to
from fpa.core.todo import Notice, TodoKind
from fpa.migrants import selectors
from fpa.migrants.services.transfers import MIGRANTS


def _needs(user: Actor) -> list[Notice]:
    return [
        Notice(
            title=need.description[:40],
            reason=gettext("办结期限：%(date)s")
            % {"date": formats.date_format(need.due_date) if need.due_date else ""},
            url=link_to("migrants:detail", need.migrant_id),
        )
        for need in selectors.needs_due(user=as_user(user))[:5]
    ]


KINDS = (
    TodoKind(
        key="migrants.departure_passed",
        label=gettext_noop("预计离开日期已过的流动人口"),
        capability="migrant.edit",
        count=lambda user: selectors.departure_passed(user=as_user(user)).count(),
        url="migrants:list",
        query="?departure=passed",
        order=75,
    ),
    TodoKind(
        key="migrants.transfers_incoming",
        label=gettext_noop("待本协会接收的流动人口移交"),
        capability="migrant.edit",
        count=lambda user: transfer_engine.incoming_count(MIGRANTS, user=user),
        url="migrants:transfers",
        order=74,
    ),
    TodoKind(
        key="migrants.needs_due",
        label=gettext_noop("临近或超过办结期限的流动人口诉求"),
        capability="migrant.edit",
        count=lambda user: selectors.needs_due(user=as_user(user)).count(),
        url="migrants:list",
        order=76,
        notices=_needs,
    ),
)
