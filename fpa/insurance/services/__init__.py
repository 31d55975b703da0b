"""Write services of insurance: every change checks the capability and the scope and writes the
audit trail in the same transaction."""

from fpa.insurance.services.by_rule import rule_check, rule_enrol, rule_preview
from fpa.insurance.services.claims import (
    claim_close,
    claim_decide,
    claim_document_add,
    claim_report,
    claim_submit,
)
from fpa.insurance.services.enrolments import enrolment_add, enrolment_remove, load_subject
from fpa.insurance.services.premium import premium_post
from fpa.insurance.services.products import (
    policy_year_create,
    policy_year_update,
    product_create,
    product_update,
    settings_update,
)

__all__ = [
    "claim_close",
    "claim_decide",
    "claim_document_add",
    "claim_report",
    "claim_submit",
    "enrolment_add",
    "enrolment_remove",
    "load_subject",
    "policy_year_create",
    "policy_year_update",
    "premium_post",
    "product_create",
    "product_update",
    "rule_check",
    "rule_enrol",
    "rule_preview",
    "settings_update",
]
