"""The offer of a special family to another association (跨协会移交): the shared offer form with
the family's new address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fpa.core.transfer_pages import TransferOfferForm
from fpa.families.services.common import FAMILY_HOLDERS
from fpa.families.services.transfers import ADDRESS_MAX
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker


def receivers(family_association: Association) -> QuerySet[Association]:
    """Every current association of the deployment that may hold special families, but the one
    that holds the family now (the receiving side is outside the sender's scope by design)."""
    return (
        Association.objects.current()
        .filter(kind__in=FAMILY_HOLDERS)
        .exclude(pk=family_association.pk)
        .order_by("path")
    )


def _picker(queryset: QuerySet[Any]) -> forms.Field:
    field = AssociationPicker(queryset, empty_label=_("请选择"))
    field.error_messages["invalid_choice"] = _("所选协会不存在或不能接收该家庭。")
    return field


class FamilyTransferForm(TransferOfferForm):
    to_address = forms.CharField(
        label=_("新住址"),
        max_length=ADDRESS_MAX,
        required=False,
        help_text=_("搬迁后的住址；接收后写入家庭档案。不知道可留空"),
    )

    def __init__(self, *args: Any, family_association: Association, **kwargs: Any) -> None:
        super().__init__(*args, receivers=receivers(family_association), picker=_picker, **kwargs)
