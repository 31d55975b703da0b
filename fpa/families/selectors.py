"""Reads of the special-family registry: scoped, and open to a contact person for their families."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from fpa.accounts.models import User
from fpa.accounts.roles import CAPABILITIES
from fpa.core.names import is_ascii_query, normalize_query
from fpa.core.pagination import Page, keyset_page
from fpa.families import eligibility
from fpa.families.models import (
    Campaign,
    CareKind,
    CareRecord,
    Contact,
    ContactRole,
    Family,
    Need,
    PaymentRate,
    Person,
    StatusChange,
    Support,
)
from fpa.organizations.models import Association

# The columns of the family list page.
LIST_FIELDS = ("id", "head_name", "status", "registered_on", "association__name")


def family_list(
    *,
    user: User,
    query: str = "",
    status: str = Family.Status.ACTIVE,
    association: Association | None = None,
    mine: bool = False,
    ids: list[int] | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    fields: tuple[str, ...] | None = None,
) -> Page:
    """A page of the families the user sees; `fields` loads only those columns (LIST_FIELDS: what
    the list page shows), every column otherwise."""
    queryset = Family.objects.visible_to(user).select_related("association")
    if fields:
        queryset = queryset.only(*fields)
    if mine:
        queryset = queryset.filter(
            Exists(Contact.objects.filter(family=OuterRef("pk"), user=user, end_date__isnull=True))
        )
    if status:
        queryset = queryset.filter(status=status)
    if association is not None:
        queryset = queryset.filter(association__path__under=association.path)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids[:5000])
    query = normalize_query(query)
    if query:
        if is_ascii_query(query):
            key = query.replace(" ", "").lower()
            queryset = queryset.filter(
                Q(head_initials__startswith=key) | Q(head_pinyin__startswith=key)
            )
        else:
            queryset = queryset.filter(head_name__contains=query)
    return keyset_page(queryset, key="id", after=after, before=before, size=size)


@dataclass
class Timeline:
    entries: list[tuple[datetime.date, str, Any]] = field(default_factory=list)


def family_detail(*, user: User, family: Family) -> dict[str, Any]:
    """Everything a family's page shows, in a fixed number of queries."""
    people = list(family.people.all().order_by("role", "id"))
    contacts = list(
        family.contacts.select_related("role", "user").order_by(
            F("end_date").asc(nulls_first=True), "-start_date", "id"
        )
    )
    supports = list(family.supports.all().order_by("kind", "-start_date"))
    care = list(
        family.care_records.select_related("kind", "recorded_by").prefetch_related("photos")[:100]
    )
    needs = list(family.needs.select_related("owner").order_by("status", "-created_at")[:100])
    changes = list(family.status_changes.select_related("recorded_by")[:50])
    timeline: list[tuple[Any, str, Any]] = [(family.registered_on, "registered", family)]
    timeline += [(c.occurred_on, "care", c) for c in care]
    timeline += [(timezone.localdate(n.created_at), "need", n) for n in needs]
    timeline += [(s.effective_date, "status", s) for s in changes]
    timeline += [(c.start_date, "contact", c) for c in contacts]
    timeline += [(s.start_date, "support", s) for s in supports]
    timeline.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return {
        "people": people,
        "contacts": contacts,
        "supports": supports,
        "care": care,
        "needs": needs,
        "timeline": timeline[:200],
        "decision": payment_decision(family=family, people=people),
    }


def payment_decision(*, family: Family, people: list[Person]) -> eligibility.Decision:
    mother = next((p for p in people if p.role == Person.Role.MOTHER), None)
    child = next((p for p in people if p.role == Person.Role.CHILD), None)
    facts = eligibility.Facts(
        kind=family.kind,
        mother_birth=mother.birth_date if mother else None,
        one_child_only=family.one_child_only,
        later_child=family.later_child,
        child_died=bool(child and child.death_date),
        disability_grade=child.disability_grade if child else None,
    )
    rates = [(r.kind, r.monthly_amount, r.valid_from) for r in PaymentRate.objects.all()]
    return eligibility.decide(facts, today=timezone.localdate(), rates=rates)


