"""Reads of the care fund. Staff reads take the user and start from `visible_to`; public reads
take the fund and return only what may be published: no beneficiary, no free text of staff, no
donor name without consent, no contact details."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.errors import ServiceError
from fpa.core.pagination import Page, keyset_page
from fpa.families.models import Family
from fpa.fund.models import (
    ZERO,
    Account,
    Balance,
    Donation,
    Feedback,
    Fund,
    Grant,
    JournalEntry,
    MonthlyTotal,
    RestrictedPool,
    RulesVersion,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

PUBLIC_GRANT_STATUSES = (Grant.Status.PAID, Grant.Status.CLOSED)
NOTICE_LIMIT = 200


# --- funds ---------------------------------------------------------------------------------------


def fund_public(code: str | None = None) -> Fund | None:
    """The fund published under `code` (an association code), or the top-most fund."""
    funds = Fund.objects.select_related("association")
    if code:
        return funds.filter(association__code=code).first()
    return funds.order_by("association__depth", "pk").first()


def fund_list(*, user: User) -> list[Fund]:
    return list(Fund.objects.visible_to(user).select_related("association").order_by("pk"))


def fund_for_user(*, user: User) -> Fund | None:
    """The fund a staff member works with: the one over their home association."""
    home = user.home_association
    if home is None:
        return None
    codes = [code for code in home.path.strip("/").split("/") if code]
    funds = Fund.objects.filter(association__code__in=codes).select_related("association")
    return max(funds, key=lambda f: f.association.depth, default=None)


# --- balances and statements ---------------------------------------------------------------------


@dataclass
class Overview:
    assets: list[tuple[str, Decimal]]
    total: Decimal
    pools: list[tuple[str, Decimal]]
    restricted: Decimal
    income_year: Decimal
    expense_year: Decimal
    months: list[str] = field(default_factory=list)
    income_series: list[dict[str, Any]] = field(default_factory=list)
    expense_series: list[dict[str, Any]] = field(default_factory=list)

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


def _series(grid: Any, kind: str, months: list[datetime.date]) -> list[dict[str, Any]]:
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
        .filter(status=Grant.Status.PAID, notice_until__gte=today)
        .order_by("notice_until", "id")[:NOTICE_LIMIT]
    )


def public_feedback(
    fund: Fund, *, grant: Grant | None = None, after: str | None = None, before: str | None = None
) -> Page:
    rows = Feedback.objects.filter(fund=fund, status=Feedback.Status.PUBLISHED).only(
        "id", "kind", "rating", "text", "reply", "replied_at", "reply_due", "created_at", "grant_id"
    )
    rows = rows.filter(grant=grant) if grant is not None else rows.filter(grant__isnull=True)
    return keyset_page(rows, key="id", after=after, before=before, descending=True, size=20)


def overdue_feedback(fund: Fund, today: datetime.date | None = None, limit: int = 100) -> list[Any]:
    today = today or timezone.localdate()
    return list(
        Feedback.objects.filter(fund=fund, replied_at__isnull=True, reply_due__lt=today)
        .select_related("grant")
        .only("id", "kind", "reply_due", "created_at", "grant__number")
        .order_by("reply_due", "id")[:limit]
    )


def rating_summary(fund: Fund, grant: Grant | None = None) -> dict[str, Any]:
    from django.db.models import Avg, Count

    rows = Feedback.objects.filter(
        fund=fund, kind=Feedback.Kind.COMMENT, status=Feedback.Status.PUBLISHED
    )
    rows = rows.filter(grant=grant) if grant is not None else rows.filter(grant__isnull=True)
    return rows.aggregate(average=Avg("rating"), count=Count("id"))


def rules_current(fund: Fund) -> RulesVersion | None:
    return RulesVersion.objects.filter(fund=fund).order_by("-number").first()


def rules_history(fund: Fund) -> list[RulesVersion]:
    return list(
        RulesVersion.objects.filter(fund=fund)
        .order_by("-number")
        .only("id", "number", "title", "created_at")[:100]
    )


# --- staff lists ---------------------------------------------------------------------------------


def donation_list(
    *, user: User, query: str = "", after: str | None = None, before: str | None = None
) -> Page:
    rows = Donation.objects.visible_to(user).select_related("restricted_purpose", "entry", "fund")
    if query:
        rows = rows.filter(Q(receipt_number__icontains=query) | Q(donor_name__icontains=query))
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


def grant_list(
    *,
    user: User,
    status: str = "",
    mine: bool = False,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """Grants in scope; `mine`: only those waiting for this user's step (`grants_at_my_step`)."""
    rows = grants_at_my_step(user=user) if mine else Grant.objects.visible_to(user)
    rows = rows.select_related("category", "township", "association", "entry")
    if status:
        rows = rows.filter(status=status)
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


