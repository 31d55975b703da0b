"""Pages of the care fund: staff pages (scoped, by capability) and public disclosure pages.

Public pages (`@public_view`) read through the public selectors only, which never load a
beneficiary, a staff note or a contact. Staff pages that act on one object load it inside the
user's subtree (`model=`); each action checks its own capability again in the service, so the
page for one step is refused to anyone who may not take it.

Modules: `staff` (home, fund, raising, journal), `grants`, `supervision` (feedback and the
report), `public`; `common` holds the helpers they share.
"""

from fpa.fund.views.common import (
    FEEDBACK_LIMIT,
    FEEDBACK_WINDOW,
)
from fpa.fund.views.entries import public_codes, public_entries, public_entry, public_lookup
from fpa.fund.views.grants import (
    grant_approve,
    grant_attachment,
    grant_attachment_add,
    grant_close,
    grant_detail,
    grant_list,
    grant_new,
    grant_pay,
    grant_review,
)
from fpa.fund.views.public import (
    RECEIPTS_KEPT,
    RECEIPTS_KEY,
    public_data,
    public_donations,
    public_feedback,
    public_feedback_status,
    public_grant,
    public_grants,
    public_home,
    public_notices,
    public_receipt,
    public_report,
    public_root,
    public_rules,
)
from fpa.fund.views.staff import (
    donation_list,
    donation_new,
    entry_list,
    entry_reverse,
    fund_create,
    fund_settings,
    home,
    income_new,
    receipt,
    rules_edit,
)
from fpa.fund.views.supervision import (
    REVIEW_ACTIONS,
    feedback_list,
    feedback_reply,
    feedback_review,
    report,
)

__all__ = [
    "FEEDBACK_LIMIT",
    "FEEDBACK_WINDOW",
    "RECEIPTS_KEPT",
    "RECEIPTS_KEY",
    "REVIEW_ACTIONS",
    "donation_list",
    "donation_new",
    "entry_list",
    "entry_reverse",
    "feedback_list",
    "feedback_reply",
    "feedback_review",
    "fund_create",
    "fund_settings",
    "grant_approve",
    "grant_attachment",
    "grant_attachment_add",
    "grant_close",
    "grant_detail",
    "grant_list",
    "grant_new",
    "grant_pay",
    "grant_review",
    "home",
    "income_new",
    "public_codes",
    "public_data",
    "public_donations",
    "public_entries",
    "public_entry",
    "public_feedback",
    "public_feedback_status",
    "public_grant",
    "public_grants",
    "public_home",
    "public_lookup",
    "public_notices",
    "public_receipt",
    "public_report",
    "public_root",
    "public_rules",
    "receipt",
    "report",
    "rules_edit",
]
