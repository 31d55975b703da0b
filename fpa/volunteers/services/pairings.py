"""Pairings (结对帮扶) of a volunteer with a special family."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import ServiceError, within
from fpa.core.scope import require, require_in_scope
from fpa.families import services as family_services
from fpa.families.models import CareKind, ContactRole, Family
from fpa.volunteers.models import (
    Pairing,
    Volunteer,
)
from fpa.volunteers.services.common import PAIRING_CARE_KIND, PAIRING_ROLE, _path

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- pairings -------------------------------------------------------------------------------------


@transaction.atomic
def pairing_create(
    *,
    actor: User,
    volunteer: Volunteer,
    family: Family,
    start_date: datetime.date,
    note: str = "",
) -> Pairing:
    """结对: the volunteer becomes a contact of the family (role 计生协会员或志愿者) and the care
    log records the pairing, both through the families services (which check family.edit and
    the family's scope again)."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    require_in_scope(actor, family.association)
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ServiceError(gettext("只有在册服务的志愿者可以结对。"), field="volunteer")
    if start_date > timezone.localdate():
        raise ServiceError(gettext("结对日期不能晚于今天。"), field="start_date")
    if Pairing.objects.filter(volunteer=volunteer, family=family, end_date__isnull=True).exists():
        raise ServiceError(gettext("该志愿者已与此家庭结对。"), field="family")
    # The contact is named, not given the volunteer's account: a pairing shows the volunteer
    # the family's name and village in the portal, not the family's file.
    contact = family_services.contact_assign(
        actor=actor,
        family=family,
        role=ContactRole.objects.get(code=PAIRING_ROLE),
        name=volunteer.name,
        phone=volunteer.phone.reveal_unchecked() if volunteer.phone else None,
        start_date=start_date,
    )
    pairing = Pairing.objects.create(
        volunteer=volunteer,
        family=family,
        contact=contact,
        start_date=start_date,
        note=within((note or "").strip(), 300, field="note"),
    )
    audit_create(actor=actor, obj=pairing, scope_path=_path(volunteer))
    day = max(start_date, timezone.localdate() - datetime.timedelta(days=365))
    family_services.care_log(
        actor=actor,
        family=family,
        kind=CareKind.objects.get(code=PAIRING_CARE_KIND),
        occurred_on=day,
        services=["volunteer"],
        cares=["pairing"],
        notes=f"志愿者{volunteer.display_name}结对。{pairing.note}".strip(),
    )
    return pairing


def _pairing_close(actor: User, pairing: Pairing, end_date: datetime.date) -> None:
    if end_date < pairing.start_date:
        raise ServiceError(gettext("结束日期不能早于结对日期。"), field="end_date")
    before = snapshot(pairing, ["end_date"])
    pairing.end_date = end_date
    pairing.save(update_fields=["end_date", "updated_at"])
    audit_update(actor=actor, obj=pairing, before=before, scope_path=_path(pairing.volunteer))
    contact = pairing.contact
    if contact is not None and contact.end_date is None:
        family_services.contact_end(actor=actor, contact=contact, end_date=end_date)


@transaction.atomic
def pairing_end(*, actor: User, pairing: Pairing, end_date: datetime.date) -> Pairing:
    require(actor, "volunteer.edit")
    require_in_scope(actor, pairing.volunteer.association)
    if pairing.end_date:
        raise ServiceError(gettext("该结对已结束。"))
    _pairing_close(actor, pairing, end_date)
    return pairing