# The step each status waits for, and who has handled the grant before it (separation of duties:
# the applicant, the reviewer and the approver may not take a later step of the same grant).
STEPS = (
    ("fund.review", Grant.Status.SUBMITTED, ("applicant",)),
    ("fund.approve", Grant.Status.REVIEWED, ("applicant", "reviewed_by")),
    ("fund.pay", Grant.Status.APPROVED, ("applicant", "reviewed_by", "approved_by")),
)


def grants_at_my_step(*, user: User) -> QuerySet[Grant]:
    """The grants in scope whose next step this user may take: the status matches a capability
    the user holds, and the user has not handled the grant before (they could not act on it)."""
    condition = Q(pk__in=[])
    for capability, status, handled_by in STEPS:
        if user.has_capability(capability):
            step = Q(status=status)
            for role in handled_by:
                step &= ~Q(**{role: user}) | Q(**{f"{role}__isnull": True})
            condition |= step
    return Grant.objects.visible_to(user).filter(condition)


def grants_returned_to(*, user: User, days: int = 30, size: int = 5) -> list[Grant]:
    """The user's own applications refused in the last `days`, newest first, with the reason."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        Grant.objects.visible_to(user)
        .filter(applicant=user, status=Grant.Status.REJECTED, updated_at__gte=since)
        .order_by("-updated_at", "-id")[:size]
    )


def entry_list(*, user: User, after: str | None = None, before: str | None = None) -> Page:
    rows = (
        JournalEntry.objects.visible_to(user)
        .select_related("category", "reverses", "fund")
        .prefetch_related("lines__account", "lines__restriction")
    )
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


HELD = Q(status=Feedback.Status.HELD)
# Waiting for a reply: held or published (a refused or taken-down text is not answered).
UNANSWERED = Q(
    replied_at__isnull=True, status__in=[Feedback.Status.HELD, Feedback.Status.PUBLISHED]
)


def feedback_list(
    *,
    user: User,
    open_only: bool = False,
    held_only: bool = False,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    rows = Feedback.objects.visible_to(user).select_related("grant", "owner", "reviewed_by")
    if open_only:
        rows = rows.filter(UNANSWERED)
    if held_only:
        rows = rows.filter(HELD)
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


def waiting_for(*, user: User) -> dict[str, int]:
    """How many grants wait for this user's step, per status (those the user has handled before
    are not counted: they cannot take the next step of those). One grouped query."""
    counts: dict[str, int] = {
        status: 0 for capability, status, _ in STEPS if user.has_capability(capability)
    }
    rows = grants_at_my_step(user=user).values_list("status").annotate(n=Count("id"))
    for status, n in rows.order_by():
        counts[status] = n
    return counts


def feedback_waiting(*, user: User) -> dict[str, int]:
    """Public feedback in scope waiting for staff: held for review before publication, and
    without a reply yet (the feedback page's two filters, counted). One query."""
    totals = Feedback.objects.visible_to(user).aggregate(
        held=Count("id", filter=HELD), unanswered=Count("id", filter=UNANSWERED)
    )
    return {"held": totals["held"] or 0, "unanswered": totals["unanswered"] or 0}


def feedback_by_receipt(fund: Fund, receipts: Iterable[str]) -> list[Any]:
    """The writer's own submissions, found by the receipt codes they hold (from the link they
    were given, or the session that submitted them): status and reason, never anyone else's."""
    codes = [c for c in receipts if isinstance(c, str) and 0 < len(c) <= 32][:20]
    if not codes:
        return []
    return list(
        Feedback.objects.filter(fund=fund, receipt__in=codes)
        .only("id", "kind", "text", "status", "review_reason", "created_at", "reply", "grant_id")
        .order_by("-id")
    )


NAME_BATCH = 5000

# Chinese personal names are two to five characters; addresses end in a house, group or lane
# number (大庄村2号, 新城路12号): the two characters before 村/路/社 and the number are matched.
_HAN_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]{2,}")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{2}(?:村|社区|街|路|巷|组|社)\s*[0-9\uff10-\uff19一二三四五六七八九十]+\s*(?:号|组|社|栋)?"
)


