"""Forms of the assessment pages: they only parse; every rule is the service's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fpa.assessment.models import Indicator
from fpa.assessment.registry import indicator_choices
from fpa.core.forms import DateInput

VERSION_MAX = 2**31 - 1
SCORE = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal(0)}


def _version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX, required=False
    )


class SchemeForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("方案名称"), max_length=100)


class IndicatorForm(forms.Form):
    area = forms.CharField(label=_("考核类别"), max_length=40)
    name = forms.CharField(label=_("指标名称"), max_length=100)
    weight = forms.DecimalField(label=_("分值"), max_digits=5, decimal_places=2)
    kind = forms.ChoiceField(label=_("类型"), choices=Indicator.Kind.choices)
    computed_key = forms.ChoiceField(label=_("计算指标"), required=False)
    target = forms.DecimalField(
        label=_("满分目标值"), max_digits=9, decimal_places=2, required=False
    )
    rule = forms.CharField(
        label=_("评分规则"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = forms.CharField(label=_("佐证材料要求"), max_length=200, required=False)
    scorer = forms.TypedChoiceField(label=_("评分人"), required=False, coerce=int, empty_value=None)
    position = forms.IntegerField(label=_("序号"), min_value=1, max_value=999, required=False)
    version = _version()

    def __init__(self, *args: Any, scorers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key = self.fields["computed_key"]
        assert isinstance(key, forms.ChoiceField)
        key.choices = [("", "—"), *indicator_choices()]
        scorer = self.fields["scorer"]
        assert isinstance(scorer, forms.TypedChoiceField)
        scorer.choices = [("", _("未指定（由县级管理员评分）")), *scorers]


class RoundForm(forms.Form):
    title = forms.CharField(label=_("轮次名称"), max_length=100)
    cutoff = forms.DateField(label=_("数据截止日期"), widget=DateInput)


class VersionForm(forms.Form):
    version = _version()


class PublishForm(VersionForm):
    public = forms.BooleanField(required=False)


class ScoreForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX)
    score = forms.DecimalField(label=_("得分"), **SCORE)  # type: ignore[arg-type]
    note = forms.CharField(label=_("说明"), max_length=1000, required=False)
    version = _version()


class AppealForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX)
    reason = forms.CharField(label=_("申诉理由及佐证"), max_length=1000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复意见"), max_length=1000)
    new_score = forms.DecimalField(label=_("调整后得分"), required=False, **SCORE)  # type: ignore[arg-type]
    version = _version()
