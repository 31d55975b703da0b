from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet, path_is_under
from fpa.core.text import LineField, NameField


class AssociationQuerySet(ScopedQuerySet):
    def current(self) -> AssociationQuerySet:
        return self.filter(valid_to__isnull=True)


class Association(TimeStampedModel):
    """A family planning association: a node of the tree that follows the administrative divisions,
    or a non-territorial association hung under one of them."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省级计生协")
        PREFECTURE = "prefecture", _("市（州）级计生协")
        COUNTY = "county", _("县级计生协")
        TOWNSHIP = "township", _("乡镇（街道）计生协")
        VILLAGE = "village", _("村（社区）计生协")
        MEMBER_GROUP = "member_group", _("会员小组")
        ENTERPRISE = "enterprise", _("企业计生协")
        PARK = "park", _("园区计生协")
        CHAMBER = "chamber", _("商会计生协")
        MIGRANT = "migrant", _("流动人口计生协")
        PARTY_BRANCH = "party_branch", _("党支部+计生协")
        CHAMBER_JOINT = "chamber_joint", _("商会+计生协")

    TERRITORIAL = (
        Kind.PROVINCE,
        Kind.PREFECTURE,
        Kind.COUNTY,
        Kind.TOWNSHIP,
        Kind.VILLAGE,
    )
    # Where each non-territorial kind may hang.
    ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
        Kind.MEMBER_GROUP: (Kind.VILLAGE, Kind.ENTERPRISE, Kind.PARK, Kind.MIGRANT),
        Kind.ENTERPRISE: (Kind.COUNTY, Kind.TOWNSHIP, Kind.PARK),
        Kind.PARK: (Kind.COUNTY, Kind.TOWNSHIP),
        Kind.CHAMBER: (Kind.COUNTY, Kind.TOWNSHIP),
        Kind.MIGRANT: (Kind.COUNTY, Kind.TOWNSHIP),
        Kind.PARTY_BRANCH: (Kind.COUNTY, Kind.TOWNSHIP, Kind.VILLAGE),
        Kind.CHAMBER_JOINT: (Kind.COUNTY, Kind.TOWNSHIP),
    }

    code = models.CharField("编码", max_length=32, unique=True)
    name = NameField("名称", max_length=100)
    division_name = models.CharField("行政区划名称", max_length=100, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级协会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField("层级", default=0)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=64, blank=True, editable=False)
    valid_from = models.DateField("生效日期", default=datetime.date(2023, 1, 1))
    valid_to = models.DateField("停用日期", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="并入协会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    address = LineField("地址", max_length=200, blank=True)
    public_phone = models.CharField("办公电话", max_length=32, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    objects = AssociationQuerySet.as_manager()
    scope_field = "path"

    class Meta:
        verbose_name = "计生协"
        verbose_name_plural = "计生协"
        indexes = [
            # `path` needs no index here: unique=True gives a btree index, and on PostgreSQL
            # Django adds a varchar_pattern_ops one beside it, which serves path__under.
            models.Index(fields=["name_initials"], name="org_assoc_initials"),
            models.Index(fields=["name_pinyin"], name="org_assoc_pinyin"),
            models.Index(fields=["parent", "code"], name="org_assoc_parent_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def is_territorial(self) -> bool:
        return self.kind in self.TERRITORIAL

    def ancestor_codes(self) -> list[str]:
        return [part for part in self.path.strip("/").split("/") if part]

    def is_under(self, other: Association | None) -> bool:
        """Whether this association is `other` or lies in its subtree (the scope predicate,
        `fpa.core.scope.in_scope`, asks the same of a user's home association)."""
        return other is not None and path_is_under(self.path, other.path)


class AssociationChange(models.Model):
    """The history of a node: renames, merges, splits, moves, closures. Never edited."""

    class Kind(models.TextChoices):
        CREATE = "create", _("设立")
        RENAME = "rename", _("更名")
        MOVE = "move", _("调整隶属")
        MERGE = "merge", _("合并")
        SPLIT = "split", _("拆分")
        CLOSE = "close", _("撤销")
        REOPEN = "reopen", _("恢复")

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="changes", verbose_name="协会"
    )
    kind = models.CharField("变更类型", max_length=10, choices=Kind.choices)
    effective_date = models.DateField("生效日期")
    before = models.JSONField("变更前", default=dict, blank=True)
    after = models.JSONField("变更后", default=dict, blank=True)
    related_codes = models.JSONField("相关编码", default=list, blank=True)
    note = LineField("说明", max_length=300, blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = "协会变更"
        verbose_name_plural = "协会变更"
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.association} {self.get_kind_display()} {self.effective_date}"


