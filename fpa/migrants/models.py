"""流动人口与企业协会 (plan measure 10): the migrant registry and the profiles of the enterprise,
park and chamber associations.

A migrant (流动人口) is registered by one association (a village or community, a township, or a
non-territorial association: enterprise, park, chamber, migrant association, "党支部+计生协"),
as having moved in (流入) or out (流出). Scope follows that association's path like every
registry; everything about the person (family members, services received, needs) hangs on the
migrant by foreign key, so moving a migrant to another association (the transfer mechanism of
`fpa.core.transfers`) is changing `Migrant.association` and the history moves with it.

Origin and destination are division codes anywhere in China, checked against the national file
(`fpa.migrants.places`). The workplace is free text, linked to an enterprise-type association
where there is one.

An enterprise-type association gets an `EnterpriseProfile` (one to one): the firm or chamber,
its unified social credit code (`fpa.core.uscc`), size and employees, the Party branch of the
"党支部+计生协" form, and the 流动人口示范点 flag with its evaluations by year.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.core.care.models import NeedBase
from fpa.core.masking import mask_name
from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, MultilineField
from fpa.core.transfers import TransferBase, TransferQuerySet, one_open_per
from fpa.organizations.models import Association

# Association kinds that may hold migrants, and those that are a workplace (an employer's
# association) and may have a profile.
EMPLOYER_KINDS = (
    Association.Kind.ENTERPRISE,
    Association.Kind.PARK,
    Association.Kind.CHAMBER,
    Association.Kind.CHAMBER_JOINT,
    Association.Kind.PARTY_BRANCH,
)
PROFILE_KINDS = (*EMPLOYER_KINDS, Association.Kind.MIGRANT)
HOLDER_KINDS = (Association.Kind.VILLAGE, Association.Kind.TOWNSHIP, *PROFILE_KINDS)


class ServiceKind(models.Model):
    """A kind of service a migrant receives (健康宣传, 基本公共卫生服务, 计划生育服务, 奖励扶助兑现,
    其他): configurable, retired rather than deleted."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = LineField(_("名称"), max_length=50)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class MigrantQuerySet(ScopedQuerySet["Migrant"]):
    def active(self) -> MigrantQuerySet:
        return self.filter(status=Migrant.Status.ACTIVE)

    def departure_passed(self, today: datetime.date) -> MigrantQuerySet:
        """In the register after the departure date expected for them."""
        return self.active().filter(expected_departure__lt=today)


