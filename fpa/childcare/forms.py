"""Forms of the childcare pages. The association choices come from scoped selectors (the views
pass them); the rules themselves are the services' (a refusal comes back on its field)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.childcare.models import ChecklistItem, Institution, Recommendation
from fpa.childcare.selectors import PROBLEM_STATES, SORTS
from fpa.core import protected
from fpa.core.forms import DateInput
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker

DATE = DateInput()
TEXTAREA = forms.Textarea(attrs={"rows": 3})
YES_NO = [("", _("全部")), ("1", _("是")), ("0", _("否"))]
MAX_INT = 2**31 - 1


def _version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_INT
    )


class PhoneInput(forms.CharField):
    """A phone number as typed (full-width digits, spaces, +86): the canonical form, or the
    Chinese message of `fpa.core.protected.canonical`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return protected.canonical("phone", value) if value else ""


class FilterForm(forms.Form):
    """The list's GET filters; the area is the picker's ?code= (read by the view in scope)."""

    q = forms.CharField(label=_("机构名称"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Institution.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("托育类型"), required=False, choices=[("", _("全部")), *Institution.Kind.choices]
    )
    inclusive = forms.ChoiceField(label=_("普惠"), required=False, choices=YES_NO)
    problems = forms.ChoiceField(
        label=_("整改问题"),
        required=False,
        choices=[("", _("全部")), ("open", _("有未销号问题"))],
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(key, label) for key, (label, _field, _desc) in SORTS.items()],
    )


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=100)
    registration_kind = forms.ChoiceField(
        label=_("登记号码类型"), choices=Institution.Registration.choices
    )
    registration_number = forms.CharField(
        label=_("统一社会信用代码或备案号"),
        max_length=60,
        required=False,
        help_text=_("统一社会信用代码为18位；筹建中的机构可暂不填写。"),
    )
    operator = forms.CharField(label=_("举办者"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200)
    kind = forms.ChoiceField(label=_("托育类型"), choices=Institution.Kind.choices)
    capacity = forms.IntegerField(label=_("托位数"), min_value=1, max_value=10_000)
    places_used = forms.IntegerField(label=_("在托人数"), min_value=0, max_value=10_000, initial=0)
    inclusive = forms.BooleanField(label=_("普惠性托育机构"), required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    phone = PhoneInput(label=_("联系电话"))

    def __init__(self, *args: Any, associations: QuerySet[Association], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "association": AssociationPicker(associations, label=_("所在区域（计生协）")),
            **self.fields,
        }


class RegisterForm(InstitutionForm):
    """A new institution: being set up, or already running since a date."""

    status = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (Institution.Status.PLANNED, _("筹建")),
            (Institution.Status.OPERATING, _("运营")),
        ],
    )
    planned_on = forms.DateField(label=_("筹建日期"), required=False, widget=DATE)
    opened_on = forms.DateField(
        label=_("开业日期"), required=False, widget=DATE, help_text=_("运营中的机构必填。")
    )


class EditForm(InstitutionForm):
    version = _version()

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        initial = {name: getattr(institution, name) for name in self.base_fields}
        initial.update(association=institution.association_id, version=institution.version)
        initial.pop("phone")
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["phone"].required = False
        self.fields["phone"].help_text = _("现为 %(phone)s；不修改请留空。") % {
            "phone": institution.phone
        }

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if not data.get("phone"):
            data.pop("phone", None)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("变更为"))
    on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(
        label=_("原因或说明"), max_length=300, required=False, help_text=_("停业须填写原因。")
    )
    version = _version()

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(TARGET_LABELS.get(institution.status, {}).items())
        self.fields["version"].initial = institution.version


TARGET_LABELS: dict[str, dict[str, Any]] = {
    Institution.Status.PLANNED: {
        Institution.Status.OPERATING: _("开业运营"),
        Institution.Status.CLOSED: _("停业（不再开办）"),
    },
    Institution.Status.OPERATING: {Institution.Status.CLOSED: _("停业")},
    Institution.Status.CLOSED: {Institution.Status.OPERATING: _("恢复运营")},
}


class InspectionForm(forms.Form):
    """The checklist as fields: a score (at most the item's maximum) and a note for each."""

    inspected_on = forms.DateField(label=_("检查日期"), widget=DATE, initial=timezone.localdate)
    inspectors = forms.CharField(
        label=_("检查人员"), max_length=200, help_text=_("多人用顿号分隔，如：张三、李四")
    )
    notes = forms.CharField(label=_("总体意见"), max_length=5000, required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, items: Iterable[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            # Text, not a number field: the score's rule (0 … max, one decimal, full-width
            # digits folded) is the service's, and its message names the item.
            self.fields[f"score_{item.pk}"] = forms.CharField(
                label=item.text,
                max_length=10,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("扣分说明"), max_length=300, required=False
            )

    def rows(self) -> list[tuple[ChecklistItem, Any, Any]]:
        """(item, score field, note field) for the template's table."""
        return [(i, self[f"score_{i.pk}"], self[f"note_{i.pk}"]) for i in self.items]

    def scores(self) -> dict[int, tuple[Any, str]]:
        data = self.cleaned_data
        return {i.pk: (data[f"score_{i.pk}"], data[f"note_{i.pk}"]) for i in self.items}


class ProblemForm(forms.Form):
    description = forms.CharField(label=_("问题描述"), max_length=500, widget=TEXTAREA)
    deadline = forms.DateField(label=_("整改期限"), widget=DATE)


class RectifyForm(forms.Form):
    rectification = forms.CharField(label=_("整改情况"), max_length=2000, widget=TEXTAREA)
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=DATE, initial=timezone.localdate)
    version = _version()


class CloseForm(forms.Form):
    on = forms.DateField(label=_("销号日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("复查意见"), max_length=500, required=False)
    version = _version()


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=500, min_length=2)
    deadline = forms.DateField(label=_("新的整改期限"), widget=DATE, required=False)
    version = _version()


PROBLEM_STATE_LABELS = {
    "unresolved": _("未销号"),
    "overdue": _("逾期未整改"),
    "submitted": _("已整改待复查"),
    "closed": _("已销号"),
    "all": _("全部"),
}


class ProblemFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[(state, PROBLEM_STATE_LABELS[state]) for state in PROBLEM_STATES],
    )


class RecommendForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("推荐级别"), choices=Recommendation.Level.choices)
    recommended_on = forms.DateField(label=_("推荐日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("评审结果"),
        choices=[
            (Recommendation.Outcome.NAMED, _("已命名")),
            (Recommendation.Outcome.FAILED, _("未通过")),
        ],
    )
    outcome_on = forms.DateField(label=_("结果日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    version = _version()


class ChecklistAddForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=30)
    text = forms.CharField(label=_("检查内容"), max_length=200)
    max_score = forms.CharField(label=_("满分"), max_length=10)
    sort = forms.IntegerField(
        label=_("排序"), min_value=0, max_value=32767, initial=0, required=False
    )


class ChecklistEditForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_INT)
    text = forms.CharField(label=_("检查内容"), max_length=200)
    max_score = forms.CharField(label=_("满分"), max_length=10)
    sort = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767)
    active = forms.BooleanField(label=_("启用"), required=False)
    version = _version()


def problem_deadline_default(today: datetime.date | None = None) -> datetime.date:
    """A month from today: the usual time given to rectify."""
    return (today or timezone.localdate()) + datetime.timedelta(days=30)
