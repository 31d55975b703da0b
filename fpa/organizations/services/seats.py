"""Council and congress seats (理事会、代表大会)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import (
    audit_create,
    audit_update,
    snapshot,
)
from fpa.core.errors import ServiceError, validate
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import (
    Association,
    BodySeat,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- council and congress seats ---------------------------------------------------------------


@transaction.atomic
def seat_add(
    *,
    actor: User,
    association: Association,
    body: str,
    name: str,
    source: str,
    term_year: int,
    sex: str = "",
) -> BodySeat:
    require(actor, "body.edit")
    require_in_scope(actor, association)
    seat = BodySeat(
        association=association,
        body=body,
        name=(name or "").strip(),
        source=source,
        term_year=term_year,
        sex=sex or "",
    )
    validate(seat)
    this_year = timezone.localdate().year
    if not 1980 <= seat.term_year <= this_year + 1:
        raise ServiceError(
            gettext("届次年份应在1980至%(last)s之间。") % {"last": this_year + 1}, field="term_year"
        )
    seat.save()
    audit_create(actor=actor, obj=seat, scope_path=association.path)
    return seat


@transaction.atomic
def seat_end(*, actor: User, seat: BodySeat, ended_on: datetime.date) -> BodySeat:
    require(actor, "body.edit")
    require_in_scope(actor, seat.association)
    if seat.ended_on:
        raise ServiceError(gettext("该席位已卸任。"))
    before = snapshot(seat, ["ended_on"])
    seat.ended_on = ended_on
    seat.save(update_fields=["ended_on", "updated_at"])
    audit_update(actor=actor, obj=seat, before=before, scope_path=seat.association.path)
    return seat
