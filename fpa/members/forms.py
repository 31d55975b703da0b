"""Forms of the member pages: they parse what people type; rules that need the database
(duplicates, scope, who may decide) are the services'."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core import protected
from fpa.core.forms import DateInput, limit_choices
from fpa.core.typing_aids import Text
from fpa.members import rules
from fpa.members.models import Member, MemberGroup
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker

DATE = DateInput()
EARLIEST = datetime.date(1980, 1, 1)


class ProtectedInput(forms.CharField):
    """An ID card or phone number as typed (full-width digits, spaces, a lowercase x)."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return protected.canonical(self.kind, value) if value else ""


def _day(value: datetime.date | None, label: Text) -> datetime.date | None:
    if value and not EARLIEST <= value <= timezone.localdate():
        raise ValidationError(gettext("%(label)s应在1980年至今天之间。") % {"label": label})
    return value


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名/拼音/会员证号"), max_length=50, required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *Member.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("会员类型"), choices=[("", _("全部")), *Member.Kind.choices], required=False
    )


class ApplyForm(forms.Form):
    association = AssociationPicker(
        Association.objects.none(), label=_("申请加入的协会"), empty_label=None
    )
    kind = forms.ChoiceField(label=_("会员类型"), choices=Member.Kind.choices)
    name = forms.CharField(label=_("姓名（团体会员填单位名称）"), max_length=100)
    contact_name = forms.CharField(label=_("团体联系人"), max_length=50, required=False)
    id_number = ProtectedInput(
        label=_("身份证号码"),
        kind="id_number",
        required=False,
        help_text=_("个人会员必填；性别由号码得出"),
    )
    phone = ProtectedInput(label=_("联系电话"), kind="phone", required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    political_status = forms.CharField(label=_("政治面貌"), max_length=20, required=False)
    serves = forms.CharField(label=_("服务对象"), max_length=100, required=False)
    applied_on = forms.DateField(label=_("申请日期"), widget=DATE)

    def __init__(self, *args: Any, associations: QuerySet[Association], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "association", associations)
        if not self.is_bound:
            self.initial.setdefault("applied_on", timezone.localdate())

    def clean_applied_on(self) -> datetime.date | None:
        return _day(self.cleaned_data.get("applied_on"), _("申请日期"))


class OnlineApplyForm(forms.Form):
    """The citizen's application on the public page (no sign-in): a personal member type, a
    village association, the consent text agreed to, and a honeypot field people never see."""

    association = AssociationPicker(
        Association.objects.none(),
        place_names=True,
        label=_("申请加入的村（社区）计生协"),
        empty_label=_("请选择"),
    )
    kind = forms.ChoiceField(
        label=_("会员类型"),
        choices=[(k.value, k.label) for k in Member.Kind if k.value in rules.ONLINE_KINDS],
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = ProtectedInput(label=_("身份证号码"), kind="id_number")
    phone = ProtectedInput(label=_("联系电话"), kind="phone")
    consent_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    agree = forms.BooleanField(label=_("我已阅读并同意上述《入会申请同意书》"))
    website = forms.CharField(required=False, label=_("网址"), max_length=200)  # honeypot

    def __init__(self, *args: Any, associations: QuerySet[Association], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "association", associations)

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if len(name) < 2:
            raise ValidationError(_("请填写真实姓名。"))
        return name

    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class ApproveForm(forms.Form):
    """理事会审批: the meeting that decided and its resolution number, both required."""

    council_meeting_on = forms.DateField(label=_("理事会会议日期"), widget=DATE)
    council_resolution = forms.CharField(
        label=_("决议文号"),
        max_length=rules.RESOLUTION_MAX,
        # The tortoise-shell brackets are those of an official document number.
        help_text=_("理事会决议的文号，如“刘计协理〔2026〕3号”"),  # noqa: RUF001
    )

    def __init__(self, *args: Any, applied_on: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applied_on = applied_on

    def clean_council_meeting_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["council_meeting_on"]
        if day > timezone.localdate():
            raise ValidationError(_("理事会会议日期不能晚于今天。"))
        if day < self.applied_on:
            raise ValidationError(_("理事会会议日期不能早于申请日期。"))
        return day

    def clean_council_resolution(self) -> str:
        value = " ".join(str(self.cleaned_data["council_resolution"]).split())
        if len(value) < 2:
            raise ValidationError(_("请填写决议文号。"))
        return value


class EditForm(forms.Form):
    kind = forms.ChoiceField(label=_("会员类型"), choices=Member.Kind.choices)
    name = forms.CharField(label=_("姓名（团体名称）"), max_length=100)
    contact_name = forms.CharField(label=_("团体联系人"), max_length=50, required=False)
    phone = ProtectedInput(
        label=_("联系电话"), kind="phone", required=False, help_text=_("留空则不修改")
    )
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    political_status = forms.CharField(label=_("政治面貌"), max_length=20, required=False)
    serves = forms.CharField(label=_("服务对象"), max_length=100, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        initial = {k: getattr(member, k) for k in ("kind", "name", "contact_name", "address")}
        initial.update(
            political_status=member.political_status, serves=member.serves, version=member.version
        )
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if not data.get("phone"):
            data.pop("phone", None)
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予批准的原因"), max_length=300, min_length=2)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("新状态"),
        choices=[(s.value, s.label) for s in Member.Status if s.value in Member.MANUAL],
    )
    effective_date = forms.DateField(label=_("日期"), widget=DATE)
    reason = forms.CharField(label=_("原因"), max_length=300, min_length=2)

    def clean_effective_date(self) -> datetime.date | None:
        return _day(self.cleaned_data.get("effective_date"), _("日期"))


class TransferForm(forms.Form):
    to_code = forms.CharField(
        label=_("转入协会编码"),
        max_length=32,
        help_text=_(
            "接收会员的村（社区）或单位协会的编码，可在“协会网络”中查到；可以是其他乡镇的协会"
        ),
    )
    reason = forms.CharField(label=_("转会原因"), max_length=300, min_length=2)

    def clean_to_code(self) -> Association:
        code = self.cleaned_data["to_code"].strip()
        if not (code.isascii() and code.isdigit()):
            raise ValidationError(_("协会编码应为数字。"))
        # The tree itself is public data (division codes); only a current association is offered.
        found = Association.objects.current().filter(code=code).first()
        if found is None:
            raise ValidationError(_("没有这个编码的在用协会。"))
        return found


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("接收")), ("refuse", _("拒绝"))])
    reason = forms.CharField(label=_("拒绝原因"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "refuse" and len((data.get("reason") or "").strip()) < 2:
            self.add_error("reason", _("请填写拒绝接收的原因。"))
        return data


class GroupForm(forms.Form):
    association = AssociationPicker(
        Association.objects.none(),
        label=_("所属协会"),
        empty_label=None,
    )
    name = forms.CharField(label=_("小组名称"), max_length=100)

    def __init__(self, *args: Any, associations: QuerySet[Association], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "association", associations)


class GroupAssignForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("会员小组"),
        queryset=MemberGroup.objects.none(),
        required=False,
        empty_label=_("（不加入小组）"),
    )
    leader = forms.BooleanField(label=_("担任组长"), required=False)

    def __init__(self, *args: Any, groups: QuerySet[MemberGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "group", groups)


class CampaignForm(forms.Form):
    association = AssociationPicker(
        Association.objects.none(),
        label=_("范围（协会及其下级）"),
        empty_label=None,
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("截止日期"), widget=DATE)

    def __init__(self, *args: Any, associations: QuerySet[Association], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "association", associations)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("start_date", "end_date"):
            value = data.get(name)
            if value and not datetime.date(2000, 1, 1) <= value <= datetime.date(2100, 1, 1):
                self.add_error(name, _("日期不在合理范围内。"))
        return data
