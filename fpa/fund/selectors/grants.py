"""The staff's lists: donations, grants, journal entries; the grants waiting for a user's step
(separation of duties) and the applications refused; what a grant application may name."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fpa.core.pagination import Page, keyset_page
from fpa.families.models import Family
from fpa.fund.models import (
    Donation,
    Grant,
    JournalEntry,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User


# --- staff lists ---------------------------------------------------------------------------------


def donation_list(
    *, user: User, query: str = "", after: str | None = None, before: str | None = None
) -> Page:
    rows = Donation.objects.visible_to(user).select_related("restricted_purpose", "entry", "fund")
    if query:
        rows = rows.filter(Q(receipt_number__icontains=query) | Q(donor_name__icontains=query))
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


def grant_list(
    *,
    user: User,
    status: str = "",
    mine: bool = False,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """Grants in scope; `mine`: only those waiting for this user's step (`grants_at_my_step`)."""
    rows = grants_at_my_step(user=user) if mine else Grant.objects.visible_to(user)
    rows = rows.select_related("category", "township", "association", "entry", "family")
    if status:
        rows = rows.filter(status=status)
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


# The step each status waits for, and who has handled the grant before it (separation of duties:
# the applicant, the reviewer and the approver may not take a later step of the same grant).
STEPS = (
    ("fund.review", Grant.Status.SUBMITTED, ("applicant",)),
    ("fund.approve", Grant.Status.REVIEWED, ("applicant", "reviewed_by")),
    ("fund.pay", Grant.Status.APPROVED, ("applicant", "reviewed_by", "approved_by")),
)


def grants_at_my_step(*, user: User) -> QuerySet[Grant]:
    """The grants in scope whose next step this user may take: the status matches a capability
    the user holds, and the user has not handled the grant before (they could not act on it)."""
    condition = Q(pk__in=[])
    for capability, status, handled_by in STEPS:
        if user.has_capability(capability):
            step = Q(status=status)
            for role in handled_by:
                step &= ~Q(**{role: user}) | Q(**{f"{role}__isnull": True})
            condition |= step
    return Grant.objects.visible_to(user).filter(condition)


def grants_returned_to(*, user: User, days: int = 30, size: int = 5) -> list[Grant]:
    """The user's own applications refused in the last `days`, newest first, with the reason."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        Grant.objects.visible_to(user)
        .filter(applicant=user, status=Grant.Status.REJECTED, updated_at__gte=since)
        .order_by("-updated_at", "-id")[:size]
    )


def entry_list(*, user: User, after: str | None = None, before: str | None = None) -> Page:
    rows = (
        JournalEntry.objects.visible_to(user)
        .select_related("category", "reverses", "fund")
        .prefetch_related("lines__account", "lines__restriction")
    )
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


def waiting_for(*, user: User) -> dict[str, int]:
    """How many grants wait for this user's step, per status (those the user has handled before
    are not counted: they cannot take the next step of those). One grouped query."""
    counts: dict[str, int] = {
        status: 0 for capability, status, _ in STEPS if user.has_capability(capability)
    }
    rows = grants_at_my_step(user=user).values_list("status").annotate(n=Count("id"))
    for status, n in rows.order_by():
        counts[status] = n
    return counts


def grant_choices(user: User) -> tuple[QuerySet[Family], QuerySet[Association]]:
    """What a grant application may name: the active families and the associations the user
    sees."""
    families = (
        Family.objects.visible_to(user)
        .filter(status=Family.Status.ACTIVE)
        .select_related("association")
        .order_by("association__code", "pk")
    )
    return families, Association.objects.visible_to(user).order_by("path")
