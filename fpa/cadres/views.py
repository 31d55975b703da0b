"""Pages of the cadres' contact points: the month's overview per cadre (who has not been to
their points, click-through to those points), the points list with the assign form, a point's
page with its visits and findings, and the actions on them (log a visit, end a point, close a
finding: solved, passed on, a need of the family, or a reform task)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.cadres import excel as cadre_excel
from fpa.cadres import forms, selectors, services
from fpa.cadres import jobs as cadre_jobs
from fpa.cadres.models import ContactPoint, Finding
from fpa.core.actions import form_action, post_action
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.jobs import job_url
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import ObjectLookup
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.tasks import selectors as task_selectors

POINT: ObjectLookup = {"model": ContactPoint}
FINDING: ObjectLookup = {"model": Finding}


def _cadre_id(request: HttpRequest) -> int | None:
    raw = (request.GET.get("cadre") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@scoped_view(capability="cadre.view")
def overview(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    month = selectors.month_of(request.GET.get("month"), today=timezone.localdate())
    rows = selectors.overview(user=user, month=month)
    return render(
        request,
        "cadres/overview.html",
        {
            "month": month,
            "rows": rows,
            "totals": {
                "points": sum(r.points for r in rows),
                "visited": sum(r.visited for r in rows),
                "unvisited": sum(r.unvisited for r in rows),
                "visits": sum(r.visits for r in rows),
            },
            "can_assign": user.has_capability("cadre.assign"),
        },
    )


@scoped_view(capability="cadre.view")
def export(request: HttpRequest) -> HttpResponse:
    """The month's visits as a workbook (a background job, then its page offers the file)."""
    user = signed_in_user(request)
    month = selectors.month_of(request.GET.get("month"), today=timezone.localdate())
    job = exports.start_export(
        kind=cadre_jobs.EXPORT,
        actor=user,
        title=exports.export_title(cadre_excel.VISIT_SHEET, suffix=f" {month.key}"),
        params={"month": month.key},
    )
    return redirect(job_url(job))


@scoped_view(capability="cadre.view")
def point_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    today = timezone.localdate()
    unvisited = (
        selectors.month_of(request.GET.get("month"), today=today)
        if request.GET.get("unvisited") == "1"
        else None
    )
    cadre = _cadre_id(request)
    rows = list(selectors.points(user=user, cadre=cadre, unvisited=unvisited)[:500])
    form = None
    if user.has_capability("cadre.assign"):
        form = _assign_form(request, user)
    return render(
        request,
        "cadres/points.html",
        {"rows": rows, "form": form, "unvisited": unvisited, "cadre": cadre, "user": user},
    )


def _assign_form(request: HttpRequest, user: object) -> forms.AssignForm:
    villages = org_selectors.association_choices(
        user=signed_in_user(request), kinds=(Association.Kind.VILLAGE,)
    )
    return forms.AssignForm(
        request.POST or None,
        cadres=selectors.cadre_choices(user=signed_in_user(request)),
        villages=villages,
    )


