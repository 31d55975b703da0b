"""Rights cases (权益维护) over /api/v1/rights/cases: the list, receipt, a case, its steps (follow
up, refer, close, satisfaction, reopen). A step the case's state does not allow answers 409 on
every step (code `closed` or `state`), like a stale version (code `conflict`).

Who may call: staff holding `rights.view` (the cases received in their subtree); writes need
`rights.edit`, checked again by the services. Every other signed-in role is refused (403). What
is never sent: the person's name, phone and ID number in clear (masked), the claim itself (only
whether there is one: reading it is the audited reveal of the web page). Errors are the
platform's JSON errors (`fpa.core.api_errors.ERRORS`, documented on every operation).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core.api_errors import with_errors
from fpa.core.errors import ServiceError
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.rights import selectors, services
from fpa.rights.models import Case, Step

MAX_ID = 2**63 - 1
router = Router(tags=["rights"], auth=[BearerToken("rights.view"), Session("rights.view")])

Channel = Literal["visit", "call", "letter", "online", "outreach", "assigned"]
StatusFilter = Literal["", "open", "received", "referred", "in_progress", "closed", "reopened"]
SatisfactionValue = Literal["satisfied", "fairly", "dissatisfied"]


def _check_id(value: int) -> None:
    if not 0 < value <= MAX_ID:
        raise Http404


def _area(request: HttpRequest, code: str) -> Association | None:
    """The association named by `code` in the caller's scope (None for ""); 404 outside it."""
    if not code:
        return None
    return org_selectors.association_get(user=signed_in_user(request), code=code.strip()[:32])


def _case(request: HttpRequest, pk: int) -> Case:
    _check_id(pk)
    return selectors.case_get(user=signed_in_user(request), pk=pk)


def _masked(value: object) -> str:
    return str(value) if value else ""


# --- schemas ------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str
    association_code: str
    association_name: str
    family_id: int | None
    person_name: str = Field(description="打码")
    phone: str = Field(description="打码")
    id_number: str = Field(description="打码")
    channel: str
    received_on: datetime.date
    kind: str
    kind_name: str
    department: str
    referred_on: datetime.date | None
    deadline: datetime.date
    overdue: bool
    status: str
    status_label: str
    closed_on: datetime.date | None
    on_time: bool | None
    satisfaction: str
    rated_on: datetime.date | None
    reopened: int
    version: int

    @staticmethod
    def resolve_association_code(obj: Case) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Case) -> str:
        return obj.association.name

    @staticmethod
    def resolve_person_name(obj: Case) -> str:
        return _masked(obj.person_name)

    @staticmethod
    def resolve_phone(obj: Case) -> str:
        return _masked(obj.phone)

    @staticmethod
    def resolve_id_number(obj: Case) -> str:
        return _masked(obj.id_number)

    @staticmethod
    def resolve_kind(obj: Case) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: Case) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_overdue(obj: Case) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())


class StepOut(Schema):
    action: str
    on: datetime.date
    note: str
    by: str
    by_association: str

    @staticmethod
    def resolve_by(obj: Step) -> str:
        return obj.by.username

    @staticmethod
    def resolve_by_association(obj: Step) -> str:
        return obj.by_association.code


class CaseDetailOut(CaseOut):
    result: str
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: Case) -> list[Step]:
        return selectors.case_steps(case=obj)


class CasePage(Schema):
    items: list[CaseOut]
    next: str | None
    previous: str | None


class CaseFiltersIn(Schema):
    association: str = Field("", max_length=32, description="受理单位代码（含下级）")
    status: StatusFilter = ""
    kind: str = Field("", max_length=30)
    overdue: bool = False
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    family: int | None = Field(None, gt=0, le=MAX_ID)
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(50, ge=1, le=100)


