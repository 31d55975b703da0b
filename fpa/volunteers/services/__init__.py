"""Writes for volunteers: application, vetting, agreement, status, trainings, insurance, teams,
services and hours, certificates and pairings. Atomic and audited.

One module per sub-domain: `registry` (a volunteer's record from application to status),
`teams`, `hours` (services, assignments, hours, certificates), `pairings`; `common` holds what
they share. Callers import from `fpa.volunteers.services`.
"""

from fpa.volunteers.services.common import (
    HOLDERS,
    PAIRING_CARE_KIND,
    PAIRING_ROLE,
    PROFILE_FIELDS,
    REOPENERS,
    TEAM_LEVELS,
    TRANSITIONS,
    _lock,
    _path,
    actor_path,
    duplicate_of,
)
from fpa.volunteers.services.hours import (
    assignment_create,
    certificate_issue,
    hours_confirm,
    hours_record,
    hours_submit,
    service_create,
)
from fpa.volunteers.services.pairings import (
    pairing_create,
    pairing_end,
)
from fpa.volunteers.services.registry import (
    agreement_sign,
    insurance_add,
    training_add,
    volunteer_apply,
    volunteer_change_status,
    volunteer_link_account,
    volunteer_reopen,
    volunteer_update,
    volunteer_vet,
)
from fpa.volunteers.services.teams import (
    team_add_member,
    team_create,
)

__all__ = [
    "HOLDERS",
    "PAIRING_CARE_KIND",
    "PAIRING_ROLE",
    "PROFILE_FIELDS",
    "REOPENERS",
    "TEAM_LEVELS",
    "TRANSITIONS",
    "_lock",
    "_path",
    "actor_path",
    "agreement_sign",
    "assignment_create",
    "certificate_issue",
    "duplicate_of",
    "hours_confirm",
    "hours_record",
    "hours_submit",
    "insurance_add",
    "pairing_create",
    "pairing_end",
    "service_create",
    "team_add_member",
    "team_create",
    "training_add",
    "volunteer_apply",
    "volunteer_change_status",
    "volunteer_link_account",
    "volunteer_reopen",
    "volunteer_update",
    "volunteer_vet",
]
