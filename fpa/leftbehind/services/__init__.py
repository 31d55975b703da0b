"""Writes to the 三留守 registry: atomic, checked (capability, scope, the children rule) and
audited. `registry` registers, changes and ends a person's record; `care` is the shared care
mechanism (`fpa.core.care`) bound to this registry: contacts, the care log, needs. Callers import
from `fpa.leftbehind.services`."""

from fpa.leftbehind.services.care import (
    care_log,
    care_log_with_need,
    contact_assign,
    contact_end,
    need_raise,
    need_update,
    staff_may_edit,
)
from fpa.leftbehind.services.handover import contacts_hand_over
from fpa.leftbehind.services.registry import (
    EDITABLE_FIELDS,
    HOLDERS,
    person_end,
    person_register,
    person_update,
    require_person,
)

__all__ = [
    "EDITABLE_FIELDS",
    "HOLDERS",
    "care_log",
    "care_log_with_need",
    "contact_assign",
    "contact_end",
    "contacts_hand_over",
    "need_raise",
    "need_update",
    "person_end",
    "person_register",
    "person_update",
    "require_person",
    "staff_may_edit",
]
