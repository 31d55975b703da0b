"""Photos of service sites and activities (`SitePhoto`, `ActivityPhoto`).

An upload goes through `fpa.core.uploads.clean_image` (the one validated-image mechanism): only
the image re-encoded from the decoded pixels is stored, without EXIF, GPS or trailing bytes,
under a random name in the default storage (`activities/photos/<kind>/<owner id>/`), which no URL
serves; a scoped view serves it. Each photo says whether it shows recognisable faces and whether
the people's consent (肖像同意) is recorded: a photo with faces and no consent is never public.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext

from fpa.activities.models import Activity, ActivityPhoto, Site, SitePhoto
from fpa.core import uploads
from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.errors import ServiceError, validate
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope

if TYPE_CHECKING:
    from fpa.accounts.models import User

Photo = SitePhoto | ActivityPhoto
Owner = Site | Activity
MAX_PHOTOS = 30  # a site's or an activity's photos: enough for a record, not an album
PHOTO_FIELDS = ("caption", "faces", "faces_consent", "public")


def kind_of(owner: Owner | Photo) -> str:
    """ "site" or "activity": the `?kind=` of the photo URLs."""
    return "site" if isinstance(owner, Site | SitePhoto) else "activity"


def owner_of(photo: Photo) -> Owner:
    return photo.site if isinstance(photo, SitePhoto) else photo.activity


def _lock(owner: Owner) -> Owner:
    """The owner locked (concurrent uploads count against the limit one after the other)."""
    if isinstance(owner, Site):
        return Site.objects.select_for_update().select_related("association").get(pk=owner.pk)
    return Activity.objects.select_for_update().select_related("association").get(pk=owner.pk)


def _photos(owner: Owner) -> Any:
    if isinstance(owner, Site):
        return SitePhoto.objects.filter(site=owner)
    return ActivityPhoto.objects.filter(activity=owner)


def _check_public(photo: Photo) -> None:
    if photo.public and not photo.may_be_public:
        raise ServiceError(
            gettext("照片有可辨认的人脸，未取得肖像同意，不能公开。"),
            field="public",
            code="faces_without_consent",
        )


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def photo_add(
    *,
    actor: User,
    owner: Owner,
    upload: Any,
    caption: str = "",
    faces: bool = False,
    faces_consent: bool = False,
) -> Photo:
    """Attach one photo to a site or an activity of the actor's scope. `upload` is an uploaded
    file (or bytes), decoded, checked and re-encoded here; an oversized or non-image upload is
    refused with a clear message and nothing is stored."""
    require(actor, "activity.edit")
    owner = _lock(owner)
    require_in_scope(actor, owner.association)
    if isinstance(owner, Activity) and owner.status == Activity.Status.CANCELLED:
        raise ServiceError(gettext("已取消的活动不能上传照片。"), field="photo")
    try:
        image = uploads.clean_image(upload)
    except uploads.UploadError as exc:
        raise ServiceError(str(exc), field="photo", code="bad_image") from exc
    if _photos(owner).count() >= MAX_PHOTOS:
        raise ServiceError(
            gettext("最多上传%(count)s张照片。") % {"count": MAX_PHOTOS},
            field="photo",
            code="too_many",
        )
    stem = f"activities/photos/{kind_of(owner)}/{owner.pk}/{secrets.token_hex(16)}"
    stored: list[str] = []
    try:
        stored.append(default_storage.save(f"{stem}.{image.extension}", ContentFile(image.data)))
        stored.append(default_storage.save(f"{stem}-thumb.jpg", ContentFile(image.thumb)))
        values: dict[str, Any] = {
            "file": stored[0],
            "thumb": stored[1],
            "size": len(image.data),
            "caption": caption,
            "faces": faces,
            "faces_consent": faces and faces_consent,
            "uploaded_by": actor,
        }
        photo: Photo = (
            SitePhoto(site=owner, **values)
            if isinstance(owner, Site)
            else ActivityPhoto(activity=owner, **values)
        )
        validate(photo)
        photo.save()
        audit_create(actor=actor, obj=photo, scope_path=owner.association.path)
    except BaseException:
        _delete_files(stored)
        raise
    return photo


def _locked(photo: Photo) -> Photo:
    model = type(photo)
    return model.objects.select_for_update().get(pk=photo.pk)


def _scope(actor: User, photo: Photo) -> str:
    require(actor, "activity.edit")
    association = owner_of(photo).association
    require_in_scope(actor, association)
    return association.path


@transaction.atomic
def photo_update(
    *, actor: User, photo: Photo, caption: str, faces: bool, faces_consent: bool
) -> Photo:
    """The caption and the two flags. A public photo that now shows faces without consent is
    taken off the public pages in the same change."""
    photo = _locked(photo)
    path = _scope(actor, photo)
    before = snapshot(photo, PHOTO_FIELDS)
    photo.caption = caption
    photo.faces = faces
    photo.faces_consent = faces and faces_consent
    if not photo.may_be_public:
        photo.public = False
    validate(photo)
    photo.save(update_fields=list(PHOTO_FIELDS))
    audit_update(actor=actor, obj=photo, before=before, scope_path=path)
    return photo


@transaction.atomic
def photo_set_public(*, actor: User, photo: Photo, public: bool) -> Photo:
    """Choose a photo for the public pages, or take it off; refused for a photo with faces and
    no recorded consent."""
    photo = _locked(photo)
    path = _scope(actor, photo)
    before = snapshot(photo, ["public"])
    photo.public = public
    _check_public(photo)
    photo.save(update_fields=["public"])
    audit_update(actor=actor, obj=photo, before=before, scope_path=path)
    return photo


@transaction.atomic
def photo_remove(*, actor: User, photo: Photo) -> None:
    """Delete a photo; its files go once the deletion is committed."""
    photo = _locked(photo)
    path = _scope(actor, photo)
    names = [photo.file, photo.thumb]
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=photo,
        changes={k: [v, None] for k, v in snapshot(photo, PHOTO_FIELDS).items()},
        scope_path=path,
    )
    photo.delete()
    transaction.on_commit(lambda: _delete_files(names))
