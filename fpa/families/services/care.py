"""The care log (visits and services), needs, holiday campaigns and care photos."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext

from fpa.core.audit import audit_create
from fpa.core.care import services as care
from fpa.core.errors import ServiceError, validate
from fpa.core.scope import require, require_in_scope
from fpa.families import photos as photo_rules
from fpa.families.care import FAMILY_CARE
from fpa.families.models import (
    FIVE_CARES,
    FOUR_SERVICES,
    Campaign,
    CareKind,
    CarePhoto,
    CareRecord,
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
    care.may_record(FAMILY_CARE, actor, family)


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
    """One care record of a family (the care mechanism's `care_log`) with the 暖心行动's four
    services and five cares it delivered."""
    services, cares = sorted(set(services or [])), sorted(set(cares or []))

    def clean() -> None:
        if set(services) - SERVICE_CODES:
            raise ServiceError(gettext("四项服务取值不正确。"), field="services")
        if set(cares) - CARE_CODES:
            raise ServiceError(gettext("五关怀取值不正确。"), field="cares")

    record: CareRecord = care.care_log(
        FAMILY_CARE,
        actor=actor,
        subject=family,
        kind=kind,
        occurred_on=occurred_on,
        notes=notes,
        clean=clean,
        services=services,
        cares=cares,
    )
    return record


def need_raise(
    *,
    actor: User,
    family: Family,
    description: str,
    owner: User | None = None,
    due_date: datetime.date | None = None,
    raised_in: CareRecord | None = None,
) -> Need:
    need: Need = care.need_raise(
        FAMILY_CARE,
        actor=actor,
        subject=family,
        description=description,
        owner=owner,
        due_date=due_date,
        raised_in=raised_in,
    )
    return need


def need_update(*, actor: User, need: Need, status: str, result: str = "") -> Need:
    updated: Need = care.need_update(
        FAMILY_CARE, actor=actor, need=need, status=status, result=result
    )
    return updated


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
