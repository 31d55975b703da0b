"""The care log, needs and holiday campaigns as the pages and the API read them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from fpa.accounts.models import User
from fpa.core.care import selectors as care
from fpa.families.care import FAMILY_CARE
from fpa.families.models import (
    Campaign,
    CareKind,
    CareRecord,
    Contact,
    Family,
    Need,
)
from fpa.families.selectors.people import current_contacts


def campaigns(*, user: User, size: int = 100) -> list[Campaign]:
    """The holiday campaigns the user sees, newest first."""
    return list(
        Campaign.objects.visible_to(user)
        .select_related("association")
        .order_by("-start_date", "-pk")[:size]
    )


@dataclass
class CampaignProgress:
    total: int
    done: int
    todo: list[Family]  # at most `limit + 1` families not visited yet


def campaign_progress(
    *, user: User, campaign: Campaign, visits: tuple[str, ...], limit: int
) -> CampaignProgress:
    """How many of the campaign's active families (those the user sees) had a visit of the kinds
    `visits` within its dates, and the first families not visited yet with their contacts."""
    visited = Exists(
        CareRecord.objects.filter(
            family=OuterRef("pk"),
            kind__mode__in=visits,
            occurred_on__gte=campaign.start_date,
            occurred_on__lte=campaign.end_date,
        )
    )
    families = (
        Family.objects.visible_to(user)
        .active()
        .filter(association__path__under=campaign.association.path)
        .annotate(visited=visited)
    )
    counts = families.aggregate(total=Count("pk"), done=Count("pk", filter=Q(visited=True)))
    todo: list[Family] = list(
        families.filter(visited=False)
        .select_related("association")
        .prefetch_related(current_contacts())
        .order_by("association__path", "pk")[: limit + 1]
    )
    return CampaignProgress(total=counts["total"], done=counts["done"], todo=todo)


def care_records(*, user: User, family: Family) -> QuerySet[CareRecord]:
    return care.care_records(FAMILY_CARE, user=user, subject=family)


def care_kind(code: str) -> CareKind | None:
    return CareKind.objects.filter(code=code).first()


def care_record_out(pk: int) -> CareRecord:
    """A record just written, with what its output shows."""
    return CareRecord.objects.select_related("kind", "contact", "recorded_by").get(pk=pk)


def needs_of(*, user: User, family: Family, status: str = "") -> QuerySet[Need]:
    return care.needs_of(FAMILY_CARE, user=user, subject=family, status=status)


def need_get(*, user: User, pk: int) -> Need:
    return Need.objects.visible_to(user).select_related("owner").get(pk=pk)


def contacts_of(*, user: User, family: Family, current_only: bool = False) -> QuerySet[Contact]:
    return care.contacts_of(FAMILY_CARE, user=user, subject=family, current_only=current_only)
