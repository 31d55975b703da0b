"""Submit, return, accept: the review workflow that things sent up the chain share.

An association files something (a report; the filings and the fund's grants have their own
older machines) and the level above reviews it: it accepts it, or returns it with a reason, and a
returned item is fixed and submitted again. Every step is kept as a history row.

`Reviewed` is the abstract model mixin (the status, who sent it and who decided, the last
reason, a version); `ReviewStepBase` the abstract history row. The transitions are functions
that check the state and separation of duties and change the object in memory; the owning
service locks the row, checks capability and scope, saves, writes the step and the audit row.

Rules:
- a draft or a returned item may be submitted; only a submitted one may be accepted or returned
  (a step from the wrong state is a `Conflict`, HTTP 409 in the API);
- the reviewer's home association is strictly above the item's association (never its own, a
  sibling's, or one below it), so nobody accepts their own association's work; the reviewer is
  not who submitted it;
- a return needs a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.scope import path_is_under

if TYPE_CHECKING:
    from fpa.core.actors import Actor


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核")


class Action(models.TextChoices):
    SUBMIT = "submit", _("上报")
    RETURN = "return", _("退回")
    ACCEPT = "accept", _("审核通过")


EDITABLE = (Status.DRAFT, Status.RETURNED)
REASON_LIMIT = 500


class Reviewed(models.Model):
    """The state of something reviewed by the level above. The concrete model has an
    `association` (who files it) and names its history model's related name `steps`."""

    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("退回原因"), max_length=REASON_LIMIT, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        abstract = True

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


class ReviewStepBase(models.Model):
    """One step of the history: who did what, from which association, when, and why."""

    action = models.CharField(_("环节"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("办理单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.CharField(_("说明"), max_length=REASON_LIMIT, blank=True)

    class Meta:
        abstract = True


def is_reviewer_of(actor: Actor, association: Any) -> bool:
    """Whether the actor's home association lies strictly above `association` (the levels
    above review; an association never reviews itself)."""
    home = getattr(actor, "home_association", None)
    if home is None or association is None:
        return False
    return home.path != association.path and path_is_under(association.path, home.path)


def may_review(actor: Actor, item: Reviewed, capability: str) -> bool:
    """The reviewer test the pages use to show the buttons (the services check it again)."""
    return (
        item.status == Status.SUBMITTED
        and actor.has_capability(capability)
        and is_reviewer_of(actor, getattr(item, "association", None))
        and item.submitted_by_id != getattr(actor, "pk", None)
    )


def submit(item: Reviewed, actor: Actor) -> None:
    """Draft or returned → submitted."""
    if item.status not in EDITABLE:
        raise Conflict(
            gettext("只有草稿或已退回的可以上报（当前状态：%(status)s）。")
            % {"status": item.get_status_display()}
        )
    item.status = Status.SUBMITTED
    item.submitted_at = timezone.now()
    item.submitted_by = actor  # type: ignore[assignment]
    item.decided_at = None
    item.decided_by = None
    item.reason = ""


def _check_reviewer(item: Reviewed, actor: Actor, verb: str) -> None:
    if item.status != Status.SUBMITTED:
        raise Conflict(
            gettext("只有已上报的可以%(verb)s（当前状态：%(status)s）。")
            % {"verb": verb, "status": item.get_status_display()}
        )
    if not is_reviewer_of(actor, getattr(item, "association", None)):
        raise NotAllowed(gettext("只能由上级计生协审核，不能审核本级或平级的上报。"))
    if item.submitted_by_id is not None and item.submitted_by_id == getattr(actor, "pk", None):
        raise NotAllowed(gettext("不能审核自己上报的内容。"))


def accept(item: Reviewed, actor: Actor) -> None:
    """Submitted → accepted, by the level above (never the submitter)."""
    _check_reviewer(item, actor, gettext("审核通过"))
    item.status = Status.ACCEPTED
    item.decided_at = timezone.now()
    item.decided_by = actor  # type: ignore[assignment]
    item.reason = ""


def send_back(item: Reviewed, actor: Actor, reason: str) -> str:
    """Submitted → returned with the reason (returned, cleaned)."""
    text = (reason or "").strip()
    if len(text) < 2:
        raise ServiceError(gettext("请填写退回原因。"), field="reason")
    if len(text) > REASON_LIMIT:
        raise ServiceError(
            gettext("退回原因最多%(max)d个字。") % {"max": REASON_LIMIT}, field="reason"
        )
    _check_reviewer(item, actor, gettext("退回"))
    item.status = Status.RETURNED
    item.decided_at = timezone.now()
    item.decided_by = actor  # type: ignore[assignment]
    item.reason = text
    return text
