"""Forms of the rights-case pages. The association choices come from scoped selectors (the
views pass them); the rules are the services' (a refusal comes back on its field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core import protected
from fpa.core.forms import DateInput
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker
from fpa.rights.models import Case, CaseKind
from fpa.rights.selectors import OPEN, SORTS

TEXTAREA = forms.Textarea(attrs={"rows": 4})
MAX_INT = 2**31 - 1
YES_NO = [("", _("全部")), ("1", _("是")), ("0", _("否"))]
STATUS_CHOICES = [("", _("全部")), (OPEN, _("未办结")), *Case.Status.choices]
SATISFACTION_CHOICES = [
    ("", _("全部")),
    ("rated", _("已回访")),
    ("satisfied_any", _("满意或基本满意")),
    *Case.Satisfaction.choices,
]


def _version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_INT
    )


class Protected(forms.CharField):
    """A protected value as typed: its canonical form, or the Chinese message of
    `fpa.core.protected.canonical` (a phone with full-width digits, an ID number's check)."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return protected.canonical(self.kind, value) if value else ""


class KindChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class FilterForm(forms.Form):
    """The list's GET filters; the area is the picker's ?code= (read by the view in scope)."""

    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)
    kind = forms.ChoiceField(label=_("诉求类别"), required=False)
    overdue = forms.ChoiceField(
        label=_("逾期"), required=False, choices=[("", _("全部")), ("1", _("已逾期未办结"))]
    )
    received_from = forms.DateField(label=_("受理日期从"), required=False, widget=DateInput)
    received_to = forms.DateField(label=_("至"), required=False, widget=DateInput)
    closed_from = forms.DateField(label=_("办结日期从"), required=False, widget=DateInput)
    closed_to = forms.DateField(label=_("至"), required=False, widget=DateInput)
    on_time = forms.ChoiceField(label=_("按期办结"), required=False, choices=YES_NO)
    satisfaction = forms.ChoiceField(
        label=_("满意度"), required=False, choices=SATISFACTION_CHOICES
    )
    here = forms.ChoiceField(
        label=_("受理单位"), required=False, choices=[("", _("全部")), ("1", _("本单位受理"))]
    )
    family = forms.IntegerField(required=False, min_value=1, max_value=MAX_INT)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(key, label) for key, (label, _field, _desc) in SORTS.items()],
    )

    def __init__(self, *args: Any, kinds: list[CaseKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("全部")), *((k.code, k.name) for k in kinds)]


class PersonFields(forms.Form):
    person_name = forms.CharField(
        label=_("当事人姓名"),
        max_length=50,
        required=False,
        help_text=_("计生特殊家庭的可留空，默认为户主/联系人。"),
    )
    phone = Protected(kind="phone", label=_("联系电话"), required=False)
    id_number = Protected(kind="id_number", label=_("身份证号码"), required=False)


