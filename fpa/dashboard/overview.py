"""The overview of an association (驾驶舱): the figures that matter from every module, for its
subtree, each read from the selector behind that module's own page (the same number the module
shows) and each with the address of the records behind it.

`overview_for` builds the page and the API's answer; `headline_for` builds the county home
page's block from the same functions. A figure is left out when the user lacks the capability
of the module's page (an auditor sees the fund and the activities, not the families). Figures
that the to-do centre also reads are read through `fpa.core.todo.shared`, so a page that shows
both reads them once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from fpa.accounts.models import User
from fpa.activities import selectors as activity_selectors
from fpa.core.errors import ServiceError
from fpa.core.links import link
from fpa.core.review import Status as ReviewStatus
from fpa.core.todo import Todo, shared, todos_for
from fpa.core.typing_aids import Text
from fpa.families import selectors as family_selectors
from fpa.fund import selectors as fund_selectors
from fpa.leftbehind import selectors as leftbehind_selectors
from fpa.members import selectors as member_selectors
from fpa.migrants import selectors as migrant_selectors
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.reports import selectors as report_selectors
from fpa.reports.kinds import MONTHLY_SPECIAL
from fpa.rights import selectors as rights_selectors
from fpa.volunteers import selectors as volunteer_selectors

# The levels an overview is shown for (the area picker's options).
AREA_KINDS = (
    Association.Kind.PROVINCE,
    Association.Kind.PREFECTURE,
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
)
# The county home page's block: the figures a county steers by (the same as on the overview).
HEADLINE = ("families", "contacts_share", "schedule_share", "open_needs", "fund_balance")

# Sections of the page, in order, with their headings.
SECTIONS: dict[str, Text] = {
    "families": gettext_lazy("计生特殊家庭"),
    "people": gettext_lazy("会员与志愿者"),
    "fund": gettext_lazy("生育关怀基金"),
    "activities": gettext_lazy("活动"),
    "groups": gettext_lazy("流动人口、三留守与权益维护"),
    "reports": gettext_lazy("上报"),
}


@dataclass
class Figure:
    """One number of the overview, with the module page listing the records behind it."""

    key: str
    section: str
    label: str
    value: int | Decimal | float | None
    url: str
    unit: str = ""  # "%", "元" or "小时"; "" for a count
    urgent: bool = False  # something late: shown in red when not zero


@dataclass
class Disclosure:
    """A grant in its public notice now (公示): what the public page shows of it."""

    number: str
    category: str
    notice_until: datetime.date | None
    url: str


@dataclass
class ChildRow:
    """One association directly below: its figures and the overview of it."""

    code: str
    name: str
    url: str
    families: int | None = None
    contacts_share: float | None = None
    overdue: int | None = None
    activities: int | None = None


@dataclass
class Overview:
    area: Association
    year: int
    figures: list[Figure] = field(default_factory=list)
    disclosures: list[Disclosure] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)

    def section(self, name: str) -> list[Figure]:
        return [f for f in self.figures if f.section == name]

    def get(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


def _url(name: str, **query: Any) -> str:
    params = {k: v for k, v in query.items() if v not in ("", None)}
    return f"{link(name)}?{urlencode(params)}" if params else link(name)


# --- the figures of each module ---------------------------------------------------------------


def _coverage(
    user: User, area: Association
) -> tuple[family_selectors.Coverage, list[family_selectors.Coverage]]:
    """The coverage page's figures of `area` and its children (one grouped query). The home
    association's total is the one the to-do centre's "未按计划联系走访" count reads
    (`fpa.families.todos.area_coverage`): it is handed over so that it is not read twice."""
    total, children = shared(
        f"overview.coverage:{area.pk}",
        lambda: family_selectors.coverage(user=user, root=area),
    )
    home = user.home_association
    if home is not None and home.pk == area.pk:
        shared(f"families.coverage:{area.pk}", lambda: total)
    return total, children


def _families(user: User, area: Association, year: int) -> list[Figure]:
    total, _children = _coverage(user, area)
    code, section = area.code, "families"
    listing = "families:list"
    return [
        Figure(
            "families", section, gettext("在册特殊家庭"), total.families, _url(listing, code=code)
        ),
        Figure(
            "contacts_share",
            section,
            gettext("联系人全覆盖"),
            total.contacts_share,
            _url("families:coverage", code=code),
            unit="%",
        ),
        Figure(
            "schedule_share",
            section,
            gettext("按计划联系走访"),
            total.schedule_share,
            _url("families:coverage", code=code),
            unit="%",
        ),
        Figure(
            "overdue",
            section,
            gettext("未按计划联系走访的家庭"),
            total.families - total.on_schedule,
            _url(listing, code=code, measure="on_schedule", has=0),
            urgent=True,
        ),
        Figure(
            "open_needs",
            section,
            gettext("有未办结诉求的家庭"),
            total.open_needs,
            _url(listing, code=code, measure="open_needs", has=1),
            urgent=True,
        ),
        Figure(
            "insured",
            section,
            gettext("计生保险在保家庭"),
            total.insured,
            _url(listing, code=code, measure="insured", has=1),
        ),
    ]


def _members(user: User, area: Association, year: int) -> list[Figure]:
    counts = member_selectors.counts(user=user, association=area)
    # counts() reads the volunteers too: the volunteers' figure below takes it from there.
    shared(f"overview.volunteers:{area.pk}", lambda: counts.volunteers)
    return [
        Figure(
            "members",
            "people",
            gettext("在册会员"),
            counts.figures.get("total", 0),
            _url("members:list", code=area.code),
        )
    ]


def _volunteers(user: User, area: Association, year: int) -> list[Figure]:
    count = shared(
        f"overview.volunteers:{area.pk}",
        lambda: member_selectors.volunteer_count(user=user, association=area),
    )
    hours = volunteer_selectors.confirmed_hours_under(user=user, association=area, year=year)
    listing = _url("volunteers:list", code=area.code, status="active")
    return [
        Figure("volunteers", "people", gettext("在册志愿者"), count, listing),
        Figure(
            "volunteer_hours",
            "people",
            gettext("当年确认的志愿服务时长"),
            hours,
            _url("volunteers:list", code=area.code),
            unit=gettext("小时"),
        ),
    ]


def _fund_of(area: Association) -> Any:
    try:
        return fund_selectors.fund_of(area)
    except ServiceError:  # no fund over this association yet
        return None


def _fund_balance(user: User, area: Association, year: int) -> list[Figure]:
    fund = shared(f"overview.fund:{area.pk}", lambda: _fund_of(area))
    if fund is None:
        return []
    balance = fund_selectors.available(fund)
    label = gettext("关怀基金可用余额")
    unit = gettext("元")
    return [Figure("fund_balance", "fund", label, balance, link("fund:home"), unit=unit)]


def _fund_notices(user: User, area: Association, year: int) -> list[Figure]:
    fund = shared(f"overview.fund:{area.pk}", lambda: _fund_of(area))
    if fund is None:
        return []
    notices = shared(f"overview.notices:{fund.pk}", lambda: fund_selectors.public_notices(fund))
    url = _url_args("fund:public_grants", fund.code)
    return [Figure("fund_notices", "fund", gettext("正在公示的资助"), len(notices), url)]


def _url_args(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _activities(user: User, area: Association, year: int) -> list[Figure]:
    line = activity_selectors.figures(user=user, association=area, year=year)

    def records(figure: str) -> str:
        return _url("activities:figure_records", code=area.code, year=year, figure=figure)

    return [
        Figure(
            "activities",
            "activities",
            gettext("当年开展的活动"),
            line.get("activities"),
            records("activities"),
        ),
        Figure(
            "activity_people",
            "activities",
            gettext("当年活动服务人次"),
            line.get("people"),
            records("people"),
        ),
    ]


def _migrants(user: User, area: Association, year: int) -> list[Figure]:
    counts = migrant_selectors.migrant_counts(user=user, root=area)
    return [
        Figure(
            "migrants",
            "groups",
            gettext("在册流动人口"),
            counts.total.total,
            _url("migrants:list", code=area.code),
        )
    ]


def _leftbehind(user: User, area: Association, year: int) -> list[Figure]:
    rows = leftbehind_selectors.counts_per_association(user=user, root=area)
    return [
        Figure(
            "leftbehind",
            "groups",
            gettext("在册三留守人员"),
            sum(r.total for r in rows),
            _url("leftbehind:list", code=area.code),
        )
    ]


def _rights(user: User, area: Association, year: int) -> list[Figure]:
    period = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    found = rights_selectors.case_figures(user=user, root=area, first=period[0], last=period[1])
    return [
        Figure(
            "rights_open",
            "groups",
            gettext("未办结的权益维护诉求"),
            found.total.open_now,
            _url("rights:list", code=area.code, status="open"),
        ),
        Figure(
            "rights_overdue",
            "groups",
            gettext("逾期未办结的权益维护诉求"),
            found.total.overdue_now,
            _url("rights:list", code=area.code, overdue=1),
            urgent=True,
        ),
    ]


def _reports(user: User, area: Association, year: int) -> list[Figure]:
    """The 下级上报 of the special-family monthly report's last complete month: subordinates
    late, and reports waiting for this level's review (the 下级上报 page's own rows)."""
    kind = MONTHLY_SPECIAL
    period = report_selectors.period_of(kind, None)
    rows = report_selectors.subordinates(user=user, association=area, kind=kind, period=period)
    if not rows:
        return []
    url = _url("reports:below", kind=kind.key, period=period.key, code=area.code)
    of = {"kind": gettext(kind.label), "period": period.key}
    return [
        Figure(
            "reports_late",
            "reports",
            gettext("%(kind)s %(period)s：逾期未上报的下级") % of,
            sum(1 for r in rows if r.late),
            url,
            urgent=True,
        ),
        Figure(
            "reports_waiting",
            "reports",
            gettext("%(kind)s %(period)s：待审核的下级上报") % of,
            sum(1 for r in rows if r.status == ReviewStatus.SUBMITTED),
            url,
        ),
    ]


# Each module's figures and the capability of the pages they click through to.
READERS: tuple[tuple[str, Callable[[User, Association, int], list[Figure]]], ...] = (
    ("family.view", _families),
    ("member.view", _members),
    ("volunteer.view", _volunteers),
    ("fund.view", _fund_balance),
    ("fund.view", _fund_notices),
    ("activity.view", _activities),
    ("migrant.view", _migrants),
    ("leftbehind.view", _leftbehind),
    ("rights.view", _rights),
    ("report.view", _reports),
)


def figures_for(*, user: User, area: Association, year: int) -> list[Figure]:
    """Every figure of `area`'s subtree the user may follow to its records."""
    found: list[Figure] = []
    for capability, read in READERS:
        if user.has_capability(capability):
            found.extend(read(user, area, year))
    return found


