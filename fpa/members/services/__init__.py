"""Writes to the member register: application, approval, card numbers, groups, status changes,
transfers and re-registration. Atomic, scoped, audited; each keeps the counters (`tallies.move`)
in the same transaction.

Modules: `register` (application to status), `online` (the citizen's application on the public
page), `groups`, `transfers`, `reregistration`; `common`
holds what they share. Callers import from `fpa.members.services`.
"""

from fpa.members.services.common import (
    AUDIT_EXCLUDE,
    EDITABLE,
    MEMBER_HOLDERS,
    NOT_HOLDER,
    REOPENERS,
    _apply_identity,
    _check_duplicate,
    _clean,
    _lock,
    _may_decide,
    _new_card,
    _next_card,
    _path,
    duplicate_of,
)
from fpa.members.services.groups import (
    group_assign,
    group_create,
    group_set_leader,
)
from fpa.members.services.online import (
    NOT_ACCEPTED,
    ONLINE_HOLDERS,
    member_apply_online,
)
from fpa.members.services.register import (
    member_apply,
    member_approve,
    member_change_status,
    member_reject,
    member_reopen,
    member_update,
)
from fpa.members.services.reregistration import (
    reregistration_close,
    reregistration_confirm,
    reregistration_start,
)
from fpa.members.services.transfers import (
    transfer_accept,
    transfer_cancel,
    transfer_refuse,
    transfer_request,
)

__all__ = [
    "AUDIT_EXCLUDE",
    "EDITABLE",
    "MEMBER_HOLDERS",
    "NOT_ACCEPTED",
    "NOT_HOLDER",
    "ONLINE_HOLDERS",
    "REOPENERS",
    "_apply_identity",
    "_check_duplicate",
    "_clean",
    "_lock",
    "_may_decide",
    "_new_card",
    "_next_card",
    "_path",
    "duplicate_of",
    "group_assign",
    "group_create",
    "group_set_leader",
    "member_apply",
    "member_apply_online",
    "member_approve",
    "member_change_status",
    "member_reject",
    "member_reopen",
    "member_update",
    "reregistration_close",
    "reregistration_confirm",
    "reregistration_start",
    "transfer_accept",
    "transfer_cancel",
    "transfer_refuse",
    "transfer_request",
]
