"""What the activities' writes share: the actor's home, the rule of who approves, and the checks
of numbers and dates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from fpa.activities.models import Policy
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.scope import path_is_under, scope_path_of
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

MAX_COUNT = 1_000_000  # participants, materials: more than any one activity
MAX_DAYS = 31  # an activity lasts at most a month; a longer campaign is a campaign


def home_path(actor: User) -> str:
    path = scope_path_of(actor)
    if path is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    return path


def above(actor: User, association: Association) -> bool:
    """The actor's home is an ancestor of `association` (never the association itself)."""
    path = scope_path_of(actor)
    return path is not None and path != association.path and path_is_under(association.path, path)


def approval_required(association: Association) -> bool:
    """Whether one of the association's ancestors asks the activities below it to be approved
    before they are held ("下级活动须经审批": the rule's own association is not below itself;
    otherwise a county's rule would hold the county's own activities for an approver above it,
    where nobody works)."""
    codes = association.ancestor_codes()[:-1]
    return Policy.objects.filter(association__code__in=codes, approval_required=True).exists()


def count(value: Any, *, field: str) -> int:
    """A whole number of people or items, 0 … MAX_COUNT, with a clear message otherwise."""
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError(gettext("请填写整数。"), field=field) from exc
    if number < 0:
        raise ServiceError(gettext("不能为负数。"), field=field)
    if number > MAX_COUNT:
        raise ServiceError(gettext("数字过大（最多%(max)s）。") % {"max": MAX_COUNT}, field=field)
    return number
