"""Rights cases (权益维护, plan measure 9): "倾听和反映计生家庭呼声，引导其依法合理表达利益诉求、
维护合法权益".

A case is a claim or a complaint of a special family or of any person, received by an
association (its scope) in one of a few ways, of a kind from a configurable list (each kind with
its default time limit). It is referred to a department, followed up (each step a row of its
timeline), closed with a result, and the person is asked whether they are satisfied; a
dissatisfied person's case can be taken up again (重新办理). Names, numbers and the claim itself
are protected values: encrypted, shown masked, revealed with a reason, each reveal audited.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, MultilineField


class CaseKind(models.Model):
    """One kind of case (政策落实, 扶助金发放, …): configurable, retired rather than deleted, each
    with the number of days a case of this kind is given by default."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = LineField(_("名称"), max_length=50)
    deadline_days = models.PositiveSmallIntegerField(_("办理时限（天）"), default=15)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("权益维护类别")
        verbose_name_plural = _("权益维护类别")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(ScopedQuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.exclude(status=Case.Status.CLOSED)

    def overdue(self, today: datetime.date) -> CaseQuerySet:
        """Past their deadline and not closed."""
        return self.open().filter(deadline__lt=today)


class Case(TimeStampedModel):
    class Channel(models.TextChoices):
        VISIT = "visit", _("来访")
        CALL = "call", _("来电")
        LETTER = "letter", _("来信")
        ONLINE = "online", _("网络")
        OUTREACH = "outreach", _("走访中发现")
        ASSIGNED = "assigned", _("上级转办")

    class Status(models.TextChoices):
        RECEIVED = "received", _("受理")
        REFERRED = "referred", _("已转办")
        IN_PROGRESS = "in_progress", _("办理中")
        CLOSED = "closed", _("办结")
        REOPENED = "reopened", _("重新办理")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        FAIRLY = "fairly", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("受理单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("计生特殊家庭"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rights_cases",
    )
    person_name = ProtectedField(_("当事人姓名"), kind="name")
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    id_number = ProtectedField(_("身份证号码"), kind="id_number", null=True, blank=True)
    id_number_hash = BlindIndexField(source="id_number")
    channel = models.CharField(_("受理方式"), max_length=10, choices=Channel.choices)
    received_on = models.DateField(_("受理日期"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.ForeignKey(
        CaseKind, verbose_name=_("诉求类别"), on_delete=models.PROTECT, related_name="cases"
    )
    claim = ProtectedField(_("诉求内容（敏感）"), kind="sensitive")
    department = LineField(_("转办部门"), max_length=100, blank=True)
    referred_on = models.DateField(_("转办日期"), null=True, blank=True)
    deadline = models.DateField(_("办理期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    result = MultilineField(_("办理结果"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_on = models.DateField(_("回访日期"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = CaseQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("权益维护案件")
        verbose_name_plural = _("权益维护案件")
        indexes = [
            models.Index(fields=["association", "status"], name="rights_case_assoc_status"),
            models.Index(fields=["status", "deadline"], name="rights_case_status_deadline"),
            models.Index(fields=["received_on", "id"], name="rights_case_received"),
            models.Index(fields=["deadline", "id"], name="rights_case_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="rights_case_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.kind.name if self.kind_id else ''}".strip()

    @property
    def number(self) -> str:
        """The case number on the receipt: year of receipt and id (2024-000123)."""
        return f"{self.received_on.year}-{self.pk or 0:06d}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_closed and self.deadline < today

    @property
    def on_time(self) -> bool | None:
        """Closed within the deadline (None while open)."""
        if self.closed_on is None:
            return None
        return self.closed_on <= self.deadline


class Step(models.Model):
    """One step of a case's timeline: received, referred, a follow-up (what was done), closed,
    the person's satisfaction, taken up again. Follow-ups are the steps of action `follow_up`."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("受理")
        REFERRED = "referred", _("转办")
        FOLLOW_UP = "follow_up", _("跟进")
        CLOSED = "closed", _("办结")
        RATED = "rated", _("满意度回访")
        REOPENED = "reopened", _("重新办理")
        CHANGED = "changed", _("修改")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=10, choices=Action.choices)
    on = models.DateField(_("日期"))
    note = MultilineField(_("情况"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "case__association__path"

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["on", "at", "id"]
        indexes = [models.Index(fields=["case", "action"], name="rights_step_case_action")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.on}"
