"""Writes of the care fund. Every money movement goes through `_post`, which locks the fund row,
checks that debits equal credits and that no balance and no restricted pool goes negative, keeps
the caches (balances, pools, monthly totals) in step, appends the entry's leaf to the public log
and writes the entry, all in the caller's transaction."""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.errors import Conflict, NotAllowed, ServiceError, check_version, validate
from fpa.core.masking import mask_numbers_in_text
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.fund import leaf, ledger_hook
from fpa.fund.models import (
    ZERO,
    Account,
    Balance,
    Donation,
    Feedback,
    Fund,
    Grant,
    JournalEntry,
    JournalLine,
    MonthlyTotal,
    RestrictedPool,
    RulesVersion,
    Sequence,
)
from fpa.fund.money import AmountError, parse_amount
from fpa.organizations.models import Association

CASH, BANK, GOODS = "1001", "1002", "1301"
INCOME_BY_DONOR = {"individual": "4102", "enterprise": "4103"}
IN_KIND_INCOME = "4104"


@dataclass(frozen=True)
class Line:
    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    restriction: Account | None = None


# --- helpers -----------------------------------------------------------------------------------


def amount_of(raw: Any, field: str = "amount") -> Decimal:
    try:
        return parse_amount(raw)
    except AmountError as exc:
        raise ServiceError(str(exc), field=field) from exc


def account(code: str) -> Account:
    return Account.objects.get(code=code)


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


def _lock(fund: Fund) -> Fund:
    return Fund.objects.select_for_update().select_related("association").get(pk=fund.pk)


