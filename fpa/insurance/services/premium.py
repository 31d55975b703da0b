"""The care fund's share of a policy year's premium, posted as a grant of the fund.

The grant then follows the fund's own steps (township review where it applies, county approval,
public notice, payment by finance) and its ledger entries are the fund's; the policy year keeps
the link and the number of people billed, so the policy page and the ledger tell the same story.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.core.audit import audit_update, snapshot
from fpa.core.errors import ServiceError
from fpa.core.scope import require, require_in_scope
from fpa.fund.models import Account, Grant
from fpa.fund.services.grants import grant_apply
from fpa.insurance.models import Enrolment, PolicyYear
from fpa.insurance.services.common import bump, locked

if TYPE_CHECKING:
    from fpa.accounts.models import User

PREMIUM_ACCOUNT = "5102"  # 保险补贴, seeded by fpa/fund/migrations/0003


@transaction.atomic
def premium_post(*, actor: User, policy_year: PolicyYear, version: int | None = None) -> Grant:
    """Apply for a grant of (fund share x people enrolled) for this policy year. Refused when a
    grant is already under way or paid (a refused one may be applied for again)."""
    require(actor, "insurance.manage")
    require_in_scope(actor, policy_year.product.association)
    policy = locked(policy_year, version)
    if policy.grant_id is not None and policy.grant.status != Grant.Status.REJECTED:  # type: ignore[union-attr]
        raise ServiceError(
            gettext("该年度保费已申请资助（%(number)s），不能重复申请。")
            % {"number": policy.grant.number},  # type: ignore[union-attr]
            field="grant",
        )
    count = Enrolment.objects.filter(policy_year=policy, status=Enrolment.Status.ENROLLED).count()
    amount = policy.fund_share * count
    if amount <= 0:
        raise ServiceError(
            gettext("基金承担部分为零（每人%(share)s元，在保%(count)s人），无需申请。")
            % {"share": policy.fund_share, "count": count},
            field="grant",
        )
    category = Account.objects.filter(code=PREMIUM_ACCOUNT).first()
    if category is None:
        raise ServiceError(gettext("基金科目中没有“保险补贴”。"), field="grant")
    product = policy.product
    grant = grant_apply(
        actor=actor,
        association=product.association,
        target=Grant.Target.ACTIVITY,
        category=category,
        amount=amount,
        purpose=gettext(
            "%(insurer)s%(product)s %(year)s年度保费（保单号%(number)s）："
            "生育关怀基金承担每人%(share)s元，共%(count)s人。"
        )
        % {
            "insurer": product.insurer,
            "product": product.name,
            "year": policy.year,
            "number": policy.policy_number or "-",
            "share": policy.fund_share,
            "count": count,
        },
        activity_name=gettext("%(product)s %(year)s年度保费")
        % {"product": product.name, "year": policy.year},
    )
    before = snapshot(policy, ["grant", "posted_count", "version"])
    policy.grant, policy.posted_count = grant, count
    bump(policy)
    policy.save(update_fields=["grant", "posted_count", "version", "updated_at"])
    audit_update(actor=actor, obj=policy, before=before, scope_path=product.association.path)
    return grant
