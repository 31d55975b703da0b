"""Volunteers over /api/v1/volunteers: the registry, services, hours, matching, and the
volunteer's own portal.

Who may call: staff holding `volunteer.view` (their subtree; writes need `volunteer.edit`,
checked again by the services); the `/volunteers/me` operations need `volunteer.portal` and
answer with the caller's own record only. Every other signed-in role is refused (403).
What is never sent: full ID and phone numbers (masked), birth dates (an age instead), the guardian's
phone, the vetting notes, and a child's (under 14) full name.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core.errors import ServiceError
from fpa.organizations import selectors as org_selectors
from fpa.volunteers import rules, selectors, services
from fpa.volunteers.models import HoursRecord, Service, Volunteer

MAX_ID = 2**63 - 1
STAFF = [BearerToken("volunteer.view"), Session("volunteer.view")]
PORTAL = [BearerToken("volunteer.portal"), Session("volunteer.portal")]

router = Router(tags=["volunteers"], auth=STAFF)
portal_router = Router(tags=["volunteers"], auth=PORTAL)


T = TypeVar("T")


def _found(obj: T | None) -> T:
    """What a selector found, or a 404 (an id outside the scope reads as a missing one)."""
    if obj is None:
        raise Http404
    return obj


def _check_id(value: int) -> None:
    if not 0 < value <= MAX_ID:
        raise Http404


# --- schemas --------------------------------------------------------------------------------------


class VolunteerOut(Schema):
    id: int
    association_code: str
    association_name: str
    name: str
    status: str
    status_label: str
    id_number: str
    phone: str
    sex: str
    age: int | None
    minor: bool
    skills: list[str]
    on_weekdays: bool
    on_weekends: bool
    in_evenings: bool
    confirmed_hours: Decimal
    stars: int
    version: int

    @staticmethod
    def resolve_association_code(obj: Volunteer) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Volunteer) -> str:
        return obj.association.name

    @staticmethod
    def resolve_name(obj: Volunteer) -> str:
        return obj.display_name

    @staticmethod
    def resolve_status_label(obj: Volunteer) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_id_number(obj: Volunteer) -> str:
        return obj.id_number.masked

    @staticmethod
    def resolve_phone(obj: Volunteer) -> str:
        return obj.phone.masked

    @staticmethod
    def resolve_age(obj: Volunteer) -> int | None:
        # A child's (under 14) age is sensitive too: the flag `minor` says enough.
        return None if obj.is_child else obj.age_on()

    @staticmethod
    def resolve_minor(obj: Volunteer) -> bool:
        return obj.is_minor

    @staticmethod
    def resolve_skills(obj: Volunteer) -> list[str]:
        return [s.name for s in obj.skills.all()]

    @staticmethod
    def resolve_confirmed_hours(obj: Volunteer) -> Decimal:
        return getattr(obj, "confirmed_hours", Decimal("0"))

    @staticmethod
    def resolve_stars(obj: Volunteer) -> int:
        return getattr(obj, "stars", 0)


class VolunteerPage(Schema):
    items: list[VolunteerOut]
    next: str | None
    previous: str | None


class VolunteerServiceOut(Schema):
    id: int
    association_code: str
    title: str
    date: datetime.date
    hours: Decimal
    risky: bool

    @staticmethod
    def resolve_association_code(obj: Service) -> str:
        return obj.association.code


class ServicePage(Schema):
    items: list[VolunteerServiceOut]
    next: str | None
    previous: str | None


class HoursIn(Schema):
    volunteer_id: int = Field(..., gt=0, le=MAX_ID)
    hours: Decimal = Field(..., gt=0, le=24, max_digits=5, decimal_places=1)
    note: str = Field("", max_length=300)


class VolunteerSubmitIn(Schema):
    assignment_id: int = Field(..., gt=0, le=MAX_ID)
    hours: Decimal = Field(..., gt=0, le=24, max_digits=5, decimal_places=1)
    note: str = Field("", max_length=300)


class HoursOut(Schema):
    id: int
    service_id: int
    service_title: str
    service_date: datetime.date
    volunteer_id: int
    hours: Decimal
    status: str
    status_label: str

    @staticmethod
    def resolve_service_title(obj: HoursRecord) -> str:
        return obj.service.title

    @staticmethod
    def resolve_service_date(obj: HoursRecord) -> datetime.date:
        return obj.service.date

    @staticmethod
    def resolve_status_label(obj: HoursRecord) -> str:
        return str(obj.get_status_display())


class SuggestionOut(Schema):
    volunteer_id: int
    name: str
    association_name: str
    place: int
    skills: list[str]
    available: bool
    load: int
    reason: str


class CertificateOut(Schema):
    id: int
    code: str
    hours: Decimal
    stars: int
    issuer: str
    issued_on: datetime.date

    @staticmethod
    def resolve_issuer(obj: Any) -> str:
        return obj.issuer.name


class TaskOut(Schema):
    assignment_id: int
    service_title: str
    service_date: datetime.date
    organiser: str
    risky: bool


class PairingOut(Schema):
    family_name: str
    village: str
    start_date: datetime.date
    end_date: datetime.date | None


class PortalOut(Schema):
    name: str
    association_name: str
    status_label: str
    confirmed_hours: Decimal
    stars: int
    tasks: list[TaskOut]
    pairings: list[PairingOut]
    hours: list[HoursOut]
    certificates: list[CertificateOut]


StatusFilter = Literal["", "applied", "vetted", "refused", "active", "suspended", "left"]


class VolunteerFilters(Schema):
    q: str = Field("", max_length=50)
    status: StatusFilter = ""
    association: str = Field("", max_length=32)
    after: str | None = None
    before: str | None = None
    size: int = Field(50, ge=1, le=100)


class VolunteerPageFilters(Schema):
    after: str | None = None
    before: str | None = None


class MatchFilters(Schema):
    need: int | None = Field(None, gt=0, le=MAX_ID)
    service: int | None = Field(None, gt=0, le=MAX_ID)
    skills: list[str] = Field(default_factory=list, max_length=20)
    when: list[Literal["weekdays", "weekends", "evenings"]] = Field(
        default_factory=list, max_length=3
    )


# --- staff operations -----------------------------------------------------------------------------


@router.get("/volunteers", response=VolunteerPage)
def volunteer_list(request: HttpRequest, filters: Query[VolunteerFilters]) -> dict:
    association = (
        org_selectors.association_get(user=signed_in_user(request), code=filters.association)
        if filters.association
        else None
    )
    page = selectors.volunteer_list(
        user=signed_in_user(request),
        status=filters.status,
        association=association,
        query=filters.q,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    prefetch_related_objects(page.items, "skills")  # one query for the page
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/volunteers/services", response=ServicePage)
def service_list(request: HttpRequest, filters: Query[VolunteerPageFilters]) -> dict:
    page = selectors.service_list(
        user=signed_in_user(request), after=filters.after, before=filters.before
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.post("/volunteers/services/{service_id}/hours", response={201: HoursOut})
def hours_record(request: HttpRequest, service_id: int, payload: HoursIn) -> Status[HoursRecord]:
    _check_id(service_id)
    service = _found(selectors.service_in_scope(signed_in_user(request), service_id))
    volunteer = _found(selectors.volunteer_in_scope(signed_in_user(request), payload.volunteer_id))
    record = services.hours_record(
        actor=signed_in_user(request),
        service=service,
        volunteer=volunteer,
        hours=payload.hours,
        note=payload.note,
    )
    return Status(201, record)


@router.get("/volunteers/suggestions", response=list[SuggestionOut])
def suggestions(request: HttpRequest, filters: Query[MatchFilters]) -> list[dict]:
    """Suggested volunteers for a family's need (?need=) or an activity (?service=)."""
    if (filters.need is None) == (filters.service is None):
        raise ServiceError("请指定一个诉求（need）或一项服务活动（service）。", field="need")
    if filters.need is not None:
        need = _found(selectors.need_in_scope(signed_in_user(request), filters.need))
        place = need.family.association
    else:
        service = _found(selectors.service_in_scope(signed_in_user(request), filters.service or 0))
        place = service.association
    skills = selectors.skills_by_code(filters.skills)
    rows = selectors.suggestions(
        user=signed_in_user(request), place=place, skills=skills, when=filters.when
    )
    return [
        {
            "volunteer_id": r.volunteer.pk,
            "name": r.volunteer.display_name,
            "association_name": r.volunteer.association.name,
            "place": r.place,
            "skills": r.skills,
            "available": r.available,
            "load": r.load,
            "reason": r.reason,
        }
        for r in rows
    ]


