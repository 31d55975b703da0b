"""What the rights-case writes share: who may act, the checks of dates and texts, the version
check, the row lock and the timeline row."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import changed_since
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate, within
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association
from fpa.rights.models import Case, CaseKind, Step

if TYPE_CHECKING:
    from fpa.accounts.models import User

EDIT = "rights.edit"
VIEW = "rights.view"
# Who receives a case: any association but a member group (a group has no staff of its own).
RECEIVERS = tuple(k for k in Association.Kind.values if k != Association.Kind.MEMBER_GROUP)
# The county and the levels above it set the list of kinds.
COUNTY_LEVELS = (
    Association.Kind.COUNTY,
    Association.Kind.PREFECTURE,
    Association.Kind.PROVINCE,
)
EARLIEST = datetime.date(2000, 1, 1)
MAX_DEADLINE_DAYS = 366  # a time limit within a year of receipt
DEFAULT_DEADLINE_DAYS = 15  # when a kind says 0 and the deployment sets nothing


def home_of(actor: User) -> Association:
    home = actor.home_association
    if home is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    return home


def require_editor(actor: User, association: Association) -> Association:
    """`rights.edit` and the case's association inside the actor's subtree; returns the home."""
    require(actor, EDIT)
    require_in_scope(actor, association)
    return home_of(actor)


def may_manage_kinds(actor: User) -> bool:
    home = actor.home_association
    return actor.has_capability(EDIT) and home is not None and home.kind in COUNTY_LEVELS


def default_days(kind: CaseKind) -> int:
    """The kind's time limit, or the deployment's (`FPA_RIGHTS_DEADLINE_DAYS`)."""
    if kind.deadline_days:
        return int(kind.deadline_days)
    return int(getattr(settings, "FPA_RIGHTS_DEADLINE_DAYS", DEFAULT_DEADLINE_DAYS))


def working_date(day: datetime.date | None, *, field: str, label: str) -> datetime.date:
    """A date something happened: given, not before 2000, not after today."""
    if day is None:
        raise ServiceError(gettext("请填写%(label)s。") % {"label": label}, field=field)
    if day > timezone.localdate():
        raise ServiceError(gettext("%(label)s不能晚于今天。") % {"label": label}, field=field)
    if day < EARLIEST:
        raise ServiceError(gettext("%(label)s不在合理范围内。") % {"label": label}, field=field)
    return day


def not_before(day: datetime.date, start: datetime.date, *, field: str, label: str) -> None:
    if day < start:
        raise ServiceError(
            gettext("%(label)s不能早于%(day)s。") % {"label": label, "day": start.isoformat()},
            field=field,
        )


def check_deadline(deadline: datetime.date | None, start: datetime.date) -> datetime.date:
    if deadline is None:
        raise ServiceError(gettext("请填写办理期限。"), field="deadline")
    not_before(deadline, start, field="deadline", label=gettext("办理期限"))
    if deadline > start + datetime.timedelta(days=MAX_DEADLINE_DAYS):
        raise ServiceError(gettext("办理期限不能超过受理后一年。"), field="deadline")
    return deadline


def required_text(value: str | None, *, field: str, label: str, limit: int) -> str:
    """A text that must say something (two characters at least), never cut silently."""
    text = (value or "").strip()
    if len(text) < 2:
        raise ServiceError(gettext("请填写%(label)s。") % {"label": label}, field=field)
    return within(text, limit, field=field)


def check_fresh(case: Case, expected: int | None) -> None:
    """A stale save is refused, naming what the other person changed."""
    check_version(case.version, expected, changed_since(case, expected or 0))


def lock(case: Case) -> Case:
    """The case again, locked until the transaction ends (the caller loaded it in scope)."""
    return Case.objects.select_for_update().select_related("association", "kind").get(pk=case.pk)


def require_open(case: Case) -> None:
    if case.status == Case.Status.CLOSED:
        raise ServiceError(
            gettext("已办结的案件不能修改；当事人不满意的，可以登记不满意后重新办理。"),
            code="closed",
        )


def step_add(actor: User, case: Case, action: str, on: datetime.date, note: str = "") -> Step:
    step = Step(case=case, action=action, on=on, note=note, by=actor, by_association=home_of(actor))
    validate(step, exclude=["case", "by", "by_association"], unique=False)
    step.save()
    return step
