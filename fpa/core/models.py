from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One append-only row per change, read of a protected value, or sign-in event.

    Database triggers (migration 0002) refuse UPDATE and DELETE on this table.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        REVEAL = "reveal", _("查看完整信息")
        EXPORT = "export", _("导出")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号锁定")
        TOKEN = "token", _("令牌")

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField("账号", max_length=150, blank=True)
    actor_roles = models.CharField("角色", max_length=200, blank=True)
    actor_association = models.CharField("所属协会", max_length=64, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # The subtree the object belongs to, so auditors read only the trail of their own scope.
    scope_path = models.CharField("范围", max_length=255, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["scope_path"],
                name="core_audit_scope_prefix",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"


class Job(models.Model):
    """One piece of long work run by a background worker (`fpa.core.jobs`), with its progress.

    Lives on the "jobs" database alias (`fpa.core.db_router`): progress is written through its own
    connection while the work holds a transaction on "default". So there are no foreign keys:
    the owner and the owner's association are plain values (the scope path is copied)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    owner_id = models.BigIntegerField("发起人编号", null=True, blank=True, db_index=True)
    owner_username = models.CharField("发起人", max_length=150, blank=True)
    scope_path = models.CharField("范围", max_length=255, blank=True)
    kind = models.CharField("类型", max_length=64)
    title = models.CharField("名称", max_length=200)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    stage = models.CharField("阶段", max_length=100, blank=True)  # a Chinese msgid
    rows_read = models.PositiveIntegerField("已读取", default=0)
    rows_planned = models.PositiveIntegerField("已核对", default=0)
    rows_written = models.PositiveIntegerField("已写入", default=0)
    total = models.PositiveIntegerField("总数", null=True, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    token = models.CharField("凭据", max_length=64, blank=True, db_index=True)
    secret = models.TextField("密文", blank=True)  # sealed with the field keys
    result = models.JSONField("结果", default=dict, blank=True)
    result_file = models.CharField("结果文件", max_length=255, blank=True)
    result_name = models.CharField("结果文件名", max_length=200, blank=True)
    error = models.TextField("错误", blank=True)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    worker_id = models.CharField("后台进程", max_length=128, blank=True)
    heartbeat_at = models.DateTimeField("心跳", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["scope_path"],
                name="core_job_scope_prefix",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind} {self.status}"


class WorkerBeat(models.Model):
    """One row per live task worker, refreshed every few seconds (read by /readyz)."""

    worker_id = models.CharField("后台进程", max_length=128, unique=True)
    hostname = models.CharField("主机", max_length=255, blank=True)
    pid = models.IntegerField("进程号", default=0)
    started_at = models.DateTimeField("启动时间", auto_now_add=True)
    beat_at = models.DateTimeField("心跳", db_index=True)

    class Meta:
        verbose_name = "后台进程"
        verbose_name_plural = "后台进程"

    def __str__(self) -> str:
        return self.worker_id


class ConsentText(models.Model):
    """A consent text that a public form shows (the volunteer application, the online member
    application), one series of versions per `purpose`; a changed text is a new version, never an
    edit of an old one, and each application records the version its applicant agreed to
    (fpa.core.consent)."""

    purpose = models.SlugField("用途", max_length=40)
    version = models.PositiveIntegerField("版本")
    body = models.TextField("同意书内容")
    effective_from = models.DateField("启用日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "同意书"
        verbose_name_plural = "同意书"
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="core_consent_version"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} 第{self.version}版（{self.effective_from} 起）"
