"""三留守 under /api/v1/left-behind/: the list, a person's record, the care log (list, create),
needs (list, create, update) and contact persons (list, assign, end).

Who may call: staff holding `leftbehind.view` (their subtree), exactly as the pages; children's
records (kind 留守儿童 or under 14) only with `leftbehind.children` or as the child's current
contact person: for everyone else a child is a 404, like a missing id. What is never sent: full
ID and phone numbers, addresses, guardians' names and notes (masked; the pages reveal them one by
one, audited); a child's name (masked) and birth date (an age for adults only).
Errors: `fpa.core.api_errors` (400, 401, 403, 404, 409, 422). The operations' names start with
`left_behind_`: the URL names of the API are one namespace across modules.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core.api_errors import with_errors
from fpa.core.errors import ServiceError
from fpa.core.pagination import keyset_page
from fpa.core.scope import require
from fpa.families.forms.fields import _near as near_date
from fpa.families.selectors import assignable_accounts
from fpa.leftbehind import selectors, services
from fpa.leftbehind.models import (
    LeftBehindCare,
    LeftBehindContact,
    LeftBehindNeed,
    LeftBehindPerson,
)
from fpa.organizations import selectors as org_selectors

router = Router(
    tags=["leftbehind"], auth=[BearerToken("leftbehind.view"), Session("leftbehind.view")]
)
MAX_ID = 2**63 - 1
Kind = Literal["", "elderly", "child", "woman"]
Risk = Literal["", "low", "medium", "high"]
PersonStatus = Literal["", "active", "ended"]
NeedStatus = Literal["", "open", "in_progress", "resolved", "closed"]


def _masked(value: Any) -> str | None:
    return value.masked if value else None


def _person(request: HttpRequest, person_id: int) -> LeftBehindPerson:
    """The person inside the caller's scope (and the children rule); otherwise a 404."""
    if not 0 < person_id <= MAX_ID:
        raise Http404
    return selectors.person_get(user=signed_in_user(request), pk=person_id)


def _page(page: Any) -> dict[str, Any]:
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


def _age(person: LeftBehindPerson) -> int | None:
    if person.birth_date is None:
        return None
    today = timezone.localdate()
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- schemas --------------------------------------------------------------------------------


class LeftBehindPageFilters(Schema):
    after: str | None = None
    before: str | None = None
    size: int = Field(50, ge=1, le=200)


class PersonFilters(LeftBehindPageFilters):
    association: str = Field("", max_length=32)
    kind: Kind = ""
    risk: Risk = ""
    status: PersonStatus = "active"
    overdue: bool = False


class PersonListOut(Schema):
    id: int
    association_code: str
    association_name: str
    kind: str
    kind_label: str
    name: str  # masked for a child
    is_child: bool
    risk: str
    status: str
    registered_on: datetime.date
    overdue: list[str]
    version: int

    @staticmethod
    def resolve_association_code(obj: LeftBehindPerson) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: LeftBehindPerson) -> str:
        return obj.association.name

    @staticmethod
    def resolve_kind_label(obj: LeftBehindPerson) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_name(obj: LeftBehindPerson) -> str:
        return obj.shown_name

    @staticmethod
    def resolve_is_child(obj: LeftBehindPerson) -> bool:
        return obj.is_child()

    @staticmethod
    def resolve_overdue(obj: Any) -> list[str]:
        due = getattr(obj, "due", None)
        return list(due.overdue) if due is not None else []


class PersonPage(Schema):
    items: list[PersonListOut]
    next: str | None
    previous: str | None


class LeftBehindContactOut(Schema):
    id: int
    role: str
    name: str
    phone: str | None
    start_date: datetime.date
    end_date: datetime.date | None

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return str(obj.role.name)

    @staticmethod
    def resolve_phone(obj: Any) -> str | None:
        return _masked(obj.phone)