# --- visit rules ----------------------------------------------------------------------------------


@dataclass
class Due:
    family: Family
    last_call: datetime.date | None
    last_meeting: datetime.date | None
    home_visits_this_year: int
    overdue: list[str]
    township: Association | None = None  # set by the overdue page, which groups by township


def _rules_for(roles: list[ContactRole]) -> tuple[int | None, int | None, int | None]:
    """The strictest rule among a family's current contact roles."""
    calls = [r.calls_every_days for r in roles if r.calls_every_days]
    meets = [r.meets_every_days for r in roles if r.meets_every_days]
    visits = [r.home_visits_per_year for r in roles if r.home_visits_per_year]
    return (
        min(calls) if calls else None,
        min(meets) if meets else None,
        max(visits) if visits else None,
    )


def schedule(*, families: list[Family], today: datetime.date | None = None) -> list[Due]:
    """For each family: last call, last meeting, home visits this year and what is overdue.

    Two grouped queries for any number of families. The yearly home-visit target is due pro rata:
    by the end of each quarter a quarter of the visits (from the quarter the family was registered
    in, for a family registered this year).
    """
    if not families:
        return []
    today = today or timezone.localdate()
    ids = [f.pk for f in families]
    year_start = datetime.date(today.year, 1, 1)
    stats: dict[int, dict[str, Any]] = {
        row["family_id"]: dict(row)
        for row in CareRecord.objects.filter(family_id__in=ids)
        .values("family_id")
        .annotate(
            last_call=Max("occurred_on", filter=Q(kind__mode=CareKind.Mode.CALL)),
            last_meeting=Max(
                "occurred_on",
                filter=Q(kind__mode__in=[CareKind.Mode.MEETING, CareKind.Mode.HOME_VISIT]),
            ),
            visits=Count(
                "id", filter=Q(kind__mode=CareKind.Mode.HOME_VISIT, occurred_on__gte=year_start)
            ),
        )
    }
    roles_by_family: dict[int, list[ContactRole]] = {}
    for contact in Contact.objects.filter(family_id__in=ids, end_date__isnull=True).select_related(
        "role"
    ):
        roles_by_family.setdefault(contact.family_id, []).append(contact.role)
    out = []
    for family in families:
        row = stats.get(family.pk, {})
        rules = _rules_for(roles_by_family.get(family.pk, []))
        last_call, last_meeting = row.get("last_call"), row.get("last_meeting")
        done = row.get("visits", 0)
        overdue = _overdue(today, family.registered_on, rules, last_call, last_meeting, done)
        out.append(Due(family, last_call, last_meeting, done, overdue))
    return out


