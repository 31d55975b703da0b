"""Forms of the site pages (阵地), their photos and the settings page (the lists and the approval
rule). Choices come from scoped selectors, passed in by the views."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fpa.activities.models import Site, SiteKind
from fpa.activities.services.settings import MAX_NAME
from fpa.core import phones
from fpa.core.forms import DateInput
from fpa.core.uploads import ACCEPT_IMAGES
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker


def _nfkc(value: Any) -> Any:
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


class DateField(forms.DateField):
    """A date as people type it: full-width digits and 2024/5/29 accepted."""

    widget = DateInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"])
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        return super().to_python(_nfkc(value))


class PhoneField(forms.CharField):
    """A mainland mobile or landline number, however it was typed (fpa.core.phones)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value or _nfkc(value) == "-":  # "-": delete the stored number (edit forms)
            return ""
        try:
            return phones.parse(value)
        except phones.PhoneError as exc:
            raise forms.ValidationError(str(exc)) from exc


class SearchField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 50)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return " ".join(str(_nfkc(super().to_python(value)) or "").split())


# --- sites --------------------------------------------------------------------------------------

SITE_SORT_CHOICES = [("area", _("按所属协会")), ("name", _("按名称")), ("newest", _("最新登记"))]


class SiteFilterForm(forms.Form):
    q = SearchField(label=_("名称或地址"))
    kind = forms.ChoiceField(label=_("阵地类型"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Site.Status.choices]
    )
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SITE_SORT_CHOICES)

    def __init__(self, *args: Any, kinds: QuerySet[SiteKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("全部")), *((k.code, k.name) for k in kinds)]


class SiteForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ModelChoiceField(label=_("阵地类型"), queryset=SiteKind.objects.none())
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    facilities = forms.CharField(
        label=_("设施"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：活动室、图书角、宣传栏、健康小屋。"),
    )
    opening_hours = forms.CharField(
        label=_("开放时间"),
        max_length=100,
        required=False,
        help_text=_("如：周一至周五 9:00-17:00"),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = PhoneField(label=_("联系电话"), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=Site.Status.choices)
    opened_on = DateField(label=_("启用日期"), required=False)
    closed_on = DateField(label=_("关闭日期"), required=False)

    def __init__(
        self,
        *args: Any,
        associations: QuerySet[Association] | None,
        kinds: QuerySet[SiteKind],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ModelChoiceField)
        kind.queryset = kinds
        if associations is not None:  # new sites only: a site does not move to another holder
            self.fields = {
                "association": AssociationPicker(associations, label=_("所属协会")),
                **self.fields,
            }


class FamiliesForm(forms.Form):
    """The families a 暖心家园 serves: checkboxes of the families offered (anything else posted
    is an invalid choice)."""

    families = forms.MultipleChoiceField(
        label=_("服务的计生特殊家庭"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["families"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(pk), label) for pk, label in choices]

    def chosen_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["families"]]


# --- photos -------------------------------------------------------------------------------------


class PhotoFlagsForm(forms.Form):
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)
    faces = forms.BooleanField(label=_("有可辨认的人脸"), required=False)
    faces_consent = forms.BooleanField(
        label=_("已取得肖像同意"),
        required=False,
        help_text=_("有可辨认人脸的照片，只有取得本人（未成年人为监护人）同意后才能公开。"),
    )


class PhotoForm(PhotoFlagsForm):
    photo = forms.FileField(
        label=_("照片"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_IMAGES}),
        help_text=_("JPEG、PNG或WebP格式，不超过5 MB；保存时去除拍摄地点等信息。"),
    )

    field_order = ["photo", "caption", "faces", "faces_consent"]


class PublicForm(forms.Form):
    public = forms.BooleanField(required=False)


# --- the settings page --------------------------------------------------------------------------


class ItemForm(forms.Form):
    """Add (with an optional code) or rename an item of a configurable list."""

    name = forms.CharField(label=_("名称"), max_length=MAX_NAME)
    code = forms.CharField(
        label=_("代码"),
        max_length=30,
        required=False,
        help_text=_("供接口和Excel使用，保存后不能修改；不填写则自动生成。"),
    )
    serves_families = forms.BooleanField(label=_("服务计生特殊家庭"), required=False)

    def __init__(self, *args: Any, kind: str, adding: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not adding:
            del self.fields["code"]
        if kind != "site_kind":
            del self.fields["serves_families"]


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("上移")), ("down", _("下移"))])


class ActiveForm(forms.Form):
    active = forms.BooleanField(required=False)


class PolicyForm(forms.Form):
    approval_required = forms.BooleanField(
        label=_("下级活动须经审批"),
        required=False,
        help_text=_("勾选后，本协会下级计划的活动须经批准才能标记为已开展。"),
    )