class LeftBehindPersonOut(PersonListOut):
    id_number: str | None
    phone: str | None
    address: str | None
    guardian_name: str | None
    guardian_relation: str
    guardian_phone: str | None
    absent_members: str
    absent_workplace: str
    absent_division: str
    age: int | None
    end_reason: str
    ended_on: datetime.date | None
    contacts: list[LeftBehindContactOut]

    @staticmethod
    def resolve_contacts(obj: Any) -> list[Any]:
        return list(getattr(obj, "contacts_out", []))

    @staticmethod
    def resolve_id_number(obj: LeftBehindPerson) -> str | None:
        return _masked(obj.id_number)

    @staticmethod
    def resolve_phone(obj: LeftBehindPerson) -> str | None:
        return _masked(obj.phone)

    @staticmethod
    def resolve_address(obj: LeftBehindPerson) -> str | None:
        return _masked(obj.address)

    @staticmethod
    def resolve_guardian_name(obj: LeftBehindPerson) -> str | None:
        return _masked(obj.guardian_name)

    @staticmethod
    def resolve_guardian_phone(obj: LeftBehindPerson) -> str | None:
        return _masked(obj.guardian_phone)

    @staticmethod
    def resolve_age(obj: LeftBehindPerson) -> int | None:
        return None if obj.is_child() else _age(obj)


class LeftBehindCareOut(Schema):
    id: int
    kind: str
    kind_name: str
    occurred_on: datetime.date
    recorded_by: str
    has_notes: bool

    @staticmethod
    def resolve_kind(obj: LeftBehindCare) -> str:
        return str(obj.kind.code)

    @staticmethod
    def resolve_kind_name(obj: LeftBehindCare) -> str:
        return str(obj.kind.name)

    @staticmethod
    def resolve_recorded_by(obj: LeftBehindCare) -> str:
        user = obj.recorded_by
        return str(getattr(user, "full_name", "") or user.username)

    @staticmethod
    def resolve_has_notes(obj: LeftBehindCare) -> bool:
        return bool(obj.notes)


class LeftBehindCarePage(Schema):
    items: list[LeftBehindCareOut]
    next: str | None
    previous: str | None


class LeftBehindCareIn(Schema):
    kind: str = Field(..., max_length=30)
    occurred_on: datetime.date
    notes: str = Field("", max_length=5000)


class LeftBehindNeedOut(Schema):
    id: int
    description: str
    status: str
    status_label: str
    owner: str | None
    due_date: datetime.date | None
    result: str
    closed_on: datetime.date | None

    @staticmethod
    def resolve_status_label(obj: LeftBehindNeed) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_owner(obj: LeftBehindNeed) -> str | None:
        return obj.owner.username if obj.owner is not None else None


class LeftBehindNeedPage(Schema):
    items: list[LeftBehindNeedOut]
    next: str | None
    previous: str | None


class LeftBehindNeedFilters(LeftBehindPageFilters):
    status: NeedStatus = ""


class NeedIn(Schema):
    description: str = Field(..., max_length=500)
    due_date: datetime.date | None = None


class LeftBehindNeedUpdateIn(Schema):
    status: Literal["open", "in_progress", "resolved", "closed"]
    result: str = Field("", max_length=500)


# --- operations -----------------------------------------------------------------------------


