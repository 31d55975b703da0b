"""Reports up the chain (上报): one report per association, kind and period, its figures by field
key, the records behind each derived figure once frozen, its review history, the county's custom
kinds and the due dates it sets.

Figures are stored by field key (never by column), so a field that a new module starts to derive
needs no migration of the reports already filed. A report's figures are written when it is
submitted (derived figures as they stand, hand figures as typed) and are not touched again unless
it is returned; once accepted they are the snapshot that `ReportEvidence` completes with the ids
of the records behind each derived figure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.review import Reviewed, ReviewStepBase
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, NameField


class Report(TimeStampedModel, Reviewed):
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("填报单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("报表"), max_length=40)
    period = models.CharField(_("报告期"), max_length=10)
    due_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("上报报表")
        verbose_name_plural = _("上报报表")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "kind", "period"], name="rep_report_once"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "period", "status"], name="rep_report_kind_period"),
            models.Index(fields=["status", "due_on"], name="rep_report_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.association_id}"


class ReportValue(models.Model):
    """One figure of a report: by field key, derived or typed, as submitted."""

    class Source(models.TextChoices):
        DERIVED = "derived", _("自动生成")
        HAND = "hand", _("手工填报")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    key = models.CharField(_("指标"), max_length=80)
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=2)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)

    objects = ScopedQuerySet.as_manager()
    scope_field = "report__association__path"

    class Meta:
        verbose_name = _("报表数值")
        verbose_name_plural = _("报表数值")
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="rep_value_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class ReportEvidence(models.Model):
    """The records behind one derived figure of a submitted report: the frozen list that later
    changes of the records do not move (a separate table, keyed by report and field key)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    key = models.CharField(_("指标"), max_length=80)
    model = models.CharField(_("记录类型"), max_length=60, blank=True)
    record_ids = models.JSONField(_("记录"), default=list)
    url = models.CharField(_("明细链接"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "report__association__path"

    class Meta:
        verbose_name = _("报表依据")
        verbose_name_plural = _("报表依据")
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="rep_evidence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({len(self.record_ids)})"


class ReportStep(ReviewStepBase):
    """The report's history: each submission, return (with its reason) and acceptance."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="steps")

    objects = ScopedQuerySet.as_manager()
    scope_field = "report__association__path"

    class Meta:
        verbose_name = _("上报记录")
        verbose_name_plural = _("上报记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


class CustomKind(TimeStampedModel):
    """A simple report kind the county adds: numeric fields entered by hand."""

    class Periodicity(models.TextChoices):
        MONTH = "month", _("月报")
        QUARTER = "quarter", _("季报")
        YEAR = "year", _("年报")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("设置单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = NameField(_("报表名称"), max_length=60)
    periodicity = models.CharField(_("周期"), max_length=10, choices=Periodicity.choices)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("自定义报表")
        verbose_name_plural = _("自定义报表")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CustomField(models.Model):
    kind = models.ForeignKey(CustomKind, on_delete=models.CASCADE, related_name="fields")
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    label = LineField(_("指标名称"), max_length=60)
    unit = LineField(_("单位"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("自定义指标")
        verbose_name_plural = _("自定义指标")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.label


class DueDate(models.Model):
    """A due date the county set for a kind and period (else the kind's default rule)."""

    association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("报表"), max_length=40)
    period = models.CharField(_("报告期"), max_length=10)
    due_on = models.DateField(_("截止日期"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("截止日期")
        verbose_name_plural = _("截止日期")
        constraints = [
            models.UniqueConstraint(fields=["association", "kind", "period"], name="rep_due_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.due_on}"
