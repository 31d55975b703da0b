"""The phones that work offline, the sync of what they recorded, and the reveal of one
sensitive value on the spot while online (`reveal`).

Each offline change is applied through the same family services as the web pages (scope,
capability, validation, audit) inside its own transaction, together with its `Receipt`: the
receipt's unique (user, key) makes a retry after a lost answer, or two retries racing, apply
nothing twice; the second gets the first's answer. The audit rows of an applied change say it
was made offline, on which phone and when (`fpa.core.audit.audit_via`).

Outcomes per change:
- applied: done; the answer names the record made or changed;
- refused: the services refused it (a validation message, or the family is no longer the
  user's to record for); nothing was written;
- conflict: the record changed since the phone read it (a need updated meanwhile, a family
  moved out, deceased or cancelled): nothing was written; the answer carries the record as it
  is now, beside the phone's own version, for the user to decide.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, audit_via, snapshot
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.scope import require, require_in_scope
from fpa.core.services import protected_reveal
from fpa.families import selectors as family_selectors
from fpa.families import services as family_services
from fpa.families.models import CareKind, CarePhoto, CareRecord, Family, Need
from fpa.field import selectors
from fpa.field.models import Device, Receipt

if TYPE_CHECKING:
    from fpa.accounts.models import User

MAX_CHANGES = 100  # per sync request
CLOCK_SKEW = datetime.timedelta(minutes=10)  # a phone's clock may run this much ahead
OLDEST = datetime.timedelta(days=60)  # an offline change older than this is refused
# A phone that has not reached the server for this long is ended at its next call: whatever it
# still holds could not be synced any more (OLDEST), and a forgotten phone should not keep the
# work. The app wipes itself after the same time offline (core.js `load`, given the days by the
# shell page).
IDLE_END = OLDEST


class DeviceEnded(ServiceError):
    """The phone's offline work was ended (sign-out, wiped, revoked): the app wipes its data."""

    code = "device_ended"
    status = 410


def session_hash(session_key: str | None) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest() if session_key else ""


# --- phones ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    device: Device
    key: str  # the data key, base64: handed out once, never stored on the server


@transaction.atomic
def device_register(*, actor: User, label: str, session_key: str | None) -> Registered:
    """A phone of the user starts working offline. Only contact persons and village staff (the
    people with field work) may; the session that registers it ends it when it signs out."""
    if not selectors.may_work_offline(actor):
        raise NotAllowed(gettext("只有联系人和村级工作人员可以离线使用外勤。"))
    device = Device(
        user=actor,
        label=" ".join((label or "").split())[:100] or gettext("手机"),
        session_hash=session_hash(session_key),
    )
    device.save()
    audit_create(actor=actor, obj=device, scope_path=_path(actor))
    return Registered(device, base64.b64encode(secrets.token_bytes(32)).decode())


def _path(user: User) -> str:
    home = user.home_association
    return home.path if home is not None else ""


@transaction.atomic
def _update(actor: User | None, device: Device, reason: str, **values: Any) -> Device:
    """Change a live phone's row under a lock, with its audit row (nothing when nothing changes;
    a phone that has ended stays as it ended)."""
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if locked.ended_at is not None:
        return locked
    before = snapshot(locked, list(values))
    for name, value in values.items():
        setattr(locked, name, value)
    if audit_update(
        actor=actor, obj=locked, before=before, scope_path=_path(locked.user), reason=reason
    ):
        locked.save(update_fields=list(values))
    return locked


def _end(actor: User | None, device: Device, why: str) -> Device:
    return _update(actor, device, why, ended_at=timezone.now(), ended_by=actor, ended_why=why)


@transaction.atomic
def device_end(*, actor: User, device: Device) -> Device:
    """End a phone's offline work: its user ("wipe this phone") or an account administrator of
    the subtree (a lost phone). Its next call is answered "ended" and the app wipes its data."""
    if device.user_id == actor.pk:
        return _end(actor, device, Device.Ended.WIPED)
    require(actor, "accounts.manage")
    require_in_scope(actor, device.user.home_association)
    return _end(actor, device, Device.Ended.REVOKED)