@router.get("/left-behind/people", response=with_errors(PersonPage))
def left_behind_list(request: HttpRequest, filters: Query[PersonFilters]) -> dict[str, Any]:
    user = signed_in_user(request)
    association = (
        org_selectors.association_get(user=user, code=filters.association)
        if filters.association
        else None
    )
    page = selectors.person_list(
        user=user,
        filters=selectors.PersonFilters(
            association=association,
            kind=filters.kind,
            risk=filters.risk,
            status=filters.status,
            overdue=filters.overdue,
        ),
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return _page(page)


@router.get("/left-behind/people/{person_id}", response=with_errors(LeftBehindPersonOut))
def left_behind_detail(request: HttpRequest, person_id: int) -> LeftBehindPerson:
    person = _person(request, person_id)
    user = signed_in_user(request)
    data = selectors.person_detail(user=user, person=person)
    person.due = data["due"]  # type: ignore[attr-defined]
    person.contacts_out = data["contacts"]  # type: ignore[attr-defined]
    return person


@router.get("/left-behind/people/{person_id}/care", response=with_errors(LeftBehindCarePage))
def left_behind_care_list(
    request: HttpRequest, person_id: int, filters: Query[LeftBehindPageFilters]
) -> dict[str, Any]:
    person = _person(request, person_id)
    queryset = selectors.care_records(user=signed_in_user(request), person=person)
    return _page(
        keyset_page(
            queryset,
            key="id",
            after=filters.after,
            before=filters.before,
            size=filters.size,
            descending=True,
        )
    )


@router.post(
    "/left-behind/people/{person_id}/care", response=with_errors(LeftBehindCareOut, created=True)
)
def left_behind_care_create(
    request: HttpRequest, person_id: int, payload: LeftBehindCareIn
) -> Status[LeftBehindCare]:
    person = _person(request, person_id)
    kind = selectors.care_kinds().filter(code=payload.kind).first()
    if kind is None:
        raise ServiceError("关爱记录类别不正确。", field="kind")
    record = services.care_log(
        actor=signed_in_user(request),
        person=person,
        kind=kind,
        occurred_on=payload.occurred_on,
        notes=payload.notes,
    )
    return Status(201, record)


@router.get("/left-behind/people/{person_id}/needs", response=with_errors(LeftBehindNeedPage))
def left_behind_need_list(
    request: HttpRequest, person_id: int, filters: Query[LeftBehindNeedFilters]
) -> dict[str, Any]:
    person = _person(request, person_id)
    queryset = selectors.needs_of(
        user=signed_in_user(request), person=person, status=filters.status
    )
    return _page(
        keyset_page(
            queryset,
            key="id",
            after=filters.after,
            before=filters.before,
            size=filters.size,
            descending=True,
        )
    )


@router.post(
    "/left-behind/people/{person_id}/needs", response=with_errors(LeftBehindNeedOut, created=True)
)
def left_behind_need_create(
    request: HttpRequest, person_id: int, payload: NeedIn
) -> Status[LeftBehindNeed]:
    person = _person(request, person_id)
    need = services.need_raise(
        actor=signed_in_user(request),
        person=person,
        description=payload.description,
        due_date=payload.due_date,
    )
    return Status(201, need)


@router.post("/left-behind/needs/{need_id}", response=with_errors(LeftBehindNeedOut))
def left_behind_need_update(
    request: HttpRequest, need_id: int, payload: LeftBehindNeedUpdateIn
) -> LeftBehindNeed:
    if not 0 < need_id <= MAX_ID:
        raise Http404
    user = signed_in_user(request)
    need = selectors.need_get(user=user, pk=need_id)
    return services.need_update(actor=user, need=need, status=payload.status, result=payload.result)


# --- contact persons ------------------------------------------------------------------------


class ContactItemOut(LeftBehindContactOut):
    role_code: str
    username: str | None
    current: bool

    @staticmethod
    def resolve_role_code(obj: LeftBehindContact) -> str:
        return str(obj.role.code)

    @staticmethod
    def resolve_username(obj: LeftBehindContact) -> str | None:
        return obj.user.username if obj.user is not None else None

    @staticmethod
    def resolve_current(obj: LeftBehindContact) -> bool:
        return obj.end_date is None


class LeftBehindContactFilters(Schema):
    current_only: bool = False


class ContactIn(Schema):
    role: str = Field(..., max_length=30, description="联系人类别代码，如 village_cadre")
    user_id: int | None = Field(
        None, gt=0, le=MAX_ID, description="平台账号（本人管辖范围内的在用账号）；选填"
    )
    name: str = Field("", max_length=50, description="姓名；关联了平台账号时可不填")
    phone: str = Field("", max_length=32, description="联系电话；选填")
    start_date: datetime.date


class ContactEndIn(Schema):
    end_date: datetime.date
    reason: str = Field(
        "", max_length=200, description="结束原因，如：工作调动；选填，记入操作日志"
    )


def _working_date(value: datetime.date, label: str, field: str) -> datetime.date:
    """The page form's check of a date (not before 2000, not more than ten years ahead)."""
    try:
        checked = near_date(value, label)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field=field) from exc
    return checked or value


