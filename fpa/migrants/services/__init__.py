"""Writes of the migrant registry and the enterprise profiles: atomic, checked (capability,
scope) and audited. `registry`: a migrant's record and status; `records`: family members,
services received; `needs`: needs, on the care mechanism (`fpa.core.care`); `enterprises`:
profiles and 示范点 evaluations. Callers import from `fpa.migrants.services`."""

from fpa.migrants.services.common import EDIT, VIEW, check_employer, employer_base
from fpa.migrants.services.enterprises import (
    PROFILE_FIELDS,
    evaluation_record,
    profile_create,
    profile_update,
)
from fpa.migrants.services.needs import may_own, need_raise, need_update
from fpa.migrants.services.records import (
    family_member_add,
    family_member_remove,
    service_record,
)
from fpa.migrants.services.registry import (
    FIELDS,
    TRANSITIONS,
    migrant_change_status,
    migrant_register,
    migrant_update,
)

__all__ = [
    "EDIT",
    "FIELDS",
    "PROFILE_FIELDS",
    "TRANSITIONS",
    "VIEW",
    "check_employer",
    "employer_base",
    "evaluation_record",
    "family_member_add",
    "family_member_remove",
    "may_own",
    "migrant_change_status",
    "migrant_register",
    "migrant_update",
    "need_raise",
    "need_update",
    "profile_create",
    "profile_update",
    "service_record",
]