def _overdue(
    today: datetime.date,
    reference: datetime.date,
    rules: tuple[int | None, int | None, int | None],
    last_call: datetime.date | None,
    last_meeting: datetime.date | None,
    done: int,
) -> list[str]:
    """What a family's contacts are behind on, by the strictest rule of their roles (the rule,
    once, for the overdue lists and for the visited-on-schedule coverage). `reference` is the
    registration date: the clock starts there for a family never contacted."""
    calls, meets, visits = rules
    overdue = []
    if calls and (today - max(last_call or reference, last_meeting or reference)).days > calls:
        overdue.append(gettext("电话联系（每%(days)s天）") % {"days": calls})
    if meets and (today - (last_meeting or reference)).days > meets:
        overdue.append(gettext("见面联系（每%(days)s天）") % {"days": meets})
    # Home visits are due pro rata: by the end of each quarter, a quarter of the year's visits,
    # counted from the quarter the family was registered in if that was this year (a family
    # registered in November is not behind on the visits of the first three quarters).
    year_start = datetime.date(today.year, 1, 1)
    quarter = (today.month - 1) // 3  # complete quarters so far this year
    start = max(year_start, reference)
    quarters = max(0, quarter - (start.month - 1) // 3) if start.year == today.year else 0
    if visits and done < (visits * quarters) // 4:
        overdue.append(
            gettext("入户走访（今年%(done)s/%(required)s次）") % {"done": done, "required": visits}
        )
    return overdue


def needs_due(
    *, user: User, within_days: int = 3, today: datetime.date | None = None
) -> QuerySet[Need]:
    """Open needs this user is responsible for whose deadline is past or within `within_days`,
    the earliest deadline first."""
    today = today or timezone.localdate()
    return (
        Need.objects.visible_to(user)
        .filter(owner=user, status__in=[Need.Status.OPEN, Need.Status.IN_PROGRESS])
        .filter(due_date__lte=today + datetime.timedelta(days=within_days))
        .select_related("family")
        .order_by("due_date", "id")
    )


def my_due(*, user: User, today: datetime.date | None = None) -> list[Due]:
    """A contact person's families, the most overdue first."""
    families = list(
        Family.objects.active()
        .filter(contacts__user=user, contacts__end_date__isnull=True)
        .select_related("association")
        .distinct()[:500]
    )
    due = schedule(families=families, today=today)
    return sorted(due, key=lambda d: (-len(d.overdue), d.family.pk))


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
        "insured": current_support(Support.Kind.INSURANCE),
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


def status_history(*, user: User, family: Family) -> QuerySet[StatusChange]:
    return StatusChange.objects.visible_to(user).filter(family=family)


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


def area_families(
    *, user: User, area: Association, limit: int, order: tuple[str, ...]
) -> list[Family]:
    """The active families of `area` the user sees, with their current contacts and their
    association's parent, in `order`: at most `limit + 1`, so the page can say it was cut."""
    return list(
        Family.objects.visible_to(user)
        .active()
        .filter(association__path__under=area.path)
        .select_related("association__parent")
        .prefetch_related(current_contacts())
        .order_by(*order)[: limit + 1]
    )


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


def payment_rates() -> list[PaymentRate]:
    """Every dated rate of the special assistance (not scoped: the county's published standard)."""
    return list(PaymentRate.objects.all())


# --- the API's reads --------------------------------------------------------------------------


def looks_after_any(user: User) -> bool:
    """Whether the user is a current contact person of some family."""
    return Contact.objects.filter(user=user, end_date__isnull=True).exists()


def family_get(*, user: User, pk: int) -> Family:
    """The family inside the user's scope (Family.DoesNotExist otherwise, like a missing id)."""
    return Family.objects.visible_to(user).select_related("association").get(pk=pk)


def care_records(*, user: User, family: Family) -> QuerySet[CareRecord]:
    return (
        CareRecord.objects.visible_to(user)
        .filter(family=family)
        .select_related("kind", "contact", "recorded_by")
    )


def care_kind(code: str) -> CareKind | None:
    return CareKind.objects.filter(code=code).first()


def care_record_out(pk: int) -> CareRecord:
    """A record just written, with what its output shows."""
    return CareRecord.objects.select_related("kind", "contact", "recorded_by").get(pk=pk)


def needs_of(*, user: User, family: Family, status: str = "") -> QuerySet[Need]:
    queryset = Need.objects.visible_to(user).filter(family=family).select_related("owner")
    return queryset.filter(status=status) if status else queryset


def need_get(*, user: User, pk: int) -> Need:
    return Need.objects.visible_to(user).select_related("owner").get(pk=pk)


def contacts_of(*, user: User, family: Family, current_only: bool = False) -> QuerySet[Contact]:
    queryset = (
        Contact.objects.visible_to(user)
        .filter(family=family)
        .select_related("role", "user")
        .order_by(F("end_date").asc(nulls_first=True), "-start_date", "id")
    )
    return queryset.filter(end_date__isnull=True) if current_only else queryset
