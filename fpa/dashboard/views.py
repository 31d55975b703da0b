from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core.scope import scoped_view
from fpa.core.todo import todos_for
from fpa.families.selectors import coverage, my_due
from fpa.fund.selectors import available, fund_for_user
from fpa.organizations.models import Association

# Whose home page carries the headline figures (until the overview dashboard exists): the staff
# of a county or a higher level, who steer rather than visit.
HEADLINE_KINDS = (Association.Kind.COUNTY, Association.Kind.PREFECTURE, Association.Kind.PROVINCE)


def _headline(user: User) -> dict[str, Any] | None:
    home = user.home_association
    if home is None or home.kind not in HEADLINE_KINDS or not user.has_capability("family.view"):
        return None
    total, _children = coverage(user=user, root=home)
    fund = fund_for_user(user=user) if user.has_capability("fund.view") else None
    return {
        "coverage": total,
        "fund": fund,
        "balance": available(fund) if fund is not None else None,
    }


@scoped_view(capability="account.self")
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)  # scoped_view lets no one else through
    todos = todos_for(user)
    context = {
        "home": user.home_association,
        "my_due": my_due(user=user),
        "todos": [t for t in todos if t.count],
        "notices": [notice for t in todos for notice in t.notices],
        "headline": _headline(user),
    }
    return render(request, "dashboard/home.html", context)
