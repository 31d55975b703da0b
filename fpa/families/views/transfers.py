"""Special families moving between associations (跨协会移交): the lists, a transfer's page and the
offer from the family's page, on the shared pages of `fpa.core.transfer_pages`.

The receiving side reads, before it accepts, the head of the family's name, the family kind, the
number of people, the new address and the reason: no ID or phone numbers, no care log.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.accounts.requests import signed_in_user
from fpa.core.scope import scoped_view
from fpa.core.transfer_pages import TransferPages, detail_page, lists_page, offer_page
from fpa.families.forms.transfers import FamilyTransferForm
from fpa.families.models import Family, FamilyTransfer
from fpa.families.services.transfers import FAMILIES, family_transfer_offer


def _summary(transfer: FamilyTransfer, sending: bool) -> list[tuple[str, Any]]:
    family = transfer.family
    rows: list[tuple[str, Any]] = [
        (gettext("户主/联系人"), family.head_name),
        (gettext("家庭类别"), family.get_kind_display()),
        (gettext("家庭人数"), family.people.count()),
    ]
    if sending:
        rows.append((gettext("原住址"), transfer.from_address))
    rows.append((gettext("新住址"), transfer.to_address))
    if transfer.status == FamilyTransfer.Status.ACCEPTED:
        rows.append(
            (
                gettext("转出方联系人"),
                gettext("已结束%(count)s名（不再联系该家庭）") % {"count": transfer.contacts_ended},
            )
        )
    return rows


def _accepted(transfer: FamilyTransfer, family: Family) -> str:
    if transfer.contacts_ended:
        return gettext(
            "已接收，该家庭现由本协会管理；转出方的%(count)s名联系人已结束，请为其指定联系人。"
        ) % {"count": transfer.contacts_ended}
    return gettext("已接收，该家庭现由本协会管理，请为其指定联系人。")


PAGES = TransferPages(
    kind=FAMILIES,
    title=_("特殊家庭移交"),
    intro=_(
        "家庭搬迁到其他协会时，由现在所属的协会发起移交，接收协会接收或拒绝。接收前，接收协会只能看到"
        "户主姓名、家庭类别、人数、新住址和移交原因；接收后，家庭连同成员、帮扶记录、诉求和保障归接收协会，"
        "转出方的联系人结束联系。"
    ),
    subject_label=_("家庭"),
    list_url="families:transfers",
    detail_url="families:transfer_detail",
    subject_url="families:detail",
    summary=_summary,
    accepted=_accepted,
    after_accept=lambda transfer, family: ("families:detail", family.pk),
)


@scoped_view(capability="family.view")
def transfers(request: HttpRequest) -> HttpResponseBase:
    return lists_page(request, PAGES)


@scoped_view(capability="family.view", model=FamilyTransfer)
def transfer_detail(request: HttpRequest, pk: FamilyTransfer) -> HttpResponse:
    return detail_page(request, PAGES, pk)


@scoped_view(capability="family.edit", model=Family, as_="family")
def transfer_offer(request: HttpRequest, family: Family) -> HttpResponse:
    form = FamilyTransferForm(request.POST or None, family_association=family.association)
    return offer_page(
        request,
        PAGES,
        form,
        subject=family,
        subject_name=family.head_name or gettext("（未填写）"),
        call=lambda form: family_transfer_offer(
            actor=signed_in_user(request),
            family=family,
            to_association=form.cleaned_data["to_association"],
            reason=form.cleaned_data["reason"],
            to_address=form.cleaned_data["to_address"],
        ),
        note=gettext(
            "接收协会接收前，家庭仍属本协会。接收后，家庭连同成员、帮扶记录、诉求和保障归接收协会，"
            "本协会不再能查看；本协会指定的联系人将结束联系。"
        ),
    )
