"""What hangs on a migrant's record: family members and services received (its needs: `needs`,
on the care mechanism). Each write checks `migrant.edit` and the migrant's association in scope,
and is audited; all of it is keyed by the migrant, so it moves with the record when the migrant
moves to another association."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import idnumbers
from fpa.core.audit import audit_create, audit_record, snapshot
from fpa.core.errors import ServiceError, validate, within
from fpa.core.models import AuditEvent
from fpa.migrants.models import FamilyMember, Migrant, ServiceKind, ServiceRecord
from fpa.migrants.services.common import past_date, require_edit

if TYPE_CHECKING:
    from fpa.accounts.models import User


def _text(value: str | None, *, field: str, label: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and len(text) < 2:
        raise ServiceError(gettext("请填写%(label)s。") % {"label": label}, field=field)
    return within(text, limit, field=field)


# --- family members -------------------------------------------------------------------------


@transaction.atomic
def family_member_add(
    *,
    actor: User,
    migrant: Migrant,
    relation: str,
    name: str,
    id_number: str = "",
    birth_date: datetime.date | None = None,
    moved_with: bool = True,
) -> FamilyMember:
    """A family member; the ID number, when given, fixes the birth date (a date typed beside it
    must agree)."""
    require_edit(actor, migrant.association)
    if relation not in FamilyMember.Relation.values:
        raise ServiceError(gettext("请选择与本人的关系。"), field="relation")
    member = FamilyMember(
        migrant=migrant,
        relation=relation,
        name=(name or "").strip(),
        moved_with=bool(moved_with),
    )
    if id_number:
        try:
            number = idnumbers.parse(id_number, today=timezone.localdate())
        except idnumbers.IdNumberError as exc:
            raise ServiceError(str(exc), field="id_number") from exc
        if birth_date and birth_date != number.birth_date:
            raise ServiceError(gettext("出生日期与身份证号码不一致。"), field="birth_date")
        member.id_number, birth_date = number.value, number.birth_date
    member.birth_date = past_date(birth_date, field="birth_date", label=gettext("出生日期"))
    if member.birth_date is None and not id_number:
        raise ServiceError(gettext("请填写出生日期或身份证号码。"), field="birth_date")
    validate(member, exclude=["migrant", "id_number_hash"], unique=False)
    member.save()
    audit_create(actor=actor, obj=member, scope_path=migrant.association.path)
    return member


@transaction.atomic
def family_member_remove(*, actor: User, member: FamilyMember) -> None:
    """Remove a family member entered by mistake (the audit trail keeps it, masked)."""
    migrant = member.migrant
    require_edit(actor, migrant.association)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=member,
        changes={"before": snapshot(member)},
        scope_path=migrant.association.path,
    )
    member.delete()


# --- services received ----------------------------------------------------------------------


@transaction.atomic
def service_record(
    *,
    actor: User,
    migrant: Migrant,
    kind: ServiceKind,
    served_on: datetime.date | None,
    provider: str,
    notes: str = "",
) -> ServiceRecord:
    """A service the migrant received (a kind in use), on a day not in the future."""
    require_edit(actor, migrant.association)
    if kind is None or not kind.active:
        raise ServiceError(gettext("请选择在用的服务类别。"), field="kind")
    if served_on is None:
        raise ServiceError(gettext("请填写服务日期。"), field="served_on")
    past_date(served_on, field="served_on", label=gettext("服务日期"))
    home = actor.home_association
    assert home is not None  # require_edit: the actor has a scope
    record = ServiceRecord(
        migrant=migrant,
        kind=kind,
        served_on=served_on,
        provider=_text(
            provider, field="provider", label=gettext("服务人员"), limit=100, required=True
        ),
        notes=_text(notes, field="notes", label=gettext("说明"), limit=2000, required=False),
        recorded_by=actor,
        recorded_in=home,
    )
    validate(record, exclude=["migrant", "kind", "recorded_by", "recorded_in"], unique=False)
    record.save()
    audit_create(actor=actor, obj=record, scope_path=migrant.association.path)
    return record
