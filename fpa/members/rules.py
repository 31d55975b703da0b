"""Pure member rules (no ORM): the online application's consent purpose and member types, the
codes of the public pages, and what a public page may say of an application or a card."""

from __future__ import annotations

from fpa.core.codes import new_code, normalise_code
from fpa.core.masking import mask_name

CONSENT_PURPOSE = "member_application"  # its consent texts in fpa.core.consent
# A citizen applies for themself: the personal member types (a group applies at the office).
ONLINE_KINDS = ("individual", "resident", "migrant")
# Where a citizen applies online: a village (community) association, whose council decides.
ONLINE_HOLDERS = ("village",)
RESOLUTION_MAX = 60  # the length of a resolution number (决议文号)

__all__ = [
    "CONSENT_PURPOSE",
    "ONLINE_HOLDERS",
    "ONLINE_KINDS",
    "RESOLUTION_MAX",
    "mask_name",
    "new_code",
    "normalise_code",
]
