"""The special families in the care mechanism (`fpa.core.care`): the spec its services and
selectors take. A family takes new contact persons while it is active; staff holding
`family.edit` in scope, or a current contact person, record care and needs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from fpa.core.care.spec import CareSpec
from fpa.families.models import CareRecord, Contact, Family, Need


def _active(family: Any) -> bool:
    return bool(family.status == Family.Status.ACTIVE)


FAMILY_CARE = CareSpec(
    subject_model=Family,
    contact_model=Contact,
    record_model=CareRecord,
    need_model=Need,
    subject_field="family",
    edit_capability="family.edit",
    accepts_contacts=_active,
    not_accepting=gettext_noop("只能为在册家庭指定联系人。"),
    may_not_log=gettext_noop("只有管辖范围内的工作人员或该家庭的联系人可以记录。"),
    record_elsewhere=gettext_noop("该帮扶记录不属于此家庭。"),
    owner_out_of_scope=gettext_noop("责任人须为管辖该家庭的在用账号。"),
    nothing_to_hand_over=gettext_noop("此人在您的管辖范围内没有正在联系的家庭。"),
)