@scoped_view(capability="cadre.assign")
@require_POST
def point_assign(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = _assign_form(request, user)

    def call(form: forms.AssignForm) -> ContactPoint:
        family = None
        if form.cleaned_data.get("family"):
            family = selectors.family_in_scope(user=user, pk=form.cleaned_data["family"])
            if family is None:
                raise ServiceError(gettext("该家庭不存在或不在您的管辖范围内。"), field="family")
        return services.point_assign(
            actor=user,
            cadre=form.cleaned_data["cadre"],
            association=None if family else form.cleaned_data["association"],
            family=family,
            start_date=form.cleaned_data.get("start_date"),
            note=form.cleaned_data.get("note", ""),
        )

    return form_action(
        request,
        form,
        call=call,
        done=gettext("已确定联系点。"),
        then=lambda point: ("cadres:point", point.pk),
        page=lambda: render(
            request,
            "cadres/points.html",
            {
                "rows": list(selectors.points(user=user)[:500]),
                "form": form,
                "unvisited": None,
                "cadre": None,
            },
        ),
    )


@scoped_view(capability="cadre.view", **POINT)
def point(request: HttpRequest, pk: ContactPoint) -> HttpResponse:
    user = signed_in_user(request)
    data = selectors.point_detail(point=pk)
    is_cadre = pk.cadre_id == user.pk and user.has_capability("cadre.visit")
    return render(
        request,
        "cadres/point.html",
        {
            "point": pk,
            **data,
            "visit_form": forms.VisitForm(initial={"visited_on": timezone.localdate()})
            if is_cadre and pk.is_current
            else None,
            "can_end": user.has_capability("cadre.assign") and pk.is_current,
            # A finding can become a task of the township for whoever may set tasks.
            "measures": list(task_selectors.measure_choices(user=user))
            if user.has_capability("task.manage")
            else [],
            "can_close": [
                f.pk
                for v in data["visits"]
                for f in v.findings.all()
                if f.status == Finding.Status.RAISED and services.may_close(user, f)
            ],
        },
    )


@scoped_view(capability="cadre.visit", **POINT)
@require_POST
def visit_log(request: HttpRequest, pk: ContactPoint) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.VisitForm(request.POST)
    return form_action(
        request,
        form,
        call=lambda form: services.visit_log(
            actor=user,
            point=pk,
            visited_on=form.cleaned_data["visited_on"],
            method=form.cleaned_data["method"],
            summary=form.cleaned_data["summary"],
            findings=form.problems(),
        ),
        done=gettext("已记录走访。"),
        then=("cadres:point", pk.pk),
        page=lambda: render(
            request,
            "cadres/point.html",
            {
                **selectors.point_detail(point=pk),
                "point": pk,
                "visit_form": form,
                "can_end": False,
                "can_close": [],
            },
        ),
    )


@scoped_view(capability="cadre.assign", **POINT)
@require_POST
def point_end(request: HttpRequest, pk: ContactPoint) -> HttpResponse:
    user = signed_in_user(request)
    return post_action(
        request,
        forms.EndForm(request.POST),
        call=lambda form: services.point_end(
            actor=user, point=pk, end_date=form.cleaned_data.get("end_date")
        ),
        done=gettext("联系点已结束。"),
        then=("cadres:point", pk.pk),
        invalid=gettext("请填写正确的结束日期。"),
    )


def _finding_action(request: HttpRequest, finding: Finding, action: str) -> HttpResponse:
    user = signed_in_user(request)
    then = ("cadres:point", finding.visit.point_id)
    if action == "solve":
        return post_action(
            request,
            forms.SolveForm(request.POST),
            call=lambda form: services.finding_solve(
                actor=user,
                finding=finding,
                outcome=form.cleaned_data["outcome"],
                version=form.cleaned_data.get("version"),
            ),
            done=gettext("已标记为解决。"),
            then=then,
            invalid=gettext("请填写解决情况。"),
        )
    if action == "pass":
        return post_action(
            request,
            forms.PassOnForm(request.POST),
            call=lambda form: services.finding_pass_on(
                actor=user,
                finding=finding,
                passed_to=form.cleaned_data["passed_to"],
                outcome=form.cleaned_data.get("outcome", ""),
                version=form.cleaned_data.get("version"),
            ),
            done=gettext("已转交。"),
            then=then,
            invalid=gettext("请填写转交的单位。"),
        )
    if action == "need":
        form = forms.ToNeedForm(request.POST)
        if form.is_valid():
            try:
                need = services.finding_to_need(
                    actor=user,
                    finding=finding,
                    due_date=form.cleaned_data.get("due_date"),
                    version=form.cleaned_data.get("version"),
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("已转为家庭需求。"))
                return redirect("families:detail", need.family_id)
        else:
            messages.error(request, gettext("请填写正确的办结期限。"))
        return redirect(*then)
    if action == "task":
        to_task = forms.ToTaskForm(request.POST, measures=task_selectors.measure_choices(user=user))
        if to_task.is_valid():
            try:
                task = services.finding_to_task(
                    actor=user,
                    finding=finding,
                    measure=to_task.cleaned_data["measure"],
                    deadline=to_task.cleaned_data["deadline"],
                    version=to_task.cleaned_data.get("version"),
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("已转为改革任务。"))
                return redirect("tasks:detail", task.pk)
        else:
            messages.error(request, gettext("请选择改革措施并填写正确的完成时限。"))
        return redirect(*then)
    raise ValueError(action)


@scoped_view(capability="cadre.view", **FINDING)
@require_POST
def finding_solve(request: HttpRequest, pk: Finding) -> HttpResponse:
    return _finding_action(request, pk, "solve")


@scoped_view(capability="cadre.view", **FINDING)
@require_POST
def finding_pass(request: HttpRequest, pk: Finding) -> HttpResponse:
    return _finding_action(request, pk, "pass")


@scoped_view(capability="cadre.view", **FINDING)
@require_POST
def finding_need(request: HttpRequest, pk: Finding) -> HttpResponse:
    return _finding_action(request, pk, "need")


@scoped_view(capability="cadre.view", **FINDING)
@require_POST
def finding_task(request: HttpRequest, pk: Finding) -> HttpResponse:
    return _finding_action(request, pk, "task")
