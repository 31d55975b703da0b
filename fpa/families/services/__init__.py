"""Writes to the special-family registry, contacts, care log and needs. Atomic and audited.

One module per sub-domain: `registration` (the single and bulk register paths), `records`
(updates, status, people, rates and supports), `contacts`, `care` (care log, needs, campaigns,
photos); `common` holds the rules they share (identity, duplicates, the person audit row).
Callers import from `fpa.families.services`, which re-exports the public names.
"""

from fpa.families.services.care import (
    CARE_CODES,
    SERVICE_CODES,
    campaign_create,
    care_log,
    care_photo_add,
    care_photos_add,
    need_raise,
    need_update,
)
from fpa.families.services.common import (
    FAMILY_FIELDS,
    FAMILY_HOLDERS,
    IDENTITY_FIELDS,
    PERSON_AUDIT_EXCLUDE,
    PERSON_FIELDS,
    TWICE,
    _apply_identity,
    _blank,
    _check_duplicate,
    duplicate_of,
)
from fpa.families.services.contacts import (
    contact_assign,
    contact_end,
    contacts_reassign,
    roster_contact_phones,
)
from fpa.families.services.payments import (
    payment_roster_exported,
    payment_roster_reveal,
)
from fpa.families.services.records import (
    family_change_status,
    family_update,
    person_add,
    person_update,
    rate_set,
    support_add,
)
from fpa.families.services.registration import (
    families_register,
    family_register,
)

__all__ = [
    "CARE_CODES",
    "FAMILY_FIELDS",
    "FAMILY_HOLDERS",
    "IDENTITY_FIELDS",
    "PERSON_AUDIT_EXCLUDE",
    "PERSON_FIELDS",
    "SERVICE_CODES",
    "TWICE",
    "_apply_identity",
    "_blank",
    "_check_duplicate",
    "campaign_create",
    "care_log",
    "care_photo_add",
    "care_photos_add",
    "contact_assign",
    "contact_end",
    "contacts_reassign",
    "duplicate_of",
    "families_register",
    "family_change_status",
    "family_register",
    "family_update",
    "need_raise",
    "need_update",
    "payment_roster_exported",
    "payment_roster_reveal",
    "person_add",
    "person_update",
    "rate_set",
    "roster_contact_phones",
    "support_add",
]
