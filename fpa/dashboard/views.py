from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core import ratelimit
from fpa.core.scope import public_view, scoped_view
from fpa.core.todo import one_reading, todos_for
from fpa.families.todos import area_coverage, my_families
from fpa.fund.selectors import available, fund_for_user, fund_public, public_donation
from fpa.organizations.models import Association
from fpa.organizations.selectors import public_contacts

# Whose home page carries the headline figures (until the overview dashboard exists): the staff
# of a county or a higher level, who steer rather than visit.
HEADLINE_KINDS = (Association.Kind.COUNTY, Association.Kind.PREFECTURE, Association.Kind.PROVINCE)


def _headline(user: User) -> dict[str, Any] | None:
    home = user.home_association
    if home is None or home.kind not in HEADLINE_KINDS or not user.has_capability("family.view"):
        return None
    total = area_coverage(user)
    fund = fund_for_user(user=user) if user.has_capability("fund.view") else None
    return {
        "coverage": total,
        "fund": fund,
        "balance": available(fund) if fund is not None else None,
    }


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
        todos = todos_for(user)
        context = {
            "home": user.home_association,
            "my_due": my_families(user),
            "todos": [t for t in todos if t.count],
            "notices": [notice for t in todos for notice in t.notices],
            "headline": _headline(user),
        }
    return render(request, "dashboard/home.html", context)