class StaffMember(TimeStampedModel):
    """An officer or worker of an association, for one term of one post."""

    class Post(models.TextChoices):
        PRESIDENT = "president", _("会长")
        EXECUTIVE_VICE_PRESIDENT = "executive_vice_president", _("常务副会长")
        VICE_PRESIDENT = "vice_president", _("副会长")
        SECRETARY_GENERAL = "secretary_general", _("秘书长")
        DEPUTY_SECRETARY_GENERAL = "deputy_secretary_general", _("副秘书长")
        FULL_TIME_OFFICER = "officer", _("专干")
        COUNCIL_MEMBER = "council_member", _("理事")
        LIAISON = "liaison", _("联络员")
        GROUP_LEADER = "group_leader", _("会员小组长")

    class Employment(models.TextChoices):
        FULL_TIME = "full_time", _("专职")
        PART_TIME = "part_time", _("兼职")
        SECONDED = "seconded", _("挂职")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    association = models.ForeignKey(
        Association, verbose_name="所属协会", on_delete=models.PROTECT, related_name="staff"
    )
    name = NameField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=64, blank=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number = ProtectedField(_("身份证号码"), kind="id_number", null=True, blank=True)
    id_number_hash = BlindIndexField(source="id_number")
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    post = models.CharField(_("职务"), max_length=30, choices=Post.choices)
    employment = models.CharField(_("任职方式"), max_length=12, choices=Employment.choices)
    presides_daily_work = models.BooleanField(_("主持日常工作"), default=False)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    left_on = models.DateField("离任日期", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="平台账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_posts",
    )
    version = models.PositiveIntegerField("版本", default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        indexes = [models.Index(fields=["association", "left_on"], name="org_staff_current")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_post_display()}）"

    def is_current_on(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        if self.left_on and self.left_on <= day:
            return False
        return self.term_end is None or self.term_end >= day


class Training(TimeStampedModel):
    staff = models.ForeignKey(
        StaffMember, verbose_name="工作人员", on_delete=models.PROTECT, related_name="trainings"
    )
    course = LineField("培训内容", max_length=200)
    organiser = LineField("主办单位", max_length=100, blank=True)
    start_date = models.DateField("开始日期")
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1)
    certificate_number = models.CharField("证书编号", max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "staff__association__path"

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.course}"


class Filing(TimeStampedModel):
    """备案: a lower association files with its parent who presides over its daily work."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        ACCEPTED = "accepted", _("已备案")
        RETURNED = "returned", _("已退回")
        SUPERSEDED = "superseded", _("已被新备案取代")

    association = models.ForeignKey(
        Association, verbose_name="备案协会", on_delete=models.PROTECT, related_name="filings"
    )
    person = models.ForeignKey(
        StaffMember, verbose_name="主持日常工作的人", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    note = LineField("说明", max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="报送人"
    )
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = LineField("退回原因", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Both the filing association's subtree and the parent that reviews it see a filing: the
    # parent's path is a prefix of the child's, so the association path serves both.
    scope_field = "association__path"

    class Meta:
        verbose_name = "备案"
        verbose_name_plural = "备案"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["association", "status"], name="org_filing_status")]

    def __str__(self) -> str:
        return f"{self.association} 备案 {self.person.name}"


class BodySeat(TimeStampedModel):
    """A seat on an association's council, standing council or members' congress (measure 14)."""

    class Body(models.TextChoices):
        CONGRESS = "congress", _("会员代表大会")
        COUNCIL = "council", _("理事会")
        STANDING_COUNCIL = "standing_council", _("常务理事会")

    class Source(models.TextChoices):
        GRASSROOTS_MEMBER = "grassroots_member", _("基层一线会员")
        VOLUNTEER = "volunteer", _("志愿者")
        WORKER = "worker", _("计生协工作者")
        SOCIAL_SECTOR = "social_sector", _("社会各领域人士")
        OFFICIAL = "official", _("党政机关干部")

    GRASSROOTS_SOURCES = (Source.GRASSROOTS_MEMBER, Source.VOLUNTEER, Source.WORKER)

    association = models.ForeignKey(
        Association, verbose_name="协会", on_delete=models.PROTECT, related_name="seats"
    )
    body = models.CharField("机构", max_length=20, choices=Body.choices)
    name = NameField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=StaffMember.Sex.choices, blank=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    term_year = models.PositiveSmallIntegerField("届次年份")
    ended_on = models.DateField("卸任日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = "代表与理事"
        verbose_name_plural = "代表与理事"
        indexes = [models.Index(fields=["association", "body"], name="org_seat_body")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_body_display()}）"
