"""Special families (计生特殊家庭) and the 暖心行动 care work (plan measures 8, 15, 16)."""

from __future__ import annotations

import datetime
from typing import Self, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.actors import Viewer, signed_in
from fpa.core.care.models import CareRecordBase, ContactBase, NeedBase
from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet, scope_path_of
from fpa.core.text import LineField, MultilineField, NameField
from fpa.core.transfers import TransferBase, TransferQuerySet, one_open_per

_M = TypeVar("_M", bound=models.Model)


class FamilyScopedQuerySet(ScopedQuerySet[_M]):
    """Family data is sensitive (PIPL art. 28): staff holding `family.view` see their subtree; a
    contact person sees the families they currently look after, whatever their home association.

    The filter names the visible families as one set, `family IN (families of the subtree UNION
    families the user looks after)`, rather than `subtree OR looks after`: an OR across the join
    to the association hides the subtree's selectivity from the planner, and PostgreSQL then walks
    the whole families table in id order for a list page of a township (13 s at one million
    families, against 1 ms for the set). For a province or the whole country, where most families
    are in scope, walking in id order is the right plan, and the OR form is kept.
    """

    family_ref = "family"
    WIDE_SCOPE_DEPTH = 1  # path depth of a province: /62/

    def visible_to(self, user: Viewer) -> Self:
        path = scope_path_of(user)
        if path is None or not signed_in(user):  # a path already means a signed-in account
            return self.none()
        own = Contact.objects.filter(user=user.pk, end_date__isnull=True)
        if not user.has_capability("family.view"):
            return self.filter(**{f"{self.family_ref}__in": own.values("family_id")})
        if path.count("/") - 1 <= self.WIDE_SCOPE_DEPTH:
            looks_after = models.Exists(own.filter(family=models.OuterRef(self.family_ref)))
            field: str = getattr(self.model, "scope_field")  # noqa: B009 (declared by each model)
            return self.filter(models.Q(**{f"{field}__under": path}) | looks_after)
        subtree = Family.objects.filter(association__path__under=path).values("pk")
        return self.filter(**{f"{self.family_ref}__in": subtree.union(own.values("family_id"))})


class FamilyQuerySet(FamilyScopedQuerySet["Family"]):
    family_ref = "pk"

    def active(self) -> Self:
        return self.filter(status=Family.Status.ACTIVE)


