"""An institution's record: registration, changes, status (筹建 → 运营 → 停业, and 停业 → 运营
again)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from fpa.childcare import rules
from fpa.childcare.models import Institution
from fpa.childcare.services.common import (
    EDIT,
    HOLDERS,
    check_fresh,
    lock,
    whole_number,
    working_date,
)
from fpa.core.audit import audit_create, audit_update, diff, snapshot
from fpa.core.errors import ServiceError, validate, within
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# What `institution_update` may change (status and its dates have their own service).
PROFILE_FIELDS = (
    "association",
    "name",
    "registration_kind",
    "registration_number",
    "operator",
    "address",
    "kind",
    "capacity",
    "places_used",
    "inclusive",
    "contact_name",
    "phone",
)
# What each status may become, and the date field the change sets.
TRANSITIONS: dict[str, dict[str, str]] = {
    Institution.Status.PLANNED: {
        Institution.Status.OPERATING: "opened_on",
        Institution.Status.CLOSED: "closed_on",
    },
    Institution.Status.OPERATING: {Institution.Status.CLOSED: "closed_on"},
    Institution.Status.CLOSED: {Institution.Status.OPERATING: "opened_on"},
}
DUPLICATE = "duplicate"


def _check_area(association: Association) -> None:
    if association.kind not in HOLDERS or not association.is_current:
        raise ServiceError(
            gettext("请选择在用的县、乡镇或村（社区）计生协作为机构所在区域。"), field="association"
        )


def _check_profile(institution: Institution) -> None:
    """The rules every save checks: the registration number's format and that a running
    institution has one, the places within the capacity."""
    try:
        institution.registration_number = rules.registration_number(
            institution.registration_kind, institution.registration_number
        )
    except rules.RuleError as exc:
        raise ServiceError(str(exc), field="registration_number") from exc
    if not institution.registration_number and institution.status != Institution.Status.PLANNED:
        raise ServiceError(
            gettext("运营或停业的机构须填写统一社会信用代码或备案号（许可证号）。"),
            field="registration_number",
        )
    institution.capacity = whole_number(
        institution.capacity, field="capacity", label=gettext("托位数")
    )
    if institution.capacity < 1:
        raise ServiceError(gettext("托位数至少为1。"), field="capacity")
    institution.places_used = whole_number(
        institution.places_used, field="places_used", label=gettext("在托人数")
    )
    if institution.places_used > institution.capacity:
        raise ServiceError(
            gettext("在托人数（%(used)d）不能超过托位数（%(capacity)d）。")
            % {"used": institution.places_used, "capacity": institution.capacity},
            field="places_used",
        )
    _check_duplicate(institution)


def _check_duplicate(institution: Institution) -> None:
    number = institution.registration_number
    if not number:
        return
    other = Institution.objects.filter(registration_number=number).exclude(pk=institution.pk)
    if other.exists():
        raise ServiceError(
            gettext("该登记号码已登记了托育机构，不能重复登记；请在原记录上修改。"),
            field="registration_number",
            code=DUPLICATE,
        )


def _save(institution: Institution, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            institution.save(**kwargs)
    except IntegrityError as exc:  # the same number saved at the same moment
        raise ServiceError(
            gettext("该登记号码已登记了托育机构，不能重复登记；请在原记录上修改。"),
            field="registration_number",
            code=DUPLICATE,
        ) from exc


@transaction.atomic
def institution_register(
    *,
    actor: User,
    association: Association,
    name: str,
    operator: str,
    address: str,
    kind: str,
    capacity: int,
    contact_name: str,
    phone: str,
    registration_kind: str = Institution.Registration.CREDIT,
    registration_number: str = "",
    places_used: int = 0,
    inclusive: bool = False,
    status: str = Institution.Status.PLANNED,
    planned_on: datetime.date | None = None,
    opened_on: datetime.date | None = None,
) -> Institution:
    """登记: a new institution in the area of an association in scope, being set up (筹建) or
    already running (运营, with its opening date)."""
    require(actor, EDIT)
    require_in_scope(actor, association)
    _check_area(association)
    if status not in (Institution.Status.PLANNED, Institution.Status.OPERATING):
        raise ServiceError(gettext("新登记的机构应为筹建或运营状态。"), field="status")
    if status == Institution.Status.OPERATING:
        opened_on = working_date(opened_on, field="opened_on", label=gettext("开业日期"))
    else:
        opened_on = None
    if planned_on is not None:
        working_date(planned_on, field="planned_on", label=gettext("筹建日期"))
    if planned_on and opened_on and planned_on > opened_on:
        raise ServiceError(gettext("筹建日期不能晚于开业日期。"), field="planned_on")
    institution = Institution(  # type: ignore[misc]  # None for a missing phone: "required"
        association=association,
        name=(name or "").strip(),
        registration_kind=registration_kind,
        registration_number=registration_number or "",
        operator=(operator or "").strip(),
        address=(address or "").strip(),
        kind=kind,
        capacity=capacity,
        places_used=places_used or 0,
        inclusive=bool(inclusive),
        contact_name=(contact_name or "").strip(),
        phone=phone or None,
        status=status,
        planned_on=planned_on,
        opened_on=opened_on,
        created_by=actor,
    )
    _check_profile(institution)
    validate(institution, exclude=["phone_hash", "created_by"], unique=False)
    _save(institution)
    audit_create(actor=actor, obj=institution, scope_path=association.path, reason="托育机构登记")
    return institution


@transaction.atomic
def institution_update(
    *, actor: User, institution: Institution, version: int | None = None, **data: Any
) -> Institution:
    """Change the record (a new area must be in scope too). An empty phone keeps the stored one."""
    require(actor, EDIT)
    require_in_scope(actor, institution.association)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(gettext("不能修改这些字段：") + "、".join(sorted(unknown)))
    institution = lock(institution)
    check_fresh(institution, institution.version, version)
    before = snapshot(institution, [*PROFILE_FIELDS, "version"])
    if "association" in data and data["association"].pk != institution.association_id:
        require_in_scope(actor, data["association"])
        _check_area(data["association"])
    if not data.get("phone"):
        data.pop("phone", None)
    for key, value in data.items():
        setattr(institution, key, value.strip() if isinstance(value, str) else value)
    _check_profile(institution)
    validate(institution, exclude=["phone_hash", "created_by"], unique=False)
    if not diff(before, snapshot(institution, before.keys())):
        return institution  # nothing changed: nothing saved, the version stays
    institution.version += 1
    _save(institution)
    audit_update(
        actor=actor, obj=institution, before=before, scope_path=institution.association.path
    )
    return institution


@transaction.atomic
def institution_change_status(
    *,
    actor: User,
    institution: Institution,
    status: str,
    on: datetime.date | None,
    reason: str = "",
    version: int | None = None,
) -> Institution:
    """开业, 停业 or 恢复运营 on a date (not in the future, not before the previous change)."""
    require(actor, EDIT)
    require_in_scope(actor, institution.association)
    institution = lock(institution)
    check_fresh(institution, institution.version, version)
    field = TRANSITIONS.get(institution.status, {}).get(status)
    if field is None:
        raise ServiceError(
            gettext("“%(from)s”的机构不能变更为“%(to)s”。")
            % {
                "from": institution.get_status_display(),
                "to": Institution.Status(status).label
                if status in Institution.Status.values
                else status,
            },
            field="status",
        )
    day = working_date(on, field="on", label=gettext("日期"))
    previous = max(
        (d for d in (institution.planned_on, institution.opened_on, institution.closed_on) if d),
        default=None,
    )
    if previous is not None and day < previous:
        raise ServiceError(
            gettext("日期不能早于上一次状态变更（%(day)s）。") % {"day": previous}, field="on"
        )
    reason = within((reason or "").strip(), 300, field="reason")
    if status == Institution.Status.CLOSED and len(reason) < 2:
        raise ServiceError(gettext("请填写停业原因。"), field="reason")
    before = snapshot(institution, ["status", "opened_on", "closed_on", "version"])
    institution.status = status
    setattr(institution, field, day)
    if status == Institution.Status.OPERATING:
        institution.closed_on = None
    _check_profile(institution)  # a running institution needs its registration number
    institution.version += 1
    institution.save(update_fields=["status", "opened_on", "closed_on", "version", "updated_at"])
    audit_update(
        actor=actor,
        obj=institution,
        before=before,
        scope_path=institution.association.path,
        reason=reason,
    )
    return institution
