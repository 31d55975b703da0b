"""The campaign form: what is asked (title, theme, dates, requirements) and a number of held
activities for each target association, one number input per row of the targets table."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fpa.activities.models import Theme
from fpa.core.forms import DateInput
from fpa.organizations.models import Association

MAX_WANTED = 1000  # activities asked of one association in one campaign


class WantedField(forms.IntegerField):
    """How many activities a target must hold: blank or 0 leaves the association out; digits
    typed full-width are folded to ASCII first."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_WANTED)
        kwargs.setdefault(
            "widget",
            forms.NumberInput(attrs={"class": "form-control form-control-sm fpa-w-8"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)


@dataclass
class TargetRow:
    """One row of the targets table: an association and its bound number field."""

    association: Association
    field: forms.BoundField


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=100)
    theme = forms.ModelChoiceField(label=_("主题"), queryset=Theme.objects.none(), required=False)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput)
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput)
    description = forms.CharField(
        label=_("要求"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：每个乡镇至少开展一次活动，每个村（社区）开展宣传。"),
    )

    def __init__(
        self,
        *args: Any,
        themes: QuerySet[Theme],
        targets: Iterable[tuple[Association, int | None]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes  # type: ignore[attr-defined]
        self._targets: list[Association] = []
        for association, wanted in targets:
            name = self.target_name(association)
            self.fields[name] = WantedField(label=association.name, initial=wanted)
            self._targets.append(association)

    @staticmethod
    def target_name(association: Association) -> str:
        return f"target_{association.code}"

    @property
    def target_rows(self) -> list[TargetRow]:
        return [TargetRow(a, self[self.target_name(a)]) for a in self._targets]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("title", "theme", "starts_on", "ends_on", "description")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.targets():
            raise forms.ValidationError(_("请至少为一个承办协会填写应开展活动次数。"))
        return data

    def targets(self) -> list[tuple[Association, int]]:
        """The associations given a number above 0, with their number."""
        out = []
        for association in self._targets:
            wanted = self.cleaned_data.get(self.target_name(association))
            if wanted:
                out.append((association, int(wanted)))
        return out

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in ("title", "starts_on", "ends_on")}
        data["theme"] = self.cleaned_data.get("theme")
        data["description"] = self.cleaned_data.get("description") or ""
        data["targets"] = self.targets()
        return data
