"""The field app's API at /api/v1/field/ (version 1): a phone registers, downloads its user's
work, syncs what was recorded offline, sends the photos of synced visits, and is ended.

Every call after registration names the phone (`X-FPA-Device`); a phone that was ended is
answered 410 `device_ended`, and the app wipes what it holds. Sync answers per change (applied,
refused with a reason, conflict with the record as it is now); a retry with the same keys
applies nothing twice. Limits: MAX_CHANGES changes per sync, SYNC_LIMIT syncs and PHOTO_LIMIT
photos per user and minute (429 `rate_limited`), photos of at most MAX_IMAGE_BYTES, checked and
re-encoded like every care photo.

The download holds no sensitive field; while online, the phone may ask for one value in full
(`/field/reveal`, REVEAL_LIMIT per minute), with a reason and audited as on the family's page.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from django.views.decorators.gzip import gzip_page
from ninja import Field, File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import field_validator, model_validator

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core import ratelimit
from fpa.core.api_errors import ERRORS, with_errors
from fpa.core.errors import ServiceError
from fpa.core.uploads import MAX_IMAGE_BYTES
from fpa.field import selectors, services
from fpa.field.models import Device

SYNC_LIMIT = 30  # syncs per user and minute
PHOTO_LIMIT = 120  # photos per user and minute
REVEAL_LIMIT = 30  # reveals per user and minute
DEVICE_HEADER = "X-FPA-Device"


class RateLimited(ServiceError):
    code = "rate_limited"
    status = 429


router = Router(tags=["field"], auth=[BearerToken(), Session()])

FIELD_ERRORS: dict[int, Any] = {**ERRORS, 410: ERRORS[400], 429: ERRORS[400]}


def _device(request: HttpRequest) -> Device:
    raw = request.headers.get(DEVICE_HEADER, "")
    device_id = int(raw) if raw.isdigit() and 0 < int(raw) < 2**63 else 0
    session = getattr(request, "session", None)
    return services.device_in_use(
        actor=signed_in_user(request),
        device_id=device_id,
        session_key=session.session_key if session is not None else None,
    )


def _limit(request: HttpRequest, scope: str, limit: int, message: str | None = None) -> None:
    user = signed_in_user(request)
    if ratelimit.exceeded(scope, limit=limit, window=60, ident=f"user:{user.pk}"):
        raise RateLimited(message or gettext("同步过于频繁，请稍后再试。"))


# --- schemas --------------------------------------------------------------------------------------


class FieldDeviceIn(Schema):
    label: str = Field("", max_length=100)


class FieldDeviceOut(Schema):
    id: int
    label: str
    created_at: datetime.datetime
    last_seen_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    ended_why: str


class FieldRegisteredOut(Schema):
    device: FieldDeviceOut
    key: str  # the data key (base64, 32 bytes): handed out once


class FieldPersonOut(Schema):
    id: int
    role: str
    role_label: str
    name: str
    phone: str | None
    deceased: bool


class FieldContactOut(Schema):
    id: int
    role_name: str
    name: str
    phone: str | None
    mine: bool


class FieldDueOut(Schema):
    last_call: datetime.date | None
    last_meeting: datetime.date | None
    home_visits_this_year: int
    overdue: list[str]


class FieldNeedOut(Schema):
    id: int
    description: str
    status: str
    status_label: str
    due_date: datetime.date | None
    updated_at: datetime.datetime


class FieldVisitOut(Schema):
    id: int
    occurred_on: datetime.date
    kind: str
    kind_name: str
    services: list[str]
    cares: list[str]
    recorded_by: str


class FieldFamilyOut(Schema):
    id: int
    version: int
    association_code: str
    association_name: str
    head_name: str
    address: str
    can_reveal: bool  # the user may reveal its sensitive values online (POST /field/reveal)
    people: list[FieldPersonOut]
    contacts: list[FieldContactOut]
    due: FieldDueOut
    open_needs: list[FieldNeedOut]
    last_visits: list[FieldVisitOut]


class FieldChoiceOut(Schema):
    code: str
    name: str


class FieldCareKindOut(FieldChoiceOut):
    mode: str


class FieldCampaignOut(Schema):
    id: int
    name: str
    start_date: datetime.date
    end_date: datetime.date


class FieldWorkOut(Schema):
    generated_at: datetime.datetime
    cut: bool
    families: list[FieldFamilyOut]
    care_kinds: list[FieldCareKindOut]
    campaigns: list[FieldCampaignOut]
    services: list[FieldChoiceOut]
    cares: list[FieldChoiceOut]


class _ChangeIn(Schema):
    key: uuid.UUID
    made_at: datetime.datetime

    @field_validator("made_at")
    @classmethod
    def _aware(cls, value: datetime.datetime) -> datetime.datetime:
        if value.tzinfo is None:
            raise ValueError("made_at needs a time zone")
        return value


class FieldCareIn(_ChangeIn):
    type: Literal["care"]
    family: int = Field(..., gt=0, lt=2**63)
    base_version: int = Field(..., ge=0)
    kind: str = Field(..., max_length=30)
    occurred_on: datetime.date
    services: list[str] = Field(default_factory=list, max_length=10)
    cares: list[str] = Field(default_factory=list, max_length=10)
    notes: str = Field("", max_length=2000)


class FieldNeedRaiseIn(_ChangeIn):
    type: Literal["need_raise"]
    family: int = Field(..., gt=0, lt=2**63)
    base_version: int = Field(..., ge=0)
    description: str = Field(..., max_length=500)
    due_date: datetime.date | None = None
    visit_key: uuid.UUID | None = None  # raised during that visit (a change of the same sync)


class FieldNeedUpdateIn(_ChangeIn):
    type: Literal["need_update"]
    need: int = Field(..., gt=0, lt=2**63)
    base_updated_at: datetime.datetime
    status: str = Field(..., max_length=12)
    result: str = Field("", max_length=500)


FieldChangeIn = FieldCareIn | FieldNeedRaiseIn | FieldNeedUpdateIn


class FieldSyncIn(Schema):
    changes: list[FieldChangeIn] = Field(..., max_length=services.MAX_CHANGES)


class FieldAnswerOut(Schema):
    key: str
    outcome: Literal["applied", "refused", "conflict"]
    repeated: bool = False
    object_type: str | None = None
    id: int | None = None
    family_version: int | None = None
    code: str | None = None
    message: str | None = None
    fields: dict[str, list[str]] | None = None
    current: dict[str, Any] | None = None


class FieldSyncOut(Schema):
    answers: list[FieldAnswerOut]


class FieldRevealIn(Schema):
    """One value to reveal: of a person of the family, of a contact of it, or (neither named)
    of the family itself."""

    family: int = Field(..., gt=0, lt=2**63)
    person: int | None = Field(None, gt=0, lt=2**63)
    contact: int | None = Field(None, gt=0, lt=2**63)
    field: str = Field(..., max_length=30)
    reason: str = Field("", max_length=200)

    @model_validator(mode="after")
    def _one_record(self) -> FieldRevealIn:
        if self.person is not None and self.contact is not None:
            raise ValueError("name a person or a contact, not both")
        return self


class FieldRevealOut(Schema):
    field: str
    value: str


def _change(item: Any) -> services.Change:
    data = item.model_dump(exclude={"key", "type", "made_at"})
    return services.Change(item.key, item.type, item.made_at, data)


# --- operations -----------------------------------------------------------------------------------


@router.post("/field/devices", response=with_errors(FieldRegisteredOut, created=True))
def device_register(request: HttpRequest, payload: FieldDeviceIn) -> Status[dict[str, Any]]:
    """Register this phone for offline work; the answer holds its data key, given only now."""
    session = getattr(request, "session", None)
    registered = services.device_register(
        actor=signed_in_user(request),
        label=payload.label or request.headers.get("User-Agent", "")[:100],
        session_key=session.session_key if session is not None else None,
    )
    return Status(201, {"device": registered.device, "key": registered.key})


@router.get("/field/devices", response=with_errors(list[FieldDeviceOut]))
def device_list(request: HttpRequest) -> list[Device]:
    """The caller's phones, newest first (ended ones too)."""
    return list(selectors.devices_of(user=signed_in_user(request))[:50])