@transaction.atomic
def devices_end_for_session(*, user: User, session_key: str | None) -> int:
    """Sign-out ends the phones that session registered."""
    digest = session_hash(session_key)
    if not digest:
        return 0
    ended = 0
    for device in Device.objects.filter(user=user, session_hash=digest, ended_at__isnull=True):
        _end(user, device, Device.Ended.LOGOUT)
        ended += 1
    return ended


def device_in_use(*, actor: User, device_id: int, session_key: str | None = None) -> Device:
    """The actor's live phone (ServiceError "device_ended", status 410, otherwise: the app wipes
    what it holds).

    A phone idle for longer than IDLE_END is ended now. A phone used from a session other than
    the one it belongs to (the old one expired and its user signed in again) moves to this
    session, so that this session's sign-out ends it."""
    device = Device.objects.filter(pk=device_id, user=actor).first()
    if device is not None and device.ended_at is None and _idle(device):
        device = _end(None, device, Device.Ended.IDLE)
    if device is None or device.ended_at is not None:
        raise DeviceEnded(gettext("这台设备的离线数据已被注销，请重新登录。"))
    digest = session_hash(session_key)
    if digest and digest != device.session_hash:
        device = _update(actor, device, gettext("重新登录后继续使用"), session_hash=digest)
    return device


def _idle(device: Device) -> bool:
    last = device.last_seen_at or device.created_at
    return last < timezone.now() - IDLE_END


def device_seen(device: Device) -> None:
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())


# --- the reveal on the spot ----------------------------------------------------------------------

# What the app may reveal, per record: what the family's page reveals, and of the family also its
# kind, the one fact the work download leaves out that the page shows to everyone in scope.
_FAMILY = family_selectors.REVEALABLE[Family]
REVEAL_OFFER: dict[type[Model], family_selectors.Revealable] = {
    **family_selectors.REVEALABLE,
    Family: family_selectors.Revealable((*_FAMILY.fields, "kind"), (*_FAMILY.plain, "kind")),
}


class NotOffered(ServiceError):
    code = "not_found"
    status = 404


def reveal(
    *,
    actor: User,
    device: Device,
    family_id: int,
    person_id: int | None,
    contact_id: int | None,
    field: str,
    reason: str,
) -> dict[str, str]:
    """One sensitive value, in full, while online: the same audited reveal as on the family's
    page (`protected_reveal` with `family_selectors.reveal_terms`: the reason, the REVEAL row,
    `personal.reveal` or a current contact person), its audit row saying it came from the field
    app on this phone. The app shows it and keeps it nowhere."""
    family, obj = selectors.reveal_target(
        user=actor, family_id=family_id, person_id=person_id, contact_id=contact_id
    )
    offered = REVEAL_OFFER[type(obj)]
    if field not in offered.fields:
        raise NotOffered(gettext("字段不存在。"), field="field")
    via = gettext("外勤应用（设备 #%(device)s）") % {"device": device.pk}
    with audit_via(via):
        value = protected_reveal(
            actor=actor,
            obj=obj,
            field=field,
            reason=reason,
            plain_fields=offered.plain,
            **family_selectors.reveal_terms(actor, family),
        )
    device_seen(device)
    if obj is family and field == "kind":
        value = str(family.get_kind_display())
    return {"field": field, "value": value}


# --- changes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    key: uuid.UUID
    kind: str  # Receipt.Kind
    made_at: datetime.datetime
    data: dict[str, Any]  # the change as sent, without key, type and made_at

    @property
    def digest(self) -> str:
        body = json.dumps(
            {"kind": self.kind, "made_at": self.made_at.isoformat(), **self.data},
            sort_keys=True,
            default=str,
            ensure_ascii=False,
        )
        return hashlib.sha256(body.encode()).hexdigest()


class _Conflict(Exception):
    def __init__(self, message: str, current: dict[str, Any]) -> None:
        super().__init__(message)
        self.message, self.current = message, current


def _family_now(family: Family) -> dict[str, Any]:
    return {
        "id": family.pk,
        "version": family.version,
        "status": family.status,
        "status_label": str(family.get_status_display()),
        "head_name": family.head_name,
        "address": family.address,
    }


def _need_now(need: Need) -> dict[str, Any]:
    return {
        "id": need.pk,
        "description": need.description,
        "status": need.status,
        "status_label": str(need.get_status_display()),
        "result": need.result,
        "updated_at": need.updated_at.isoformat(),
    }


