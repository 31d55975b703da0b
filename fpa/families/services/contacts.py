"""Contact persons (联系人) of a family: assign, end, hand over many at once."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_noop

from fpa.core.audit import audit_record
from fpa.core.care import services as care
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.families.care import FAMILY_CARE
from fpa.families.models import (
    Contact,
    ContactRole,
    Family,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.organizations.models import Association

# --- contacts -------------------------------------------------------------------------------------


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
    """A contact person for an active family (the care mechanism's `contact_assign`)."""
    contact: Contact = care.contact_assign(
        FAMILY_CARE,
        actor=actor,
        subject=family,
        role=role,
        name=name,
        start_date=start_date,
        user=user,
        phone=phone,
    )
    return contact


def contact_end(*, actor: User, contact: Contact, end_date: datetime.date) -> Contact:
    ended: Contact = care.contact_end(FAMILY_CARE, actor=actor, contact=contact, end_date=end_date)
    return ended


def contacts_reassign(
    *,
    actor: User,
    from_user: User,
    to_user: User | None,
    on: datetime.date,
    to_name: str = "",
) -> int:
    """A contact person leaves: every family they look after in the actor's scope moves to the
    successor in one action (the care mechanism's `contacts_hand_over`). Returns how many
    families moved."""
    moved = care.contacts_hand_over(
        FAMILY_CARE,
        actor=actor,
        from_user=from_user,
        to_user=to_user,
        on=on,
        to_name=to_name,
        subjects_key="families",
    )
    return len(moved)


# --- the printed roster ---------------------------------------------------------------------------

ROSTER_REASON = gettext_noop("联系人名册：联系人的工作电话")


@transaction.atomic
def roster_contact_phones(
    *, actor: User, area: Association, contacts: list[Contact]
) -> dict[int, str]:
    """The phones of `contacts` (loaded through the actor's scope) in full, by contact id, for
    the contact roster of `area`; one `reveal` audit row names the contacts whose phone was
    shown. Families' own phones are not read here: they stay masked unless revealed one by one."""
    require(actor, "personal.reveal")
    require_in_scope(actor, area)
    phones = {c.pk: c.phone.reveal_unchecked() for c in contacts if c.phone}
    if phones:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.REVEAL,
            object_type=Contact._meta.label_lower,
            object_repr=f"联系人名册：{area.name}（联系人电话{len(phones)}个）",
            changes={"field": "phone", "contacts": sorted(phones)},
            scope_path=area.path,
            reason=ROSTER_REASON,
        )
    return phones
