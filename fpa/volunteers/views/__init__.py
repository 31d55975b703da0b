"""Volunteer pages: the public application, the registry, services and hours, matching and
pairing, teams, the volunteer's own portal, Excel. `fpa.volunteers.urls` routes to the names
re-exported here.
"""

from fpa.volunteers.views.common import (
    APPLY_LIMIT,
    APPLY_WINDOW,
    PROTECTED,
    VERIFY_LIMIT,
    VERIFY_WINDOW,
    VOLUNTEER,
    _holders,
    _page,
)
from fpa.volunteers.views.excel import (
    VOLUNTEER_EXPORT,
    export,
    import_hours,
    import_volunteers,
)
from fpa.volunteers.views.hours import (
    assign,
    hours_confirm,
    hours_record,
    pending,
    service_detail,
    service_list,
    service_new,
    team_detail,
    teams,
)
from fpa.volunteers.views.pairing import (
    match,
    pair,
    pairing_end,
)
from fpa.volunteers.views.public import (
    apply,
    portal,
    verify,
)
from fpa.volunteers.views.registry import (
    agreement,
    certificate,
    certificate_issue,
    detail,
    edit,
    insurance,
    link,
    renewals,
    reopen,
    reveal,
    status,
    training,
    vet,
    volunteer_list,
    volunteer_new,
)

__all__ = [
    "APPLY_LIMIT",
    "APPLY_WINDOW",
    "PROTECTED",
    "VERIFY_LIMIT",
    "VERIFY_WINDOW",
    "VOLUNTEER",
    "VOLUNTEER_EXPORT",
    "_holders",
    "_page",
    "agreement",
    "apply",
    "assign",
    "certificate",
    "certificate_issue",
    "detail",
    "edit",
    "export",
    "hours_confirm",
    "hours_record",
    "import_hours",
    "import_volunteers",
    "insurance",
    "link",
    "match",
    "pair",
    "pairing_end",
    "pending",
    "portal",
    "renewals",
    "reopen",
    "reveal",
    "service_detail",
    "service_list",
    "service_new",
    "status",
    "team_detail",
    "teams",
    "training",
    "verify",
    "vet",
    "volunteer_list",
    "volunteer_new",
]
