"""Whom the family pages may name: contact persons' accounts, need owners, the current contacts
prefetch."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from fpa.accounts.models import User
from fpa.accounts.roles import CAPABILITIES
from fpa.core.care import selectors as care
from fpa.families.care import FAMILY_CARE
from fpa.families.models import (
    Contact,
    Family,
)

# --- who may be chosen on the family pages ----------------------------------------------------

EDIT_ROLES = [role for role, caps in CAPABILITIES.items() if "family.edit" in caps]


def may_see_contact_phones(user: User) -> bool:
    """Who sees the contact persons' phones in full on the contact roster: holders of
    `personal.reveal` (a contact person's phone is their work number, but it is stored and shown
    as a protected value like every phone; `services.roster_contact_phones` audits the read)."""
    return user.has_capability("personal.reveal")


def is_contact(user: User, family: Family) -> bool:
    """Whether the user currently looks after the family (a current contact person)."""
    return care.is_contact(FAMILY_CARE, user, family)


def assignable_accounts(user: User) -> QuerySet[User]:
    """Active accounts of the user's subtree: who may be made a contact or a successor."""
    return (
        User.objects.visible_to(user)
        .filter(is_active=True)
        .order_by("home_association__path", "pk")
    )


def accounts_with_families(user: User) -> QuerySet[User]:
    """Accounts of the user's subtree that look after at least one family now (who may hand
    their families over)."""
    return (
        User.objects.visible_to(user)
        .filter(Exists(Contact.objects.filter(user=OuterRef("pk"), end_date__isnull=True)))
        .order_by("home_association__path", "pk")
    )


def need_owners(user: User, family: Family) -> QuerySet[User]:
    """Staff of the user's subtree whose own scope holds the family: who may own a need."""
    parts = family.association.path.strip("/").split("/")
    covering = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    return (
        assignable_accounts(user)
        .filter(home_association__path__in=covering, roles__role__in=EDIT_ROLES)
        .distinct()
    )


def current_contacts() -> Prefetch[str]:
    """Prefetch of each family's current contacts, in role order, as `family.current_contacts`."""
    return care.current_contacts(FAMILY_CARE)
