"""The care log with photos, needs, supports, campaigns and payment rates."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.families import photos as photo_rules
from fpa.families.forms.fields import DATE, _near, account_field, association_field
from fpa.families.models import (
    FIVE_CARES,
    FOUR_SERVICES,
    CareKind,
    Family,
    Need,
    Support,
)
from fpa.organizations.models import Association

# --- care, needs, supports ------------------------------------------------------------------------

PHOTO_HELP = _("每张不超过5 MB，JPEG、PNG或WebP格式；保存时自动去除拍摄地点等附加信息")


def _photos_help_text(count: int) -> str:
    return gettext("最多%(count)s张，") % {"count": count} + str(PHOTO_HELP)


_photos_help = lazy(_photos_help_text, str)


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Photos of a care record (optional): each one decoded, checked and re-encoded by
    `fpa.families.photos`; cleans to a list of `CleanPhoto`. `already` is how many the record
    holds (the limit is five a record)."""

    widget = MultipleImageInput

    def __init__(self, *args: Any, already: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片（选填）"))
        kwargs.setdefault("help_text", _photos_help(photo_rules.MAX_PER_RECORD))
        super().__init__(*args, **kwargs)
        self.already = already
        self.widget.attrs["accept"] = photo_rules.ACCEPT_ATTR

    def clean(self, data: Any, initial: Any = None) -> list[photo_rules.CleanPhoto]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        try:
            return photo_rules.clean_many(files, already=self.already)
        except photo_rules.PhotoError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


class CareForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("类别"), queryset=CareKind.objects.all())
    occurred_on = forms.DateField(label=_("日期"), widget=DATE)
    services = forms.MultipleChoiceField(
        label=_("四项服务"),
        choices=FOUR_SERVICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cares = forms.MultipleChoiceField(
        label=_("五关怀"), choices=FIVE_CARES, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("情况记录（敏感）"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    photos = PhotosField()
    need_description = forms.CharField(
        label=_("家庭提出的诉求（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    need_owner = forms.ModelChoiceField(
        label=_("诉求责任人"), queryset=User.objects.none(), required=False
    )
    need_due_date = forms.DateField(label=_("诉求办结期限"), widget=DATE, required=False)

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["need_owner"] = account_field(
            owners, _("诉求责任人"), required=False, empty_label="—"
        )
        self.order_fields(list(self.declared_fields))

    def clean_need_due_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("need_due_date"), _("办结期限"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (data.get("need_owner") or data.get("need_due_date")) and not data.get(
            "need_description"
        ):
            self.add_error("need_description", _("指定责任人或期限时，请填写诉求内容。"))
        return data


class NeedUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Need.Status.choices)
    result = forms.CharField(
        label=_("办理结果"), max_length=500, required=False, help_text=_("办结时必填")
    )


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Support.Kind.choices)
    provider = forms.CharField(label=_("签约机构/医院/保险公司"), max_length=100)
    reference = forms.CharField(label=_("医生/卡号/保单号"), max_length=60, required=False)
    product = forms.CharField(label=_("险种（保险填写）"), max_length=100, required=False)
    premium = forms.DecimalField(
        label=_("保费（元）"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    cover_amount = forms.DecimalField(
        label=_("保额（元）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("截止日期"), widget=DATE, required=False)

    def clean_start_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("start_date"), _("开始日期"))

    def clean_end_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("end_date"), _("截止日期"))


# --- campaigns and rates --------------------------------------------------------------------------


class CampaignForm(forms.Form):
    association = forms.ModelChoiceField(
        label=_("范围（协会）"), queryset=Association.objects.none()
    )
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如：2025年春节走访慰问"))
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("结束日期"), widget=DATE)

    def __init__(self, *args: Any, associations: QuerySet[Association], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["association"] = association_field(associations, _("范围（协会）"))
        self.order_fields(["association", "name", "start_date", "end_date"])

    def clean_start_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("start_date"), _("开始日期"))

    def clean_end_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("end_date"), _("结束日期"))


class RateForm(forms.Form):
    kind = forms.ChoiceField(label=_("家庭类别"), choices=Family.Kind.choices)
    monthly_amount = forms.DecimalField(
        label=_("每人每月（元）"), max_digits=8, decimal_places=2, min_value=0
    )
    valid_from = forms.DateField(label=_("起始日期"), widget=DATE)
    note = forms.CharField(label=_("依据（文号）"), max_length=200, required=False)

    def clean_valid_from(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("valid_from"), _("起始日期"))


class CarePhotoForm(forms.Form):
    """Photos added to an existing care record."""

    photos = PhotosField(required=True, label=_("照片"))

    def __init__(self, *args: Any, already: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        photos = self.fields["photos"]
        assert isinstance(photos, PhotosField)  # declared above
        photos.already = already
        left = max(0, photo_rules.MAX_PER_RECORD - already)
        self.fields["photos"].help_text = gettext("还可上传%(count)s张，") % {"count": left} + str(
            PHOTO_HELP
        )
