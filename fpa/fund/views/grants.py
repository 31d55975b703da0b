"""Staff pages of grants: list, new, a grant's page and each step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action, post_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.fund import forms, selectors, services
from fpa.fund.models import Grant
from fpa.fund.views.common import _back

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- staff: using ------------------------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def grant_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Grant.Status.values else ""
    mine = request.GET.get("mine") == "1"
    page = selectors.grant_list(
        user=signed_in_user(request),
        status=status,
        mine=mine,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {"page": page, "status": status, "mine": mine, "statuses": Grant.Status.choices}
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
    context = {
        "grant": grant,
        "feedback": grant.feedback.select_related("owner").order_by("-id")[:50],
        "can_review": user.has_capability("fund.review") and grant.status == Grant.Status.SUBMITTED,
        "can_approve": user.has_capability("fund.approve")
        and grant.status == Grant.Status.REVIEWED,
        "can_pay": user.has_capability("fund.pay") and grant.status == Grant.Status.APPROVED,
        "can_close": user.has_capability("fund.approve") and grant.status == Grant.Status.PAID,
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


def _decide(request: HttpRequest, grant: Grant, service: _Decision, done: str) -> HttpResponse:
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
    return _decide(request, pk, services.grant_approve, gettext("已审批。"))


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_pay(request: HttpRequest, pk: Grant) -> HttpResponse:
    return post_action(
        request,
        forms.PayForm(request.POST),
        call=lambda form: services.grant_pay(
            actor=signed_in_user(request), grant=pk, **form.cleaned_data
        ),
        done=gettext("已支付，公示已开始。"),
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
