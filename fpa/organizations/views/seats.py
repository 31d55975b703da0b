"""The composition of councils and congresses, and their seats."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action, post_action
from fpa.core.scope import scoped_view
from fpa.organizations import forms, selectors, services
from fpa.organizations.models import Association, BodySeat
from fpa.organizations.views.common import ASSOCIATION

# --- composition (measure 14) -----------------------------------------------------------------


@scoped_view(capability="org.view")
def composition(request: HttpRequest) -> HttpResponse:
    home = signed_in_user(request).home_association
    code = (request.GET.get("code") or "")[:32]
    association = home
    if code:
        association = (
            selectors.association_choices(user=signed_in_user(request)).filter(code=code).first()
        )
    if association is None:
        return render(request, "organizations/composition.html", {"association": None})
    return render(
        request,
        "organizations/composition.html",
        {
            "association": association,
            "own": selectors.composition(user=signed_in_user(request), association=association),
            "subtree": selectors.composition(
                user=signed_in_user(request), association=association, subtree=True
            ),
            "rows": selectors.composition_by_child(
                user=signed_in_user(request), association=association
            ),
            "sources": BodySeat.Source.choices,
        },
    )


@scoped_view(capability="org.view", **ASSOCIATION)
def seats(request: HttpRequest, code: Association) -> HttpResponse:
    association = code
    form = forms.SeatForm(request.POST or None, initial={"term_year": timezone.localdate().year})
    user = signed_in_user(request)
    can_edit = user.has_capability("body.edit")
    if request.method == "POST" and not can_edit:
        return HttpResponse(gettext("无权修改。"), status=403)
    return form_action(
        request,
        form,
        call=lambda form: services.seat_add(
            actor=user, association=association, **form.cleaned_data
        ),
        done=gettext("已添加。"),
        then=("organizations:seats", association.code),
        page=lambda: render(
            request,
            "organizations/seats.html",
            {
                "association": association,
                "seats": selectors.seat_list(user=user, association=association)[:500],
                "form": form,
                "can_edit": can_edit,
            },
        ),
    )


@require_POST
@scoped_view(capability="body.edit", model=BodySeat)
def seat_end(request: HttpRequest, pk: BodySeat) -> HttpResponse:
    form = forms.SeatEndForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.seat_end(
            actor=signed_in_user(request), seat=pk, ended_on=form.cleaned_data["ended_on"]
        ),
        then=("organizations:seats", pk.association.code),
        invalid=gettext("请填写有效的卸任日期。"),
    )
