"""Forms of the care fund. Amounts are typed as text and parsed by `money.parse_amount`, so that
`1e6`, `NaN`, full-width digits or a third decimal get a Chinese message instead of a guess."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core import uploads
from fpa.core.forms import DateInput, limit_choices
from fpa.families.models import Family
from fpa.fund.models import Account, Donation, Fund, Grant, GrantAttachment
from fpa.fund.money import AmountError, parse_amount
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker

FUND_NAME = "生育关怀基金"  # the default name stored as data: Chinese in every language


def _points(rating: int) -> str:
    return gettext("%(rating)s 分") % {"rating": rating}


points = lazy(_points, str)

DATE = DateInput()


class AmountField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("金额（元）"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.setdefault(
            "error_messages", {"required": _("请填写金额。"), "max_length": _("金额过大。")}
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal:
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc


def accounts(kind: str) -> QuerySet[Account]:
    return Account.objects.filter(kind=kind, is_active=True)


class DonationForm(forms.Form):
    donor_name = forms.CharField(label=_("捐赠人（姓名或单位名称）"), max_length=100)
    donor_kind = forms.ChoiceField(label=_("捐赠人类型"), choices=Donation.DonorKind.choices)
    form = forms.ChoiceField(label=_("捐赠形式"), choices=Donation.Form.choices)
    channel = forms.ChoiceField(label=_("收款渠道"), choices=Donation.Channel.choices)
    amount = AmountField(label=_("金额或实物估值（元）"))
    in_kind_description = forms.CharField(label=_("实物名称及数量"), max_length=200, required=False)
    restricted_purpose = forms.ModelChoiceField(
        label=_("限定用途"),
        required=False,
        queryset=accounts("expense"),
        empty_label=_("不限定用途"),
    )
    received_on = forms.DateField(label=_("收到日期"), widget=DATE)
    donor_phone = forms.CharField(
        label=_("捐赠人联系电话（不公开）"), max_length=32, required=False
    )
    publish_name = forms.BooleanField(label=_("捐赠人同意公开姓名/名称"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class IncomeForm(forms.Form):
    category = forms.ModelChoiceField(label=_("收入类别"), queryset=accounts("income"))
    amount = AmountField()
    asset_account = forms.ModelChoiceField(label=_("资金账户"), queryset=accounts("asset"))
    restriction = forms.ModelChoiceField(
        label=_("限定用途"),
        required=False,
        queryset=accounts("expense"),
        empty_label=_("不限定用途"),
    )
    date = forms.DateField(label=_("记账日期"), widget=DATE)
    memo = forms.CharField(label=_("摘要（内部）"), max_length=200, required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲销原因"), max_length=200)


class FamilyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Family) -> str:
        return f"{obj.association.name} · {obj.head_name or obj.pk}"


class GrantForm(forms.Form):
    target = forms.ChoiceField(label=_("资助对象"), choices=Grant.Target.choices)
    family = FamilyChoiceField(label=_("家庭"), required=False, queryset=Family.objects.none())
    association = AssociationPicker(
        Association.objects.none(), label=_("所属协会（个人、活动）"), required=False
    )
    person_name = forms.CharField(label=_("个人姓名（不公开）"), max_length=50, required=False)
    activity_name = forms.CharField(label=_("活动名称（不公开）"), max_length=100, required=False)
    category = forms.ModelChoiceField(label=_("支出类别"), queryset=accounts("expense"))
    amount = AmountField()
    purpose = forms.CharField(
        label=_("申请理由（不公开）"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        families: QuerySet[Family],
        areas: QuerySet[Association],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "family", families)
        limit_choices(self, "association", areas)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("意见"),
        choices=[("approve", _("同意")), ("reject", _("不同意"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("意见说明（内部）"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PayForm(forms.Form):
    source_account = forms.ModelChoiceField(label=_("付款账户"), queryset=accounts("asset"))
    paid_on = forms.DateField(label=_("支付日期"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FeedbackForm(forms.Form):
    """Anyone's rating or comment. `website` is a honeypot: people do not see it, bots fill it."""

    rating = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(i, points(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("评价内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_phone = forms.CharField(
        label=_("联系电话（选填，不公开）"), max_length=32, required=False
    )
    website = forms.CharField(label=_("网址"), required=False, max_length=200)


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("异议内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_phone = forms.CharField(
        label=_("联系电话（选填，不公开）"), max_length=32, required=False
    )
    website = forms.CharField(label=_("网址"), required=False, max_length=200)


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("答复（将公开）"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RulesForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(
        label=_("正文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 16})
    )


class FundForm(forms.Form):
    name = forms.CharField(label=_("基金名称"), max_length=100, initial=FUND_NAME)
    notice_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=90, initial=7)
    receipt_prefix = forms.CharField(
        label=_("票据编号前缀"),
        max_length=8,
        required=False,
        help_text=_("留空则取本协会地名的拼音首字母，如永靖县为 YJ"),
    )


class FundSettingsForm(forms.Form):
    """The county's settings of its fund (`services.fund_settings_update`)."""

    grant_order = forms.ChoiceField(
        label=_("资助办理顺序"),
        choices=Fund.GrantOrder.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "先公示后支付：县级审批后即公示，公示期满且异议均已答复后财务方可支付。"
            "先支付后公示：审批后即可支付，支付后公示，公示期满且异议均已答复后办结。"
            "修改只影响此后审批的申请。"
        ),
    )
    notice_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=90)
    reply_days = forms.IntegerField(label=_("答复期限（天）"), min_value=1, max_value=60)


class AttachmentForm(forms.Form):
    """One file of a grant, checked by `fpa.core.uploads.clean_document` in the service."""

    kind = forms.ChoiceField(label=_("附件类型"), choices=GrantAttachment.Kind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "PDF不超过10 MB，JPEG、PNG或WebP图片不超过5 MB；图片保存时去除拍摄地点等附加信息"
        ),
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT_DOCUMENTS}),
        error_messages={"required": _("请选择要上传的文件。")},
    )


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(
        label=_("月份（留空为全年）"), min_value=1, max_value=12, required=False
    )
