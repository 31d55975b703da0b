from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from fpa.accounts.roles import OTP_REQUIRED_ROLES, Role, capabilities_of
from fpa.core.protected import BlindIndexField, ProtectedField
from fpa.core.text import NameField


class FpaUserManager(UserManager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().select_related("home_association").prefetch_related("roles")

    def visible_to(self, user: Any) -> models.QuerySet:
        """Accounts whose home association is in `user`'s subtree (the scope mechanism's entry)."""
        from fpa.core.scope import scope_path_of  # fpa.core.scope imports auth views: no cycle

        path = scope_path_of(user)
        if path is None:
            return self.none()
        return self.filter(home_association__path__under=path)


class User(AbstractUser):
    """An account. Scope is the subtree of `home_association`; powers come from `roles`."""

    full_name = NameField("姓名", max_length=50, blank=True)
    phone = ProtectedField("手机号", kind="phone", null=True, blank=True)
    phone_hash = BlindIndexField(source="phone")
    home_association = models.ForeignKey(
        "organizations.Association",
        verbose_name="所属协会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    objects: ClassVar[FpaUserManager] = FpaUserManager()

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return f"{self.full_name or self.username}（{self.username}）"

    @property
    def role_codes(self) -> list[str]:
        return sorted(r.role for r in self.roles.all())

    def has_role(self, role: str) -> bool:
        return role in self.role_codes

    @property
    def capabilities(self) -> frozenset[str]:
        """What the user's roles allow (nothing for an inactive account)."""
        if not self.is_active:
            return frozenset()
        return capabilities_of(set(self.role_codes))

    def has_capability(self, capability: str) -> bool:
        return capability in self.capabilities

    @property
    def needs_otp(self) -> bool:
        return bool(set(self.role_codes) & OTP_REQUIRED_ROLES)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in self.role_codes]


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return self.get_role_display()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField("用途", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "fpa_" + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
