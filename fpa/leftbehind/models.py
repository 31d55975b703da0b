"""三留守 (left-behind elderly, children and women; plan measure 10): the registry, and its
contact persons, care log and needs through the shared care mechanism (`fpa.core.care`).

Children's records are sensitive personal information (PIPL art. 28, 31: under 14): staff see
them only with `leftbehind.children`, or as one of the child's current contact persons; a child
is a record of kind 留守儿童, or anyone under 14 by birth date. The contact roles and care kinds
are the families module's configurable lists (one table each, shared: the county sets its
contact roles and their visit rules once).
"""

from __future__ import annotations

import datetime
from typing import Self, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fpa.core.actors import Viewer, signed_in
from fpa.core.care.models import CareRecordBase, ContactBase, NeedBase, StoredScheduleBase
from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet, scope_path_of
from fpa.core.text import LineField

_M = TypeVar("_M", bound=models.Model)

CHILD_AGE = 14  # under 14: sensitive personal information (PIPL art. 28)


def child_born_after(today: datetime.date) -> datetime.date:
    """Born after this day: under 14 on `today`."""
    try:
        return today.replace(year=today.year - CHILD_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - CHILD_AGE, day=28)


def child_q(prefix: str = "", today: datetime.date | None = None) -> models.Q:
    """The rows that are children's records: kind 留守儿童, or under 14 by birth date."""
    born_after = child_born_after(today or timezone.localdate())
    return models.Q(**{f"{prefix}kind": "child"}) | models.Q(
        **{f"{prefix}birth_date__gt": born_after}
    )


MINE_LIMIT = 2000  # the people one contact person looks after, at most


class LeftBehindScopedQuerySet(ScopedQuerySet[_M]):
    """Staff holding `leftbehind.view` see their subtree (children's records only with
    `leftbehind.children`); a contact person sees the people they currently look after,
    whatever their home association or capabilities."""

    person_ref = "person"
    child_prefix = "person__"

    def visible_to(self, user: Viewer) -> Self:
        path = scope_path_of(user)
        if path is None or not signed_in(user):
            return self.none()
        own = LeftBehindContact.objects.filter(user=user.pk, end_date__isnull=True).values(
            "person_id"
        )
        mine = models.Q(**{f"{self.person_ref}__in": own})
        if not user.has_capability("leftbehind.view"):
            return self.filter(mine)
        field: str = getattr(self.model, "scope_field")  # noqa: B009 (declared by each model)
        in_tree = models.Q(**{f"{field}__under": path})
        if not user.has_capability("leftbehind.children"):
            in_tree &= ~child_q(self.child_prefix)
        # The people the user looks after, as ids: an OR of the subtree with a subquery makes
        # PostgreSQL scan the whole table (3 s at national scale, bench/issue14_bench.py); with
        # none (most staff) the subtree alone, which its indexes serve.
        looked_after = list(own.values_list("person_id", flat=True)[:MINE_LIMIT])
        if not looked_after:
            return self.filter(in_tree)
        return self.filter(in_tree | models.Q(**{f"{self.person_ref}__in": looked_after}))


class PersonQuerySet(LeftBehindScopedQuerySet["LeftBehindPerson"]):
    person_ref = "pk"
    child_prefix = ""

    def active(self) -> Self:
        return self.filter(status=LeftBehindPerson.Status.ACTIVE)

    def children(self) -> Self:
        return self.filter(child_q())


