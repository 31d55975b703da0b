from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fpa.accounts.roles import Role
from fpa.core.forms import limit_choices
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker


class LoginForm(forms.Form):
    username = forms.CharField(label=pgettext_lazy("sign-in", "账号"), max_length=150)
    password = forms.CharField(label=_("密码"), max_length=200, widget=forms.PasswordInput)


class OTPForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_token(self) -> str:
        token = "".join(ch for ch in self.cleaned_data["token"] if not ch.isspace())
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("请输入6位数字验证码。"))
        return token


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput, max_length=200)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=200)
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput, max_length=200
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, required=False)


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("账号名"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.@-]+$",
        error_messages={"invalid": _("账号名只能包含字母、数字和 _ . @ -")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=32, required=False)
    home_association = AssociationPicker(Association.objects.none(), label=_("所属协会"))
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, max_length=200)

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "home_association", associations)


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=32, required=False)
    is_active = forms.BooleanField(label=pgettext_lazy("account status", "启用"), required=False)


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=200)


class RoleForm(forms.Form):
    home_association = AssociationPicker(
        Association.objects.none(), label=_("所属协会（管辖范围）")
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "home_association", associations)
