from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fpa.core import protected
from fpa.core.forms import DateInput, limit_choices
from fpa.core.typing_aids import Text
from fpa.organizations.models import Association, BodySeat, StaffMember
from fpa.organizations.pickers import AssociationPicker

DATE = DateInput()


def _reasonable_date(value: datetime.date | None, label: Text) -> datetime.date | None:
    if value and not datetime.date(
        1950, 1, 1
    ) <= value <= timezone.localdate() + datetime.timedelta(days=3660):
        raise forms.ValidationError(gettext("%(label)s不在合理范围内。") % {"label": label})
    return value


class AssociationFilterForm(forms.Form):
    q = forms.CharField(label=_("名称/拼音/编码"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *Association.Kind.choices]
    )
    include_closed = forms.BooleanField(label=_("含已停用"), required=False)


class AssociationCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(k, Association.Kind(k).label) for k in Association.ALLOWED_PARENTS],
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    valid_from = forms.DateField(label=_("成立日期"), widget=DATE, required=False)

    def clean_valid_from(self) -> datetime.date | None:
        return _reasonable_date(self.cleaned_data.get("valid_from"), _("成立日期"))


class RenameForm(forms.Form):
    name = forms.CharField(label=_("新名称"), max_length=100)
    effective_date = forms.DateField(label=_("生效日期"), widget=DATE)
    note = forms.CharField(label=_("说明（文号等）"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_effective_date(self) -> datetime.date | None:
        return _reasonable_date(self.cleaned_data.get("effective_date"), _("生效日期"))


class ContactForm(forms.Form):
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    public_phone = forms.CharField(
        label=_("办公电话"), max_length=32, required=False, help_text=_("公开显示在平台首页。")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    effective_date = forms.DateField(label=_("撤销/合并日期"), widget=DATE)
    merged_into = AssociationPicker(
        Association.objects.none(), label=_("并入协会（合并时填写）"), required=False
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "merged_into", associations)

    def clean_effective_date(self) -> datetime.date | None:
        return _reasonable_date(self.cleaned_data.get("effective_date"), _("撤销/合并日期"))


class StaffForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号码"), max_length=32, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    sex = forms.ChoiceField(
        label=_("性别"), choices=[("", "—"), *StaffMember.Sex.choices], required=False
    )
    post = forms.ChoiceField(label=_("职务"), choices=StaffMember.Post.choices)
    employment = forms.ChoiceField(label=_("任职方式"), choices=StaffMember.Employment.choices)
    presides_daily_work = forms.BooleanField(label=_("主持日常工作"), required=False)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), widget=DATE, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        return protected.canonical("id_number", value) if value.strip() else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        return protected.canonical("phone", value) if value.strip() else ""

    def clean_term_start(self) -> datetime.date | None:
        return _reasonable_date(self.cleaned_data.get("term_start"), _("任期开始日期"))

    def clean_term_end(self) -> datetime.date | None:
        return _reasonable_date(self.cleaned_data.get("term_end"), _("任期结束日期"))


class EndTermForm(forms.Form):
    left_on = forms.DateField(label=_("离任日期"), widget=DATE)
    reason = forms.CharField(label=_("原因"), max_length=300, required=False)

    def clean_left_on(self) -> datetime.date | None:
        return _reasonable_date(self.cleaned_data.get("left_on"), _("离任日期"))


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("培训内容"), max_length=200)
    organiser = forms.CharField(label=_("主办单位"), max_length=100, required=False)
    start_date = forms.DateField(label=_("培训日期"), widget=DATE)
    hours = forms.DecimalField(
        label=pgettext_lazy("training", "学时"), max_digits=6, decimal_places=1, min_value=0
    )
    certificate_number = forms.CharField(label=_("证书编号"), max_length=64, required=False)


class FilingForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("主持日常工作的人"), queryset=StaffMember.objects.none()
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "person", people)
        self.fields["person"].error_messages["invalid_choice"] = _("请选择本协会在任的工作人员。")


class FilingReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[("accept", _("同意备案")), ("return", _("退回"))]
    )
    return_reason = forms.CharField(label=_("退回原因"), max_length=300, required=False)


class SeatForm(forms.Form):
    body = forms.ChoiceField(label=_("机构"), choices=BodySeat.Body.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(
        label=_("性别"), choices=[("", "—"), *StaffMember.Sex.choices], required=False
    )
    source = forms.ChoiceField(label=_("来源"), choices=BodySeat.Source.choices)
    term_year = forms.IntegerField(label=_("届次年份"), min_value=1980, max_value=2100)


class SeatEndForm(forms.Form):
    ended_on = forms.DateField(label=_("卸任日期"), widget=DATE)
