"""Contact persons: assign, end, hand over."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.families.forms.fields import DATE, ProtectedInput, _near, account_field
from fpa.families.models import (
    ContactRole,
)

# --- contacts -------------------------------------------------------------------------------------


class ContactForm(forms.Form):
    role = forms.ModelChoiceField(label=_("联系人类别"), queryset=ContactRole.objects.all())
    user = forms.ModelChoiceField(label=_("平台账号"), queryset=User.objects.none(), required=False)
    name = forms.CharField(
        label=_("姓名"), max_length=50, required=False, help_text=_("选择了平台账号时可不填")
    )
    phone = ProtectedInput(label=_("联系电话"), kind="phone", required=False)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)

    def __init__(self, *args: Any, accounts: QuerySet[User], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["user"] = account_field(
            accounts, _("平台账号（选填）"), required=False, empty_label=_("不关联账号")
        )
        self.fields["user"].help_text = _("关联账号后，联系人可在平台上查看该家庭并记录帮扶")
        self.order_fields(["role", "user", "name", "phone", "start_date"])

    def clean_start_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("start_date"), _("开始日期"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("user") and not data.get("name"):
            self.add_error("name", _("请选择平台账号或填写联系人姓名。"))
        return data


class ContactEndForm(forms.Form):
    end_date = forms.DateField(label=_("结束日期"), widget=DATE)


class ReassignForm(forms.Form):
    from_user = forms.ModelChoiceField(label=_("离任的联系人"), queryset=User.objects.none())
    to_user = forms.ModelChoiceField(
        label=_("接替人账号"), queryset=User.objects.none(), required=False
    )
    to_name = forms.CharField(
        label=_("接替人姓名"),
        max_length=50,
        required=False,
        help_text=_("接替人没有平台账号时填写"),
    )
    on = forms.DateField(label=_("交接日期"), widget=DATE)

    def __init__(
        self, *args: Any, leaving: QuerySet[User], successors: QuerySet[User], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["from_user"] = account_field(leaving, _("离任的联系人（账号）"))
        self.fields["to_user"] = account_field(
            successors, _("接替人账号"), required=False, empty_label=_("（无平台账号）")
        )
        self.order_fields(["from_user", "to_user", "to_name", "on"])

    def clean_on(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("on"), _("交接日期"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        chosen = data.get("to_user") or data.get("to_name") or "to_user" in self.errors
        if "from_user" in data and not chosen:
            self.add_error("to_user", _("请选择接替人账号或填写接替人姓名。"))
        return data
