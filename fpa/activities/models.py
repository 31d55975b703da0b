"""Activities, service sites and campaigns (plan measures 5, 6, 7, 8, 12 and 15).

An association holds activities (宣传教育, 青春健康, 健康服务 … the "八大项目" categories) at its
service sites (阵地: 会员之家, 人口文化大院, 暖心家园 …) or elsewhere; a county or township sets a
campaign (e.g. the 5·29 会员活动日) with a target per subordinate association; experts and
trainers teach; 青春健康同伴社 work in schools. Their figures (活动次数, 服务人次, materials,
media reports, sites by kind) are tallies kept by the services (`fpa.activities.tallies`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet, scope_path_of
from fpa.core.text import LineField, MultilineField, NameField


class Configurable(models.Model):
    """A list an operator may extend: a stable code, a name, an order, retired rather than
    deleted (old records keep their value)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class Category(Configurable):
    """活动类别: the eight projects of the annual report (宣传教育, 业务培训, 健康服务,
    计生家庭帮扶, 青春健康, 流动人口服务, 权益维护, 其他)."""

    class Meta(Configurable.Meta):
        verbose_name = _("活动类别")
        verbose_name_plural = _("活动类别")


class Theme(Configurable):
    """活动主题: 5·29 会员活动日, 世界人口日, 国际家庭日, 春节, 青春健康, 健康家庭, 优生优育,
    政策宣传 …"""

    class Meta(Configurable.Meta):
        verbose_name = _("活动主题")
        verbose_name_plural = _("活动主题")


class SiteKind(Configurable):
    """阵地类型: 会员之家, 人口文化大院, 暖心家园, 青春健康教育基地/同伴社, 优生优育指导中心,
    婴幼儿照护服务机构, 其他. `serves_families`: the kind serves special families (暖心家园)."""

    serves_families = models.BooleanField(_("服务计生特殊家庭"), default=False)

    class Meta(Configurable.Meta):
        verbose_name = _("阵地类型")
        verbose_name_plural = _("阵地类型")


class Specialty(Configurable):
    """专家和师资的专长: 生殖健康, 优生优育, 青春健康, 心理咨询, 法律援助, 托育 …"""

    class Meta(Configurable.Meta):
        verbose_name = _("专长")
        verbose_name_plural = _("专长")


