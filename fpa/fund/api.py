"""The care fund over /api/v1/fund/: grants and donations in the caller's scope, read-only.

Who may call: holders of `fund.view` (their subtree, as on the pages); other roles get 403.
What is never sent: beneficiaries (family, person), the application's reason, donor phones.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.fund import selectors
from fpa.fund.models import Donation, Grant

router = Router(tags=["fund"], auth=[BearerToken("fund.view"), Session("fund.view")])


class GrantOut(Schema):
    id: int
    number: str
    association_code: str
    township_code: str
    target: str
    category_code: str
    category: str
    amount: Decimal
    status: str
    paid_on: datetime.date | None
    notice_until: datetime.date | None
    leaf_index: int | None
    version: int

    @staticmethod
    def resolve_association_code(obj: Grant) -> str:
        return obj.association.code

    @staticmethod
    def resolve_township_code(obj: Grant) -> str:
        return obj.township.code

    @staticmethod
    def resolve_category_code(obj: Grant) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category(obj: Grant) -> str:
        return obj.category.name

    @staticmethod
    def resolve_leaf_index(obj: Grant) -> int | None:
        return obj.entry.leaf_index if obj.entry is not None else None


class GrantPage(Schema):
    items: list[GrantOut]
    next: str | None
    previous: str | None


class DonationOut(Schema):
    id: int
    receipt_number: str
    donor_name: str
    donor_kind: str
    form: str
    amount: Decimal
    restricted_purpose: str | None
    received_on: datetime.date
    publish_name: bool
    leaf_index: int | None

    @staticmethod
    def resolve_restricted_purpose(obj: Donation) -> str | None:
        purpose = obj.restricted_purpose
        return purpose.code if purpose else None

    @staticmethod
    def resolve_leaf_index(obj: Donation) -> int | None:
        return obj.entry.leaf_index


class DonationPage(Schema):
    items: list[DonationOut]
    next: str | None
    previous: str | None


class GrantFilters(Schema):
    status: str = ""
    after: str | None = None
    before: str | None = None


class DonationFilters(Schema):
    q: str = ""
    after: str | None = None
    before: str | None = None


@router.get("/fund/grants", response=GrantPage)
def grant_list(request: HttpRequest, filters: Query[GrantFilters]) -> dict[str, object]:
    status = filters.status if filters.status in Grant.Status.values else ""
    page = selectors.grant_list(
        user=signed_in_user(request), status=status, after=filters.after, before=filters.before
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/fund/donations", response=DonationPage)
def donation_list(request: HttpRequest, filters: Query[DonationFilters]) -> dict[str, object]:
    page = selectors.donation_list(
        user=signed_in_user(request),
        query=filters.q[:50],
        after=filters.after,
        before=filters.before,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}
