"""The member figures the reports up the chain derive (`fpa.reports.fields`): active members of
the association's subtree as they stand (the member tallies, `selectors.counts`, read once per
report), and active volunteers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext_noop

from fpa.core.links import link
from fpa.core.todo import shared
from fpa.members import selectors
from fpa.members.models import Member
from fpa.organizations.models import Association
from fpa.reports.fields import Derive, Figure, Period, ReportField

PEOPLE = gettext_noop("人")


def _counts(user: Any, area: Association) -> selectors.Counts:
    return shared(
        f"members.counts:{user.pk}:{area.pk}",
        lambda: selectors.counts(user=user, association=area),
    )


def _figure(name: str) -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        counts = _counts(user, area)
        value = counts.volunteers if name == "volunteers" else counts.figures.get(name, 0)
        if name == "total":
            url = f"{link('members:list')}?{urlencode({'code': area.code})}"
        elif name in Member.Kind.values:
            url = f"{link('members:list')}?{urlencode({'code': area.code, 'kind': name})}"
        else:
            url = f"{link('members:counts')}?{urlencode({'code': area.code})}"

        def ids() -> list[int]:
            rows = selectors.members_behind(user=user, association=area, figure=name)
            return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])

        return Figure(
            value=value,
            url=url,
            records=ids,
            model="volunteers.volunteer" if name == "volunteers" else "members.member",
        )

    return derive


FIELDS = [
    ReportField("members.total", gettext_noop("会员总数"), PEOPLE, _figure("total")),
    ReportField("members.male", gettext_noop("其中：男性"), PEOPLE, _figure("male")),
    ReportField("members.individual", gettext_noop("个人会员"), PEOPLE, _figure("individual")),
    ReportField("members.group", gettext_noop("团体会员"), PEOPLE, _figure("group")),
    ReportField("members.migrant", gettext_noop("流动人口会员"), PEOPLE, _figure("migrant")),
    ReportField("members.resident", gettext_noop("常住会员"), PEOPLE, _figure("resident")),
    ReportField("volunteers.active", gettext_noop("志愿者"), PEOPLE, _figure("volunteers")),
]
