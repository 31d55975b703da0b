"""What the public pages show: donations, receipts, grants in notice and after, the rules."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from fpa.core.pagination import Page, keyset_page
from fpa.fund.models import (
    Donation,
    Fund,
    Grant,
    RulesVersion,
)

# Shown to the public from the opening of the notice: noticed before payment (NOTICE, 公示中
# 待支付), paid, closed. Approved grants waiting for a pay-first payment are not public yet.
PUBLIC_GRANT_STATUSES = (Grant.Status.NOTICE, Grant.Status.PAID, Grant.Status.CLOSED)
IN_NOTICE_STATUSES = (Grant.Status.NOTICE, Grant.Status.PAID)
NOTICE_LIMIT = 200


# --- public lists --------------------------------------------------------------------------------


def public_donations(fund: Fund, *, after: str | None = None, before: str | None = None) -> Page:
    rows = (
        Donation.objects.filter(fund=fund)
        .select_related("restricted_purpose", "entry")
        .only(
            "id",
            "receipt_number",
            "donor_name",
            "donor_kind",
            "form",
            "amount",
            "received_on",
            "publish_name",
            "restricted_purpose__name",
            "entry__leaf_index",
            "entry__number",
        )
    )
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


def public_donation(fund: Fund, receipt: str) -> Donation | None:
    return (
        Donation.objects.filter(fund=fund, receipt_number=receipt[:24])
        .select_related("restricted_purpose", "entry")
        .first()
    )


def _public_grants(fund: Fund) -> QuerySet[Grant]:
    return (
        Grant.objects.filter(fund=fund, status__in=PUBLIC_GRANT_STATUSES)
        .select_related("category", "township", "entry")
        .only(
            "id",
            "number",
            "amount",
            "paid_on",
            "status",
            "notice_until",
            "target",
            "category__name",
            "township__name",
            "entry__leaf_index",
            "entry__number",
        )
    )


def public_grants(fund: Fund, *, after: str | None = None, before: str | None = None) -> Page:
    return keyset_page(_public_grants(fund), key="id", after=after, before=before, descending=True)


def public_grant(fund: Fund, number: str) -> Grant | None:
    return _public_grants(fund).filter(number=number[:24]).first()


def public_notices(fund: Fund, today: datetime.date | None = None) -> list[Grant]:
    today = today or timezone.localdate()
    return list(
        _public_grants(fund)
        .filter(status__in=IN_NOTICE_STATUSES, notice_until__gte=today)
        .order_by("notice_until", "id")[:NOTICE_LIMIT]
    )


def rules_current(fund: Fund) -> RulesVersion | None:
    return RulesVersion.objects.filter(fund=fund).order_by("-number").first()


def rules_history(fund: Fund) -> list[RulesVersion]:
    return list(
        RulesVersion.objects.filter(fund=fund)
        .order_by("-number")
        .only("id", "number", "title", "created_at")[:100]
    )
