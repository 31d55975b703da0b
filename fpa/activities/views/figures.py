"""The figures of an area and a year (活动统计): per category, materials, media by outlet,
highlights, sites by kind, experts, 同伴社, people by group, per child association with a chart;
every number clicks through to the records behind it; the annual report's activity lines as a
workbook. Everything is read from the tallies (`selectors.figures`), never by scanning records."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from fpa.accounts.requests import signed_in_user
from fpa.activities import excel_report, selectors, tallies
from fpa.activities.models import PARTICIPANT_GROUPS, Activity, MediaReport
from fpa.core import links
from fpa.core.pagination import keyset_page
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import Text
from fpa.core.years import parse_year, year_choices
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

AREA_KINDS = (
    Association.Kind.PROVINCE,
    Association.Kind.PREFECTURE,
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
    Association.Kind.MIGRANT,
    Association.Kind.ENTERPRISE,
    Association.Kind.PARK,
    Association.Kind.CHAMBER,
    Association.Kind.PARTY_BRANCH,
    Association.Kind.CHAMBER_JOINT,
)
PAGE_SIZE = 50
# Every figure a page may click through to, with its name.
FIGURES: dict[str, Text] = {
    "activities": gettext_lazy("活动次数"),
    "people": gettext_lazy("服务人次"),
    "materials": gettext_lazy("发放资料（份）"),
    "highlights": gettext_lazy("亮点"),
    "consultations": gettext_lazy("咨询人次"),
    "checks": gettext_lazy("检查/筛查人次"),
    "referrals": gettext_lazy("转介人次"),
    "theme_activities": gettext_lazy("主题活动次数"),
    "theme_people": gettext_lazy("主题活动服务人次"),
    "setting_activities": gettext_lazy("按形式的活动次数"),
    "group_people": gettext_lazy("按人群的服务人次"),
    "media": gettext_lazy("媒体报道"),
    "sites": gettext_lazy("服务阵地"),
    "experts": gettext_lazy("专家和师资"),
    "peer_clubs": gettext_lazy("青春健康同伴社"),
    "peer_members": gettext_lazy("同伴社社员"),
}
# Stock figures kept under "" as their own total (an expert counts under "" and under each of
# their specialties): their total is the "" line, not the sum of every line.
OWN_TOTAL = ("experts", "peer_clubs", "peer_members")
CATEGORY_FIGURES = ("activities", "people", "materials", "highlights", *tallies.HEALTH)
RECORD_KINDS = {"sites": "sites", "experts": "experts", "peer_clubs": "clubs"}
RECORD_KINDS["peer_members"] = "clubs"
# The pages of each kind of record (built by the other areas of the module).
RECORD_PAGES = {
    "activities": "activities:detail",
    "sites": "activities:site",
    "experts": "activities:expert",
    "clubs": "activities:club",
}


@functools.lru_cache(maxsize=32)
def url_name(name: str) -> str:
    """`name` when a URL of that name taking one key exists, else "" (the record pages of the
    module's other areas; a list shows plain text rather than fail without them)."""
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return ""
    return name


def _area(request: HttpRequest) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope (default the user's home), and whether
    a code was given that is not in the scope."""
    user = signed_in_user(request)
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return user.home_association, False
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    return found, found is None


def _records_url(code: str, year: int, figure: str, dimension: str = "") -> str:
    query = {"code": code, "year": year, "figure": figure}
    if dimension:
        query["dimension"] = dimension
    return f"{links.link('activities:figure_records')}?{urlencode(query)}"


@dataclass
class Cell:
    value: int
    url: str  # the records behind it ("" for a 0: nothing to list)


class Reader:
    """The numbers of one subtree and year as cells that click through to their records."""

    def __init__(self, line: selectors.Figures, code: str, year: int) -> None:
        self.line, self.code, self.year = line, code, year

    def total(self, figure: str) -> int:
        if figure in OWN_TOTAL:
            return self.line.get(figure, "")
        return self.line.get(figure)

    def cell(self, figure: str, dimension: str | None = None) -> Cell:
        value = self.total(figure) if dimension is None else self.line.get(figure, dimension)
        url = _records_url(self.code, self.year, figure, dimension or "") if value else ""
        return Cell(value, url)


def _shown(rows: QuerySet[Any], line: selectors.Figures, figures: tuple[str, ...]) -> list[Any]:
    """The active entries of a list, and the retired ones that still have a number."""
    return [r for r in rows if r.active or any(line.get(f, r.code) for f in figures)]


# --- the page -----------------------------------------------------------------------------------


@scoped_view(capability="activity.view")
def figures(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    today = timezone.localdate()
    area, foreign = _area(request)
    year, error = parse_year(request.GET.get("year"), today.year)
    context: dict[str, Any] = {
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "error": error,
        "year": year,
        "years": year_choices(today.year, year),
    }
    if area is not None:
        context.update(_figures_context(user, area, year))
    return render(request, "activities/figures.html", context)


def _figures_context(user: Any, area: Association, year: int) -> dict[str, Any]:
    total = selectors.figures(user=user, association=area, year=year)
    read = Reader(total, area.code, year)
    categories = _shown(selectors.categories(include_retired=True), total, CATEGORY_FIGURES)
    kinds = _shown(selectors.site_kinds(include_retired=True), total, ("sites",))
    specialties = _shown(selectors.specialties(include_retired=True), total, ("experts",))
    themes = _shown(selectors.themes(include_retired=True), total, ("theme_activities",))
    lines = selectors.figures_by_child(user=user, association=area, year=year)
    return {
        "cards": [
            (label, read.cell(figure))
            for figure, label in (
                ("activities", FIGURES["activities"]),
                ("people", FIGURES["people"]),
                ("materials", FIGURES["materials"]),
                ("media", FIGURES["media"]),
                ("highlights", FIGURES["highlights"]),
                ("sites", FIGURES["sites"]),
                ("experts", FIGURES["experts"]),
                ("peer_clubs", FIGURES["peer_clubs"]),
            )
        ],
        "category_rows": [
            (c.name, [read.cell(f, c.code) for f in CATEGORY_FIGURES]) for c in categories
        ],
        "category_total": [read.cell(f) for f in CATEGORY_FIGURES],
        "media_rows": [(label, read.cell("media", v)) for v, label in MediaReport.Outlet.choices],
        "site_rows": [(k.name, read.cell("sites", k.code)) for k in kinds],
        "expert_rows": [(s.name, read.cell("experts", s.code)) for s in specialties],
        "group_rows": [(label, read.cell("group_people", g)) for g, label in PARTICIPANT_GROUPS],
        "theme_rows": [
            (t.name, read.cell("theme_activities", t.code), read.cell("theme_people", t.code))
            for t in themes
        ],
        "setting_rows": [
            (label, read.cell("setting_activities", v)) for v, label in Activity.Setting.choices
        ],
        "experts_total": read.cell("experts"),
        "clubs": read.cell("peer_clubs"),
        "club_members": read.cell("peer_members"),
        "children": [_child_row(line, area, year) for line in lines],
        "chart": _chart(lines, categories, area),
    }


CHILD_FIGURES = (
    "activities",
    "people",
    "materials",
    "media",
    "highlights",
    "sites",
    "experts",
    "peer_clubs",
)


def _child_row(line: selectors.Figures, area: Association, year: int) -> dict[str, Any]:
    child = line.association
    read = Reader(line, child.code, year)
    own = child.pk == area.pk
    if own:  # the area's own records: the same figures but only of the area itself
        return {"name": gettext("本级"), "own": True, "drill": "", "cells": _own_cells(read)}
    query = urlencode({"code": child.code, "year": year})
    return {
        "name": child.name,
        "own": False,
        "drill": f"{links.link('activities:figures')}?{query}",
        "cells": [read.cell(f) for f in CHILD_FIGURES],
    }


def _own_cells(read: Reader) -> list[Cell]:
    """The own line's numbers; its click-through would list the whole subtree (the records
    selectors read subtrees), so the own line's numbers are shown without a link."""
    return [Cell(read.total(f), "") for f in CHILD_FIGURES]


def _chart(lines: list[selectors.Figures], categories: list[Any], area: Association) -> Any:
    """Held activities per child association, stacked by category; a bar opens the child."""
    labels, links_ = [], []
    for line in lines:
        own = line.association.pk == area.pk
        labels.append(gettext("本级") if own else line.association.name.removesuffix("计生协"))
        query = urlencode({"code": line.association.code, "year": line.year})
        links_.append("" if own else f"{links.link('activities:figures')}?{query}")
    series = [
        {"name": c.name, "data": [line.get("activities", c.code) for line in lines]}
        for c in categories
        if any(line.get("activities", c.code) for line in lines)
    ]
    return {"labels": labels, "series": series, "links": links_, "stack": True}


# --- click-through ------------------------------------------------------------------------------


def _dimension_label(figure: str, dimension: str) -> str:
    if not dimension:
        return ""
    named: dict[str, Any]
    if figure in CATEGORY_FIGURES:
        named = {c.code: c.name for c in selectors.categories(include_retired=True)}
    elif figure in ("theme_activities", "theme_people"):
        named = {t.code: t.name for t in selectors.themes(include_retired=True)}
    elif figure == "sites":
        named = {k.code: k.name for k in selectors.site_kinds(include_retired=True)}
    elif figure == "experts":
        named = {s.code: s.name for s in selectors.specialties(include_retired=True)}
    elif figure == "media":
        named = dict(MediaReport.Outlet.choices)
    elif figure == "setting_activities":
        named = dict(Activity.Setting.choices)
    elif figure == "group_people":
        named = dict(PARTICIPANT_GROUPS)
    else:
        named = {}
    return str(named.get(dimension, dimension))


@scoped_view(capability="activity.view")
def figure_records(request: HttpRequest) -> HttpResponse:
    """The records behind one number of the figures page (`selectors.records_of_figure`):
    activities, sites, experts or clubs, newest first, paginated."""
    user = signed_in_user(request)
    today = timezone.localdate()
    area, foreign = _area(request)
    year, error = parse_year(request.GET.get("year"), today.year)
    figure = (request.GET.get("figure") or "")[:30]
    dimension = (request.GET.get("dimension") or "").strip()[:30]
    if figure not in FIGURES:
        error = gettext("未知的统计项。")
    context: dict[str, Any] = {
        "area": area,
        "foreign": foreign,
        "error": error,
        "year": year,
        "figure": figure,
        "figure_label": FIGURES.get(figure, ""),
        "dimension_label": _dimension_label(figure, dimension),
        "kind": RECORD_KINDS.get(figure, "activities"),
        "page": None,
        "back": f"{links.link('activities:figures')}?{urlencode({'year': year})}",
    }
    if area is not None and figure in FIGURES:
        context["back"] = (
            f"{links.link('activities:figures')}?{urlencode({'code': area.code, 'year': year})}"
        )
        rows = selectors.records_of_figure(
            user=user, association=area, year=year, figure=figure, dimension=dimension
        )
        context["page"] = keyset_page(
            rows,
            key="pk",
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            size=PAGE_SIZE,
            descending=True,
        )
        total = selectors.figures(user=user, association=area, year=year)
        reader = Reader(total, area.code, year)
        context["value"] = reader.cell(figure, dimension or None).value
        context["detail"] = url_name(RECORD_PAGES[context["kind"]])
    return render(request, "activities/figures_records.html", context)


# --- the workbook -------------------------------------------------------------------------------


@scoped_view(capability="activity.view")
def figures_export(request: HttpRequest) -> HttpResponseBase:
    """The annual report's activity lines for the area and year, as a workbook."""
    user = signed_in_user(request)
    today = timezone.localdate()
    area, foreign = _area(request)
    year, error = parse_year(request.GET.get("year"), today.year)
    if area is None or error:
        context = {
            "area": area,
            "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
            "foreign": foreign,
            "error": error,
            "year": year,
            "years": year_choices(today.year, year),
        }
        return render(request, "activities/figures.html", context, status=400)
    total = selectors.figures(user=user, association=area, year=year)
    lines = selectors.figures_by_child(user=user, association=area, year=year)
    return excel_report.figures_response(
        area=area,
        year=year,
        total=total,
        lines=lines,
        categories=_shown(selectors.categories(include_retired=True), total, CATEGORY_FIGURES),
    )