def _name_candidates(text: str) -> set[str]:
    found: set[str] = set()
    for run in _HAN_RUN.findall(text):
        for size in (2, 3, 4, 5):
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    return found


def feedback_warnings(*, user: User, items: Iterable[Any]) -> dict[int, list[str]]:
    """For the reviewer: which held texts contain the name or the address of a person in the
    registries (special families' people, members, volunteers) that `user` may see. Reads only
    through each registry's `visible_to(user)`, answers only with the words already in the text
    and which registry matched, and is never shown to the writer. Three queries for names and
    three for addresses, whatever the number of items."""
    from fpa.families.models import Family, Person
    from fpa.members.models import Member
    from fpa.volunteers.models import Volunteer

    items = list(items)
    names = {item.pk: _name_candidates(item.text) for item in items}
    addresses = {
        item.pk: {" ".join(m.split()) for m in _ADDRESS.findall(item.text)} for item in items
    }
    every_name = set().union(*names.values()) if names else set()
    every_address = set().union(*addresses.values()) if addresses else set()
    registries = (
        (gettext("特殊家庭成员"), Person, Family),
        (gettext("会员"), Member, Member),
        (gettext("志愿者"), Volunteer, Volunteer),
    )
    name_hits: dict[str, set[str]] = {}
    address_hits: dict[str, set[str]] = {}
    for label, people, homes in registries:
        ordered = sorted(every_name)
        for start in range(0, len(ordered), NAME_BATCH):  # within SQLite's variable limit
            batch = ordered[start : start + NAME_BATCH]
            found = people.objects.visible_to(user).filter(name__in=batch)
            for name in found.values_list("name", flat=True).distinct()[:200]:
                name_hits.setdefault(name, set()).add(label)
        if every_address:
            condition = Q()
            for fragment in list(every_address)[:20]:
                condition |= Q(address__contains=fragment)
            stored = (
                homes.objects.visible_to(user)
                .filter(condition)
                .values_list("address", flat=True)[:200]
            )
            for address in stored:
                for fragment in every_address:
                    if fragment in address:
                        address_hits.setdefault(fragment, set()).add(label)
    warnings: dict[int, list[str]] = {}
    for item in items:
        lines = [
            gettext("内容含有姓名“%(name)s”，与%(where)s登记的姓名相同。")
            % {"name": name, "where": "、".join(sorted(name_hits[name]))}
            for name in sorted(names[item.pk] & name_hits.keys())
        ]
        lines += [
            gettext("内容含有住址“%(address)s”，与%(where)s登记的住址相符。")
            % {"address": fragment, "where": "、".join(sorted(address_hits[fragment]))}
            for fragment in sorted(addresses[item.pk] & address_hits.keys())
        ]
        if lines:
            warnings[item.pk] = lines
    return warnings


def fund_of(association: Association) -> Fund:
    """The fund that covers an association: its own, or the nearest ancestor's."""
    codes = [code for code in association.path.strip("/").split("/") if code]
    funds = {
        f.association.code: f
        for f in Fund.objects.select_related("association").filter(association__code__in=codes)
    }
    for code in reversed(codes):
        if code in funds:
            return funds[code]
    raise ServiceError(gettext("该协会及其上级尚未设立生育关怀基金。"))


def township_of(association: Association) -> Association:
    codes = [code for code in association.path.strip("/").split("/") if code]
    township = Association.objects.filter(code__in=codes, kind=Association.Kind.TOWNSHIP).first()
    return township or association


def available(fund: Fund) -> Decimal:
    """Money not tied to a purpose: all assets less every restricted pool."""
    assets = sum(
        Balance.objects.filter(fund=fund, account__kind=Account.Kind.ASSET).values_list(
            "amount", flat=True
        ),
        ZERO,
    )
    pools = sum(RestrictedPool.objects.filter(fund=fund).values_list("amount", flat=True), ZERO)
    return assets - pools


def pool_of(fund: Fund, purpose: Account) -> Decimal:
    row = RestrictedPool.objects.filter(fund=fund, purpose=purpose).first()
    return row.amount if row else ZERO


def grant_choices(user: User) -> tuple[QuerySet[Family], QuerySet[Association]]:
    """What a grant application may name: the active families and the associations the user
    sees."""
    families = (
        Family.objects.visible_to(user)
        .filter(status=Family.Status.ACTIVE)
        .select_related("association")
        .order_by("association__code", "pk")
    )
    return families, Association.objects.visible_to(user).order_by("path")
