"""Writes to the association network. Each is atomic and writes the audit trail.

Modules: `tree` (divisions loading, associations), `staff` (staff and trainings), `filing`
(备案), `seats` (council and congress seats). Callers import from `fpa.organizations.services`.
"""

from fpa.organizations.services.filing import (
    filing_accept,
    filing_return,
    filing_submit,
)
from fpa.organizations.services.seats import (
    seat_add,
    seat_end,
)
from fpa.organizations.services.staff import (
    STAFF_FIELDS,
    _apply_identity,
    staff_create,
    staff_end_term,
    staff_update,
    training_record,
)
from fpa.organizations.services.tree import (
    BATCH,
    LEVEL_KIND,
    NON_TERRITORIAL_PREFIX,
    LoadResult,
    association_close,
    association_create,
    association_rename,
    association_set_contact,
    divisions_load,
)

__all__ = [
    "BATCH",
    "LEVEL_KIND",
    "NON_TERRITORIAL_PREFIX",
    "STAFF_FIELDS",
    "LoadResult",
    "_apply_identity",
    "association_close",
    "association_create",
    "association_rename",
    "association_set_contact",
    "divisions_load",
    "filing_accept",
    "filing_return",
    "filing_submit",
    "seat_add",
    "seat_end",
    "staff_create",
    "staff_end_term",
    "staff_update",
    "training_record",
]
