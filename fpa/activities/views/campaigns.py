"""Campaigns set from above (部署): the list, new and edit with a target per subordinate
association, the campaign page with the progress per target (table, chart, "尚未开展"), the
activities behind a target's line, and the progress as a workbook."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext

from fpa.accounts.requests import signed_in_user
from fpa.activities import excel_report, selectors, services
from fpa.activities.forms.campaigns import CampaignForm
from fpa.activities.models import Campaign
from fpa.activities.views.figures import url_name
from fpa.core import links
from fpa.core.actions import form_action
from fpa.core.pagination import keyset_page
from fpa.core.scope import in_scope, path_is_under, scope_path_of, scoped_view
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

SETTERS = (  # the levels that set campaigns for their subordinates
    Association.Kind.PROVINCE,
    Association.Kind.PREFECTURE,
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
)
STATES = ("upcoming", "running", "ended")
PAGE_SIZE = 30


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user sees (set in its subtree or above it), else 404."""
    try:
        return selectors.campaign_get(user=signed_in_user(request), pk=pk)
    except (Campaign.DoesNotExist, ValueError) as exc:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。")) from exc


def _may_set(user: Any, campaign: Campaign | None = None) -> bool:
    """Whether the user may set (or edit) campaigns (the services check it again)."""
    if not user.has_capability("activity.approve"):
        return False
    return campaign is None or in_scope(user, campaign.association)


def _state(campaign: Campaign, today: datetime.date) -> str:
    if campaign.starts_on > today:
        return "upcoming"
    return "ended" if campaign.ends_on < today else "running"


def _year(value: str) -> int | None:
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) == 4:
        return int(value)
    return None


# --- the list -----------------------------------------------------------------------------------


@scoped_view(capability="activity.view")
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    theme = (request.GET.get("theme") or "")[:30]
    year = _year(request.GET.get("year", ""))
    q = (request.GET.get("q") or "").strip()[:50]
    rows = selectors.campaign_list(user=user, year=year, theme=theme, q=q, state=state)
    page = keyset_page(
        rows.select_related("association", "theme"),
        key="pk",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
        descending=True,
    )
    today = timezone.localdate()
    home = scope_path_of(user) or ""
    items = [
        {
            "campaign": c,
            "state": _state(c, today),
            "from_above": not path_is_under(c.association.path, home),
        }
        for c in page.items
    ]
    context = {
        "page": page,
        "items": items,
        "state": state,
        "theme": theme,
        "year": year or "",
        "q": q,
        "themes": selectors.themes(include_retired=True),
        "years": range(today.year + 1, today.year - 9, -1),
        "can_set": _may_set(user),
    }
    return render(request, "activities/campaign_list.html", context)


# --- new and edit -------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: CampaignForm,
    title: str,
    *,
    association: Association,
    campaign: Campaign | None = None,
    setters: list[Any] | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "association": association,
        "campaign": campaign,
        "setters": setters or [],
    }
    return render(request, "activities/campaign_form.html", context)


@scoped_view(capability="activity.approve")
def campaign_new(request: HttpRequest) -> HttpResponse:
    """A new campaign for the subtree of the chosen association (?code=, default the user's
    home): every current child association is listed with 1 activity; the user changes the
    numbers or clears a row."""
    user = signed_in_user(request)
    setters = org_selectors.area_options(user=user, kinds=SETTERS)
    code = (request.GET.get("code") or "").strip()[:32]
    association = (
        org_selectors.association_choices(user=user, kinds=SETTERS).filter(code=code).first()
        if code
        else user.home_association
    )
    if association is None or association.kind not in SETTERS:
        raise Http404(gettext("所选协会不存在或不在您的管辖范围内。"))
    children = org_selectors.association_children(user=user, parent=association)
    today = timezone.localdate()
    form = CampaignForm(
        request.POST or None,
        themes=selectors.themes(),
        targets=[(child, 1) for child in children],
        initial={"starts_on": today, "ends_on": today + datetime.timedelta(days=30)},
    )
    return form_action(
        request,
        form,
        call=lambda form: services.campaign_create(
            actor=user, association=association, **form.service_data()
        ),
        done=lambda campaign: gettext("已发布部署：%(title)s。") % {"title": campaign.title},
        then=lambda campaign: ("activities:campaign", campaign.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("发布活动部署"),
            association=association,
            setters=setters if len(setters) > 1 else [],
        ),
    )


