"""The member register over /api/v1/members: lists, a member, counts rolled up the tree,
applications and council decisions, status changes and transfers.

Who may call: staff holding `member.view` (their subtree), as the pages; every other signed-in
role is refused (403). Writes need `member.edit` / `member.approve`, checked again by the services.
What is never sent: full ID and phone numbers (masked) and birth dates (the year only: with the
mask, a birth date gives the whole ID number back). A transfer's receiving side reads only the
summary the page shows until it accepts.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.requests import signed_in_user
from fpa.core import transfers as transfer_engine
from fpa.core.errors import ServiceError
from fpa.core.scope import in_scope
from fpa.members import selectors, services
from fpa.members.models import Member, Transfer
from fpa.members.services.transfers import MEMBERS
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

MAX_ID = 2**63 - 1
router = Router(tags=["members"])


def _member(request: HttpRequest, member_id: int) -> Member:
    """The member, inside the caller's scope; outside it is a 404, like a missing id."""
    if not 0 < member_id <= MAX_ID:
        raise Http404
    return selectors.member_get(user=signed_in_user(request), pk=member_id)


def _transfer(request: HttpRequest, transfer_id: int) -> Transfer:
    if not 0 < transfer_id <= MAX_ID:
        raise Http404
    return selectors.transfer_get(user=signed_in_user(request), pk=transfer_id)


def _association(request: HttpRequest, code: str) -> Association:
    return org_selectors.association_get(user=signed_in_user(request), code=code.strip()[:32])


# --- schemas --------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    association_code: str
    association_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    name: str
    contact_name: str
    sex: str
    birth_year: int | None
    id_number: str | None
    phone: str | None
    card_number: str | None
    group: str | None
    applied_on: datetime.date
    approved_on: datetime.date | None
    council_meeting_on: datetime.date | None
    council_resolution: str
    version: int

    @staticmethod
    def resolve_association_code(obj: Member) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Member) -> str:
        return obj.association.name

    @staticmethod
    def resolve_kind_label(obj: Member) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Member) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_birth_year(obj: Member) -> int | None:
        return obj.birth_date.year if obj.birth_date else None

    @staticmethod
    def resolve_id_number(obj: Member) -> str | None:
        return obj.id_number.masked if obj.id_number else None

    @staticmethod
    def resolve_phone(obj: Member) -> str | None:
        return obj.phone.masked if obj.phone else None

    @staticmethod
    def resolve_group(obj: Member) -> str | None:
        return obj.group.name if obj.group is not None else None


class MemberPage(Schema):
    items: list[MemberOut]
    next: str | None
    previous: str | None


class MemberIn(Schema):
    association: str = Field(..., max_length=32)
    kind: Literal["individual", "group", "migrant", "resident"]
    name: str = Field(..., min_length=1, max_length=100)
    contact_name: str = Field("", max_length=50)
    id_number: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=32)
    address: str = Field("", max_length=200)
    political_status: str = Field("", max_length=20)
    serves: str = Field("", max_length=100)
    applied_on: datetime.date | None = None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class ApproveIn(Schema):
    """The council's decision: its meeting date and resolution number, both or neither (an
    approval taken long ago, synchronised from another system, may have neither)."""

    council_meeting_on: datetime.date | None = None
    council_resolution: str = Field("", max_length=60)


class StatusIn(Schema):
    status: Literal["active", "lapsed", "withdrawn", "deceased"]
    effective_date: datetime.date
    reason: str = Field(..., max_length=300)


class TransferIn(Schema):
    to_association: str = Field(..., max_length=32)
    reason: str = Field(..., max_length=300)


class TransferOut(Schema):
    id: int
    status: str
    status_label: str
    name: str
    sex: str
    kind: str
    birth_year: int | None
    card_number: str | None
    from_association: str
    to_association: str
    reason: str
    requested_on: datetime.date
    decided_on: datetime.date | None
    refusal_reason: str
    member_id: int | None  # only for the sending side
    new_member_id: int | None  # only for the receiving side, once accepted


class TransferLists(Schema):
    incoming: list[TransferOut]
    outgoing: list[TransferOut]


class Figures(Schema):
    code: str | None
    name: str
    total: int
    male: int
    female: int
    individual: int
    group: int
    migrant: int
    resident: int


class MemberCountsOut(Schema):
    association: Figures
    volunteers: int | None
    children: list[Figures]


StatusFilter = Literal[
    "", "pending", "rejected", "active", "lapsed", "transferred", "withdrawn", "deceased"
]
KindFilter = Literal["", "individual", "group", "migrant", "resident"]


class MemberFilters(Schema):
    q: str = Field("", max_length=50)
    status: StatusFilter = "active"
    kind: KindFilter = ""
    association: str = Field("", max_length=32)
    after: str | None = None
    before: str | None = None
    size: int = Field(50, ge=1, le=100)


# --- operations -----------------------------------------------------------------------------------


