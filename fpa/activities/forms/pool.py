"""Forms of the expert and trainer pool (专家和师资) and the 青春健康同伴社 pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fpa.activities.forms.sites import DateField, PhoneField, SearchField, _nfkc
from fpa.activities.models import Site, Specialty
from fpa.activities.services.common import MAX_COUNT
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker

STATE_CHOICES = [("active", _("在库")), ("inactive", _("已不在库")), ("", _("全部"))]
CLUB_STATE_CHOICES = [("active", _("活动中")), ("inactive", _("已停止活动")), ("", _("全部"))]
EXPERT_SORT_CHOICES = [("name", _("按姓名")), ("area", _("按所属协会")), ("taught", _("授课次数"))]


class ExpertFilterForm(forms.Form):
    q = SearchField(label=_("姓名或单位"))
    specialty = forms.ChoiceField(label=_("专长"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False, choices=STATE_CHOICES)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=EXPERT_SORT_CHOICES)

    def __init__(self, *args: Any, specialties: QuerySet[Specialty], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["specialty"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("全部")),
            *((s.code, s.name) for s in specialties),
        ]


class ExpertForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    organisation = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    title = forms.CharField(label=_("职称/职务"), max_length=100, required=False)
    specialties = forms.ModelMultipleChoiceField(
        label=_("专长"), queryset=Specialty.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    qualifications = forms.CharField(
        label=_("资质与培训证书"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：执业医师资格证；青春健康师资培训合格证（2024年）。"),
    )
    phone = PhoneField(label=_("联系电话"), required=False)
    active = forms.BooleanField(label=_("在库"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        associations: QuerySet[Association] | None,
        specialties: QuerySet[Specialty],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["specialties"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = specialties
        if associations is not None:  # new experts only
            self.fields = {
                "association": AssociationPicker(associations, label=_("所属协会")),
                **self.fields,
            }


class ClubFilterForm(forms.Form):
    q = SearchField(label=_("学校"))
    state = forms.ChoiceField(label=_("状态"), required=False, choices=CLUB_STATE_CHOICES)


class MembersField(forms.IntegerField):
    """A number of people, full-width digits folded."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(_nfkc(value))


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.association.name} · {obj.name}"


class ClubForm(forms.Form):
    school = forms.CharField(label=_("学校"), max_length=100)
    site = SiteChoiceField(
        label=_("阵地"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("同伴社开展活动的阵地；同伴社页面列出在该阵地举办的活动。"),
    )
    members = MembersField(label=_("社员人数"), min_value=0, max_value=MAX_COUNT, initial=0)
    founded_on = DateField(label=_("成立日期"), required=False)
    active = forms.BooleanField(label=_("活动中"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        associations: QuerySet[Association] | None,
        sites: QuerySet[Site],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sites
        if associations is not None:  # new clubs only
            self.fields = {
                "association": AssociationPicker(associations, label=_("所属协会")),
                **self.fields,
            }
