from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from fpa.accounts import forms, lockout, selectors, services
from fpa.accounts.models import ApiToken, User
from fpa.accounts.requests import otp_verified, signed_in_user
from fpa.core.actions import form_action
from fpa.core.errors import ServiceError
from fpa.core.qr import qr_data_uri
from fpa.core.scope import public_view, scoped_view
from fpa.field import selectors as field_selectors
from fpa.organizations.selectors import association_choices


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("dashboard:home")


def _with_next(view_name: str, request: HttpRequest) -> str:
    """The URL of `view_name` carrying the checked `next`, encoded so that its query survives."""
    return reverse(view_name) + "?" + urlencode({"next": _next_url(request)})


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any, **kw: Any) -> Any:
    """The answer to a locked sign-in: per (username, IP) from django-axes, or per address
    (fpa.accounts.lockout) when the request carries `fpa_address_locked`."""
    if getattr(request, "fpa_address_locked", False):
        code = "address_locked"
        message = gettext(
            "从您所在网络地址登录失败的次数过多，该地址已暂停登录%(minutes)d分钟。"
            "请稍后再试，或联系系统管理员。"
        ) % {"minutes": lockout.lock_minutes()}
    else:
        code = "locked"
        message = gettext("登录失败次数过多，账号已暂时锁定，请稍后再试或联系系统管理员。")
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=429)
    form = forms.LoginForm(request.POST or None)
    form.add_error(None, message)
    return render(request, "accounts/login.html", {"form": form}, status=429)


@public_view
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is not None:
            login(request, user)  # a new session id
            if settings.FPA_REQUIRE_OTP and user.needs_otp:
                target = "accounts:otp_verify" if _device(user) else "accounts:otp_setup"
                return redirect(_with_next(target, request))
            return redirect(_next_url(request))
        if not getattr(request, "axes_locked_out", False):
            form.add_error(None, gettext("账号或密码不正确。"))
        else:
            return lockout_response(request)
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@require_POST
@public_view
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def _device(user: User) -> TOTPDevice | None:
    return selectors.otp_device(user)


@scoped_view(capability="account.self")
def otp_verify(request: HttpRequest) -> HttpResponse:
    if _device(signed_in_user(request)) is None:
        return redirect(_with_next("accounts:otp_setup", request))
    form = forms.OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(signed_in_user(request), form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", gettext("验证码不正确或已过期。"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@scoped_view(capability="account.self")
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code, then confirm with one code from it."""
    user = signed_in_user(request)
    if _device(user) is not None and not otp_verified(user):
        return redirect(_with_next("accounts:otp_verify", request))
    device = services.otp_enrol_start(user=user)
    form = forms.OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_enrol(user=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, gettext("动态验证码已启用。"))
            return redirect(_next_url(request))
        form.add_error("token", gettext("验证码不正确，请确认手机时间准确后重试。"))
    context = {
        "form": form,
        "qr_src": qr_data_uri(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@scoped_view(capability="account.self")
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: the password (form_action) and the authenticator. The API tokens
    are on the advanced page, for those who connect other systems."""
    user = signed_in_user(request)
    password_form = forms.PasswordChangeForm(request.POST or None, prefix="pw")

    def page() -> HttpResponse:
        context = {
            "password_form": password_form,
            "has_device": _device(user) is not None,
            "can_use_api": user.has_capability("api.use"),
            "devices": list(field_selectors.devices_of(user=user)[:20]),
        }
        return render(request, "accounts/profile.html", context)

    if request.method != "POST":
        return page()
    return form_action(
        request,
        password_form,
        call=lambda form: _change_password(request, user, form),
        done=gettext("密码已修改。"),
        then="accounts:profile",
        page=page,
    )


@scoped_view(capability="api.use")
def advanced(request: HttpRequest) -> HttpResponse:
    """高级设置: the API tokens of the user, for the roles that connect other systems (api.use).
    A new token is shown once, on this page, not after a redirect."""
    user = signed_in_user(request)
    token_form = forms.TokenForm(request.POST or None, prefix="tk")
    new_token = None
    if request.method == "POST" and token_form.is_valid():
        try:
            _, new_token = services.token_issue(user=user, name=token_form.cleaned_data["name"])
        except ServiceError as exc:
            token_form.add_error("name", exc.message)
        else:
            token_form = forms.TokenForm(prefix="tk")
    context = {
        "token_form": token_form,
        "tokens": selectors.own_tokens(user),
        "new_token": new_token,
        "token_days": settings.FPA_API_TOKEN_DAYS,
    }
    return render(request, "accounts/advanced.html", context)


def _change_password(request: HttpRequest, user: User, form: forms.PasswordChangeForm) -> None:
    services.password_change(
        user=user,
        old_password=form.cleaned_data["old_password"],
        new_password=form.cleaned_data["new_password"],
    )
    update_session_auth_hash(request, user)  # this session stays signed in, the others end


@require_POST
@scoped_view(capability="account.self")
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, user=signed_in_user(request), pk=pk)
    user = signed_in_user(request)
    services.token_revoke(user=user, token=token)
    messages.success(request, gettext("令牌已撤销。"))
    # Anyone may revoke a token of their own; only api.use has the page that lists them.
    return redirect("accounts:advanced" if user.has_capability("api.use") else "accounts:profile")


