"""Register, change and close a migrant's record.

Who: staff holding `migrant.edit` whose subtree holds the registering association. The ID
number is validated (GB 11643) and gives the birth date and sex; a person is registered once per
association (by the number's keyed hash), so an import keyed on it is idempotent. Origin and
destination are division codes checked against the national file (`fpa.migrants.places`).
Personal values are protected fields: stored encrypted, audited masked.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import idnumbers
from fpa.core.audit import audit_create, audit_update, changed_since, diff, snapshot
from fpa.core.errors import ServiceError, check_version, validate
from fpa.core.protected import Protected, blind_index
from fpa.migrants import places
from fpa.migrants.models import Migrant
from fpa.migrants.services.common import (
    EDIT,
    check_employer,
    check_holder,
    lock,
    near_date,
    past_date,
    require_edit,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# What `migrant_register` and `migrant_update` take (status has its own service).
FIELDS = (
    "direction",
    "name",
    "id_number",
    "phone",
    "address",
    "origin_code",
    "destination_code",
    "workplace",
    "employer",
    "arrived_on",
    "expected_departure",
)
NULLABLE = {"phone", "address"}
DUPLICATE = "duplicate"
# What each status may become ("" reopens: the person came back, or was cancelled by mistake).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Migrant.Status.ACTIVE: (Migrant.Status.LEFT, Migrant.Status.CANCELLED),
    Migrant.Status.LEFT: (Migrant.Status.ACTIVE,),
    Migrant.Status.CANCELLED: (Migrant.Status.ACTIVE,),
}


def _plain(value: Any) -> Any:
    return value.reveal_unchecked() if isinstance(value, Protected) else value


def _apply(migrant: Migrant, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name in NULLABLE and value in ("", None):
            value = None
        elif name in ("origin_code", "destination_code", "workplace") and value is None:
            value = ""
        elif isinstance(value, str):
            value = value.strip()
        setattr(migrant, name, value)


def _places(migrant: Migrant) -> None:
    """Origin and destination: known places; the inflow's origin and the outflow's destination
    are required."""
    for name, label in (
        ("origin_code", gettext("流出地")),
        ("destination_code", gettext("流入地")),
    ):
        raw = getattr(migrant, name) or ""
        if not raw:
            continue
        try:
            setattr(migrant, name, places.place(raw).code)
        except places.PlaceError as exc:
            raise ServiceError(f"{label}：{exc.message}", field=name, code=exc.code) from exc
    if migrant.direction == Migrant.Direction.INFLOW and not migrant.origin_code:
        raise ServiceError(gettext("流入人口请填写流出地（户籍地）区划代码。"), field="origin_code")
    if migrant.direction == Migrant.Direction.OUTFLOW and not migrant.destination_code:
        raise ServiceError(gettext("流出人口请填写流入地区划代码。"), field="destination_code")


def _identity(migrant: Migrant) -> None:
    """The ID number gives the birth date and sex; one record per person and association."""
    if not migrant.id_number:
        raise ServiceError(gettext("请填写身份证号码。"), field="id_number")
    try:
        number = idnumbers.parse(_plain(migrant.id_number), today=timezone.localdate())
    except idnumbers.IdNumberError as exc:
        raise ServiceError(str(exc), field="id_number") from exc
    migrant.id_number = number.value
    migrant.birth_date, migrant.sex = number.birth_date, number.sex
    taken = (
        Migrant.objects.filter(
            association_id=migrant.association_id,
            id_number_hash=blind_index("id_number", number.value),
        )
        .exclude(pk=migrant.pk)
        .exists()
    )
    if taken:
        raise ServiceError(
            gettext("该身份证号码已在本协会登记了流动人口，请在原记录上修改。"),
            field="id_number",
            code=DUPLICATE,
        )


def _dates(migrant: Migrant) -> None:
    past_date(migrant.arrived_on, field="arrived_on", label=gettext("流入（流出）日期"))
    near_date(migrant.expected_departure, field="expected_departure", label=gettext("预计离开日期"))
    if (
        migrant.arrived_on
        and migrant.expected_departure
        and migrant.expected_departure < migrant.arrived_on
    ):
        raise ServiceError(
            gettext("预计离开日期不能早于流入（流出）日期。"), field="expected_departure"
        )


def _check(actor: User, migrant: Migrant) -> None:
    if migrant.direction not in Migrant.Direction.values:
        raise ServiceError(gettext("请选择流动方向（流入或流出）。"), field="direction")
    _places(migrant)
    check_employer(actor, migrant.employer)
    _dates(migrant)
    _identity(migrant)
    validate(
        migrant, exclude=["association", "created_by", "id_number_hash", "phone_hash"], unique=False
    )


def _save(migrant: Migrant) -> None:
    try:
        with transaction.atomic():
            migrant.save()
    except IntegrityError as exc:  # the same person saved at the same moment
        raise ServiceError(
            gettext("该身份证号码已在本协会登记了流动人口，请在原记录上修改。"),
            field="id_number",
            code=DUPLICATE,
        ) from exc


@transaction.atomic
def migrant_register(
    *,
    actor: User,
    association: Association,
    direction: str,
    name: str,
    id_number: str,
    registered_on: datetime.date | None = None,
    **values: Any,
) -> Migrant:
    """登记: a migrant of `association` (in the actor's scope). `values` are any of `FIELDS`."""
    require_edit(actor, association)
    check_holder(actor, association)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ServiceError(gettext("字段不正确：%(names)s") % {"names": ", ".join(sorted(unknown))})
    migrant = Migrant(association=association, created_by=actor)
    _apply(migrant, {"direction": direction, "name": name, "id_number": id_number, **values})
    migrant.registered_on = (
        past_date(registered_on, field="registered_on", label=gettext("登记日期"))
        or timezone.localdate()
    )
    _check(actor, migrant)
    _save(migrant)
    audit_create(actor=actor, obj=migrant, scope_path=association.path, reason="流动人口登记")
    return migrant


@transaction.atomic
def migrant_update(
    *,
    actor: User,
    migrant: Migrant,
    version: int | None = None,
    association: Association | None = None,
    **changes: Any,
) -> Migrant:
    """Change a record (a new registering association must be in scope too); a stale `version`
    is refused. An empty phone or address keeps the stored one only when not passed."""
    require_edit(actor, migrant.association)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ServiceError(gettext("字段不正确：%(names)s") % {"names": ", ".join(sorted(unknown))})
    locked = lock(migrant)
    stale = version is not None and version != locked.version
    check_version(
        locked.version, version, changed_since(locked, version) if stale and version else None
    )
    fields = sorted({*FIELDS, "association", "birth_date", "sex", "version"})
    before = snapshot(locked, fields)
    if association is not None and association.pk != locked.association_id:
        check_holder(actor, association)
        locked.association = association
    _apply(locked, changes)
    _check(actor, locked)
    if not diff(before, snapshot(locked, fields)):
        return locked  # nothing changed: nothing saved, the version stays
    locked.version += 1
    _save(locked)
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


@transaction.atomic
def migrant_change_status(
    *,
    actor: User,
    migrant: Migrant,
    status: str,
    on: datetime.date | None,
    reason: str = "",
    version: int | None = None,
) -> Migrant:
    """已离开 (with the departure date), 已注销 (with a reason), or back in the register."""
    require_edit(actor, migrant.association)
    locked = lock(migrant)
    check_version(locked.version, version)
    if status not in TRANSITIONS.get(locked.status, ()):
        label = Migrant.Status(status).label if status in Migrant.Status.values else status
        raise ServiceError(
            gettext("“%(from)s”的记录不能变更为“%(to)s”。")
            % {"from": locked.get_status_display(), "to": label},
            field="status",
        )
    if on is None:
        raise ServiceError(gettext("请填写日期。"), field="on")
    past_date(on, field="on", label=gettext("日期"))
    if on < locked.registered_on and status == Migrant.Status.LEFT:
        raise ServiceError(gettext("离开日期不能早于登记日期。"), field="on")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ServiceError(gettext("原因最多200个字。"), field="reason")
    if status == Migrant.Status.CANCELLED and len(reason) < 2:
        raise ServiceError(gettext("请填写注销原因。"), field="reason")
    before = snapshot(locked, ["status", "status_on", "status_reason", "left_on", "version"])
    locked.status, locked.status_on, locked.status_reason = status, on, reason
    if status == Migrant.Status.LEFT:
        locked.left_on = on
    elif status == Migrant.Status.ACTIVE:
        locked.left_on = None
    locked.version += 1
    locked.save(
        update_fields=["status", "status_on", "status_reason", "left_on", "version", "updated_at"]
    )
    audit_update(
        actor=actor, obj=locked, before=before, scope_path=locked.association.path, reason=reason
    )
    return locked


__all__ = ["EDIT", "FIELDS", "migrant_change_status", "migrant_register", "migrant_update"]
