"""The special-family registry over /api/v1/: lists, a family's file, its care log, needs and
contacts, logging care, and transfers of a family to another association (跨协会移交).

Who may call: staff holding `family.view` (their subtree) and contact persons (the families they
currently look after), exactly as the pages; every other signed-in role is refused (403). What is
never sent: the family kind and the sensitive free-text fields in lists; the sensitive free-text
fields (notes, health, cause of death, disability type) and the disability certificate number
anywhere (the pages show them only through the audited reveal); full ID and phone numbers (masked)
and birth dates (an age instead: with the mask, a birth date gives the whole ID number back).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core import transfers as transfer_engine
from fpa.core.api_errors import with_errors
from fpa.core.errors import ServiceError
from fpa.core.pagination import keyset_page
from fpa.core.scope import in_scope
from fpa.families import eligibility, selectors, services
from fpa.families.forms import transfers as transfer_forms
from fpa.families.models import CareRecord, Contact, Family, FamilyTransfer, Need
from fpa.families.services import transfers as family_transfers
from fpa.organizations import selectors as org_selectors

MAX_ID = 2**63 - 1


def _family_reader(user: User) -> User:
    """Staff with `family.view`, or a current contact person of some family."""
    if user.has_capability("family.view"):
        return user
    if selectors.looks_after_any(user):
        return user
    raise PermissionDenied("您的角色无权进行此操作。")


class FamilyBearer(BearerToken):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        return _family_reader(user) if user else None


class FamilySession(Session):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _family_reader(user) if user else None


router = Router(tags=["families"], auth=[FamilyBearer(), FamilySession()])


def _masked(value: Any) -> str | None:
    return value.masked if value else None


def _family(request: HttpRequest, family_id: int) -> Family:
    """The family, inside the caller's scope; outside it is a 404, like a missing id."""
    if not 0 < family_id <= MAX_ID:
        raise Http404
    return selectors.family_get(user=signed_in_user(request), pk=family_id)


# --- schemas --------------------------------------------------------------------------------------


class FamilyPageOut(Schema):
    next: str | None
    previous: str | None


class FamilyListOut(Schema):
    """A row of the list: no family kind, no sensitive text."""

    id: int
    association_code: str
    association_name: str
    status: str
    status_label: str
    head_name: str
    registered_on: datetime.date
    version: int

    @staticmethod
    def resolve_association_code(obj: Family) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Family) -> str:
        return obj.association.name

    @staticmethod
    def resolve_status_label(obj: Family) -> str:
        return str(obj.get_status_display())


class FamilyPage(FamilyPageOut):
    items: list[FamilyListOut]


class FamilyPersonOut(Schema):
    id: int
    role: str
    role_label: str
    name: str
    id_number: str | None
    phone: str | None
    sex: str
    age: int | None
    marital_status: str
    hukou: str
    deceased_on: datetime.date | None
    death_date: datetime.date | None
    disability_grade: int | None
    confirmed_by: str

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_id_number(obj: Any) -> str | None:
        return _masked(obj.id_number)

    @staticmethod
    def resolve_phone(obj: Any) -> str | None:
        return _masked(obj.phone)

    @staticmethod
    def resolve_age(obj: Any) -> int | None:
        if obj.birth_date is None:
            return None
        return eligibility.age_on(obj.birth_date, obj.deceased_on or timezone.localdate())


class FamilyContactOut(Schema):
    id: int
    role: str
    role_name: str
    name: str
    phone: str | None
    username: str | None
    start_date: datetime.date
    end_date: datetime.date | None
    current: bool

    @staticmethod
    def resolve_role(obj: Contact) -> str:
        return obj.role.code

    @staticmethod
    def resolve_role_name(obj: Contact) -> str:
        return obj.role.name

    @staticmethod
    def resolve_phone(obj: Contact) -> str | None:
        return _masked(obj.phone)

    @staticmethod
    def resolve_username(obj: Contact) -> str | None:
        return obj.user.username if obj.user is not None else None

    @staticmethod
    def resolve_current(obj: Contact) -> bool:
        return obj.end_date is None


