"""Campaigns set from above: a theme, dates, and a target of held activities per subordinate
association; activities join a campaign by naming it (`Activity.campaign`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.activities.models import Campaign, CampaignTarget, Theme
from fpa.activities.services.common import count
from fpa.core.audit import audit_create, audit_update, changed_since, snapshot
from fpa.core.errors import ServiceError, check_version, validate
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

MAX_CAMPAIGN_DAYS = 366
MAX_TARGETS = 5000  # a province's townships fit; a national campaign targets provinces


def _check_targets(
    association: Association, targets: Iterable[tuple[Association, object]]
) -> list[tuple[Association, int]]:
    out: list[tuple[Association, int]] = []
    seen: set[int] = set()
    for target, wanted in targets:
        if target.pk == association.pk or not target.is_under(association):
            raise ServiceError(
                gettext("%(name)s不是发起协会的下级协会。") % {"name": target.name},
                field="targets",
            )
        if target.pk in seen:
            raise ServiceError(
                gettext("%(name)s重复出现。") % {"name": target.name}, field="targets"
            )
        seen.add(target.pk)
        n = count(wanted, field="targets")
        if n < 1:
            raise ServiceError(gettext("每个承办协会至少开展1次活动。"), field="targets")
        out.append((target, n))
    if len(out) > MAX_TARGETS:
        raise ServiceError(gettext("承办协会过多。"), field="targets")
    return out


def _check_dates(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise ServiceError(gettext("结束日期不能早于开始日期。"), field="ends_on")
    if (ends_on - starts_on).days > MAX_CAMPAIGN_DAYS:
        raise ServiceError(gettext("一次部署最长一年。"), field="ends_on")


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    association: Association,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    theme: Theme | None = None,
    description: str = "",
    targets: Iterable[tuple[Association, object]] = (),
) -> Campaign:
    """Set a campaign for the subtree of `association`, with a target per subordinate
    association (none given: every child association, one activity each)."""
    require(actor, "activity.approve")
    require_in_scope(actor, association)
    _check_dates(starts_on, ends_on)
    wanted = list(targets) or [
        (child, 1) for child in association.children.filter(valid_to__isnull=True)
    ]
    checked = _check_targets(association, wanted)
    if not checked:
        raise ServiceError(gettext("请至少选择一个承办协会。"), field="targets")
    campaign = Campaign(
        association=association,
        title=(title or "").strip(),
        theme=theme,
        starts_on=starts_on,
        ends_on=ends_on,
        description=(description or "").strip(),
        created_by=actor,
    )
    validate(campaign)
    campaign.save()
    CampaignTarget.objects.bulk_create(
        [CampaignTarget(campaign=campaign, association=a, activities=n) for a, n in checked]
    )
    audit_create(actor=actor, obj=campaign, scope_path=association.path)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: User,
    campaign: Campaign,
    version: int | None = None,
    title: str | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    theme: Theme | None = None,
    clear_theme: bool = False,
    description: str | None = None,
    targets: Iterable[tuple[Association, object]] | None = None,
) -> Campaign:
    """Change a campaign; an argument left None keeps its value (`clear_theme` removes the
    theme: None alone cannot say it)."""
    require(actor, "activity.approve")
    campaign = (
        Campaign.objects.select_for_update().select_related("association").get(pk=campaign.pk)
    )
    require_in_scope(actor, campaign.association)
    check_version(campaign.version, version, changed_since(campaign, version or 0))
    before = snapshot(
        campaign, ["title", "starts_on", "ends_on", "theme", "description", "version"]
    )
    if title is not None:
        campaign.title = title.strip()
    if starts_on is not None:
        campaign.starts_on = starts_on
    if ends_on is not None:
        campaign.ends_on = ends_on
    if theme is not None or clear_theme:
        campaign.theme = theme
    if description is not None:
        campaign.description = description.strip()
    _check_dates(campaign.starts_on, campaign.ends_on)
    outside = campaign.activities.exclude(
        starts_at__date__range=(campaign.starts_on, campaign.ends_on)
    ).exclude(status="cancelled")
    if outside.exists():
        raise ServiceError(
            gettext("已有活动不在新的时间范围内，请先调整这些活动。"), field="starts_on"
        )
    validate(campaign)
    campaign.version += 1
    campaign.save()
    if targets is not None:
        checked = _check_targets(campaign.association, targets)
        if not checked:
            raise ServiceError(gettext("请至少选择一个承办协会。"), field="targets")
        campaign.targets.all().delete()
        CampaignTarget.objects.bulk_create(
            [CampaignTarget(campaign=campaign, association=a, activities=n) for a, n in checked]
        )
    audit_update(actor=actor, obj=campaign, before=before, scope_path=campaign.association.path)
    return campaign
