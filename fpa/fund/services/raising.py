"""Raising: donations (with their receipts) and other income."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create
from fpa.core.errors import ServiceError, validate
from fpa.core.scope import require, require_in_scope
from fpa.fund.models import (
    Account,
    Donation,
    Fund,
    JournalEntry,
)
from fpa.fund.services.ledger import (
    BANK,
    CASH,
    GOODS,
    Line,
    _lock,
    _next,
    _post,
    account,
    amount_of,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

INCOME_BY_DONOR = {"individual": "4102", "enterprise": "4103"}
IN_KIND_INCOME = "4104"


# --- raising -------------------------------------------------------------------------------------


@transaction.atomic
def donation_record(
    *,
    actor: User,
    fund: Fund,
    donor_name: str,
    donor_kind: str,
    form: str,
    channel: str,
    amount: object,
    received_on: datetime.date,
    in_kind_description: str = "",
    restricted_purpose: Account | None = None,
    donor_phone: str | None = None,
    publish_name: bool = False,
) -> Donation:
    """Record a donation, give it the next receipt number of its year and post its entry."""
    require(actor, "fund.record")
    require_in_scope(actor, fund.association)
    value = amount_of(amount)
    if form == Donation.Form.IN_KIND and not in_kind_description.strip():
        raise ServiceError(gettext("实物捐赠请填写实物名称及数量。"), field="in_kind_description")
    if restricted_purpose is not None and restricted_purpose.kind != Account.Kind.EXPENSE:
        raise ServiceError(gettext("限定用途须为支出类别。"), field="restricted_purpose")
    if received_on > timezone.localdate():
        raise ServiceError(gettext("收到日期不能晚于今天。"), field="received_on")
    fund = _lock(fund)
    year = received_on.year
    receipt = f"{fund.receipt_prefix}-{year}-{_next(fund, 'receipt', year):06d}"
    donation = Donation(
        fund=fund,
        receipt_number=receipt,
        donor_name=donor_name.strip(),
        donor_kind=donor_kind,
        form=form,
        channel=Donation.Channel.IN_KIND if form == Donation.Form.IN_KIND else channel,
        amount=value,
        in_kind_description=in_kind_description.strip(),
        restricted_purpose=restricted_purpose,
        donor_phone=donor_phone or None,
        publish_name=publish_name,
        received_on=received_on,
        recorded_by=actor,
    )
    validate(donation, exclude=["entry"])
    if form == Donation.Form.IN_KIND:
        asset, income = account(GOODS), account(IN_KIND_INCOME)
    else:
        asset = account(CASH if channel == Donation.Channel.CASH else BANK)
        income = account(INCOME_BY_DONOR[donor_kind])
    donation.entry = _post(
        actor=actor,
        fund=fund,
        date=received_on,
        kind=JournalEntry.Kind.DONATION,
        category=income,
        lines=[
            Line(asset, debit=value, restriction=restricted_purpose),
            Line(income, credit=value, restriction=restricted_purpose),
        ],
        receipt_number=receipt,
    )
    donation.save()
    audit_create(actor=actor, obj=donation, scope_path=fund.association.path)
    return donation


@transaction.atomic
def income_record(
    *,
    actor: User,
    fund: Fund,
    category: Account,
    amount: object,
    asset_account: Account,
    date: datetime.date,
    memo: str = "",
    restriction: Account | None = None,
) -> JournalEntry:
    """Income other than a donation: appropriations, project money, matching funds, interest."""
    require(actor, "fund.record")
    require_in_scope(actor, fund.association)
    value = amount_of(amount)
    if category.kind != Account.Kind.INCOME:
        raise ServiceError(gettext("请选择收入类别。"), field="category")
    if asset_account.kind != Account.Kind.ASSET:
        raise ServiceError(gettext("请选择资金账户。"), field="asset_account")
    if date > timezone.localdate():
        raise ServiceError(gettext("记账日期不能晚于今天。"), field="date")
    fund = _lock(fund)
    return _post(
        actor=actor,
        fund=fund,
        date=date,
        kind=JournalEntry.Kind.INCOME,
        category=category,
        lines=[
            Line(asset_account, debit=value, restriction=restriction),
            Line(category, credit=value, restriction=restriction),
        ],
        memo=memo,
    )
