"""Social supervision: objections and comments on the public pages, answered, and published only
after review."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import Conflict, ServiceError, validate
from fpa.core.masking import mask_numbers_in_text
from fpa.core.scope import require, require_in_scope
from fpa.fund.models import (
    Feedback,
    Fund,
    Grant,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- social supervision ------------------------------------------------------------------------


def _owner_for(fund: Fund, grant: Grant | None) -> User | None:
    if grant is not None and grant.approved_by_id:
        return grant.approved_by
    from fpa.accounts.models import User

    candidates = User.objects.filter(is_active=True, home_association=fund.association).order_by(
        "pk"
    )
    return next((u for u in candidates if u.has_capability("fund.reply")), None)


@transaction.atomic
def feedback_submit(
    *,
    fund: Fund,
    kind: str,
    text: str,
    grant: Grant | None = None,
    rating: int | None = None,
    contact_phone: str | None = None,
) -> Feedback:
    """A rating, comment or objection from anyone (no account). Objections only while the
    grant is in its notice period. Gets an owner, a reply deadline and a receipt code; held for
    review (`feedback_publish`) before anyone else sees it. ID and phone numbers typed into the
    text are masked before it is stored (`fpa.core.masking.mask_numbers_in_text`)."""
    text = mask_numbers_in_text(text.strip())
    if not text:
        raise ServiceError(gettext("请填写内容。"), field="text")
    if kind == Feedback.Kind.OBJECTION:
        if grant is None or not grant.in_notice(timezone.localdate()):
            raise ServiceError(gettext("该资助不在公示期内，无法提出异议。"))
        rating = None
    elif rating is None:
        raise ServiceError(gettext("请选择 1 至 5 分的评分。"), field="rating")
    if grant is not None and grant.fund_id != fund.pk:
        raise ServiceError(gettext("资助不属于该基金。"))
    feedback = Feedback(
        fund=fund,
        grant=grant,
        association=grant.association if grant is not None else fund.association,
        kind=kind,
        rating=rating,
        text=text,
        contact_phone=contact_phone or None,
        owner=_owner_for(fund, grant),
        reply_due=timezone.localdate() + datetime.timedelta(days=fund.reply_days),
        status=Feedback.Status.HELD,
        receipt=secrets.token_urlsafe(16),
    )
    validate(feedback)
    feedback.save()
    audit_create(actor=None, obj=feedback, scope_path=feedback.association.path)
    return feedback


@transaction.atomic
def feedback_reply(*, actor: User, feedback: Feedback, reply: str) -> Feedback:
    """Answer a comment or objection; the answer is published beside it."""
    require(actor, "fund.reply")
    require_in_scope(actor, feedback.association)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.replied_at is not None:
        raise Conflict(gettext("该意见已答复。"))
    if not reply.strip():
        raise ServiceError(gettext("请填写答复内容。"), field="reply")
    before = snapshot(feedback, ["reply", "replied_by"])
    feedback.reply = reply.strip()
    feedback.replied_by = actor
    feedback.replied_at = timezone.now()
    validate(feedback)
    feedback.save(update_fields=["reply", "replied_by", "replied_at", "updated_at"])
    audit_update(actor=actor, obj=feedback, before=before, scope_path=feedback.association.path)
    return feedback


REVIEW_STEPS = {
    # service name: (statuses it starts from, status it sets, whether a reason is required)
    "publish": ((Feedback.Status.HELD,), Feedback.Status.PUBLISHED, False),
    "refuse": ((Feedback.Status.HELD,), Feedback.Status.REFUSED, True),
    "take_down": ((Feedback.Status.PUBLISHED,), Feedback.Status.TAKEN_DOWN, True),
}


def _review(*, actor: User, feedback: Feedback, step: str, reason: str) -> Feedback:
    require(actor, "fund.reply")
    require_in_scope(actor, feedback.association)
    starts, status, needs_reason = REVIEW_STEPS[step]
    reason = reason.strip()
    if needs_reason and not reason:
        raise ServiceError(gettext("请填写原因（将告知提交人）。"), field="reason")
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.status not in starts:
        raise Conflict(
            gettext("该意见当前为“%(status)s”，不能执行此操作。")
            % {"status": feedback.get_status_display()}
        )
    before = snapshot(feedback, ["status", "review_reason"])
    feedback.status = status
    feedback.review_reason = reason
    feedback.reviewed_by = actor
    feedback.reviewed_at = timezone.now()
    validate(feedback)
    feedback.save(
        update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"]
    )
    audit_update(
        actor=actor,
        obj=feedback,
        before=before,
        scope_path=feedback.association.path,
        reason=reason or gettext("审核通过"),
    )
    return feedback


@transaction.atomic
def feedback_publish(*, actor: User, feedback: Feedback, reason: str = "") -> Feedback:
    """Publish a held comment or objection on the public pages (after its text was checked)."""
    return _review(actor=actor, feedback=feedback, step="publish", reason=reason)


@transaction.atomic
def feedback_refuse(*, actor: User, feedback: Feedback, reason: str) -> Feedback:
    """Do not publish a held comment; the writer sees 未通过 and the reason. It still needs its
    reply (an objection is answered whether or not it is published)."""
    return _review(actor=actor, feedback=feedback, step="refuse", reason=reason)


@transaction.atomic
def feedback_take_down(*, actor: User, feedback: Feedback, reason: str) -> Feedback:
    """Take a published comment off the public pages (it names someone, or is abuse); it stays
    on file, still needs its reply, and the reason is audited and shown to the writer."""
    return _review(actor=actor, feedback=feedback, step="take_down", reason=reason)
