"""Abstract bases of the care mechanism's records. A module's concrete model adds the foreign key
to its subject (and, for a contact, the role and the platform account; for a care record, the
kind and the contact; for a need, the care record it was raised in), its scoped queryset and its
Meta. The fields here keep the columns the special families' tables always had, so that the
families' models could become subclasses without a migration."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.text import LineField, MultilineField, NameField


class ContactBase(TimeStampedModel):
    """A contact person (联系人) looking after a subject for a period; current while `end_date`
    is empty. The concrete model adds `role` (the frequency rules) and `user` (the account)."""

    name = NameField(_("姓名"), max_length=50)
    phone = ProtectedField(_("联系电话"), kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name}（{getattr(self, 'role', '')}）"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class CareRecordBase(TimeStampedModel):
    """One contact with a subject: a visit, a call, counselling … The concrete model adds
    `kind` (a care kind with its mode) and `contact` (who, when a contact person recorded it)."""

    occurred_on = models.DateField(_("日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    notes = MultilineField(_("情况（敏感）"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.occurred_on} {getattr(self, 'kind', '')}"


class NeedBase(TimeStampedModel):
    """诉求: something a subject asked for, with an owner and a deadline, tracked to its result."""

    class Status(models.TextChoices):
        OPEN = "open", _("待办")
        IN_PROGRESS = "in_progress", _("办理中")
        RESOLVED = "resolved", _("已解决")
        CLOSED = "closed", _("无法解决已答复")

    description = LineField(_("诉求内容"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("办结期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    result = LineField(_("办理结果"), max_length=500, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.description)[:30]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class StoredScheduleBase(models.Model):
    """A subject's contact schedule stored on its own row (`fpa.core.care.stored`), so that
    "who is behind" is a condition of the database rather than a computation over every row:
    refreshed in the transaction of each care record and contact change, and when a contact
    role's rules or a care kind's mode change. Nullable (or with a database default) so that
    rows written by plain SQL (bench/) stay valid until refreshed."""

    last_care_on = models.DateField(_("最近关爱日期"), null=True, blank=True, editable=False)
    # The last day the call and meeting rules are kept (`rules.contact_due_on`); None: no rule.
    care_due_on = models.DateField(_("应联系日期"), null=True, blank=True, editable=False)
    visits_per_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    visits_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    visits_done = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        abstract = True
