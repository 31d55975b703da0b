"""The care fund's to-do kinds (fpa.core.todo): grants at this user's step (never one the user
has handled before: separation of duties; a grant to pay only once it can be paid: its notice over
and every objection answered), refused applications, feedback to review and answer."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.actors import Actor
from fpa.core.links import link_to
from fpa.core.todo import Notice, TodoKind, shared
from fpa.fund import selectors
from fpa.fund.models import Grant


def _at_step(status: Grant.Status) -> TodoKind:
    """The grants waiting for one step; the key keeps the status the step starts from (the pay
    step counts grants approved in either order, once they can actually be paid)."""
    step, capability, label = {
        Grant.Status.SUBMITTED: ("review", "fund.review", gettext_noop("待审核的资助申请")),
        Grant.Status.REVIEWED: ("approve", "fund.approve", gettext_noop("待审批的资助申请")),
        Grant.Status.APPROVED: ("pay", "fund.pay", gettext_noop("待支付的资助")),
    }[status]
    return TodoKind(
        key=f"fund.grants_{status}",
        label=label,
        capability=capability,
        count=lambda user: _waiting(user).get(step, 0),
        url="fund:grants",
        query=f"?mine=1&step={step}",
        order=20,
    )


def _waiting(user: Actor) -> dict[str, int]:
    return shared("fund.waiting_for", lambda: selectors.waiting_for(user=as_user(user)))


def _feedback(user: Actor) -> dict[str, int]:
    return shared("fund.feedback_waiting", lambda: selectors.feedback_waiting(user=as_user(user)))


def _refused(user: Actor) -> list[Notice]:
    return [
        Notice(
            title=gettext("资助申请 %(number)s 未通过") % {"number": grant.number},
            reason=grant.decision_note,
            url=link_to("fund:grant_detail", grant.pk),
        )
        for grant in selectors.grants_returned_to(user=as_user(user))
    ]


KINDS = (
    _at_step(Grant.Status.SUBMITTED),
    _at_step(Grant.Status.REVIEWED),
    _at_step(Grant.Status.APPROVED),
    TodoKind(
        key="fund.grants_refused",
        label=gettext_noop("未通过的资助申请"),
        capability="fund.apply",
        count=lambda user: 0,  # shown as notices, each with its reason
        url="fund:grants",
        query="?status=rejected",
        order=21,
        notices=_refused,
    ),
    TodoKind(
        key="fund.feedback_held",
        label=gettext_noop("待审核的公众留言"),
        capability="fund.reply",
        count=lambda user: _feedback(user)["held"],
        url="fund:feedback",
        query="?held=1",
        order=25,
    ),
    TodoKind(
        key="fund.feedback_unanswered",
        label=gettext_noop("待答复的公众留言"),
        capability="fund.reply",
        count=lambda user: _feedback(user)["unanswered"],
        url="fund:feedback",
        query="?open=1",
        order=26,
    ),
)
