"""The member pages (会员): register, applications and council approval, the member's file,
groups, transfers, re-registration, counts rolled up the tree and the composition report.

Staff pages need `member.view` / `member.edit` / `member.approve` in scope. A transfer is loaded
through `Transfer.objects.visible_to`, which admits both the sending and the receiving subtree;
the receiving side sees only `selectors.transfer_summary` until it accepts.

Modules: `register` (the register and one member), `public` (the online application, its
status page and the member card's check, no sign-in), `transfers`, `reports` (counts, groups,
re-registration campaigns, composition, Excel); `common` holds the helpers they share.
"""

from fpa.members.views.common import (
    AREA_KINDS,
    MEMBER,
    _area,
    _form_page,
    _holders,
    _may_decide,
    _may_reopen,
)
from fpa.members.views.public import (
    check,
    join,
    join_status,
)
from fpa.members.views.register import (
    apply,
    approve,
    card,
    detail,
    edit,
    group,
    member_list,
    pending,
    reject,
    reopen,
    reveal,
    status,
    transfer,
)
from fpa.members.views.reports import (
    MEMBER_EXPORT,
    MEMBER_IMPORT,
    campaign_detail,
    campaigns,
    composition,
    counts,
    export_members,
    groups,
    import_members,
)
from fpa.members.views.transfers import (
    transfer_detail,
    transfers,
)

__all__ = [
    "AREA_KINDS",
    "MEMBER",
    "MEMBER_EXPORT",
    "MEMBER_IMPORT",
    "_area",
    "_form_page",
    "_holders",
    "_may_decide",
    "_may_reopen",
    "apply",
    "approve",
    "campaign_detail",
    "campaigns",
    "card",
    "check",
    "composition",
    "counts",
    "detail",
    "edit",
    "export_members",
    "group",
    "groups",
    "import_members",
    "join",
    "join_status",
    "member_list",
    "pending",
    "reject",
    "reopen",
    "reveal",
    "status",
    "transfer",
    "transfer_detail",
    "transfers",
]
