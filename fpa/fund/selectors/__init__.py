"""Reads of the care fund: every view, API, job and service reads through these.

One module per sub-domain: `funds` (which fund, balances, pools), `statements` (the overview
and the statement of a period), `public` (what the public pages show), `grants` (the staff's
lists, the grants at a user's step), `feedback` (public comments and objections, what waits
for staff, the reviewer's warnings). Callers import from `fpa.fund.selectors`, which
re-exports the public names.
"""

from fpa.fund.selectors.feedback import (
    HELD,
    NAME_BATCH,
    UNANSWERED,
    feedback_by_receipt,
    feedback_list,
    feedback_waiting,
    feedback_warnings,
    overdue_feedback,
    public_feedback,
    rating_summary,
)
from fpa.fund.selectors.funds import (
    available,
    fund_for_user,
    fund_list,
    fund_of,
    fund_public,
    pool_of,
    township_of,
)
from fpa.fund.selectors.grants import (
    STEP_STATUSES,
    STEPS,
    HistoryRow,
    NextStep,
    attachments_of,
    donation_list,
    entry_list,
    grant_choices,
    grant_history,
    grant_list,
    grants_at_my_step,
    grants_returned_to,
    next_step,
    open_objections,
    waiting_for,
)
from fpa.fund.selectors.public import (
    NOTICE_LIMIT,
    PUBLIC_GRANT_STATUSES,
    public_donation,
    public_donations,
    public_grant,
    public_grants,
    public_notices,
    rules_current,
    rules_history,
)
from fpa.fund.selectors.statements import (
    Overview,
    Statement,
    overview,
    statement,
)

__all__ = [
    "HELD",
    "NAME_BATCH",
    "NOTICE_LIMIT",
    "PUBLIC_GRANT_STATUSES",
    "STEPS",
    "STEP_STATUSES",
    "UNANSWERED",
    "HistoryRow",
    "NextStep",
    "Overview",
    "Statement",
    "attachments_of",
    "available",
    "donation_list",
    "entry_list",
    "feedback_by_receipt",
    "feedback_list",
    "feedback_waiting",
    "feedback_warnings",
    "fund_for_user",
    "fund_list",
    "fund_of",
    "fund_public",
    "grant_choices",
    "grant_history",
    "grant_list",
    "grants_at_my_step",
    "grants_returned_to",
    "next_step",
    "open_objections",
    "overdue_feedback",
    "overview",
    "pool_of",
    "public_donation",
    "public_donations",
    "public_feedback",
    "public_grant",
    "public_grants",
    "public_notices",
    "rating_summary",
    "rules_current",
    "rules_history",
    "statement",
    "township_of",
    "waiting_for",
]
