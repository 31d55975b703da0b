"""Forms of the activity pages: the list's filters, the plan, and one form per step (hold,
counts, summary, cancel, media report, volunteers). Choices come from scoped selectors passed in
by the views; every number a person types is folded from full-width digits first."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.activities.models import (
    PARTICIPANT_GROUPS,
    Activity,
    Campaign,
    Category,
    Expert,
    MediaReport,
    Site,
    Theme,
)
from fpa.activities.services.common import MAX_COUNT
from fpa.core.forms import DateInput
from fpa.core.uploads import ACCEPT_DOCUMENTS
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker
from fpa.volunteers.forms import HoursField

GROUPS = tuple(name for name, _label in PARTICIPANT_GROUPS)
HEALTH = (
    ("materials", _("发放资料（份）")),
    ("consultations", _("咨询人次")),
    ("checks", _("检查/筛查人次")),
    ("referrals", _("转介人次")),
)
STATUS_CHOICES = [
    ("", _("全部")),
    ("done", _("已开展或已总结")),
    *Activity.Status.choices,
]
SORT_CHOICES = [
    ("newest", _("日期（新的在前）")),
    ("oldest", _("日期（早的在前）")),
    ("title", _("活动名称")),
    ("participants", _("参加人数（多的在前）")),
]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
COUNTS = (*GROUPS, *(name for name, _label in HEALTH))


def fold(value: Any) -> Any:
    """Full-width digits, signs and spaces as people type them on a Chinese keyboard, folded."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip()
    return value


class DateTimeLocal(forms.DateTimeInput):
    """An HTML datetime-local input (the value must be ISO without seconds)."""

    input_type = "datetime-local"

    def __init__(self, attrs: Any = None) -> None:
        super().__init__(attrs, format=DATETIME_FORMAT)


class LocalDateTimeField(forms.DateTimeField):
    """A moment typed in the browser's datetime-local box (or 2026-05-29 09:00)."""

    widget = DateTimeLocal
    input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M"]
    default_error_messages = {"invalid": _("请填写有效的日期和时间，如 2026-05-29 09:00。")}

    def to_python(self, value: Any) -> Any:
        return super().to_python(fold(value))


class CountField(forms.IntegerField):
    """A number of people or items: full-width digits folded, 0 … MAX_COUNT."""

    default_error_messages = {"invalid": _("请填写整数。")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_COUNT)
        attrs = {"inputmode": "numeric", "autocomplete": "off", **kwargs.pop("attrs", {})}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(fold(value))
        return 0 if value is None else value


class CostField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        return super().to_python(fold(value))


class SiteChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.name}（{obj.association.name}）"


class CampaignChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Campaign) -> str:
        return gettext("%(title)s（%(start)s 至 %(end)s）") % {
            "title": obj.title,
            "start": f"{obj.starts_on:%Y-%m-%d}",
            "end": f"{obj.ends_on:%Y-%m-%d}",
        }


class ExpertChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Expert) -> str:
        return f"{obj.name} · {obj.organisation}" if obj.organisation else obj.name


class AssociationsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Association) -> str:
        return obj.name


# --- the list -----------------------------------------------------------------------------------


