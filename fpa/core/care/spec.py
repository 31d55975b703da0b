"""`CareSpec`: how one module plugs its subject into the care mechanism.

A module declares one spec beside its models (`fpa.families.care.FAMILY_CARE`,
`fpa.leftbehind.care.PERSON_CARE`) and passes it to the generic services and selectors. The
subject carries its association (`subject.association`, with a materialised `path`); the
concrete models name the subject by `subject_field` ("family", "person").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from fpa.core.actors import Viewer


def _always(actor: Any, subject: Any) -> bool:
    return True


def _accepts_all(subject: Any) -> bool:
    return True


@dataclass(frozen=True)
class CareSpec:
    subject_model: type[Any]
    contact_model: type[Any]
    record_model: type[Any]
    need_model: type[Any]
    subject_field: str  # the foreign key to the subject on the three concrete models
    edit_capability: str  # staff who may assign contacts, log care and handle needs in scope
    # Whether a subject takes new contact persons (an active family, a registered person).
    accepts_contacts: Callable[[Any], bool] = _accepts_all
    # A further condition on staff beyond capability and scope (left-behind children: the
    # `leftbehind.children` capability). A current contact person passes without it.
    staff_may: Callable[[Viewer, Any], bool] = _always
    # Messages (marked for translation, translated when raised).
    not_accepting: str = gettext_noop("只能为在册对象指定联系人。")
    may_not_log: str = gettext_noop("只有管辖范围内的工作人员或该对象的联系人可以记录。")
    record_elsewhere: str = gettext_noop("该帮扶记录不属于此对象。")
    owner_out_of_scope: str = gettext_noop("责任人须为管辖该对象的在用账号。")
    # A handover (`services.contacts_hand_over`) refused because one subject fails `staff_may`.
    staff_may_not: str = gettext_noop("您的角色无权进行此操作。")
    nothing_to_hand_over: str = gettext_noop("此人在您的管辖范围内没有正在联系的对象。")

    def of(self, subject: Any) -> dict[str, Any]:
        """The lookup of the rows that belong to `subject`."""
        return {self.subject_field: subject}

    def id_field(self) -> str:
        return f"{self.subject_field}_id"
