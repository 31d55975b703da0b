"""Account writes: creating accounts (system administrator), roles and scope (security
administrator), passwords and API tokens. Each is atomic and audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from fpa.accounts.models import ApiToken, User, UserRole
from fpa.accounts.roles import Role, role_conflict
from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, validate, within
from fpa.core.models import AuditEvent
from fpa.core.scope import in_scope


def _scope_of(user: User) -> str:
    home = user.home_association
    return home.path if home is not None else ""


def _require(actor: User | None, capability: str) -> None:
    if actor is not None and not actor.has_capability(capability):
        raise NotAllowed(gettext("您的角色无权进行此操作。"))


def _require_target_in_scope(actor: User | None, association: Any) -> None:
    if actor is None:  # management commands run by the operator of the server
        return
    if not in_scope(actor, association):
        raise NotAllowed(gettext("所选协会不在您的管辖范围内。"))


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        messages = [_password_message(error) for error in exc.error_list]
        raise ServiceError(_separator().join(messages), field="password") from exc


def _password_message(error: ValidationError) -> str:
    # Django 5.2's zh_Hans catalog has no entry for the reworded minimum-length message, which
    # would reach users in English.
    if error.code == "password_too_short":
        return gettext("密码长度太短，至少需要%(count)s个字符。") % {
            "count": (error.params or {}).get("min_length", "")
        }
    return _separator().join(error.messages)


def _separator() -> str:
    """Between the messages of one refused password."""
    return pgettext("between messages", "；")


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str = "",
    home_association: Any = None,
    phone: str | None = None,
    roles: list[str] | None = None,
) -> User:
    """A new account. Roles may be given only by the security administrator (or the operator)."""
    _require(actor, "accounts.manage")
    _require_target_in_scope(actor, home_association)
    username = (username or "").strip()
    if not username or User.objects.filter(username__iexact=username).exists():
        raise ServiceError(gettext("该账号名已被使用或为空。"), field="username")
    user = User(
        username=username,
        full_name=(full_name or "").strip(),
        home_association=home_association,
        phone=phone or None,
    )
    validate(user, exclude=["password", "phone_hash"])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_create(actor=actor, obj=user, scope_path=_scope_of(user))
    if roles:
        if actor is not None:
            _require(actor, "roles.manage")
        _set_roles(actor, user, set(roles))
    return user


def _set_roles(actor: User | None, user: User, roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ServiceError(
            gettext("未知角色：%(roles)s") % {"roles": ", ".join(sorted(unknown))}, field="roles"
        )
    conflict = role_conflict(roles)
    if conflict:
        raise ServiceError(conflict, field="roles")
    if (
        roles - {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
        and not user.home_association_id
    ):
        raise ServiceError(gettext("业务角色须先指定所属协会。"), field="home_association")
    before = set(user.role_codes)
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=r) for r in sorted(roles - before)], ignore_conflicts=True
    )
    if hasattr(user, "_prefetched_objects_cache"):
        user._prefetched_objects_cache.pop("roles", None)
    if before != roles:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            changes={"roles": [sorted(before), sorted(roles)]},
            scope_path=_scope_of(user),
        )


@transaction.atomic
def user_set_roles(
    *, actor: User, user: User, roles: list[str], home_association: Any = None
) -> User:
    """Security administrator: the roles and home association (scope) of an account."""
    _require(actor, "roles.manage")
    if actor is not None and actor.pk == user.pk:
        raise NotAllowed(gettext("不能修改自己的角色与范围。"))
    if home_association is not None and home_association.pk != user.home_association_id:
        _require_target_in_scope(actor, home_association)
        before = snapshot(user, ["home_association"])
        user.home_association = home_association
        user.save(update_fields=["home_association"])
        audit_update(actor=actor, obj=user, before=before, scope_path=_scope_of(user))
    if user.home_association_id:
        _require_target_in_scope(actor, user.home_association)
    _set_roles(actor, user, set(roles))
    return user


@transaction.atomic
def user_update(
    *, actor: User, user: User, full_name: str, phone: str | None, is_active: bool
) -> User:
    _require(actor, "accounts.manage")
    _require_target_in_scope(actor, user.home_association)
    if actor is not None and actor.pk == user.pk and not is_active:
        raise NotAllowed(gettext("不能停用自己的账号。"))
    before = snapshot(user, ["full_name", "phone", "is_active"])
    user.full_name = (full_name or "").strip()
    user.phone = phone or None
    user.is_active = is_active
    validate(user, exclude=["password", "phone_hash", "username"])
    user.save(update_fields=["full_name", "phone", "phone_hash", "is_active"])
    if not is_active:
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_update(actor=actor, obj=user, before=before, scope_path=_scope_of(user))
    return user


@transaction.atomic
def user_reset_password(*, actor: User, user: User, password: str) -> User:
    _require(actor, "accounts.manage")
    _require_target_in_scope(actor, user.home_association)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=user,
        changes={"password": ["***", "***"]},
        scope_path=_scope_of(user),
        reason="管理员重置密码",
    )
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ServiceError(gettext("原密码不正确。"), field="old_password")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        obj=user,
        changes={"password": ["***", "***"]},
        scope_path=_scope_of(user),
    )
    return user


@transaction.atomic
def token_issue(*, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new API token; the plain token is returned once and never stored."""
    if not user.is_active:
        raise NotAllowed(gettext("账号已停用。"))
    plain = ApiToken.generate()
    lifetime = datetime.timedelta(days=days or settings.FPA_API_TOKEN_DAYS)
    token = ApiToken.objects.create(
        user=user,
        prefix=plain[:12],
        digest=ApiToken.digest_of(plain),
        name=within(name or "", 100, field="name"),
        expires_at=timezone.now() + lifetime,
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.TOKEN,
        obj=token,
        changes={"issued": [None, token.prefix]},
        scope_path=_scope_of(user),
    )
    return token, plain


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise NotAllowed(gettext("只能撤销自己的令牌。"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action=AuditEvent.Action.TOKEN,
            obj=token,
            changes={"revoked": [None, token.prefix]},
            scope_path=_scope_of(user),
        )
    return token


def token_authenticate(plain: str) -> User | None:
    """The active user behind a bearer token, or None; records when it was last used."""
    if not plain or len(plain) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__home_association")
        .filter(digest=ApiToken.digest_of(plain))
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def address_lockout(
    *, actor: User | None, ip: str, failures: int, minutes: int, username: str = ""
) -> AuditEvent:
    """Record that sign-in from `ip` is paused (fpa.accounts.lockout). The actor is None: the
    failures are anonymous; `username` is the one tried last, for the trail only."""
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.LOCKOUT,
        username=username[:150],
        object_type="accounts.address",
        object_repr=ip,
        changes={"failures": [None, failures], "minutes": [None, minutes]},
        reason=f"同一地址登录失败{failures}次，暂停该地址登录{minutes}分钟",
    )


# --- second factor ---------------------------------------------------------------------------


@transaction.atomic
def otp_enrol_start(*, user: User) -> TOTPDevice:
    """The user's pending authenticator (unconfirmed: it grants nothing until `otp_enrol`),
    created once per enrolment and audited then."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            object_type="otp.totpdevice",
            object_repr=f"{user.username}: authenticator (pending)",
            changes={"confirmed": [None, False]},
            scope_path=_scope_of(user),
        )
    return device


@transaction.atomic
def otp_enrol(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm the pending authenticator with one code from it: it replaces any earlier one.
    False (nothing changed) when the code is wrong."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return False
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        object_type="otp.totpdevice",
        object_repr=f"{user.username}: authenticator",
        changes={"confirmed": [False, True], "replaced": [replaced, 0]},
        scope_path=_scope_of(user),
    )
    return True