class SupportOut(Schema):
    id: int
    kind: str
    kind_label: str
    provider: str
    reference: str
    product: str
    premium: Decimal | None
    cover_amount: Decimal | None
    start_date: datetime.date
    end_date: datetime.date | None
    current: bool

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_current(obj: Any) -> bool:
        return obj.is_current_on(timezone.localdate())


class DecisionOut(Schema):
    eligible: bool
    reasons: list[str]
    # The year only: a full date would rebuild the birth date the masked ID number hides.
    eligible_from_year: int | None
    monthly_amount: Decimal | None

    @staticmethod
    def resolve_eligible_from_year(obj: Any) -> int | None:
        return obj.eligible_from.year if obj.eligible_from else None


class FamilyOut(Schema):
    id: int
    association_code: str
    association_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    address: str
    registered_on: datetime.date
    head_name: str
    one_child_only: bool
    later_child: bool
    version: int
    people: list[FamilyPersonOut]
    contacts: list[FamilyContactOut]
    supports: list[SupportOut]
    decision: DecisionOut


class FamilyCareOut(Schema):
    id: int
    kind: str
    kind_name: str
    mode: str
    occurred_on: datetime.date
    services: list[str]
    cares: list[str]
    contact_name: str | None
    recorded_by: str
    has_notes: bool

    @staticmethod
    def resolve_kind(obj: CareRecord) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: CareRecord) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_mode(obj: CareRecord) -> str:
        return obj.kind.mode

    @staticmethod
    def resolve_contact_name(obj: CareRecord) -> str | None:
        return obj.contact.name if obj.contact is not None else None

    @staticmethod
    def resolve_recorded_by(obj: CareRecord) -> str:
        return obj.recorded_by.full_name or obj.recorded_by.username

    @staticmethod
    def resolve_has_notes(obj: CareRecord) -> bool:
        return bool(obj.notes)


class FamilyCarePage(FamilyPageOut):
    items: list[FamilyCareOut]


class FamilyCareIn(Schema):
    kind: str = Field(..., max_length=30)
    occurred_on: datetime.date
    services: list[str] = Field(default_factory=list, max_length=10)
    cares: list[str] = Field(default_factory=list, max_length=10)
    notes: str = Field("", max_length=5000)


class FamilyNeedOut(Schema):
    id: int
    family_id: int
    description: str
    status: str
    status_label: str
    owner: str | None
    due_date: datetime.date | None
    result: str
    closed_on: datetime.date | None
    raised_on: datetime.date

    @staticmethod
    def resolve_status_label(obj: Need) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_owner(obj: Need) -> str | None:
        return (obj.owner.full_name or obj.owner.username) if obj.owner is not None else None

    @staticmethod
    def resolve_raised_on(obj: Need) -> datetime.date:
        return timezone.localdate(obj.created_at)


class FamilyNeedPage(FamilyPageOut):
    items: list[FamilyNeedOut]


class FamilyNeedUpdateIn(Schema):
    status: str = Field(..., max_length=12)
    result: str = Field("", max_length=500)


# --- filters --------------------------------------------------------------------------------------

StatusFilter = Literal["", "active", "moved_out", "cancelled", "deceased"]
NeedStatusFilter = Literal["", "open", "in_progress", "resolved", "closed"]


class FamilyFilters(Schema):
    q: str = ""
    status: StatusFilter = "active"
    association: str = ""
    mine: bool = False
    after: str | None = None
    before: str | None = None
    size: int = 50


class FamilyPageFilters(Schema):
    after: str | None = None
    before: str | None = None
    size: int = 50


class FamilyNeedFilters(FamilyPageFilters):
    status: NeedStatusFilter = ""


class FamilyContactFilters(Schema):
    current_only: bool = False


# --- operations -----------------------------------------------------------------------------------


