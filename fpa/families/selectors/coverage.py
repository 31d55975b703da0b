"""The coverage figures (联系人、家庭医生、绿色通道、保险、按计划联系走访、未办结诉求) for an
association and its children, the families behind each figure, an area's families and the
monthly report as the user sees it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from fpa.accounts.models import User
from fpa.families import reports as family_reports
from fpa.families.models import (
    CareKind,
    CareRecord,
    Contact,
    Family,
    FamilyTransfer,
    Need,
    Person,
    StatusChange,
    Support,
)
from fpa.families.selectors.people import current_contacts
from fpa.families.selectors.schedule import _overdue
from fpa.insurance.models import Enrolment
from fpa.organizations.models import Association

# --- coverage -------------------------------------------------------------------------------------


@dataclass
class Coverage:
    association: Association
    families: int = 0
    with_contacts: int = 0
    with_doctor: int = 0
    with_green_channel: int = 0
    insured: int = 0
    on_schedule: int = 0
    open_needs: int = 0

    def share(self, count: int) -> float | None:
        return round(100 * count / self.families, 1) if self.families else None

    @property
    def contacts_share(self) -> float | None:
        return self.share(self.with_contacts)

    @property
    def doctor_share(self) -> float | None:
        return self.share(self.with_doctor)

    @property
    def green_share(self) -> float | None:
        return self.share(self.with_green_channel)

    @property
    def insured_share(self) -> float | None:
        return self.share(self.insured)

    @property
    def schedule_share(self) -> float | None:
        return self.share(self.on_schedule)

    @property
    def full_coverage(self) -> bool:
        return (
            bool(self.families)
            and self.with_contacts == self.with_doctor == self.with_green_channel == self.families
        )


COVERAGE_MEASURES = (
    "with_contacts",
    "with_doctor",
    "with_green_channel",
    "insured",
    "on_schedule",
    "open_needs",
)
SCHEDULE_FIELDS: tuple[str, ...] = ("registered_on", "calls_rule", "meets_rule", "visits_rule")
SCHEDULE_FIELDS += ("last_call", "last_meeting", "visits_done")
PARENT_ROLES = (Person.Role.MOTHER, Person.Role.FATHER)  # "mother" > "father": -role puts her first


def _coverage_annotations(today: datetime.date) -> dict[str, Any]:
    def current_support(kind: str) -> Exists:
        return Exists(
            Support.objects.filter(family=OuterRef("pk"), kind=kind, start_date__lte=today).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=today)
            )
        )

    return {
        "with_contacts": Exists(
            Contact.objects.filter(family=OuterRef("pk"), end_date__isnull=True)
        ),
        "with_doctor": current_support(Support.Kind.DOCTOR),
        "with_green_channel": current_support(Support.Kind.GREEN_CHANNEL),
        # Insured: a person of the family enrolled in a policy year in force today (计生保险);
        # a Support row of kind "insurance" is still shown on the family page but not counted.
        "insured": Exists(
            Enrolment.objects.filter(family=OuterRef("pk")).in_force_on(today).values("pk")
        ),
        "open_needs": Exists(
            Need.objects.filter(
                family=OuterRef("pk"), status__in=[Need.Status.OPEN, Need.Status.IN_PROGRESS]
            )
        ),
    }


def _schedule_annotations(today: datetime.date) -> dict[str, Any]:
    """Per family, in SQL: the strictest rule of its current contacts' roles, its last call and
    last meeting, and its home visits this year -- what `_overdue` needs."""
    current = Contact.objects.filter(family=OuterRef("pk"), end_date__isnull=True)
    records = CareRecord.objects.filter(family=OuterRef("pk"))

    def rule(name: str, strictest: str) -> Subquery:
        return Subquery(
            current.filter(**{f"role__{name}__isnull": False})
            .order_by(f"{strictest}role__{name}")
            .values(f"role__{name}")[:1]
        )

    def last(*modes: str) -> Subquery:
        return Subquery(
            records.filter(kind__mode__in=modes).order_by("-occurred_on").values("occurred_on")[:1]
        )

    visits = (
        records.filter(
            kind__mode=CareKind.Mode.HOME_VISIT,
            occurred_on__gte=datetime.date(today.year, 1, 1),
        )
        .order_by()
        .values("family")
        .annotate(n=Count("id"))
        .values("n")
    )
    return {
        "calls_rule": rule("calls_every_days", ""),
        "meets_rule": rule("meets_every_days", ""),
        "visits_rule": rule("home_visits_per_year", "-"),
        "last_call": last(CareKind.Mode.CALL),
        "last_meeting": last(CareKind.Mode.MEETING, CareKind.Mode.HOME_VISIT),
        "visits_done": Coalesce(Subquery(visits), 0),
    }


def _on_schedule(row: dict[str, Any], today: datetime.date) -> bool:
    rules = (row["calls_rule"], row["meets_rule"], row["visits_rule"])
    return not _overdue(
        today,
        row["registered_on"],
        rules,
        row["last_call"],
        row["last_meeting"],
        row["visits_done"],
    )


def _active_under(user: User, root: Association) -> QuerySet[Family]:
    """The active families of `root`'s subtree that the user may see."""
    return Family.objects.visible_to(user).active().filter(association__path__under=root.path)


