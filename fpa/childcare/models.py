"""Childcare institutions (托育机构) under the association's supervision (plan measure 6):
"开展婴幼儿照护服务的宣传教育和社会监督，指导各类婴幼儿照护服务机构按照相关标准规范运营，积极参与
省、州级示范试点托育机构评审工作".

An institution is registered in the area of an association (county, township or village); the
township or the county inspects it against a configurable checklist (each inspection keeps its own
copy of the items it was scored on); the problems found are rectified by the institution's
association and verified and closed (销号) by the inspecting level; institutions are recommended
for the prefecture's or the province's model evaluation (州级、省级示范).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, MultilineField, NameField


class Institution(TimeStampedModel):
    class Kind(models.TextChoices):
        FULL_DAY = "full_day", _("全日托")
        HALF_DAY = "half_day", _("半日托")
        HOURLY = "hourly", _("计时托")
        TEMPORARY = "temporary", _("临时托")

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹建")
        OPERATING = "operating", _("运营")
        CLOSED = "closed", _("停业")

    class Registration(models.TextChoices):
        CREDIT = "credit", _("统一社会信用代码")
        LICENCE = "licence", _("备案号或许可证号")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所在区域"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = NameField(_("机构名称"), max_length=100)
    registration_kind = models.CharField(
        _("登记号码类型"),
        max_length=10,
        choices=Registration.choices,
        default=Registration.CREDIT,
    )
    registration_number = models.CharField(_("登记号码"), max_length=40, blank=True)
    operator = NameField(_("举办者"), max_length=100)
    address = LineField(_("地址"), max_length=200)
    kind = models.CharField(_("托育类型"), max_length=10, choices=Kind.choices)
    capacity = models.PositiveIntegerField(_("托位数"))
    places_used = models.PositiveIntegerField(_("在托人数"), default=0)
    inclusive = models.BooleanField(_("普惠性"), default=False)
    contact_name = NameField(_("联系人"), max_length=50)
    phone = ProtectedField(_("联系电话"), kind="phone")
    phone_hash = BlindIndexField(source="phone")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    planned_on = models.DateField(_("筹建日期"), null=True, blank=True)
    opened_on = models.DateField(_("开业日期"), null=True, blank=True)
    closed_on = models.DateField(_("停业日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("托育机构")
        verbose_name_plural = _("托育机构")
        indexes = [
            models.Index(fields=["association", "status"], name="cc_inst_assoc_status"),
            models.Index(fields=["name", "id"], name="cc_inst_name"),
            models.Index(fields=["capacity", "id"], name="cc_inst_capacity"),
        ]
        constraints = [
            # One record per registration: a second one is a duplicate (a closed institution
            # that opens again is the same record, its status changed).
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~models.Q(registration_number=""),
                name="cc_inst_unique_registration",
            ),
            models.CheckConstraint(
                condition=models.Q(places_used__lte=models.F("capacity")),
                name="cc_inst_places_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One item of the inspection checklist (托育机构设置标准、管理规范): configurable, retired
    rather than deleted. An inspection copies the text and the maximum it was scored on."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    text = LineField(_("检查内容"), max_length=200)
    max_score = models.DecimalField(_("满分"), max_digits=4, decimal_places=1)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.text


class Inspection(TimeStampedModel):
    """A visit of the township or the county to an institution, scored item by item."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="inspections"
    )
    # The inspecting level: the home association of who recorded it (township or county).
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("检查单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspected_on = models.DateField(_("检查日期"))
    inspectors = LineField(_("检查人员"), max_length=200)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=1)
    max_total = models.DecimalField(_("满分合计"), max_digits=6, decimal_places=1)
    notes = MultilineField(_("总体意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "institution__association__path"

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-inspected_on", "-id"]
        indexes = [
            models.Index(fields=["institution", "inspected_on"], name="cc_insp_inst_date"),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.institution_id}"


class InspectionScore(models.Model):
    """One checklist item as it was scored: its code, text and maximum copied, so that a later
    change of the checklist leaves this inspection as it was."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("代码"), max_length=30)
    text = models.CharField(_("检查内容"), max_length=200)
    max_score = models.DecimalField(_("满分"), max_digits=4, decimal_places=1)
    score = models.DecimalField(_("得分"), max_digits=4, decimal_places=1)
    note = LineField(_("扣分说明"), max_length=300, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "inspection__institution__association__path"

    class Meta:
        verbose_name = _("检查得分")
        verbose_name_plural = _("检查得分")
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="cc_score_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=models.F("max_score")),
                name="cc_score_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text} {self.score}/{self.max_score}"


class ProblemQuerySet(ScopedQuerySet):
    def unresolved(self) -> ProblemQuerySet:
        return self.exclude(status=Problem.Status.CLOSED)

    def overdue(self, today: datetime.date) -> ProblemQuerySet:
        """Still to be rectified after the deadline (a rectification waiting to be verified is
        the inspecting level's work, not the institution's delay)."""
        return self.filter(status=Problem.Status.OPEN, deadline__lt=today)


class Problem(TimeStampedModel):
    """A problem found at an inspection, tracked until it is closed (销号)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("已整改待复查")
        CLOSED = "closed", _("已销号")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="problems")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="problems")
    description = LineField(_("问题描述"), max_length=500)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    rectification = MultilineField(_("整改情况"), blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ProblemQuerySet.as_manager()
    scope_field = "institution__association__path"

    class Meta:
        verbose_name = _("整改问题")
        verbose_name_plural = _("整改问题")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="cc_problem_status_deadline"),
            models.Index(fields=["institution", "status"], name="cc_problem_inst_status"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.deadline < today


class ProblemStep(models.Model):
    """One step of a problem's rectification: recorded, returned with a reason, closed."""

    class Action(models.TextChoices):
        RECTIFIED = "rectified", _("报整改")
        RETURNED = "returned", _("退回重改")
        CLOSED = "closed", _("复查销号")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=10, choices=Action.choices)
    on = models.DateField(_("日期"))
    note = MultilineField(_("说明"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "problem__institution__association__path"

    class Meta:
        verbose_name = _("整改环节")
        verbose_name_plural = _("整改环节")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.action}"


class Recommendation(TimeStampedModel):
    """An institution recommended for the prefecture's or the province's model evaluation
    (州级、省级示范托育机构) in a year, and the outcome."""

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", _("州级")
        PROVINCE = "province", _("省级")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待评审")
        NAMED = "named", _("已命名")
        FAILED = "failed", _("未通过")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="recommendations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("推荐单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推荐人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recommended_on = models.DateField(_("推荐日期"))
    outcome = models.CharField(
        _("评审结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True)
    note = LineField(_("说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "institution__association__path"

    class Meta:
        verbose_name = _("示范推荐")
        verbose_name_plural = _("示范推荐")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "level", "year"],
                condition=models.Q(outcome="pending"),
                name="cc_recommendation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()}"
