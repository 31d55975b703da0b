"""What the childcare writes share: who holds an institution, who inspects and who verifies, the
checks of dates, texts and numbers, the version check and the row lock."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import changed_since
from fpa.core.errors import NotAllowed, ServiceError, check_version, within
from fpa.core.scope import in_scope, path_is_under, require, require_in_scope
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.childcare.models import Inspection, Problem

EDIT = "childcare.edit"
# An institution lies in the area of a county, township or village association.
HOLDERS = (Association.Kind.VILLAGE, Association.Kind.TOWNSHIP, Association.Kind.COUNTY)
# The county and the levels above it: they verify any problem in their subtree and set the
# checklist.
COUNTY_LEVELS = (
    Association.Kind.COUNTY,
    Association.Kind.PREFECTURE,
    Association.Kind.PROVINCE,
)
# Who inspects: the township or the county (and the levels above).
INSPECTORS = (Association.Kind.TOWNSHIP, *COUNTY_LEVELS)
EARLIEST = datetime.date(2000, 1, 1)
MAX_CAPACITY = 10_000  # places of one institution: far more than any nursery has
DEADLINE_DAYS = 366  # a rectification deadline within a year of the inspection

M = TypeVar("M", bound=models.Model)


def home_of(actor: User) -> Association:
    home = actor.home_association
    if home is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    return home


def require_inspector(actor: User, association: Association) -> Association:
    """`childcare.edit`, the institution's association in scope, and a township or county home;
    returns the home (the inspecting level)."""
    require(actor, EDIT)
    require_in_scope(actor, association)
    home = home_of(actor)
    if home.kind not in INSPECTORS:
        raise NotAllowed(gettext("检查由乡镇或县级计生协登记。"))
    return home


def may_verify(actor: User, problem: Problem) -> bool:
    """The inspecting level (or above) verifies and closes a problem: it holds `childcare.edit`,
    the inspection's association is in its subtree, and its home is strictly above the
    institution's association, or is the county (or above)."""
    home = actor.home_association
    if home is None or not actor.has_capability(EDIT):
        return False
    if not in_scope(actor, problem.inspection.association):
        return False
    institution_path = problem.institution.association.path
    strictly_above = home.path != institution_path and path_is_under(institution_path, home.path)
    return strictly_above or home.kind in COUNTY_LEVELS


def may_record_problems(actor: User, inspection: Inspection) -> bool:
    """The inspecting level (or above) records the problems its inspection found."""
    return actor.has_capability(EDIT) and in_scope(actor, inspection.association)


def may_manage_checklist(actor: User) -> bool:
    """The checklist is set by the county and the levels above it."""
    home = actor.home_association
    return actor.has_capability(EDIT) and home is not None and home.kind in COUNTY_LEVELS


def require_verifier(actor: User, problem: Problem) -> None:
    require(actor, EDIT)
    require_in_scope(actor, problem.institution.association)
    if not may_verify(actor, problem):
        raise NotAllowed(
            gettext("复查销号须由检查单位或其上级办理，且须高于机构所在的计生协（或为县级）。")
        )


def working_date(day: datetime.date | None, *, field: str, label: str) -> datetime.date:
    """A date something happened: given, not before 2000, not after today."""
    if day is None:
        raise ServiceError(gettext("请填写%(label)s。") % {"label": label}, field=field)
    if day > timezone.localdate():
        raise ServiceError(gettext("%(label)s不能晚于今天。") % {"label": label}, field=field)
    if day < EARLIEST:
        raise ServiceError(gettext("%(label)s不在合理范围内。") % {"label": label}, field=field)
    return day


def required_text(value: str | None, *, field: str, label: str, limit: int) -> str:
    """A text that must say something (two characters at least), never cut silently; the model
    field normalises it when the service validates the record."""
    text = (value or "").strip()
    if len(text) < 2:
        raise ServiceError(gettext("请填写%(label)s。") % {"label": label}, field=field)
    return within(text, limit, field=field)


def whole_number(value: object, *, field: str, label: str, maximum: int = MAX_CAPACITY) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError(gettext("%(label)s应为整数。") % {"label": label}, field=field) from exc
    if number < 0:
        raise ServiceError(gettext("%(label)s不能为负数。") % {"label": label}, field=field)
    if number > maximum:
        raise ServiceError(
            gettext("%(label)s不能超过%(max)d。") % {"label": label, "max": maximum}, field=field
        )
    return number


def check_fresh(obj: models.Model, current: int, expected: int | None) -> None:
    """A stale save is refused, naming what the other person changed."""
    check_version(current, expected, changed_since(obj, expected or 0))


def lock(obj: M) -> M:
    """The row again, locked until the transaction ends (the caller has loaded it in scope)."""
    model = type(obj)
    locked: M = model._default_manager.select_for_update().get(pk=obj.pk)
    return locked