def _coverage_rows(user: User, root: Association, today: datetime.date) -> QuerySet[Family]:
    annotations = {**_coverage_annotations(today), **_schedule_annotations(today)}
    return _active_under(user, root).annotate(**annotations)


def coverage(*, user: User, root: Association) -> tuple[Coverage, list[Coverage]]:
    """The three full coverages, the insured and visited-on-schedule shares and open needs, for
    `root` and each child, in one query over the subtree's active families."""
    today = timezone.localdate()
    children = list(
        Association.objects.visible_to(user).current().filter(parent=root).order_by("code")
    )
    flags = [m for m in COVERAGE_MEASURES if m != "on_schedule"]
    rows = _coverage_rows(user, root, today).values("association__path", *flags, *SCHEDULE_FIELDS)
    total = Coverage(root)
    by_child = {c.path: Coverage(c) for c in children}
    for row in rows.iterator(chunk_size=2000):
        row["on_schedule"] = _on_schedule(row, today)
        rest = row["association__path"][len(root.path) :]
        child_path = root.path + rest.split("/", 1)[0] + "/" if rest else None
        for bucket in (total, by_child.get(child_path) if child_path else None):
            if bucket is None:
                continue
            bucket.families += 1
            for measure in COVERAGE_MEASURES:
                if row[measure]:
                    setattr(bucket, measure, getattr(bucket, measure) + 1)
    return total, list(by_child.values())


def coverage_family_ids(*, user: User, root: Association, measure: str, has: bool) -> list[int]:
    """The families behind a coverage number (click-through), e.g. those without a doctor."""
    if measure not in COVERAGE_MEASURES:
        return []
    today = timezone.localdate()
    if measure == "on_schedule":  # decided in Python by the visit rules, as on the coverage page
        rows = (
            _coverage_rows(user, root, today)
            .values("pk", *SCHEDULE_FIELDS)
            .order_by("pk")
            .iterator(chunk_size=2000)
        )
        ids = [row["pk"] for row in rows if _on_schedule(row, today) == has]
        return ids[:5000]
    return list(
        _active_under(user, root)
        .annotate(flag=_coverage_annotations(today)[measure])
        .filter(flag=has)
        .values_list("pk", flat=True)[:5000]
    )


def monthly_report_for(
    *, user: User, area: Association, month: family_reports.Month
) -> family_reports.MonthlyReport:
    """The monthly report of `area` as `user` sees it (the page and the workbook job)."""
    return family_reports.monthly_report(
        root=area,
        children=Association.objects.visible_to(user).filter(parent=area).order_by("code"),
        month=month,
        families=Family.objects.visible_to(user),
        status_changes=StatusChange.objects.visible_to(user),
        care_records=CareRecord.objects.visible_to(user),
        needs=Need.objects.visible_to(user),
        transfers=FamilyTransfer.objects.visible_to(user),
    )


