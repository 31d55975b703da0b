"""An activity's cost linked to the care-fund grant that paid for it (`Activity.fund_grant`).

The fund's own workflow produces, for an activity's cost, a grant whose target is 活动
(`fpa.fund.models.Grant.Target.ACTIVITY`): applied for, reviewed, approved, noticed and paid by
the fund. The activity only points at that grant; its amount and status stay the fund's and are
read from it, never copied. Linking (and unlinking) is a fund act: it needs `fund.apply` (the
staff who apply for grants) besides `activity.edit`, both in scope of the activity and of the
grant, and the grant must be one of the fund that covers the activity's association, on the
activity's own line of the tree (its association, an ancestor or a descendant).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.activities.models import Activity
from fpa.core.audit import audit_update, changed_since, snapshot
from fpa.core.errors import ServiceError, check_version
from fpa.core.scope import require, require_in_scope
from fpa.fund import selectors as fund_selectors
from fpa.fund.models import Grant

if TYPE_CHECKING:
    from fpa.accounts.models import User

LINK_CAPABILITY = "fund.apply"


def may_link(actor: User) -> bool:
    """Whether the actor's roles allow linking at all (the page offers the form only then)."""
    return actor.has_capability(LINK_CAPABILITY) and actor.has_capability("activity.edit")


def check_grant(activity: Activity, grant: Grant) -> None:
    """The grant may pay for the activity: a grant for an activity, not refused, of the fund
    that covers the activity's association, on the activity's line of the tree."""
    if grant.target != Grant.Target.ACTIVITY:
        raise ServiceError(
            gettext("只能关联资助对象为“活动”的资助。"), field="grant", code="invalid"
        )
    if grant.status == Grant.Status.REJECTED:
        raise ServiceError(gettext("该资助申请未通过，不能关联。"), field="grant", code="invalid")
    fund = fund_selectors.fund_of(activity.association)
    if grant.fund_id != fund.pk:
        raise ServiceError(
            gettext("该资助不属于覆盖本活动主办协会的生育关怀基金。"),
            field="grant",
            code="invalid",
        )
    association = activity.association
    if not (association.is_under(grant.association) or grant.association.is_under(association)):
        raise ServiceError(
            gettext("该资助属于其他协会，不能关联到本活动。"), field="grant", code="invalid"
        )


@transaction.atomic
def activity_fund_link(
    *, actor: User, activity: Activity, grant: Grant | None, version: int | None = None
) -> Activity:
    """Link `activity` to the grant that paid for its cost, or unlink it (`grant` None)."""
    require(actor, LINK_CAPABILITY)
    require(actor, "activity.edit")
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("association")
        .get(pk=activity.pk)
    )
    require_in_scope(actor, activity.association)
    check_version(activity.version, version, changed_since(activity, version or 0))
    if activity.status == Activity.Status.CANCELLED:
        raise ServiceError(gettext("已取消的活动不能关联经费。"), code="state")
    if grant is not None:
        grant = Grant.objects.select_related("association", "fund").get(pk=grant.pk)
        require_in_scope(actor, grant.association)
        check_grant(activity, grant)
    if activity.fund_grant_id == (grant.pk if grant else None):
        return activity
    before = snapshot(activity, ["fund_grant", "version"])
    activity.fund_grant = grant
    activity.version += 1
    activity.save(update_fields=["fund_grant", "version", "updated_at"])
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity
