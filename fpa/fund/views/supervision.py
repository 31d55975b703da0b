"""Staff pages of social supervision (feedback) and the fund's report."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.requests import signed_in_user
from fpa.core import jobs
from fpa.core.actions import post_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import Text
from fpa.fund import forms, selectors, services
from fpa.fund import jobs as fund_jobs
from fpa.fund.models import Feedback
from fpa.fund.views.common import _fund_or_404, _period

# --- staff: supervision, reports ---------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def feedback_list(request: HttpRequest) -> HttpResponse:
    open_only = request.GET.get("open") == "1"
    held_only = request.GET.get("held") == "1"
    page = selectors.feedback_list(
        user=signed_in_user(request),
        open_only=open_only,
        held_only=held_only,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    held = [f for f in page.items if f.status == Feedback.Status.HELD]
    context = {
        "page": page,
        "open_only": open_only,
        "held_only": held_only,
        "warnings": selectors.feedback_warnings(user=signed_in_user(request), items=held),
        "today": timezone.localdate(),
        "form": forms.ReplyForm(),
    }
    return render(request, "fund/feedback.html", context)


@scoped_view(capability="fund.view", model=Feedback)
@require_POST
def feedback_reply(request: HttpRequest, pk: Feedback) -> HttpResponse:
    form = forms.ReplyForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.feedback_reply(
            actor=signed_in_user(request), feedback=pk, **form.cleaned_data
        ),
        done=gettext("已答复，答复将在公开页显示。"),
        then="fund:feedback",
        invalid=gettext("请填写答复内容（不超过 1000 字）。"),
    )


REVIEW_ACTIONS: dict[str, tuple[Callable[..., Feedback], Text]] = {
    "publish": (services.feedback_publish, _("已公开。")),
    "refuse": (services.feedback_refuse, _("已设为未通过，提交人可看到原因。")),
    "take_down": (services.feedback_take_down, _("已从公开页撤下，提交人可看到原因。")),
}


@scoped_view(capability="fund.view", model=Feedback)
@require_POST
def feedback_review(request: HttpRequest, pk: Feedback) -> HttpResponse:
    action = REVIEW_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, gettext("未知的审核操作。"))
        return redirect("fund:feedback")
    service, done = action
    try:
        service(
            actor=signed_in_user(request), feedback=pk, reason=request.POST.get("reason", "")[:300]
        )
        messages.success(request, str(done))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("fund:feedback")


@scoped_view(capability="fund.view")
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    fund = _fund_or_404(signed_in_user(request))
    start, end, year, month = _period(request)
    if request.GET.get("download") == "xlsx":  # the workbook is built by a background job
        period = (
            gettext("%(year)s年%(month)s月") % {"year": year, "month": month}
            if month
            else (gettext("%(year)s年度") % {"year": year})
        )
        job = jobs.job_enqueue(
            kind=fund_jobs.STATEMENT,
            actor=signed_in_user(request),
            title=gettext("收支表：%(fund)s %(period)s") % {"fund": fund.name, "period": period},
            params={"fund": fund.pk, "year": year, "month": month},
        )
        return redirect(jobs.job_url(job))
    statement = selectors.statement(fund, start, end)
    context = {
        "fund": fund,
        "statement": statement,
        "year": year,
        "month": month,
        "staff": True,
        "months": range(1, 13),
    }
    return render(request, "fund/report.html", context)
