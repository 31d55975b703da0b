"""Reads of the volunteer registry: scoped by `visible_to(user)`, bounded in queries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.accounts.roles import Role
from fpa.core import consent
from fpa.core.models import ConsentText
from fpa.core.pagination import Page, keyset_page
from fpa.families.models import Need
from fpa.organizations.models import Association
from fpa.volunteers import rules
from fpa.volunteers.models import (
    Agreement,
    Assignment,
    Certificate,
    HoursRecord,
    Pairing,
    Service,
    Skill,
    Team,
    Volunteer,
)

RENEWAL_DAYS = 60  # agreements ending within this many days are listed for renewal
SUGGESTION_LIMIT = 20
UPCOMING_LIMIT = 5000  # coming services of a county counted in a volunteer's load
AVAILABILITY = {
    "weekdays": ("on_weekdays", _("工作日")),
    "weekends": ("on_weekends", _("周末")),
    "evenings": ("in_evenings", _("晚间")),
}


def volunteer_list(
    *,
    user: User,
    status: str = "",
    association: Association | None = None,
    query: str = "",
    skill: Skill | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    queryset = Volunteer.objects.visible_to(user).select_related("association")
    if status:
        queryset = queryset.filter(status=status)
    if association is not None:
        queryset = queryset.filter(association__path__under=association.path)
    if query:
        queryset = queryset.filter(name__contains=query[:50])
    if skill is not None:
        queryset = queryset.filter(skills=skill)
    page = keyset_page(queryset, key="id", after=after, before=before, size=size)
    _attach_hours(page.items)
    return page


def _attach_hours(volunteers: list[Volunteer]) -> None:
    """Confirmed hours and star level of each, in one query."""
    totals = dict(
        HoursRecord.objects.filter(
            volunteer__in=[v.pk for v in volunteers], status=HoursRecord.Status.CONFIRMED
        )
        .values("volunteer")
        .annotate(total=Sum("hours"))
        .values_list("volunteer", "total")
    )
    for volunteer in volunteers:
        volunteer.confirmed_hours = totals.get(volunteer.pk) or Decimal("0")
        volunteer.stars = rules.stars_for(volunteer.confirmed_hours)


def volunteer_detail(*, volunteer: Volunteer) -> dict[str, Any]:
    """Everything a volunteer's page shows, in a fixed number of queries (the caller has loaded
    the volunteer inside the scope)."""
    hours = list(
        volunteer.hours_records.select_related("service__association").order_by(
            "-service__date", "-id"
        )
    )
    confirmed = sum(
        (h.hours for h in hours if h.status == HoursRecord.Status.CONFIRMED), Decimal("0")
    )
    return {
        "skills": list(volunteer.skills.all()),
        "changes": list(volunteer.status_changes.select_related("recorded_by")),
        "agreements": list(volunteer.agreements.all()),
        "trainings": list(volunteer.trainings.all()),
        "insurances": list(volunteer.insurances.all()),
        "assignments": list(
            volunteer.assignments.select_related("service__association").order_by(
                "-service__date", "-id"
            )[:100]
        ),
        "hours": hours,
        "confirmed_hours": confirmed,
        "stars": rules.stars_for(confirmed),
        "certificates": list(volunteer.certificates.select_related("issuer")),
        "pairings": list(
            volunteer.pairings.select_related("family__association").order_by(
                F("end_date").asc(nulls_first=True), "-start_date"
            )
        ),
        "teams": list(volunteer.teams.select_related("association")),
    }


def applications(*, user: User) -> QuerySet[Volunteer]:
    """Applications in the scope waiting to be vetted (考察)."""
    return Volunteer.objects.visible_to(user).filter(status=Volunteer.Status.APPLIED)


def renewals_due(*, user: User, today: datetime.date | None = None) -> QuerySet[Volunteer]:
    """Active volunteers whose latest agreement ends within RENEWAL_DAYS (or has ended)."""
    today = today or timezone.localdate()
    latest = (
        Agreement.objects.filter(volunteer=OuterRef("pk"))
        .order_by("-term_end")
        .values("term_end")[:1]
    )
    return (
        Volunteer.objects.visible_to(user)
        .filter(status__in=[Volunteer.Status.ACTIVE, Volunteer.Status.SUSPENDED])
        .annotate(term_end=Subquery(latest))
        .filter(term_end__lte=today + datetime.timedelta(days=RENEWAL_DAYS))
        .select_related("association")
        .order_by("term_end", "id")
    )


def pending_hours(*, user: User) -> QuerySet[HoursRecord]:
    """Hours submitted by volunteers for services that the user's associations organised."""
    from fpa.core.scope import scope_path_of

    path = scope_path_of(user)
    if path is None or not user.has_capability("volunteer.edit"):
        return HoursRecord.objects.none()
    return (
        HoursRecord.objects.filter(
            status=HoursRecord.Status.SUBMITTED, service__association__path__under=path
        )
        .select_related("service__association", "volunteer__association")
        .order_by("service__date", "id")
    )


