"""Members 会员 of the associations (plan measures 9 and 14): application, council approval, the
member card, member groups, re-registration, transfers between associations and status changes.

Counts per association are kept in `MemberTally` (one row per association, member type and sex,
counting active members), changed in the same transaction as each membership change and summed
over a subtree at read time: a count for a township or a province reads a few hundred small rows,
never the member table (see `fpa/members/tallies.py`).
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.actors import Viewer
from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet, scope_path_of
from fpa.core.text import LineField, NameField
from fpa.core.transfers import TransferBase, TransferQuerySet, one_open_per


class Member(TimeStampedModel):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("个人会员")
        GROUP = "group", _("团体会员")
        MIGRANT = "migrant", _("流动人口会员")
        RESIDENT = "resident", _("常住会员")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        REJECTED = "rejected", _("未批准")
        ACTIVE = "active", _("在册")
        LAPSED = "lapsed", _("未重新登记（失效）")
        TRANSFERRED = "transferred", _("已转出")
        WITHDRAWN = "withdrawn", _("已退会")
        DECEASED = "deceased", _("已故")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    # Statuses in which a person holds (or seeks) a membership: one ID number at a time.
    LIVE = (Status.PENDING, Status.ACTIVE, Status.LAPSED)
    # Statuses that staff set by hand, with a reason (transfers and approval have their own flows).
    MANUAL = (Status.ACTIVE, Status.LAPSED, Status.WITHDRAWN, Status.DECEASED)

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    kind = models.CharField(_("会员类型"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    name = NameField(_("姓名（团体名称）"), max_length=100)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=64, blank=True, editable=False)
    contact_name = NameField(_("团体联系人"), max_length=50, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = ProtectedField(_("身份证号码"), kind="id_number", null=True, blank=True)
    id_number_hash = BlindIndexField(source="id_number")
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    address = LineField(_("住址"), max_length=200, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    serves = LineField(_("服务对象"), max_length=100, blank=True)
    group = models.ForeignKey(
        "MemberGroup",
        verbose_name=_("会员小组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    card_number = models.CharField(_("会员证号"), max_length=40, null=True, blank=True, unique=True)
    applied_on = models.DateField(_("申请日期"))
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = LineField(_("未批准原因"), max_length=300, blank=True)
    # The council decision (理事会审批) that admitted the member: the meeting and its resolution.
    council_meeting_on = models.DateField(_("理事会会议日期"), null=True, blank=True)
    council_resolution = LineField(_("决议文号"), max_length=60, blank=True)
    # An application a citizen sent on the public page (入会申请), with the consent text version
    # agreed to and the reference code its status page is opened with.
    online = models.BooleanField(_("网上申请"), default=False)
    consent = models.ForeignKey(
        "core.ConsentText",
        verbose_name=_("同意书版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(
        _("申请查询码"), max_length=24, null=True, blank=True, unique=True, editable=False
    )
    # The unguessable code of the member card's public check (its QR code), issued with the card.
    card_code = models.CharField(
        _("会员证查验码"), max_length=24, null=True, blank=True, unique=True, editable=False
    )
    transferred_from = models.ForeignKey(
        "self",
        verbose_name=_("转自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        indexes = [
            models.Index(fields=["association", "status", "id"], name="mem_member_assoc_status"),
            models.Index(fields=["name_initials"], name="mem_member_initials"),
        ]
        constraints = [
            # The services refuse a duplicate with a message; this holds under concurrent saves.
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash="")
                & models.Q(status__in=["pending", "active", "lapsed"]),
                name="mem_member_one_live_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP


class CardSequence(models.Model):
    """The last member card number issued by an association: gap-free, one row per association,
    advanced with an UPDATE that serialises concurrent approvals (see services._next_card)."""

    association = models.OneToOneField(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("会员证号序列")
        verbose_name_plural = _("会员证号序列")

    def __str__(self) -> str:
        return f"{self.association_id}: {self.last_number}"


class MemberTally(models.Model):
    """Active members of one association by type and sex ("" for a group member). Kept in the
    same transaction as every change of membership; summed over a subtree at read time."""

    association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Member.Kind.choices)
    sex = models.CharField(max_length=1, blank=True)
    count = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("会员计数")
        verbose_name_plural = _("会员计数")
        constraints = [
            models.UniqueConstraint(fields=["association", "kind", "sex"], name="mem_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.association_id} {self.kind} {self.sex}: {self.count}"


class MemberGroup(TimeStampedModel):
    """会员小组: a small group of members within a village or unit association."""

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="member_groups",
    )
    name = NameField(_("小组名称"), max_length=100)
    leader = models.ForeignKey(
        Member,
        verbose_name=_("组长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("会员小组")
        verbose_name_plural = _("会员小组")
        ordering = ["association__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="mem_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class StatusChange(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=12, choices=Member.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Member.Status.choices)
    effective_date = models.DateField(_("日期"))
    reason = LineField(_("原因"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "member__association__path"

    class Meta:
        verbose_name = _("会员状态变更")
        verbose_name_plural = _("会员状态变更")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.from_status}→{self.to_status}"


class MemberTransferQuerySet(TransferQuerySet["Transfer"]):
    pass


class Transfer(TransferBase):
    """转会: requested by the sending association, accepted or refused by the receiving one, by
    the shared mechanism of `fpa.core.transfers`; the member's own part: `member`, `new_member`."""

    member = models.ForeignKey(
        Member, verbose_name=_("会员"), on_delete=models.PROTECT, related_name="transfers"
    )
    reason = LineField(_("转会原因"), max_length=300)
    new_member = models.ForeignKey(
        Member,
        verbose_name=_("转入后会员记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MemberTransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("会员转会")
        verbose_name_plural = _("会员转会")
        ordering = ["-requested_on", "-id"]
        constraints = [one_open_per("member", name="mem_transfer_one_open")]

    def __str__(self) -> str:
        return f"{self.member.name} {self.from_association}→{self.to_association}"

    @property
    def subject_name(self) -> str:
        return self.member.name


class ReregistrationQuerySet(ScopedQuerySet["Reregistration"]):
    """A campaign is seen by its association's subtree and, below it, by every association it
    covers (a village officer confirms members of a township-wide campaign)."""

    def visible_to(self, user: Viewer) -> Self:
        path = scope_path_of(user)
        if path is None:
            return self.none()
        parts = path.strip("/").split("/")
        above = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
        return self.filter(
            models.Q(association__path__under=path) | models.Q(association__path__in=above)
        )


class Reregistration(TimeStampedModel):
    """重新登记: a campaign over a subtree between two dates. Members confirm; at the close, active
    members who did not confirm lapse (with the campaign named as the reason)."""

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("发起协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=100)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("截止日期"))
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReregistrationQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("重新登记")
        verbose_name_plural = _("重新登记")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name


class Confirmation(models.Model):
    """A member confirmed in a re-registration campaign."""

    campaign = models.ForeignKey(
        Reregistration, on_delete=models.CASCADE, related_name="confirmations"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="confirmations")
    confirmed_on = models.DateField(_("确认日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "member__association__path"

    class Meta:
        verbose_name = _("重新登记确认")
        verbose_name_plural = _("重新登记确认")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="mem_confirm_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.confirmed_on}"
