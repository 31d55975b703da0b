"""The list of case kinds (诉求类别), set by the county and the levels above it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate
from fpa.core.scope import require
from fpa.rights.models import CaseKind
from fpa.rights.services.common import EDIT, MAX_DEADLINE_DAYS, may_manage_kinds, required_text

if TYPE_CHECKING:
    from fpa.accounts.models import User


def _require_manager(actor: User) -> None:
    require(actor, EDIT)
    if not may_manage_kinds(actor):
        raise NotAllowed(gettext("诉求类别由县级及以上计生协设置。"))


def _days(value: object) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError(gettext("办理时限应为整数天。"), field="deadline_days") from exc
    if not 1 <= days <= MAX_DEADLINE_DAYS:
        raise ServiceError(
            gettext("办理时限应在1至%(max)d天之间。") % {"max": MAX_DEADLINE_DAYS},
            field="deadline_days",
        )
    return days


@transaction.atomic
def kind_add(
    *, actor: User, code: str, name: str, deadline_days: object, sort: int | None = 0
) -> CaseKind:
    _require_manager(actor)
    code = (code or "").strip().lower()
    if CaseKind.objects.filter(code=code).exists():
        raise ServiceError(gettext("代码已存在。"), field="code")
    kind = CaseKind(
        code=code,
        name=required_text(name, field="name", label=gettext("名称"), limit=50),
        deadline_days=_days(deadline_days),
        sort=sort or 0,
    )
    validate(kind)
    kind.save()
    audit_create(actor=actor, obj=kind, scope_path="")
    return kind


@transaction.atomic
def kind_update(
    *,
    actor: User,
    kind: CaseKind,
    name: str,
    deadline_days: object,
    sort: int,
    active: bool,
    version: int | None = None,
) -> CaseKind:
    """Rename, re-time, reorder or retire a kind; cases already received keep their deadline."""
    _require_manager(actor)
    kind = CaseKind.objects.select_for_update().get(pk=kind.pk)
    check_version(kind.version, version)
    before = snapshot(kind)
    kind.name = required_text(name, field="name", label=gettext("名称"), limit=50)
    kind.deadline_days = _days(deadline_days)
    kind.sort, kind.active = sort, active
    validate(kind, unique=False)
    kind.version += 1
    kind.save()
    audit_update(actor=actor, obj=kind, before=before, scope_path="")
    return kind