def _disclosures(user: User, area: Association) -> list[Disclosure]:
    if not user.has_capability("fund.view"):
        return []
    fund = shared(f"overview.fund:{area.pk}", lambda: _fund_of(area))
    if fund is None:
        return []
    notices = shared(f"overview.notices:{fund.pk}", lambda: fund_selectors.public_notices(fund))
    return [
        Disclosure(
            number=grant.number,
            category=grant.category.name,
            notice_until=grant.notice_until,
            url=_url_args("fund:public_grant", fund.code, grant.number),
        )
        for grant in notices[:5]
    ]


def _children(user: User, area: Association, year: int) -> list[ChildRow]:
    """Each current child of `area` with its coverage, overdue and activities figures: the
    same grouped queries as the coverage and activities figures pages."""
    rows: dict[int, ChildRow] = {}

    def row(child: Association) -> ChildRow:
        if child.pk not in rows:
            rows[child.pk] = ChildRow(
                code=child.code,
                name=child.name,
                url=_url("dashboard:overview", code=child.code, year=year),
            )
        return rows[child.pk]

    if user.has_capability("family.view"):
        for line in _coverage(user, area)[1]:
            found = row(line.association)
            found.families = line.families
            found.contacts_share = line.contacts_share
            found.overdue = line.families - line.on_schedule
    if user.has_capability("activity.view"):
        lines = activity_selectors.figures_by_child(user=user, association=area, year=year)
        for figures in lines:
            if figures.association.pk != area.pk:  # the own line is not a child
                row(figures.association).activities = figures.get("activities")
    return sorted(rows.values(), key=lambda r: r.code)


