"""The care log (visits and services), needs, holiday campaigns and care photos."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import (
    audit_create,
    audit_update,
    snapshot,
)
from fpa.core.errors import NotAllowed, ServiceError, validate, within
from fpa.core.scope import in_scope, require, require_in_scope, scope_path_of
from fpa.families import photos as photo_rules
from fpa.families.models import (
    FIVE_CARES,
    FOUR_SERVICES,
    Campaign,
    CareKind,
    CarePhoto,
    CareRecord,
    Contact,
    Family,
    Need,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- care log and needs ---------------------------------------------------------------------------

SERVICE_CODES = {code for code, _ in FOUR_SERVICES}
CARE_CODES = {code for code, _ in FIVE_CARES}


def _may_log(actor: User, family: Family) -> None:
    """Staff in scope, or a contact person of this family, may record care."""
    path = scope_path_of(actor)
    if path is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    if actor.has_capability("family.edit") and in_scope(actor, family.association):
        return
    if Contact.objects.filter(family=family, user=actor, end_date__isnull=True).exists():
        return
    raise NotAllowed(gettext("只有管辖范围内的工作人员或该家庭的联系人可以记录。"))


@transaction.atomic
def care_log(
    *,
    actor: User,
    family: Family,
    kind: CareKind,
    occurred_on: datetime.date,
    services: list[str] | None = None,
    cares: list[str] | None = None,
    notes: str = "",
) -> CareRecord:
    _may_log(actor, family)
    services, cares = sorted(set(services or [])), sorted(set(cares or []))
    if set(services) - SERVICE_CODES:
        raise ServiceError(gettext("四项服务取值不正确。"), field="services")
    if set(cares) - CARE_CODES:
        raise ServiceError(gettext("五关怀取值不正确。"), field="cares")
    today = timezone.localdate()
    if occurred_on > today:
        raise ServiceError(gettext("日期不能晚于今天。"), field="occurred_on")
    if occurred_on < today - datetime.timedelta(days=366):
        raise ServiceError(gettext("只能补记一年以内的记录。"), field="occurred_on")
    contact = Contact.objects.filter(family=family, user=actor, end_date__isnull=True).first()
    record = CareRecord(
        family=family,
        kind=kind,
        occurred_on=occurred_on,
        contact=contact,
        recorded_by=actor,
        services=services,
        cares=cares,
        notes=within((notes or "").strip(), 5000, field="notes"),
    )
    record.save()
    audit_create(actor=actor, obj=record, scope_path=family.association.path)
    return record


@transaction.atomic
def need_raise(
    *,
    actor: User,
    family: Family,
    description: str,
    owner: User | None = None,
    due_date: datetime.date | None = None,
    raised_in: CareRecord | None = None,
) -> Need:
    _may_log(actor, family)
    description = (description or "").strip()
    if len(description) < 2:
        raise ServiceError(gettext("请填写诉求内容。"), field="description")
    if raised_in is not None and raised_in.family_id != family.pk:
        raise ServiceError(gettext("该帮扶记录不属于此家庭。"), field="raised_in")
    # The owner must be able to open the family and act on the need: staff whose subtree holds
    # it (a finance or audit account at the county does not), or one of its contact persons.
    if owner is not None and not (
        owner.is_active and Family.objects.visible_to(owner).filter(pk=family.pk).exists()
    ):
        raise ServiceError(gettext("责任人须为管辖该家庭的在用账号。"), field="owner")
    need = Need(
        family=family,
        raised_in=raised_in,
        description=within(description, 500, field="description"),
        owner=owner,
        due_date=due_date,
    )
    need.save()
    audit_create(actor=actor, obj=need, scope_path=family.association.path)
    return need


@transaction.atomic
def need_update(*, actor: User, need: Need, status: str, result: str = "") -> Need:
    locked = Need.objects.select_for_update().select_related("family__association").get(pk=need.pk)
    _may_log(actor, locked.family)
    if status not in Need.Status.values:
        raise ServiceError(gettext("状态不正确。"), field="status")
    result = (result or "").strip()
    if status in (Need.Status.RESOLVED, Need.Status.CLOSED) and len(result) < 2:
        raise ServiceError(gettext("办结时请填写办理结果。"), field="result")
    before = snapshot(locked, ["status", "result", "closed_on"])
    locked.status = status
    locked.result = within(result, 500, field="result")
    locked.closed_on = timezone.localdate() if not locked.is_open else None
    locked.save(update_fields=["status", "result", "closed_on", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.family.association.path)
    return locked


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    association: Association,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Campaign:
    require(actor, "family.edit")
    require_in_scope(actor, association)
    if end_date < start_date:
        raise ServiceError(gettext("结束日期不能早于开始日期。"), field="end_date")
    campaign = Campaign(
        association=association, name=(name or "").strip(), start_date=start_date, end_date=end_date
    )
    validate(campaign, exclude=["association"])
    campaign.save()
    audit_create(actor=actor, obj=campaign, scope_path=association.path)
    return campaign


# --- care photos ----------------------------------------------------------------------------------


def _photo_error(exc: photo_rules.PhotoError) -> ServiceError:
    return ServiceError(str(exc), field="photos")


@transaction.atomic
def care_photo_add(*, actor: User, record: CareRecord, photo: Any) -> CarePhoto:
    """Attach one photo to a care record: staff in scope or a contact person of the family, at
    most five a record. `photo` is an upload (decoded, checked and re-encoded here) or a
    `photos.CleanPhoto` already made so. Only the re-encoded bytes are stored, under a random
    name; the upload's own name and content type are never used."""
    locked = (
        CareRecord.objects.select_for_update()
        .select_related("family__association")
        .get(pk=record.pk)
    )
    family = locked.family
    _may_log(actor, family)
    if not isinstance(photo, photo_rules.CleanPhoto):
        try:
            photo = photo_rules.clean(photo)
        except photo_rules.PhotoError as exc:
            raise _photo_error(exc) from exc
    if CarePhoto.objects.filter(record=locked).count() >= photo_rules.MAX_PER_RECORD:
        raise ServiceError(
            gettext("每条帮扶记录最多%(count)s张照片。") % {"count": photo_rules.MAX_PER_RECORD},
            field="photos",
            code="too_many",
        )
    stem = f"families/photos/{family.pk}/{secrets.token_hex(16)}"
    stored: list[str] = []
    try:
        stored.append(default_storage.save(f"{stem}.{photo.extension}", ContentFile(photo.data)))
        stored.append(default_storage.save(f"{stem}-thumb.jpg", ContentFile(photo.thumb)))
        item = CarePhoto(
            record=locked,
            family=family,
            file_name=stored[0],
            thumb_name=stored[1],
            format=photo.format,
            width=photo.width,
            height=photo.height,
            size=len(photo.data),
            uploaded_by=actor,
        )
        item.save()
        audit_create(actor=actor, obj=item, scope_path=family.association.path)
    except BaseException:
        _delete_photo_files(stored)
        raise
    return item


def care_photos_add(*, actor: User, record: CareRecord, photos: list[Any]) -> list[CarePhoto]:
    """Several photos for one record, all or none (the files of a refused batch are removed)."""
    added: list[CarePhoto] = []
    try:
        with transaction.atomic():
            for photo in photos:
                added.append(care_photo_add(actor=actor, record=record, photo=photo))
    except BaseException:
        _delete_photo_files([name for p in added for name in (p.file_name, p.thumb_name)])
        raise
    return added


def _delete_photo_files(names: list[str]) -> None:
    """Remove stored photo files whose rows did not survive (a rolled-back upload)."""
    for name in names:
        if name:
            default_storage.delete(name)
