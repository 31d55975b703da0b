"""Services, assignments, hours and their confirmation; teams."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action, form_errors, post_action
from fpa.core.scope import scoped_view
from fpa.volunteers import forms, selectors, services
from fpa.volunteers.models import (
    HoursRecord,
    Service,
    Team,
)
from fpa.volunteers.views.common import _holders, _page

# --- services and hours ---------------------------------------------------------------------------


@scoped_view(capability="volunteer.view")
def service_list(request: HttpRequest) -> HttpResponse:
    page = selectors.service_list(
        user=signed_in_user(request),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {"page": page, "can_edit": signed_in_user(request).has_capability("volunteer.edit")}
    return render(request, "volunteers/services.html", context)


@scoped_view(capability="volunteer.edit")
def service_new(request: HttpRequest) -> HttpResponse:
    form = forms.ServiceForm(request.POST or None, associations=_holders(signed_in_user(request)))
    return form_action(
        request,
        form,
        call=lambda form: services.service_create(
            actor=signed_in_user(request), **form.cleaned_data
        ),
        done=lambda service: gettext("已登记服务活动：%(title)s。") % {"title": service.title},
        then=lambda service: ("volunteers:service", service.pk),
        page=lambda: _page(request, form, gettext("登记志愿服务活动"), note=forms.TRAVEL_NOTE),
    )


@scoped_view(capability="volunteer.view", model=Service)
def service_detail(request: HttpRequest, pk: Service) -> HttpResponse:
    service, user = pk, signed_in_user(request)
    data = selectors.service_detail(service=service)
    context = {
        "service": service,
        **data,
        "can_edit": user.has_capability("volunteer.edit"),
        "assign_form": forms.AssignForm(volunteers=selectors.active_volunteers(user)),
        "hours_form": forms.HoursForm(volunteers=selectors.active_volunteers(user)),
        "travel_note": forms.TRAVEL_NOTE,
        "past": service.date <= timezone.localdate(),
    }
    return render(request, "volunteers/service_detail.html", context)


@require_POST
@scoped_view(capability="volunteer.edit", model=Service, as_="service")
def assign(request: HttpRequest, service: Service) -> HttpResponse:
    form = forms.AssignForm(
        request.POST, volunteers=selectors.active_volunteers(signed_in_user(request))
    )
    return post_action(
        request,
        form,
        call=lambda form: services.assignment_create(
            actor=signed_in_user(request), service=service, volunteer=form.cleaned_data["volunteer"]
        ),
        done=gettext("已安排。"),
        then=("volunteers:service", service.pk),
        invalid=gettext("请选择在册服务的志愿者。"),
    )


@require_POST
@scoped_view(capability="volunteer.edit", model=Service, as_="service")
def hours_record(request: HttpRequest, service: Service) -> HttpResponse:
    form = forms.HoursForm(
        request.POST, volunteers=selectors.active_volunteers(signed_in_user(request))
    )
    return post_action(
        request,
        form,
        call=lambda form: services.hours_record(
            actor=signed_in_user(request), service=service, **form.cleaned_data
        ),
        done=gettext("已登记并确认服务时长。"),
        then=("volunteers:service", service.pk),
        invalid=form_errors,
    )


@scoped_view(capability="volunteer.edit")
def pending(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.pending_hours(user=signed_in_user(request))[:501])
    return render(request, "volunteers/pending.html", {"rows": rows[:500], "cut": len(rows) > 500})


@require_POST
@scoped_view(capability="volunteer.edit", model=HoursRecord)
def hours_confirm(request: HttpRequest, pk: HoursRecord) -> HttpResponse:
    form = forms.ConfirmForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.hours_confirm(
            actor=signed_in_user(request),
            record=pk,
            confirm=form.cleaned_data["decision"] == "confirm",
        ),
        done=gettext("已处理。"),
        then="volunteers:pending",
    )


# --- teams ----------------------------------------------------------------------------------------


@scoped_view(capability="volunteer.view")
def teams(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    can_edit = user.has_capability("volunteer.edit")
    form = forms.TeamForm(request.POST or None, associations=_holders(user))
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(gettext("您的角色无权进行此操作。"))
    return form_action(
        request,
        form,
        call=lambda form: services.team_create(actor=user, **form.cleaned_data),
        done=lambda team: gettext("已成立%(team)s。") % {"team": team},
        then=lambda team: ("volunteers:team", team.pk),
        page=lambda: render(
            request,
            "volunteers/teams.html",
            {"teams": selectors.team_list(user=user), "form": form, "can_edit": can_edit},
        ),
    )


@scoped_view(capability="volunteer.view", model=Team)
def team_detail(request: HttpRequest, pk: Team) -> HttpResponse:
    team, user = pk, signed_in_user(request)
    candidates = selectors.active_volunteers(user).filter(
        association__path__under=team.association.path
    )
    form = forms.MemberForm(request.POST or None, volunteers=candidates)
    can_edit = user.has_capability("volunteer.edit")
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(gettext("您的角色无权进行此操作。"))

    def page() -> HttpResponse:
        members = team.members.select_related("association").order_by("association__path", "pk")
        context = {"team": team, "members": list(members), "form": form, "can_edit": can_edit}
        return render(request, "volunteers/team_detail.html", context)

    return form_action(
        request,
        form,
        call=lambda form: services.team_add_member(actor=user, team=team, **form.cleaned_data),
        done=gettext("已加入队伍。"),
        then=("volunteers:team", team.pk),
        page=page,
    )
