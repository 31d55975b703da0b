"""Contact persons (联系人) of a family: assign, end, hand over many at once."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.core.audit import (
    audit_create,
    audit_record,
    audit_update,
    snapshot,
)
from fpa.core.errors import NotAllowed, ServiceError, validate
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope, scope_path_of
from fpa.families.models import (
    Contact,
    ContactRole,
    Family,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- contacts -------------------------------------------------------------------------------------


@transaction.atomic
def contact_assign(
    *,
    actor: User,
    family: Family,
    role: ContactRole,
    name: str,
    start_date: datetime.date,
    user: User | None = None,
    phone: str | None = None,
) -> Contact:
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    if family.status != Family.Status.ACTIVE:
        raise ServiceError(gettext("只能为在册家庭指定联系人。"))
    if user is not None and not user.is_active:
        raise ServiceError(gettext("该账号已停用。"), field="user")
    contact = Contact(
        family=family,
        role=role,
        name=(name or (user.full_name if user else "")).strip(),
        user=user,
        phone=phone or None,
        start_date=start_date,
    )
    validate(contact, exclude=["family", "phone_hash"])
    contact.save()
    audit_create(actor=actor, obj=contact, scope_path=family.association.path)
    return contact


@transaction.atomic
def contact_end(*, actor: User, contact: Contact, end_date: datetime.date) -> Contact:
    require(actor, "family.edit")
    require_in_scope(actor, contact.family.association)
    if contact.end_date:
        raise ServiceError(gettext("该联系人已结束。"))
    if end_date < contact.start_date:
        raise ServiceError(gettext("结束日期不能早于开始日期。"), field="end_date")
    before = snapshot(contact, ["end_date"])
    contact.end_date = end_date
    contact.save(update_fields=["end_date", "updated_at"])
    audit_update(
        actor=actor, obj=contact, before=before, scope_path=contact.family.association.path
    )
    return contact


@transaction.atomic
def contacts_reassign(
    *,
    actor: User,
    from_user: User,
    to_user: User | None,
    on: datetime.date,
    to_name: str = "",
) -> int:
    """A contact person leaves: every family they look after in the actor's scope moves to the
    successor in one action. Returns how many families moved."""
    require(actor, "family.edit")
    if to_user is not None and not to_user.is_active:
        raise ServiceError(gettext("接替人账号已停用。"), field="to_user")
    if to_user is not None and to_user.pk == from_user.pk:
        raise ServiceError(gettext("接替人不能是本人。"), field="to_user")
    to_name = (to_name or "").strip() or (
        (to_user.full_name or to_user.username) if to_user is not None else ""
    )
    if not to_name:
        raise ServiceError(gettext("请指定接替人（平台账号或姓名）。"), field="to_user")
    path = scope_path_of(actor)
    if path is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    # The actor's subtree only: being a contact of a family elsewhere gives no right to move it.
    current = list(
        Contact.objects.filter(family__association__path__under=path)
        .filter(user=from_user, end_date__isnull=True)
        .select_related("family__association", "role")
        .order_by("pk")
    )
    if not current:
        raise ServiceError(gettext("此人在您的管辖范围内没有正在联系的家庭。"))
    for contact in current:
        if on < contact.start_date:
            raise ServiceError(gettext("交接日期不能早于原联系开始日期。"), field="on")
    Contact.objects.filter(pk__in=[c.pk for c in current]).update(end_date=on)
    created = Contact.objects.bulk_create(
        [
            Contact(
                family=c.family,
                role=c.role,
                name=to_name,
                user=to_user,
                start_date=on,
            )
            for c in current
        ]
    )
    assert actor.home_association is not None  # scope_path_of(actor) gave a path above
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="families.contact",
        object_repr=f"联系人交接 {from_user} → {to_user}",
        changes={
            "families": [None, [c.family_id for c in current]],
            "from_user": [from_user.pk, None],
            "to_user": [None, to_user.pk if to_user else None],
            "new_contacts": [None, [c.pk for c in created]],
        },
        scope_path=actor.home_association.path,
    )
    return len(current)