@router.get(
    "/left-behind/people/{person_id}/contacts",
    response=with_errors(list[ContactItemOut]),
    summary="三留守人员的联系人",
    description="""The person's contact persons, current first then ended (`current_only` for
the current ones), phones masked. Who may read: as the person's record (`leftbehind.view` in
scope; a child only with `leftbehind.children` or as the child's current contact person, else
404).""",
)
def left_behind_contact_list(
    request: HttpRequest, person_id: int, filters: Query[LeftBehindContactFilters]
) -> list[LeftBehindContact]:
    person = _person(request, person_id)
    queryset = selectors.contacts_of(
        user=signed_in_user(request), person=person, current_only=filters.current_only
    )
    return list(queryset.select_related("role", "user")[:200])


@router.post(
    "/left-behind/people/{person_id}/contacts",
    response=with_errors(ContactItemOut, created=True),
    summary="指定联系人",
    description="""The page's 指定联系人: a platform account of the caller's subtree (`user_id`)
or a name, with a role (`role`, a contact-role code) and a start date. Needs `leftbehind.edit`
in the person's scope and, for a child, `leftbehind.children` (403). An unknown role, a name
missing when no account is given, a phone that is not a valid number (full-width digits are
read as digits) or a start date out of range: 400 on the field. A forged or foreign person or
account: 404. An ended record takes no new contact (400).""",
)
def left_behind_contact_assign(
    request: HttpRequest, person_id: int, payload: ContactIn
) -> Status[LeftBehindContact]:
    person = _person(request, person_id)
    user = signed_in_user(request)
    require(user, "leftbehind.edit")
    role = selectors.contact_roles().filter(code=payload.role).first()
    if role is None:
        raise ServiceError(gettext("联系人类别不正确。"), field="role")
    account = None
    if payload.user_id is not None:
        account = assignable_accounts(user).filter(pk=payload.user_id).first()
        if account is None:
            raise Http404
    name = payload.name.strip()
    if account is None and not name:
        raise ServiceError(gettext("请选择平台账号或填写联系人姓名。"), field="name")
    contact = services.contact_assign(
        actor=user,
        person=person,
        role=role,
        name=name,
        start_date=_working_date(payload.start_date, gettext("开始日期"), "start_date"),
        user=account,
        phone=payload.phone.strip() or None,
    )
    return Status(201, selectors.contact_get(user=user, pk=contact.pk))


@router.post(
    "/left-behind/contacts/{contact_id}/end",
    response=with_errors(ContactItemOut),
    summary="结束联系人",
    description="""The page's 结束: the contact person stops looking after the person from
`end_date` (not before the start; an ended contact cannot end again: 400), with an optional
`reason` (up to 200 characters) kept on the audit row, as the handover's reason is. Needs
`leftbehind.edit` in the person's scope and, for a child, `leftbehind.children` (403); a forged
or foreign contact, or a child's contact for staff who may not see the child: 404.""",
)
def left_behind_contact_end(
    request: HttpRequest, contact_id: int, payload: ContactEndIn
) -> LeftBehindContact:
    if not 0 < contact_id <= MAX_ID:
        raise Http404
    user = signed_in_user(request)
    contact = selectors.contact_get(user=user, pk=contact_id)
    require(user, "leftbehind.edit")
    services.contact_end(
        actor=user,
        contact=contact,
        end_date=_working_date(payload.end_date, gettext("结束日期"), "end_date"),
        reason=payload.reason,
    )
    return selectors.contact_get(user=user, pk=contact_id)