class ReceiveForm(PersonFields):
    """受理: who, how, when, what; the deadline defaults to the kind's time limit."""

    family = forms.IntegerField(
        label=_("计生特殊家庭编号"),
        required=False,
        min_value=1,
        max_value=MAX_INT,
        help_text=_("从家庭的权益维护页面进入时自动填写；不是计生特殊家庭的请留空。"),
    )
    channel = forms.ChoiceField(label=_("受理方式"), choices=Case.Channel.choices)
    received_on = forms.DateField(label=_("受理日期"), widget=DateInput, initial=timezone.localdate)
    claim = forms.CharField(label=_("诉求内容"), max_length=2000, widget=TEXTAREA)
    deadline = forms.DateField(
        label=_("办理期限"),
        required=False,
        widget=DateInput,
        help_text=_("留空则按诉求类别的办理时限计算。"),
    )

    def __init__(
        self,
        *args: Any,
        associations: QuerySet[Association],
        kinds: list[CaseKind],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = dict(self.fields)
        self.fields = {
            "association": AssociationPicker(associations, label=_("受理单位")),
            "kind": KindChoice(
                CaseKind.objects.filter(pk__in=[k.pk for k in kinds]).order_by("sort", "id"),
                label=_("诉求类别"),
                empty_label=None,
            ),
            **fields,
        }
        hints = gettext("、").join(
            gettext("%(kind)s%(days)s天") % {"kind": k.name, "days": k.deadline_days} for k in kinds
        )
        self.fields["kind"].help_text = _("办理时限：%(hints)s") % {"hints": hints}


class EditForm(PersonFields):
    kind = KindChoice(CaseKind.objects.all(), label=_("诉求类别"), empty_label=None)
    channel = forms.ChoiceField(label=_("受理方式"), choices=Case.Channel.choices)
    received_on = forms.DateField(label=_("受理日期"), widget=DateInput)
    deadline = forms.DateField(label=_("办理期限"), widget=DateInput)
    version = _version()

    def __init__(self, data: Any = None, *, case: Case, **kwargs: Any) -> None:
        initial = {
            "kind": case.kind_id,
            "channel": case.channel,
            "received_on": case.received_on,
            "deadline": case.deadline,
            "version": case.version,
            **kwargs.pop("initial", {}),
        }
        super().__init__(data, initial=initial, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = CaseKind.objects.filter(
            pk__in=[k.pk for k in CaseKind.objects.filter(active=True)] + [case.kind_id]
        ).order_by("sort", "id")
        for name, value in (
            ("person_name", case.person_name),
            ("phone", case.phone),
            ("id_number", case.id_number),
        ):
            self.fields[name].help_text = _("现为 %(value)s；不修改请留空。") % {
                "value": value or "—"
            }

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in ("person_name", "phone", "id_number"):
            if not data.get(name):
                data.pop(name, None)
        return data


class ReferForm(forms.Form):
    department = forms.CharField(
        label=_("转办部门"), max_length=100, help_text=_("如：县卫生健康局、镇司法所")
    )
    referred_on = forms.DateField(label=_("转办日期"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=TEXTAREA)
    version = _version()


class FollowUpForm(forms.Form):
    on = forms.DateField(label=_("跟进日期"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("跟进情况"), max_length=2000, widget=TEXTAREA)
    version = _version()


class CloseForm(forms.Form):
    result = forms.CharField(label=_("办理结果"), max_length=2000, widget=TEXTAREA)
    closed_on = forms.DateField(label=_("办结日期"), widget=DateInput, initial=timezone.localdate)
    version = _version()


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("当事人满意度"), choices=Case.Satisfaction.choices, widget=forms.RadioSelect
    )
    rated_on = forms.DateField(
        label=_("回访日期"), widget=DateInput, initial=timezone.localdate, required=False
    )
    note = forms.CharField(label=_("回访情况"), max_length=500, required=False)
    version = _version()


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新办理的原因"), max_length=500, widget=TEXTAREA)
    deadline = forms.DateField(
        label=_("新的办理期限"),
        required=False,
        widget=DateInput,
        help_text=_("留空则自今天起按诉求类别的办理时限计算。"),
    )
    version = _version()


class FiguresForm(forms.Form):
    first = forms.DateField(label=_("自"), required=False, widget=DateInput)
    last = forms.DateField(label=_("至"), required=False, widget=DateInput)


class KindAddForm(forms.Form):
    code = forms.SlugField(label=_("代码"), max_length=30)
    name = forms.CharField(label=_("名称"), max_length=50)
    deadline_days = forms.IntegerField(label=_("办理时限（天）"), min_value=1, max_value=366)
    sort = forms.IntegerField(
        label=_("排序"), min_value=0, max_value=32767, initial=0, required=False
    )


class KindEditForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_INT)
    name = forms.CharField(label=_("名称"), max_length=50)
    deadline_days = forms.IntegerField(label=_("办理时限（天）"), min_value=1, max_value=366)
    sort = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767)
    active = forms.BooleanField(label=_("启用"), required=False)
    version = _version()
