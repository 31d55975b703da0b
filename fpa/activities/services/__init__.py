"""Writes for activities, sites, campaigns and the expert pool. Atomic, audited, and each moves
the figures it changes (`fpa.activities.tallies`) in its own transaction.

One module per sub-domain: `sites`, `activities` (plan to summary, media, volunteers, sign-in
opening), `campaigns`, `pool` (experts and peer clubs); `common` holds what they share. Callers
import from `fpa.activities.services`.
"""

from fpa.activities.services.activities import (
    COUNT_FIELDS,
    PLAN_FIELDS,
    activity_approve,
    activity_cancel,
    activity_hold,
    activity_plan,
    activity_record_counts,
    activity_request_volunteers,
    activity_summarise,
    activity_update,
    media_add,
    media_remove,
    signin_close,
    signin_open,
)
from fpa.activities.services.campaigns import campaign_create, campaign_update
from fpa.activities.services.common import above, approval_required
from fpa.activities.services.funding import activity_fund_link
from fpa.activities.services.health import case_create, case_reopen, follow_up_add
from fpa.activities.services.media_scans import media_scan_remove, media_scan_set
from fpa.activities.services.photos import (
    photo_add,
    photo_remove,
    photo_set_public,
    photo_update,
)
from fpa.activities.services.pool import (
    expert_add,
    expert_update,
    peer_club_add,
    peer_club_update,
)
from fpa.activities.services.settings import (
    list_item_add,
    list_item_move,
    list_item_set_active,
    list_item_update,
    policy_set,
)
from fpa.activities.services.signins import signin_submit, summary_publish, summary_withdraw
from fpa.activities.services.sites import site_create, site_set_families, site_update

__all__ = [
    "COUNT_FIELDS",
    "PLAN_FIELDS",
    "above",
    "activity_approve",
    "activity_cancel",
    "activity_fund_link",
    "activity_hold",
    "activity_plan",
    "activity_record_counts",
    "activity_request_volunteers",
    "activity_summarise",
    "activity_update",
    "approval_required",
    "campaign_create",
    "campaign_update",
    "case_create",
    "case_reopen",
    "expert_add",
    "expert_update",
    "follow_up_add",
    "list_item_add",
    "list_item_move",
    "list_item_set_active",
    "list_item_update",
    "media_add",
    "media_remove",
    "media_scan_remove",
    "media_scan_set",
    "peer_club_add",
    "peer_club_update",
    "photo_add",
    "photo_remove",
    "photo_set_public",
    "photo_update",
    "policy_set",
    "signin_close",
    "signin_open",
    "signin_submit",
    "site_create",
    "site_set_families",
    "site_update",
    "summary_publish",
    "summary_withdraw",
]