class Policy(models.Model):
    """An association's rule for its subtree's activities: whether a planned activity must be
    approved (by the association that set the rule, or above) before it is held."""

    association = models.OneToOneField(
        "organizations.Association",
        verbose_name=_("协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approval_required = models.BooleanField(_("下级活动须经审批"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("活动审批规则")
        verbose_name_plural = _("活动审批规则")

    def __str__(self) -> str:
        return f"{self.association_id}: {self.approval_required}"


class Site(TimeStampedModel):
    """A service site (阵地) of an association."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹建中")
        OPEN = "open", _("运行中")
        CLOSED = "closed", _("已关闭")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.ForeignKey(
        SiteKind, verbose_name=_("阵地类型"), on_delete=models.PROTECT, related_name="+"
    )
    name = NameField(_("名称"), max_length=100)
    address = LineField(_("地址"), max_length=200, blank=True)
    facilities = MultilineField(_("设施"), blank=True)
    opening_hours = LineField(_("开放时间"), max_length=100, blank=True)
    contact_name = NameField(_("联系人"), max_length=50, blank=True)
    contact_phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    opened_on = models.DateField(_("启用日期"), null=True, blank=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    # 暖心家园: the special families it serves (kind.serves_families).
    families = models.ManyToManyField(
        "families.Family", verbose_name=_("服务的特殊家庭"), blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["association__path", "kind__sort", "id"]
        indexes = [models.Index(fields=["association", "status"], name="act_site_assoc_status")]

    def __str__(self) -> str:
        return self.name


class Campaign(TimeStampedModel):
    """A campaign set from above: a theme and dates, and a target of held activities for each
    subordinate association (e.g. 2026 年 5·29 会员活动日: every township at least one)."""

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("发起协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = LineField(_("名称"), max_length=100)
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("主题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = MultilineField(_("要求"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("活动部署")
        verbose_name_plural = _("活动部署")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class CampaignTarget(models.Model):
    """What a campaign asks of one subordinate association: at least `activities` held
    activities in its subtree."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("承办协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    activities = models.PositiveIntegerField(_("应开展活动次数"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "campaign__association__path"

    class Meta:
        verbose_name = _("部署目标")
        verbose_name_plural = _("部署目标")
        ordering = ["association__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "association"], name="act_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.association_id}: {self.activities}"


class Expert(TimeStampedModel):
    """专家和师资: a person of the expert and trainer pool of an association."""

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = NameField(_("姓名"), max_length=50)
    organisation = LineField(_("工作单位"), max_length=100, blank=True)
    title = LineField(_("职称/职务"), max_length=100, blank=True)
    specialties = models.ManyToManyField(Specialty, verbose_name=_("专长"), related_name="+")
    qualifications = MultilineField(_("资质与培训证书"), blank=True)
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    active = models.BooleanField(_("在库"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("专家和师资")
        verbose_name_plural = _("专家和师资")
        ordering = ["association__path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class PeerClub(TimeStampedModel):
    """青春健康同伴社: a peer-education club of a school."""

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = NameField(_("学校"), max_length=100)
    site = models.ForeignKey(
        Site,
        verbose_name=_("阵地"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.PositiveIntegerField(_("社员人数"), default=0)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    active = models.BooleanField(_("活动中"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("青春健康同伴社")
        verbose_name_plural = _("青春健康同伴社")
        ordering = ["association__path", "school", "id"]

    def __str__(self) -> str:
        return self.school


# The participant groups of an activity, in the order of the forms and the report.
PARTICIPANT_GROUPS: tuple[tuple[str, Any], ...] = (
    ("members", _("会员")),
    ("volunteers", _("志愿者")),
    ("youth", _("青少年")),
    ("childbearing", _("育龄群众")),
    ("special_families", _("特殊家庭成员")),
    ("migrants", _("流动人口")),
    ("left_behind", _("留守人员")),
    ("others", _("其他")),
)


class Activity(TimeStampedModel):
    """An activity of an association: planned, (approved,) held, summarised."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        APPROVED = "approved", _("已批准")
        HELD = "held", _("已开展")
        SUMMARISED = "summarised", _("已总结")
        CANCELLED = "cancelled", _("已取消")

    class Setting(models.TextChoices):
        SCHOOL = "school", _("进学校")
        ENTERPRISE = "enterprise", _("进企业")
        COMMUNITY = "community", _("进社区")
        FAMILY = "family", _("进家庭")
        ONLINE = "online", _("线上")
        OTHER = "other", _("其他")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("主办协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = LineField(_("活动名称"), max_length=100)
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("主题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    setting = models.CharField(
        _("形式"), max_length=12, choices=Setting.choices, default=Setting.COMMUNITY
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("所属部署"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    site = models.ForeignKey(
        Site,
        verbose_name=_("阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    place = LineField(_("地点"), max_length=200, blank=True)
    co_organisers = models.ManyToManyField(
        "organizations.Association", verbose_name=_("协办协会"), blank=True, related_name="+"
    )
    partners = LineField(_("合作单位"), max_length=200, blank=True)
    target_groups = LineField(_("服务对象"), max_length=200, blank=True)
    experts = models.ManyToManyField(
        Expert, verbose_name=_("授课专家/师资"), blank=True, related_name="activities"
    )
    public = models.BooleanField(_("在公开日历上发布"), default=False)
    risky = models.BooleanField(_("有人身风险（须确认已投保意外险）"), default=False)
    insurance_note = LineField(_("意外险说明"), max_length=200, blank=True)
    insurance_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    # Participants by group (服务人次), entered by the organiser when the activity is held.
    members = models.PositiveIntegerField(_("会员"), default=0)
    volunteers = models.PositiveIntegerField(_("志愿者"), default=0)
    youth = models.PositiveIntegerField(_("青少年"), default=0)
    childbearing = models.PositiveIntegerField(_("育龄群众"), default=0)
    special_families = models.PositiveIntegerField(_("特殊家庭成员"), default=0)
    migrants = models.PositiveIntegerField(_("流动人口"), default=0)
    left_behind = models.PositiveIntegerField(_("留守人员"), default=0)
    others = models.PositiveIntegerField(_("其他"), default=0)
    materials = models.PositiveIntegerField(_("发放资料（份）"), default=0)
    # Health services as counts (privacy first): no person is recorded here.
    consultations = models.PositiveIntegerField(_("咨询人次"), default=0)
    checks = models.PositiveIntegerField(_("检查/筛查人次"), default=0)
    referrals = models.PositiveIntegerField(_("转介人次"), default=0)
    cost = models.DecimalField(_("经费（元）"), max_digits=12, decimal_places=2, default=0)
    # The care-fund grant (target 活动) that paid for the activity: a link, never a copy of its
    # amount or status, set by `services.activity_fund_link` (fund.apply in scope of both).
    fund_grant = models.ForeignKey(
        "fund.Grant",
        verbose_name=_("经费来源（生育关怀基金资助）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    summary = MultilineField(_("活动总结"), blank=True)
    highlight = models.BooleanField(_("亮点（报送上级）"), default=False)
    public_summary = MultilineField(_("公开的活动简讯"), blank=True)
    summary_published = models.BooleanField(_("简讯已公开"), default=False)
    # The volunteers module's service for this activity: hours are recorded there, never here.
    volunteer_service = models.OneToOneField(
        "volunteers.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity",
    )
    # Phone sign-in (签到): an unguessable code for the QR link; open while `signin_open`
    # and before `ends_at`.
    signin_code = models.CharField(_("签到码"), max_length=24, unique=True, null=True, blank=True)
    signin_open = models.BooleanField(_("签到开放"), default=False)
    signins_count = models.PositiveIntegerField(_("签到人数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["association", "-starts_at"], name="act_activity_assoc_start"),
            models.Index(fields=["campaign", "status"], name="act_activity_campaign"),
            models.Index(fields=["public", "starts_at"], name="act_activity_public"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="act_activity_times"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def participants(self) -> int:
        return sum(getattr(self, name) for name, _label in PARTICIPANT_GROUPS)

    @property
    def counts(self) -> bool:
        """Held or summarised: the activity counts in the figures."""
        return self.status in (self.Status.HELD, self.Status.SUMMARISED)

    def signin_accepting(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            bool(self.signin_code)
            and self.signin_open
            and now <= self.ends_at
            and (self.status in (self.Status.PLANNED, self.Status.APPROVED, self.Status.HELD))
        )


class MediaReport(models.Model):
    """媒体报道 of an activity."""

    class Outlet(models.TextChoices):
        TV = "tv", _("电视")
        NEWSPAPER = "newspaper", _("报纸")
        WECHAT = "wechat", _("微信公众号")
        WEBSITE = "website", _("网站")
        OTHER = "other", _("其他")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="media")
    outlet = models.CharField(_("媒体类型"), max_length=10, choices=Outlet.choices)
    name = LineField(_("媒体名称"), max_length=100)
    title = LineField(_("报道标题"), max_length=200, blank=True)
    url = models.URLField(_("链接"), max_length=500, blank=True)
    published_on = models.DateField(_("报道日期"))
    # A scan of the report (newspaper page, screenshot): checked by `fpa.core.uploads`
    # (`clean_document`: an image re-encoded without metadata or a scanned PDF), stored under a
    # random name outside every public URL, served only by a scoped view.
    scan = models.CharField(_("扫描件"), max_length=200, blank=True, editable=False)
    scan_format = models.CharField(_("扫描件格式"), max_length=4, blank=True, editable=False)
    scan_size = models.PositiveIntegerField(_("扫描件字节数"), default=0, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "activity__association__path"

    class Meta:
        verbose_name = _("媒体报道")
        verbose_name_plural = _("媒体报道")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.title}"

    @property
    def scan_content_type(self) -> str:
        return {"jpeg": "image/jpeg", "png": "image/png"}.get(self.scan_format, "application/pdf")

    @property
    def scan_download_name(self) -> str:
        extension = "jpg" if self.scan_format == "jpeg" else self.scan_format or "pdf"
        return f"media-report-{self.pk}.{extension}"


class PhotoBase(models.Model):
    """A photo checked by `fpa.core.uploads` (re-encoded without metadata) and stored under a
    random name outside every public URL; shown publicly only when chosen, and a photo with
    recognisable faces only when the people's consent is recorded."""

    file = models.CharField(_("文件"), max_length=200, editable=False)
    thumb = models.CharField(_("缩略图"), max_length=200, editable=False, blank=True)
    size = models.PositiveIntegerField(_("字节数"))
    caption = LineField(_("说明"), max_length=200, blank=True)
    faces = models.BooleanField(_("有可辨认的人脸"), default=False)
    faces_consent = models.BooleanField(_("已取得肖像同意"), default=False)
    public = models.BooleanField(_("公开"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"photo #{self.pk}"

    @property
    def may_be_public(self) -> bool:
        return not self.faces or self.faces_consent


class ActivityPhoto(PhotoBase):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")

    objects = ScopedQuerySet.as_manager()
    scope_field = "activity__association__path"

    class Meta(PhotoBase.Meta):
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")


class SitePhoto(PhotoBase):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="photos")

    objects = ScopedQuerySet.as_manager()
    scope_field = "site__association__path"

    class Meta(PhotoBase.Meta):
        verbose_name = _("阵地照片")
        verbose_name_plural = _("阵地照片")


class SignIn(models.Model):
    """A participant's sign-in on a phone: name and phone (or a member card number), with the
    consent version. One per phone per activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signins")
    name = NameField(_("姓名"), max_length=50)
    phone = ProtectedField(_("手机号码"), kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent = models.ForeignKey("core.ConsentText", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("签到时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "activity__association__path"

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "phone_hash"],
                condition=~models.Q(phone_hash=""),
                name="act_signin_once_per_phone",
            ),
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=models.Q(member__isnull=False),
                name="act_signin_once_per_member",
            ),
        ]
        indexes = [models.Index(fields=["member"], name="act_signin_member")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.name}"


class TallyBase(models.Model):
    """One figure of one association: `figure` (activities, people, materials, media,
    highlights, consultations, checks, referrals for a year; sites, experts, peer clubs as stock,
    year 0) under `dimension` (a category code, a site kind code, or "")."""

    association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    figure = models.CharField(max_length=20)
    dimension = models.CharField(max_length=30, blank=True)
    value = models.BigIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.association_id} {self.year} {self.figure}/{self.dimension}: {self.value}"


class Tally(TallyBase):
    """The figures of an association's own records, kept by the services in the same transaction
    as the records (`fpa.activities.tallies`), summed over a subtree below a county."""

    class Meta:
        verbose_name = _("活动计数")
        verbose_name_plural = _("活动计数")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "figure", "dimension"], name="act_tally_unique"
            ),
        ]
        indexes = [models.Index(fields=["year", "figure"], name="act_tally_year_figure")]


class SubtreeTally(TallyBase):
    """The figures of a whole subtree, kept at each county, prefecture and province (the
    `ROLLUP_KINDS` of `fpa.activities.tallies`) beside the per-association `Tally` rows, by the
    same services in the same transaction: a province's figures read its own few hundred rows,
    not the hundreds of thousands of its associations' tallies."""

    class Meta:
        verbose_name = _("活动计数（下辖合计）")
        verbose_name_plural = _("活动计数（下辖合计）")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "figure", "dimension"], name="act_subtree_unique"
            ),
        ]


class HealthCaseQuerySet(ScopedQuerySet["HealthCase"]):
    def visible_to(self, user: Any) -> HealthCaseQuerySet:
        """A sensitive record (PIPL art. 28): the staff who recorded it, and above it only those
        holding `health.sensitive` in whose subtree it lies."""
        path = scope_path_of(user)
        if path is None or not user.has_capability("activity.view"):
            return self.none()
        if user.has_capability("health.sensitive"):
            return self.filter(models.Q(association__path__under=path) | models.Q(created_by=user))
        return self.filter(created_by=user, association__path__under=path)


class HealthCase(TimeStampedModel):
    """A person's consultation or referral that needs a follow-up (优生优育, reproductive health,
    义诊). Counts stay on the activity; a person is recorded here only when a follow-up needs
    one, and then every personal value is protected: the name, the phone and the details are
    encrypted, masked everywhere, revealed one at a time with a reason, each reveal audited;
    never on a public page, never in an export."""

    class Kind(models.TextChoices):
        PRE_PREGNANCY = "pre_pregnancy", _("孕前优生健康检查")
        GENETIC = "genetic", _("遗传病筛查")
        MATERNAL = "maternal", _("孕产期保健")
        CLINIC = "clinic", _("义诊")
        REPRODUCTIVE = "reproductive", _("生殖健康咨询")
        EARLY_CHILDHOOD = "early_childhood", _("婴幼儿早期发展指导")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待随访")
        CLOSED = "closed", _("已结案")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("登记协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("来源活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="health_cases",
    )
    kind = models.CharField(_("服务类型"), max_length=20, choices=Kind.choices)
    person_name = ProtectedField(_("姓名"), kind="name")
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    details = ProtectedField(_("情况与需求（敏感）"), kind="sensitive")
    referral = ProtectedField(_("转介去向（敏感）"), kind="sensitive", null=True, blank=True)
    follow_up_on = models.DateField(_("计划随访日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = HealthCaseQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("健康服务随访")
        verbose_name_plural = _("健康服务随访")
        ordering = ["status", "follow_up_on", "id"]
        indexes = [
            models.Index(fields=["created_by", "status"], name="act_health_creator"),
            models.Index(fields=["association", "status"], name="act_health_assoc"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class HealthFollowUp(models.Model):
    case = models.ForeignKey(HealthCase, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("随访日期"))
    note = ProtectedField(_("随访情况（敏感）"), kind="sensitive")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("随访记录")
        verbose_name_plural = _("随访记录")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.on}"
