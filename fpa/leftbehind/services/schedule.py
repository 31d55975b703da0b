"""The contact schedule stored on each left-behind person (`fpa.core.care.stored`): refreshed in
the transaction of every write that changes it (a care record, a contact assigned or ended, a
record ended, a handover), and when the county changes a contact role's rules or a care kind's
mode (`fpa.leftbehind.signals`)."""

from __future__ import annotations

from collections.abc import Iterable

from fpa.core.care import stored
from fpa.leftbehind.models import LeftBehindCare, LeftBehindContact, LeftBehindPerson


def refresh_schedule(ids: Iterable[int]) -> int:
    """Recompute the stored schedule of these people; returns how many rows were written."""
    return stored.refresh(
        subject_model=LeftBehindPerson,
        record_model=LeftBehindCare,
        contact_model=LeftBehindContact,
        key="person_id",
        ids=ids,
    )


def refresh_for_role(role_id: int) -> int:
    """A contact role's rules changed: the people it currently applies to."""
    people = LeftBehindContact.objects.filter(role_id=role_id, end_date__isnull=True)
    return refresh_schedule(people.values_list("person_id", flat=True).distinct())


def refresh_for_kind(kind_id: int) -> int:
    """A care kind's mode changed (a call became a meeting …): the people with such records."""
    people = LeftBehindCare.objects.filter(kind_id=kind_id)
    return refresh_schedule(people.values_list("person_id", flat=True).distinct())
