"""The fund's overview (balances, monthly series) and the statement of a period."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from fpa.fund.models import (
    ZERO,
    Account,
    Balance,
    Fund,
    MonthlyTotal,
    RestrictedPool,
)

# --- balances and statements ---------------------------------------------------------------------


class Series(TypedDict):
    """One category's line of the monthly chart: its name and a value for each month."""

    name: str
    data: list[float]


@dataclass
class Overview:
    assets: list[tuple[str, Decimal]]
    total: Decimal
    pools: list[tuple[str, Decimal]]
    restricted: Decimal
    income_year: Decimal
    expense_year: Decimal
    months: list[str] = field(default_factory=list)
    income_series: list[Series] = field(default_factory=list)
    expense_series: list[Series] = field(default_factory=list)

    @property
    def month_rows(self) -> list[tuple[str, Decimal, Decimal]]:
        """(month, income, spending) for the last 12 months, newest first."""
        rows = []
        for i, month in enumerate(self.months):
            income = sum((Decimal(str(s["data"][i])) for s in self.income_series), ZERO)
            spent = sum((Decimal(str(s["data"][i])) for s in self.expense_series), ZERO)
            rows.append((month, _cents(income), _cents(spent)))
        return rows[::-1]

    @property
    def category_rows(self) -> list[tuple[str, str, Decimal]]:
        """(收入/支出, category, total of the last 12 months)."""
        out = []
        for label, series in (
            (gettext("收入"), self.income_series),
            (gettext("支出"), self.expense_series),
        ):
            for s in series:
                out.append(
                    (label, s["name"], _cents(sum((Decimal(str(v)) for v in s["data"]), ZERO)))
                )
        return out


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def overview(fund: Fund, today: datetime.date | None = None) -> Overview:
    """Balances, restricted pools, this year's totals and the last 12 months by category, all
    from the cached balances and monthly totals (a few dozen rows whatever the volume)."""
    today = today or timezone.localdate()
    assets = [
        (b.account.name, b.amount)
        for b in Balance.objects.filter(fund=fund, account__kind=Account.Kind.ASSET)
        .select_related("account")
        .order_by("account__code")
    ]
    pools = [
        (p.purpose.name, p.amount)
        for p in RestrictedPool.objects.filter(fund=fund, amount__gt=0)
        .select_related("purpose")
        .order_by("purpose__code")
    ]
    first = _month_add(today.replace(day=1), -11)
    months = [_month_add(first, i) for i in range(12)]
    rows = (
        MonthlyTotal.objects.filter(fund=fund, month__gte=first)
        .exclude(account__kind=Account.Kind.ASSET)
        .select_related("account")
    )
    grid: dict[tuple[str, str], dict[datetime.date, Decimal]] = defaultdict(dict)
    for row in rows:
        grid[(row.account.kind, row.account.name)][row.month] = row.account.signed(
            row.debit, row.credit
        )
    year = statement(fund, datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    return Overview(
        assets=assets,
        total=sum((amount for _, amount in assets), ZERO),
        pools=pools,
        restricted=sum((amount for _, amount in pools), ZERO),
        income_year=year.income_total,
        expense_year=year.expense_total,
        months=[m.strftime("%Y-%m") for m in months],
        income_series=_series(grid, Account.Kind.INCOME, months),
        expense_series=_series(grid, Account.Kind.EXPENSE, months),
    )


def _series(
    grid: Mapping[tuple[str, str], Mapping[datetime.date, Decimal]],
    kind: str,
    months: list[datetime.date],
) -> list[Series]:
    return [
        {"name": name, "data": [float(_cents(values.get(m, ZERO))) for m in months]}
        for (k, name), values in sorted(grid.items())
        if k == kind
    ]


def _month_add(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Statement:
    start: datetime.date
    end: datetime.date
    opening: Decimal
    closing: Decimal
    income: list[tuple[Account, Decimal]]
    expense: list[tuple[Account, Decimal]]
    income_total: Decimal
    expense_total: Decimal

    @property
    def net(self) -> Decimal:
        return self.income_total - self.expense_total


def statement(fund: Fund, start: datetime.date, end: datetime.date) -> Statement:
    """Income and expense by category between two dates (whole months), with the fund's assets
    at the opening and at the close."""
    start, end = start.replace(day=1), end.replace(day=1)
    totals = (
        MonthlyTotal.objects.filter(fund=fund, month__gte=start, month__lte=end)
        .values("account")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    by_account = {row["account"]: (row["debit"], row["credit"]) for row in totals}
    opening_rows = MonthlyTotal.objects.filter(
        fund=fund, month__lt=start, account__kind=Account.Kind.ASSET
    ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    opening = _cents((opening_rows["debit"] or ZERO) - (opening_rows["credit"] or ZERO))
    income, expense = [], []
    asset_change = ZERO
    for account in Account.objects.all():
        debit, credit = by_account.get(account.pk, (ZERO, ZERO))
        amount = _cents(account.signed(debit, credit))
        if account.kind == Account.Kind.ASSET:
            asset_change += amount
        elif account.kind == Account.Kind.INCOME and (amount or account.is_active):
            income.append((account, amount))
        elif account.kind == Account.Kind.EXPENSE and (amount or account.is_active):
            expense.append((account, amount))
    return Statement(
        start=start,
        end=end,
        opening=opening,
        closing=opening + asset_change,
        income=income,
        expense=expense,
        income_total=sum((a for _, a in income), ZERO),
        expense_total=sum((a for _, a in expense), ZERO),
    )