@router.post("/field/devices/{device_id}/end", response=FIELD_ERRORS | {200: FieldDeviceOut})
def device_end(request: HttpRequest, device_id: int) -> Device:
    """End a phone: the caller's own ("wipe this phone") or, for an account administrator, one
    of an account of the subtree (a lost phone)."""
    if not 0 < device_id < 2**63:
        raise Device.DoesNotExist
    user = signed_in_user(request)
    device = selectors.device_get(user=user, pk=device_id)
    return services.device_end(actor=user, device=device)


@router.get("/field/work", response=FIELD_ERRORS | {200: FieldWorkOut})
@decorate_view(gzip_page)  # JSON without a CSRF token in it: compressed for slow lines
def work(request: HttpRequest) -> Any:
    """The caller's field work to hold offline (X-FPA-Device names the phone); compressed
    (gzip) when the phone accepts it."""
    device = _device(request)
    user = signed_in_user(request)
    if not selectors.may_work_offline(user):
        raise PermissionDenied(gettext("只有联系人和村级工作人员可以离线使用外勤。"))
    found = selectors.work(user=user)
    services.device_seen(device)
    return found


@router.post("/field/sync", response=FIELD_ERRORS | {200: FieldSyncOut})
def sync(request: HttpRequest, payload: FieldSyncIn) -> dict[str, Any]:
    """Apply what the phone recorded offline; one answer per change, in order."""
    device = _device(request)
    _limit(request, "field-sync", SYNC_LIMIT)
    changes = [_change(item) for item in payload.changes]
    return {"answers": services.sync(actor=signed_in_user(request), device=device, changes=changes)}