class FilterForm(forms.Form):
    q = forms.CharField(label=_("活动名称"), max_length=50, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    theme = forms.ChoiceField(label=_("主题"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    highlight = forms.BooleanField(label=_("只看亮点"), required=False)
    sort = forms.ChoiceField(label=_("排序"), choices=SORT_CHOICES, required=False)
    campaign = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    todo = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("approval", "approval"), ("hold", "hold")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, categories: Any, themes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["category"].choices = everything + [(c.code, c.name) for c in categories]  # type: ignore[attr-defined]
        self.fields["theme"].choices = everything + [(t.code, t.name) for t in themes]  # type: ignore[attr-defined]
        this_year = timezone.localdate().year
        years = [(y, str(y)) for y in range(this_year + 1, this_year - 6, -1)]
        self.fields["year"].choices = everything + years  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The valid filters (an invalid one is left out, the others still apply)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "category": data.get("category") or "",
            "theme": data.get("theme") or "",
            "year": data.get("year"),
            "highlight": bool(data.get("highlight")),
            "sort": data.get("sort") or "newest",
            "campaign": data.get("campaign"),
            "todo": data.get("todo") or "",
        }


# --- the plan -----------------------------------------------------------------------------------


class PlanForm(forms.Form):
    """The plan of an activity. The view passes every choice, scoped to the user."""

    title = forms.CharField(label=_("活动名称"), max_length=100)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none())
    theme = forms.ModelChoiceField(label=_("主题"), queryset=Theme.objects.none(), required=False)
    setting = forms.ChoiceField(label=_("形式"), choices=Activity.Setting.choices)
    campaign = CampaignChoice(label=_("所属部署"), queryset=Campaign.objects.none(), required=False)
    starts_at = LocalDateTimeField(label=_("开始时间"))
    ends_at = LocalDateTimeField(label=_("结束时间"))
    site = SiteChoice(label=_("阵地"), queryset=Site.objects.none(), required=False)
    place = forms.CharField(
        label=_("地点"),
        max_length=200,
        required=False,
        help_text=_("不在阵地举办时填写；线上活动可不填。"),
    )
    co_organisers = AssociationsChoice(
        label=_("协办协会"),
        queryset=Association.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.CharField(
        label=_("合作单位"),
        max_length=200,
        required=False,
        help_text=_("如卫健局、妇幼保健院、学校、企业。"),
    )
    target_groups = forms.CharField(label=_("服务对象"), max_length=200, required=False)
    experts = ExpertChoice(
        label=_("授课专家/师资"),
        queryset=Expert.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public = forms.BooleanField(label=_("在公开日历上发布"), required=False)
    risky = forms.BooleanField(label=_("有人身风险（须确认已投保意外险）"), required=False)
    cost = CostField(label=_("经费（元）"))

    def __init__(
        self,
        *args: Any,
        associations: QuerySet[Association],
        categories: QuerySet[Any],
        themes: QuerySet[Any],
        campaigns: QuerySet[Campaign],
        sites: QuerySet[Site],
        co_organisers: QuerySet[Association],
        experts: QuerySet[Expert],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "association": AssociationPicker(associations, label=_("主办协会")),
            **self.fields,
        }
        choices = {
            "category": categories,
            "theme": themes,
            "campaign": campaigns,
            "site": sites,
            "co_organisers": co_organisers,
            "experts": experts,
        }
        for name, queryset in choices.items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]

    def clean_title(self) -> str:
        title = fold(self.cleaned_data["title"])
        if len(title) < 2:
            raise forms.ValidationError(_("请填写活动名称。"))
        return str(title)

    def clean_cost(self) -> Decimal:
        return self.cleaned_data.get("cost") or Decimal("0")

    def plan_values(self) -> dict[str, Any]:
        """The plan's fields as the services take them (association apart)."""
        data = dict(self.cleaned_data)
        data.pop("association", None)
        for name in ("place", "partners", "target_groups"):
            data[name] = fold(data.get(name) or "")
        return data


# --- the steps ----------------------------------------------------------------------------------


def _count_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for name, label in PARTICIPANT_GROUPS:
        fields[name] = CountField(label=label, attrs={"data-fpa-participant": ""})
    for name, label in HEALTH:
        fields[name] = CountField(label=label)
    return fields


class CountsForm(forms.Form):
    """Participants by group, materials and the health services as counts (no person)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_count_fields())

    def counts(self) -> dict[str, int]:
        return {name: int(self.cleaned_data.get(name) or 0) for name in COUNTS}

    @property
    def group_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in GROUPS]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _label in HEALTH]


class HoldForm(CountsForm):
    """Mark held: the counts, and for an activity with physical risk the insurance confirmed
    (志愿服务条例) with the policy number or a note."""

    def __init__(self, *args: Any, risky: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.risky = risky
        if risky:
            self.fields["insurance_confirmed"] = forms.BooleanField(
                label=_("已为参加人员投保意外险"), required=False
            )
            self.fields["insurance_note"] = forms.CharField(
                label=_("保单号或说明"), max_length=200, required=False
            )

    def hold_values(self) -> dict[str, Any]:
        values: dict[str, Any] = dict(self.counts())
        if self.risky:
            values["insurance_confirmed"] = bool(self.cleaned_data.get("insurance_confirmed"))
            values["insurance_note"] = fold(self.cleaned_data.get("insurance_note") or "")
        return values


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("活动总结"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("写明做了什么、效果如何，至少10个字。"),
    )
    highlight = forms.BooleanField(
        label=_("亮点（报送上级）"),
        required=False,
        help_text=_("标为亮点的活动出现在上级的亮点列表中。"),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=300)


class MediaForm(forms.Form):
    outlet = forms.ChoiceField(label=_("媒体类型"), choices=MediaReport.Outlet.choices)
    name = forms.CharField(label=_("媒体名称"), max_length=100)
    title = forms.CharField(label=_("报道标题"), max_length=200, required=False)
    url = forms.CharField(
        label=_("链接"),
        max_length=500,
        required=False,
        help_text=_("以 http:// 或 https:// 开头；报纸可不填。"),
    )
    published_on = forms.DateField(label=_("报道日期"), widget=DateInput)
    scan = forms.FileField(
        label=_("扫描件"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_DOCUMENTS}),
        help_text=_("可选：报纸版面、报道截图等。PDF不超过10 MB，JPEG、PNG或WebP图片不超过5 MB。"),
    )


class MediaScanForm(forms.Form):
    """A scan for a media report already recorded (replaces its scan, if any)."""

    report = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    scan = forms.FileField(
        label=_("扫描件"),
        widget=forms.FileInput(attrs={"accept": ACCEPT_DOCUMENTS}),
        error_messages={"required": _("请选择要上传的文件。")},
    )


class GrantChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(number)s · %(name)s · %(amount)s 元 · %(status)s") % {
            "number": obj.number,
            "name": obj.activity_name,
            "amount": obj.amount,
            "status": obj.get_status_display(),
        }


class FundLinkForm(forms.Form):
    """The care-fund grant (target 活动) that paid for the activity; empty unlinks."""

    grant = GrantChoice(
        label=_("生育关怀基金资助"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("（不关联）"),
        help_text=_("只列出本基金资助对象为“活动”、未被退回、您有权查看的资助。"),
    )

    def __init__(self, *args: Any, grants: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grant"]
        assert isinstance(field, GrantChoice)
        field.queryset = grants


class MediaRemoveForm(forms.Form):
    report = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=300, required=False)


class VolunteersForm(forms.Form):
    hours = HoursField(label=_("每人计划服务时长（小时）"))
    description = forms.CharField(
        label=_("服务内容"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
