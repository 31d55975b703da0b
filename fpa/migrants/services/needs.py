"""A migrant's needs (诉求) through the care mechanism's need services (`fpa.core.care.services`)
with the module's spec (`MIGRANT_CARE`): raised with an owner and a deadline, moved on to 办理中,
resolved or closed with a result; each checked (`migrant.edit`, the migrant's association in the
actor's subtree), atomic and audited by the core."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from fpa.core.care import services as care
from fpa.migrants.care import MIGRANT_CARE
from fpa.migrants.models import Migrant, Need, ServiceRecord

if TYPE_CHECKING:
    from fpa.accounts.models import User


def need_raise(
    *,
    actor: User,
    migrant: Migrant,
    description: str,
    owner: User | None = None,
    due_date: datetime.date | None = None,
    raised_in: ServiceRecord | None = None,
) -> Need:
    """A need of the migrant; the owner, when named, must be an active account that can open the
    migrant's record; `raised_in` a service record of the same migrant."""
    need: Need = care.need_raise(
        MIGRANT_CARE,
        actor=actor,
        subject=migrant,
        description=description,
        owner=owner,
        due_date=due_date,
        raised_in=raised_in,
    )
    return need


def need_update(*, actor: User, need: Need, status: str, result: str = "") -> Need:
    """Move a need on (办理中, 已解决, 无法解决已答复; or back to 待办); resolving or closing it
    needs the result, and sets the closing date (reopening clears it)."""
    updated: Need = care.need_update(
        MIGRANT_CARE, actor=actor, need=need, status=status, result=result
    )
    return updated


def may_own(owner: User, migrant: Migrant) -> bool:
    """Whether `owner` may hold a need of `migrant` (the rule `need_raise` applies): an active
    account that can open the migrant's record where it is now. A transfer's acceptance keeps
    the owner of each open need only if this holds after the move
    (`fpa.core.transfers.hand_over_open_needs(..., may_own=...)`)."""
    return bool(
        owner.is_active and Migrant.objects.visible_to(owner).filter(pk=migrant.pk).exists()
    )
