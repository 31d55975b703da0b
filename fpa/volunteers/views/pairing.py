"""Matching volunteers to a family's needs, and pairings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import post_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.families.models import Need
from fpa.organizations.models import Association
from fpa.volunteers import forms, selectors, services
from fpa.volunteers.models import Pairing, Service

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- matching and pairing -------------------------------------------------------------------------


def _target(request: HttpRequest) -> tuple[Need | None, Service | None, Association | None]:
    """The need (?need=) or the service (?service=) to match, loaded inside the scope."""
    source = request.POST if request.method == "POST" else request.GET
    user = signed_in_user(request)
    need_id = _key(source.get("need"))
    if need_id is not None:
        need = selectors.need_in_scope(user, need_id)
        if need is None:
            raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
        return need, None, need.family.association
    service_id = _key(source.get("service"))
    if service_id is not None:
        service = selectors.service_in_scope(user, service_id)
        if service is None:
            raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
        return None, service, service.association
    return None, None, None


def _key(value: str | None) -> int | None:
    """A record id from the query string; a value that cannot be one is a 404."""
    raw = (value or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        raise Http404
    return int(raw)


@scoped_view(capability="volunteer.edit")
def match(request: HttpRequest) -> HttpResponse:
    """Suggested volunteers for a family's need or an activity, with the reason of each rank."""
    if not signed_in_user(request).has_capability("family.view") and request.GET.get("need"):
        raise PermissionDenied(gettext("您的角色无权查看家庭诉求。"))
    need, service, place = _target(request)
    if service is not None and not request.GET.get("skills"):
        form = forms.MatchForm(initial={"skills": list(service.skills.all())})
        wanted = list(service.skills.all())
        when: list[str] = []
    else:
        form = forms.MatchForm(request.GET or None)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        wanted, when = list(data.get("skills") or []), list(data.get("when") or [])
    rows = []
    if place is not None:
        rows = selectors.suggestions(
            user=signed_in_user(request), place=place, skills=wanted, when=when
        )
    context = {
        "form": form,
        "need": need,
        "service": service,
        "place": place,
        "rows": rows,
        "open_needs": [] if place is not None else _open_needs(signed_in_user(request)),
    }
    return render(request, "volunteers/match.html", context)


def _open_needs(user: User) -> list[Need]:
    if not user.has_capability("family.view"):
        return []
    return selectors.open_needs(user)


@scoped_view(capability="volunteer.edit")
def pair(request: HttpRequest) -> HttpResponse:
    """POST: pair a volunteer with the family of a need (GET goes to the matching page)."""
    if request.method != "POST":
        return redirect("volunteers:match")
    form = forms.PairForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请求无效。"))
        return redirect("volunteers:match")
    data = form.cleaned_data
    need = selectors.need_in_scope(signed_in_user(request), data["need"])
    volunteer = selectors.volunteer_in_scope(signed_in_user(request), data["volunteer"])
    if need is None or volunteer is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
    try:
        services.pairing_create(
            actor=signed_in_user(request),
            volunteer=volunteer,
            family=need.family,
            start_date=timezone.localdate(),
            note=data["note"] or f"诉求：{need.description[:100]}",
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(f"/volunteers/match/?need={need.pk}")
    messages.success(request, gettext("已结对：%(name)s。") % {"name": volunteer.display_name})
    return redirect("volunteers:detail", pk=volunteer.pk)


@require_POST
@scoped_view(capability="volunteer.edit", model=Pairing, as_="pairing")
def pairing_end(request: HttpRequest, pairing: Pairing) -> HttpResponse:
    form = forms.EndForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.pairing_end(
            actor=signed_in_user(request), pairing=pairing, end_date=form.cleaned_data["end_date"]
        ),
        done=gettext("已结束结对。"),
        then=("volunteers:detail", pairing.volunteer_id),
        invalid=gettext("请填写结束日期。"),
    )
