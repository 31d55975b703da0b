"""健康家庭创建 (plan measure 8): a village association nominates a family for a year, its
township recommends it or not, the county names it or not; the county's list of named families
is published, each household by name only when the family agreed to it (fpa.core.consent).

Every change goes through `fpa.healthyfamilies.services` (audited, versioned) and leaves a
`NominationStep` for the nomination's page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, MultilineField, NameField
from fpa.healthyfamilies import rules


class Nomination(TimeStampedModel):
    class Status(models.TextChoices):
        NOMINATED = "nominated", _("已提名")
        RECOMMENDED = "recommended", _("乡镇已推荐")
        NOT_RECOMMENDED = "not_recommended", _("乡镇未推荐")
        AWARDED = "awarded", _("县级已命名")
        NOT_AWARDED = "not_awarded", _("县级未命名")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("提名村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    household_name = NameField(_("户名（户主姓名）"), max_length=50)
    members_count = models.PositiveSmallIntegerField(_("家庭人口"))
    address = LineField(_("住址"), max_length=200)
    reason = MultilineField(_("提名理由"), max_length=rules.REASON_MAX)
    # The consent text the family agreed to when it allowed its name to be published; None: the
    # public list shows "某户（未公开姓名）".
    consent = models.ForeignKey(
        "core.ConsentText",
        verbose_name=_("公开户名同意书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.NOMINATED
    )
    nominated_on = models.DateField(_("提名日期"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提名人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_opinion = LineField(_("乡镇意见"), max_length=rules.OPINION_MAX, blank=True)
    reviewed_on = models.DateField(_("乡镇审核日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("乡镇审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_opinion = LineField(_("县级意见"), max_length=rules.OPINION_MAX, blank=True)
    decision_document = LineField(_("命名文号"), max_length=rules.DOCUMENT_MAX, blank=True)
    decided_on = models.DateField(_("县级决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("县级决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The list's "by village" order: the village's code, then the id (unique, so a keyset page
    # can follow it; set by the service when the nomination is made).
    place_key = models.CharField(max_length=48, unique=True, null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("健康家庭提名")
        verbose_name_plural = _("健康家庭提名")
        indexes = [
            models.Index(fields=["year", "status", "id"], name="hf_nom_year_status"),
            models.Index(fields=["association", "year"], name="hf_nom_assoc_year"),
        ]
        constraints = [
            # The service refuses a second nomination of the same household with a message;
            # this holds under concurrent saves.
            models.UniqueConstraint(
                fields=["association", "year", "household_name", "address"],
                name="hf_nom_once_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.household_name}"

    @property
    def published(self) -> bool:
        """Whether the family agreed to have its name on the public list."""
        return self.consent_id is not None

    @property
    def public_name(self) -> str:
        return rules.public_name(self.household_name, self.published)


class NominationStep(models.Model):
    """One change of a nomination's status (or of its publication consent), with who and why."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=Nomination.Status.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=Nomination.Status.choices)
    note = LineField(_("说明"), max_length=400, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "nomination__association__path"

    class Meta:
        verbose_name = _("提名处理记录")
        verbose_name_plural = _("提名处理记录")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.from_status}→{self.to_status}"
