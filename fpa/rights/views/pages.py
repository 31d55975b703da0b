"""The figures of an area over a period (each figure clicks through to the list), a family's
cases, and the list of kinds (set by the county)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_errors
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.families.models import Family
from fpa.organizations import selectors as org_selectors
from fpa.rights import forms, selectors, services
from fpa.rights.views.common import AREA_KINDS, FAMILY, area_of

MAX_PERIOD_DAYS = 3 * 366


def _period(form: forms.FiguresForm) -> tuple[datetime.date, datetime.date]:
    """The chosen period, by default this year so far."""
    today = timezone.localdate()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    first = data.get("first") or today.replace(month=1, day=1)
    last = data.get("last") or today
    if last < first:
        first, last = last, first
    if (last - first).days > MAX_PERIOD_DAYS:
        first = last - datetime.timedelta(days=MAX_PERIOD_DAYS)
    return first, last


def _links(code: str, first: datetime.date, last: datetime.date) -> dict[str, str]:
    """The list behind each figure of an area."""
    base = reverse("rights:list")
    received = {"received_from": first.isoformat(), "received_to": last.isoformat()}
    closed = {"closed_from": first.isoformat(), "closed_to": last.isoformat()}
    queries = {
        "received": received,
        "closed": {"status": "closed", **closed},
        "on_time": {"status": "closed", "on_time": "1", **closed},
        "rated": {"status": "closed", "satisfaction": "rated", **closed},
        "satisfied": {"status": "closed", "satisfaction": "satisfied_any", **closed},
        "dissatisfied": {"status": "closed", "satisfaction": "dissatisfied", **closed},
        "open_now": {"status": "open"},
        "overdue_now": {"overdue": "1"},
    }
    return {
        name: f"{base}?{urlencode({'code': code, **query} if code else query)}"
        for name, query in queries.items()
    }


@scoped_view(capability="rights.view")
def figures(request: HttpRequest) -> HttpResponse:
    """权益维护统计: received, closed, on time, satisfied, open and overdue now; per child area
    and per kind."""
    user = signed_in_user(request)
    form = forms.FiguresForm(request.GET or None)
    first, last = _period(form)
    area, foreign = area_of(request)
    result = None
    if not foreign:
        result = selectors.case_figures(user=user, root=area, first=first, last=last)
    rows = []
    if result is not None:
        rows = [(row, _links(row.code, first, last)) for row in result.rows]
    kind_base = _links(result.total.code if result else "", first, last)["received"]
    context = {
        "form": form,
        "first": first,
        "last": last,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "result": result,
        "links": _links(result.total.code, first, last) if result else {},
        "rows": rows,
        "kind_base": kind_base,
    }
    return render(request, "rights/figures.html", context)


@scoped_view(capability="rights.view", **FAMILY, as_="family")
def family_cases(request: HttpRequest, family: Family) -> HttpResponse:
    """A special family's cases (those in the user's scope), newest first, and a link to
    receive a new one for it."""
    user = signed_in_user(request)
    page = selectors.case_list(
        user=user,
        filters=selectors.CaseFilters(family=family.pk),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {
        "family": family,
        "page": page,
        "today": timezone.localdate(),
        "can_edit": user.has_capability("rights.edit"),
    }
    return render(request, "rights/family.html", context)


@scoped_view(capability="rights.view")
def kinds(request: HttpRequest) -> HttpResponse:
    """The kinds and their time limits; the county (and above) adds, renames, re-times,
    reorders or retires them. Cases already received keep their kind and deadline."""
    user = signed_in_user(request)
    may_manage = services.may_manage_kinds(user)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(gettext("诉求类别由县级及以上计生协设置。"))
        _kinds_post(request)
        return redirect("rights:kinds")
    context = {
        "items": selectors.kinds(),
        "may_manage": may_manage,
        "add_form": forms.KindAddForm(),
    }
    return render(request, "rights/kinds.html", context)


def _kinds_post(request: HttpRequest) -> None:
    user = signed_in_user(request)
    if "item" not in request.POST:
        add = forms.KindAddForm(request.POST)
        if not add.is_valid():
            messages.error(request, form_errors(add))
            return
        try:
            kind = services.kind_add(actor=user, **add.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已增加诉求类别：%(name)s") % {"name": kind.name})
        return
    edit = forms.KindEditForm(request.POST)
    found = selectors.kind_get(request.POST.get("item"))
    if found is None or not edit.is_valid():
        messages.error(request, form_errors(edit) or gettext("诉求类别不存在。"))
        return
    data = dict(edit.cleaned_data)
    data.pop("item")
    try:
        services.kind_update(actor=user, kind=found, **data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已保存诉求类别。"))
