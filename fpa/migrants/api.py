"""流动人口与企业协会 under /api/v1/: migrants (list with filters and keyset pages, detail,
create, update, record a service, counts per association) and enterprise-type associations'
profiles (list, detail).

Who may call: staff holding `migrant.view` (their subtree), exactly as the pages; writes also
need `migrant.edit` (the services check it). What is never sent: full names, ID and phone numbers
and addresses (masked; the pages reveal them one by one, audited), birth dates (the year only).
Errors: `fpa.core.api_errors` (400, 401, 403, 404, 409, 422).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core.api_errors import with_errors
from fpa.core.errors import ServiceError
from fpa.migrants import places, selectors, services
from fpa.migrants.models import PROFILE_KINDS, EnterpriseProfile, Migrant, Need, ServiceRecord
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

router = Router(tags=["migrants"], auth=[BearerToken("migrant.view"), Session("migrant.view")])
MAX_ID = 2**63 - 1
Direction = Literal["", "inflow", "outflow"]
MigrantStatus = Literal["", "active", "left", "cancelled"]


def _masked(value: Any) -> str | None:
    return value.masked if value else None


def _check_id(pk: int) -> None:
    if not 0 < pk <= MAX_ID:
        raise Http404


def _migrant(request: HttpRequest, migrant_id: int) -> Migrant:
    """The migrant inside the caller's scope; otherwise a 404."""
    _check_id(migrant_id)
    return selectors.migrant_get(user=signed_in_user(request), pk=migrant_id)


def _association(request: HttpRequest, code: str) -> Association | None:
    if not code:
        return None
    return org_selectors.association_get(user=signed_in_user(request), code=code)


def _employer(request: HttpRequest, code: str) -> Association | None:
    if not code:
        return None
    found = selectors.employer_choices(user=signed_in_user(request)).filter(code=code).first()
    if found is None:
        raise ServiceError("所选企业计生协不存在或不在您的管辖范围内。", field="employer")
    return found


# --- schemas --------------------------------------------------------------------------------


class MigrantPageFilters(Schema):
    after: str | None = None
    before: str | None = None
    size: int = Field(50, ge=1, le=200)


class MigrantFilters(MigrantPageFilters):
    association: str = Field("", max_length=32)
    direction: Direction = ""
    status: MigrantStatus = "active"
    origin_province: str = Field("", max_length=2, pattern=r"^([0-9]{2})?$")
    arrived_from: datetime.date | None = None
    arrived_to: datetime.date | None = None
    employer: str = Field("", max_length=32)
    departure_passed: bool = False
    sort: Literal["", "recent", "arrival", "area", "origin"] = ""


class MigrantListOut(Schema):
    id: int
    association_code: str
    association_name: str
    direction: str
    direction_label: str
    name: str  # masked
    sex: str
    birth_year: int | None
    origin_code: str
    origin_name: str
    destination_code: str
    destination_name: str
    workplace: str
    employer_code: str | None
    arrived_on: datetime.date | None
    expected_departure: datetime.date | None
    status: str
    version: int

    @staticmethod
    def resolve_association_code(obj: Migrant) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Migrant) -> str:
        return obj.association.name

    @staticmethod
    def resolve_direction_label(obj: Migrant) -> str:
        return str(obj.get_direction_display())

    @staticmethod
    def resolve_name(obj: Migrant) -> str:
        return obj.name.masked if obj.name else ""

    @staticmethod
    def resolve_birth_year(obj: Migrant) -> int | None:
        return obj.birth_date.year if obj.birth_date else None

    @staticmethod
    def resolve_origin_name(obj: Migrant) -> str:
        return places.name_of(obj.origin_code)

    @staticmethod
    def resolve_destination_name(obj: Migrant) -> str:
        return places.name_of(obj.destination_code)

    @staticmethod
    def resolve_employer_code(obj: Migrant) -> str | None:
        return obj.employer.code if obj.employer_id and obj.employer else None


class MigrantPage(Schema):
    items: list[MigrantListOut]
    next: str | None
    previous: str | None


class MigrantFamilyOut(Schema):
    id: int
    relation: str
    name: str
    birth_year: int | None
    moved_with: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.name.masked if obj.name else ""

    @staticmethod
    def resolve_birth_year(obj: Any) -> int | None:
        return obj.birth_date.year if obj.birth_date else None


class MigrantServiceOut(Schema):
    id: int
    kind: str
    kind_name: str
    served_on: datetime.date
    provider: str
    notes: str

    @staticmethod
    def resolve_kind(obj: ServiceRecord) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: ServiceRecord) -> str:
        return obj.kind.name


