"""Writes to the member register: application, approval, card numbers, groups, status changes,
transfers and re-registration. Atomic, scoped, audited; each keeps the counters (`tallies.move`)
in the same transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import idnumbers
from fpa.core.audit import audit_create, audit_record, audit_update, diff, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate
from fpa.core.models import AuditEvent
from fpa.core.names import pinyin_forms
from fpa.core.protected import blind_index
from fpa.core.scope import require, require_in_scope, scope_path_of
from fpa.members import tallies
from fpa.members.models import (
    CardSequence,
    Confirmation,
    Member,
    MemberGroup,
    Reregistration,
    StatusChange,
    Transfer,
)
from fpa.organizations.models import Association

MEMBER_HOLDERS = (
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
    Association.Kind.ENTERPRISE,
    Association.Kind.PARK,
    Association.Kind.CHAMBER,
    Association.Kind.MIGRANT,
    Association.Kind.PARTY_BRANCH,
    Association.Kind.CHAMBER_JOINT,
)
EDITABLE = (
    "kind",
    "name",
    "contact_name",
    "id_number",
    "phone",
    "address",
    "political_status",
    "serves",
)
# Derived from the ID number, whose mask hides the birth date: never in the trail together.
AUDIT_EXCLUDE = frozenset({"birth_date", "id_number_hash", "phone_hash", "name_pinyin"})
NOT_HOLDER = gettext_noop("会员须登记在在用的县、乡镇、村（社区）或企业、园区、流动人口等计生协。")


def _path(member: Member) -> str:
    return member.association.path


def _require_holder(association: Association, field: str = "association") -> None:
    if association.kind not in MEMBER_HOLDERS or not association.is_current:
        raise ServiceError(gettext(NOT_HOLDER), field=field)


def duplicate_of(id_number: str, *, exclude: int | None = None) -> Member | None:
    """A live membership (pending, active, lapsed) anywhere with this ID number."""
    digest = blind_index("id_number", id_number)
    found = Member.objects.filter(id_number_hash=digest, status__in=Member.LIVE)
    if exclude:
        found = found.exclude(pk=exclude)
    return found.select_related("association").first()


def _check_duplicate(member: Member, actor: Any) -> None:
    if not member.id_number:
        return
    other = duplicate_of(member.id_number.reveal_unchecked(), exclude=member.pk)
    if other is None:
        return
    path = scope_path_of(actor)
    # Name the other association only to someone who may see it.
    if path and other.association.path.startswith(path):
        detail = gettext("已是%(association)s的会员（%(status)s）") % {
            "association": other.association.name,
            "status": other.get_status_display(),
        }
    else:
        detail = gettext("已在其他地区入会，请联系对方协会办理转会")
    raise ServiceError(
        gettext("身份证号码重复：%(detail)s。") % {"detail": detail},
        field="id_number",
        code="duplicate",
    )


def _apply_identity(member: Member) -> None:
    member.name = (member.name or "").strip()
    member.contact_name = (member.contact_name or "").strip()
    member.address = (member.address or "").strip()
    member.name_pinyin, member.name_initials = pinyin_forms(member.name)
    if member.kind == Member.Kind.GROUP:
        if not member.contact_name:
            raise ServiceError(gettext("团体会员须填写联系人。"), field="contact_name")
    elif not member.id_number:
        raise ServiceError(gettext("个人会员须填写身份证号码。"), field="id_number")
    if member.id_number:
        parsed = idnumbers.parse(member.id_number.reveal_unchecked())
        member.birth_date, member.sex = parsed.birth_date, parsed.sex
    else:
        member.birth_date, member.sex = None, ""


def _audit_create(actor: Any, member: Member) -> None:
    values = snapshot(member)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=member,
        changes={k: [None, v] for k, v in values.items() if k not in AUDIT_EXCLUDE},
        scope_path=_path(member),
    )


def _clean(value: Any, key: str) -> Any:
    if value == "" and key in {"id_number", "phone"}:
        return None
    return value


@transaction.atomic
def member_apply(
    *,
    actor: Any,
    association: Association,
    kind: str,
    name: str,
    id_number: str | None = None,
    phone: str | None = None,
    address: str = "",
    contact_name: str = "",
    political_status: str = "",
    serves: str = "",
    applied_on: datetime.date | None = None,
) -> Member:
    """Record an application (入会申请) for the council of `association` to decide."""
    require(actor, "member.edit")
    require_in_scope(actor, association)
    _require_holder(association)
    member = Member(
        association=association,
        kind=kind,
        name=name,
        contact_name=contact_name,
        id_number=_clean(id_number, "id_number"),
        phone=_clean(phone, "phone"),
        address=address,
        political_status=(political_status or "").strip(),
        serves=(serves or "").strip(),
        applied_on=applied_on or timezone.localdate(),
    )
    validate(member, exclude=["id_number_hash", "phone_hash", "card_number"])
    if member.applied_on > timezone.localdate():
        raise ServiceError(gettext("申请日期不能晚于今天。"), field="applied_on")
    _apply_identity(member)
    _check_duplicate(member, actor)
    member.save()
    _audit_create(actor, member)
    return member


def _may_decide(actor: Any, association: Association) -> None:
    """Council decisions are recorded by staff of the association itself or of its parent."""
    require(actor, "member.approve")
    home = actor.home_association
    if home is None or home.pk not in (association.pk, association.parent_id):
        raise NotAllowed(gettext("入会审批须由本协会或其上级协会办理。"))


def _next_card(association: Association) -> str:
    """The next card number of `association`: gap-free, never issued twice.

    The UPDATE takes the row lock (PostgreSQL) or the database write lock (SQLite) before the value
    is read, so concurrent approvals queue; a rolled-back approval rolls its number back too.
    """
    table = CardSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (association_id, last_number) VALUES (%s, 0) "  # noqa: S608
            "ON CONFLICT (association_id) DO NOTHING",
            [association.pk],
        )
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE association_id = %s",  # noqa: S608
            [association.pk],
        )
        cursor.execute(
            f"SELECT last_number FROM {table} WHERE association_id = %s",  # noqa: S608
            [association.pk],
        )
        number = cursor.fetchone()[0]
    return f"{association.code}-{number:05d}"


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("association").get(pk=member.pk)


def _set_status(
    actor: Any, member: Member, status: str, on: datetime.date, reason: str, **extra: Any
) -> None:
    before_key = tallies.key_of(member)
    before = snapshot(member, ["status", "version", *extra])
    StatusChange.objects.create(
        member=member,
        from_status=member.status,
        to_status=status,
        effective_date=on,
        reason=reason[:300],
        recorded_by=actor,
    )
    member.status = status
    member.version += 1
    for key, value in extra.items():
        setattr(member, key, value)
    member.save(update_fields=["status", "version", "updated_at", *extra])
    tallies.move(before_key, tallies.key_of(member))
    audit_update(actor=actor, obj=member, before=before, scope_path=_path(member), reason=reason)


@transaction.atomic
def member_approve(
    *, actor: Any, member: Member, approved_on: datetime.date | None = None
) -> Member:
    """理事会审批: the application is approved and a member card number is issued."""
    locked = _lock(member)
    _may_decide(actor, locked.association)
    if locked.status != Member.Status.PENDING:
        raise ServiceError(gettext("只能审批待审批的申请。"), field="status")
    day = approved_on or timezone.localdate()
    if day > timezone.localdate() or day < locked.applied_on:
        raise ServiceError(gettext("批准日期应在申请日期与今天之间。"), field="approved_on")
    _set_status(
        actor,
        locked,
        Member.Status.ACTIVE,
        day,
        "理事会审批通过",
        card_number=_next_card(locked.association),
        approved_on=day,
        approved_by=actor,
    )
    return locked


@transaction.atomic
def member_reject(*, actor: Any, member: Member, reason: str) -> Member:
    locked = _lock(member)
    _may_decide(actor, locked.association)
    if locked.status != Member.Status.PENDING:
        raise ServiceError(gettext("只能审批待审批的申请。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写不予批准的原因。"), field="reason")
    _set_status(
        actor,
        locked,
        Member.Status.REJECTED,
        timezone.localdate(),
        reason,
        rejection_reason=reason[:300],
    )
    return locked


@transaction.atomic
def member_update(
    *, actor: Any, member: Member, expected_version: int | None = None, **data: Any
) -> Member:
    require(actor, "member.edit")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    check_version(locked.version, expected_version)
    if locked.status not in Member.LIVE:
        raise ServiceError(gettext("该会员已不在册，不能修改。"))
    before_key = tallies.key_of(locked)
    before = snapshot(locked, (*EDITABLE, "version"))
    for key in EDITABLE:
        if key in data:
            setattr(locked, key, _clean(data[key], key))
    validate(locked, exclude=["id_number_hash", "phone_hash", "card_number"])
    _apply_identity(locked)
    _check_duplicate(locked, actor)
    if not diff({k: v for k, v in before.items() if k != "version"}, snapshot(locked, EDITABLE)):
        return locked
    locked.version += 1
    locked.save()
    tallies.move(before_key, tallies.key_of(locked))
    audit_update(actor=actor, obj=locked, before=before, scope_path=_path(locked))
    return locked


@transaction.atomic
def member_change_status(
    *, actor: Any, member: Member, status: str, effective_date: datetime.date, reason: str
) -> Member:
    """Lapsed, withdrawn, deceased, or back to active: always with a reason, a date and who."""
    require(actor, "member.edit")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    if status not in Member.MANUAL:
        raise ServiceError(gettext("状态不正确。"), field="status")
    if locked.status not in (Member.Status.ACTIVE, Member.Status.LAPSED):
        raise ServiceError(gettext("只有在册或失效的会员可以变更状态。"), field="status")
    if status == locked.status:
        raise ServiceError(gettext("新状态与当前状态相同。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写状态变更的原因。"), field="reason")
    if effective_date > timezone.localdate():
        raise ServiceError(gettext("变更日期不能晚于今天。"), field="effective_date")
    if Transfer.objects.filter(member=locked, status=Transfer.Status.REQUESTED).exists():
        raise ServiceError(gettext("该会员有待接收的转会申请，请先撤回。"), field="status")
    _set_status(actor, locked, status, effective_date, reason)
    return locked


# --- member groups --------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor: Any, association: Association, name: str) -> MemberGroup:
    require(actor, "member.edit")
    require_in_scope(actor, association)
    _require_holder(association)
    group = MemberGroup(association=association, name=(name or "").strip())
    if MemberGroup.objects.filter(association=association, name=group.name).exists():
        raise ServiceError(gettext("本协会已有同名的会员小组。"), field="name")
    validate(group, exclude=["leader"])
    group.save()
    audit_create(actor=actor, obj=group, scope_path=association.path)
    return group


@transaction.atomic
def group_assign(*, actor: Any, member: Member, group: MemberGroup | None) -> Member:
    """Put a member in a group of their own association (or take them out: group=None)."""
    require(actor, "member.edit")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    if group is not None:
        if group.association_id != locked.association_id or group.dissolved_on:
            raise ServiceError(gettext("只能加入本协会在用的会员小组。"), field="group")
        if locked.status != Member.Status.ACTIVE:
            raise ServiceError(gettext("只有在册会员可以加入会员小组。"), field="group")
    before = snapshot(locked, ["group"])
    locked.group = group
    locked.save(update_fields=["group", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=_path(locked))
    return locked


@transaction.atomic
def group_set_leader(*, actor: Any, group: MemberGroup, leader: Member | None) -> MemberGroup:
    require(actor, "member.edit")
    require_in_scope(actor, group.association)
    if leader is not None and (leader.group_id != group.pk or leader.status != "active"):
        raise ServiceError(gettext("组长须是本小组的在册会员。"), field="leader")
    before = snapshot(group, ["leader"])
    group.leader = leader
    group.save(update_fields=["leader", "updated_at"])
    audit_update(actor=actor, obj=group, before=before, scope_path=group.association.path)
    return group


# --- transfers ------------------------------------------------------------------------------------


@transaction.atomic
def transfer_request(
    *, actor: Any, member: Member, to_association: Association, reason: str
) -> Transfer:
    """The sending association asks the receiving one (anywhere in the deployment) to take the
    member; nothing changes for the member until the receiving side accepts."""
    require(actor, "member.edit")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    if locked.status != Member.Status.ACTIVE:
        raise ServiceError(gettext("只有在册会员可以转会。"), field="member")
    _require_holder(to_association, field="to_association")
    if to_association.pk == locked.association_id:
        raise ServiceError(gettext("转入协会不能是会员现在所属的协会。"), field="to_association")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写转会原因。"), field="reason")
    if Transfer.objects.filter(member=locked, status=Transfer.Status.REQUESTED).exists():
        raise ServiceError(gettext("该会员已有待接收的转会申请。"), field="member")
    transfer = Transfer(
        member=locked,
        from_association=locked.association,
        to_association=to_association,
        reason=reason[:300],
        requested_by=actor,
        requested_on=timezone.localdate(),
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise ServiceError(gettext("该会员已有待接收的转会申请。"), field="member") from exc
    audit_create(actor=actor, obj=transfer, scope_path=locked.association.path)
    _audit_incoming(actor, transfer, "create")
    return transfer


def _audit_incoming(actor: Any, transfer: Transfer, what: str) -> None:
    """The receiving subtree's auditors see the request too (without the member's personal data)."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if what != "create" else AuditEvent.Action.CREATE,
        obj=transfer,
        changes={
            "status": [None, transfer.status],
            "to_association": [None, transfer.to_association.code],
        },
        scope_path=transfer.to_association.path,
    )


