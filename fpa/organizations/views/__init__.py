"""Pages of the association network: the tree, staff, filings, council and congress seats.

Modules: `tree`, `staff`, `filings`, `seats`; `common` holds what they share.
"""

from fpa.organizations.views.common import (
    ASSOCIATION,
)
from fpa.organizations.views.filings import (
    filing_list,
    filing_missing,
    filing_review,
    filing_submit,
)
from fpa.organizations.views.seats import (
    composition,
    seat_end,
    seats,
)
from fpa.organizations.views.staff import (
    STAFF_EXPORT,
    STAFF_IMPORT,
    staff_create,
    staff_detail,
    staff_edit,
    staff_end,
    staff_export,
    staff_import,
    staff_list,
    staff_reveal,
    training_add,
)
from fpa.organizations.views.tree import (
    association_list,
    autocomplete,
    children,
    close,
    contact,
    create_child,
    detail,
    rename,
    tree,
)

__all__ = [
    "ASSOCIATION",
    "STAFF_EXPORT",
    "STAFF_IMPORT",
    "association_list",
    "autocomplete",
    "children",
    "close",
    "composition",
    "contact",
    "create_child",
    "detail",
    "filing_list",
    "filing_missing",
    "filing_review",
    "filing_submit",
    "rename",
    "seat_end",
    "seats",
    "staff_create",
    "staff_detail",
    "staff_edit",
    "staff_end",
    "staff_export",
    "staff_import",
    "staff_list",
    "staff_reveal",
    "training_add",
    "tree",
]