@scoped_view(capability="activity.approve")
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = signed_in_user(request)
    if not _may_set(user, campaign):
        raise PermissionDenied(gettext("该部署由上级发布，您不能修改。"))
    existing = list(selectors.campaign_targets(user=user, campaign=campaign))
    wanted: dict[int, int | None] = {t.association_id: t.activities for t in existing}
    rows: dict[int, Association] = {t.association_id: t.association for t in existing}
    for child in org_selectors.association_children(user=user, parent=campaign.association):
        rows.setdefault(child.pk, child)
    targets = [(a, wanted.get(a.pk)) for a in sorted(rows.values(), key=lambda a: a.path)]
    form = CampaignForm(
        request.POST or None,
        themes=selectors.themes(include_retired=True),
        targets=targets,
        initial={
            "title": campaign.title,
            "theme": campaign.theme_id,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "description": campaign.description,
        },
    )
    version = _version(request)
    return form_action(
        request,
        form,
        call=lambda form: services.campaign_update(
            actor=user,
            campaign=campaign,
            version=version,
            clear_theme=form.cleaned_data.get("theme") is None,
            **form.service_data(),
        ),
        done=gettext("已保存。"),
        then=("activities:campaign", campaign.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("修改活动部署：%(title)s") % {"title": campaign.title},
            association=campaign.association,
            campaign=campaign,
        ),
    )


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version") or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


# --- the campaign page --------------------------------------------------------------------------


@scoped_view(capability="activity.view")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What is asked, the progress of every target the user may see (its subtree's, or its own
    line above it) as a table and a chart, and the targets with nothing held yet."""
    campaign = _campaign(request, pk)
    user = signed_in_user(request)
    progress = selectors.campaign_progress(user=user, campaign=campaign)
    home = scope_path_of(user) or ""
    lines = [
        {
            "p": p,
            "mine": path_is_under(home, p.association.path),
        }
        for p in progress
    ]
    chart = {
        "labels": [_short(p.association.name) for p in progress],
        "series": [
            {"name": gettext("应开展"), "data": [p.wanted for p in progress]},
            {"name": gettext("已开展"), "data": [p.held for p in progress]},
            {"name": gettext("计划中"), "data": [p.planned for p in progress]},
        ],
        "links": [_target_link(campaign, p.association.code) for p in progress],
    }
    today = timezone.localdate()
    below = not in_scope(user, campaign.association)
    mine = [line for line in lines if line["mine"]]
    context = {
        "campaign": campaign,
        "lines": lines,
        "mine": mine,
        # below the campaign, the overview only when targets in the user's subtree add to it
        "overview": bool(lines) and (not below or len(mine) < len(lines)),
        "not_started": [p for p in progress if p.held == 0],
        "done_count": sum(1 for p in progress if p.done),
        "held_total": sum(p.held for p in progress),
        "chart": chart,
        "state": _state(campaign, today),
        "can_edit": _may_set(user, campaign),
        "below": below,
    }
    return render(request, "activities/campaign_detail.html", context)


def _short(name: str) -> str:
    return name.removesuffix("计生协") or name


def _target_link(campaign: Campaign, code: str) -> str:
    return links.link_to("activities:campaign_activities", campaign.pk) + f"?code={code}"


@scoped_view(capability="activity.view")
def campaign_activities(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's activities in the subtree of ?code= (a target's line; without it, all the
    user sees), newest first, paginated: what a line of the progress clicks through to."""
    campaign = _campaign(request, pk)
    user = signed_in_user(request)
    code = (request.GET.get("code") or "").strip()[:32]
    area = selectors.campaign_area(user=user, campaign=campaign, code=code) if code else None
    foreign = bool(code) and area is None
    status = request.GET.get("status", "")
    status = status if status in ("done", "planned", "approved", "cancelled") else ""
    rows = selectors.activities(user=user, under=area, campaign=campaign, status=status)
    page = keyset_page(
        rows,
        key="pk",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
        descending=True,
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "campaign": campaign,
        "area": area,
        "code": code,
        "foreign": foreign,
        "status": status,
        "page": page,
        "detail": url_name("activities:detail"),
        "full_list": _full_list(campaign, area),
    }
    return render(request, "activities/campaign_activities.html", context)


def _full_list(campaign: Campaign, area: Association | None) -> str:
    """The same activities in the module's activity list (its filters, sorts and export)."""
    try:
        base = links.link("activities:list")
    except NoReverseMatch:
        return ""
    query = {"campaign": campaign.pk, **({"code": area.code} if area is not None else {})}
    return f"{base}?{urlencode(query)}"


@scoped_view(capability="activity.view")
def campaign_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The progress table as a workbook (the lines the user sees on the page)."""
    campaign = _campaign(request, pk)
    progress = selectors.campaign_progress(user=signed_in_user(request), campaign=campaign)
    return excel_report.campaign_response(campaign, progress)
