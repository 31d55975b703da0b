"""The public sign-in form (a phone at the activity, no account) and the staff's form publishing
an activity's public summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.activities.services.signins import (
    MAX_CARD,
    MAX_NAME,
    MAX_PUBLIC_PHOTOS,
    MAX_SUMMARY,
    phone_number,
)
from fpa.core.errors import ServiceError


class SigninForm(forms.Form):
    """Name, and a phone number or a member card number; the consent text agreed to; and a
    honeypot field people never see. The service checks the values (phone, card, consent)."""

    name = forms.CharField(
        label=_("姓名"),
        max_length=MAX_NAME,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    card = forms.CharField(
        label=_("或填会员证号"),
        max_length=MAX_CARD,
        required=False,
        help_text=_("会员可以只填会员证号，不填手机号码。"),
    )
    consent_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    agree = forms.BooleanField(
        label=_("我已阅读并同意上述《活动签到同意书》"),
        error_messages={"required": _("请阅读并勾选同意签到同意书。")},
    )
    website = forms.CharField(required=False, label=_("网址"), max_length=200)  # honeypot

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if len(name) < 2:
            raise forms.ValidationError(_("请填写您的姓名。"))
        return name

    def clean_phone(self) -> str:
        """Checked here too, so that every problem of the form shows at once (the service
        checks it again, whoever calls it)."""
        raw = str(self.cleaned_data.get("phone") or "")
        if not raw.strip():
            return ""
        try:
            return phone_number(raw)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = any((data.get(name) or "").strip() for name in ("phone", "card"))
        if not given and "phone" not in self.errors and "card" not in self.errors:
            self.add_error("phone", _("请填写手机号码，或填写会员证号。"))
        return data

    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class PublishForm(forms.Form):
    """The public summary: its text, the photos shown with it (only photos that may be public
    are offered), and the activity's version when the page was opened."""

    public_summary = forms.CharField(
        label=_("公开的活动简讯"),
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("面向社会公开：不写参加人员的姓名、电话、身份证号码等个人信息。"),
    )
    photos = forms.TypedMultipleChoiceField(
        label=_("随简讯公开的照片"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, photos: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["photos"]
        field.choices = [(p.pk, p.caption or f"#{p.pk}") for p in photos if p.may_be_public]
        field.help_text = gettext(
            "最多%(max)s张。有可辨认的人脸而未取得肖像同意的照片不能公开。"
        ) % {"max": MAX_PUBLIC_PHOTOS}


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(label=_("撤回原因"), max_length=300, required=False)
