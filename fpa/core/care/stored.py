"""The contact schedule stored on the subject (`models.StoredScheduleBase`): the rules of
`rules.overdue` as a database condition, for lists, counts and to-dos at any scale.

`refresh` recomputes the stored fields of some subjects from their care records and current
contacts (three grouped queries and one bulk update per 2,000 subjects); the modules call it in
the transaction of each write that changes them. `overdue_q(today)` is the condition "behind
its schedule on `today`", exactly `rules.overdue` over the same data:

- calls and meetings: the stored last on-time day (`care_due_on`) is before today;
- home visits: the visits done this year fall short of the pro-rata share of the yearly number
  (`done < visits * quarters // 4`, written `4 * (done + 1) <= visits * quarters`), where the
  quarters depend on today and the registration date (a CASE over date ranges).

`fill` fills every subject's stored fields at any scale (a data migration): most subjects have
no care record and no current contact, and their fields are the same constants (`plain`), set
by one UPDATE per range of ids; `refresh` recomputes the others. Each range is its own
transaction, so no lock is held for long.

Core imports no app: the models are passed in (a migration passes its historical models).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    Value,
    When,
)
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from fpa.core.care import rules

BATCH = 2000
STEP = 50_000  # ids per transaction of `fill`
FIELDS = ("last_care_on", "care_due_on", "visits_per_year", "visits_year", "visits_done")


def refresh(
    *,
    subject_model: type[Any],
    record_model: type[Any],
    contact_model: type[Any],
    key: str,
    ids: Iterable[int],
    reference_field: str = "registered_on",
    today: datetime.date | None = None,
) -> int:
    """Recompute the stored schedule of the subjects `ids` (`key`: the records' and contacts'
    column naming the subject, e.g. "person_id"). Returns how many rows were written."""
    today = today or timezone.localdate()
    ids = sorted(set(ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        written += _refresh_batch(
            subject_model,
            record_model,
            contact_model,
            key,
            ids[start : start + BATCH],
            reference_field,
            today,
        )
    return written


def _refresh_batch(
    subject_model: type[Any],
    record_model: type[Any],
    contact_model: type[Any],
    key: str,
    ids: list[int],
    reference_field: str,
    today: datetime.date,
) -> int:
    year_start = datetime.date(today.year, 1, 1)
    stats = {
        row[key]: row
        for row in record_model.objects.filter(**{f"{key}__in": ids})
        .order_by()
        .values(key)
        .annotate(
            last_any=Max("occurred_on"),
            last_call=Max("occurred_on", filter=Q(kind__mode=rules.CALL)),
            last_meeting=Max("occurred_on", filter=Q(kind__mode__in=rules.MEETING_MODES)),
            visits=Count("id", filter=Q(kind__mode=rules.HOME_VISIT, occurred_on__gte=year_start)),
        )
    }
    roles: dict[int, list[Any]] = {}
    current = contact_model.objects.filter(**{f"{key}__in": ids}, end_date__isnull=True)
    for contact in current.select_related("role").only(key, "role"):
        roles.setdefault(getattr(contact, key), []).append(contact.role)
    subjects = list(subject_model.objects.filter(pk__in=ids).only("pk", reference_field))
    for subject in subjects:
        row = stats.get(subject.pk, {})
        strictest = rules.strictest(roles.get(subject.pk, []))
        subject.last_care_on = row.get("last_any")
        subject.care_due_on = rules.contact_due_on(
            getattr(subject, reference_field),
            strictest,
            row.get("last_call"),
            row.get("last_meeting"),
        )
        subject.visits_per_year = strictest.home_visits_per_year
        subject.visits_year = today.year
        subject.visits_done = row.get("visits", 0)
    subject_model.objects.bulk_update(subjects, list(FIELDS))
    return len(subjects)


def plain(today: datetime.date) -> dict[str, Any]:
    """The stored fields `refresh` writes on `today` for a subject with no care record and no
    current contact: nothing done, no rule (so no due day, whatever the registration date)."""
    nothing = rules.strictest([])
    return {
        "last_care_on": None,
        "care_due_on": None,
        "visits_per_year": nothing.home_visits_per_year,
        "visits_year": today.year,
        "visits_done": 0,
    }


def fill(
    *,
    subject_model: type[Any],
    record_model: type[Any],
    contact_model: type[Any],
    key: str,
    reference_field: str = "registered_on",
    today: datetime.date | None = None,
    step: int = STEP,
) -> dict[str, int]:
    """Fill the stored schedule of every subject, exactly as `refresh` over all of them would:
    `step` ids at a time, each range in its own transaction (call it from a migration with
    `atomic = False`), one UPDATE sets `plain` on the whole range, then `refresh` recomputes the
    subjects of the range that have a care record or a current contact. Idempotent: a run
    stopped halfway can be run again. Returns the counts ("plain", "refreshed")."""
    today = today or timezone.localdate()
    counts = {"plain": 0, "refreshed": 0}
    bounds = subject_model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return counts
    values = plain(today)
    for start in range(bounds["low"] - 1, bounds["high"], step):
        end = start + step
        with transaction.atomic():
            written = subject_model.objects.filter(pk__gt=start, pk__lte=end).update(**values)
            in_range = {f"{key}__gt": start, f"{key}__lte": end}
            records = record_model.objects.filter(**in_range)
            contacts = contact_model.objects.filter(**in_range, end_date__isnull=True)
            touched = {
                *records.order_by().values_list(key, flat=True).distinct(),
                *contacts.order_by().values_list(key, flat=True).distinct(),
            }
            refreshed = refresh(
                subject_model=subject_model,
                record_model=record_model,
                contact_model=contact_model,
                key=key,
                ids=touched,
                reference_field=reference_field,
                today=today,
            )
        counts["plain"] += written - refreshed
        counts["refreshed"] += refreshed
    return counts


def overdue_q(today: datetime.date, reference_field: str = "registered_on") -> Q:
    """The subjects behind their stored schedule on `today` (see the module's note)."""
    quarter = (today.month - 1) // 3
    year = today.year
    starts = [datetime.date(year, 1 + 3 * k, 1) for k in range(4)] + [datetime.date(year + 1, 1, 1)]
    # Registered before this year: every complete quarter; in quarter k: from quarter k on;
    # after this year (a date typed in the future): none.
    quarters = Case(
        When(**{f"{reference_field}__lt": starts[0]}, then=Value(quarter)),
        *(
            When(**{f"{reference_field}__lt": starts[k + 1]}, then=Value(max(0, quarter - k)))
            for k in range(4)
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    done = Case(
        When(visits_year=year, then=F("visits_done")),
        default=Value(0),
        output_field=IntegerField(),
    )
    visits_behind = GreaterThanOrEqual(F("visits_per_year") * quarters, (done + 1) * 4)
    return Q(care_due_on__lt=today) | (Q(visits_per_year__gt=0) & Q(visits_behind))
