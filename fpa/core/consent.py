"""Consent texts of the public forms, one mechanism for every purpose (the volunteer application,
the online member application): the current version of a purpose, the check that an applicant
agreed to that version, and a new version.

A purpose is a key that the module owning the form declares (`"volunteer_application"`,
`"member_application"`); core knows no module. The first version of each is installed by its
module's data migration, so a new installation can take applications at once."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.actors import Actor
from fpa.core.audit import audit_create
from fpa.core.errors import ServiceError
from fpa.core.models import ConsentText
from fpa.core.scope import require

OUTDATED = "同意书已更新，请阅读最新版本后重新勾选同意。"


def current(purpose: str, *, missing: str = "") -> ConsentText:
    """The latest version of `purpose` in effect today; a ServiceError (with `missing`, or a
    general message) when there is none, so the form says why it cannot be sent."""
    found = (
        ConsentText.objects.filter(purpose=purpose, effective_from__lte=timezone.localdate())
        .order_by("-version")
        .first()
    )
    if found is None:
        raise ServiceError(missing or gettext("尚未设置同意书，暂不能提交申请。"))
    return found


def agreed(purpose: str, version: int | None, *, missing: str = "") -> ConsentText:
    """The current text of `purpose` if `version` is its version (what the applicant read and
    ticked); refused when the text changed since the form was opened."""
    text = current(purpose, missing=missing)
    if version != text.version:
        raise ServiceError(gettext(OUTDATED), field="consent")
    return text


@transaction.atomic
def publish(
    *,
    actor: Actor | None,
    purpose: str,
    body: str,
    effective_from: datetime.date | None = None,
    capability: str = "settings.manage",
) -> ConsentText:
    """A new version of `purpose` (the next number), audited. `actor` None is the system (a data
    migration, the demo); a person needs `capability`."""
    if actor is not None:
        require(actor, capability)
    body = (body or "").strip()
    if len(body) < 10:
        raise ServiceError(gettext("请填写同意书内容。"), field="body")
    last = ConsentText.objects.select_for_update().filter(purpose=purpose)
    number = (last.aggregate(top=Max("version"))["top"] or 0) + 1
    text = ConsentText.objects.create(
        purpose=purpose,
        version=number,
        body=body,
        effective_from=effective_from or timezone.localdate(),
    )
    audit_create(actor=actor, obj=text, scope_path="", reason="发布同意书")
    return text
