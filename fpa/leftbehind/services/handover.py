"""Bulk handover (联系人交接): a contact person leaves, and every left-behind person they look
after in the actor's area moves to a successor in one transaction -- the care mechanism's
`contacts_hand_over`, which the special families use too. The preview (`selectors.
handover_preview`) shows how many people move before the actor confirms.

Who: staff holding `leftbehind.edit`; only people of the actor's subtree move (being a contact
of someone elsewhere gives no right to move them); the successor is an account of the actor's
subtree, or a name; a handover that would move a child's record needs `leftbehind.children`
(all or nothing). A reason is required and kept in the audit row."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.core.care import services as care
from fpa.core.errors import ServiceError, within
from fpa.leftbehind.care import PERSON_CARE
from fpa.leftbehind.services.schedule import refresh_schedule

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.leftbehind.models import LeftBehindContact


@transaction.atomic
def contacts_hand_over(
    *,
    actor: User,
    from_user: User,
    to_user: User | None,
    on: datetime.date,
    reason: str,
    to_name: str = "",
) -> list[LeftBehindContact]:
    """Move every person `from_user` looks after in the actor's area to the successor from
    `on`. Returns the contacts that ended (one per person moved)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写交接原因。"), field="reason")
    moved: list[LeftBehindContact] = care.contacts_hand_over(
        PERSON_CARE,
        actor=actor,
        from_user=from_user,
        to_user=to_user,
        on=on,
        to_name=to_name,
        reason=within(reason, 200, field="reason"),
        subjects_key="people",
    )
    # The roles stay the same, so do the rules; the stored schedule is refreshed all the same,
    # so that it never depends on that reasoning.
    refresh_schedule(c.person_id for c in moved)
    return moved
