"""Staff pages of grants: list, new, a grant's page and each step."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.requests import signed_in_user
from fpa.core import uploads
from fpa.core.actions import form_action, form_errors, post_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.fund import forms, selectors, services
from fpa.fund.models import Grant, GrantAttachment
from fpa.fund.views.common import _back
from fpa.organizations import selectors as org_selectors

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- staff: using ------------------------------------------------------------------------------


def _figure_filter(request: HttpRequest, user: User) -> tuple[selectors.FigureFilter | None, bool]:
    """?code=&figure=&from=&to=: the grants behind an annual work report figure (click-through),
    and whether its area lies outside the scope (then nothing is listed). Malformed: ignored."""
    figure = request.GET.get("figure") or ""
    if figure not in selectors.REPORT_FIGURES:
        return None, False
    try:
        first = datetime.date.fromisoformat((request.GET.get("from") or "")[:10])
        last = datetime.date.fromisoformat((request.GET.get("to") or "")[:10])
    except ValueError:
        return None, False
    code = (request.GET.get("code") or "")[:32]
    area = org_selectors.association_choices(user=user).filter(code=code).first()
    if area is None:
        return None, True
    if first > last:
        return None, False
    return selectors.FigureFilter(area=area, figure=figure, first=first, last=last), False


@scoped_view(capability="fund.view")
@require_safe
def grant_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Grant.Status.values else ""
    step = request.GET.get("step", "")
    step = step if step in selectors.STEP_STATUSES else ""
    mine = request.GET.get("mine") == "1"
    user = signed_in_user(request)
    figure, foreign = _figure_filter(request, user)
    page = selectors.grant_list(
        user=user,
        status=status,
        mine=mine,
        step=step,
        figure=figure,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "page": page,
        "figure": figure,
        "foreign": foreign,
        "status": status,
        "step": step,
        "mine": mine,
        "statuses": Grant.Status.choices,
    }
    return render(request, "fund/grants.html", context)


@scoped_view(capability="fund.apply")
def grant_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    families, areas = selectors.grant_choices(user)
    form = forms.GrantForm(request.POST or None, families=families, areas=areas)

    def apply(form: forms.GrantForm) -> Grant:
        data = dict(form.cleaned_data)
        association = data.pop("association") or user.home_association
        if association is None:
            raise ServiceError(gettext("请选择所属协会。"), field="association")
        return services.grant_apply(actor=user, association=association, **data)

    return form_action(
        request,
        form,
        call=apply,
        done=lambda grant: gettext("申请已提交，编号 %(number)s。") % {"number": grant.number},
        then=lambda grant: ("fund:grant_detail", grant.pk),
        page=lambda: render(
            request, "fund/form.html", {"form": form, "title": gettext("资助申请")}
        ),
    )


@scoped_view(capability="fund.view", model=Grant, as_="grant")
@require_safe
def grant_detail(request: HttpRequest, grant: Grant) -> HttpResponse:
    user = signed_in_user(request)
    version = {"version": grant.version}
    step = selectors.next_step(user=user, grant=grant)
    context = {
        "grant": grant,
        "fund": grant.fund,
        "step": step,
        "history": selectors.grant_history(grant),
        "attachments": selectors.attachments_of(grant),
        "attachment_form": forms.AttachmentForm() if services.may_attach(user, grant) else None,
        "objections_open": selectors.open_objections(grant).count(),
        "feedback": grant.feedback.select_related("owner").order_by("-id")[:50],
        "can_review": step.allowed and step.step == "review",
        "can_approve": step.allowed and step.step == "approve",
        "can_pay": step.allowed and step.step == "pay",
        "can_close": step.allowed and step.step == "close",
        "decision_form": forms.DecisionForm(initial=version),
        "pay_form": forms.PayForm(
            initial={
                **version,
                "paid_on": timezone.localdate(),
                "source_account": services.account(services.BANK),
            }
        ),
        "close_form": forms.CloseForm(initial=version),
    }
    return render(request, "fund/grant_detail.html", context)


class _Decision(Protocol):
    """A review or approval step (`services.grant_review`, `services.grant_approve`)."""

    def __call__(
        self,
        *,
        actor: User,
        grant: Grant,
        approve: bool,
        note: str = "",
        version: int | None = None,
    ) -> Grant: ...


def _decide(
    request: HttpRequest, grant: Grant, service: _Decision, done: str | Callable[[Grant], str]
) -> HttpResponse:
    return post_action(
        request,
        forms.DecisionForm(request.POST),
        call=lambda form: service(
            actor=signed_in_user(request),
            grant=grant,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        ),
        done=done,
        then=("fund:grant_detail", grant.pk),
        invalid=gettext("请选择同意或不同意。"),
    )


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_review(request: HttpRequest, pk: Grant) -> HttpResponse:
    return _decide(request, pk, services.grant_review, gettext("已审核。"))


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_approve(request: HttpRequest, pk: Grant) -> HttpResponse:
    return _decide(request, pk, services.grant_approve, _approved)


def _approved(grant: Grant) -> str:
    if grant.status == Grant.Status.NOTICE:
        return gettext(
            "已批准，公示已开始（至 %(date)s）。公示期满且异议均已答复后，由财务支付。"
        ) % {"date": f"{grant.notice_until:%Y-%m-%d}"}
    if grant.status == Grant.Status.APPROVED:
        return gettext("已批准，转财务支付。")
    return gettext("已审批。")


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_pay(request: HttpRequest, pk: Grant) -> HttpResponse:
    return post_action(
        request,
        forms.PayForm(request.POST),
        call=lambda form: services.grant_pay(
            actor=signed_in_user(request), grant=pk, **form.cleaned_data
        ),
        done=lambda grant: (
            gettext("已支付，公示已开始。")
            if grant.in_notice()
            else gettext("已支付。公示期已满，可以办结。")
        ),
        then=("fund:grant_detail", pk.pk),
        invalid=gettext("请选择付款账户并填写支付日期。"),
    )


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_close(request: HttpRequest, pk: Grant) -> HttpResponse:
    form = forms.CloseForm(request.POST)
    try:
        version = form.cleaned_data["version"] if form.is_valid() else None
        services.grant_close(actor=signed_in_user(request), grant=pk, version=version)
        messages.success(request, gettext("已办结。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(pk)


# --- staff: a grant's files ----------------------------------------------------------------------
# Served only here, to staff who may open the grant (fund.view in its scope): the files are in
# MEDIA_ROOT under VAR_DIR, which no URL and no static-file server exposes.


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_attachment_add(request: HttpRequest, pk: Grant) -> HttpResponse:
    form = forms.AttachmentForm(request.POST, request.FILES)
    return post_action(
        request,
        form,
        call=lambda form: services.grant_attachment_add(
            actor=signed_in_user(request),
            grant=pk,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        ),
        done=lambda item: gettext("已上传附件：%(kind)s。") % {"kind": item.get_kind_display()},
        then=("fund:grant_detail", pk.pk),
        invalid=form_errors,
    )


@scoped_view(capability="fund.view", model=GrantAttachment, as_="attachment")
@require_safe
def grant_attachment(request: HttpRequest, attachment: GrantAttachment) -> FileResponse:
    """The stored (checked) file, as a download."""
    return uploads.file_response(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.download_name,
    )
