"""The special-assistance payment roster (特别扶助金发放花名册): the audit rows of its full names.

The roster shows each payee's name masked (张**). Full names are a read of personal data: on the
page after a reason (`payment_roster_reveal`, a `reveal` row), in the workbook of a full export
(`payment_roster_exported`, an `export` row written by the job once the file is complete). Both
need `personal.reveal` and a reason, and name the area, the month and how many people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.core.audit import audit_record
from fpa.core.errors import ServiceError, within
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.families.models import Person

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.families.selectors.payments import PaymentRoster

REASON_MAX = 200


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写查看完整姓名的原因。"), field="reason")
    return within(reason, REASON_MAX, field="reason")


def _record(*, actor: User, roster: PaymentRoster, reason: str, action: str, what: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=Person._meta.label_lower,
        object_repr=f"{roster.title}：{roster.root.name} {roster.month.label}{what}",
        changes={
            "field": "name",
            "area": roster.root.code,
            "month": roster.month.param,
            "people": len(roster.payees),
        },
        scope_path=roster.root.path,
        reason=reason,
    )


@transaction.atomic
def payment_roster_reveal(*, actor: User, roster: PaymentRoster, reason: str) -> None:
    """The page shows the roster's full names: one `reveal` audit row with the reason."""
    require(actor, "personal.reveal")
    require_in_scope(actor, roster.root)
    reason = _reason(reason)
    _record(
        actor=actor,
        roster=roster,
        reason=reason,
        action=AuditEvent.Action.REVEAL,
        what=f"（完整姓名{len(roster.payees)}人）",
    )


@transaction.atomic
def payment_roster_exported(*, actor: User, roster: PaymentRoster, reason: str) -> None:
    """A workbook with the full names was written: one `export` audit row with the reason."""
    require(actor, "personal.reveal")
    require_in_scope(actor, roster.root)
    reason = _reason(reason)
    _record(
        actor=actor,
        roster=roster,
        reason=reason,
        action=AuditEvent.Action.EXPORT,
        what=f"导出（含完整姓名{len(roster.payees)}人）",
    )
