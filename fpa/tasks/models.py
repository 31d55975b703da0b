"""The reform task book (任务书, plan measures 19 and 21) and its supervision ladder (督促).

A county association enters its plan's measures (`Measure`); a level sets tasks (`Task`) that
serve a measure, each assigned to one association in its subtree (the responsible side), which
may hand parts of it down to the associations directly below it (copies linked by `parent`).
The responsible side reports progress (`ProgressReport`, with `Evidence` files and in-platform
links), marks the task complete; the level that set it accepts or returns it, and may reopen a
done task. For late or weak tasks the setting level escalates (`Supervision`: a reminder, a
督办单 with a gap-free number, a 约谈), and the responsible side may ask for more time
(`Extension`). Every change goes through `fpa.tasks.services` and leaves a `Step`: the task's
timeline.

A task's status is computed (`rules.status`, `TaskQuerySet.with_status`), never stored.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from fpa.core.models import TimeStampedModel
from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField, MultilineField
from fpa.tasks import rules


class Measure(TimeStampedModel):
    """One measure of a county's reform plan (永靖县 has 21), by its number in the plan."""

    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("所属计生协"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = LineField(_("改革措施"), max_length=rules.TITLE_MAX)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("改革措施")
        verbose_name_plural = _("改革措施")
        ordering = ["association", "number"]
        constraints = [
            models.UniqueConstraint(fields=["association", "number"], name="tasks_measure_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class TaskQuerySet(ScopedQuerySet["Task"]):
    def with_status(self, today: datetime.date) -> TaskQuerySet:
        """Annotate `computed_status`: `rules.status` in SQL, to filter and count by status."""
        soon = today + datetime.timedelta(days=rules.DUE_SOON_DAYS)
        return self.annotate(
            computed_status=Case(
                When(stage=rules.ACCEPTED, then=Value(rules.DONE)),
                When(
                    stage=rules.COMPLETED,
                    completed_on__gt=F("deadline"),
                    then=Value(rules.OVERDUE),
                ),
                When(stage=rules.COMPLETED, then=Value(rules.ON_TRACK)),
                When(deadline__lt=today, then=Value(rules.OVERDUE)),
                When(deadline__lte=soon, then=Value(rules.DUE_SOON)),
                When(
                    Q(start_on__gt=today) | Q(last_reported_on__isnull=True),
                    then=Value(rules.NOT_STARTED),
                ),
                default=Value(rules.ON_TRACK),
                output_field=models.CharField(),
            )
        )

    def of_status(self, code: str, today: datetime.date) -> TaskQuerySet:
        return self.with_status(today).filter(**{"computed_status": code})


class Task(TimeStampedModel):
    class Stage(models.TextChoices):
        OPEN = rules.OPEN, _("推进中")
        COMPLETED = rules.COMPLETED, _("已报完成，待验收")
        ACCEPTED = rules.ACCEPTED, _("已验收")

    measure = models.ForeignKey(
        Measure, verbose_name=_("改革措施"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = LineField(_("任务名称"), max_length=rules.TITLE_MAX)
    # The level that set the task: its staff with `task.manage` accept, return, reopen,
    # supervise and decide extensions.
    set_by = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("下达单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The responsible side (牵头单位 on the platform): reports progress and marks complete.
    association = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("牵头计生协"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_department = LineField(_("牵头部门（平台外）"), max_length=rules.UNIT_MAX, blank=True)
    co_associations = models.ManyToManyField(
        "organizations.Association",
        verbose_name=_("配合计生协"),
        blank=True,
        related_name="+",
    )
    co_departments = LineField(_("配合部门（平台外）"), max_length=rules.UNIT_MAX, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成时限"))
    original_deadline = models.DateField(_("原定完成时限"))
    deliverables = MultilineField(_("成果要求"), max_length=rules.TEXT_MAX)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    stage = models.CharField(
        _("办理阶段"), max_length=10, choices=Stage.choices, default=rules.OPEN
    )
    progress = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    last_reported_on = models.DateField(_("最近报告日期"), null=True, blank=True)
    completed_on = models.DateField(_("报完成日期"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报完成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The list's "by deadline" order: the deadline, then the id (unique, so a keyset page can
    # follow it; kept by the services whenever the deadline moves).
    due_key = models.CharField(max_length=24, unique=True, null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = TaskQuerySet.as_manager()
    scope_field = "association__path"

    class Meta:
        verbose_name = _("改革任务")
        verbose_name_plural = _("改革任务")
        indexes = [
            models.Index(fields=["association", "deadline"], name="tasks_task_assoc_deadline"),
            models.Index(fields=["set_by", "stage"], name="tasks_task_setby_stage"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="tasks_task_progress_100"),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("start_on")), name="tasks_task_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def status_on(self, today: datetime.date) -> str:
        return rules.status(
            stage=self.stage,
            start_on=self.start_on,
            deadline=self.deadline,
            today=today,
            reported=self.last_reported_on is not None,
            completed_on=self.completed_on,
        )

    @property
    def status_code(self) -> str:
        """The status annotated by `with_status`, else computed for today."""
        found = self.__dict__.get("computed_status")
        if found:
            return str(found)
        from django.utils import timezone

        return self.status_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        return rules.status_label(self.status_code)

    @property
    def status_badge(self) -> str:
        return rules.STATUS_BADGES.get(self.status_code, "secondary")

    @property
    def lead_unit(self) -> str:
        """The lead unit as the task book prints it."""
        name = self.association.division_name or self.association.name
        return f"{self.lead_department}（{name}）" if self.lead_department else name


def due_key(deadline: datetime.date, pk: int) -> str:
    return f"{deadline:%Y%m%d}-{pk:012d}"


class ProgressReport(models.Model):
    """A progress report by the responsible side: the date, what was done, how far (0-100 %),
    and its evidence (files, and links to records in the platform)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("报告日期"))
    text = MultilineField(_("进展情况"), max_length=rules.TEXT_MAX)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    links = models.JSONField(_("平台内佐证链接"), default=list, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "task__association__path"

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["reported_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="tasks_report_percent_100"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.reported_on} {self.percent}%"


class Supervision(TimeStampedModel):
    """One rung of the supervision ladder (督促) on a task, by the level that set it."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("提醒")
        NOTICE = "notice", _("督办单")
        INTERVIEW = "interview", _("约谈")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField(_("督促方式"), max_length=10, choices=Kind.choices)
    issued_on = models.DateField(_("日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A reminder's message, a 督办单's problem.
    problem = MultilineField(_("存在问题"), max_length=rules.TEXT_MAX, blank=True)
    # 督办单: its number, counted per county (`NoticeCounter`) and year without gaps.
    counter = models.ForeignKey(
        "organizations.Association",
        verbose_name=_("编号单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    number = LineField(_("督办单编号"), max_length=40, blank=True)
    new_deadline = models.DateField(_("整改时限"), null=True, blank=True)
    required_answer = MultilineField(_("办理要求"), max_length=rules.TEXT_MAX, blank=True)
    answer = MultilineField(_("办理情况"), max_length=rules.TEXT_MAX, blank=True)
    answer_links = models.JSONField(_("平台内佐证链接"), default=list, blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 约谈: who took part and what was concluded.
    attendees = LineField(_("参加人员"), max_length=rules.NOTE_MAX, blank=True)
    conclusions = MultilineField(_("约谈结论"), max_length=rules.TEXT_MAX, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field = "task__association__path"

    class Meta:
        verbose_name = _("督促记录")
        verbose_name_plural = _("督促记录")
        ordering = ["issued_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["counter", "year", "sequence"],
                condition=Q(kind="notice"),
                name="tasks_notice_number_once",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} #{self.pk}"

    @property
    def answered(self) -> bool:
        return self.answered_on is not None


class NoticeCounter(models.Model):
    """The last 督办单 number of a county in a year (`fpa.core.counters.next_number`)."""

    association = models.ForeignKey(
        "organizations.Association", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="tasks_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.association_id} {self.year}: {self.last}"


class Evidence(models.Model):
    """A checked file (`fpa.core.uploads.clean_document`) of a progress report or of a 督办单's
    answer, stored under a random name outside every public URL, served by a scoped view."""

    class Format(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        PDF = "pdf", "PDF"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    supervision = models.ForeignKey(
        Supervision, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    file = models.CharField(_("文件"), max_length=200, editable=False)
    format = models.CharField(_("格式"), max_length=4, choices=Format.choices)
    size = models.PositiveIntegerField(_("字节数"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "task__association__path"

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} #{self.pk}"

    @property
    def content_type(self) -> str:
        return {"jpeg": "image/jpeg", "png": "image/png"}.get(self.format, "application/pdf")

    @property
    def download_name(self) -> str:
        extension = "jpg" if self.format == self.Format.JPEG else self.format
        return f"task-{self.task_id}-evidence-{self.pk}.{extension}"


class Extension(models.Model):
    """An extension request (延期申请) of the responsible side, decided by the setting level.
    An approval moves the task's deadline; the deadline before it stays here."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("未同意")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    old_deadline = models.DateField(_("原完成时限"))
    requested_deadline = models.DateField(_("申请延至"))
    reason = MultilineField(_("延期理由"), max_length=rules.TEXT_MAX)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_on = models.DateField(_("申请日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = LineField(_("审批意见"), max_length=rules.NOTE_MAX, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "task__association__path"

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="pending"), name="tasks_one_pending_extension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.requested_deadline}"


class Step(models.Model):
    """One entry of a task's timeline: what happened, who did it, and the record it made."""

    class Kind(models.TextChoices):
        CREATED = "created", _("下达任务")
        EDITED = "edited", _("修改任务")
        DELEGATED = "delegated", _("分解下达")
        REPORTED = "reported", _("报告进展")
        COMPLETED = "completed", _("报完成")
        ACCEPTED = "accepted", _("验收通过")
        RETURNED = "returned", _("退回")
        REOPENED = "reopened", _("重新打开")
        REMINDED = "reminded", _("提醒")
        NOTICE = "notice", _("下发督办单")
        ANSWERED = "answered", _("答复督办单")
        INTERVIEW = "interview", _("约谈")
        EXTENSION_ASKED = "ext_asked", _("申请延期")
        EXTENSION_APPROVED = "ext_approved", _("同意延期")
        EXTENSION_REFUSED = "ext_refused", _("不同意延期")

    LADDER = frozenset(
        {
            "reminded",
            "notice",
            "answered",
            "interview",
            "ext_asked",
            "ext_approved",
            "ext_refused",
        }
    )

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("事项"), max_length=12, choices=Kind.choices)
    note = LineField(_("说明"), max_length=rules.NOTE_MAX, blank=True)
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    supervision = models.ForeignKey(
        Supervision, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    extension = models.ForeignKey(
        Extension, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "task__association__path"

    class Meta:
        verbose_name = _("任务记录")
        verbose_name_plural = _("任务记录")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"

    @property
    def on_ladder(self) -> bool:
        return self.kind in self.LADDER
