"""The inbox (消息通知): a message per recipient, its deliveries by SMS or e-mail, and each user's
choices per kind of message.

A message belongs to its recipient only: it is read through `Message.objects.of(user)` (the
inbox's scope is the account, not an association). Its words are plain (checked by
`fpa.notifications.guard` before it is written): a family is named by its masked reference only.
A delivery keeps the masked destination and every attempt's outcome: the log of what was sent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageQuerySet(models.QuerySet["Message"]):
    def of(self, user: Any) -> MessageQuerySet:
        """The user's own messages (nothing for an anonymous or inactive account)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> MessageQuerySet:
        return self.filter(read_at__isnull=True)


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("类型"), max_length=80)
    title = models.CharField(_("标题"), max_length=200)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    reason = models.TextField(_("说明"), max_length=1000, blank=True)
    # A digest's rows: [{"label": ..., "count": n or None, "url": ...}]
    lines = models.JSONField(_("明细"), default=list, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # SMS and e-mail wait for the daily digest (the user chose the digest for this kind).
    held = models.BooleanField(_("并入每日汇总"), default=False)
    digested_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)
    # A key that makes a sweep idempotent (one digest per user and day); "" when not needed.
    dedupe = models.CharField(max_length=100, blank=True, default="")

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notif_msg_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notif_msg_unread"),
            models.Index(fields=["held", "digested_at"], name="notif_msg_held"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe"],
                condition=~models.Q(dedupe=""),
                name="notif_msg_dedupe",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One message sent through one channel; retried with a growing wait until it is sent or
    the attempts run out."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    message = models.ForeignKey(
        Message, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    destination = models.CharField(_("发送至（打码）"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息发送记录")
        verbose_name_plural = _("消息发送记录")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_dlv_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.destination} {self.get_status_display()}"


class Preference(models.Model):
    """A user's choice for one kind of message: SMS, e-mail (in-app is always on), and whether
    the kind waits for the daily digest instead of coming one by one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    kind = models.CharField(_("类型"), max_length=80)
    sms = models.BooleanField(_("短信"), default=False)
    email = models.BooleanField(_("电子邮件"), default=False)
    digest = models.BooleanField(_("并入每日汇总"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
