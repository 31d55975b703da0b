from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core import ratelimit
from fpa.core.scope import public_view, scoped_view
from fpa.core.todo import one_reading, todos_for
from fpa.core.years import parse_year, year_choices
from fpa.dashboard import evaluation, overview
from fpa.dashboard import services as dashboard_services
from fpa.families.todos import my_families
from fpa.fund.selectors import fund_public, public_donation
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.organizations.selectors import public_contacts

# Whose home page carries the headline figures: the staff of a county or a higher level, who
# steer rather than visit. The figures are the overview's (one function builds both).
HEADLINE_KINDS = (Association.Kind.COUNTY, Association.Kind.PREFECTURE, Association.Kind.PROVINCE)


def _headline(user: User) -> list[overview.Figure] | None:
    home = user.home_association
    if home is None or home.kind not in HEADLINE_KINDS or not user.has_capability("family.view"):
        return None
    return overview.headline_for(user)


# Receipt look-ups per address per hour (a typo is retried; a crawler is not served).
RECEIPT_LIMIT = 30
RECEIPT_WINDOW = 3600


@public_view
def home(request: HttpRequest) -> HttpResponseBase:
    """`/`: the public front door for a visitor, the workbench (工作台) once signed in."""
    if request.user.is_authenticated:
        return workbench(request)
    return welcome(request)


@require_safe
def welcome(request: HttpRequest) -> HttpResponse:
    """What a citizen can do without an account, and whom to call; no personal data."""
    fund = fund_public()
    receipt = (request.GET.get("receipt") or "").strip()[:24]
    limited = bool(receipt) and ratelimit.exceeded(
        "receipt-lookup", limit=RECEIPT_LIMIT, window=RECEIPT_WINDOW
    )
    if receipt and fund is not None and not limited and public_donation(fund, receipt):
        return redirect("fund:public_receipt", code=fund.code, number=receipt)
    context = {
        "fund": fund,
        "receipt": receipt,
        "receipt_missing": bool(receipt) and not limited,
        "limited": limited,
        "contacts": public_contacts(),
    }
    return render(request, "dashboard/welcome.html", context, status=429 if limited else 200)


@scoped_view(capability="account.self")
def workbench(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)  # scoped_view lets no one else through
    with one_reading():  # the to-do counts and the page read the same figures once
        headline = _headline(user)  # first: it hands its coverage figures to the to-dos
        todos = todos_for(user)
        context = {
            "home": user.home_association,
            "my_due": my_families(user),
            "todos": [t for t in todos if t.count],
            "notices": [notice for t in todos for notice in t.notices],
            "headline": headline,
            "overview_link": user.has_capability("overview.view"),
        }
    return render(request, "dashboard/home.html", context)


def _area_and_year(request: HttpRequest, user: User) -> dict[str, Any]:
    """?code=&year= of a figures page: the association (the user's own by default, None when
    the code is foreign or forged) and the year, with what the area-and-year form shows."""
    today = timezone.localdate()
    code = (request.GET.get("code") or "").strip()[:32]
    area = overview.area_in_scope(user, code) if code else user.home_association
    year, error = parse_year(request.GET.get("year"), today.year)
    return {
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=overview.AREA_KINDS),
        "foreign": bool(code) and area is None,
        "error": error,
        "year": year,
        "years": year_choices(today.year, year),
    }


@scoped_view(capability="overview.view")
def overview_page(request: HttpRequest) -> HttpResponse:
    """驾驶舱: the overview of the user's association or of one chosen in the scope, for a year."""
    user = signed_in_user(request)
    context = _area_and_year(request, user)
    area, year = context["area"], context["year"]
    if area is not None:
        with one_reading():  # the to-dos and the figures share what both read
            found = overview.overview_for(user=user, area=area, year=year)
        context.update(
            {
                "overview": found,
                "sections": [
                    (name, label, found.section(name))
                    for name, label in overview.SECTIONS.items()
                    if found.section(name)
                ],
                "chart": overview.chart_data(found),
            }
        )
    return render(request, "dashboard/overview.html", context)


@scoped_view(capability="overview.view")
@require_safe
def evaluation_page(request: HttpRequest) -> HttpResponse:
    """评估: the year-end evaluation of the reform of the user's association or of one chosen in
    the scope (tasks, supervision, assessment results over the years, outcomes); prints on A4."""
    user = signed_in_user(request)
    context = _area_and_year(request, user)
    if context["area"] is not None:
        with one_reading():
            found = evaluation.evaluation_for(user=user, area=context["area"], year=context["year"])
        context.update({"evaluation": found, "chart": evaluation.chart_data(found)})
    return render(request, "dashboard/evaluation.html", context)


@scoped_view(capability="overview.view")
@require_safe
def evaluation_export(request: HttpRequest) -> HttpResponseBase:
    """The evaluation's figures as a workbook (one row per figure: a few hundred at most)."""
    user = signed_in_user(request)
    context = _area_and_year(request, user)
    area, year = context["area"], context["year"]
    if area is None or context["error"]:
        messages.error(request, context["error"] or gettext("所选协会不存在或不在您的管辖范围内。"))
        return redirect("dashboard:evaluation")
    with one_reading():
        found = evaluation.evaluation_for(user=user, area=area, year=year)
    handle = io.BytesIO()
    rows = evaluation.write(handle, found)
    dashboard_services.evaluation_exported(actor=user, area=area, year=year, rows=rows)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{year}-evaluation-{area.code}.xlsx")
