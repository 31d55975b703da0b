"""干部直接联系基层 (plan measure 4): each county and township cadre keeps villages or families
as contact points (联系点), visits them and logs what they found: problems raised, solved, or
passed on (to a department, as a need of the family, fpa.families, or as a reform task,
fpa.tasks).

Every change goes through `fpa.cadres.services` (scoped, audited); reads through
`fpa.cadres.selectors`, inside the reader's subtree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, MultilineField

SUMMARY_MAX = 2000
FINDING_MAX = 500
NOTE_MAX = 500


class ContactPoint(TimeStampedModel):
    """A village (or one family in it) that a cadre keeps in direct contact with."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系干部"),
        on_delete=models.PROTECT,
        related_name="contact_points",
    )
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("联系村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("联系家庭"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = LineField(_("说明"), max_length=NOTE_MAX, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("干部联系点")
        verbose_name_plural = _("干部联系点")
        indexes = [models.Index(fields=["cadre", "end_date"], name="cadre_point_current")]

    def __str__(self) -> str:
        return f"{self.cadre_id} → {self.association_id}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class Visit(TimeStampedModel):
    """One visit of a cadre to a contact point (to the village, a home, or by phone)."""

    class Method(models.TextChoices):
        VILLAGE = "village", _("到村走访")
        HOME = "home", _("入户走访")
        MEETING = "meeting", _("座谈调研")
        PHONE = "phone", _("电话联系")

    point = models.ForeignKey(
        ContactPoint, verbose_name=_("联系点"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    summary = MultilineField(_("走访情况"), max_length=SUMMARY_MAX)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "point__association__path"

    class Meta:
        verbose_name = _("联系走访")
        verbose_name_plural = _("联系走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["point", "visited_on"], name="cadre_visit_point_day")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.visited_on}"


class Finding(TimeStampedModel):
    """A problem a visit found, and what became of it."""

    class Status(models.TextChoices):
        RAISED = "raised", _("待解决")
        SOLVED = "solved", _("已解决")
        PASSED_ON = "passed_on", _("已转交")

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), on_delete=models.PROTECT, related_name="findings"
    )
    text = LineField(_("问题"), max_length=FINDING_MAX)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RAISED
    )
    outcome = LineField(_("处理情况"), max_length=NOTE_MAX, blank=True)
    passed_to = LineField(_("转交给"), max_length=100, blank=True)
    # The family need it became (fpa.families), when it was passed on as one.
    need = models.ForeignKey(
        "families.Need",
        verbose_name=_("转为家庭需求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The reform task it became (fpa.tasks), when it was passed on as one.
    task = models.ForeignKey(
        "tasks.Task",
        verbose_name=_("转为改革任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(_("处理日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "visit__point__association__path"

    class Meta:
        verbose_name = _("走访发现的问题")
        verbose_name_plural = _("走访发现的问题")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:40]
