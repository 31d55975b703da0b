"""The care fund 生育关怀基金: a double-entry journal, donations, grants, feedback and rules.

Money is `Decimal` yuan with two places. Journal entries and their lines are append-only (database
triggers in migration 0002 refuse UPDATE and DELETE); a correction is a reversing entry. `Balance`,
`RestrictedPool` and `MonthlyTotal` are caches that the posting service keeps in step with the
journal inside the same transaction, so the public pages read a handful of rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.protected import ProtectedField
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, MultilineField, NameField


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Money = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Fund(TimeStampedModel):
    """A care fund held by one association (the county's by default).

    `grant_order` is the order of a grant's last steps, the county's choice: by default the
    approved grant is first publicly noticed and paid only once the notice period is over with
    every objection answered (公示期满无异议后支付); a county may keep paying first and noticing
    after (先支付后公示)."""

    class GrantOrder(models.TextChoices):
        NOTICE_FIRST = "notice_first", _("先公示后支付（公示期满、异议均已答复后支付）")
        PAY_FIRST = "pay_first", _("先支付后公示")

    association = models.OneToOneField(
        "organizations.Association", verbose_name="所属协会", on_delete=models.PROTECT
    )
    name = NameField("基金名称", max_length=100)
    receipt_prefix = models.CharField(
        "票据编号前缀", max_length=8, unique=True, help_text="票据号与资助编号的前缀，各基金不同"
    )
    notice_days = models.PositiveSmallIntegerField(
        "公示天数", default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    reply_days = models.PositiveSmallIntegerField(
        "答复期限（天）", default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    grant_order = models.CharField(
        "资助办理顺序",
        max_length=12,
        choices=GrantOrder.choices,
        default=GrantOrder.NOTICE_FIRST,
    )
    last_entry_number = models.PositiveIntegerField("最后凭证号", default=0, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = "生育关怀基金"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return self.association.code


class Account(models.Model):
    """One account of the chart (configurable data, seeded by migration 0003)."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("资产")
        INCOME = "income", _("收入")
        EXPENSE = "expense", _("支出")

    code = models.CharField("科目代码", max_length=10, unique=True)
    name = models.CharField("科目名称", max_length=40)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "会计科目"
        verbose_name_plural = verbose_name
        ordering = ["kind", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def signed(self, debit: Decimal, credit: Decimal) -> Decimal:
        """The change of this account's balance on its normal side."""
        return credit - debit if self.kind == self.Kind.INCOME else debit - credit


class JournalEntry(models.Model):
    """A posted journal entry (凭证). Never updated or deleted: the triggers refuse it."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("捐赠收入")
        INCOME = "income", _("其他收入")
        GRANT = "grant", _("资助支出")
        EXPENSE = "expense", _("其他支出")
        REVERSAL = "reversal", _("冲销")

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT)
    number = models.PositiveIntegerField("凭证号")
    date = models.DateField("记账日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    category = models.ForeignKey(
        Account,
        verbose_name="公开类别",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="收入或支出科目，公开页按此分类",
    )
    township_code = models.CharField("乡镇代码", max_length=12, blank=True)
    receipt_number = models.CharField("票据号", max_length=24, blank=True)
    grant_number = models.CharField("资助编号", max_length=24, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲销的凭证",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    memo = LineField("摘要（内部）", max_length=200, blank=True)
    leaf_index = models.BigIntegerField("账本条目序号", null=True, blank=True, unique=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记账人", null=True, on_delete=models.PROTECT
    )
    posted_at = models.DateTimeField("记账时间", auto_now_add=True)
    appended_at = models.DateTimeField(
        "写入账本时间",
        null=True,
        blank=True,
        help_text="写入公开账本的时间（UTC，精确到秒），在第 2 版叶编码中签名；旧凭证为空",
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "fund__association__path"

    class Meta:
        verbose_name = "记账凭证"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="fund_entry_number_unique")
        ]

    def __str__(self) -> str:
        return f"凭证 {self.number}"

    @property
    def amount(self) -> Decimal:
        return sum((line.debit for line in self.lines.all()), ZERO)


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, verbose_name="科目", on_delete=models.PROTECT)
    debit = models.DecimalField("借方", default=ZERO, **MONEY)
    credit = models.DecimalField("贷方", default=ZERO, **MONEY)
    restriction = models.ForeignKey(
        Account,
        verbose_name="限定用途",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "分录"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(debit__gt=0, credit=0) | models.Q(debit=0, credit__gt=0)),
                name="fund_line_one_side",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.debit}/{self.credit}"


class Balance(models.Model):
    """The balance of one account of one fund, on the account's normal side (a cache)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="balances")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "account"], name="fund_balance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


class RestrictedPool(models.Model):
    """Restricted donations (限定用途) not yet spent, per purpose (an expense account)."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="pools")
    purpose = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "purpose"], name="fund_pool_unique")]

    def __str__(self) -> str:
        return f"{self.purpose_id}: {self.amount}"


class MonthlyTotal(models.Model):
    """Debits and credits per fund, month and account: the public charts read these rows."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # the first day of the month
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    debit = models.DecimalField(default=ZERO, **MONEY)
    credit = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "month", "account"], name="fund_monthly_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.account_id}"


class Sequence(models.Model):
    """Gap-free numbers per fund, kind and year (receipts, grants): locked while taken."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "kind", "year"], name="fund_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Donation(TimeStampedModel):
    class DonorKind(models.TextChoices):
        INDIVIDUAL = "individual", _("个人")
        ENTERPRISE = "enterprise", _("企业")

    class Form(models.TextChoices):
        CASH = "cash", _("资金")
        IN_KIND = "in_kind", _("实物")

    class Channel(models.TextChoices):
        CASH = "cash", _("现金")
        BANK = "bank", _("银行转账")
        ONLINE = "online", _("网络支付")
        IN_KIND = "in_kind", _("实物交付")

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT)
    receipt_number = models.CharField("票据号", max_length=24, unique=True)
    donor_name = NameField("捐赠人", max_length=100)
    donor_kind = models.CharField("捐赠人类型", max_length=12, choices=DonorKind.choices)
    form = models.CharField("捐赠形式", max_length=10, choices=Form.choices)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    amount = models.DecimalField("金额（元）", **MONEY)
    in_kind_description = LineField("实物名称及数量", max_length=200, blank=True)
    restricted_purpose = models.ForeignKey(
        Account,
        verbose_name="限定用途",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "expense"},
    )
    donor_phone = ProtectedField("捐赠人联系电话", kind="phone", null=True, blank=True)
    publish_name = models.BooleanField("同意公开姓名/名称", default=False)
    received_on = models.DateField("收到日期")
    entry = models.OneToOneField(
        JournalEntry, verbose_name="凭证", on_delete=models.PROTECT, related_name="donation"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "fund__association__path"

    class Meta:
        verbose_name = "捐赠"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["fund", "-id"], name="fund_donation_fund_id")]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def public_name(self) -> str:
        return self.donor_name if self.publish_name else gettext("爱心人士")


class Grant(TimeStampedModel):
    """A grant application and its life: review, approval, public notice and payment (in the
    order of the fund's `grant_order`), closing.

    Notice first (the default): approval opens the notice (NOTICE, 公示中（待支付）); finance pays
    once `notice_until` has passed and every objection is answered (PAID), and the grant may be
    closed at once. Pay first: approval waits for finance (APPROVED); payment opens the notice
    (PAID); closing waits for its end and the answers. The status says which order a grant
    follows, so changing the fund's setting never changes a grant already approved.
    """

    class Target(models.TextChoices):
        FAMILY = "family", _("家庭")
        PERSON = "person", _("个人")
        ACTIVITY = "activity", _("活动")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待乡镇审核")
        REVIEWED = "reviewed", _("待县级审批")
        NOTICE = "notice", _("公示中（待支付）")
        APPROVED = "approved", _("待财务支付")
        PAID = "paid", _("已支付")
        CLOSED = "closed", _("已办结")
        REJECTED = "rejected", _("未通过")

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT)
    number = models.CharField("资助编号", max_length=24, unique=True)
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name="所属协会",
        on_delete=models.PROTECT,
        related_name="+",
    )
    township = models.ForeignKey(
        "organizations.Association",
        verbose_name="乡镇",
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.CharField("资助对象", max_length=10, choices=Target.choices)
    family = models.ForeignKey(
        "families.Family", verbose_name="家庭", null=True, blank=True, on_delete=models.PROTECT
    )
    person_name = NameField("个人姓名（内部）", max_length=50, blank=True)
    activity_name = LineField("活动名称（内部）", max_length=100, blank=True)
    category = models.ForeignKey(
        Account,
        verbose_name="支出类别",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "expense"},
    )
    amount = models.DecimalField("金额（元）", **MONEY)
    purpose = MultilineField("申请理由（内部）", max_length=1000)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="支付人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField("支付日期", null=True, blank=True)
    decision_note = LineField("审核意见（内部）", max_length=300, blank=True)
    entry = models.OneToOneField(
        JournalEntry,
        verbose_name="凭证",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant",
    )
    notice_until = models.DateField("公示截止", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = "资助"
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["fund", "status", "-id"], name="fund_grant_status"),
            models.Index(fields=["fund", "notice_until"], name="fund_grant_notice"),
        ]

    def __str__(self) -> str:
        return self.number

    def in_notice(self, today: datetime.date | None = None) -> bool:
        """In its public notice period (objections may be raised): noticed before payment, or
        paid first and noticed after."""
        today = today or timezone.localdate()
        return (
            self.status in (self.Status.NOTICE, self.Status.PAID)
            and self.notice_until is not None
            and (today <= self.notice_until)
        )

    def stage_label(self, today: datetime.date | None = None) -> str:
        """The status as the staff read it, with where the notice stands."""
        today = today or timezone.localdate()
        if self.status == self.Status.NOTICE and not self.in_notice(today):
            return gettext("公示期满，待支付")
        if self.status == self.Status.PAID:
            return gettext("已支付，公示中") if self.in_notice(today) else gettext("已支付，待办结")
        return str(self.get_status_display())


class GrantAttachment(models.Model):
    """A file of a grant application: the scanned form, a certificate or proof, a photo. Stored
    checked (`fpa.core.uploads`: images re-encoded without metadata, PDFs scanned) under a random
    name in the default storage, outside every public URL; served only by a scoped view, never
    on the public pages."""

    class Kind(models.TextChoices):
        FORM = "form", _("申请表扫描件")
        PROOF = "proof", _("证明材料")
        PHOTO = "photo", _("照片")

    class Format(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        PDF = "pdf", "PDF"

    grant = models.ForeignKey(
        Grant, verbose_name="资助", on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    file = models.CharField("文件", max_length=200, editable=False)
    format = models.CharField("格式", max_length=4, choices=Format.choices)
    size = models.PositiveIntegerField("字节数")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "grant__association__path"

    class Meta:
        verbose_name = "资助附件"
        verbose_name_plural = verbose_name
        ordering = ["grant", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def content_type(self) -> str:
        return {"jpeg": "image/jpeg", "png": "image/png"}.get(self.format, "application/pdf")

    @property
    def download_name(self) -> str:
        extension = "jpg" if self.format == self.Format.JPEG else self.format
        return f"grant-{self.grant_id}-{self.kind}-{self.pk}.{extension}"


class Feedback(TimeStampedModel):
    """A rating, comment or objection from the public, with its owner, deadline and reply."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("评价")
        OBJECTION = "objection", _("异议")

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT)
    grant = models.ForeignKey(
        Grant,
        verbose_name="资助",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    rating = models.PositiveSmallIntegerField(
        "评分", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = MultilineField("内容", max_length=500)
    contact_phone = ProtectedField("联系电话（不公开）", kind="phone", null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_due = models.DateField("答复期限")
    reply = MultilineField("答复", max_length=1000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Status(models.TextChoices):
        HELD = "held", _("待审核")
        PUBLISHED = "published", _("已公开")
        REFUSED = "refused", _("未通过")
        TAKEN_DOWN = "taken_down", _("已撤下")

    status = models.CharField(
        "审核状态", max_length=10, choices=Status.choices, default=Status.HELD, db_index=True
    )
    receipt = models.CharField("回执码", max_length=32, unique=True, null=True, editable=False)  # noqa: DJ001 - filled for every row; null only inside the migration that adds it
    review_reason = LineField("审核说明", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = "监督意见"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["fund", "reply_due"], name="fund_feedback_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def overdue(self, today: datetime.date | None = None) -> bool:
        return self.replied_at is None and (today or timezone.localdate()) > self.reply_due


class RulesVersion(models.Model):
    """The fund's management rules 管理办法; each edit is a new version (never rewritten)."""

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT)
    number = models.PositiveIntegerField("版本号")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文", max_length=20000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修订人", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("修订时间", auto_now_add=True)

    class Meta:
        verbose_name = "管理办法"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="fund_rules_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.number} 版）"
