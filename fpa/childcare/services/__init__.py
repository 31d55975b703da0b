"""Writes of childcare supervision: institutions, inspections and the checklist, problems and
their rectification, model recommendations. Atomic and audited.

One module per sub-domain; `common` holds who may do what and the shared checks. Callers import
from `fpa.childcare.services`.
"""

from fpa.childcare.services.common import (
    COUNTY_LEVELS,
    EDIT,
    HOLDERS,
    INSPECTORS,
    may_manage_checklist,
    may_record_problems,
    may_verify,
)
from fpa.childcare.services.inspections import (
    checklist_item_add,
    checklist_item_update,
    inspection_record,
)
from fpa.childcare.services.institutions import (
    PROFILE_FIELDS,
    TRANSITIONS,
    institution_change_status,
    institution_register,
    institution_update,
)
from fpa.childcare.services.problems import (
    problem_add,
    problem_close,
    problem_rectify,
    problem_return,
)
from fpa.childcare.services.recommendations import (
    recommendation_create,
    recommendation_decide,
)

__all__ = [
    "COUNTY_LEVELS",
    "EDIT",
    "HOLDERS",
    "INSPECTORS",
    "PROFILE_FIELDS",
    "TRANSITIONS",
    "checklist_item_add",
    "checklist_item_update",
    "inspection_record",
    "institution_change_status",
    "institution_register",
    "institution_update",
    "may_manage_checklist",
    "may_record_problems",
    "may_verify",
    "problem_add",
    "problem_close",
    "problem_rectify",
    "problem_return",
    "recommendation_create",
    "recommendation_decide",
]