def _transfer_out(request: HttpRequest, transfer: Transfer) -> dict[str, Any]:
    summary = selectors.transfer_summary(transfer)
    sending = selectors.sees_member_of(signed_in_user(request), transfer)
    receiving = in_scope(signed_in_user(request), transfer.to_association)
    return {
        "id": transfer.pk,
        "status": transfer.status,
        "status_label": str(transfer.get_status_display()),
        "name": summary["name"],
        "sex": summary["sex"],
        "kind": summary["kind"],
        "birth_year": summary["birth_year"],
        "card_number": summary["card_number"],
        "from_association": transfer.from_association.code,
        "to_association": transfer.to_association.code,
        "reason": transfer.reason,
        "requested_on": transfer.requested_on,
        "decided_on": transfer.decided_on,
        "refusal_reason": transfer.refusal_reason,
        "member_id": transfer.member_id if sending else None,
        "new_member_id": transfer.new_member_id if receiving else None,
    }


def _figures(code: str | None, name: str, figures: dict[str, int]) -> dict[str, Any]:
    numbers = ("total", "male", "female", *Member.Kind.values)
    return {"code": code, "name": name, **{k: figures.get(k, 0) for k in numbers}}


@router.get("", response=MemberPage)
def member_list(request: HttpRequest, filters: Query[MemberFilters]) -> dict[str, Any]:
    association = _association(request, filters.association) if filters.association else None
    page = selectors.member_list(
        user=signed_in_user(request),
        association=association,
        status=filters.status,
        kind=filters.kind,
        query=filters.q,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.post("", response={201: MemberOut})
def member_apply(request: HttpRequest, payload: MemberIn) -> Status[Member]:
    data = payload.dict()
    association = _association(request, data.pop("association"))
    member = services.member_apply(actor=signed_in_user(request), association=association, **data)
    return Status(201, member)


@router.get("/counts", response=MemberCountsOut)
def counts(request: HttpRequest, association: str = Query("", max_length=32)) -> dict[str, Any]:
    root = (
        _association(request, association)
        if association
        else signed_in_user(request).home_association
    )
    if root is None:
        raise Http404
    total = selectors.counts(user=signed_in_user(request), association=root)
    children = selectors.counts_by_child(user=signed_in_user(request), association=root)
    return {
        "association": _figures(root.code, root.name, total.figures),
        "volunteers": total.volunteers,
        "children": [
            _figures(c.association.code if c.association else None, c.name, c.figures)
            for c in children
        ],
    }


@router.get("/transfers", response=TransferLists)
def transfer_list(request: HttpRequest) -> dict[str, Any]:
    lists = transfer_engine.transfer_lists(MEMBERS, user=signed_in_user(request))
    return {
        "incoming": [_transfer_out(request, t) for t in lists["incoming"]],
        "outgoing": [_transfer_out(request, t) for t in lists["outgoing"]],
    }


@router.get("/transfers/{transfer_id}", response=TransferOut)
def transfer_detail(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    return _transfer_out(request, _transfer(request, transfer_id))


@router.post("/transfers/{transfer_id}/accept", response=MemberOut)
def transfer_accept(request: HttpRequest, transfer_id: int) -> Member:
    return services.transfer_accept(
        actor=signed_in_user(request), transfer=_transfer(request, transfer_id)
    )


@router.post("/transfers/{transfer_id}/refuse", response=TransferOut)
def transfer_refuse(request: HttpRequest, transfer_id: int, payload: ReasonIn) -> dict[str, Any]:
    item = services.transfer_refuse(
        actor=signed_in_user(request),
        transfer=_transfer(request, transfer_id),
        reason=payload.reason,
    )
    return _transfer_out(request, item)


@router.get("/{member_id}", response=MemberOut)
def member_detail(request: HttpRequest, member_id: int) -> Member:
    return _member(request, member_id)


@router.post("/{member_id}/approve", response=MemberOut)
def member_approve(
    request: HttpRequest, member_id: int, payload: ApproveIn | None = None
) -> Member:
    decision = payload or ApproveIn(council_meeting_on=None, council_resolution="")
    return services.member_approve(
        actor=signed_in_user(request),
        member=_member(request, member_id),
        council_meeting_on=decision.council_meeting_on,
        council_resolution=decision.council_resolution,
    )


@router.post("/{member_id}/reject", response=MemberOut)
def member_reject(request: HttpRequest, member_id: int, payload: ReasonIn) -> Member:
    return services.member_reject(
        actor=signed_in_user(request), member=_member(request, member_id), reason=payload.reason
    )


@router.post("/{member_id}/status", response=MemberOut)
def member_status(request: HttpRequest, member_id: int, payload: StatusIn) -> Member:
    return services.member_change_status(
        actor=signed_in_user(request), member=_member(request, member_id), **payload.dict()
    )


@router.post("/{member_id}/transfer", response={201: TransferOut})
def member_transfer(
    request: HttpRequest, member_id: int, payload: TransferIn
) -> Status[dict[str, Any]]:
    member = _member(request, member_id)
    target = selectors.current_association(payload.to_association.strip())
    if target is None:
        raise ServiceError("没有这个编码的在用协会。", field="to_association")
    item = services.transfer_request(
        actor=signed_in_user(request), member=member, to_association=target, reason=payload.reason
    )
    return Status(201, _transfer_out(request, item))
