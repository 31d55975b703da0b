"""Products, policy years and the insurance settings: county work (`insurance.manage`)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import ServiceError, validate
from fpa.core.scope import require, require_in_scope
from fpa.insurance import rules
from fpa.insurance.models import Claim, PolicyYear, Product, Settings
from fpa.insurance.services.common import bump, locked
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

PRODUCT_FIELDS = (
    "insurer",
    "name",
    "kind",
    "premium",
    "min_age",
    "max_age",
    "start_month",
    "start_day",
    "active",
    "notes",
)
YEAR_FIELDS = (
    "starts_on",
    "ends_on",
    "policy_number",
    "fund_share",
    "government_share",
    "self_share",
)


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        raise ServiceError(gettext("请填写正确的金额。"), field=field) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(gettext("金额不能为负数，最多两位小数。"), field=field)
    return amount.quantize(Decimal("0.01"))


def _cover_items(items: Any) -> list[dict[str, str]]:
    """[{"item": "意外身故", "amount": "50000"}] with each amount checked; empty items dropped."""
    out = []
    for entry in items or []:
        item = str(entry.get("item", "")).strip()
        if not item:
            continue
        if len(item) > 50:
            raise ServiceError(gettext("保障项目名称最多50个字。"), field="cover_items")
        out.append({"item": item, "amount": str(_money(entry.get("amount"), "cover_items"))})
    return out


def _check_product(product: Product) -> None:
    ages = (product.min_age, product.max_age)
    if ages[0] is not None and ages[1] is not None and ages[0] > ages[1]:
        raise ServiceError(gettext("最低投保年龄不能大于最高投保年龄。"), field="min_age")
    if not 1 <= product.start_month <= 12:
        raise ServiceError(gettext("起始月应在1到12之间。"), field="start_month")
    try:
        rules.policy_dates(2001, product.start_month, product.start_day)
    except ValueError:
        raise ServiceError(gettext("起始日不是该月的有效日期。"), field="start_day") from None
    validate(product)


@transaction.atomic
def product_create(
    *, actor: User, association: Association, cover_items: Any = (), **values: Any
) -> Product:
    """A product owned by `association` (the county, or an association whose subtree it serves)."""
    require(actor, "insurance.manage")
    require_in_scope(actor, association)
    data = {k: v for k, v in values.items() if k in PRODUCT_FIELDS}
    data["premium"] = _money(data.get("premium", ""), "premium")
    product = Product(
        association=association, created_by=actor, cover_items=_cover_items(cover_items), **data
    )
    _check_product(product)
    product.save()
    audit_create(actor=actor, obj=product, scope_path=association.path)
    return product


@transaction.atomic
def product_update(
    *,
    actor: User,
    product: Product,
    version: int | None = None,
    cover_items: Any = None,
    **values: Any,
) -> Product:
    require(actor, "insurance.manage")
    require_in_scope(actor, product.association)
    product = locked(product, version)
    before = snapshot(product)
    for name, value in values.items():
        if name in PRODUCT_FIELDS:
            setattr(product, name, _money(value, name) if name == "premium" else value)
    if cover_items is not None:
        product.cover_items = _cover_items(cover_items)
    _check_product(product)
    bump(product)
    product.save()
    audit_update(actor=actor, obj=product, before=before, scope_path=product.association.path)
    return product


def _check_year(year: PolicyYear) -> None:
    if year.ends_on < year.starts_on:
        raise ServiceError(gettext("终止日期不能早于起保日期。"), field="ends_on")
    if not rules.shares_match(
        year.premium, year.fund_share, year.government_share, year.self_share
    ):
        raise ServiceError(
            gettext("基金、财政、个人承担之和（%(sum)s元）应等于每人保费%(premium)s元。")
            % {"sum": year.shares_total(), "premium": year.premium},
            field="fund_share",
        )
    validate(year)


@transaction.atomic
def policy_year_create(
    *,
    actor: User,
    product: Product,
    year: int,
    policy_number: str = "",
    fund_share: Any = 0,
    government_share: Any = 0,
    self_share: Any = 0,
    starts_on: Any = None,
    ends_on: Any = None,
) -> PolicyYear:
    """One year of `product` at its premium; the dates default to the product's policy year."""
    require(actor, "insurance.manage")
    require_in_scope(actor, product.association)
    if not 2000 <= int(year) <= 2100:
        raise ServiceError(gettext("请填写正确的年度。"), field="year")
    if PolicyYear.objects.filter(product=product, year=year).exists():
        raise ServiceError(gettext("该产品的这一年度已经存在。"), field="year")
    start, end = rules.policy_dates(int(year), product.start_month, product.start_day)
    policy = PolicyYear(
        product=product,
        year=int(year),
        starts_on=starts_on or start,
        ends_on=ends_on or end,
        policy_number=(policy_number or "").strip(),
        premium=product.premium,
        fund_share=_money(fund_share, "fund_share"),
        government_share=_money(government_share, "government_share"),
        self_share=_money(self_share, "self_share"),
        created_by=actor,
    )
    _check_year(policy)
    policy.save()
    audit_create(actor=actor, obj=policy, scope_path=product.association.path)
    return policy


