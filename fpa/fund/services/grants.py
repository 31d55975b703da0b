"""Using the fund: a grant from application through review and approval to payment and closing."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import events
from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import Conflict, NotAllowed, ServiceError, check_version, validate, within
from fpa.core.links import link_to
from fpa.core.scope import require, require_in_scope
from fpa.fund import selectors
from fpa.fund.models import (
    Account,
    Fund,
    Grant,
    JournalEntry,
)
from fpa.fund.selectors.grants import waiting_on
from fpa.fund.services.ledger import (
    Line,
    _lock,
    _next,
    _post,
    amount_of,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.families.models import Family

# --- using -------------------------------------------------------------------------------------


@transaction.atomic
def grant_apply(
    *,
    actor: User,
    association: Association,
    target: str,
    category: Account,
    amount: object,
    purpose: str,
    family: Family | None = None,
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
    fund = _lock(selectors.fund_of(association))
    year = timezone.localdate().year
    grant = Grant(
        fund=fund,
        number=f"{fund.receipt_prefix}Z-{year}-{_next(fund, 'grant', year):05d}",
        association=association,
        township=selectors.township_of(association),
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
    _announce(grant)
    return grant


def _locked_grant(grant: Grant, status: str | tuple[str, ...], version: int | None) -> Grant:
    """Lock the row and check it is still in `status` (one of them) at the version the user saw:
    a second click, a second tab or a concurrent request finds it moved on and is refused."""
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    check_version(locked.version, version)
    if locked.status not in ((status,) if isinstance(status, str) else status):
        raise Conflict(
            gettext("该申请当前状态为「%(status)s」，不能重复办理。")
            % {"status": locked.get_status_display()}
        )
    return locked


def _own(actor: User, grant: Grant, *others: int | None) -> None:
    if actor.pk in {grant.applicant_id, *others}:
        raise NotAllowed(gettext("不能审核、审批或支付本人经手的申请（职责分离）。"))


def _step(actor: User, grant: Grant, before: dict[str, Any], **changes: object) -> Grant:
    for name, value in changes.items():
        setattr(grant, name, value)
    grant.version += 1
    grant.save(update_fields=[*changes, "version", "updated_at"])
    audit_update(actor=actor, obj=grant, before=before, scope_path=grant.association.path)
    _announce(grant)
    return grant


def _announce(grant: Grant) -> None:
    """Tell whoever may take the grant's next step now (never who handled it before)."""
    events.publish(
        "fund.grant_waiting",
        recipients=waiting_on(grant),
        title=gettext("资助申请 %(number)s 等待您办理") % {"number": grant.number},
        url=link_to("fund:grant_detail", grant.pk),
        reason=f"{grant.association.name} · {grant.amount} 元",
    )


@transaction.atomic
def grant_review(
    *, actor: User, grant: Grant, approve: bool, note: str = "", version: int | None = None
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
        decision_note=within(note.strip(), 300, field="note"),
    )


@transaction.atomic
def grant_approve(
    *, actor: User, grant: Grant, approve: bool, note: str = "", version: int | None = None
) -> Grant:
    """County approval 县级审批, by someone other than the applicant and the reviewer. In the
    fund's default order (notice first) approval opens the public notice: the grant is shown
    on the public pages as 公示中（待支付） until `notice_until`, and finance may pay it only
    after that, with every objection answered. In the pay-first order it waits for finance."""
    require(actor, "fund.approve")
    require_in_scope(actor, grant.fund.association)
    grant = _locked_grant(grant, Grant.Status.REVIEWED, version)
    _own(actor, grant, grant.reviewed_by_id)
    before = snapshot(grant, ["status", "approved_by", "decision_note", "notice_until", "version"])
    changes: dict[str, object] = {
        "status": Grant.Status.REJECTED,
        "approved_by": actor,
        "approved_at": timezone.now(),
        "decision_note": within(note.strip(), 300, field="note"),
    }
    if approve:
        fund = grant.fund
        if fund.grant_order == Fund.GrantOrder.PAY_FIRST:
            changes["status"] = Grant.Status.APPROVED
        else:
            changes["status"] = Grant.Status.NOTICE
            changes["notice_until"] = timezone.localdate() + datetime.timedelta(
                days=fund.notice_days
            )
    return _step(actor, grant, before, **changes)


def _notice_over(grant: Grant, message: str) -> None:
    """Refuse while the grant's notice period runs (`message` names its last day)."""
    if grant.notice_until and timezone.localdate() <= grant.notice_until:
        raise ServiceError(message % {"date": f"{grant.notice_until:%Y-%m-%d}"})


def _objections_answered(grant: Grant, message: str) -> None:
    """Refuse while an objection to the grant waits for its answer (it holds the next step)."""
    if selectors.open_objections(grant).exists():
        raise ServiceError(message)


@transaction.atomic
def grant_pay(
    *,
    actor: User,
    grant: Grant,
    source_account: Account,
    paid_on: datetime.date | None = None,
    version: int | None = None,
) -> Grant:
    """Finance pays a grant: posts the expense (restricted money for its purpose first). A grant
    noticed first (NOTICE) is paid only after its notice period, with every objection answered,
    and may then be closed at once; a grant approved in the pay-first order (APPROVED) is paid
    at once and its public notice starts with the payment."""
    require(actor, "fund.pay")
    require_in_scope(actor, grant.fund.association)
    if source_account.kind != Account.Kind.ASSET:
        raise ServiceError(gettext("请选择付款账户。"), field="source_account")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ServiceError(gettext("支付日期不能晚于今天。"), field="paid_on")
    fund = _lock(grant.fund)
    grant = _locked_grant(grant, (Grant.Status.APPROVED, Grant.Status.NOTICE), version)
    _own(actor, grant, grant.reviewed_by_id, grant.approved_by_id)
    if grant.status == Grant.Status.NOTICE:
        _notice_over(grant, gettext("公示期至 %(date)s 结束，公示期满后方可支付。"))
        _objections_answered(grant, gettext("公示期内收到的异议尚未答复，答复后方可支付。"))
        assert grant.notice_until is not None  # set by the approval that opened the notice
        if paid_on <= grant.notice_until:
            raise ServiceError(
                gettext("支付日期须在公示期满（%(date)s）之后。")
                % {"date": f"{grant.notice_until:%Y-%m-%d}"},
                field="paid_on",
            )
        notice_until = grant.notice_until
    else:
        notice_until = max(paid_on, timezone.localdate()) + datetime.timedelta(
            days=fund.notice_days
        )
    category = grant.category
    restricted = min(selectors.pool_of(fund, category), grant.amount)
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
def grant_close(*, actor: User, grant: Grant, version: int | None = None) -> Grant:
    """Close a paid grant once its notice period is over and every objection is answered (a
    grant noticed before payment may be closed as soon as it is paid)."""
    require(actor, "fund.approve")
    require_in_scope(actor, grant.fund.association)
    grant = _locked_grant(grant, Grant.Status.PAID, version)
    _notice_over(grant, gettext("公示期至 %(date)s 结束，期满后方可办结。"))
    _objections_answered(grant, gettext("尚有异议未答复，答复后方可办结。"))
    before = snapshot(grant, ["status", "version"])
    return _step(actor, grant, before, status=Grant.Status.CLOSED, closed_at=timezone.now())
