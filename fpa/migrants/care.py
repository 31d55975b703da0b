"""The migrant registry in the care mechanism (`fpa.core.care`), for its needs (诉求) only: the
spec the core need services and selectors take. Staff holding `migrant.edit` whose subtree holds
the migrant's association raise and move needs on.

Migrants have no contact persons and no care log of their own: the services received
(`ServiceRecord`) stand as the record a need may be raised in, and the contact lookups of the
mechanism find nobody (`NoContacts`), so only staff in scope pass its checks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from fpa.core.care.spec import CareSpec
from fpa.migrants.models import Migrant, Need, ServiceRecord


class _NoRows:
    """The part of a queryset the care mechanism reads of contacts, always empty."""

    def filter(self, *args: Any, **kwargs: Any) -> _NoRows:
        return self

    def order_by(self, *fields: str) -> _NoRows:
        return self

    def select_related(self, *fields: str) -> _NoRows:
        return self

    def visible_to(self, user: Any) -> _NoRows:
        return self

    def first(self) -> None:
        return None

    def exists(self) -> bool:
        return False

    def count(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(())


class NoContacts:
    """Stands for the contact model: a migrant has no contact persons."""

    objects = _NoRows()


MIGRANT_CARE = CareSpec(
    subject_model=Migrant,
    contact_model=NoContacts,
    record_model=ServiceRecord,
    need_model=Need,
    subject_field="migrant",
    edit_capability="migrant.edit",
    accepts_contacts=lambda migrant: False,
    may_not_log=gettext_noop("只有管辖范围内的工作人员可以登记和办理流动人口诉求。"),
    record_elsewhere=gettext_noop("该服务记录不属于此流动人口。"),
    owner_out_of_scope=gettext_noop("责任人须为能查看该流动人口的在用账号。"),
)