class CaseIn(Schema):
    association: str = Field(..., max_length=32, description="受理单位代码")
    kind: str = Field(..., max_length=30, description="诉求类别代码，如 policy")
    channel: Channel
    received_on: datetime.date
    claim: str = Field(..., max_length=2000)
    person_name: str = Field("", max_length=50, description="计生特殊家庭可留空")
    family_id: int | None = Field(None, gt=0, le=MAX_ID)
    phone: str = Field("", max_length=32)
    id_number: str = Field("", max_length=32)
    deadline: datetime.date | None = None


class FollowUpIn(Schema):
    version: int | None = Field(None, ge=1)
    on: datetime.date
    note: str = Field(..., max_length=2000)


class CloseIn(Schema):
    version: int | None = Field(None, ge=1)
    result: str = Field(..., max_length=2000)
    closed_on: datetime.date


class SatisfactionIn(Schema):
    version: int | None = Field(None, ge=1)
    satisfaction: SatisfactionValue
    rated_on: datetime.date | None = None
    note: str = Field("", max_length=500)


class StateConflict(ServiceError):
    """A step the case's state does not allow (a closed case followed up, closed again or
    referred; an open case rated or reopened): 409, keeping the service's code ("closed",
    "state") and message, on every step alike."""

    status = 409


STATE_CODES = frozenset({"closed", "state"})


@contextmanager
def state_conflicts() -> Iterator[None]:
    """Run a step: a refusal for the case's state leaves as a 409 `StateConflict`, any other
    ServiceError as it is (400 on a field, 409 `conflict` for a stale version)."""
    try:
        yield
    except ServiceError as exc:
        if exc.code in STATE_CODES and exc.status != 409:
            raise StateConflict(exc.message, field=exc.field, code=exc.code) from exc
        raise


# --- operations ---------------------------------------------------------------------------------


