"""Pages of the special-family registry (计生特殊家庭).

One module per sub-domain: `registry` (list, register, a family and its people, reveals),
`contacts` (contact persons, hand-over, roster), `care` (care log, needs, supports, campaigns,
photos, a contact person's own families), `reports` (overdue, coverage, Excel import and export,
the monthly report), `payments` (the special-assistance payment roster); `common` holds the
helpers they share. `fpa.families.urls` routes to the names re-exported here.

Staff pages need `family.view`/`family.edit`/`family.rates` in scope. The pages a contact person
opens for the families they look after are declared with `account.self` and `model=...`: the
family's queryset (`visible_to`) already admits staff in scope and the family's current contacts,
and nobody else. The family kind (失独/伤残) is shown on the family's own page only, and on the
payment roster, whose standard differs by kind (the paper form names it).
"""

from fpa.families.views.care import (
    NEED_ALIASES,
    VISITS,
    campaign_detail,
    campaigns,
    care_add,
    care_photo,
    care_photos_add,
    mine,
    need_update,
    support_add,
)
from fpa.families.views.common import (
    AREA_KINDS,
    FAMILY,
    LIST_LIMIT,
    MEASURES,
    ROLE_ORDER,
    _area,
    _form_page,
)
from fpa.families.views.contacts import (
    contact_add,
    contact_end,
    reassign,
    roster,
)
from fpa.families.views.payments import payment_roster
from fpa.families.views.registry import (
    FamilyRow,
    _rows,
    care_reveal,
    contact_reveal,
    detail,
    edit,
    family_list,
    family_reveal,
    person_add,
    person_edit,
    person_reveal,
    rates,
    register,
    status,
)
from fpa.families.views.reports import (
    FAMILY_IMPORT,
    coverage,
    export_families,
    import_families,
    monthly_report,
    overdue,
)

__all__ = [
    "AREA_KINDS",
    "FAMILY",
    "FAMILY_IMPORT",
    "LIST_LIMIT",
    "MEASURES",
    "NEED_ALIASES",
    "ROLE_ORDER",
    "VISITS",
    "FamilyRow",
    "_area",
    "_form_page",
    "_rows",
    "campaign_detail",
    "campaigns",
    "care_add",
    "care_photo",
    "care_photos_add",
    "care_reveal",
    "contact_add",
    "contact_end",
    "contact_reveal",
    "coverage",
    "detail",
    "edit",
    "export_families",
    "family_list",
    "family_reveal",
    "import_families",
    "mine",
    "monthly_report",
    "need_update",
    "overdue",
    "payment_roster",
    "person_add",
    "person_edit",
    "person_reveal",
    "rates",
    "reassign",
    "register",
    "roster",
    "status",
    "support_add",
]
