"""Forms of the sensitive health follow-ups."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fpa.activities.models import HealthCase
from fpa.core.forms import DateInput
from fpa.organizations.pickers import AssociationPicker


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("服务类型"), choices=HealthCase.Kind.choices)
    person_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    details = forms.CharField(
        label=_("情况与需求（敏感）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("只写随访需要的内容。保存后加密，列表中不显示。"),
    )
    referral = forms.CharField(label=_("转介去向（敏感）"), max_length=200, required=False)
    follow_up_on = forms.DateField(label=_("计划随访日期"), widget=DateInput)

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "association": AssociationPicker(associations, label=_("登记协会")),
            **self.fields,
        }


class FollowUpForm(forms.Form):
    on = forms.DateField(label=_("随访日期"), widget=DateInput)
    note = forms.CharField(
        label=_("随访情况（敏感）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_on = forms.DateField(
        label=_("下次随访日期"),
        widget=DateInput,
        required=False,
        help_text=_("不填写表示结案。"),
    )
