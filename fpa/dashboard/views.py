from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fpa.accounts.requests import signed_in_user
from fpa.core.scope import scoped_view
from fpa.families.selectors import my_due
from fpa.organizations.selectors import filing_list


@scoped_view(capability="account.self")
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)  # scoped_view lets no one else through
    context = {"home": user.home_association, "my_due": my_due(user=user)}
    if user.has_capability("filing.review"):
        context["to_review"] = filing_list(user=user, to_review=True, size=10).items
    return render(request, "dashboard/home.html", context)
