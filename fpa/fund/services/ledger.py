"""The fund, its rules and its journal: `_post` and the checks every money movement passes, entry
reversal, and the reads the writes check (balances, pools, the fund and township of a user)."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.counters import next_number
from fpa.core.errors import Conflict, ServiceError, validate, within
from fpa.core.models import AuditEvent
from fpa.core.names import pinyin_forms
from fpa.core.scope import require, require_in_scope
from fpa.fund import leaf, ledger_hook, selectors
from fpa.fund.models import (
    ZERO,
    Account,
    Balance,
    Fund,
    JournalEntry,
    JournalLine,
    MonthlyTotal,
    RestrictedPool,
    RulesVersion,
    Sequence,
)
from fpa.fund.money import AmountError, parse_amount
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

CASH, BANK, GOODS = "1001", "1002", "1301"


@dataclass(frozen=True)
class Line:
    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    restriction: Account | None = None


# --- helpers -----------------------------------------------------------------------------------


def amount_of(raw: object, field: str = "amount") -> Decimal:
    try:
        return parse_amount(raw)
    except AmountError as exc:
        raise ServiceError(str(exc), field=field) from exc


def account(code: str) -> Account:
    return Account.objects.get(code=code)


def _lock(fund: Fund) -> Fund:
    return Fund.objects.select_for_update().select_related("association").get(pk=fund.pk)


def _next(fund: Fund, kind: str, year: int) -> int:
    """The next gap-free number of this kind and year (fpa.core.counters)."""
    return next_number(Sequence, "last", fund=fund, kind=kind, year=year)


def _post(
    *,
    actor: User,
    fund: Fund,
    date: datetime.date,
    kind: str,
    category: Account,
    lines: list[Line],
    memo: str = "",
    township_code: str = "",
    receipt_number: str = "",
    grant_number: str = "",
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry. The caller holds the fund lock (`_lock`) and is atomic."""
    _check_lines(lines)
    _apply(fund, date, lines)
    Fund.objects.filter(pk=fund.pk).update(last_entry_number=F("last_entry_number") + 1)
    number = Fund.objects.values_list("last_entry_number", flat=True).get(pk=fund.pk)
    appended_at = _append_time()
    leaf_bytes = leaf.encode(
        fund=fund.association.code,
        number=number,
        date=date.isoformat(),
        kind=kind,
        category=category.code,
        township=township_code,
        receipt=receipt_number,
        grant=grant_number,
        reverses=reverses.number if reverses is not None else None,
        lines=[
            leaf.LeafLine(
                account=line.account.code,
                debit=line.debit,
                credit=line.credit,
                restriction=line.restriction.code if line.restriction else None,
            )
            for line in lines
        ],
        appended=appended_at,
    )
    entry = JournalEntry.objects.create(
        fund=fund,
        number=number,
        date=date,
        kind=kind,
        category=category,
        township_code=township_code,
        receipt_number=receipt_number,
        grant_number=grant_number,
        reverses=reverses,
        memo=within(memo, 200, field="memo"),
        leaf_index=ledger_hook.append(leaf_bytes, appended_at),
        appended_at=appended_at,
        posted_by=actor,
    )
    JournalLine.objects.bulk_create(
        JournalLine(
            entry=entry,
            account=line.account,
            debit=line.debit,
            credit=line.credit,
            restriction=line.restriction,
        )
        for line in lines
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=entry,
        changes={
            "number": [None, number],
            "kind": [None, kind],
            "leaf_index": [None, entry.leaf_index],
        },
        scope_path=fund.association.path,
    )
    return entry


def _append_time() -> datetime.datetime | None:
    """The time of the append, to the second: signed inside the leaf (fpa-fund-entry/2) and
    stored as the log's appended_at, so a back-dated booking date is visible to anyone. None
    (a version 1 leaf, as before version 2) when no log is installed."""
    return timezone.now().replace(microsecond=0) if ledger_hook.available() else None


