"""Whom the family pages may name: contact persons' accounts, need owners, the current contacts
prefetch."""

from __future__ import annotations

from typing import NamedTuple, TypedDict

from django.db.models import Exists, Model, OuterRef, Prefetch, QuerySet

from fpa.accounts.models import User
from fpa.accounts.roles import CAPABILITIES
from fpa.core.care import selectors as care
from fpa.families.care import FAMILY_CARE
from fpa.families.models import (
    CareRecord,
    Contact,
    Family,
    Person,
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


# --- the audited reveal -------------------------------------------------------------------------


class Revealable(NamedTuple):
    """A record's values shown in full only through the audited reveal (`fields`): the protected
    ones (stored encrypted, listed masked) and the sensitive plain-text ones (`plain`, never
    listed at all)."""

    fields: tuple[str, ...]
    plain: tuple[str, ...]


_PERSON_PLAIN = ("health_notes", "death_cause", "disability_type")

# What the family pages reveal, per record (the field app offers the same, and the family's kind).
REVEALABLE: dict[type[Model], Revealable] = {
    Person: Revealable(("id_number", "phone", *_PERSON_PLAIN), _PERSON_PLAIN),
    Contact: Revealable(("phone",), ()),
    Family: Revealable(("notes",), ("notes",)),
    CareRecord: Revealable(("notes",), ("notes",)),
}


class RevealTerms(TypedDict):
    scope_path: str
    entitled: bool


def reveal_terms(user: User, family: Family) -> RevealTerms:
    """How a value of a family's records is revealed (`fpa.core.services.protected_reveal`'s
    `scope_path` and `entitled`), one rule for the family pages and the field app: the audit row
    lies in the family's association, and a current contact person may see what they need to
    reach the family without holding `personal.reveal`."""
    return {"scope_path": family.association.path, "entitled": is_contact(user, family)}


def may_reveal(user: User, *, is_contact: bool) -> bool:
    """Whether the user is offered the reveal on a family (each read audited): holders of
    `personal.reveal`, or a current contact person of the family (`is_contact`, which the caller
    knows from the contacts it has loaded)."""
    return is_contact or user.has_capability("personal.reveal")


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
