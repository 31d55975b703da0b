"""A grant's files: the scanned application form, certificates and proof, photos. Checked by the
one upload mechanism (`fpa.core.uploads.clean_document`), stored under a random name outside every
public URL, audited; never shown on the public pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext

from fpa.core import uploads
from fpa.core.audit import audit_create
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.scope import in_scope, require_in_scope
from fpa.fund.models import Grant, GrantAttachment

if TYPE_CHECKING:
    from fpa.accounts.models import User

MAX_PER_GRANT = 20
# Whoever takes part in a grant's steps may add its files (in scope of the grant).
GRANT_CAPABILITIES = ("fund.apply", "fund.review", "fund.approve", "fund.pay")
FINISHED = (Grant.Status.CLOSED, Grant.Status.REJECTED)


def may_attach(actor: User, grant: Grant) -> bool:
    """Whether `actor` may add files to `grant` now (the page offers the form only then)."""
    return (
        grant.status not in FINISHED
        and any(actor.has_capability(c) for c in GRANT_CAPABILITIES)
        and in_scope(actor, grant.association)
    )


@transaction.atomic
def grant_attachment_add(*, actor: User, grant: Grant, kind: str, upload: Any) -> GrantAttachment:
    """Attach one checked file to `grant` (not closed or refused), by staff in its scope who take
    part in grants. Only the checked bytes are stored (an image re-encoded without metadata, a PDF
    as sent once scanned), under a random name; the client's name and content type are never
    used. The files of a refused or rolled-back upload are removed."""
    if not any(actor.has_capability(c) for c in GRANT_CAPABILITIES):
        raise NotAllowed(gettext("您没有办理资助的权限，不能上传附件。"))
    require_in_scope(actor, grant.association)
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    if locked.status in FINISHED:
        raise ServiceError(
            gettext("该申请已%(status)s，不能再上传附件。")
            % {"status": locked.get_status_display()},
            field="file",
        )
    if kind not in GrantAttachment.Kind.values:
        raise ServiceError(gettext("请选择附件类型。"), field="kind")
    if GrantAttachment.objects.filter(grant=locked).count() >= MAX_PER_GRANT:
        raise ServiceError(
            gettext("每份申请最多%(count)s个附件。") % {"count": MAX_PER_GRANT}, field="file"
        )
    try:
        checked = uploads.clean_document(upload)
    except uploads.UploadError as exc:
        name = getattr(upload, "name", "")
        raise ServiceError(f"{uploads.display_name(name)}{exc}", field="file") from exc
    stored = default_storage.save(
        uploads.random_name(f"fund/attachments/{locked.pk}", checked.extension),
        ContentFile(checked.data),
    )
    try:
        item = GrantAttachment(
            grant=locked,
            kind=kind,
            file=stored,
            format=checked.format,
            size=len(checked.data),
            uploaded_by=actor,
        )
        item.save()
        audit_create(actor=actor, obj=item, scope_path=locked.association.path)
    except BaseException:
        default_storage.delete(stored)
        raise
    return item