def _lock_transfer(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update()
        .select_related("member__association", "from_association", "to_association")
        .get(pk=transfer.pk)
    )


@transaction.atomic
def transfer_accept(*, actor: Any, transfer: Transfer) -> Member:
    """The receiving association takes the member: a new membership there with its own card
    number, the old one closed as transferred (both kept, linked)."""
    require(actor, "member.approve")
    locked = _lock_transfer(transfer)
    require_in_scope(actor, locked.to_association)
    if locked.status != Transfer.Status.REQUESTED:
        raise ServiceError(gettext("该转会申请已处理。"), field="status")
    _require_holder(locked.to_association, field="to_association")
    old = _lock(locked.member)
    if old.status != Member.Status.ACTIVE:
        raise ServiceError(gettext("该会员已不在册，不能接收。"), field="member")
    today = timezone.localdate()
    note = f"转会至{locked.to_association.name}"
    _set_status(actor, old, Member.Status.TRANSFERRED, today, note, group=None)
    new = Member(
        association=locked.to_association,
        kind=old.kind,
        status=Member.Status.ACTIVE,
        name=old.name,
        contact_name=old.contact_name,
        id_number=old.id_number,
        phone=old.phone,
        address=old.address,
        political_status=old.political_status,
        serves=old.serves,
        applied_on=old.applied_on,
        approved_on=today,
        approved_by=actor,
        transferred_from=old,
        card_number=_next_card(locked.to_association),
    )
    _apply_identity(new)
    new.save()
    _audit_create(actor, new)
    tallies.move(None, tallies.key_of(new))
    before = snapshot(locked, ["status", "decided_on", "new_member"])
    locked.status = Transfer.Status.ACCEPTED
    locked.decided_by, locked.decided_on, locked.new_member = actor, today, new
    locked.save(update_fields=["status", "decided_by", "decided_on", "new_member", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.from_association.path)
    _audit_incoming(actor, locked, "accept")
    return new


@transaction.atomic
def transfer_refuse(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    require(actor, "member.approve")
    locked = _lock_transfer(transfer)
    require_in_scope(actor, locked.to_association)
    return _close_transfer(
        actor, locked, Transfer.Status.REFUSED, reason, gettext("请填写拒绝接收的原因。")
    )


@transaction.atomic
def transfer_cancel(*, actor: Any, transfer: Transfer, reason: str = "撤回") -> Transfer:
    require(actor, "member.edit")
    locked = _lock_transfer(transfer)
    require_in_scope(actor, locked.from_association)
    return _close_transfer(
        actor, locked, Transfer.Status.CANCELLED, reason, gettext("请填写撤回原因。")
    )


def _close_transfer(
    actor: Any, transfer: Transfer, status: str, reason: str, missing: str
) -> Transfer:
    if transfer.status != Transfer.Status.REQUESTED:
        raise ServiceError(gettext("该转会申请已处理。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(missing, field="reason")
    before = snapshot(transfer, ["status", "decided_on", "refusal_reason"])
    transfer.status = status
    transfer.decided_by, transfer.decided_on = actor, timezone.localdate()
    transfer.refusal_reason = reason[:300]
    transfer.save(
        update_fields=["status", "decided_by", "decided_on", "refusal_reason", "updated_at"]
    )
    audit_update(
        actor=actor, obj=transfer, before=before, scope_path=transfer.from_association.path
    )
    _audit_incoming(actor, transfer, "close")
    return transfer


# --- re-registration ------------------------------------------------------------------------------


@transaction.atomic
def reregistration_start(
    *,
    actor: Any,
    association: Association,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Reregistration:
    require(actor, "member.edit")
    require_in_scope(actor, association)
    campaign = Reregistration(
        association=association,
        name=(name or "").strip(),
        start_date=start_date,
        end_date=end_date,
        created_by=actor,
    )
    validate(campaign, exclude=["created_by"])
    if end_date < start_date:
        raise ServiceError(gettext("截止日期不能早于开始日期。"), field="end_date")
    if (end_date - start_date).days > 366:
        raise ServiceError(gettext("重新登记期限不能超过一年。"), field="end_date")
    campaign.save()
    audit_create(actor=actor, obj=campaign, scope_path=association.path)
    return campaign


@transaction.atomic
def reregistration_confirm(
    *, actor: Any, campaign: Reregistration, member: Member, on: datetime.date | None = None
) -> Confirmation:
    """The member confirms their membership in the campaign (recorded by staff)."""
    require(actor, "member.edit")
    require_in_scope(actor, member.association)
    if not member.association.path.startswith(campaign.association.path):
        raise ServiceError(gettext("该会员不在此次重新登记的范围内。"), field="member")
    if campaign.closed_on:
        raise ServiceError(gettext("此次重新登记已结束。"), field="campaign")
    day = on or timezone.localdate()
    if not campaign.start_date <= day <= campaign.end_date:
        raise ServiceError(gettext("确认日期不在重新登记期间内。"), field="on")
    if member.status != Member.Status.ACTIVE:
        raise ServiceError(gettext("只有在册会员可以确认重新登记。"), field="member")
    confirmation, created = Confirmation.objects.get_or_create(
        campaign=campaign, member=member, defaults={"confirmed_on": day, "recorded_by": actor}
    )
    if not created:
        raise ServiceError(gettext("该会员已确认。"), field="member")
    audit_create(actor=actor, obj=confirmation, scope_path=member.association.path)
    return confirmation


@transaction.atomic
def reregistration_close(*, actor: Any, campaign: Reregistration) -> int:
    """After the end date: every active member of the subtree (in the actor's scope) who did not
    confirm lapses, with the campaign as the reason. Returns how many lapsed."""
    require(actor, "member.edit")
    require_in_scope(actor, campaign.association)
    locked = Reregistration.objects.select_for_update().get(pk=campaign.pk)
    if locked.closed_on:
        raise ServiceError(gettext("此次重新登记已结束。"))
    if timezone.localdate() <= locked.end_date:
        raise ServiceError(gettext("截止日期之后才能结束重新登记。"))
    missing = (
        Member.objects.visible_to(actor)
        .filter(association__path__under=locked.association.path, status=Member.Status.ACTIVE)
        .exclude(confirmations__campaign=locked)
        .order_by("pk")
    )
    lapsed = 0
    reason = f"未参加{locked.name}"
    for pk in list(missing.values_list("pk", flat=True)):
        member = _lock(Member(pk=pk))
        if member.status == Member.Status.ACTIVE:
            _set_status(actor, member, Member.Status.LAPSED, locked.end_date, reason)
            lapsed += 1
    locked.closed_on = timezone.localdate()
    locked.save(update_fields=["closed_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        changes={"closed_on": [None, str(locked.closed_on)], "lapsed": [None, lapsed]},
        scope_path=locked.association.path,
    )
    return lapsed