def service_list(*, user: User, after: str | None = None, before: str | None = None) -> Page:
    queryset = Service.objects.visible_to(user).select_related("association")
    return keyset_page(queryset, key="id", after=after, before=before, descending=True)


def service_detail(*, service: Service) -> dict[str, Any]:
    return {
        "skills": list(service.skills.all()),
        "assignments": list(
            service.assignments.select_related("volunteer__association").order_by("id")
        ),
        "hours": {h.volunteer_id: h for h in service.hours_records.all()},
    }


def team_list(*, user: User) -> QuerySet[Team]:
    return (
        Team.objects.visible_to(user)
        .select_related("association", "leader")
        .annotate(size=Count("members"))
        .order_by("association__path", "level", "id")
    )


def report_records(*, user: User, association: Association, figure: str) -> QuerySet[Any]:
    """The records behind the volunteer figures of the reports up the chain, for the subtree as
    it stands: "teams" (志愿者队伍) or "pairings" (current pairings with special families)."""
    if figure == "teams":
        return Team.objects.visible_to(user).filter(association__path__under=association.path)
    if figure == "pairings":
        return Pairing.objects.visible_to(user).filter(
            volunteer__association__path__under=association.path, end_date__isnull=True
        )
    return Team.objects.none()


# --- matching -------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    volunteer: Volunteer
    place: int
    skills: list[str]
    available: bool
    load: int
    reason: str


def _county_of(place: Association) -> Association:
    """The county (or higher) above a place: the widest ring of candidates."""
    parts = place.path.strip("/").split("/")
    paths = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    found = {
        a.path: a
        for a in Association.objects.filter(path__in=paths).only("id", "path", "kind", "parent_id")
    }
    for path in reversed(paths):
        association = found.get(path)
        if association is not None and association.kind == Association.Kind.COUNTY:
            return association
    return place


def _township_path(place: Association) -> str:
    if place.kind == Association.Kind.VILLAGE and place.parent_id is not None:
        parts = place.path.strip("/").split("/")
        return "/" + "/".join(parts[:-1]) + "/"
    return place.path