@router.get("/rights/cases", response=with_errors(CasePage))
def case_list(request: HttpRequest, filters: Query[CaseFiltersIn]) -> dict:
    user = signed_in_user(request)
    page = selectors.case_list(
        user=user,
        filters=selectors.CaseFilters(
            association=_area(request, filters.association),
            status=filters.status,
            kind=filters.kind,
            overdue=filters.overdue,
            received_from=filters.received_from,
            received_to=filters.received_to,
            family=filters.family,
        ),
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.post("/rights/cases", response=with_errors(CaseDetailOut, created=True))
def case_create(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    user = signed_in_user(request)
    association = _area(request, payload.association)
    assert association is not None
    kind = selectors.kind_by_code(payload.kind)
    if kind is None:
        raise ServiceError("没有这个诉求类别。", field="kind")
    family = None
    if payload.family_id is not None:
        family = selectors.family_in_scope(user=user, pk=payload.family_id)
        if family is None:
            raise Http404
    case = services.case_receive(
        actor=user,
        association=association,
        kind=kind,
        family=family,
        **payload.dict(exclude={"association", "kind", "family_id"}),
    )
    return Status(201, selectors.case_get(user=user, pk=case.pk))


@router.get("/rights/cases/{case_id}", response=with_errors(CaseDetailOut))
def case_detail(request: HttpRequest, case_id: int) -> Case:
    return _case(request, case_id)


@router.post(
    "/rights/cases/{case_id}/follow-ups",
    response=with_errors(CaseDetailOut),
    summary="跟进",
    description="""The page's 跟进: what was done on a day (not before the receipt, not after
today); a case just received becomes `in_progress`. A closed case takes no follow-up: 409 with
code `closed`; a stale `version`: 409 `conflict`; an empty note or a bad date: 400 on the
field. Needs `rights.edit` in the case's scope (403); another township's case: 404.""",
)
def case_follow_up(request: HttpRequest, case_id: int, payload: FollowUpIn) -> Case:
    user = signed_in_user(request)
    case = _case(request, case_id)
    with state_conflicts():
        services.case_follow_up(actor=user, case=case, **payload.dict())
    return _case(request, case_id)


@router.post(
    "/rights/cases/{case_id}/close",
    response=with_errors(CaseDetailOut),
    summary="办结",
    description="""The page's 办结: the result and the day (not before the receipt, not after
today). A case already closed: 409 with code `closed`; a stale `version`: 409 `conflict`; an
empty result or a bad date: 400 on the field. Needs `rights.edit` in the case's scope (403);
another township's case: 404.""",
)
def case_close(request: HttpRequest, case_id: int, payload: CloseIn) -> Case:
    user = signed_in_user(request)
    case = _case(request, case_id)
    with state_conflicts():
        services.case_close(actor=user, case=case, **payload.dict())
    return _case(request, case_id)


@router.post(
    "/rights/cases/{case_id}/satisfaction",
    response=with_errors(CaseDetailOut),
    summary="满意度回访",
    description="""The person's satisfaction, once per closure. A case not closed, or already
rated since it was closed: 409 with code `state`; a stale `version`: 409 `conflict`; a day
before the closure or after today: 400 on `rated_on`. Needs `rights.edit` in the case's scope
(403); another township's case: 404.""",
)
def case_satisfaction(request: HttpRequest, case_id: int, payload: SatisfactionIn) -> Case:
    user = signed_in_user(request)
    case = _case(request, case_id)
    with state_conflicts():
        services.case_rate(actor=user, case=case, **payload.dict())
    return _case(request, case_id)


# --- referral and reopening -------------------------------------------------------------------


class ReferIn(Schema):
    version: int | None = Field(None, ge=1, description="读取时的版本号（防止覆盖他人的修改）")
    department: str = Field(..., max_length=100, description="转办部门，如：县卫生健康局")
    referred_on: datetime.date | None = Field(None, description="转办日期；不填为今天")
    note: str = Field("", max_length=2000, description="说明")


class ReopenIn(Schema):
    version: int | None = Field(None, ge=1, description="读取时的版本号（防止覆盖他人的修改）")
    reason: str = Field(..., max_length=500, description="重新办理的原因")
    deadline: datetime.date | None = Field(
        None, description="新的办理期限；不填则自今天起按诉求类别的办理时限计算"
    )


@router.post(
    "/rights/cases/{case_id}/refer",
    response=with_errors(CaseDetailOut),
    summary="转办",
    description="""The page's 转办: the department the case is referred to and the day (today
when not given; not before the receipt, not after today); the case becomes `referred` and the
timeline keeps each referral. Needs `rights.edit` in the case's scope (403). A closed case
cannot be referred: 409 with code `closed`; a stale `version`: 409 `conflict`; a department
shorter than two characters or a bad date: 400 on the field. Another township's case: 404.""",
)
def rights_case_refer(request: HttpRequest, case_id: int, payload: ReferIn) -> Case:
    user = signed_in_user(request)
    case = _case(request, case_id)
    with state_conflicts():
        services.case_refer(
            actor=user,
            case=case,
            department=payload.department,
            referred_on=payload.referred_on or timezone.localdate(),
            note=payload.note,
            version=payload.version,
        )
    return _case(request, case_id)


@router.post(
    "/rights/cases/{case_id}/reopen",
    response=with_errors(CaseDetailOut),
    summary="重新办理",
    description="""The page's 重新办理: a closed case whose person said they were dissatisfied
is taken up again with the reason (two characters at least) and a new deadline. Only a closed
case, rated dissatisfied, can be reopened: otherwise 409 with code `state`; a stale `version`:
409 `conflict`; a deadline before today or more than a year ahead: 400 on `deadline`. Needs
`rights.edit` in the case's scope (403); another township's case: 404.""",
)
def rights_case_reopen(request: HttpRequest, case_id: int, payload: ReopenIn) -> Case:
    user = signed_in_user(request)
    case = _case(request, case_id)
    with state_conflicts():
        services.case_reopen(actor=user, case=case, **payload.dict())
    return _case(request, case_id)