class Migrant(TimeStampedModel):
    class Direction(models.TextChoices):
        INFLOW = "inflow", _("流入")
        OUTFLOW = "outflow", _("流出")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        LEFT = "left", _("已离开")
        CANCELLED = "cancelled", _("已注销")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("登记协会"),
        on_delete=models.PROTECT,
        related_name="migrants",
    )
    direction = models.CharField(_("流动方向"), max_length=8, choices=Direction.choices)
    name = ProtectedField(_("姓名"), kind="name")
    id_number = ProtectedField(_("身份证号码"), kind="id_number")
    id_number_hash = BlindIndexField(source="id_number")
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    address = ProtectedField(_("现住址"), kind="sensitive", null=True, blank=True)
    origin_code = models.CharField(_("流出地（户籍地）区划代码"), max_length=12, blank=True)
    destination_code = models.CharField(_("流入地区划代码"), max_length=12, blank=True)
    workplace = LineField(_("工作单位"), max_length=200, blank=True)
    employer = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所在企业（园区、商会）计生协"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employed_migrants",
    )
    arrived_on = models.DateField(_("流入（流出）日期"), null=True, blank=True)
    expected_departure = models.DateField(_("预计离开日期"), null=True, blank=True)
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    status_reason = LineField(_("状态变更原因"), max_length=200, blank=True)
    registered_on = models.DateField(_("登记日期"), default=datetime.date.today)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = MigrantQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("流动人口")
        verbose_name_plural = _("流动人口")
        indexes = [
            models.Index(
                fields=["association", "status", "direction"], name="mig_migrant_assoc_status"
            ),
            models.Index(fields=["employer", "status"], name="mig_migrant_employer"),
            models.Index(fields=["origin_code", "id"], name="mig_migrant_origin"),
            models.Index(fields=["arrived_on", "id"], name="mig_migrant_arrived"),
            models.Index(fields=["status", "expected_departure"], name="mig_migrant_departure"),
        ]
        constraints = [
            # One record of a person per registering association (an import keyed on it is
            # idempotent); the same person may be 流出 in one place and 流入 in another.
            models.UniqueConstraint(
                fields=["association", "id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="mig_migrant_once_per_association",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_direction_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def departure_passed(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.is_active
            and self.expected_departure is not None
            and self.expected_departure < today
        )


class FamilyMember(TimeStampedModel):
    """A family member of a migrant (随迁或留守的家庭成员)."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        OTHER = "other", _("其他")

    migrant = models.ForeignKey(Migrant, on_delete=models.CASCADE, related_name="family")
    relation = models.CharField(_("关系"), max_length=8, choices=Relation.choices)
    name = ProtectedField(_("姓名"), kind="name")
    id_number = ProtectedField(_("身份证号码"), kind="id_number", null=True, blank=True)
    id_number_hash = BlindIndexField(source="id_number")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    moved_with = models.BooleanField(_("随迁"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "migrant__association__path"

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name}"


class ServiceRecord(TimeStampedModel):
    """A service a migrant received: kind, date, by whom, notes."""

    migrant = models.ForeignKey(Migrant, on_delete=models.CASCADE, related_name="services")
    kind = models.ForeignKey(
        ServiceKind, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="+"
    )
    served_on = models.DateField(_("服务日期"))
    provider = LineField(_("服务人员（单位）"), max_length=100)
    notes = MultilineField(_("说明"), blank=True)
    # Who recorded it, and where they sat then (a transfer later moves the migrant, not this).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_in = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "migrant__association__path"

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["migrant", "served_on"], name="mig_service_migrant")]

    def __str__(self) -> str:
        return f"{self.served_on} {self.kind_id}"


class Need(NeedBase):
    """诉求 of a migrant, on the care mechanism's needs (`fpa.core.care`): description, owner,
    deadline, status and result, raised and moved on through `fpa.core.care.services` with the
    module's spec (`fpa.migrants.care.MIGRANT_CARE`). A need may name the service record it was
    raised in. It hangs on the migrant, so it moves with the record on a transfer."""

    migrant = models.ForeignKey(Migrant, on_delete=models.CASCADE, related_name="needs")
    raised_in = models.ForeignKey(
        ServiceRecord,
        verbose_name=_("提出时的服务记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "migrant__association__path"

    class Meta:
        verbose_name = _("流动人口诉求")
        verbose_name_plural = _("流动人口诉求")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["migrant", "status"], name="mig_need_status"),
            models.Index(fields=["owner", "status", "due_date"], name="mig_need_owner"),
        ]


class EnterpriseProfile(TimeStampedModel):
    """The firm, park or chamber behind an enterprise-type association."""

    class Size(models.TextChoices):
        LARGE = "large", _("大型")
        MEDIUM = "medium", _("中型")
        SMALL = "small", _("小型")
        MICRO = "micro", _("微型")

    association = models.OneToOneField(
        "organizations.Association",
        verbose_name=_("协会"),
        on_delete=models.PROTECT,
        related_name="enterprise_profile",
    )
    firm_name = LineField(_("企业（园区、商会）名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = LineField(_("地址"), max_length=200, blank=True)
    size = models.CharField(_("规模"), max_length=8, choices=Size.choices, blank=True)
    employees = models.PositiveIntegerField(_("职工人数"), default=0)
    childbearing_employees = models.PositiveIntegerField(_("育龄职工人数"), default=0)
    party_branch_name = LineField(_("党支部名称"), max_length=100, blank=True)
    party_branch = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("党支部+计生协"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    demonstration = models.BooleanField(_("流动人口示范点"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("企业协会档案")
        verbose_name_plural = _("企业协会档案")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="mig_profile_unique_credit_code",
            ),
            models.CheckConstraint(
                condition=models.Q(childbearing_employees__lte=models.F("employees")),
                name="mig_profile_childbearing_within_employees",
            ),
        ]

    def __str__(self) -> str:
        return self.firm_name


class Evaluation(TimeStampedModel):
    """An evaluation of a 流动人口示范点 in a year."""

    class Level(models.TextChoices):
        COUNTY = "county", _("县级")
        PREFECTURE = "prefecture", _("州（市）级")
        PROVINCE = "province", _("省级")
        NATIONAL = "national", _("国家级")

    class Result(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        PASSED = "passed", _("合格")
        FAILED = "failed", _("不合格")

    profile = models.ForeignKey(
        EnterpriseProfile, on_delete=models.CASCADE, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices)
    notes = LineField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "profile__association__path"

    class Meta:
        verbose_name = _("示范点评估")
        verbose_name_plural = _("示范点评估")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "year", "level"], name="mig_evaluation_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()} {self.get_result_display()}"


class MigrantTransfer(TransferBase):
    """A migrant's record offered to another association (跨协会移交, `fpa.core.transfers`): when
    the person moves on within the deployment, the association holding the record offers it and
    the receiving one accepts (the record, with its family members, services and needs, moves) or
    declines with a reason (it stays)."""

    migrant = models.ForeignKey(
        Migrant, verbose_name=_("流动人口"), on_delete=models.PROTECT, related_name="transfers"
    )

    objects = TransferQuerySet["MigrantTransfer"].as_manager()

    class Meta:
        verbose_name = _("流动人口移交")
        verbose_name_plural = _("流动人口移交")
        ordering = ["-requested_on", "-id"]
        constraints = [one_open_per("migrant", name="mig_transfer_one_open")]

    def __str__(self) -> str:
        return f"{self.migrant_id} {self.from_association}→{self.to_association}"

    @property
    def subject_name(self) -> str:
        """Masked: the lists and the page show it to the receiving side before it accepts."""
        return mask_name(str(self.migrant.name or "")) or "—"
