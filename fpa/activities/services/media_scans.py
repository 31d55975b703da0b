"""Scans of media reports (媒体报道的扫描件: a newspaper page, a screenshot of an article).

An upload goes through the platform's one upload mechanism, `fpa.core.uploads.clean_document`:
the type is told from the content, never from the name or the content type sent; an image is
re-encoded without metadata, a PDF is scanned for scripts, launch actions, embedded files and
encryption; size limits apply. Only the checked bytes are stored, under a random name in the
default storage (`activities/media/<activity id>/`), which no URL serves: the scoped view
`activities:media_scan` does, to staff who may see the activity. Files of a refused,
rolled-back or replaced scan are removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext

from fpa.activities.models import Activity, MediaReport
from fpa.core import uploads
from fpa.core.audit import audit_update, snapshot
from fpa.core.errors import ServiceError
from fpa.core.scope import require, require_in_scope

if TYPE_CHECKING:
    from fpa.accounts.models import User

SCAN_FIELDS = ("scan", "scan_format", "scan_size")


def check(upload: Any) -> uploads.CleanFile:
    """The checked scan, or a ServiceError on the `scan` field with the upload's name."""
    try:
        return uploads.clean_document(upload)
    except uploads.UploadError as exc:
        name = uploads.display_name(getattr(upload, "name", "") or "")
        raise ServiceError(f"{name}{exc}", field="scan", code="bad_file") from exc


def _delete(name: str) -> None:
    if name:
        default_storage.delete(name)


def store(report: MediaReport, checked: uploads.CleanFile) -> str:
    """Save the checked bytes and put them on `report` (not saved here); returns the stored
    name, which the caller deletes if what follows fails."""
    name = default_storage.save(
        uploads.random_name(f"activities/media/{report.activity_id}", checked.extension),
        ContentFile(checked.data),
    )
    report.scan = name
    report.scan_format = checked.format
    report.scan_size = len(checked.data)
    return name


@transaction.atomic
def media_scan_set(*, actor: User, report: MediaReport, upload: Any) -> MediaReport:
    """Attach (or replace) the scan of a media report of an activity in the actor's scope."""
    require(actor, "activity.edit")
    report = (
        MediaReport.objects.select_for_update(of=("self",))
        .select_related("activity__association")
        .get(pk=report.pk)
    )
    activity = report.activity
    require_in_scope(actor, activity.association)
    if activity.status == Activity.Status.CANCELLED:
        raise ServiceError(gettext("已取消的活动不能上传扫描件。"), field="scan", code="state")
    checked = check(upload)
    before = snapshot(report, SCAN_FIELDS)
    old = report.scan
    stored = store(report, checked)
    try:
        report.save(update_fields=list(SCAN_FIELDS))
        audit_update(actor=actor, obj=report, before=before, scope_path=activity.association.path)
    except BaseException:
        _delete(stored)
        raise
    transaction.on_commit(lambda: _delete(old))
    return report


@transaction.atomic
def media_scan_remove(*, actor: User, report: MediaReport) -> MediaReport:
    """Remove a media report's scan; its file goes once the change is committed."""
    require(actor, "activity.edit")
    report = (
        MediaReport.objects.select_for_update(of=("self",))
        .select_related("activity__association")
        .get(pk=report.pk)
    )
    require_in_scope(actor, report.activity.association)
    if not report.scan:
        return report
    before = snapshot(report, SCAN_FIELDS)
    old = report.scan
    report.scan, report.scan_format, report.scan_size = "", "", 0
    report.save(update_fields=list(SCAN_FIELDS))
    audit_update(
        actor=actor, obj=report, before=before, scope_path=report.activity.association.path
    )
    transaction.on_commit(lambda: _delete(old))
    return report