# --- system administrator: accounts -----------------------------------------------------------


@scoped_view(capability="accounts.manage")
def user_list(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:50]
    page = selectors.user_list(
        user=signed_in_user(request),
        query=query,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(request, "accounts/user_list.html", {"page": page, "q": query})


@scoped_view(capability="accounts.manage")
def user_create(request: HttpRequest) -> HttpResponse:
    form = forms.UserCreateForm(
        request.POST or None, associations=association_choices(user=signed_in_user(request))
    )
    return form_action(
        request,
        form,
        call=lambda form: services.user_create(
            actor=signed_in_user(request),
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            full_name=form.cleaned_data["full_name"],
            home_association=form.cleaned_data["home_association"],
            phone=form.cleaned_data["phone"] or None,
        ),
        done=lambda user: (
            gettext("账号 %(username)s 已创建，请由安全管理员分配角色。")
            % {"username": user.username}
        ),
        then="accounts:user_list",
        page=lambda: render(
            request, "accounts/user_form.html", {"form": form, "title": gettext("新建账号")}
        ),
    )


@scoped_view(capability="accounts.manage", model=User, kwarg="pk", as_="target")
def user_edit(request: HttpRequest, target: User) -> HttpResponse:
    """One page, two forms: the account's details, and a new password (posted with
    "reset-password"); each goes through form_action on its own."""
    initial = {"full_name": target.full_name, "is_active": target.is_active}
    actor = signed_in_user(request)
    if request.method == "POST" and "reset-password" in request.POST:
        reset_form = forms.PasswordResetForm(request.POST, prefix="reset")
        return form_action(
            request,
            reset_form,
            call=lambda form: services.user_reset_password(
                actor=actor, user=target, password=form.cleaned_data["password"]
            ),
            done=gettext("密码已重置。"),
            then="accounts:user_list",
            page=lambda: _user_edit_page(
                request, target, forms.UserEditForm(initial=initial), reset_form
            ),
            on_error=lambda form, exc: form.add_error("password", exc.message),
        )
    form = forms.UserEditForm(request.POST or None, initial=initial)
    return form_action(
        request,
        form,
        call=lambda form: services.user_update(
            actor=actor,
            user=target,
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"] or (target.phone if target.phone else None),
            is_active=form.cleaned_data["is_active"],
        ),
        done=gettext("账号已保存。"),
        then="accounts:user_list",
        page=lambda: _user_edit_page(
            request, target, form, forms.PasswordResetForm(prefix="reset")
        ),
    )


def _user_edit_page(
    request: HttpRequest,
    target: User,
    form: forms.UserEditForm,
    reset_form: forms.PasswordResetForm,
) -> HttpResponse:
    context = {
        "form": form,
        "reset_form": reset_form,
        "target": target,
        "devices": list(field_selectors.devices_of(user=target)[:20]),
    }
    return render(request, "accounts/user_edit.html", context)


# --- security administrator: roles and scope --------------------------------------------------


@scoped_view(capability="roles.manage")
def role_list(request: HttpRequest) -> HttpResponse:
    page = selectors.user_list(
        user=signed_in_user(request),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(request, "accounts/role_list.html", {"page": page})


@scoped_view(capability="roles.manage", model=User, kwarg="pk", as_="target")
def role_edit(request: HttpRequest, target: User) -> HttpResponse:
    form = forms.RoleForm(
        request.POST or None,
        associations=association_choices(user=signed_in_user(request)),
        initial={"home_association": target.home_association, "roles": target.role_codes},
    )
    return form_action(
        request,
        form,
        call=lambda form: services.user_set_roles(
            actor=signed_in_user(request),
            user=target,
            roles=form.cleaned_data["roles"],
            home_association=form.cleaned_data["home_association"],
        ),
        done=gettext("角色与范围已保存。"),
        then="accounts:role_list",
        page=lambda: render(request, "accounts/role_edit.html", {"form": form, "target": target}),
    )
