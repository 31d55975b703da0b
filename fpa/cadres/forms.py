"""Forms of the contact points' pages. Choices come from scoped selectors the view passes in;
every rule is the service's, the forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fpa.cadres.models import FINDING_MAX, NOTE_MAX, SUMMARY_MAX, Visit
from fpa.cadres.services import MAX_FINDINGS
from fpa.core.forms import DateInput
from fpa.organizations.pickers import AssociationPicker

VERSION_MAX = 2**31 - 1
DATE = DateInput()


def _version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX, required=False
    )


class CadreChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        home = obj.home_association.name if obj.home_association else ""
        return f"{obj.full_name or obj.username}（{home}）"


class AssignForm(forms.Form):
    cadre = CadreChoice(label=_("联系干部"), queryset=None)
    family = forms.IntegerField(
        label=_("联系家庭编号（可不填）"),
        min_value=1,
        max_value=VERSION_MAX,
        required=False,
        help_text=_("只联系村（社区）的不填；联系一户计生特殊家庭的，填该家庭页面地址中的编号。"),
    )
    start_date = forms.DateField(label=_("开始日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args: Any, cadres: QuerySet[Any], villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cadre = self.fields["cadre"]
        assert isinstance(cadre, forms.ModelChoiceField)
        cadre.queryset = cadres
        self.fields = {
            "cadre": cadre,
            "association": AssociationPicker(villages, label=_("联系村（社区）"), required=False),
            **{k: v for k, v in self.fields.items() if k != "cadre"},
        }


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    method = forms.ChoiceField(label=_("方式"), choices=Visit.Method.choices)
    summary = forms.CharField(
        label=_("走访情况"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("了解到的情况、与群众和村干部交流的内容。"),
    )
    findings = forms.CharField(
        label=_("发现的问题（每行一个，可不填）"),
        max_length=MAX_FINDINGS * (FINDING_MAX + 1),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def problems(self) -> list[str]:
        return [line for line in self.cleaned_data.get("findings", "").splitlines() if line.strip()]


class EndForm(forms.Form):
    end_date = forms.DateField(label=_("结束日期"), widget=DATE, required=False)


class SolveForm(forms.Form):
    outcome = forms.CharField(label=_("解决情况"), max_length=NOTE_MAX)
    version = _version()


class PassOnForm(forms.Form):
    passed_to = forms.CharField(label=_("转交给"), max_length=100)
    outcome = forms.CharField(label=_("说明"), max_length=NOTE_MAX, required=False)
    version = _version()


class ToTaskForm(forms.Form):
    measure: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("改革措施"), queryset=None
    )
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    version = _version()

    def __init__(self, *args: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["measure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = measures


class ToNeedForm(forms.Form):
    due_date = forms.DateField(label=_("办结期限"), widget=DATE, required=False)
    version = _version()
