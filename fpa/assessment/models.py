"""重点工作考评 (plan measures 11, 20, 21): the county's yearly scheme of indicators, and its
rounds, in which each township assesses itself, the county's scorers score it, the preliminary
results are published, townships appeal and the county answers, and the final results and
ranking are kept. Computed indicators are frozen per round in `Snapshot` rows, so later edits of
the records never move a published score.

Every change goes through `fpa.assessment.services` (atomic, audited, versioned).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.assessment import rules
from fpa.core.models import TimeStampedModel
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, MultilineField


class Scheme(TimeStampedModel):
    """A county's scheme (考核方案) for a year. Townships read it through
    `selectors.schemes_for`, as it covers them (their county is above them)."""

    county = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("县级计生协"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = LineField(_("方案名称"), max_length=100)
    published = models.BooleanField(_("已发布"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "county__path"

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="assess_scheme_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class Indicator(TimeStampedModel):
    class Kind(models.TextChoices):
        COMPUTED = "computed", _("平台数据自动计算")
        SCORED = "scored", _("自评加县级评分")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    area = LineField(_("考核类别"), max_length=40)
    name = LineField(_("指标名称"), max_length=100)
    weight = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    computed_key = models.CharField(_("计算指标"), max_length=60, blank=True)
    target = models.DecimalField(
        _("满分目标值"), max_digits=9, decimal_places=2, default=Decimal(100)
    )
    rule = MultilineField(_("评分规则"), max_length=500, blank=True)
    evidence = LineField(_("佐证材料要求"), max_length=200, blank=True)
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "scheme__county__path"

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def computed(self) -> bool:
        return self.kind == self.Kind.COMPUTED


class Round(TimeStampedModel):
    """An assessment round (考核轮次) of a scheme, moved through `rules.PHASES` in order."""

    class Phase(models.TextChoices):
        OPEN = rules.OPEN, _("准备")
        SELF = rules.SELF, _("乡镇自评")
        SCORING = rules.SCORING, _("县级评分")
        PRELIMINARY = rules.PRELIMINARY, _("初评结果已公布")
        APPEAL = rules.APPEAL, _("申诉期")
        FINAL = rules.FINAL, _("最终结果")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    title = LineField(_("轮次名称"), max_length=100)
    cutoff = models.DateField(_("数据截止日期"))
    phase = models.CharField(_("阶段"), max_length=12, choices=Phase.choices, default=Phase.OPEN)
    frozen_at = models.DateTimeField(_("计算指标冻结时间"), null=True, blank=True)
    public = models.BooleanField(_("对外公开最终结果"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "scheme__county__path"

    class Meta:
        verbose_name = _("考核轮次")
        verbose_name_plural = _("考核轮次")

    def __str__(self) -> str:
        return self.title

    @property
    def results_visible(self) -> bool:
        return self.phase in rules.RESULTS_VISIBLE


class Snapshot(models.Model):
    """A computed indicator's value for a township, frozen at the round's cut-off."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="snapshots")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("冻结值"), max_digits=12, decimal_places=2)
    numerator = models.DecimalField(_("分子"), max_digits=14, decimal_places=2)
    denominator = models.DecimalField(_("分母"), max_digits=14, decimal_places=2)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("计算指标快照")
        verbose_name_plural = _("计算指标快照")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator", "association"], name="assess_snapshot_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.indicator_id} {self.association_id}: {self.value}"


class Score(TimeStampedModel):
    """A township's self-assessment and the county's score of one people-scored indicator."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("乡镇"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    self_score = models.DecimalField(
        _("自评得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    self_note = MultilineField(_("自评说明及佐证"), max_length=1000, blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(
        _("县级评分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    score_note = MultilineField(_("评分理由"), max_length=1000, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("指标评分")
        verbose_name_plural = _("指标评分")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator", "association"], name="assess_score_once"
            )
        ]


class Appeal(TimeStampedModel):
    """A township's appeal (申诉) of one indicator's preliminary score, and the county's answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待答复")
        CHANGED = "changed", _("已答复，调整得分")
        KEPT = "kept", _("已答复，维持得分")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="appeals")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("乡镇"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = MultilineField(_("申诉理由及佐证"), max_length=1000)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    answer = MultilineField(_("答复"), max_length=1000, blank=True)
    score_before = models.DecimalField(
        _("原得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    score_after = models.DecimalField(
        _("调整后得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator", "association"], name="assess_appeal_once"
            )
        ]
