"""Whom the family pages may name: contact persons' accounts, need owners, the current contacts
prefetch."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from fpa.accounts.models import User
from fpa.accounts.roles import CAPABILITIES
from fpa.families.models import (
    Contact,
    Family,
)

# --- who may be chosen on the family pages ----------------------------------------------------

EDIT_ROLES = [role for role, caps in CAPABILITIES.items() if "family.edit" in caps]


def is_contact(user: User, family: Family) -> bool:
    """Whether the user currently looks after the family (a current contact person)."""
    return Contact.objects.filter(family=family, user=user, end_date__isnull=True).exists()


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
    return Prefetch(
        "contacts",
        queryset=Contact.objects.filter(end_date__isnull=True)
        .select_related("role")
        .order_by("role__sort", "pk"),
        to_attr="current_contacts",
    )