def _family(actor: User, family_id: Any, base_version: Any) -> Family:
    """The family still the user's to record for, and still as the phone knew it where that
    matters: a family moved out, deceased or cancelled since is a conflict; other edits of the
    family (an address) do not stop a visit from being added."""
    family = (
        Family.objects.visible_to(actor).select_related("association").filter(pk=family_id).first()
        if isinstance(family_id, int)
        else None
    )
    if family is None:
        raise ServiceError(
            gettext("该家庭已不在您的联系范围内。"), field="family", code="out_of_scope"
        )
    if family.status != Family.Status.ACTIVE and family.version != base_version:
        raise _Conflict(
            gettext("该家庭的状态在您离线期间已变更为“%(status)s”。")
            % {"status": family.get_status_display()},
            {"family": _family_now(family)},
        )
    return family


def _record_of(actor: User, visit_key: Any) -> CareRecord | None:
    """The care record an earlier change of this user made (its key), if it was applied."""
    try:
        key = uuid.UUID(str(visit_key))
    except ValueError:
        return None
    receipt = Receipt.objects.filter(
        user=actor, key=key, kind=Receipt.Kind.CARE, outcome=Receipt.Outcome.APPLIED
    ).first()
    if receipt is None:
        return None
    return CareRecord.objects.filter(pk=int(receipt.object_id)).first()


def _apply_care(actor: User, change: Change) -> tuple[Family, Any]:
    data = change.data
    family = _family(actor, data.get("family"), data.get("base_version"))
    kind = CareKind.objects.filter(code=str(data.get("kind", ""))).first()
    if kind is None:
        raise ServiceError(gettext("帮扶记录类别不正确。"), field="kind")
    record = family_services.care_log(
        actor=actor,
        family=family,
        kind=kind,
        occurred_on=data["occurred_on"],
        services=list(data.get("services") or []),
        cares=list(data.get("cares") or []),
        notes=str(data.get("notes") or ""),
    )
    return family, record


def _apply_need_raise(actor: User, change: Change) -> tuple[Family, Any]:
    data = change.data
    family = _family(actor, data.get("family"), data.get("base_version"))
    raised_in = _record_of(actor, data["visit_key"]) if data.get("visit_key") else None
    need = family_services.need_raise(
        actor=actor,
        family=family,
        description=str(data.get("description") or ""),
        due_date=data.get("due_date"),
        raised_in=raised_in if raised_in is not None and raised_in.family_id == family.pk else None,
    )
    return family, need


def _apply_need_update(actor: User, change: Change) -> tuple[Family, Any]:
    data = change.data
    need_id = data.get("need")
    need = (
        Need.objects.visible_to(actor).select_related("family").filter(pk=need_id).first()
        if isinstance(need_id, int)
        else None
    )
    if need is None:
        raise ServiceError(
            gettext("该诉求已不在您的联系范围内。"), field="need", code="out_of_scope"
        )
    base = data.get("base_updated_at")
    if base is None or need.updated_at != base:
        raise _Conflict(gettext("这条诉求在您离线期间已被他人更新。"), {"need": _need_now(need)})
    updated = family_services.need_update(
        actor=actor,
        need=need,
        status=str(data.get("status") or ""),
        result=str(data.get("result") or ""),
    )
    return need.family, updated


APPLY: dict[str, Any] = {
    Receipt.Kind.CARE: _apply_care,
    Receipt.Kind.NEED_RAISE: _apply_need_raise,
    Receipt.Kind.NEED_UPDATE: _apply_need_update,
}


def _answer(change: Change, outcome: str, **extra: Any) -> dict[str, Any]:
    return {"key": str(change.key), "outcome": outcome, **extra}


def _via(device: Device, change: Change) -> str:
    made = timezone.localtime(change.made_at).strftime("%Y-%m-%d %H:%M")
    return gettext("离线记录（设备 #%(device)s，记录于 %(made)s）") % {
        "device": device.pk,
        "made": made,
    }


def _check_time(change: Change, now: datetime.datetime) -> None:
    if change.made_at > now + CLOCK_SKEW:
        raise ServiceError(gettext("记录时间晚于当前时间，请检查手机时间。"), field="made_at")
    if change.made_at < now - OLDEST:
        raise ServiceError(
            gettext("离线记录超过%(days)s天未同步，请在网页上补录。") % {"days": OLDEST.days},
            field="made_at",
        )