class MigrantNeedOut(Schema):
    id: int
    description: str
    status: str
    result: str
    owner: str | None
    due_date: datetime.date | None
    closed_on: datetime.date | None
    overdue: bool

    @staticmethod
    def resolve_owner(obj: Need) -> str | None:
        return obj.owner.username if obj.owner is not None else None

    @staticmethod
    def resolve_overdue(obj: Need) -> bool:
        return selectors.is_overdue(obj)


class MigrantOut(MigrantListOut):
    id_number: str | None
    phone: str | None
    address: str | None
    left_on: datetime.date | None
    status_on: datetime.date | None
    status_reason: str
    registered_on: datetime.date
    family: list[MigrantFamilyOut]
    services: list[MigrantServiceOut]
    needs: list[MigrantNeedOut]

    @staticmethod
    def resolve_id_number(obj: Migrant) -> str | None:
        return _masked(obj.id_number)

    @staticmethod
    def resolve_phone(obj: Migrant) -> str | None:
        return _masked(obj.phone)

    @staticmethod
    def resolve_address(obj: Migrant) -> str | None:
        return _masked(obj.address)

    @staticmethod
    def resolve_family(obj: Any) -> list[Any]:
        return list(getattr(obj, "detail", {}).get("family", []))

    @staticmethod
    def resolve_services(obj: Any) -> list[Any]:
        return list(getattr(obj, "detail", {}).get("services", []))

    @staticmethod
    def resolve_needs(obj: Any) -> list[Any]:
        return list(getattr(obj, "detail", {}).get("needs", []))


class MigrantIn(Schema):
    association: str = Field(..., max_length=32)
    direction: Literal["inflow", "outflow"]
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=32)
    phone: str = Field("", max_length=32)
    address: str = Field("", max_length=200)
    origin_code: str = Field("", max_length=20)
    destination_code: str = Field("", max_length=20)
    workplace: str = Field("", max_length=200)
    employer: str = Field("", max_length=32)
    arrived_on: datetime.date | None = None
    expected_departure: datetime.date | None = None


class MigrantUpdateIn(Schema):
    """Only the fields sent change; `version` is the one read (a stale one is a 409)."""

    version: int = Field(..., ge=1)
    association: str | None = Field(None, max_length=32)
    direction: Literal["inflow", "outflow"] | None = None
    name: str | None = Field(None, max_length=50)
    id_number: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=200)
    origin_code: str | None = Field(None, max_length=20)
    destination_code: str | None = Field(None, max_length=20)
    workplace: str | None = Field(None, max_length=200)
    employer: str | None = Field(None, max_length=32)
    arrived_on: datetime.date | None = None
    expected_departure: datetime.date | None = None


class ServiceIn(Schema):
    kind: str = Field(..., max_length=30)
    served_on: datetime.date
    provider: str = Field(..., max_length=100)
    notes: str = Field("", max_length=2000)


class CountRowOut(Schema):
    code: str
    name: str
    inflow: int
    outflow: int
    total: int
    departure_passed: int
    own: bool


class MigrantCountsOut(Schema):
    total: CountRowOut
    rows: list[CountRowOut]


class CountsFilters(Schema):
    association: str = Field("", max_length=32)


class EvaluationOut(Schema):
    year: int
    level: str
    result: str
    notes: str


class EnterpriseOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    firm_name: str | None
    credit_code: str | None
    size: str | None
    employees: int | None
    childbearing_employees: int | None
    party_branch_name: str | None
    demonstration: bool
    migrants_working: int

    @staticmethod
    def _profile(obj: Any) -> EnterpriseProfile | None:
        return getattr(obj, "enterprise_profile", None)

    @staticmethod
    def resolve_firm_name(obj: Any) -> str | None:
        profile = EnterpriseOut._profile(obj)
        return profile.firm_name if profile else None

    @staticmethod
    def resolve_credit_code(obj: Any) -> str | None:
        profile = EnterpriseOut._profile(obj)
        return profile.credit_code if profile else None

    @staticmethod
    def resolve_size(obj: Any) -> str | None:
        profile = EnterpriseOut._profile(obj)
        return profile.size if profile else None

    @staticmethod
    def resolve_employees(obj: Any) -> int | None:
        profile = EnterpriseOut._profile(obj)
        return profile.employees if profile else None

    @staticmethod
    def resolve_childbearing_employees(obj: Any) -> int | None:
        profile = EnterpriseOut._profile(obj)
        return profile.childbearing_employees if profile else None

    @staticmethod
    def resolve_party_branch_name(obj: Any) -> str | None:
        profile = EnterpriseOut._profile(obj)
        return profile.party_branch_name if profile else None

    @staticmethod
    def resolve_demonstration(obj: Any) -> bool:
        profile = EnterpriseOut._profile(obj)
        return bool(profile and profile.demonstration)

    @staticmethod
    def resolve_migrants_working(obj: Any) -> int:
        return int(getattr(obj, "working", 0))


