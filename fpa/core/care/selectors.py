"""Reads of the care mechanism through a module's `CareSpec`: scoped by the concrete models'
`visible_to(user)`, bounded in queries (the schedule is two grouped queries for any number of
subjects)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from fpa.core.care import rules
from fpa.core.care.spec import CareSpec
from fpa.core.scope import scope_path_of


def is_contact(spec: CareSpec, user: Any, subject: Any) -> bool:
    """Whether the user currently looks after the subject (a current contact person)."""
    if getattr(user, "pk", None) is None:
        return False
    return bool(
        spec.contact_model.objects.filter(
            **spec.of(subject), user=user, end_date__isnull=True
        ).exists()
    )


def contacts_of(
    spec: CareSpec, *, user: Any, subject: Any, current_only: bool = False
) -> QuerySet[Any]:
    """The subject's contact persons, current ones first, then by start date."""
    queryset: QuerySet[Any] = (
        spec.contact_model.objects.visible_to(user)
        .filter(**spec.of(subject))
        .select_related("role", "user")
        .order_by(F("end_date").asc(nulls_first=True), "-start_date", "id")
    )
    return queryset.filter(end_date__isnull=True) if current_only else queryset


def handover_contacts(spec: CareSpec, *, actor: Any, from_user: Any) -> QuerySet[Any]:
    """The current contacts of `from_user` with the subjects of the actor's subtree (what a
    handover moves; being a contact of a subject elsewhere gives the actor no right to move
    it). Subjects and roles joined, in id order."""
    path = scope_path_of(actor)
    if path is None or getattr(from_user, "pk", None) is None:
        return spec.contact_model.objects.none()  # type: ignore[no-any-return]
    queryset: QuerySet[Any] = (
        spec.contact_model.objects.filter(
            **{f"{spec.subject_field}__association__path__under": path},
            user=from_user,
            end_date__isnull=True,
        )
        .select_related(f"{spec.subject_field}__association", "role")
        .order_by("pk")
    )
    return queryset


def care_records(spec: CareSpec, *, user: Any, subject: Any) -> QuerySet[Any]:
    """The subject's care log, newest first."""
    queryset: QuerySet[Any] = (
        spec.record_model.objects.visible_to(user)
        .filter(**spec.of(subject))
        .select_related("kind", "contact", "recorded_by")
        .order_by("-occurred_on", "-id")
    )
    return queryset


def needs_of(spec: CareSpec, *, user: Any, subject: Any, status: str = "") -> QuerySet[Any]:
    queryset: QuerySet[Any] = (
        spec.need_model.objects.visible_to(user).filter(**spec.of(subject)).select_related("owner")
    )
    return queryset.filter(status=status) if status else queryset


def current_contacts(spec: CareSpec, related_name: str = "contacts") -> Prefetch[str]:
    """Prefetch of each subject's current contacts, in role order, as `current_contacts`."""
    return Prefetch(
        related_name,
        queryset=spec.contact_model.objects.filter(end_date__isnull=True)
        .select_related("role")
        .order_by("role__sort", "pk"),
        to_attr="current_contacts",
    )


@dataclass
class DueRow:
    """One subject's contact record against its rules."""

    subject: Any
    last_call: datetime.date | None
    last_meeting: datetime.date | None
    home_visits_this_year: int
    overdue: list[str] = field(default_factory=list)


def schedule(
    spec: CareSpec,
    *,
    subjects: Sequence[Any],
    reference: Callable[[Any], datetime.date],
    today: datetime.date | None = None,
) -> list[DueRow]:
    """For each subject: last call, last meeting, home visits this year and what is overdue by
    the strictest rule of its current contacts' roles (`rules.overdue`). `reference(subject)`
    is the date the clock starts from (the registration date). Two grouped queries."""
    if not subjects:
        return []
    today = today or timezone.localdate()
    ids = [s.pk for s in subjects]
    key = spec.id_field()
    year_start = datetime.date(today.year, 1, 1)
    stats: dict[int, dict[str, Any]] = {
        row[key]: dict(row)
        for row in spec.record_model.objects.filter(**{f"{key}__in": ids})
        .order_by()
        .values(key)
        .annotate(
            last_call=Max("occurred_on", filter=Q(kind__mode=rules.CALL)),
            last_meeting=Max("occurred_on", filter=Q(kind__mode__in=rules.MEETING_MODES)),
            visits=Count("id", filter=Q(kind__mode=rules.HOME_VISIT, occurred_on__gte=year_start)),
        )
    }
    roles_by_subject: dict[int, list[Any]] = {}
    current = spec.contact_model.objects.filter(**{f"{key}__in": ids}, end_date__isnull=True)
    for contact in current.select_related("role"):
        roles_by_subject.setdefault(getattr(contact, key), []).append(contact.role)
    out = []
    for subject in subjects:
        row = stats.get(subject.pk, {})
        strictest = rules.strictest(roles_by_subject.get(subject.pk, []))
        last_call, last_meeting = row.get("last_call"), row.get("last_meeting")
        done = row.get("visits", 0)
        late = rules.overdue(today, reference(subject), strictest, last_call, last_meeting, done)
        out.append(DueRow(subject, last_call, last_meeting, done, late))
    return out