def _next(fund: Fund, kind: str, year: int) -> int:
    """The next gap-free number; the row lock holds until the transaction ends."""
    Sequence.objects.get_or_create(fund=fund, kind=kind, year=year)
    sequence = Sequence.objects.select_for_update().get(fund=fund, kind=kind, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def _post(
    *,
    actor: Any,
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
        memo=memo[:200],
        leaf_index=ledger_hook.append(leaf_bytes),
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
    if available(fund) < 0:
        raise ServiceError(gettext("非限定资金不足：限定用途的捐赠只能用于其指定用途。"))


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


# --- the fund and its rules ----------------------------------------------------------------------


@transaction.atomic
def fund_create(*, actor: Any, association: Association, name: str, notice_days: int = 7) -> Fund:
    require(actor, "fund.rules")
    require_in_scope(actor, association)
    if Fund.objects.filter(association=association).exists():
        raise ServiceError(gettext("该协会已设立基金。"))
    # The county's receipts read YJ-2026-000123; a lower association's carry its code's tail.
    prefix = "YJ" if association.kind == Association.Kind.COUNTY else f"YJ{association.code[-3:]}"
    fund = Fund(association=association, name=name, notice_days=notice_days, receipt_prefix=prefix)
    validate(fund)
    fund.save()
    audit_create(actor=actor, obj=fund, scope_path=association.path)
    return fund


@transaction.atomic
def rules_publish(*, actor: Any, fund: Fund, title: str, body: str) -> RulesVersion:
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


# --- raising -------------------------------------------------------------------------------------


@transaction.atomic
def donation_record(
    *,
    actor: Any,
    fund: Fund,
    donor_name: str,
    donor_kind: str,
    form: str,
    channel: str,
    amount: Any,
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
    actor: Any,
    fund: Fund,
    category: Account,
    amount: Any,
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


@transaction.atomic
def entry_reverse(*, actor: Any, entry: JournalEntry, reason: str) -> JournalEntry:
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
    reversal = _post(
        actor=actor,
        fund=fund,
        date=timezone.localdate(),
        kind=JournalEntry.Kind.REVERSAL,
        category=entry.category,
        lines=lines,
        memo=f"冲销凭证 {entry.number}：{reason.strip()}",
        township_code=entry.township_code,
        receipt_number=entry.receipt_number,
        grant_number=entry.grant_number,
        reverses=entry,
    )
    return reversal


# --- using -------------------------------------------------------------------------------------


@transaction.atomic
def grant_apply(
    *,
    actor: Any,
    association: Association,
    target: str,
    category: Account,
    amount: Any,
    purpose: str,
    family: Any = None,
    person_name: str = "",
    activity_name: str = "",
) -> Grant:
    """Apply for a grant for a family, a person or an activity of `association`."""
    require(actor, "fund.apply")
    require_in_scope(actor, association)
    value = amount_of(amount)
    if category.kind != Account.Kind.EXPENSE or not category.is_active:
        raise ServiceError(gettext("请选择支出类别。"), field="category")
    if target == Grant.Target.FAMILY:
        if family is None:
            raise ServiceError(gettext("请选择家庭。"), field="family")
        require_in_scope(actor, family.association)
        association = family.association
    elif target == Grant.Target.PERSON and not person_name.strip():
        raise ServiceError(gettext("请填写个人姓名。"), field="person_name")
    elif target == Grant.Target.ACTIVITY and not activity_name.strip():
        raise ServiceError(gettext("请填写活动名称。"), field="activity_name")
    fund = _lock(fund_of(association))
    year = timezone.localdate().year
    grant = Grant(
        fund=fund,
        number=f"{fund.receipt_prefix}Z-{year}-{_next(fund, 'grant', year):05d}",
        association=association,
        township=township_of(association),
        target=target,
        family=family if target == Grant.Target.FAMILY else None,
        person_name=person_name.strip() if target == Grant.Target.PERSON else "",
        activity_name=activity_name.strip() if target == Grant.Target.ACTIVITY else "",
        category=category,
        amount=value,
        purpose=purpose.strip(),
        applicant=actor,
    )
    validate(grant)
    grant.save()
    audit_create(actor=actor, obj=grant, scope_path=association.path)
    return grant


def _locked_grant(grant: Grant, status: str, version: Any) -> Grant:
    """Lock the row and check it is still in `status` at the version the user saw: a second
    click, a second tab or a concurrent request finds it moved on and is refused."""
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    check_version(locked.version, version)
    if locked.status != status:
        raise Conflict(
            gettext("该申请当前状态为「%(status)s」，不能重复办理。")
            % {"status": locked.get_status_display()}
        )
    return locked


def _own(actor: Any, grant: Grant, *others: Any) -> None:
    if actor.pk in {grant.applicant_id, *others}:
        raise NotAllowed(gettext("不能审核、审批或支付本人经手的申请（职责分离）。"))


def _step(actor: Any, grant: Grant, before: dict[str, Any], **changes: Any) -> Grant:
    for name, value in changes.items():
        setattr(grant, name, value)
    grant.version += 1
    grant.save(update_fields=[*changes, "version", "updated_at"])
    audit_update(actor=actor, obj=grant, before=before, scope_path=grant.association.path)
    return grant


@transaction.atomic
def grant_review(
    *, actor: Any, grant: Grant, approve: bool, note: str = "", version: Any = None
) -> Grant:
    """Township review 乡镇审核: passes the application up, or rejects it."""
    require(actor, "fund.review")
    require_in_scope(actor, grant.association)
    grant = _locked_grant(grant, Grant.Status.SUBMITTED, version)
    _own(actor, grant)
    before = snapshot(grant, ["status", "reviewed_by", "decision_note", "version"])
    status = Grant.Status.REVIEWED if approve else Grant.Status.REJECTED
    return _step(
        actor,
        grant,
        before,
        status=status,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        decision_note=note.strip()[:300],
    )


@transaction.atomic
def grant_approve(
    *, actor: Any, grant: Grant, approve: bool, note: str = "", version: Any = None
) -> Grant:
    """County approval 县级审批, by someone other than the applicant and the reviewer."""
    require(actor, "fund.approve")
    require_in_scope(actor, grant.fund.association)
    grant = _locked_grant(grant, Grant.Status.REVIEWED, version)
    _own(actor, grant, grant.reviewed_by_id)
    before = snapshot(grant, ["status", "approved_by", "decision_note", "version"])
    status = Grant.Status.APPROVED if approve else Grant.Status.REJECTED
    return _step(
        actor,
        grant,
        before,
        status=status,
        approved_by=actor,
        approved_at=timezone.now(),
        decision_note=note.strip()[:300],
    )


@transaction.atomic
def grant_pay(
    *,
    actor: Any,
    grant: Grant,
    source_account: Account,
    paid_on: datetime.date | None = None,
    version: Any = None,
) -> Grant:
    """Finance pays an approved grant: posts the expense (restricted money for its purpose
    first) and opens the public notice 公示."""
    require(actor, "fund.pay")
    require_in_scope(actor, grant.fund.association)
    if source_account.kind != Account.Kind.ASSET:
        raise ServiceError(gettext("请选择付款账户。"), field="source_account")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ServiceError(gettext("支付日期不能晚于今天。"), field="paid_on")
    fund = _lock(grant.fund)
    grant = _locked_grant(grant, Grant.Status.APPROVED, version)
    _own(actor, grant, grant.reviewed_by_id, grant.approved_by_id)
    category = grant.category
    restricted = min(pool_of(fund, category), grant.amount)
    lines = []
    if restricted > 0:
        lines.append(Line(category, debit=restricted, restriction=category))
    if grant.amount - restricted > 0:
        lines.append(Line(category, debit=grant.amount - restricted))
    lines.append(Line(source_account, credit=grant.amount))
    before = snapshot(grant, ["status", "paid_by", "paid_on", "notice_until", "version"])
    entry = _post(
        actor=actor,
        fund=fund,
        date=paid_on,
        kind=JournalEntry.Kind.GRANT,
        category=category,
        lines=lines,
        township_code=grant.township.code,
        grant_number=grant.number,
    )
    notice_until = max(paid_on, timezone.localdate()) + datetime.timedelta(days=fund.notice_days)
    return _step(
        actor,
        grant,
        before,
        status=Grant.Status.PAID,
        paid_by=actor,
        paid_on=paid_on,
        entry=entry,
        notice_until=notice_until,
    )


@transaction.atomic
def grant_close(*, actor: Any, grant: Grant, version: Any = None) -> Grant:
    """Close a paid grant once its notice period is over and every objection is answered."""
    require(actor, "fund.approve")
    require_in_scope(actor, grant.fund.association)
    grant = _locked_grant(grant, Grant.Status.PAID, version)
    if grant.notice_until and timezone.localdate() <= grant.notice_until:
        raise ServiceError(
            gettext("公示期至 %(date)s 结束，期满后方可办结。") % {"date": grant.notice_until}
        )
    if grant.feedback.filter(kind=Feedback.Kind.OBJECTION, replied_at__isnull=True).exists():
        raise ServiceError(gettext("尚有异议未答复，答复后方可办结。"))
    before = snapshot(grant, ["status", "version"])
    return _step(actor, grant, before, status=Grant.Status.CLOSED, closed_at=timezone.now())


# --- social supervision ------------------------------------------------------------------------


def _owner_for(fund: Fund, grant: Grant | None) -> Any:
    if grant is not None and grant.approved_by_id:
        return grant.approved_by
    from fpa.accounts.models import User

    candidates = User.objects.filter(is_active=True, home_association=fund.association).order_by(
        "pk"
    )
    return next((u for u in candidates if u.has_capability("fund.reply")), None)


@transaction.atomic
def feedback_submit(
    *,
    fund: Fund,
    kind: str,
    text: str,
    grant: Grant | None = None,
    rating: int | None = None,
    contact_phone: str | None = None,
) -> Feedback:
    """A rating, comment or objection from anyone (no account). Objections only while the
    grant is in its notice period. Gets an owner, a reply deadline and a receipt code; held for
    review (`feedback_publish`) before anyone else sees it. ID and phone numbers typed into the
    text are masked before it is stored (`fpa.core.masking.mask_numbers_in_text`)."""
    text = mask_numbers_in_text(text.strip())
    if not text:
        raise ServiceError(gettext("请填写内容。"), field="text")
    if kind == Feedback.Kind.OBJECTION:
        if grant is None or not grant.in_notice(timezone.localdate()):
            raise ServiceError(gettext("该资助不在公示期内，无法提出异议。"))
        rating = None
    elif rating is None:
        raise ServiceError(gettext("请选择 1 至 5 分的评分。"), field="rating")
    if grant is not None and grant.fund_id != fund.pk:
        raise ServiceError(gettext("资助不属于该基金。"))
    feedback = Feedback(
        fund=fund,
        grant=grant,
        association=grant.association if grant is not None else fund.association,
        kind=kind,
        rating=rating,
        text=text,
        contact_phone=contact_phone or None,
        owner=_owner_for(fund, grant),
        reply_due=timezone.localdate() + datetime.timedelta(days=fund.reply_days),
        status=Feedback.Status.HELD,
        receipt=secrets.token_urlsafe(16),
    )
    validate(feedback)
    feedback.save()
    audit_create(actor=None, obj=feedback, scope_path=feedback.association.path)
    return feedback


@transaction.atomic
def feedback_reply(*, actor: Any, feedback: Feedback, reply: str) -> Feedback:
    """Answer a comment or objection; the answer is published beside it."""
    require(actor, "fund.reply")
    require_in_scope(actor, feedback.association)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.replied_at is not None:
        raise Conflict(gettext("该意见已答复。"))
    if not reply.strip():
        raise ServiceError(gettext("请填写答复内容。"), field="reply")
    before = snapshot(feedback, ["reply", "replied_by"])
    feedback.reply = reply.strip()
    feedback.replied_by = actor
    feedback.replied_at = timezone.now()
    validate(feedback)
    feedback.save(update_fields=["reply", "replied_by", "replied_at", "updated_at"])
    audit_update(actor=actor, obj=feedback, before=before, scope_path=feedback.association.path)
    return feedback


REVIEW_STEPS = {
    # service name: (statuses it starts from, status it sets, whether a reason is required)
    "publish": ((Feedback.Status.HELD,), Feedback.Status.PUBLISHED, False),
    "refuse": ((Feedback.Status.HELD,), Feedback.Status.REFUSED, True),
    "take_down": ((Feedback.Status.PUBLISHED,), Feedback.Status.TAKEN_DOWN, True),
}


def _review(*, actor: Any, feedback: Feedback, step: str, reason: str) -> Feedback:
    require(actor, "fund.reply")
    require_in_scope(actor, feedback.association)
    starts, status, needs_reason = REVIEW_STEPS[step]
    reason = reason.strip()
    if needs_reason and not reason:
        raise ServiceError(gettext("请填写原因（将告知提交人）。"), field="reason")
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.status not in starts:
        raise Conflict(
            gettext("该意见当前为“%(status)s”，不能执行此操作。")
            % {"status": feedback.get_status_display()}
        )
    before = snapshot(feedback, ["status", "review_reason"])
    feedback.status = status
    feedback.review_reason = reason
    feedback.reviewed_by = actor
    feedback.reviewed_at = timezone.now()
    validate(feedback)
    feedback.save(
        update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"]
    )
    audit_update(
        actor=actor,
        obj=feedback,
        before=before,
        scope_path=feedback.association.path,
        reason=reason or gettext("审核通过"),
    )
    return feedback


@transaction.atomic
def feedback_publish(*, actor: Any, feedback: Feedback, reason: str = "") -> Feedback:
    """Publish a held comment or objection on the public pages (after its text was checked)."""
    return _review(actor=actor, feedback=feedback, step="publish", reason=reason)


@transaction.atomic
def feedback_refuse(*, actor: Any, feedback: Feedback, reason: str) -> Feedback:
    """Do not publish a held comment; the writer sees 未通过 and the reason. It still needs its
    reply (an objection is answered whether or not it is published)."""
    return _review(actor=actor, feedback=feedback, step="refuse", reason=reason)


@transaction.atomic
def feedback_take_down(*, actor: Any, feedback: Feedback, reason: str) -> Feedback:
    """Take a published comment off the public pages (it names someone, or is abuse); it stays
    on file, still needs its reply, and the reason is audited and shown to the writer."""
    return _review(actor=actor, feedback=feedback, step="take_down", reason=reason)