def _apply_one(actor: User, device: Device, change: Change) -> dict[str, Any]:
    previous = Receipt.objects.filter(user=actor, key=change.key).first()
    if previous is not None:
        return _repeat(previous, change)
    try:
        with transaction.atomic():
            receipt = Receipt(
                user=actor,
                device=device,
                key=change.key,
                digest=change.digest,
                kind=change.kind,
                made_at=change.made_at,
            )
            try:
                with transaction.atomic(), audit_via(_via(device, change)):
                    _check_time(change, timezone.now())
                    family, made = APPLY[change.kind](actor, change)
            except _Conflict as conflict:
                receipt.outcome = Receipt.Outcome.CONFLICT
                receipt.answer = _answer(
                    change, receipt.outcome, message=conflict.message, current=conflict.current
                )
            except ServiceError as refused:  # NotAllowed included
                receipt.outcome = Receipt.Outcome.REFUSED
                fields = {refused.field: [refused.message]} if refused.field else {}
                receipt.answer = _answer(
                    change,
                    receipt.outcome,
                    message=refused.message,
                    code=refused.code,
                    fields=fields,
                )
            else:
                receipt.outcome = Receipt.Outcome.APPLIED
                receipt.family = family
                receipt.object_type = made._meta.label_lower
                receipt.object_id = str(made.pk)
                receipt.answer = _answer(
                    change,
                    receipt.outcome,
                    object_type=receipt.object_type,
                    id=made.pk,
                    family_version=family.version,
                )
            receipt.save()
    except IntegrityError:
        # Another request with the same key was applied first (the change above rolled back).
        return _repeat(Receipt.objects.get(user=actor, key=change.key), change)
    answer: dict[str, Any] = receipt.answer
    return answer


def _repeat(previous: Receipt, change: Change) -> dict[str, Any]:
    if previous.digest != change.digest:
        return _answer(
            change,
            Receipt.Outcome.REFUSED,
            code="key_reused",
            message=gettext("同一幂等键已用于另一条记录。"),
            fields={},
        )
    return {**previous.answer, "repeated": True}


def sync(*, actor: User, device: Device, changes: list[Change]) -> list[dict[str, Any]]:
    """Apply the phone's changes in order, each on its own (one refused or in conflict does not
    stop the others); answers in the same order."""
    if len(changes) > MAX_CHANGES:
        raise ServiceError(
            gettext("一次最多同步%(count)s条记录。") % {"count": MAX_CHANGES}, field="changes"
        )
    answers = [_apply_one(actor, device, change) for change in changes]
    device_seen(device)
    return answers


# --- photos ---------------------------------------------------------------------------------------


def photo_add(
    *,
    actor: User,
    device: Device,
    key: uuid.UUID,
    visit_key: uuid.UUID,
    made_at: datetime.datetime,
    photo: Any,
) -> dict[str, Any]:
    """A photo taken offline, for the visit the phone recorded under `visit_key` (already
    synced). Checked and re-encoded by the care photos' service; idempotent by `key`."""
    change = Change(
        key, Receipt.Kind.PHOTO, made_at, {"visit_key": str(visit_key), "size": photo.size}
    )
    previous = Receipt.objects.filter(user=actor, key=key).first()
    if previous is not None:
        return _repeat(previous, change)
    record = _record_of(actor, visit_key)
    if record is None:
        raise Conflict(gettext("照片所属的走访记录尚未同步。"), field="visit_key")
    try:
        with transaction.atomic(), audit_via(_via(device, change)):
            _check_time(change, timezone.now())
            item: CarePhoto = family_services.care_photo_add(
                actor=actor, record=record, photo=photo
            )
            answer = _answer(
                change, Receipt.Outcome.APPLIED, object_type="families.carephoto", id=item.pk
            )
            Receipt.objects.create(
                user=actor,
                device=device,
                key=key,
                digest=change.digest,
                kind=Receipt.Kind.PHOTO,
                made_at=made_at,
                outcome=Receipt.Outcome.APPLIED,
                answer=answer,
                family_id=record.family_id,
                object_type="families.carephoto",
                object_id=str(item.pk),
            )
    except IntegrityError:
        return _repeat(Receipt.objects.get(user=actor, key=key), change)
    device_seen(device)
    return answer
