"""The steps of an activity, each posted from its page to its own address: approve, hold,
correct the counts, summarise (亮点), cancel, media reports, volunteers, phone sign-in.

A step with a form (hold, counts, summary, cancel, media, volunteers) also answers GET with its
form alone, and shows a refused POST there with the service's message on its field; the one-click
steps (approve, sign-in, remove a report) go back to the activity's page with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.forms import activities as forms
from fpa.activities.models import Activity
from fpa.activities.views.activities import ACTIVITY, hold_initial
from fpa.core.actions import form_action, post_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import Text


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version") or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _step(
    request: HttpRequest,
    activity: Activity,
    form: django_forms.BaseForm,
    *,
    title: Text,
    call: Callable[[Any], object],
    done: str,
    note: Text = "",
    template: str = "activities/activity_step.html",
) -> HttpResponse:
    """One step with a form: the service on a valid POST, then back to the activity's page."""
    context = {"activity": activity, "form": form, "title": title, "note": note}
    return form_action(
        request,
        form,
        call=call,
        done=done,
        then=("activities:detail", activity.pk),
        page=lambda: render(request, template, context),
    )


def _back(activity: Activity) -> tuple[str, int]:
    return ("activities:detail", activity.pk)


@require_POST
@scoped_view(capability="activity.approve", **ACTIVITY, as_="activity")
def approve(request: HttpRequest, activity: Activity) -> HttpResponse:
    """A superior approves a planned activity (the service refuses the organiser itself)."""
    user, version = signed_in_user(request), _version(request)
    return post_action(
        request,
        django_forms.Form(request.POST),
        call=lambda _f: services.activity_approve(actor=user, activity=activity, version=version),
        done=gettext("已批准，可以按计划开展。"),
        then=_back(activity),
    )


@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def hold(request: HttpRequest, activity: Activity) -> HttpResponse:
    user, version = signed_in_user(request), _version(request)
    form = forms.HoldForm(
        request.POST or None, risky=activity.risky, initial=hold_initial(activity)
    )
    note = ""
    if activity.risky:
        note = gettext("本活动有人身风险：须确认已为参加人员投保意外险，并填写保单号或说明。")
    return _step(
        request,
        activity,
        form,
        title=gettext("登记开展情况：%(title)s") % {"title": activity.title},
        call=lambda f: services.activity_hold(
            actor=user, activity=activity, version=version, **f.hold_values()
        ),
        done=gettext("已登记为已开展，参加人数已计入统计。"),
        note=note,
        template="activities/activity_hold.html",
    )


@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def counts(request: HttpRequest, activity: Activity) -> HttpResponse:
    user, version = signed_in_user(request), _version(request)
    initial = {name: getattr(activity, name) for name in forms.COUNTS}
    form = forms.CountsForm(request.POST or None, initial=initial)
    return _step(
        request,
        activity,
        form,
        title=gettext("更正参加人数：%(title)s") % {"title": activity.title},
        call=lambda f: services.activity_record_counts(
            actor=user, activity=activity, version=version, **f.counts()
        ),
        done=gettext("已更正，统计已随之调整。"),
        template="activities/activity_hold.html",
    )


@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def summarise(request: HttpRequest, activity: Activity) -> HttpResponse:
    user, version = signed_in_user(request), _version(request)
    initial = {"summary": activity.summary, "highlight": activity.highlight}
    form = forms.SummaryForm(request.POST or None, initial=initial)
    return _step(
        request,
        activity,
        form,
        title=gettext("活动总结：%(title)s") % {"title": activity.title},
        call=lambda f: services.activity_summarise(
            actor=user, activity=activity, version=version, **f.cleaned_data
        ),
        done=gettext("已保存总结。"),
    )


@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def cancel(request: HttpRequest, activity: Activity) -> HttpResponse:
    user, version = signed_in_user(request), _version(request)
    form = forms.CancelForm(request.POST or None)
    return _step(
        request,
        activity,
        form,
        title=gettext("取消活动：%(title)s") % {"title": activity.title},
        call=lambda f: services.activity_cancel(
            actor=user, activity=activity, version=version, reason=f.cleaned_data["reason"]
        ),
        done=gettext("活动已取消。"),
    )


@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def media_add(request: HttpRequest, activity: Activity) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.MediaForm(request.POST or None, request.FILES or None)
    return _step(
        request,
        activity,
        form,
        title=gettext("登记媒体报道：%(title)s") % {"title": activity.title},
        call=lambda f: services.media_add(actor=user, activity=activity, **f.cleaned_data),
        done=gettext("已登记媒体报道。"),
    )


@require_POST
@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def media_remove(request: HttpRequest, activity: Activity) -> HttpResponse:
    """Remove one of the activity's media reports (the figures go down with it); a report of
    another activity, or none, is refused with a message and nothing changes."""
    user = signed_in_user(request)
    form = forms.MediaRemoveForm(request.POST)

    def remove(form: forms.MediaRemoveForm) -> None:
        found = (
            selectors.media_of(user=user, activity=activity)
            .filter(pk=form.cleaned_data["report"])
            .first()
        )
        if found is None:
            raise ServiceError(gettext("该媒体报道不存在或已删除。"))
        services.media_remove(actor=user, report=found, reason=form.cleaned_data["reason"])

    return post_action(
        request,
        form,
        call=remove,
        done=gettext("已删除该媒体报道。"),
        then=_back(activity),
        invalid=gettext("请选择要删除的媒体报道；删除原因不能超过300个字。"),
    )


@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def volunteers(request: HttpRequest, activity: Activity) -> HttpResponse:
    """Ask for volunteers: the volunteers module's service for this activity, where volunteers
    are assigned and their hours recorded (the only way hours are kept)."""
    user = signed_in_user(request)
    form = forms.VolunteersForm(request.POST or None)
    return _step(
        request,
        activity,
        form,
        title=gettext("安排志愿服务：%(title)s") % {"title": activity.title},
        call=lambda f: services.activity_request_volunteers(
            actor=user, activity=activity, **f.cleaned_data
        ),
        done=gettext("已在志愿者模块建立服务活动，请在那里安排志愿者并登记服务时长。"),
        note=gettext("服务时长只在志愿者模块登记和确认，不在活动中重复登记。"),
    )


@require_POST
@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def signin_open(request: HttpRequest, activity: Activity) -> HttpResponse:
    user = signed_in_user(request)
    return post_action(
        request,
        django_forms.Form(request.POST),
        call=lambda _f: services.signin_open(actor=user, activity=activity),
        done=gettext("已开放手机签到。"),
        then=_back(activity),
    )


@require_POST
@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def signin_close(request: HttpRequest, activity: Activity) -> HttpResponse:
    user = signed_in_user(request)
    return post_action(
        request,
        django_forms.Form(request.POST),
        call=lambda _f: services.signin_close(actor=user, activity=activity),
        done=gettext("已关闭手机签到。"),
        then=_back(activity),
    )
