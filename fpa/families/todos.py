"""The special families' to-do kinds (fpa.core.todo): my families overdue for contact, the
families of my area overdue for a visit, needs near or past their deadline, families other
associations offer to mine (跨协会移交) waiting for an answer."""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.models import User
from fpa.accounts.requests import as_user
from fpa.core import transfers as transfer_engine
from fpa.core.actors import Actor
from fpa.core.links import link_to
from fpa.core.todo import Notice, TodoKind, shared
from fpa.families import selectors
from fpa.families.services.transfers import FAMILIES


def my_families(user: User) -> list[selectors.Due]:
    """The user's own families with what is due, read once per page (the to-do count below and
    the home page's "我的联系家庭" share it)."""
    return shared("families.my_due", lambda: selectors.my_due(user=user))


def _mine_overdue(user: Actor) -> int:
    return sum(1 for due in my_families(as_user(user)) if due.overdue)


def area_coverage(user: User) -> selectors.Coverage | None:
    """The coverage figures of the user's own association (one grouped query), read once per
    page: the overdue count below and the county home page's headline figures share it."""
    home = user.home_association
    if home is None:
        return None
    return shared(
        f"families.coverage:{home.pk}", lambda: selectors.coverage(user=user, root=home)[0]
    )


def _area_overdue(user: Actor) -> int:
    """The families of the user's area behind their contact schedule: the number that the
    coverage page's "按计划联系走访" column and its click-through show."""
    total = area_coverage(as_user(user))
    return total.families - total.on_schedule if total is not None else 0


def _day(value: datetime.date | None) -> str:
    return formats.date_format(value) if value is not None else ""


def _needs(user: Actor) -> list[Notice]:
    return [
        Notice(
            title=need.description[:40],
            reason=gettext("办结期限：%(date)s") % {"date": _day(need.due_date)},
            url=link_to("families:detail", need.family_id),
        )
        for need in selectors.needs_due(user=as_user(user))[:5]
    ]


KINDS = (
    TodoKind(
        key="families.mine_overdue",
        label=gettext_noop("联系超期的我的联系家庭"),
        capability="account.self",
        count=_mine_overdue,
        url="families:mine",
        order=10,
        urgent=True,
    ),
    TodoKind(
        key="families.needs_due",
        label=gettext_noop("临近或超过办结期限的诉求"),
        capability="account.self",
        count=lambda user: selectors.needs_due(user=as_user(user)).count(),
        url="families:mine",
        order=11,
        urgent=True,
        notices=_needs,
    ),
    TodoKind(
        key="families.area_overdue",
        label=gettext_noop("未按计划联系走访的家庭"),
        capability="family.edit",
        count=_area_overdue,
        url="families:list",
        query="?measure=on_schedule&has=0",
        order=12,
    ),
    TodoKind(
        key="families.transfers_incoming",
        label=gettext_noop("待本协会接收的家庭移交"),
        capability="family.edit",
        count=lambda user: transfer_engine.incoming_count(FAMILIES, user=user),
        url="families:transfers",
        order=13,
    ),
)
