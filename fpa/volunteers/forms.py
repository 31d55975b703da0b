"""Forms of the volunteer pages. Choice fields are built from scoped selectors by the views."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.core import idnumbers, phones
from fpa.core.forms import DateInput, limit_choices
from fpa.organizations.pickers import AssociationPicker
from fpa.volunteers.models import Assignment, HoursRecord, Skill, Team, Volunteer

TRAVEL_NOTE = _("只计实际服务时间，不含往返路途时间。")
AVAILABILITY_CHOICES = [("weekdays", _("工作日")), ("weekends", _("周末")), ("evenings", _("晚间"))]


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


class IdNumberField(forms.CharField):
    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return value
        try:
            return idnumbers.parse(value).value
        except idnumbers.IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from exc


class PhoneField(forms.CharField):
    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return value
        try:
            return phones.parse(value)
        except phones.PhoneError as exc:
            raise forms.ValidationError(str(exc)) from exc


class HoursField(forms.DecimalField):
    """Hours typed by people: full-width digits folded; NaN, infinity and 1e6 refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault("min_value", Decimal("0.1"))
        kwargs.setdefault("max_value", Decimal("24"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _nfkc(value)
        return super().to_python(value)


class ProfileForm(forms.Form):
    """The fields of an application, the same on the public form and for staff."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(label=_("身份证号码"), max_length=40)
    phone = PhoneField(label=_("联系电话"), max_length=40)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    occupation = forms.CharField(label=_("职业/专业"), max_length=100, required=False)
    skills = forms.ModelMultipleChoiceField(
        label=_("技能特长"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    on_weekdays = forms.BooleanField(label=_("工作日可服务"), required=False)
    on_weekends = forms.BooleanField(label=_("周末可服务"), required=False)
    in_evenings = forms.BooleanField(label=_("晚间可服务"), required=False)
    guardian_name = forms.CharField(
        label=_("监护人姓名（未满十八周岁必填）"), max_length=50, required=False
    )
    guardian_relation = forms.CharField(label=_("与本人关系"), max_length=20, required=False)
    guardian_phone = PhoneField(label=_("监护人电话"), max_length=40, required=False)
    guardian_consent_on = forms.DateField(
        label=_("监护人同意日期"), required=False, widget=DateInput
    )

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "association": AssociationPicker(
                associations, place_names=True, label=_("报名的计生协（村、社区或乡镇）")
            ),
            **self.fields,
        }

    def clean_name(self) -> str:
        name = _nfkc(self.cleaned_data["name"])
        if len(name) < 2:
            raise forms.ValidationError(_("请填写真实姓名。"))
        return name


class ApplicationForm(ProfileForm):
    """The public form: consent required, and a honeypot field people never see."""

    consent_version = forms.IntegerField(widget=forms.HiddenInput)
    agree = forms.BooleanField(label=_("我已阅读并同意上述《志愿者报名同意书》"))
    website = forms.CharField(required=False, label=_("网址"), max_length=200)  # honeypot

    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class VetForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("考察结果"),
        choices=[("1", _("通过")), ("0", _("不通过"))],
        coerce=lambda v: v == "1",
    )
    interview_on = forms.DateField(label=_("面谈日期"), required=False, widget=DateInput)
    vetted_on = forms.DateField(label=_("考察日期"), widget=DateInput, initial=datetime.date.today)
    notes = forms.CharField(
        label=_("考察意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AgreementForm(forms.Form):
    term_start = forms.DateField(label=_("协议开始"), widget=DateInput)
    term_end = forms.DateField(label=_("协议到期"), widget=DateInput)
    content = forms.CharField(
        label=_("服务内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    safety_measures = forms.CharField(
        label=_("安全保障措施"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput)


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("变更为"),
        choices=[
            (Volunteer.Status.SUSPENDED, _("暂停服务")),
            (Volunteer.Status.ACTIVE, _("恢复服务")),
            (Volunteer.Status.LEFT, _("退出")),
        ],
    )
    effective_date = forms.DateField(label=_("日期"), widget=DateInput)
    reason = forms.CharField(label=_("原因"), max_length=300)


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("培训课程"), max_length=100)
    hours = HoursField(label=_("学时"), max_value=Decimal("1000"))
    completed_on = forms.DateField(label=_("完成日期"), widget=DateInput)
    certificate = forms.CharField(label=_("结业证书编号"), max_length=60, required=False)


class InsuranceForm(forms.Form):
    insurer = forms.CharField(label=_("保险公司"), max_length=100)
    policy_number = forms.CharField(label=_("保单号"), max_length=60)
    valid_from = forms.DateField(label=_("保险起期"), widget=DateInput)
    valid_to = forms.DateField(label=_("保险止期"), widget=DateInput)


class LinkForm(forms.Form):
    user = forms.ModelChoiceField(label=_("志愿者账号"), queryset=User.objects.none())

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "user", accounts)


class ServiceForm(forms.Form):
    title = forms.CharField(label=_("服务/活动名称"), max_length=100)
    date = forms.DateField(label=_("服务日期"), widget=DateInput)
    hours = HoursField(label=_("计划时长（小时）"), help_text=TRAVEL_NOTE)
    risky = forms.BooleanField(label=_("有风险的服务（参加者须有有效的意外保险）"), required=False)
    description = forms.CharField(label=_("说明"), max_length=500, required=False)
    skills = forms.ModelMultipleChoiceField(
        label=_("所需技能"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "association": AssociationPicker(associations, label=_("组织单位")),
            **self.fields,
        }


class AssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("志愿者"), queryset=Volunteer.objects.none())

    def __init__(self, *args: Any, volunteers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "volunteer", volunteers)


class HoursForm(AssignForm):
    hours = HoursField(label=_("服务时长（小时）"), help_text=TRAVEL_NOTE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class SubmitHoursForm(forms.Form):
    assignment = forms.ModelChoiceField(label=_("服务任务"), queryset=Assignment.objects.none())
    hours = HoursField(label=_("服务时长（小时）"), help_text=TRAVEL_NOTE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, assignments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "assignment", assignments)


class ConfirmForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("确认")), ("reject", _("不予确认"))])


class TeamForm(forms.Form):
    level = forms.ChoiceField(label=_("级别"), choices=Team.Level.choices)
    name = forms.CharField(label=_("队名"), max_length=100)

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "association": AssociationPicker(associations, label=_("所在协会")),
            **self.fields,
        }


class MemberForm(AssignForm):
    leader = forms.BooleanField(label=_("任队长"), required=False)


class MatchForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(
        label=_("所需技能"),
        queryset=Skill.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    when = forms.MultipleChoiceField(
        label=_("服务时间"),
        choices=AVAILABILITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class PairForm(forms.Form):
    volunteer = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    need = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    note = forms.CharField(label=_("结对内容"), max_length=300, required=False)


class EndForm(forms.Form):
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput, initial=timezone.localdate)


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=50)
    status = forms.ChoiceField(
        required=False, choices=[("", _("全部状态")), *Volunteer.Status.choices]
    )
    skill = forms.ModelChoiceField(
        required=False, queryset=Skill.objects.all(), empty_label=_("全部技能")
    )


HOURS_STATUSES = HoursRecord.Status
