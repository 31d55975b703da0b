"""Sensitive health follow-ups: the list (masked), a record's page with the audited reveal, a new
record (from an activity or alone), a follow-up, reopening a closed record."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.forms.health import CaseForm, FollowUpForm
from fpa.activities.models import Activity, HealthCase
from fpa.core.actions import form_action
from fpa.core.forms import ReopenForm
from fpa.core.reveal import RevealForm, reveal_response
from fpa.core.scope import scoped_view
from fpa.core.services import protected_reveal
from fpa.core.typing_aids import ObjectLookup
from fpa.organizations import selectors as org_selectors

PROTECTED = ("person_name", "phone", "details", "referral")
LIST_LIMIT = 500


@scoped_view(capability="activity.view")
def case_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    status = request.GET.get("status", "open")
    if status not in ("", *HealthCase.Status.values):
        status = "open"
    rows = list(selectors.health_cases(user=user, status=status)[: LIST_LIMIT + 1])
    context = {
        "rows": rows[:LIST_LIMIT],
        "cut": len(rows) > LIST_LIMIT,
        "status": status,
        "statuses": HealthCase.Status.choices,
        "today": timezone.localdate(),
        "can_edit": user.has_capability("activity.edit"),
    }
    return render(request, "activities/health_list.html", context)


# The record is loaded by `scoped_view` through `HealthCase.objects.visible_to`: its recorder,
# or a superior holding health.sensitive; anyone else gets the 404 of a missing record.
CASE: ObjectLookup = {"model": HealthCase}


@scoped_view(capability="activity.edit")
def case_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    activity: Activity | None = None
    if request.GET.get("activity", "").isdigit():
        try:
            activity = selectors.activity_detail(user=user, pk=int(request.GET["activity"]))
        except Activity.DoesNotExist as exc:
            raise Http404 from exc
    associations = org_selectors.association_choices(user=user)
    initial: dict[str, Any] = {}
    if activity is not None:
        initial["association"] = activity.association
    form = CaseForm(request.POST or None, associations=associations, initial=initial)
    return form_action(
        request,
        form,
        call=lambda form: services.case_create(actor=user, activity=activity, **form.cleaned_data),
        done=gettext("已登记。随访记录为敏感信息，仅您和有权限的上级可见。"),
        then=lambda case: ("activities:health_case", case.pk),
        page=lambda: render(
            request,
            "activities/health_form.html",
            {"form": form, "activity": activity, "title": gettext("登记需随访的健康服务")},
        ),
    )


@scoped_view(capability="activity.view", **CASE, as_="case")
def case_detail(request: HttpRequest, case: HealthCase) -> HttpResponse:
    user = signed_in_user(request)
    can_edit = user.has_capability("activity.edit")
    context = {
        "case": case,
        "follow_ups": list(case.follow_ups.all()),
        "can_edit": can_edit,
        "can_reveal": True,  # whoever sees the record may reveal, with a reason, audited
        "follow_up_form": FollowUpForm(initial={"on": timezone.localdate()}),
        "reopen_form": ReopenForm(),
    }
    return render(request, "activities/health_detail.html", context)


@require_POST
@scoped_view(capability="activity.view", **CASE, as_="case")
def case_reveal(request: HttpRequest, case: HealthCase, field: str) -> HttpResponse:
    """One protected value of the record, or (`follow_ups`) the notes of all its follow-ups:
    with a reason, each value's read audited."""
    if field != "follow_ups":
        return reveal_response(
            request, case, field, allowed=PROTECTED, scope_path=case.association.path, entitled=True
        )
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(gettext("请填写查看原因。"), status=400)
    notes = [
        (
            row.on,
            protected_reveal(
                actor=signed_in_user(request),
                obj=row,
                field="note",
                reason=form.cleaned_data["reason"],
                scope_path=case.association.path,
                entitled=True,
            ),
        )
        for row in case.follow_ups.all()
    ]
    return render(request, "activities/health_notes.html", {"notes": notes})


@scoped_view(capability="activity.edit", **CASE, as_="case")
def follow_up(request: HttpRequest, case: HealthCase) -> HttpResponse:
    user = signed_in_user(request)
    form = FollowUpForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.follow_up_add(actor=user, case=case, **form.cleaned_data),
        done=gettext("随访已记录。"),
        then=("activities:health_case", case.pk),
        page=lambda: render(
            request,
            "activities/health_form.html",
            {"form": form, "case": case, "title": gettext("记录随访")},
        ),
    )


@scoped_view(capability="activity.edit", **CASE, as_="case")
def case_reopen(request: HttpRequest, case: HealthCase) -> HttpResponse:
    user = signed_in_user(request)
    form = ReopenForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.case_reopen(actor=user, case=case, **form.cleaned_data),
        done=gettext("已重新打开，待随访。"),
        then=("activities:health_case", case.pk),
        page=lambda: render(
            request,
            "activities/health_form.html",
            {"form": form, "case": case, "title": gettext("重新打开")},
        ),
    )