class LeftBehindPerson(StoredScheduleBase, TimeStampedModel):
    """One left-behind person: an elderly person, a child or a woman whose family members work
    away from home. Its contact schedule is stored on the row (`StoredScheduleBase`, refreshed
    by the care services): "overdue" is a condition of the database at any scale."""

    class Kind(models.TextChoices):
        ELDERLY = "elderly", _("留守老人")
        CHILD = "child", _("留守儿童")
        WOMAN = "woman", _("留守妇女")

    class Risk(models.TextChoices):
        LOW = "low", pgettext_lazy("risk", "低")
        MEDIUM = "medium", pgettext_lazy("risk", "中")
        HIGH = "high", pgettext_lazy("risk", "高")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        ENDED = "ended", _("已结束")

    class EndReason(models.TextChoices):
        RETURNED = "returned", _("家人返乡")
        GROWN_UP = "grown_up", _("儿童已成年")
        MOVED = "moved", _("迁出")
        DECEASED = "deceased", _("亡故")
        OTHER = "other", _("其他")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属村（社区）"),
        on_delete=models.PROTECT,
        related_name="left_behind",
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = ProtectedField(_("姓名"), kind="name")
    id_number = ProtectedField(_("身份证号码"), kind="id_number", null=True, blank=True)
    id_number_hash = BlindIndexField(source="id_number")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    address = ProtectedField(_("住址"), kind="sensitive", null=True, blank=True)
    guardian_name = ProtectedField(_("监护人/家属姓名"), kind="name", null=True, blank=True)
    guardian_relation = LineField(_("与本人关系"), max_length=20, blank=True)
    guardian_phone = ProtectedField(_("监护人/家属电话"), kind="phone", null=True, blank=True)
    guardian_phone_hash = BlindIndexField(source="guardian_phone")
    absent_members = LineField(_("外出家庭成员"), max_length=100, blank=True)
    absent_workplace = LineField(_("外出务工地点"), max_length=200, blank=True)
    absent_division = models.CharField(_("务工地区划代码"), max_length=12, blank=True)
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, default=Risk.LOW)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    end_reason = models.CharField(
        _("结束原因"), max_length=10, choices=EndReason.choices, blank=True
    )
    end_note = LineField(_("结束说明"), max_length=200, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    registered_on = models.DateField(_("登记日期"), default=datetime.date.today)
    notes = ProtectedField(_("备注（敏感）"), kind="sensitive", null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = PersonQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("三留守人员")
        verbose_name_plural = _("三留守人员")
        indexes = [
            models.Index(fields=["association", "status", "kind"], name="lb_person_assoc"),
            models.Index(fields=["status", "risk"], name="lb_person_risk"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="lb_person_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shown_name}（{self.get_kind_display()}）"

    def is_child(self, today: datetime.date | None = None) -> bool:
        if self.kind == self.Kind.CHILD:
            return True
        return self.birth_date is not None and self.birth_date > child_born_after(
            today or timezone.localdate()
        )

    @property
    def shown_name(self) -> str:
        """The name as lists show it: in full for an adult, masked for a child (revealed only
        through the audited reveal)."""
        if not self.name:
            return ""
        return str(self.name) if self.is_child() else self.name.reveal_unchecked()

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class LeftBehindContact(ContactBase):
    """A contact person looking after a left-behind person (the care mechanism's contact)."""

    person = models.ForeignKey(LeftBehindPerson, on_delete=models.CASCADE, related_name="contacts")
    role = models.ForeignKey(
        "families.ContactRole", on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leftbehind_contacts",
    )

    objects = LeftBehindScopedQuerySet.as_manager()
    scope_field = "person__association__path"

    class Meta:
        verbose_name = _("三留守联系人")
        verbose_name_plural = _("三留守联系人")
        indexes = [
            models.Index(fields=["person", "end_date"], name="lb_contact_current"),
            models.Index(fields=["user", "end_date"], name="lb_contact_user"),
        ]


class LeftBehindCare(CareRecordBase):
    """One contact with a left-behind person: a visit, a call, help given …"""

    person = models.ForeignKey(
        LeftBehindPerson, on_delete=models.CASCADE, related_name="care_records"
    )
    kind = models.ForeignKey(
        "families.CareKind", on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    contact = models.ForeignKey(
        LeftBehindContact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_records",
    )

    objects = LeftBehindScopedQuerySet.as_manager()
    scope_field = "person__association__path"

    class Meta:
        verbose_name = _("三留守关爱记录")
        verbose_name_plural = _("三留守关爱记录")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["person", "occurred_on"], name="lb_care_person_date")]


class LeftBehindNeed(NeedBase):
    """诉求 of a left-behind person, tracked to resolution."""

    person = models.ForeignKey(LeftBehindPerson, on_delete=models.CASCADE, related_name="needs")
    raised_in = models.ForeignKey(
        LeftBehindCare, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs"
    )

    objects = LeftBehindScopedQuerySet.as_manager()
    scope_field = "person__association__path"

    class Meta:
        verbose_name = _("三留守诉求")
        verbose_name_plural = _("三留守诉求")
        indexes = [
            models.Index(fields=["person", "status"], name="lb_need_status"),
            models.Index(fields=["owner", "status", "due_date"], name="lb_need_owner"),
        ]
