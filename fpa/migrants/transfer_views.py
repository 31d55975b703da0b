"""Migrants moving between associations (跨协会移交): the lists, a transfer's page and the offer
from the migrant's page, on the shared pages of `fpa.core.transfer_pages`.

The receiving side reads, before it accepts, the direction, the masked name, sex and birth year
and the reason: no ID or phone number, no address, no services or needs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.accounts.requests import signed_in_user
from fpa.core.masking import mask_name
from fpa.core.scope import scoped_view
from fpa.core.transfer_pages import (
    TransferOfferForm,
    TransferPages,
    detail_page,
    lists_page,
    offer_page,
)
from fpa.migrants.models import HOLDER_KINDS, Migrant, MigrantTransfer
from fpa.migrants.services.transfers import MIGRANTS, migrant_transfer_offer
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker


def _summary(transfer: MigrantTransfer, sending: bool) -> list[tuple[str, Any]]:
    migrant = transfer.migrant
    return [
        (gettext("姓名"), mask_name(str(migrant.name or ""))),
        (gettext("流动方向"), migrant.get_direction_display()),
        (gettext("性别"), migrant.get_sex_display() if migrant.sex else "—"),
        (gettext("出生年份"), migrant.birth_date.year if migrant.birth_date else "—"),
    ]


PAGES = TransferPages(
    kind=MIGRANTS,
    title=_("流动人口移交"),
    intro=_(
        "流动人口迁往其他协会的辖区时，由现在登记的协会发起移交，接收协会接收或拒绝。接收前，接收协会"
        "只能看到脱敏的姓名、流动方向、性别、出生年份和移交原因；接收后，档案连同家庭成员、服务记录和"
        "诉求归接收协会。"
    ),
    subject_label=_("流动人口"),
    list_url="migrants:transfers",
    detail_url="migrants:transfer_detail",
    subject_url="migrants:detail",
    summary=_summary,
    accepted=lambda transfer, migrant: gettext("已接收，该流动人口档案现由本协会管理。"),
    after_accept=lambda transfer, migrant: ("migrants:detail", migrant.pk),
)


def receivers(current: Association) -> QuerySet[Association]:
    """Every current association of the deployment that may hold migrants' records, but the one
    that holds this record (the receiving side is outside the sender's scope by design)."""
    return (
        Association.objects.current()
        .filter(kind__in=HOLDER_KINDS)
        .exclude(pk=current.pk)
        .order_by("path")
    )


def _picker(queryset: QuerySet[Any]) -> forms.Field:
    field = AssociationPicker(queryset, empty_label=_("请选择"))
    field.error_messages["invalid_choice"] = _("所选协会不存在或不能接收该流动人口。")
    return field


@scoped_view(capability="migrant.view")
def transfers(request: HttpRequest) -> HttpResponseBase:
    return lists_page(request, PAGES)


@scoped_view(capability="migrant.view", model=MigrantTransfer)
def transfer_detail(request: HttpRequest, pk: MigrantTransfer) -> HttpResponse:
    return detail_page(request, PAGES, pk)


@scoped_view(capability="migrant.edit", model=Migrant, as_="migrant")
def transfer_offer(request: HttpRequest, migrant: Migrant) -> HttpResponse:
    form = TransferOfferForm(
        request.POST or None, receivers=receivers(migrant.association), picker=_picker
    )
    return offer_page(
        request,
        PAGES,
        form,
        subject=migrant,
        subject_name=mask_name(str(migrant.name or "")),
        call=lambda form: migrant_transfer_offer(
            actor=signed_in_user(request),
            migrant=migrant,
            to_association=form.cleaned_data["to_association"],
            reason=form.cleaned_data["reason"],
        ),
        note=gettext(
            "接收协会接收前，档案仍属本协会。接收后，档案连同家庭成员、服务记录和诉求归接收协会，"
            "本协会不再能查看。"
        ),
    )
