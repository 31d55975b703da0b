"""What the member writes share: holders, identity and duplicates, the audit row of a new member,
the lock and the status change with its counters."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, gettext_noop

from fpa.core import idnumbers
from fpa.core.audit import audit_record, audit_update, snapshot
from fpa.core.counters import next_number
from fpa.core.errors import NotAllowed, ServiceError, within
from fpa.core.models import AuditEvent
from fpa.core.names import pinyin_forms
from fpa.core.protected import blind_index
from fpa.core.scope import in_scope, require
from fpa.members import rules, tallies
from fpa.members.models import (
    CardSequence,
    Member,
    StatusChange,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

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
# Whose staff may reopen a refused application: the township and the levels above it.
REOPENERS = (
    Association.Kind.TOWNSHIP,
    Association.Kind.COUNTY,
    Association.Kind.PREFECTURE,
    Association.Kind.PROVINCE,
)
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


def _check_duplicate(member: Member, actor: User) -> None:
    if not member.id_number:
        return
    other = duplicate_of(member.id_number.reveal_unchecked(), exclude=member.pk)
    if other is None:
        return
    # Name the other association only to someone who may see it.
    if in_scope(actor, other.association):
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


def _audit_create(actor: User, member: Member) -> None:
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


def _may_decide(actor: User, association: Association) -> None:
    """Council decisions are recorded by staff of the association itself or of its parent."""
    require(actor, "member.approve")
    home = actor.home_association
    if home is None or home.pk not in (association.pk, association.parent_id):
        raise NotAllowed(gettext("入会审批须由本协会或其上级协会办理。"))


def _next_card(association: Association) -> str:
    """The next card number of `association`: gap-free, never issued twice (fpa.core.counters)."""
    number = next_number(CardSequence, "last_number", association=association)
    return f"{association.code}-{number:05d}"


def _new_card(association: Association) -> dict[str, str]:
    """A member card: its number and the unguessable code of its public check (the QR code)."""
    return {"card_number": _next_card(association), "card_code": rules.new_code()}


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("association").get(pk=member.pk)


def _set_status(
    actor: User, member: Member, status: str, on: datetime.date, reason: str, **extra: Any
) -> None:
    before_key = tallies.key_of(member)
    before = snapshot(member, ["status", "version", *extra])
    StatusChange.objects.create(
        member=member,
        from_status=member.status,
        to_status=status,
        effective_date=on,
        reason=within(reason, 300, field="reason"),
        recorded_by=actor,
    )
    member.status = status
    member.version += 1
    for key, value in extra.items():
        setattr(member, key, value)
    member.save(update_fields=["status", "version", "updated_at", *extra])
    tallies.move(before_key, tallies.key_of(member))
    audit_update(actor=actor, obj=member, before=before, scope_path=_path(member), reason=reason)
