from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fpa.accounts.requests import signed_in_user
from fpa.organizations import selectors
from fpa.organizations.models import Association, Filing, StaffMember

router = Router(tags=["organizations"])


class AssociationOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    parent_code: str | None
    depth: int
    valid_from: datetime.date
    valid_to: datetime.date | None

    @staticmethod
    def resolve_kind_label(obj: Association) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_parent_code(obj: Association) -> str | None:
        parent = obj.parent
        return parent.code if parent else None


class PageOut(Schema):
    next: str | None
    previous: str | None


class AssociationPage(PageOut):
    items: list[AssociationOut]


class ListFilters(Schema):
    q: str = ""
    kind: str = ""
    include_closed: bool = False
    after: str | None = None
    before: str | None = None
    size: int = 50


@router.get("/associations", response=AssociationPage)
def association_list(request: HttpRequest, filters: Query[ListFilters]) -> dict:
    page = selectors.association_list(
        user=signed_in_user(request),
        query=filters.q,
        kind=filters.kind,
        include_closed=filters.include_closed,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/associations/{code}", response=AssociationOut)
def association_detail(request: HttpRequest, code: str) -> object:
    return selectors.association_get(user=signed_in_user(request), code=code[:32])


class StaffOut(Schema):
    id: int
    association_code: str
    name: str
    sex: str
    post: str
    post_label: str
    employment: str
    phone: str | None
    term_start: datetime.date
    term_end: datetime.date | None
    left_on: datetime.date | None

    @staticmethod
    def resolve_association_code(obj: StaffMember) -> str:
        return obj.association.code

    @staticmethod
    def resolve_post_label(obj: StaffMember) -> str:
        return obj.get_post_display()

    @staticmethod
    def resolve_phone(obj: StaffMember) -> str | None:
        phone = obj.phone
        return phone.masked if phone else None


class StaffPage(PageOut):
    items: list[StaffOut]


class StaffFilters(Schema):
    association: str | None = None
    q: str = ""
    current_only: bool = True
    after: str | None = None
    before: str | None = None
    size: int = 50


@router.get("/staff", response=StaffPage)
def staff_list(request: HttpRequest, filters: Query[StaffFilters]) -> dict:
    association = (
        selectors.association_get(user=signed_in_user(request), code=filters.association[:32])
        if filters.association
        else None
    )
    page = selectors.staff_list(
        user=signed_in_user(request),
        association=association,
        query=filters.q,
        current_only=filters.current_only,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


class FilingOut(Schema):
    id: int
    association_code: str
    person_name: str
    status: str
    submitted_at: datetime.datetime
    reviewed_at: datetime.datetime | None
    return_reason: str

    @staticmethod
    def resolve_association_code(obj: Filing) -> str:
        return obj.association.code

    @staticmethod
    def resolve_person_name(obj: Filing) -> str:
        return obj.person.name


class FilingPage(PageOut):
    items: list[FilingOut]


class FilingFilters(Schema):
    status: str = ""
    after: str | None = None
    before: str | None = None
    size: int = 50


@router.get("/filings", response=FilingPage)
def filing_list(request: HttpRequest, filters: Query[FilingFilters]) -> dict:
    page = selectors.filing_list(
        user=signed_in_user(request),
        status=filters.status,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}
