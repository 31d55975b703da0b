"""The 三留守 registry in the care mechanism (`fpa.core.care`): the spec its services and
selectors take. Staff holding `leftbehind.edit` in scope record care and needs and assign
contacts; for a child's record they must also hold `leftbehind.children`. A current contact
person records care and needs whatever their capabilities."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from fpa.core.actors import Viewer
from fpa.core.care.spec import CareSpec
from fpa.leftbehind.models import (
    LeftBehindCare,
    LeftBehindContact,
    LeftBehindNeed,
    LeftBehindPerson,
)


def may_see_child(user: Viewer, person: Any) -> bool:
    """Staff may act on a child's record only with `leftbehind.children`."""
    allowed = getattr(user, "has_capability", None)
    return bool((allowed is not None and allowed("leftbehind.children")) or not person.is_child())


def _active(person: Any) -> bool:
    return bool(person.status == LeftBehindPerson.Status.ACTIVE)


PERSON_CARE = CareSpec(
    subject_model=LeftBehindPerson,
    contact_model=LeftBehindContact,
    record_model=LeftBehindCare,
    need_model=LeftBehindNeed,
    subject_field="person",
    edit_capability="leftbehind.edit",
    accepts_contacts=_active,
    staff_may=may_see_child,
    not_accepting=gettext_noop("只能为在册人员指定联系人。"),
    may_not_log=gettext_noop("只有管辖范围内的工作人员或该人员的联系人可以记录。"),
    record_elsewhere=gettext_noop("该关爱记录不属于此人员。"),
    owner_out_of_scope=gettext_noop("责任人须为能查看该人员的在用账号。"),
    staff_may_not=gettext_noop(
        "要交接的人员中有留守儿童，交接须有“留守儿童信息”权限，请由乡镇（街道）办理。"
    ),
    nothing_to_hand_over=gettext_noop("此人在您的管辖范围内没有正在联系的三留守人员。"),
)