def _page(page: Any) -> dict:
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/families", response=FamilyPage)
def family_list(request: HttpRequest, filters: Query[FamilyFilters]) -> dict:
    association = (
        org_selectors.association_get(user=signed_in_user(request), code=filters.association[:32])
        if filters.association
        else None
    )
    page = selectors.family_list(
        user=signed_in_user(request),
        query=filters.q,
        status=filters.status,
        association=association,
        mine=filters.mine,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return _page(page)


# --- transfers between associations (跨协会移交) ------------------------------------------------
# Declared before /families/{family_id}: the first matching path wins ("transfers" is no id).
# The receiving side reads, before it accepts, what the transfer page shows: the head of the
# family's name, the family kind, the new address and the reason (no ID or phone numbers); the
# family's id once it holds the family. Only staff holding `family.view` (not a contact person).


def _transfer_staff(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not user.has_capability("family.view"):
        raise PermissionDenied("您的角色无权进行此操作。")
    return user


def _family_transfer(request: HttpRequest, transfer_id: int) -> FamilyTransfer:
    user = _transfer_staff(request)
    if not 0 < transfer_id <= MAX_ID:
        raise Http404
    return transfer_engine.transfer_get(family_transfers.FAMILIES, user=user, pk=transfer_id)


class FamilyTransferIn(Schema):
    to_association: str = Field(..., max_length=32)
    reason: str = Field(..., max_length=300)
    to_address: str = Field("", max_length=200)


class TransferReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class FamilyTransferOut(Schema):
    id: int
    status: str
    status_label: str
    head_name: str
    kind: str
    kind_label: str
    from_association: str
    to_association: str
    reason: str
    from_address: str | None  # only for the sending side
    to_address: str
    requested_on: datetime.date
    decided_on: datetime.date | None
    refusal_reason: str
    contacts_ended: int
    family_id: int | None  # the sending side until accepted, the receiving side after


class FamilyTransferLists(Schema):
    incoming: list[FamilyTransferOut]
    outgoing: list[FamilyTransferOut]


def _transfer_out(user: User, transfer: FamilyTransfer) -> dict[str, Any]:
    sending = in_scope(user, transfer.from_association)
    receiving = in_scope(user, transfer.to_association)
    accepted = transfer.status == FamilyTransfer.Status.ACCEPTED
    family = transfer.family
    return {
        "id": transfer.pk,
        "status": transfer.status,
        "status_label": str(transfer.get_status_display()),
        "head_name": family.head_name,
        "kind": family.kind,
        "kind_label": str(family.get_kind_display()),
        "from_association": transfer.from_association.code,
        "to_association": transfer.to_association.code,
        "reason": transfer.reason,
        "from_address": transfer.from_address if sending else None,
        "to_address": transfer.to_address,
        "requested_on": transfer.requested_on,
        "decided_on": transfer.decided_on,
        "refusal_reason": transfer.refusal_reason,
        "contacts_ended": transfer.contacts_ended,
        "family_id": family.pk if (sending and not accepted) or (receiving and accepted) else None,
    }


@router.get("/families/transfers", response=with_errors(FamilyTransferLists))
def family_transfer_list(request: HttpRequest) -> dict[str, Any]:
    user = _transfer_staff(request)
    lists = transfer_engine.transfer_lists(family_transfers.FAMILIES, user=user)
    return {
        "incoming": [_transfer_out(user, t) for t in lists["incoming"]],
        "outgoing": [_transfer_out(user, t) for t in lists["outgoing"]],
    }


@router.get("/families/transfers/{transfer_id}", response=with_errors(FamilyTransferOut))
def family_transfer_detail(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    transfer = _family_transfer(request, transfer_id)
    return _transfer_out(signed_in_user(request), transfer)


@router.post(
    "/families/{family_id}/transfer", response=with_errors(FamilyTransferOut, created=True)
)
def family_transfer_offer(
    request: HttpRequest, family_id: int, payload: FamilyTransferIn
) -> Status[dict[str, Any]]:
    user = _transfer_staff(request)
    family = _family(request, family_id)
    target = transfer_forms.receivers(family.association).filter(
        code=payload.to_association.strip()
    )
    found = target.first()
    if found is None:
        raise ServiceError("没有这个编码、可以接收的在用协会。", field="to_association")
    transfer = family_transfers.family_transfer_offer(
        actor=user,
        family=family,
        to_association=found,
        reason=payload.reason,
        to_address=payload.to_address,
    )
    return Status(201, _transfer_out(user, transfer))


@router.post("/families/transfers/{transfer_id}/accept", response=with_errors(FamilyTransferOut))
def family_transfer_accept(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    transfer = _family_transfer(request, transfer_id)
    user = signed_in_user(request)
    family_transfers.family_transfer_accept(actor=user, transfer=transfer)
    return _transfer_out(user, _family_transfer(request, transfer_id))


@router.post("/families/transfers/{transfer_id}/refuse", response=with_errors(FamilyTransferOut))
def family_transfer_refuse(
    request: HttpRequest, transfer_id: int, payload: TransferReasonIn
) -> dict[str, Any]:
    user = signed_in_user(request)
    transfer = family_transfers.family_transfer_decline(
        actor=user, transfer=_family_transfer(request, transfer_id), reason=payload.reason
    )
    return _transfer_out(user, transfer)


@router.post("/families/transfers/{transfer_id}/cancel", response=with_errors(FamilyTransferOut))
def family_transfer_cancel(
    request: HttpRequest, transfer_id: int, payload: TransferReasonIn
) -> dict[str, Any]:
    user = signed_in_user(request)
    transfer = family_transfers.family_transfer_cancel(
        actor=user, transfer=_family_transfer(request, transfer_id), reason=payload.reason
    )
    return _transfer_out(user, transfer)


@router.get("/families/{family_id}", response=FamilyOut)
def family_detail(request: HttpRequest, family_id: int) -> dict:
    family = _family(request, family_id)
    detail = selectors.family_detail(user=signed_in_user(request), family=family)
    return {
        "id": family.pk,
        "association_code": family.association.code,
        "association_name": family.association.name,
        "kind": family.kind,
        "kind_label": str(family.get_kind_display()),
        "status": family.status,
        "status_label": str(family.get_status_display()),
        "address": family.address,
        "registered_on": family.registered_on,
        "head_name": family.head_name,
        "one_child_only": family.one_child_only,
        "later_child": family.later_child,
        "version": family.version,
        "people": detail["people"],
        "contacts": detail["contacts"],
        "supports": detail["supports"],
        "decision": detail["decision"],
    }


@router.get("/families/{family_id}/care", response=FamilyCarePage)
def care_list(request: HttpRequest, family_id: int, filters: Query[FamilyPageFilters]) -> dict:
    family = _family(request, family_id)
    queryset = selectors.care_records(user=signed_in_user(request), family=family)
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


@router.post("/families/{family_id}/care", response={201: FamilyCareOut})
def care_create(request: HttpRequest, family_id: int, payload: FamilyCareIn) -> Status[CareRecord]:
    family = _family(request, family_id)
    kind = selectors.care_kind(payload.kind)
    if kind is None:
        raise ServiceError("帮扶记录类别不正确。", field="kind")
    record = services.care_log(
        actor=signed_in_user(request),
        family=family,
        kind=kind,
        occurred_on=payload.occurred_on,
        services=payload.services,
        cares=payload.cares,
        notes=payload.notes,
    )
    record = selectors.care_record_out(record.pk)
    return Status(201, record)


@router.get("/families/{family_id}/needs", response=FamilyNeedPage)
def need_list(request: HttpRequest, family_id: int, filters: Query[FamilyNeedFilters]) -> dict:
    family = _family(request, family_id)
    queryset = selectors.needs_of(
        user=signed_in_user(request), family=family, status=filters.status or ""
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


@router.post("/needs/{need_id}", response=FamilyNeedOut)
def need_update(request: HttpRequest, need_id: int, payload: FamilyNeedUpdateIn) -> Need:
    if not 0 < need_id <= MAX_ID:
        raise Http404
    need = selectors.need_get(user=signed_in_user(request), pk=need_id)
    services.need_update(
        actor=signed_in_user(request), need=need, status=payload.status, result=payload.result
    )
    return selectors.need_get(user=signed_in_user(request), pk=need.pk)


@router.get("/families/{family_id}/contacts", response=list[FamilyContactOut])
def contact_list(
    request: HttpRequest, family_id: int, filters: Query[FamilyContactFilters]
) -> list[Contact]:
    family = _family(request, family_id)
    queryset = selectors.contacts_of(
        user=signed_in_user(request), family=family, current_only=filters.current_only
    )
    return list(queryset[:200])