def _check_lines(lines: list[Line]) -> None:
    if len(lines) < 2:
        raise ServiceError(gettext("一张凭证至少要有两条分录。"))
    for line in lines:
        if (line.debit > 0) == (line.credit > 0) or line.debit < 0 or line.credit < 0:
            raise ServiceError(gettext("每条分录须且只须在借方或贷方填写正数金额。"))
        if not line.account.is_active:
            raise ServiceError(
                gettext("科目「%(account)s」已停用。") % {"account": line.account.name}
            )
    debits = sum((line.debit for line in lines), ZERO)
    credits = sum((line.credit for line in lines), ZERO)
    if debits != credits:
        raise ServiceError(
            gettext("借贷不平衡：借方 %(debits)s，贷方 %(credits)s。")
            % {"debits": debits, "credits": credits}
        )


def _apply(fund: Fund, date: datetime.date, lines: list[Line]) -> None:
    """Move the cached balances, pools and monthly totals; refuse anything negative."""
    deltas: dict[Account, Decimal] = defaultdict(lambda: ZERO)
    pools: dict[Account, Decimal] = defaultdict(lambda: ZERO)
    month = date.replace(day=1)
    for line in lines:
        change = line.account.signed(line.debit, line.credit)
        deltas[line.account] += change
        # Restricted income raises its pool, spending on the purpose lowers it; the asset side
        # of the entry carries the tag for the record only.
        if line.restriction is not None and line.account.kind == Account.Kind.INCOME:
            pools[line.restriction] += change
        elif line.restriction is not None and line.account.kind == Account.Kind.EXPENSE:
            pools[line.restriction] -= change
        total, _ = MonthlyTotal.objects.get_or_create(fund=fund, month=month, account=line.account)
        MonthlyTotal.objects.filter(pk=total.pk).update(
            debit=F("debit") + line.debit, credit=F("credit") + line.credit
        )
    for acct, change in sorted(deltas.items(), key=lambda item: item[0].pk):
        Balance.objects.get_or_create(fund=fund, account=acct)
        Balance.objects.filter(fund=fund, account=acct).update(amount=F("amount") + change)
    for purpose, change in sorted(pools.items(), key=lambda item: item[0].pk):
        RestrictedPool.objects.get_or_create(fund=fund, purpose=purpose)
        RestrictedPool.objects.filter(fund=fund, purpose=purpose).update(
            amount=F("amount") + change
        )
    _check_not_negative(fund, [a for a in deltas if a.kind == Account.Kind.ASSET], list(pools))


def _check_not_negative(fund: Fund, assets: list[Account], purposes: list[Account]) -> None:
    for row in Balance.objects.filter(fund=fund, account__in=assets).select_related("account"):
        if row.amount < 0:
            raise ServiceError(
                gettext("「%(account)s」余额不足，差 %(short)s 元。")
                % {"account": row.account.name, "short": -row.amount}
            )
    for pool in RestrictedPool.objects.filter(fund=fund, purpose__in=purposes).select_related(
        "purpose"
    ):
        if pool.amount < 0:
            raise ServiceError(
                gettext("「%(purpose)s」限定用途资金不足。") % {"purpose": pool.purpose.name}
            )
    if selectors.available(fund) < 0:
        raise ServiceError(gettext("非限定资金不足：限定用途的捐赠只能用于其指定用途。"))


# --- the fund and its rules ----------------------------------------------------------------------


PREFIX_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,7}")
# What follows a place name in an association's name: 永靖县计生协 -> 永靖.
NAME_SUFFIXES = (
    "计生协",
    "计划生育协会",
    "街道",
    "社区",
    "村委会",
    "居委会",
    "县",
    "镇",
    "乡",
    "村",
    "区",
    "市",
)


def default_receipt_prefix(association: Association) -> str:
    """The initials of the association's place name, upper case: 永靖县计生协 -> YJ, 刘家峡镇计生协
    -> LJX (each county's receipts carry its own letters, never another county's)."""
    name = association.name
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name.removesuffix(suffix)
    return pinyin_forms(name)[1].upper()[:8] or f"F{association.code[-7:]}"


