"""Writes of the care fund. Every money movement goes through `ledger._post`, which locks the fund
row, checks that debits equal credits and that no balance and no restricted pool goes negative,
keeps the caches (balances, pools, monthly totals) in step, appends the entry's leaf to the public
log and writes the entry, all in the caller's transaction.

One module per sub-domain: `ledger` (the fund, its rules, posting and reversing entries),
`raising` (donations and other income), `grants` (apply, review, approve, pay, close),
`attachments` (a grant's checked files),
`feedback` (social supervision: objections and comments, held for review). Callers import from
`fpa.fund.services`.
"""

from fpa.fund.services.attachments import (
    MAX_PER_GRANT,
    grant_attachment_add,
    may_attach,
)
from fpa.fund.services.feedback import (
    REVIEW_STEPS,
    feedback_publish,
    feedback_refuse,
    feedback_reply,
    feedback_submit,
    feedback_take_down,
)
from fpa.fund.services.grants import (
    grant_apply,
    grant_approve,
    grant_close,
    grant_pay,
    grant_review,
)
from fpa.fund.services.ledger import (
    BANK,
    CASH,
    GOODS,
    Line,
    _lock,
    account,
    amount_of,
    default_receipt_prefix,
    entry_reverse,
    fund_create,
    fund_settings_update,
    rules_publish,
)
from fpa.fund.services.raising import (
    IN_KIND_INCOME,
    INCOME_BY_DONOR,
    donation_record,
    income_record,
)

__all__ = [
    "BANK",
    "CASH",
    "GOODS",
    "INCOME_BY_DONOR",
    "IN_KIND_INCOME",
    "MAX_PER_GRANT",
    "REVIEW_STEPS",
    "Line",
    "_lock",
    "account",
    "amount_of",
    "default_receipt_prefix",
    "donation_record",
    "entry_reverse",
    "feedback_publish",
    "feedback_refuse",
    "feedback_reply",
    "feedback_submit",
    "feedback_take_down",
    "fund_create",
    "fund_settings_update",
    "grant_apply",
    "grant_approve",
    "grant_attachment_add",
    "grant_close",
    "grant_pay",
    "grant_review",
    "income_record",
    "may_attach",
    "rules_publish",
]
