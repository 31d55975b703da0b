"""计生保险 (plan measures 8 and 15): products, policy years, who is insured, and claims.

A product belongs to an association (the deployment's county, or any association whose subtree it
serves); a policy year is one year of a product with the insurer's policy number and who pays
which share of the premium; an enrolment is one insured person in one policy year, whatever
registry the person comes from (a special family's person, a member, a volunteer); a claim is
reported against an enrolment that was in force on the day of the event.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Self, TypedDict, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.actors import Viewer
from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet, scope_path_of
from fpa.core.text import LineField, MultilineField


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Money = {"max_digits": 12, "decimal_places": 2}


def ancestor_paths(path: str) -> list[str]:
    """'/62/6229/622923/' -> ['/62/', '/62/6229/', '/62/6229/622923/']."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


_M = TypeVar("_M", bound=models.Model)


class OwnedQuerySet(ScopedQuerySet[_M]):
    """Products (and their policy years) serve the owner's subtree: a user sees those owned in
    their own subtree and those owned by an association above them (the county's products are
    read by every township and village; a township's own product is not seen by its neighbour)."""

    def visible_to(self, user: Viewer) -> Self:
        path = scope_path_of(user)
        if path is None:
            return self.none()
        field: str = getattr(self.model, "scope_field")  # noqa: B009 (declared by each model)
        return self.filter(
            models.Q(**{f"{field}__under": path})
            | models.Q(**{f"{field}__in": ancestor_paths(path)})
        )


class ProductQuerySet(OwnedQuerySet["Product"]):
    pass


class PolicyYearQuerySet(OwnedQuerySet["PolicyYear"]):
    pass


class Product(TimeStampedModel):
    class Kind(models.TextChoices):
        ACCIDENT = "accident", _("意外伤害")
        HOSPITAL = "hospital", _("住院护理补贴")
        COMPREHENSIVE = "comprehensive", _("综合保险")
        OTHER = "other", _("其他")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    insurer = LineField(_("保险公司"), max_length=100)
    name = LineField(_("险种名称"), max_length=100)
    kind = models.CharField(_("险种类别"), max_length=16, choices=Kind.choices)
    # [{"item": "意外身故", "amount": "50000.00"}, ...]
    cover_items = models.JSONField(_("保障项目及金额"), default=list, blank=True)
    premium = models.DecimalField(_("每人保费（元）"), **MONEY)
    min_age = models.PositiveSmallIntegerField(_("最低投保年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高投保年龄"), null=True, blank=True)
    start_month = models.PositiveSmallIntegerField(_("保险年度起始月"), default=1)
    start_day = models.PositiveSmallIntegerField(_("保险年度起始日"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    notes = MultilineField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ProductQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("保险产品")
        verbose_name_plural = _("保险产品")
        ordering = ["-active", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(premium__gte=0), name="ins_product_premium"),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.name}"

    def age_ok(self, age: int) -> bool:
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age
        )