def area_families(
    *,
    user: User,
    area: Association,
    limit: int,
    order: tuple[str, ...],
    parents: bool = False,
) -> list[Family]:
    """The active families of `area` the user sees, with their current contacts and their
    association's parent, in `order`: at most `limit + 1`, so the page can say it was cut. With
    `parents`, also each family's mother and father as `family.parents` (mother first)."""
    prefetch: list[Any] = [current_contacts()]
    if parents:
        prefetch.append(
            Prefetch(
                "people",
                queryset=Person.objects.filter(role__in=PARENT_ROLES).order_by("-role", "pk"),
                to_attr="parents",
            )
        )
    return list(
        Family.objects.visible_to(user)
        .active()
        .filter(association__path__under=area.path)
        .select_related("association__parent")
        .prefetch_related(*prefetch)
        .order_by(*order)[: limit + 1]
    )


def monthly_report_records(
    *, user: User, area: Association, month: family_reports.Month, measure: str
) -> list[int]:
    """The ids of the records behind one number of `monthly_report_for` (the reports up the
    chain freeze them): the care records dated in the month, or the families newly registered
    in it by kind. Other measures have no list here (empty)."""
    under = area.path
    if measure == "care_records":
        rows: QuerySet[Any] = CareRecord.objects.visible_to(user).filter(
            family__association__path__under=under,
            occurred_on__range=(month.first, month.last),
        )
    elif measure in ("new_bereaved", "new_disabled"):
        kind = Family.Kind.BEREAVED if measure == "new_bereaved" else Family.Kind.DISABLED_CHILD
        rows = Family.objects.visible_to(user).filter(
            association__path__under=under,
            registered_on__range=(month.first, month.last),
            kind=kind,
        )
    else:
        return []
    return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])


# The care kinds of the 暖心行动 report's 走访慰问落实 and 心理健康服务 (default kinds' codes).
WARMTH_CARE_KINDS = (
    "routine_visit",
    "festival_visit",
    "birthday",
    "hospital_visit",
    "emergency",
    family_reports.COUNSELLING,
)


@dataclass(frozen=True)
class Served:
    households: int = 0
    people: int = 0


def care_served(
    *, user: User, area: Association, first: datetime.date, last: datetime.date
) -> dict[str, Served]:
    """For each care kind of the 暖心行动 report (`WARMTH_CARE_KINDS`): the households of the
    area's subtree with at least one care record of that kind dated in [first, last], and the
    living people registered in them (the child who died is not counted). Two grouped queries
    (a Gansu-sized subtree of the national bench: 1.9 s, against 10.2 s with one EXISTS per kind
    and family)."""
    families = Family.objects.visible_to(user).filter(association__path__under=area.path)
    households = (
        CareRecord.objects.visible_to(user)
        .filter(
            family__in=families,
            occurred_on__range=(first, last),
            kind__code__in=WARMTH_CARE_KINDS,
        )
        .values("kind__code")
        .annotate(n=Count("family", distinct=True))
        .order_by()
    )
    # One filter() call: the date and the kind apply to the same care record.
    people = (
        Person.objects.filter(
            family__in=families,
            deceased_on__isnull=True,
            death_date__isnull=True,
            family__care_records__occurred_on__range=(first, last),
            family__care_records__kind__code__in=WARMTH_CARE_KINDS,
        )
        .values("family__care_records__kind__code")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    counted = {row["kind__code"]: row["n"] for row in households}
    living = {row["family__care_records__kind__code"]: row["n"] for row in people}
    return {
        code: Served(households=counted.get(code, 0), people=living.get(code, 0))
        for code in WARMTH_CARE_KINDS
    }


def _care_of(
    user: User, outer: str, code: str, first: datetime.date, last: datetime.date
) -> QuerySet[CareRecord]:
    return CareRecord.objects.visible_to(user).filter(
        family=OuterRef(outer), kind__code=code, occurred_on__range=(first, last)
    )


def care_served_family_ids(
    *, user: User, area: Association, code: str, first: datetime.date, last: datetime.date
) -> list[int]:
    """The households behind one `care_served` figure (click-through and a frozen report's
    records), at most 5,000."""
    if code not in WARMTH_CARE_KINDS:
        return []
    return list(
        Family.objects.visible_to(user)
        .filter(association__path__under=area.path)
        .filter(Exists(_care_of(user, "pk", code, first, last)))
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