class EnterpriseDetailOut(EnterpriseOut):
    members: dict[str, int]
    activities: int
    migrants_registered: int
    evaluations: list[EvaluationOut]


class EnterpriseFilters(Schema):
    demonstration: bool = False
    q: str = Field("", max_length=50)
    limit: int = Field(200, ge=1, le=500)


# --- migrants -------------------------------------------------------------------------------


@router.get("/migrants", response=with_errors(MigrantPage))
def migrant_list(request: HttpRequest, filters: Query[MigrantFilters]) -> dict[str, Any]:
    user = signed_in_user(request)
    page = selectors.migrant_list(
        user=user,
        filters=selectors.MigrantFilters(
            association=_association(request, filters.association),
            direction=filters.direction,
            status=filters.status,
            origin_province=filters.origin_province,
            arrived_from=filters.arrived_from,
            arrived_to=filters.arrived_to,
            employer=_employer(request, filters.employer),
            departure_passed=filters.departure_passed,
        ),
        sort=filters.sort,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/migrants/counts", response=with_errors(MigrantCountsOut))
def migrant_counts(request: HttpRequest, filters: Query[CountsFilters]) -> Any:
    """In-register inflow and outflow per child association of `association` (the caller's home
    when empty): the same selector as the pages and the member report."""
    user = signed_in_user(request)
    return selectors.migrant_counts(user=user, root=_association(request, filters.association))


@router.get("/migrants/{migrant_id}", response=with_errors(MigrantOut))
def migrant_detail(request: HttpRequest, migrant_id: int) -> Migrant:
    migrant, user = _migrant(request, migrant_id), signed_in_user(request)
    migrant.detail = selectors.migrant_detail(user=user, migrant=migrant)  # type: ignore[attr-defined]
    return migrant


@router.post("/migrants", response=with_errors(MigrantOut, created=True))
def migrant_create(request: HttpRequest, payload: MigrantIn) -> Status[Migrant]:
    user = signed_in_user(request)
    association = _association(request, payload.association)
    data = payload.dict(exclude={"association", "employer"})
    migrant = services.migrant_register(
        actor=user,
        association=association,  # type: ignore[arg-type]  # required by the schema
        employer=_employer(request, payload.employer),
        **data,
    )
    migrant.detail = selectors.migrant_detail(user=user, migrant=migrant)  # type: ignore[attr-defined]
    return Status(201, migrant)


@router.post("/migrants/{migrant_id}", response=with_errors(MigrantOut))
def migrant_update(request: HttpRequest, migrant_id: int, payload: MigrantUpdateIn) -> Migrant:
    migrant = _migrant(request, migrant_id)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version")
    code = sent.pop("association", None)
    if "employer" in sent:
        sent["employer"] = _employer(request, sent["employer"] or "")
    updated = services.migrant_update(
        actor=signed_in_user(request),
        migrant=migrant,
        version=version,
        association=_association(request, code) if code else None,
        **sent,
    )
    detail = selectors.migrant_detail(user=signed_in_user(request), migrant=updated)
    updated.detail = detail  # type: ignore[attr-defined]
    return updated


@router.post(
    "/migrants/{migrant_id}/services", response=with_errors(MigrantServiceOut, created=True)
)
def service_create(
    request: HttpRequest, migrant_id: int, payload: ServiceIn
) -> Status[ServiceRecord]:
    migrant = _migrant(request, migrant_id)
    kind = selectors.service_kinds().filter(code=payload.kind).first()
    if kind is None:
        raise ServiceError("服务类别不正确。", field="kind")
    record = services.service_record(
        actor=signed_in_user(request),
        migrant=migrant,
        kind=kind,
        served_on=payload.served_on,
        provider=payload.provider,
        notes=payload.notes,
    )
    return Status(201, record)


# --- enterprise-type associations -----------------------------------------------------------


@router.get("/enterprises", response=with_errors(list[EnterpriseOut]))
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> list[Any]:
    rows = selectors.profiled_associations(
        user=signed_in_user(request), demonstration=filters.demonstration, query=filters.q
    )
    return list(rows[: filters.limit])


@router.get("/enterprises/{code}", response=with_errors(EnterpriseDetailOut))
def enterprise_detail(request: HttpRequest, code: str) -> Any:
    user = signed_in_user(request)
    association = (
        selectors.profiled_associations(user=user).filter(code=code[:32]).first()
        if len(code) <= 32
        else None
    )
    if association is None or association.kind not in PROFILE_KINDS:
        raise Http404
    figures = selectors.profile_figures(user=user, association=association)
    return SimpleNamespace(
        id=association.pk,
        code=association.code,
        name=association.name,
        kind=association.kind,
        enterprise_profile=selectors.profile_of(association),
        working=association.working,
        members=figures.members,
        activities=figures.activities,
        migrants_registered=figures.migrants_registered,
        evaluations=figures.evaluations,
    )