class PolicyYear(TimeStampedModel):
    """One year of a product. The premium is split in yuan per person between the care fund, the
    government and the insured person; the three shares add up to the premium."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    starts_on = models.DateField(_("起保日期"))
    ends_on = models.DateField(_("终止日期"))
    policy_number = models.CharField(_("保单号"), max_length=60, blank=True)
    premium = models.DecimalField(_("每人保费（元）"), **MONEY)
    fund_share = models.DecimalField(_("生育关怀基金承担（元/人）"), default=Decimal(0), **MONEY)
    government_share = models.DecimalField(_("财政承担（元/人）"), default=Decimal(0), **MONEY)
    self_share = models.DecimalField(_("个人承担（元/人）"), default=Decimal(0), **MONEY)
    # The care fund's share posted as a grant of the fund (review, approval, notice, payment).
    grant = models.ForeignKey(
        "fund.Grant",
        verbose_name=_("基金资助"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    posted_count = models.PositiveIntegerField(_("计费人数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = PolicyYearQuerySet.as_manager()
    scope_field = "product__association__path"

    class Meta:
        verbose_name = _("保险年度")
        verbose_name_plural = _("保险年度")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "year"], name="ins_year_once"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="ins_year_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.year}"

    def shares_total(self) -> Decimal:
        return self.fund_share + self.government_share + self.self_share


def in_force_q(day: datetime.date) -> models.Q:
    """In force on `day` (the one rule; the queryset is the source of truth for figures): the
    cover starts on or before the day and ends on or after it, and the enrolment was not removed
    on or before it. A removal takes effect on `removed_on` (the cover ends the day before); a
    removed enrolment without a removal date is not in force on any day."""
    return models.Q(covered_from__lte=day, covered_to__gte=day) & (
        models.Q(removed_on__gt=day)
        | models.Q(removed_on__isnull=True, status=Enrolment.Status.ENROLLED)
    )


class EnrolmentQuerySet(ScopedQuerySet["Enrolment"]):
    def in_force_on(self, day: datetime.date) -> Self:
        return self.filter(in_force_q(day))


class Enrolment(TimeStampedModel):
    """One insured person in one policy year. The subject is exactly one of a special family's
    person (with the family copied, so that "is this family insured today" is one indexed EXISTS),
    a member or a volunteer; `subject_key` ("person:12") makes a second enrolment of the same
    person in the same year impossible, which is what makes enrolment by rule idempotent.

    The name and the ID number are kept as the insurer knows them (protected), so the roster and
    a claim do not change when the registry is corrected later. `covered_from`..`covered_to` is
    the enrolment's own cover: from the policy start or the day of enrolment, to the policy end
    or the day of removal."""

    class Source(models.TextChoices):
        PERSON = "person", _("特殊家庭成员")
        MEMBER = "member", _("会员")
        VOLUNTEER = "volunteer", _("志愿者")

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("在保")
        REMOVED = "removed", _("已退保")

    policy_year = models.ForeignKey(PolicyYear, on_delete=models.PROTECT, related_name="enrolments")
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    subject_key = models.CharField(max_length=32, editable=False)
    person = models.ForeignKey(
        "families.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    family = models.ForeignKey(
        "families.Family", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = ProtectedField(_("被保险人姓名"), kind="name")
    id_number = ProtectedField(_("身份证号码"), kind="id_number")
    id_number_hash = BlindIndexField(source="id_number")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    covered_from = models.DateField(_("保障起始"))
    covered_to = models.DateField(_("保障截止"))
    enrolled_on = models.DateField(_("参保日期"))
    removed_on = models.DateField(_("退保日期"), null=True, blank=True)
    removed_reason = LineField(_("退保原因"), max_length=200, blank=True)
    by_rule = models.BooleanField(_("按规则批量参保"), default=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = EnrolmentQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("参保人员")
        verbose_name_plural = _("参保人员")
        ordering = ["policy_year", "id"]
        indexes = [
            # The coverage measure: EXISTS (family = ? AND status AND dates).
            models.Index(
                fields=["family", "status", "covered_from", "covered_to"],
                name="ins_enr_family_in_force",
            ),
            models.Index(fields=["policy_year", "status", "id"], name="ins_enr_year_status"),
            models.Index(fields=["association", "policy_year"], name="ins_enr_assoc_year"),
            # The policy-year roster (`selectors.roster`): policy_year = ? and the associations
            # of the user's subtree (the scope join), newest enrolment first (the default sort,
            # keyset on id): one range per association, already in id order.
            models.Index(fields=["policy_year", "association", "id"], name="ins_enr_year_assoc"),
            models.Index(fields=["person", "status"], name="ins_enr_person"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["policy_year", "subject_key"], name="ins_enr_once"),
            models.CheckConstraint(
                condition=models.Q(covered_to__gte=models.F("covered_from")),
                name="ins_enr_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.policy_year_id}"

    def in_force_on(self, day: datetime.date) -> bool:
        """The rule of `in_force_q` on one loaded row (the claim check, the pages): a removed
        enrolment stays in force until the day before its removal date."""
        if not self.covered_from <= day <= self.covered_to:
            return False
        if self.removed_on is not None:
            return day < self.removed_on
        return self.status == self.Status.ENROLLED


class ClaimQuerySet(ScopedQuerySet["Claim"]):
    def overdue(self, today: datetime.date) -> Self:
        """Submitted and still unanswered after the answer's due day."""
        return self.filter(status=Claim.Status.SUBMITTED, due_on__lt=today)


class Claim(TimeStampedModel):
    class Kind(models.TextChoices):
        ACCIDENT = "accident", _("意外伤害")
        HOSPITAL = "hospital", _("住院")
        DEATH = "death", _("身故")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        REPORTED = "reported", _("已报案")
        SUBMITTED = "submitted", _("已提交保险公司")
        PAID = "paid", _("已赔付")
        REFUSED = "refused", _("已拒赔")
        CLOSED = "closed", _("已结案")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="claims")
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    family = models.ForeignKey(
        "families.Family", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event_on = models.DateField(_("出险日期"))
    kind = models.CharField(_("出险类别"), max_length=10, choices=Kind.choices)
    description = ProtectedField(_("出险经过（敏感）"), kind="sensitive")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.REPORTED
    )
    reported_on = models.DateField(_("报案日期"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    # The day by which the insurer should answer: submitted_on + the configured days (kept on the
    # row so that the overdue list is one indexed condition; recomputed when the setting changes).
    due_on = models.DateField(_("答复期限"), null=True, blank=True)
    decided_on = models.DateField(_("赔付/拒赔日期"), null=True, blank=True)
    amount_paid = models.DecimalField(_("赔付金额（元）"), null=True, blank=True, **MONEY)
    refusal_reason = LineField(_("拒赔原因"), max_length=300, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    care_record = models.ForeignKey(
        "families.CareRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ClaimQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("理赔")
        verbose_name_plural = _("理赔")
        ordering = ["-event_on", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="ins_claim_due"),
            models.Index(fields=["association", "status"], name="ins_claim_assoc_status"),
            models.Index(fields=["event_on", "id"], name="ins_claim_event"),
            models.Index(fields=["decided_on"], name="ins_claim_decided"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_paid__isnull=True) | models.Q(amount_paid__gte=0),
                name="ins_claim_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_on} {self.get_kind_display()}"


class ClaimDocument(models.Model):
    """A validated file (fpa.core.uploads) kept in private storage, served only in scope."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    file = models.CharField(max_length=255)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "claim__association__path"

    class Meta:
        verbose_name = _("理赔材料")
        verbose_name_plural = _("理赔材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Settings(models.Model):
    """One row: the days after submission without an answer from the insurer that make a claim
    overdue."""

    overdue_days = models.PositiveSmallIntegerField(_("理赔超期天数"), default=30)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("保险设置")
        verbose_name_plural = _("保险设置")

    def __str__(self) -> str:
        return f"{self.overdue_days}"

    @classmethod
    def current(cls) -> Settings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row
