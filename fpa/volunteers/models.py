"""Volunteers (志愿者, plan measure 13): recruited openly, managed by agreement 契约, trained, with
their service hours certified by the organising association."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.scope import ScopedQuerySet, scope_path_of
from fpa.core.text import LineField, MultilineField, NameField
from fpa.volunteers import rules


class Skill(models.Model):
    """A configurable skill: 心理咨询, 社会工作, 法律援助 …"""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("志愿者技能")
        verbose_name_plural = _("志愿者技能")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class VolunteerQuerySet(ScopedQuerySet):
    def active(self) -> VolunteerQuerySet:
        return self.filter(status=Volunteer.Status.ACTIVE)


class Volunteer(TimeStampedModel):
    # Set by the selectors that load a list (confirmed hours and the star level they earn).
    confirmed_hours: Decimal
    stars: int

    class Status(models.TextChoices):
        APPLIED = "applied", _("已报名待考察")
        VETTED = "vetted", _("考察通过待签约")
        REFUSED = "refused", _("考察未通过")
        ACTIVE = "active", _("在册服务")
        SUSPENDED = "suspended", _("暂停服务")
        LEFT = "left", _("已退出")

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属协会"),
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    name = NameField(_("姓名"), max_length=50)
    id_number = ProtectedField(_("身份证号码"), kind="id_number")
    id_number_hash = BlindIndexField(source="id_number")
    phone = ProtectedField(_("联系电话"), kind="phone")
    phone_hash = BlindIndexField(source="phone")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, blank=True, editable=False)
    address = LineField(_("住址"), max_length=200, blank=True)
    occupation = LineField(_("职业/专业"), max_length=100, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("技能"), blank=True, related_name="+")
    on_weekdays = models.BooleanField(_("工作日可服务"), default=False)
    on_weekends = models.BooleanField(_("周末可服务"), default=False)
    in_evenings = models.BooleanField(_("晚间可服务"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    # The version of the volunteer application's consent text (fpa.core.consent) agreed to.
    consent = models.ForeignKey(
        "core.ConsentText",
        verbose_name=_("同意书版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_on = models.DateField(_("报名日期"), default=datetime.date.today)
    # Under 18: a guardian's consent.
    guardian_name = NameField(_("监护人姓名"), max_length=50, blank=True)
    guardian_relation = LineField(_("与本人关系"), max_length=20, blank=True)
    guardian_phone = ProtectedField(_("监护人电话"), kind="phone", null=True, blank=True)
    guardian_phone_hash = BlindIndexField(source="guardian_phone")
    guardian_consent_on = models.DateField(_("监护人同意日期"), null=True, blank=True)
    # Vetting 考察.
    interview_on = models.DateField(_("面谈日期"), null=True, blank=True)
    vetting_notes = MultilineField(_("考察意见"), blank=True)
    vetted_on = models.DateField(_("考察日期"), null=True, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("考察人"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = VolunteerQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        indexes = [
            models.Index(fields=["association", "status"], name="vol_volunteer_assoc_status"),
        ]
        constraints = [
            # One record per person, but a refused application does not block a new one
            # (the citizen may apply again; the refused record stays as history).
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash="") & ~models.Q(status="refused"),
                name="vol_volunteer_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def age_on(self, day: datetime.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        return rules.age_on(self.birth_date, day or timezone.localdate())

    @property
    def is_minor(self) -> bool:
        age = self.age_on()
        return age is not None and age < rules.ADULT_AGE

    @property
    def is_child(self) -> bool:
        """Under 14: sensitive personal information (PIPL art. 28), shown masked everywhere."""
        age = self.age_on()
        return age is not None and age < rules.SENSITIVE_AGE

    @property
    def display_name(self) -> str:
        return rules.mask_name(self.name) if self.is_child else self.name


class StatusChange(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=Volunteer.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Volunteer.Status.choices)
    effective_date = models.DateField(_("日期"))
    reason = LineField(_("原因"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "volunteer__association__path"

    class Meta:
        verbose_name = _("志愿者状态变更")
        verbose_name_plural = _("志愿者状态变更")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.from_status}→{self.to_status}"


class Agreement(TimeStampedModel):
    """契约: the volunteer's service agreement with the association."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="agreements")
    term_start = models.DateField(_("协议开始"))
    term_end = models.DateField(_("协议到期"))
    content = MultilineField(_("服务内容"))
    safety_measures = MultilineField(_("安全保障措施"))
    signed_on = models.DateField(_("签订日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field = "volunteer__association__path"

    class Meta:
        verbose_name = _("志愿服务协议")
        verbose_name_plural = _("志愿服务协议")
        ordering = ["-term_end", "-id"]
        indexes = [models.Index(fields=["term_end"], name="vol_agreement_term_end")]

    def __str__(self) -> str:
        return f"协议 {self.term_start}—{self.term_end}"


class Training(TimeStampedModel):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="trainings")
    course = LineField(_("培训课程"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    completed_on = models.DateField(_("完成日期"))
    certificate = models.CharField(_("结业证书编号"), max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "volunteer__association__path"

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return self.course


class Insurance(TimeStampedModel):
    """Accident insurance: required before a risky service."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="insurances")
    insurer = LineField(_("保险公司"), max_length=100)
    policy_number = models.CharField(_("保单号"), max_length=60)
    valid_from = models.DateField(_("保险起期"))
    valid_to = models.DateField(_("保险止期"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "volunteer__association__path"

    class Meta:
        verbose_name = _("意外保险")
        verbose_name_plural = _("意外保险")
        ordering = ["-valid_to", "-id"]
        indexes = [models.Index(fields=["volunteer", "valid_to"], name="vol_insurance_valid")]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"

    def covers(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_to


class Team(TimeStampedModel):
    """总队 (county), 大队 (township), 中队 and 小队 (village)."""

    class Level(models.TextChoices):
        CORPS = "corps", _("总队")
        BRIGADE = "brigade", _("大队")
        SQUADRON = "squadron", _("中队")
        SQUAD = "squad", _("小队")

    association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    name = NameField(_("队名"), max_length=100)
    leader = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("队长"),
    )
    members = models.ManyToManyField(Volunteer, related_name="teams", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("志愿者队伍")
        verbose_name_plural = _("志愿者队伍")
        ordering = ["association__path", "level", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class ServiceQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> ServiceQuerySet:
        """Staff see the services of their subtree; a volunteer sees those they serve in."""
        path = scope_path_of(user)
        if path is None:
            return self.none()
        if user.has_capability("volunteer.view"):
            return self.filter(association__path__under=path)
        return self.filter(assignments__volunteer__user=user).distinct()


class Service(TimeStampedModel):
    """A service or activity organised by an association; volunteers are assigned to it."""

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("组织单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = LineField(_("服务/活动名称"), max_length=100)
    date = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("计划时长（小时）"), max_digits=5, decimal_places=1)
    risky = models.BooleanField(_("有风险的服务（须投保意外险）"), default=False)
    description = LineField(_("说明"), max_length=500, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("所需技能"), blank=True, related_name="+")
    need = models.ForeignKey(
        "families.Need",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("对应家庭诉求"),
    )

    objects = ServiceQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["association", "date"], name="vol_service_assoc_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class OwnOrScopeQuerySet(ScopedQuerySet):
    """Staff holding `volunteer.view` see their subtree; a volunteer sees their own rows."""

    def visible_to(self, user: Any) -> OwnOrScopeQuerySet:
        path = scope_path_of(user)
        if path is None:
            return self.none()
        if user.has_capability("volunteer.view"):
            return self.filter(volunteer__association__path__under=path)
        return self.filter(volunteer__user=user)


class HoursQuerySet(OwnOrScopeQuerySet):
    """Hours are also visible to the organiser of the service (who confirms them), wherever the
    volunteer is registered."""

    def visible_to(self, user: Any) -> HoursQuerySet:
        path = scope_path_of(user)
        if path is None:
            return self.none()
        if user.has_capability("volunteer.view"):
            return self.filter(
                models.Q(volunteer__association__path__under=path)
                | models.Q(service__association__path__under=path)
            )
        return self.filter(volunteer__user=user)


class Assignment(TimeStampedModel):
    """A volunteer assigned to a service (a task)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = OwnOrScopeQuerySet.as_manager()
    scope_field = "volunteer__association__path"

    class Meta:
        verbose_name = _("服务任务")
        verbose_name_plural = _("服务任务")
        ordering = ["-service__date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "volunteer"], name="vol_assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.volunteer}"


class HoursRecord(TimeStampedModel):
    """Hours of one volunteer at one service, travel excluded. Counts once confirmed."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("未确认")

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="hours_records")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours_records")
    hours = models.DecimalField(_("服务时长（小时，不含路途）"), max_digits=5, decimal_places=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    note = LineField(_("说明"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = HoursQuerySet.as_manager()
    scope_field = "volunteer__association__path"

    class Meta:
        verbose_name = _("服务时长")
        verbose_name_plural = _("服务时长")
        ordering = ["-service__date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "volunteer"], name="vol_hours_once")
        ]
        indexes = [models.Index(fields=["volunteer", "status"], name="vol_hours_status")]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.hours} 小时"


class Certificate(models.Model):
    """A certificate of service with an unguessable verification code."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(_("验证码"), max_length=32, unique=True)
    hours = models.DecimalField(_("累计服务时长"), max_digits=8, decimal_places=1)
    stars = models.PositiveSmallIntegerField(_("星级"), default=0)
    issuer = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("出具单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("出具日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = OwnOrScopeQuerySet.as_manager()
    scope_field = "volunteer__association__path"

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"志愿服务证明 {self.code}"


class Pairing(TimeStampedModel):
    """结对: a volunteer paired with a special family. The family's contact row (role 计生协会员或
    志愿者) and a care record are written through the families services."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="pairings")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "families.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField(_("结对日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = LineField(_("结对内容"), max_length=300, blank=True)

    objects = OwnOrScopeQuerySet.as_manager()
    scope_field = "volunteer__association__path"

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["volunteer", "end_date"], name="vol_pairing_current")]

    def __str__(self) -> str:
        return f"结对 {self.volunteer_id}-{self.family_id}"


ZERO = Decimal("0")