def suggestions(
    *,
    user: User,
    place: Association,
    skills: list[Skill],
    when: Sequence[str],
    limit: int = SUGGESTION_LIMIT,
) -> list[Suggestion]:
    """Active volunteers for a need or an activity at `place`, best first: same village, then
    township, then county; then more of the wanted skills; then available at the wanted times;
    then fewer current pairings and tasks.

    Only the candidates of the place's county inside the user's scope are read (one indexed
    prefix condition on the association path), and the ranking runs in SQL with LIMIT, so the
    cost depends on the county, not on the national table.
    """
    county = _county_of(place)
    township = _township_path(place)
    today = timezone.localdate()
    skill_ids = [s.pk for s in skills]
    flags = [AVAILABILITY[w][0] for w in when if w in AVAILABILITY]
    through = Volunteer.skills.through
    skill_hits = (
        through.objects.filter(volunteer_id=OuterRef("pk"), skill_id__in=skill_ids)
        .order_by()
        .values("volunteer_id")
        .annotate(n=Count("*"))
        .values("n")  # type: ignore[misc]  # stubs miss annotations on a through model
    )
    pairings = (
        Pairing.objects.filter(volunteer_id=OuterRef("pk"), end_date__isnull=True)
        .order_by()
        .values("volunteer_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    # The county's coming services, read once: the per-candidate count is then an index probe
    # on the assignments, not a join with the services for every candidate.
    upcoming = list(
        Service.objects.filter(association__path__under=county.path, date__gte=today)
        .order_by()
        .values_list("pk", flat=True)[:UPCOMING_LIMIT]
    )
    tasks = (
        Assignment.objects.filter(volunteer_id=OuterRef("pk"), service_id__in=upcoming)
        .order_by()
        .values("volunteer_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    available: Any = Value(1)
    if flags:
        condition = Q()
        for flag in flags:
            condition |= Q(**{flag: True})
        available = Case(When(condition, then=Value(1)), default=Value(0))
    queryset = (
        Volunteer.objects.visible_to(user)
        .filter(status=Volunteer.Status.ACTIVE, association__path__under=county.path)
        .annotate(
            place_rank=Case(
                When(association_id=place.pk, then=Value(0)),
                When(association__path__under=township, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            skill_hits=Coalesce(Subquery(skill_hits, output_field=IntegerField()), 0)
            if skill_ids
            else Value(0, output_field=IntegerField()),
            available=available,
            load=Coalesce(Subquery(pairings, output_field=IntegerField()), 0)
            + (
                Coalesce(Subquery(tasks, output_field=IntegerField()), 0)
                if upcoming
                else Value(0, output_field=IntegerField())
            ),
        )
        .select_related("association")
        .prefetch_related(
            Prefetch("skills", queryset=Skill.objects.filter(pk__in=skill_ids), to_attr="wanted")
        )
        .order_by("place_rank", "-skill_hits", "-available", "load", "id")[: max(1, min(limit, 50))]
    )
    labels = (
        rules.PLACE_LABELS
        if place.kind == Association.Kind.VILLAGE
        else rules.TOWNSHIP_PLACE_LABELS
    )
    out = []
    for volunteer in queryset:
        names = [s.name for s in volunteer.wanted]
        reason = rules.match_reason(
            place=volunteer.place_rank,
            skills_matched=names,
            skills_wanted=len(skill_ids),
            available=bool(volunteer.available),
            load=volunteer.load,
            labels=labels,
        )
        out.append(
            Suggestion(
                volunteer=volunteer,
                place=volunteer.place_rank,
                skills=names,
                available=bool(volunteer.available),
                load=volunteer.load,
                reason=reason,
            )
        )
    return out


# --- portal and public ----------------------------------------------------------------------------


def portal(*, user: User) -> dict[str, Any]:
    """What a volunteer sees of themselves: tasks, pairings, hours and certificates."""
    volunteer = Volunteer.objects.filter(user=user).select_related("association").first()
    if volunteer is None:
        return {"volunteer": None}
    data = volunteer_detail(volunteer=volunteer)
    done = {h.service_id for h in data["hours"]}
    return {
        "volunteer": volunteer,
        "assignments": data["assignments"],
        "open_tasks": [a for a in data["assignments"] if a.service_id not in done],
        "pairings": data["pairings"],
        "hours": data["hours"],
        "confirmed_hours": data["confirmed_hours"],
        "stars": data["stars"],
        "certificates": data["certificates"],
        "today": timezone.localdate(),
    }


@dataclass(frozen=True)
class Verified:
    name: str
    hours: Decimal
    stars: int
    issuer: str
    issued_on: datetime.date


def certificate_verify(code: str) -> Verified | None:
    """The public check of a certificate code: name, hours, star level and issuer, nothing else.
    A child's name (under 14) is shown masked."""
    code = rules.normalise_code(code)
    if not code:
        return None
    certificate = (
        Certificate.objects.filter(code=code).select_related("volunteer", "issuer").first()
    )
    if certificate is None:
        return None
    return Verified(
        name=certificate.volunteer.display_name,
        hours=certificate.hours,
        stars=certificate.stars,
        issuer=certificate.issuer.name,
        issued_on=certificate.issued_on,
    )


def current_consent() -> ConsentText:
    """The volunteer application's consent text in force (fpa.core.consent)."""
    return consent.current(
        rules.CONSENT_PURPOSE, missing=gettext("尚未设置报名同意书，暂不能报名。")
    )


def insured_on(volunteer: Volunteer, day: datetime.date) -> bool:
    return volunteer.insurances.filter(valid_from__lte=day, valid_to__gte=day).exists()


def confirmed_hours(volunteer: Volunteer) -> Decimal:
    total = volunteer.hours_records.filter(status=HoursRecord.Status.CONFIRMED).aggregate(
        total=Sum("hours")
    )["total"]
    return total or Decimal("0")


# --- what the pages offer ------------------------------------------------------------------------


def active_volunteers(user: User) -> QuerySet[Volunteer]:
    """Active volunteers of the user's subtree, by place and name (the choices of a form)."""
    return (
        Volunteer.objects.visible_to(user)
        .active()
        .select_related("association")
        .order_by("association__path", "name", "pk")
    )


def volunteer_in_scope(user: User, pk: int) -> Volunteer | None:
    return Volunteer.objects.visible_to(user).filter(pk=pk).first()


def linkable_accounts(user: User) -> QuerySet[User]:
    """Active volunteer accounts of the user's subtree not yet linked to a volunteer's record."""
    return (
        User.objects.visible_to(user)
        .filter(is_active=True, roles__role=Role.VOLUNTEER, volunteer__isnull=True)
        .order_by("username")
    )


def need_in_scope(user: User, pk: int) -> Need | None:
    """A family's need the user sees, with its family's association."""
    return Need.objects.visible_to(user).select_related("family__association").filter(pk=pk).first()


def service_in_scope(user: User, pk: int) -> Service | None:
    return Service.objects.visible_to(user).select_related("association").filter(pk=pk).first()


def open_needs(user: User, *, size: int = 50) -> list[Need]:
    """Needs still open or in progress that the user sees, newest first (what to match)."""
    return list(
        Need.objects.visible_to(user)
        .filter(status__in=[Need.Status.OPEN, Need.Status.IN_PROGRESS])
        .select_related("family__association")
        .order_by("-id")[:size]
    )


def public_holders(kinds: tuple[str, ...]) -> QuerySet[Association]:
    """Current associations of these kinds, for the public application (no scope: anyone may
    apply to any of them)."""
    return Association.objects.current().filter(kind__in=kinds).order_by("path")


def assignments_due(pks: list[int]) -> QuerySet[Assignment]:
    """The volunteer's own assignments (already read through `portal`) whose hours may be
    submitted, with their services."""
    return Assignment.objects.filter(pk__in=pks).select_related("service")


def skills_by_code(codes: list[str]) -> list[Skill]:
    return list(Skill.objects.filter(code__in=codes))


def volunteer_for_output(*, user: User, pk: int) -> Volunteer | None:
    """A volunteer the user sees, with association and skills, and their confirmed hours."""
    volunteer = (
        Volunteer.objects.visible_to(user)
        .select_related("association")
        .prefetch_related("skills")
        .filter(pk=pk)
        .first()
    )
    if volunteer is not None:
        volunteer.confirmed_hours = confirmed_hours(volunteer)
    return volunteer


def own_assignment(*, user: User, pk: int) -> Assignment | None:
    """One of the signed-in volunteer's own assignments."""
    return (
        Assignment.objects.filter(volunteer__user=user)
        .select_related("service", "volunteer__association")
        .filter(pk=pk)
        .first()
    )


def confirmed_hours_under(
    *, user: User, association: Association, year: int, until: datetime.date | None = None
) -> Decimal:
    """Confirmed service hours of the volunteers registered in `association`'s subtree, for the
    services dated in `year` (and on or before `until`, an assessment round's cut-off date): the
    overview page's figure and the key-work assessment's (`fpa.volunteers.indicators`); one
    aggregate query."""
    rows = HoursRecord.objects.visible_to(user).filter(
        volunteer__association__path__under=association.path,
        status=HoursRecord.Status.CONFIRMED,
        service__date__year=year,
    )
    if until is not None:
        rows = rows.filter(service__date__lte=until)
    total = rows.aggregate(total=Sum("hours"))["total"]
    return total or Decimal("0")
