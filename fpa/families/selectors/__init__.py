"""Reads of the special-family registry: every view, API and job reads through these (scoped by
`visible_to`).

One module per sub-domain: `registry` (lists, a family's page, the API's single reads),
`schedule` (the visit rules: what is overdue, my families, needs near their deadline),
`coverage` (the coverage figures, their click-through and the monthly report),
`people` (whom the family pages offer as contacts and owners), `care` (care log, needs,
campaigns), `payments` (the special-assistance payment roster). Callers import from
`fpa.families.selectors`, which re-exports the public names.
"""

from fpa.families.selectors.care import (
    CampaignProgress,
    campaign_progress,
    campaigns,
    care_kind,
    care_record_out,
    care_records,
    contacts_of,
    need_get,
    needs_of,
)
from fpa.families.selectors.coverage import (
    COVERAGE_MEASURES,
    SCHEDULE_FIELDS,
    Coverage,
    area_families,
    coverage,
    coverage_family_ids,
    monthly_report_for,
)
from fpa.families.selectors.payments import (
    PAID_KINDS,
    Payee,
    PaymentRoster,
    Unpaid,
    payment_roster_for,
)
from fpa.families.selectors.people import (
    EDIT_ROLES,
    accounts_with_families,
    assignable_accounts,
    current_contacts,
    is_contact,
    may_see_contact_phones,
    need_owners,
)
from fpa.families.selectors.registry import (
    LIST_FIELDS,
    Timeline,
    family_detail,
    family_get,
    family_list,
    looks_after_any,
    payment_decision,
    payment_rates,
    rate_table,
    status_history,
)
from fpa.families.selectors.schedule import (
    Due,
    my_due,
    needs_due,
    schedule,
)

__all__ = [
    "COVERAGE_MEASURES",
    "EDIT_ROLES",
    "LIST_FIELDS",
    "PAID_KINDS",
    "SCHEDULE_FIELDS",
    "CampaignProgress",
    "Coverage",
    "Due",
    "Payee",
    "PaymentRoster",
    "Timeline",
    "Unpaid",
    "accounts_with_families",
    "area_families",
    "assignable_accounts",
    "campaign_progress",
    "campaigns",
    "care_kind",
    "care_record_out",
    "care_records",
    "contacts_of",
    "coverage",
    "coverage_family_ids",
    "current_contacts",
    "family_detail",
    "family_get",
    "family_list",
    "is_contact",
    "looks_after_any",
    "may_see_contact_phones",
    "monthly_report_for",
    "my_due",
    "need_get",
    "need_owners",
    "needs_due",
    "needs_of",
    "payment_decision",
    "payment_rates",
    "payment_roster_for",
    "rate_table",
    "schedule",
    "status_history",
]
