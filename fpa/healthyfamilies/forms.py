"""Forms of the healthy-family pages. The village picker's choices come from a scoped selector
that the view passes in; every rule is the service's, the forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.core.forms import ReopenForm as CoreReopenForm
from fpa.healthyfamilies import rules
from fpa.healthyfamilies.models import Nomination
from fpa.healthyfamilies.selectors import SORTS
from fpa.organizations.pickers import AssociationPicker

VERSION_MAX = 2**31 - 1


def _version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX, required=False
    )


class NominationFields(forms.Form):
    """What a nomination holds, the same on the new and the edit page."""

    year = forms.TypedChoiceField(label=_("提名年度"), coerce=int)
    household_name = forms.CharField(label=_("户名（户主姓名）"), max_length=50)
    members_count = forms.IntegerField(
        label=_("家庭人口"), min_value=rules.MEMBERS_MIN, max_value=rules.MEMBERS_MAX
    )
    address = forms.CharField(label=_("住址"), max_length=200)
    reason = forms.CharField(
        label=_("提名理由"),
        max_length=rules.REASON_MAX,
        min_length=rules.REASON_MIN,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明该户在家庭健康、文明家风、邻里互助等方面的表现，至少10个字。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = rules.nomination_years(timezone.localdate().year)
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [(y, str(y)) for y in years]


class NominationForm(NominationFields):
    """A new nomination: the village, and the family's consent to publish its name."""

    publish_name = forms.BooleanField(
        label=_("该户已签署同意书，同意在命名名单中公开户名"), required=False
    )
    consent_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX, required=False
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "association": AssociationPicker(villages, label=_("提名村（社区）")),
            **self.fields,
        }


class EditForm(NominationFields):
    version = _version()


class ReviewForm(forms.Form):
    recommend = forms.TypedChoiceField(
        label=_("乡镇审核"),
        choices=[("1", _("推荐")), ("0", _("不推荐"))],
        coerce=lambda value: value == "1",
    )
    opinion = forms.CharField(label=_("乡镇意见"), max_length=rules.OPINION_MAX)
    expected_version = _version()


class AwardForm(forms.Form):
    award = forms.TypedChoiceField(
        label=_("县级决定"),
        choices=[("1", _("命名")), ("0", _("不命名"))],
        coerce=lambda value: value == "1",
    )
    opinion = forms.CharField(label=_("县级意见"), max_length=rules.OPINION_MAX, required=False)
    document = forms.CharField(label=_("命名文号"), max_length=rules.DOCUMENT_MAX, required=False)
    expected_version = _version()


class ReopenForm(CoreReopenForm):
    expected_version = _version()


class ConsentForm(forms.Form):
    publish = forms.TypedChoiceField(
        choices=[("1", _("同意公开")), ("0", _("撤回同意"))], coerce=lambda value: value == "1"
    )
    consent_version = forms.IntegerField(min_value=1, max_value=VERSION_MAX, required=False)
    note = forms.CharField(label=_("说明"), max_length=rules.OPINION_MAX, required=False)


class FilterForm(forms.Form):
    year = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        required=False, choices=[("", _("全部状态")), *Nomination.Status.choices]
    )
    q = forms.CharField(required=False, max_length=50)
    sort = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        years = rules.list_years(timezone.localdate().year)
        year_field.choices = [("", _("全部年度")), *((y, str(y)) for y in years)]
        sort_field = self.fields["sort"]
        assert isinstance(sort_field, forms.ChoiceField)
        sort_field.choices = [(key, _(label)) for key, (label, _k, _d) in SORTS.items()]
