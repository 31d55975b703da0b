"""The register: list, application, pending approvals, one member's page and its actions."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors as activity_selectors
from fpa.core.actions import form_action, post_action
from fpa.core.forms import ReopenForm
from fpa.core.reveal import reveal_response
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest
from fpa.members import forms, selectors, services
from fpa.members.models import Member
from fpa.members.views.common import (
    AREA_KINDS,
    MEMBER,
    _area,
    _form_page,
    _holders,
    _may_decide,
    _may_reopen,
)
from fpa.organizations import selectors as org_selectors

# --- the register -----------------------------------------------------------------------------


@scoped_view(capability="member.view")
def member_list(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.MemberFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area, foreign = _area(request)
    code_given = bool(request.GET.get("code"))
    status = data.get("status", "") if "status" in request.GET else Member.Status.ACTIVE
    page = selectors.member_list(
        user=user,
        association=area if code_given else None,
        status=status,
        kind=data.get("kind", ""),
        query=data.get("q", ""),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "area": area if code_given else None,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "status": status,
        "can_edit": user.has_capability("member.edit"),
        "can_approve": user.has_capability("member.approve"),
    }
    template = "members/_rows.html" if request.htmx else "members/list.html"
    return render(request, template, context)


@scoped_view(capability="member.edit")
def apply(request: HttpRequest) -> HttpResponse:
    form = forms.ApplyForm(request.POST or None, associations=_holders(signed_in_user(request)))
    return form_action(
        request,
        form,
        call=lambda form: services.member_apply(actor=signed_in_user(request), **form.cleaned_data),
        done=lambda member: (
            gettext("已登记 %(name)s 的入会申请，等待理事会审批。") % {"name": member.name}
        ),
        then=lambda member: ("members:detail", member.pk),
        page=lambda: render(
            request, "members/form.html", {"form": form, "title": gettext("入会申请")}
        ),
    )


@scoped_view(capability="member.approve")
def pending(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = [
        {"member": m, "may_decide": _may_decide(user, m.association)}
        for m in selectors.pending_list(user=user)
    ]
    return render(request, "members/pending.html", {"rows": rows, "today": timezone.localdate()})


@scoped_view(capability="member.view", **MEMBER)
def detail(request: HttpRequest, pk: Member) -> HttpResponse:
    member, user = pk, signed_in_user(request)
    context = {
        "member": member,
        **selectors.member_detail(user=user, member=member),
        "can_edit": user.has_capability("member.edit") and member.status in Member.LIVE,
        "can_decide": member.status == Member.Status.PENDING
        and _may_decide(user, member.association),
        "can_reveal": user.has_capability("personal.reveal"),
        "reject_form": forms.RejectForm(),
        "can_reopen": member.status == Member.Status.REJECTED and _may_reopen(user),
        "has_card": member.status == Member.Status.ACTIVE and bool(member.card_code),
        "participation": activity_selectors.member_participation(user=user, member=member),
    }
    return render(request, "members/detail.html", context)


@scoped_view(capability="member.edit", **MEMBER, as_="member")
def edit(request: HttpRequest, member: Member) -> HttpResponse:
    form = forms.EditForm(request.POST or None, member=member)
    title = gettext("修改会员信息：%(name)s") % {"name": member.name}
    return form_action(
        request,
        form,
        call=lambda form: services.member_update(
            actor=signed_in_user(request),
            member=member,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        done=gettext("已保存。"),
        then=("members:detail", member.pk),
        page=lambda: _form_page(request, form, title, member),
    )


@scoped_view(capability="member.approve", **MEMBER, as_="member")
def approve(request: HttpRequest, member: Member) -> HttpResponse:
    """理事会审批: the meeting date and the resolution number are required."""
    form = forms.ApproveForm(
        request.POST or None,
        applied_on=member.applied_on,
        initial={"council_meeting_on": timezone.localdate()},
    )
    title = gettext("理事会批准入会：%(name)s") % {"name": member.name}
    note = gettext("申请日期：%(day)s。批准日期即理事会会议日期。") % {
        "day": member.applied_on.isoformat()
    }
    return form_action(
        request,
        form,
        call=lambda form: services.member_approve(
            actor=signed_in_user(request), member=member, **form.cleaned_data
        ),
        done=lambda approved: (
            gettext("已批准入会，会员证号 %(card)s。") % {"card": approved.card_number}
        ),
        then=("members:detail", member.pk),
        page=lambda: _form_page(
            request,
            form,
            title,
            member,
            note=note,
            confirm=gettext("批准后即成为正式会员并编发会员证号。确定批准吗？"),
        ),
    )


@require_POST
@scoped_view(capability="member.approve", **MEMBER, as_="member")
def reopen(request: HttpRequest, member: Member) -> HttpResponse:
    """A refused application back before the council (the township or the county, a reason)."""
    form = ReopenForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.member_reopen(
            actor=signed_in_user(request), member=member, **form.cleaned_data
        ),
        done=gettext("已重新打开申请，等待理事会重新审批。"),
        then=("members:detail", member.pk),
        invalid=gettext("请填写重新打开的原因。"),
    )


@scoped_view(capability="member.view", **MEMBER, as_="member")
def card(request: HttpRequest, member: Member) -> HttpResponse:
    """会员证 to print: one card per A4 page at the real card size, its QR code opening the
    public check; the photo box on request (?photo=1)."""
    printable = member.status == Member.Status.ACTIVE and bool(member.card_code)
    context = {
        "member": member,
        "printable": printable,
        "photo": request.GET.get("photo") == "1",
        "check_path": reverse("members:check", args=[member.card_code]) if printable else "",
    }
    return render(request, "members/card.html", context)


@scoped_view(capability="member.approve", **MEMBER, as_="member")
def reject(request: HttpRequest, member: Member) -> HttpResponse:
    form = forms.RejectForm(request.POST or None)
    title = gettext("不予批准：%(name)s") % {"name": member.name}
    return form_action(
        request,
        form,
        call=lambda form: services.member_reject(
            actor=signed_in_user(request), member=member, **form.cleaned_data
        ),
        done=gettext("已记录不予批准及原因。"),
        then=("members:detail", member.pk),
        page=lambda: _form_page(
            request,
            form,
            title,
            member,
            confirm=gettext("不予批准后申请终止，申请人可以重新申请。确定吗？"),
        ),
    )


@scoped_view(capability="member.edit", **MEMBER, as_="member")
def status(request: HttpRequest, member: Member) -> HttpResponse:
    form = forms.StatusForm(request.POST or None, initial={"effective_date": timezone.localdate()})
    note = gettext("当前状态：%(status)s。转会请使用“转会”。") % {
        "status": member.get_status_display()
    }
    title = gettext("变更会员状态：%(name)s") % {"name": member.name}
    return form_action(
        request,
        form,
        call=lambda form: services.member_change_status(
            actor=signed_in_user(request), member=member, **form.cleaned_data
        ),
        done=gettext("状态已变更，变更记录已保存。"),
        then=("members:detail", member.pk),
        page=lambda: _form_page(request, form, title, member, note=note),
    )


@scoped_view(capability="member.edit", **MEMBER, as_="member")
def transfer(request: HttpRequest, member: Member) -> HttpResponse:
    form = forms.TransferForm(request.POST or None)
    note = gettext(
        "对方协会接收前，会员仍属本协会；对方只能看到姓名、性别、出生年份、会员类型和转会原因。"
    )
    title = gettext("转会：%(name)s") % {"name": member.name}
    return form_action(
        request,
        form,
        call=lambda form: services.transfer_request(
            actor=signed_in_user(request),
            member=member,
            to_association=form.cleaned_data["to_code"],
            reason=form.cleaned_data["reason"],
        ),
        done=lambda item: (
            gettext("已向%(association)s发出转会申请，等待对方接收。")
            % {"association": item.to_association.name}
        ),
        then=lambda item: ("members:transfer_detail", item.pk),
        page=lambda: _form_page(request, form, title, member, note=note),
        on_error=lambda form, exc: exc.add_to(form, {"to_association": "to_code"}),
    )


@scoped_view(capability="member.edit", **MEMBER, as_="member")
def group(request: HttpRequest, member: Member) -> HttpResponse:
    groups = selectors.open_groups(user=signed_in_user(request), association=member.association)
    form = forms.GroupAssignForm(
        request.POST or None, groups=groups, initial={"group": member.group_id}
    )

    @transaction.atomic  # the group and the leader, or neither
    def assign(form: forms.GroupAssignForm) -> None:
        chosen = form.cleaned_data["group"]
        services.group_assign(actor=signed_in_user(request), member=member, group=chosen)
        if chosen is not None and form.cleaned_data["leader"]:
            member.refresh_from_db()
            services.group_set_leader(actor=signed_in_user(request), group=chosen, leader=member)

    title = gettext("会员小组：%(name)s") % {"name": member.name}
    return form_action(
        request,
        form,
        call=assign,
        done=gettext("已保存。"),
        then=("members:detail", member.pk),
        page=lambda: _form_page(request, form, title, member),
    )


@require_POST
@scoped_view(capability="member.view", **MEMBER)
def reveal(request: HttpRequest, pk: Member, field: str) -> HttpResponse:
    return reveal_response(
        request, pk, field, allowed=("id_number", "phone"), scope_path=pk.association.path
    )