class Family(TimeStampedModel):
    class Kind(models.TextChoices):
        BEREAVED = "bereaved", _("失独家庭")
        DISABLED_CHILD = "disabled_child", _("伤残家庭")
        COMPLICATION = "complication", _("手术并发症家庭")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        MOVED_OUT = "moved_out", _("迁出")
        CANCELLED = "cancelled", _("注销")
        DECEASED = "deceased", _("夫妻均已亡故")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属村（社区）"),
        on_delete=models.PROTECT,
        related_name="families",
    )
    kind = models.CharField(_("家庭类别"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    address = LineField(_("住址"), max_length=200, blank=True)
    registered_on = models.DateField(_("登记日期"), default=datetime.date.today)
    # Denormalised from the mother's (or, failing that, the father's) record for lists and search.
    head_name = NameField(_("户主/联系人姓名"), max_length=50, blank=True)
    head_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    head_initials = models.CharField(max_length=64, blank=True, editable=False)
    one_child_only = models.BooleanField(_("仅生育或收养一个子女"), default=True)
    later_child = models.BooleanField(_("此后再生育或收养子女"), default=False)
    notes = MultilineField(_("备注（敏感）"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = FamilyQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("计生特殊家庭")
        verbose_name_plural = _("计生特殊家庭")
        indexes = [
            models.Index(fields=["association", "status"], name="fam_family_assoc_status"),
            models.Index(fields=["head_initials"], name="fam_family_initials"),
        ]

    def __str__(self) -> str:
        return self.describe(self.head_name, self.get_kind_display())

    @staticmethod
    def describe(head_name: str, kind_label: str) -> str:
        """How a family is named (its str, and the audit rows of a bulk registration)."""
        return f"{head_name or '—'}（{kind_label}）"


class Person(TimeStampedModel):
    """A parent or the child of a special family."""

    class Role(models.TextChoices):
        MOTHER = "mother", _("母亲")
        FATHER = "father", _("父亲")
        CHILD = "child", _("子女")

    class Marital(models.TextChoices):
        MARRIED = "married", _("已婚")
        WIDOWED = "widowed", _("丧偶")
        DIVORCED = "divorced", _("离异")
        SINGLE = "single", _("未婚")

    class Hukou(models.TextChoices):
        RURAL = "rural", _("农业")
        URBAN = "urban", _("非农业")
        UNIFIED = "unified", _("居民户口")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices)
    name = NameField(_("姓名"), max_length=50)
    id_number = ProtectedField(_("身份证号码"), kind="id_number", null=True, blank=True)
    id_number_hash = BlindIndexField(source="id_number")
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    marital_status = models.CharField(
        _("婚姻状况"), max_length=10, choices=Marital.choices, blank=True
    )
    hukou = models.CharField(_("户口性质"), max_length=10, choices=Hukou.choices, blank=True)
    health_notes = MultilineField(_("健康状况（敏感）"), blank=True)
    deceased_on = models.DateField(_("亡故日期"), null=True, blank=True)
    # Child only.
    death_date = models.DateField(_("子女死亡日期"), null=True, blank=True)
    death_cause = LineField(_("死亡原因（敏感）"), max_length=200, blank=True)
    disability_type = LineField(_("残疾类别（敏感）"), max_length=50, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    disability_certificate = models.CharField(_("残疾证号"), max_length=40, blank=True)
    confirmed_by = LineField(_("认定单位"), max_length=100, blank=True)

    objects = FamilyScopedQuerySet.as_manager()
    scope_field = "family__association__path"

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        indexes = [models.Index(fields=["family", "role"], name="fam_person_role")]
        # The services check both first, with a message; these hold under concurrent saves.
        constraints = [
            models.UniqueConstraint(
                fields=["family", "role"],
                condition=models.Q(role__in=["mother", "father"]),
                name="fam_person_one_mother_one_father",
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="fam_person_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.describe(self.name, self.get_role_display())

    @staticmethod
    def describe(name: str, role_label: str) -> str:
        return f"{name}（{role_label}）"


class StatusChange(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=12, choices=Family.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Family.Status.choices)
    effective_date = models.DateField(_("日期"))
    reason = LineField(_("原因"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = FamilyScopedQuerySet.as_manager()
    scope_field = "family__association__path"

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.family} {self.from_status}→{self.to_status}"


class PaymentRate(models.Model):
    """Monthly special-assistance amount per person, by family kind, dated (local rates vary)."""

    kind = models.CharField(_("家庭类别"), max_length=20, choices=Family.Kind.choices)
    monthly_amount = models.DecimalField(_("每人每月（元）"), max_digits=8, decimal_places=2)
    valid_from = models.DateField(_("起始日期"))
    note = LineField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("特别扶助金标准")
        verbose_name_plural = _("特别扶助金标准")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="unique_rate_kind_date")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.monthly_amount} 元（{self.valid_from} 起）"


class Support(TimeStampedModel):
    """Family doctor contract, hospital green-channel card or an insurance policy (one row each)."""

    class Kind(models.TextChoices):
        DOCTOR = "doctor", _("家庭医生签约")
        GREEN_CHANNEL = "green_channel", _("就医绿色通道")
        INSURANCE = "insurance", _("保险")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="supports")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    provider = LineField(_("签约机构/医院/保险公司"), max_length=100)
    reference = models.CharField(_("医生/卡号/保单号"), max_length=60, blank=True)
    product = LineField(_("险种"), max_length=100, blank=True)
    premium = models.DecimalField(
        _("保费（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    cover_amount = models.DecimalField(
        _("保额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True)

    objects = FamilyScopedQuerySet.as_manager()
    scope_field = "family__association__path"

    class Meta:
        verbose_name = _("保障")
        verbose_name_plural = _("保障")
        indexes = [models.Index(fields=["family", "kind", "end_date"], name="fam_support_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.provider}"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class ContactRole(models.Model):
    """A kind of contact person ("4+1", 双岗), with the visit rules that apply to it."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    calls_every_days = models.PositiveSmallIntegerField(
        _("电话联系间隔（天）"), null=True, blank=True
    )
    meets_every_days = models.PositiveSmallIntegerField(
        _("见面联系间隔（天）"), null=True, blank=True
    )
    home_visits_per_year = models.PositiveSmallIntegerField(
        _("每年入户走访次数"), null=True, blank=True
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("联系人类别")
        verbose_name_plural = _("联系人类别")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class Contact(ContactBase):
    """A contact person assigned to a family for a period (the care mechanism's contact,
    `fpa.core.care`; the roles and their visit rules are shared with the 三留守 registry)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="contacts")
    role = models.ForeignKey(ContactRole, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="family_contacts",
    )

    objects = FamilyScopedQuerySet.as_manager()
    scope_field = "family__association__path"

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        indexes = [
            models.Index(fields=["family", "end_date"], name="fam_contact_current"),
            models.Index(fields=["user", "end_date"], name="fam_contact_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.role}）"


class CareKind(models.Model):
    """A kind of care record (configurable): 日常走访, 节日看望, 电话联系 …"""

    class Mode(models.TextChoices):
        HOME_VISIT = "home_visit", _("入户走访")
        MEETING = "meeting", _("见面")
        CALL = "call", _("电话")
        OTHER = "other", _("其他")

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    mode = models.CharField(_("方式"), max_length=12, choices=Mode.choices)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("帮扶记录类别")
        verbose_name_plural = _("帮扶记录类别")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


FOUR_SERVICES = [
    ("comfort", _("精神慰藉")),
    ("visit", _("走访慰问")),
    ("volunteer", _("志愿服务")),
    ("insurance", _("保险保障")),
]
FIVE_CARES = [
    ("daily_life", _("日常生活关怀")),
    ("visiting", _("走访慰问关怀")),
    ("hospital", _("住院关怀")),
    ("pairing", _("结对认亲与健康、心理、法律服务")),
    ("end_of_life", _("临终关怀")),
]


class CareRecord(CareRecordBase):
    """One contact with a family: a visit, a call, counselling, a claim handled … (the care
    mechanism's record, `fpa.core.care`, with the 暖心行动's four services and five cares)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="care_records")
    kind = models.ForeignKey(
        CareKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="care_records"
    )
    services = models.JSONField(_("四项服务"), default=list, blank=True)
    cares = models.JSONField(_("五关怀"), default=list, blank=True)

    objects = FamilyScopedQuerySet.as_manager()
    scope_field = "family__association__path"

    class Meta:
        verbose_name = _("帮扶记录")
        verbose_name_plural = _("帮扶记录")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["family", "occurred_on"], name="fam_care_family_date")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.kind}"


class Need(NeedBase):
    """诉求: something a family asked for, tracked to resolution (`fpa.core.care`)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="needs")
    raised_in = models.ForeignKey(
        CareRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs"
    )

    objects = FamilyScopedQuerySet.as_manager()
    scope_field = "family__association__path"

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [models.Index(fields=["family", "status"], name="fam_need_status")]

    def __str__(self) -> str:
        return self.description[:30]


class CampaignQuerySet(ScopedQuerySet["Campaign"]):
    def visible_to(self, user: Viewer) -> Self:
        """Campaigns in the user's subtree, and those of the associations above it: a county-wide
        Spring Festival campaign is every township's work too (each sees its own families)."""
        path = scope_path_of(user)
        if path is None:
            return self.none()
        parts = path.strip("/").split("/")
        ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
        return self.filter(
            models.Q(association__path__under=path) | models.Q(association__path__in=ancestors)
        )


class Campaign(TimeStampedModel):
    """A festival campaign: every active family in the association's subtree visited in a window."""

    association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    name = LineField(_("名称"), max_length=100)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))

    objects = CampaignQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("节日走访活动")
        verbose_name_plural = _("节日走访活动")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.name


class CarePhoto(models.Model):
    """A photo of a care record (at most five a record), stored re-encoded without metadata.

    The files live in the default storage under ``families/photos/<family id>/`` with random
    names, outside every public URL; they are served only by a scoped view. The family is kept
    beside the record so that the scope filter is the same as for every other family row.
    """

    class Format(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    record = models.ForeignKey(CareRecord, on_delete=models.CASCADE, related_name="photos")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="care_photos")
    file_name = models.CharField(_("文件"), max_length=200, editable=False)
    thumb_name = models.CharField(_("缩略图"), max_length=200, editable=False)
    format = models.CharField(_("格式"), max_length=4, choices=Format.choices)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    size = models.PositiveIntegerField(_("字节数"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = FamilyScopedQuerySet.as_manager()
    scope_field = "family__association__path"

    class Meta:
        verbose_name = _("帮扶照片")
        verbose_name_plural = _("帮扶照片")
        ordering = ["record", "id"]
        indexes = [models.Index(fields=["record", "id"], name="fam_photo_record")]

    def __str__(self) -> str:
        return f"帮扶照片 {self.pk}"

    @property
    def content_type(self) -> str:
        return "image/png" if self.format == self.Format.PNG else "image/jpeg"


class FamilyTransferQuerySet(TransferQuerySet["FamilyTransfer"]):
    pass


class FamilyTransfer(TransferBase):
    """A special family moving house to another association (跨协会移交, `fpa.core.transfers`):
    offered by the association that holds it, accepted or declined by the receiving one. On
    acceptance the family, with its people, care log, needs and supports, belongs to the receiver
    and the sender's contact persons end."""

    family = models.ForeignKey(
        Family, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="transfers"
    )
    # The monthly report's 需信息迁移人员 lists both addresses; the family's own keeps the new one.
    from_address = LineField(_("原住址"), max_length=200, blank=True)
    to_address = LineField(_("新住址"), max_length=200, blank=True)
    contacts_ended = models.PositiveSmallIntegerField(_("结束的转出方联系人"), default=0)

    objects = FamilyTransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("特殊家庭移交")
        verbose_name_plural = _("特殊家庭移交")
        ordering = ["-requested_on", "-id"]
        constraints = [one_open_per("family", name="fam_transfer_one_open")]
        indexes = [models.Index(fields=["status", "decided_on"], name="fam_transfer_decided")]

    def __str__(self) -> str:
        return f"{self.family.head_name or '—'} {self.from_association}→{self.to_association}"

    @property
    def subject_name(self) -> str:
        return self.family.head_name or "—"