@transaction.atomic
def fund_create(
    *,
    actor: User,
    association: Association,
    name: str,
    notice_days: int = 7,
    receipt_prefix: str = "",
) -> Fund:
    """A care fund held by `association`. Its receipts read PREFIX-2026-000123 and its grants
    PREFIXZ-2026-00012; the prefix defaults to the initials of the association's place name."""
    require(actor, "fund.rules")
    require_in_scope(actor, association)
    if Fund.objects.filter(association=association).exists():
        raise ServiceError(gettext("该协会已设立基金。"))
    prefix = (receipt_prefix or default_receipt_prefix(association)).strip().upper()
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise ServiceError(
            gettext("票据编号前缀须为1至8位大写字母或数字，以字母开头。"), field="receipt_prefix"
        )
    if Fund.objects.filter(receipt_prefix=prefix).exists():
        raise ServiceError(
            gettext("票据编号前缀“%(prefix)s”已被其他基金使用，请另填一个。") % {"prefix": prefix},
            field="receipt_prefix",
        )
    fund = Fund(association=association, name=name, notice_days=notice_days, receipt_prefix=prefix)
    validate(fund)
    fund.save()
    audit_create(actor=actor, obj=fund, scope_path=association.path)
    return fund


@transaction.atomic
def fund_settings_update(
    *,
    actor: User,
    fund: Fund,
    notice_days: int,
    reply_days: int,
    grant_order: str,
) -> Fund:
    """The county's settings of its fund: the notice period, the reply deadline and the order of
    a grant's last steps (notice first, or pay first). Grants already approved keep the order
    they were approved in; new approvals follow the new setting."""
    require(actor, "fund.rules")
    require_in_scope(actor, fund.association)
    if grant_order not in Fund.GrantOrder.values:
        raise ServiceError(gettext("请选择资助办理顺序。"), field="grant_order")
    fund = _lock(fund)
    before = snapshot(fund, ["notice_days", "reply_days", "grant_order"])
    fund.notice_days = notice_days
    fund.reply_days = reply_days
    fund.grant_order = grant_order
    validate(fund)
    changed = [name for name, value in before.items() if getattr(fund, name) != value]
    if changed:
        fund.save(update_fields=[*changed, "updated_at"])
        audit_update(actor=actor, obj=fund, before=before, scope_path=fund.association.path)
    return fund


@transaction.atomic
def rules_publish(*, actor: User, fund: Fund, title: str, body: str) -> RulesVersion:
    """A new version of the management rules; older versions stay readable."""
    require(actor, "fund.rules")
    require_in_scope(actor, fund.association)
    fund = _lock(fund)
    last = RulesVersion.objects.filter(fund=fund).order_by("-number").first()
    rules = RulesVersion(
        fund=fund,
        number=(last.number + 1) if last else 1,
        title=title.strip(),
        body=body.strip(),
        created_by=actor,
    )
    validate(rules)
    rules.save()
    audit_create(actor=actor, obj=rules, scope_path=fund.association.path)
    return rules


@transaction.atomic
def entry_reverse(*, actor: User, entry: JournalEntry, reason: str) -> JournalEntry:
    """Correct a posted entry by posting its mirror image; the original stays as it was."""
    require(actor, "fund.record")
    require_in_scope(actor, entry.fund.association)
    if not reason.strip():
        raise ServiceError(gettext("请填写冲销原因。"), field="reason")
    fund = _lock(entry.fund)
    entry = JournalEntry.objects.select_related("category").get(pk=entry.pk)
    if entry.kind == JournalEntry.Kind.REVERSAL:
        raise ServiceError(gettext("冲销凭证不能再冲销，请重新记账。"))
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise Conflict(gettext("该凭证已冲销。"))
    lines = [
        Line(line.account, debit=line.credit, credit=line.debit, restriction=line.restriction)
        for line in entry.lines.select_related("account", "restriction").order_by("pk")
    ]
    heading = f"冲销凭证 {entry.number}："
    reversal = _post(
        actor=actor,
        fund=fund,
        date=timezone.localdate(),
        kind=JournalEntry.Kind.REVERSAL,
        category=entry.category,
        lines=lines,
        memo=f"{heading}{within(reason.strip(), 200 - len(heading), field='reason')}",
        township_code=entry.township_code,
        receipt_number=entry.receipt_number,
        grant_number=entry.grant_number,
        reverses=entry,
    )
    return reversal
