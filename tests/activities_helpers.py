"""Sites, activities and campaigns made through the real services, for the activities tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.activities import services
from fpa.activities.models import Activity, Category, Site, SiteKind, Theme
from fpa.organizations.models import Association


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def site(actor: Any, code: str, *, kind: str = "member_home", **data: Any) -> Site:
    values: dict[str, Any] = {
        "name": "会员之家",
        "address": "刘家峡镇",
        "status": Site.Status.OPEN,
        "opened_on": datetime.date(2024, 5, 29),
    }
    values.update(data)
    return services.site_create(
        actor=actor, association=assoc(code), kind=SiteKind.objects.get(code=kind), **values
    )


def when(days: float = -1, hours: float = 2) -> tuple[datetime.datetime, datetime.datetime]:
    """(start, end) `days` from now (negative: in the past), lasting `hours`."""
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    return start, start + datetime.timedelta(hours=hours)


def plan(
    actor: Any,
    code: str,
    *,
    category: str = "publicity",
    theme: str | None = "may29",
    days: float = -1,
    **data: Any,
) -> Activity:
    starts_at, ends_at = when(days)
    values: dict[str, Any] = {
        "title": "5·29会员活动日宣传",
        "theme": Theme.objects.get(code=theme) if theme else None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": "村委会广场",
    }
    values.update(data)
    return services.activity_plan(
        actor=actor,
        association=assoc(code),
        category=Category.objects.get(code=category),
        **values,
    )


def held(actor: Any, code: str, *, members: int = 10, youth: int = 5, **data: Any) -> Activity:
    activity = plan(actor, code, **data)
    return services.activity_hold(
        actor=actor, activity=activity, members=members, youth=youth, materials=100
    )