def overview_for(*, user: User, area: Association, year: int) -> Overview:
    """The overview of `area` (inside the user's scope: the caller checks) for `year`."""
    return Overview(
        area=area,
        year=year,
        figures=figures_for(user=user, area=area, year=year),
        disclosures=_disclosures(user, area),
        children=_children(user, area, year),
        todos=todos_for(user),
    )


def headline_for(user: User) -> list[Figure]:
    """The county home page's block: some of the overview's figures of the user's home."""
    home = user.home_association
    if home is None:
        return []
    year = timezone.localdate().year
    found: list[Figure] = []
    for capability, read in READERS:
        if read in (_families, _fund_balance) and user.has_capability(capability):
            found.extend(f for f in read(user, home, year) if f.key in HEADLINE)
    return found


def chart_data(overview: Overview) -> dict[str, Any]:
    """The per-child bars (coverage, overdue, activities) and where each bar leads."""
    rows, year = overview.children, overview.year
    labels = [r.name.removesuffix("计生协") for r in rows]
    charts: list[dict[str, Any]] = []
    if any(r.families is not None for r in rows):
        charts.append(
            {
                "key": "coverage",
                "name": gettext("联系人覆盖率"),
                "unit": "%",
                "data": [r.contacts_share for r in rows],
                "links": [_url("families:coverage", code=r.code) for r in rows],
            }
        )
        charts.append(
            {
                "key": "overdue",
                "name": gettext("未按计划联系走访的家庭"),
                "unit": "",
                "data": [r.overdue for r in rows],
                "links": [
                    _url("families:list", code=r.code, measure="on_schedule", has=0) for r in rows
                ],
            }
        )
    if any(r.activities is not None for r in rows):
        charts.append(
            {
                "key": "activities",
                "name": gettext("当年开展的活动"),
                "unit": "",
                "data": [r.activities for r in rows],
                "links": [
                    _url("activities:figure_records", code=r.code, year=year, figure="activities")
                    for r in rows
                ],
            }
        )
    return {"labels": labels, "charts": charts}


def area_in_scope(user: User, code: str) -> Association | None:
    """The current association `code` inside the user's scope, of a level the page shows."""
    return org_selectors.association_choices(user=user, kinds=AREA_KINDS).filter(code=code).first()
