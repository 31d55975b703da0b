"""The overview figures (驾驶舱) over /api/v1/overview: the same figures as the page, each with
the address of the page listing the records behind it.

Who may call: staff holding `overview.view` (county, township and village staff, the auditor);
each figure only when the caller holds the capability of the module's page, as on the page.
Every other signed-in role is refused (403). `code` names an association inside the caller's
scope (404 otherwise; the caller's own association when empty). No personal data: counts,
shares and amounts only. Errors are the platform's JSON errors (`fpa.core.api_errors.ERRORS`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core.api_errors import with_errors
from fpa.core.errors import ServiceError
from fpa.core.todo import one_reading
from fpa.core.years import FIRST_YEAR, parse_year
from fpa.dashboard import overview

router = Router(tags=["overview"], auth=[BearerToken("overview.view"), Session("overview.view")])


class OverviewIn(Schema):
    code: str = Field("", max_length=32, description="协会编码；空为本人所属协会")
    year: int | None = Field(None, ge=FIRST_YEAR, le=9999, description="年份；空为今年")


class OverviewFigureOut(Schema):
    key: str
    section: str
    label: str
    value: int | Decimal | float | None
    unit: str
    url: str = Field(description="列出该数字背后记录的页面")


class DisclosureOut(Schema):
    number: str
    category: str
    notice_until: datetime.date | None
    url: str


class ChildOut(Schema):
    code: str
    name: str
    families: int | None
    contacts_share: float | None
    overdue: int | None
    activities: int | None
    url: str


class TodoOut(Schema):
    key: str
    label: str
    count: int
    url: str


class OverviewOut(Schema):
    code: str
    name: str
    kind: str
    year: int
    figures: list[OverviewFigureOut]
    disclosures: list[DisclosureOut]
    children: list[ChildOut]
    todos: list[TodoOut]


@router.get("/overview", response=with_errors(OverviewOut))
def overview_read(request: HttpRequest, params: Query[OverviewIn]) -> dict[str, object]:
    user = signed_in_user(request)
    today = timezone.localdate()
    code = params.code.strip()
    area = overview.area_in_scope(user, code) if code else user.home_association
    if area is None:
        raise Http404
    year, error = parse_year(str(params.year or ""), today.year)
    if error:
        raise ServiceError(error, field="year")
    with one_reading():
        found = overview.overview_for(user=user, area=area, year=year)
    return {
        "code": area.code,
        "name": area.name,
        "kind": area.kind,
        "year": year,
        "figures": [vars(f) for f in found.figures],
        "disclosures": [vars(d) for d in found.disclosures],
        "children": [vars(c) for c in found.children],
        "todos": [
            {"key": t.key, "label": t.label, "count": t.count, "url": t.url} for t in found.todos
        ],
    }
