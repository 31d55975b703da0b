"""What the migrant writes share: who may write, which associations hold migrants or employ
them, the checks of dates, and the row lock."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.scope import path_is_under, require, require_in_scope
from fpa.migrants.models import EMPLOYER_KINDS, HOLDER_KINDS
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

VIEW = "migrant.view"
EDIT = "migrant.edit"
EARLIEST = datetime.date(1990, 1, 1)
AHEAD_DAYS = 3660  # an expected departure within ten years

M = TypeVar("M", bound=models.Model)


def require_edit(actor: User, association: Association) -> None:
    """`migrant.edit` and the association in the actor's subtree."""
    require(actor, EDIT)
    require_in_scope(actor, association)


def check_holder(actor: User, association: Association) -> None:
    """A migrant is registered by a current village, township or enterprise-type association in
    the actor's scope."""
    require_in_scope(actor, association)
    if association.kind not in HOLDER_KINDS or not association.is_current:
        raise ServiceError(
            gettext("流动人口应登记在在用的村（社区）、乡镇或企业、园区、商会、流动人口计生协。"),
            field="association",
        )


def employer_base(actor: User) -> str | None:
    """Where a user may pick a workplace association from: their township's subtree for a village
    worker (the firms hang under the township or the county), their own subtree otherwise."""
    home = actor.home_association
    if home is None:
        return None
    if home.kind == Association.Kind.VILLAGE and home.parent_id is not None:
        parent = Association.objects.only("path").get(pk=home.parent_id)
        return parent.path
    return home.path


def check_employer(actor: User, employer: Association | None) -> None:
    if employer is None:
        return
    base = employer_base(actor)
    if base is None or not path_is_under(employer.path, base):
        raise NotAllowed(gettext("所选企业计生协不在您的管辖范围内。"))
    if employer.kind not in EMPLOYER_KINDS or not employer.is_current:
        raise ServiceError(
            gettext("工作单位只能关联在用的企业、园区、商会或党支部+计生协。"), field="employer"
        )


def past_date(day: datetime.date | None, *, field: str, label: str) -> datetime.date | None:
    """A date that happened: not in the future, not before 1990."""
    if day is None:
        return None
    if day > timezone.localdate():
        raise ServiceError(gettext("%(label)s不能晚于今天。") % {"label": label}, field=field)
    if day < EARLIEST:
        raise ServiceError(gettext("%(label)s不在合理范围内。") % {"label": label}, field=field)
    return day


def near_date(day: datetime.date | None, *, field: str, label: str) -> datetime.date | None:
    """A planned date: from 1990 to ten years ahead."""
    if day is None:
        return None
    if not EARLIEST <= day <= timezone.localdate() + datetime.timedelta(days=AHEAD_DAYS):
        raise ServiceError(gettext("%(label)s不在合理范围内。") % {"label": label}, field=field)
    return day


def lock(obj: M) -> M:
    """The row again, locked until the transaction ends (the caller loaded it in scope)."""
    model = type(obj)
    locked: M = model._default_manager.select_for_update().get(pk=obj.pk)
    return locked


def not_allowed() -> NotAllowed:
    return NotAllowed(gettext("您的角色无权进行此操作。"))