@router.get("/volunteers/{volunteer_id}", response=VolunteerOut)
def volunteer_detail(request: HttpRequest, volunteer_id: int) -> Volunteer:
    _check_id(volunteer_id)
    volunteer = _found(
        selectors.volunteer_for_output(user=signed_in_user(request), pk=volunteer_id)
    )
    volunteer.stars = rules.stars_for(volunteer.confirmed_hours)
    return volunteer


# --- the volunteer's own ------------------------------------------------------------------------


@portal_router.get("/volunteers/me", response=PortalOut)
def portal(request: HttpRequest) -> dict:
    data = selectors.portal(user=signed_in_user(request))
    volunteer = data["volunteer"]
    if volunteer is None:
        raise Http404
    return {
        "name": volunteer.display_name,
        "association_name": volunteer.association.name,
        "status_label": str(volunteer.get_status_display()),
        "confirmed_hours": data["confirmed_hours"],
        "stars": data["stars"],
        "tasks": [
            {
                "assignment_id": a.pk,
                "service_title": a.service.title,
                "service_date": a.service.date,
                "organiser": a.service.association.name,
                "risky": a.service.risky,
            }
            for a in data["assignments"]
        ],
        "pairings": [
            {
                "family_name": p.family.head_name,
                "village": p.family.association.name,
                "start_date": p.start_date,
                "end_date": p.end_date,
            }
            for p in data["pairings"]
        ],
        "hours": data["hours"],
        "certificates": data["certificates"],
    }


@portal_router.post("/volunteers/me/hours", response={201: HoursOut})
def hours_submit(request: HttpRequest, payload: VolunteerSubmitIn) -> Status[HoursRecord]:
    assignment = _found(
        selectors.own_assignment(user=signed_in_user(request), pk=payload.assignment_id)
    )
    record = services.hours_submit(
        actor=signed_in_user(request), assignment=assignment, hours=payload.hours, note=payload.note
    )
    return Status(201, record)
