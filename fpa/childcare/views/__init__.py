"""Childcare pages: the registry of institutions (`institutions`) and their supervision
(`supervision`: inspections, problems, the checklist); `common` holds what they share.
`fpa.childcare.urls` routes to the names re-exported here."""

from fpa.childcare.views.institutions import (
    detail,
    edit,
    institution_list,
    institution_new,
    outcome,
    recommend,
    reveal,
    status,
)
from fpa.childcare.views.supervision import (
    checklist,
    inspect,
    inspection,
    problem_add,
    problem_close,
    problem_rectify,
    problem_return,
    problems,
)

__all__ = [
    "checklist",
    "detail",
    "edit",
    "inspect",
    "inspection",
    "institution_list",
    "institution_new",
    "outcome",
    "problem_add",
    "problem_close",
    "problem_rectify",
    "problem_return",
    "problems",
    "recommend",
    "reveal",
    "status",
]
