"""Supervision: an inspection against the checklist (form and printable record), the problems
found and their rectification to closure, the problems list, the checklist itself."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.childcare import forms, selectors, services
from fpa.childcare.models import Inspection, Institution, Problem
from fpa.childcare.views.common import (
    AREA_KINDS,
    INSPECTION,
    INSTITUTION,
    PROBLEM,
    area_of,
    form_page,
)
from fpa.core.actions import form_action, form_errors, post_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.organizations import selectors as org_selectors


@scoped_view(capability="childcare.edit", **INSTITUTION, as_="institution")
def inspect(request: HttpRequest, institution: Institution) -> HttpResponse:
    """The checklist with each item's maximum: a score and a note per item."""
    items = selectors.checklist(active_only=True)
    form = forms.InspectionForm(request.POST or None, items=items)
    return form_action(
        request,
        form,
        call=lambda form: services.inspection_record(
            actor=signed_in_user(request),
            institution=institution,
            inspected_on=form.cleaned_data["inspected_on"],
            inspectors=form.cleaned_data["inspectors"],
            notes=form.cleaned_data["notes"],
            scores=form.scores(),
        ),
        done=gettext("已登记检查。发现问题请在检查记录中登记整改问题。"),
        then=lambda inspection: ("childcare:inspection", inspection.pk),
        page=lambda: render(
            request,
            "childcare/inspect.html",
            {
                "form": form,
                "institution": institution,
                "max_total": sum(item.max_score for item in items),
            },
        ),
    )


@scoped_view(capability="childcare.view", **INSPECTION, as_="inspection")
def inspection(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    """One inspection as it was scored (printable on A4), its problems, and the form to add
    one."""
    user = signed_in_user(request)
    today = timezone.localdate()
    data = selectors.inspection_detail(inspection=inspection)
    problems = [(problem, problem.is_overdue(today)) for problem in data.pop("problems")]
    context = {
        "inspection": inspection,
        "institution": inspection.institution,
        **data,
        "problems": problems,
        "today": today,
        "can_add": user.has_capability("childcare.edit")
        and services.may_record_problems(user, inspection),
        "problem_form": forms.ProblemForm(
            initial={"deadline": forms.problem_deadline_default(today)}
        ),
    }
    return render(request, "childcare/inspection.html", context)


@scoped_view(capability="childcare.edit", **INSPECTION, as_="inspection")
def problem_add(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    form = forms.ProblemForm(
        request.POST or None, initial={"deadline": forms.problem_deadline_default()}
    )
    return form_action(
        request,
        form,
        call=lambda form: services.problem_add(
            actor=signed_in_user(request), inspection=inspection, **form.cleaned_data
        ),
        done=gettext("已登记整改问题。"),
        then=("childcare:inspection", inspection.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("登记整改问题：%(name)s") % {"name": inspection.institution.name},
            back=reverse("childcare:inspection", args=[inspection.pk]),
        ),
    )


@scoped_view(capability="childcare.edit", **PROBLEM, as_="problem")
def problem_rectify(request: HttpRequest, problem: Problem) -> HttpResponse:
    """报整改: what was done, and when."""
    form = forms.RectifyForm(request.POST or None, initial={"version": problem.version})
    return form_action(
        request,
        form,
        call=lambda form: services.problem_rectify(
            actor=signed_in_user(request), problem=problem, **form.cleaned_data
        ),
        done=gettext("已报整改，等待检查单位复查销号。"),
        then=("childcare:detail", problem.institution_id),
        page=lambda: form_page(
            request,
            form,
            gettext("报整改：%(name)s") % {"name": problem.institution.name},
            back=reverse("childcare:detail", args=[problem.institution_id]),
            note=gettext("问题：%(text)s（整改期限 %(deadline)s）")
            % {"text": problem.description, "deadline": problem.deadline.isoformat()},
        ),
    )


@require_POST
@scoped_view(capability="childcare.edit", **PROBLEM, as_="problem")
def problem_close(request: HttpRequest, problem: Problem) -> HttpResponse:
    """复查销号 (the inspecting level or above)."""
    form = forms.CloseForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.problem_close(
            actor=signed_in_user(request), problem=problem, **form.cleaned_data
        ),
        done=gettext("已复查销号。"),
        then=("childcare:detail", problem.institution_id),
        invalid=form_errors,
    )


@require_POST
@scoped_view(capability="childcare.edit", **PROBLEM, as_="problem")
def problem_return(request: HttpRequest, problem: Problem) -> HttpResponse:
    """退回重改, with the reason (the inspecting level or above)."""
    form = forms.ReturnForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.problem_return(
            actor=signed_in_user(request), problem=problem, **form.cleaned_data
        ),
        done=gettext("已退回重新整改。"),
        then=("childcare:detail", problem.institution_id),
        invalid=gettext("请填写退回原因。"),
    )


@scoped_view(capability="childcare.view")
def problems(request: HttpRequest) -> HttpResponse:
    """Problems in the scope by state (unresolved by default; overdue first in red)."""
    user = signed_in_user(request)
    form = forms.ProblemFilterForm(request.GET or None)
    state = (form.cleaned_data.get("state") if form.is_valid() else "") or "unresolved"
    area, foreign = area_of(request)
    today = timezone.localdate()
    page = selectors.problem_list(
        user=user,
        state=state,
        association=area,
        today=today,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "state": state,
        "page": page,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "today": today,
    }
    return render(request, "childcare/problems.html", context)


@scoped_view(capability="childcare.view")
def checklist(request: HttpRequest) -> HttpResponse:
    """The checklist; the county (and above) adds, rewords, rescores, reorders or retires items.
    Inspections already made keep the items as they were scored."""
    user = signed_in_user(request)
    may_manage = services.may_manage_checklist(user)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(gettext("检查项目由县级及以上计生协设置。"))
        _checklist_post(request)
        return redirect("childcare:checklist")
    context = {
        "items": selectors.checklist(),
        "may_manage": may_manage,
        "add_form": forms.ChecklistAddForm(),
    }
    return render(request, "childcare/checklist.html", context)


def _checklist_post(request: HttpRequest) -> None:
    user = signed_in_user(request)
    if "item" not in request.POST:
        add = forms.ChecklistAddForm(request.POST)
        if not add.is_valid():
            messages.error(request, form_errors(add))
            return
        try:
            item = services.checklist_item_add(actor=user, **add.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已增加检查项目：%(text)s") % {"text": item.text})
        return
    edit = forms.ChecklistEditForm(request.POST)
    found = selectors.checklist_item(request.POST.get("item"))
    if found is None or not edit.is_valid():
        messages.error(request, form_errors(edit) or gettext("检查项目不存在。"))
        return
    data = dict(edit.cleaned_data)
    data.pop("item")
    try:
        services.checklist_item_update(actor=user, item=found, **data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已保存检查项目。"))
