"""The phones that hold a user's field work offline, and the offline changes as they arrived.

A `Device` is registered from a signed-in session, which hands it a data key once (the app
keeps the key as a non-extractable browser key beside the data it encrypts). It belongs to the
session that last used it: sessions expire after half an hour idle, so a phone back from a day
in the hills signs in again and the new session takes the phone over (audited). It ends at that
session's sign-out, when its user wipes the phone, when an account administrator ends it (a
lost phone), or when it has not synced for `services.IDLE_END` (its offline changes would be
refused by then anyway); a device that has ended is told so on its next call and wipes what it
holds, and the app wipes itself after that long offline without waiting for the call.

A `Receipt` is one offline change as it arrived, under the idempotency key the phone gave it:
what came of it (applied, refused, conflict) and the answer sent, so that a retry after a lost
answer gets the same answer and nothing is applied twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fpa.core.scope import ScopedQuerySet
from fpa.core.text import LineField


class Device(models.Model):
    class Ended(models.TextChoices):
        LOGOUT = "logout", _("退出登录")
        WIPED = "wiped", _("本人清除")
        REVOKED = "revoked", _("管理员注销")
        IDLE = "idle", _("长期未同步")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_devices"
    )
    label = LineField(_("设备"), max_length=100)
    # The SHA-256 of the session that registered it ("" for a bearer token): its sign-out ends it.
    session_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近同步"), null=True, blank=True)
    ended_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_why = models.CharField(_("注销原因"), max_length=12, choices=Ended.choices, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "user__home_association__path"

    class Meta:
        verbose_name = _("外勤设备")
        verbose_name_plural = _("外勤设备")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"

    @property
    def live(self) -> bool:
        return self.ended_at is None


class Receipt(models.Model):
    class Kind(models.TextChoices):
        CARE = "care", _("帮扶记录")
        NEED_RAISE = "need_raise", _("新诉求")
        NEED_UPDATE = "need_update", _("诉求办理")
        PHOTO = "photo", _("照片")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("已同步")
        REFUSED = "refused", _("被拒绝")
        CONFLICT = "conflict", _("有冲突")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="receipts")
    key = models.UUIDField(_("幂等键"))
    digest = models.CharField(max_length=64)  # SHA-256 of the change as sent: a key reused differs
    kind = models.CharField(max_length=12, choices=Kind.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    answer = models.JSONField(default=dict)
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    made_at = models.DateTimeField(_("离线记录时间"))
    received_at = models.DateTimeField(_("到达时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("离线同步回执")
        verbose_name_plural = _("离线同步回执")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="field_receipt_user_key"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="field_receipt_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.outcome}"