@router.post("/field/photos", response=FIELD_ERRORS | {200: FieldAnswerOut})
def photo(
    request: HttpRequest,
    file: File[UploadedFile],
    key: Form[uuid.UUID],
    visit_key: Form[uuid.UUID],
    made_at: Form[datetime.datetime],
) -> dict[str, Any]:
    """A photo of a synced offline visit (`visit_key`: the visit's change key)."""
    device = _device(request)
    _limit(request, "field-photo", PHOTO_LIMIT)
    if file.size is not None and file.size > MAX_IMAGE_BYTES:
        raise ServiceError(
            gettext("照片不能超过%(mb)sMB。") % {"mb": MAX_IMAGE_BYTES // (1024 * 1024)},
            field="file",
            code="too_big",
        )
    if made_at.tzinfo is None:
        raise ServiceError(gettext("记录时间须带时区。"), field="made_at")
    return services.photo_add(
        actor=signed_in_user(request),
        device=device,
        key=key,
        visit_key=visit_key,
        made_at=made_at,
        photo=file,
    )


@router.post("/field/reveal", response=FIELD_ERRORS | {200: FieldRevealOut})
def reveal(request: HttpRequest, payload: FieldRevealIn) -> dict[str, str]:
    """One sensitive value in full (an ID number, a phone, health notes, the family's kind …),
    with a reason, audited; for holders of `personal.reveal` and the family's contact persons.
    Never part of the work download: the app shows it and keeps it nowhere."""
    device = _device(request)
    _limit(request, "field-reveal", REVEAL_LIMIT, gettext("查看过于频繁，请稍后再试。"))
    return services.reveal(
        actor=signed_in_user(request),
        device=device,
        family_id=payload.family,
        person_id=payload.person,
        contact_id=payload.contact,
        field=payload.field,
        reason=payload.reason,
    )
