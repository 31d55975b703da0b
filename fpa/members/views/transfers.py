"""Transfers between associations, from both sides."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.accounts.requests import signed_in_user
from fpa.core.errors import ServiceError
from fpa.core.scope import in_scope, scoped_view
from fpa.core.transfer_pages import TransferPages, lists_page
from fpa.members import forms, selectors, services
from fpa.members.models import Transfer
from fpa.members.services.transfers import MEMBERS

# --- transfers --------------------------------------------------------------------------------


# The list, its filters, sorts, pages and export are the shared transfer lists; the transfer's
# own page stays the members' (it shows the card number and the council's decision).
PAGES = TransferPages(
    kind=MEMBERS,
    title=_("会员转会"),
    intro=_(
        "转出协会发起，转入协会接收或拒绝。接收前，转入协会只能看到姓名、性别、出生年份、"
        "会员类型和转会原因。"
    ),
    subject_label=_("会员"),
    list_url="members:transfers",
    detail_url="members:transfer_detail",
    subject_url="members:detail",
    summary=lambda transfer, sending: [],
    accepted=lambda transfer, new: (
        gettext("已接收，新会员证号 %(card)s。") % {"card": new.card_number}
    ),
    after_accept=lambda transfer, new: ("members:detail", new.pk),
    view_capability="member.view",
)


@scoped_view(capability="member.view")
def transfers(request: HttpRequest) -> HttpResponseBase:
    return lists_page(request, PAGES)


@scoped_view(capability="member.view", model=Transfer)
def transfer_detail(request: HttpRequest, pk: Transfer) -> HttpResponse:
    item, user = pk, signed_in_user(request)
    receiving = in_scope(user, item.to_association)
    sending = in_scope(user, item.from_association)
    open_ = item.status == Transfer.Status.REQUESTED
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST":
        if not open_:
            messages.error(request, gettext("该转会申请已处理。"))
            return redirect("members:transfer_detail", pk=item.pk)
        action = request.POST.get("decision")
        if action == "cancel" and sending and user.has_capability("member.edit"):
            try:
                services.transfer_cancel(
                    actor=user, transfer=item, reason=request.POST.get("reason") or "撤回"
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            return redirect("members:transfer_detail", pk=item.pk)
        if not (receiving and user.has_capability("member.approve")):
            raise PermissionDenied(gettext("只有转入协会可以接收或拒绝。"))
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    new = services.transfer_accept(actor=user, transfer=item)
                    messages.success(
                        request,
                        gettext("已接收，新会员证号 %(card)s。") % {"card": new.card_number},
                    )
                    return redirect("members:detail", pk=new.pk)
                services.transfer_refuse(
                    actor=user, transfer=item, reason=form.cleaned_data["reason"]
                )
                messages.success(request, gettext("已拒绝接收。"))
                return redirect("members:transfer_detail", pk=item.pk)
            except ServiceError as exc:
                exc.add_to(form)
    context = {
        "transfer": item,
        "summary": selectors.transfer_summary(item),
        "sending": sending,
        "receiving": receiving,
        "can_decide": open_ and receiving and user.has_capability("member.approve"),
        "can_cancel": open_ and sending and user.has_capability("member.edit"),
        "form": form,
    }
    return render(request, "members/transfer_detail.html", context)