@transaction.atomic
def policy_year_update(
    *, actor: User, policy_year: PolicyYear, version: int | None = None, **values: Any
) -> PolicyYear:
    """The policy number, dates and shares. Dates cannot move once people are enrolled (their
    cover was copied from them)."""
    require(actor, "insurance.manage")
    require_in_scope(actor, policy_year.product.association)
    policy = locked(policy_year, version)
    before = snapshot(policy)
    dates, share = (policy.starts_on, policy.ends_on), policy.fund_share
    for name, value in values.items():
        if name not in YEAR_FIELDS:
            continue
        if name.endswith("_share"):
            value = _money(value, name)
        if name == "policy_number":
            value = (value or "").strip()
        setattr(policy, name, value)
    if (policy.starts_on, policy.ends_on) != dates and policy.enrolments.exists():
        raise ServiceError(gettext("已有参保人员，不能再修改保险期间。"), field="starts_on")
    if policy.grant_id and policy.fund_share != share:
        raise ServiceError(gettext("基金承担部分已申请资助，不能再修改。"), field="fund_share")
    _check_year(policy)
    bump(policy)
    policy.save()
    scope = policy.product.association.path
    audit_update(actor=actor, obj=policy, before=before, scope_path=scope)
    return policy


def _due_again(days: int) -> None:
    """The answer's due day of every claim waiting for the insurer, by the new number of days."""
    waiting = Claim.objects.filter(status=Claim.Status.SUBMITTED, submitted_on__isnull=False)
    batch: list[Claim] = []
    for claim in waiting.only("pk", "submitted_on").iterator(chunk_size=1000):
        assert claim.submitted_on is not None
        claim.due_on = claim.submitted_on + datetime.timedelta(days=days)
        batch.append(claim)
        if len(batch) >= 1000:
            Claim.objects.bulk_update(batch, ["due_on"])
            batch = []
    if batch:
        Claim.objects.bulk_update(batch, ["due_on"])


@transaction.atomic
def settings_update(*, actor: User, overdue_days: int, version: int | None = None) -> Settings:
    require(actor, "insurance.manage")
    current = Settings.current()
    row = locked(current, version)
    if not 1 <= int(overdue_days) <= 365:
        raise ServiceError(gettext("超期天数应在1到365之间。"), field="overdue_days")
    before = snapshot(row)
    row.overdue_days = int(overdue_days)
    bump(row)
    row.save()
    _due_again(row.overdue_days)
    home = actor.home_association
    audit_update(actor=actor, obj=row, before=before, scope_path=home.path if home else "")
    return row
