"""Forms of the insurance pages. They parse input only; every rule is the services' (a refusal
comes back on its field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fpa.core import protected
from fpa.core.forms import DateInput
from fpa.families.models import Family
from fpa.insurance import rules
from fpa.insurance.models import Claim, Enrolment, Product
from fpa.insurance.selectors import CLAIM_SORTS, ROSTER_SORTS
from fpa.members.models import Member

TEXTAREA = forms.Textarea(attrs={"rows": 3})
MAX_INT = 2**31 - 1
ALL = [("", _("全部"))]
COVER_LINES = 12


def _version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_INT
    )


def _money(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_digits=12, decimal_places=2, **kwargs)


class ProductForm(forms.Form):
    insurer = forms.CharField(label=_("保险公司"), max_length=100)
    name = forms.CharField(label=_("险种名称"), max_length=100)
    kind = forms.ChoiceField(label=_("险种类别"), choices=Product.Kind.choices)
    premium = _money(_("每人保费（元）"))
    min_age = forms.IntegerField(
        label=_("最低投保年龄"), required=False, min_value=0, max_value=120
    )
    max_age = forms.IntegerField(
        label=_("最高投保年龄"), required=False, min_value=0, max_value=120
    )
    start_month = forms.IntegerField(
        label=_("保险年度起始月"), min_value=1, max_value=12, initial=1
    )
    start_day = forms.IntegerField(label=_("保险年度起始日"), min_value=1, max_value=31, initial=1)
    cover = forms.CharField(
        label=_("保障项目及金额"),
        required=False,
        widget=TEXTAREA,
        help_text=_("每行一项：项目名称 金额，如“意外身故 50000”。"),
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    notes = forms.CharField(label=_("备注"), required=False, widget=TEXTAREA, max_length=1000)
    version = _version()

    def clean_cover(self) -> list[dict[str, str]]:
        items = []
        for line in (self.cleaned_data.get("cover") or "").splitlines()[: COVER_LINES + 1]:
            parts = line.strip().rsplit(maxsplit=1)
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(_("每行应为“项目名称 金额”。"))
            items.append({"item": parts[0], "amount": parts[1]})
        if len(items) > COVER_LINES:
            raise forms.ValidationError(_("保障项目最多12项。"))
        return items

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["cover_items"] = data.pop("cover")
        data.pop("version", None)
        return data

    @staticmethod
    def cover_text(product: Product) -> str:
        return "\n".join(f"{i['item']} {i['amount']}" for i in product.cover_items)


class PolicyYearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    policy_number = forms.CharField(label=_("保单号"), required=False, max_length=60)
    starts_on = forms.DateField(
        label=_("起保日期"), required=False, widget=DateInput, help_text=_("不填按产品的起始月日")
    )
    ends_on = forms.DateField(label=_("终止日期"), required=False, widget=DateInput)
    fund_share = _money(_("生育关怀基金承担（元/人）"), initial=0)
    government_share = _money(_("财政承担（元/人）"), initial=0)
    self_share = _money(_("个人承担（元/人）"), initial=0)
    version = _version()


class RosterFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=ALL + list(Enrolment.Status.choices)
    )
    source = forms.ChoiceField(
        label=_("来源"), required=False, choices=ALL + list(Enrolment.Source.choices)
    )
    id_number = forms.CharField(label=_("身份证号码"), required=False, max_length=32)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(key, label) for key, (label, _f, _d) in ROSTER_SORTS.items()],
    )


class RuleForm(forms.Form):
    source = forms.ChoiceField(label=_("人员来源"), choices=rules.SOURCES)
    active_only = forms.BooleanField(label=_("仅在册人员"), required=False, initial=True)
    family_kind = forms.ChoiceField(
        label=_("家庭类别"), required=False, choices=ALL + list(Family.Kind.choices)
    )
    member_kind = forms.ChoiceField(
        label=_("会员类型"),
        required=False,
        choices=ALL + [c for c in Member.Kind.choices if c[0] != Member.Kind.GROUP],
    )
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=[*ALL, ("F", _("女")), ("M", _("男"))]
    )
    age_min = forms.IntegerField(
        label=_("起保日年龄不小于"), required=False, min_value=0, max_value=120
    )
    age_max = forms.IntegerField(
        label=_("起保日年龄不大于"), required=False, min_value=0, max_value=120
    )

    def rule(self, area: str) -> rules.Rule:
        data = self.cleaned_data
        return rules.Rule(
            source=data["source"],
            area=area,
            active_only=bool(data.get("active_only")),
            family_kind=data.get("family_kind") or "",
            member_kind=data.get("member_kind") or "",
            sex=data.get("sex") or "",
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
        )


class EnrolForm(forms.Form):
    """One person, named by registry and ID number (looked up in the user's scope)."""

    source = forms.ChoiceField(label=_("人员来源"), choices=Enrolment.Source.choices)
    id_number = forms.CharField(label=_("身份证号码"), max_length=32)
    covered_from = forms.DateField(
        label=_("保障起始日期"),
        required=False,
        widget=DateInput,
        help_text=_("不填：起保日或今天（取较晚者）"),
    )

    def clean_id_number(self) -> str:
        return protected.canonical("id_number", self.cleaned_data["id_number"])


class RemoveForm(forms.Form):
    removed_on = forms.DateField(label=_("退保日期"), widget=DateInput)
    reason = forms.CharField(label=_("退保原因"), max_length=200)
    version = _version()


class ClaimForm(forms.Form):
    event_on = forms.DateField(label=_("出险日期"), widget=DateInput)
    kind = forms.ChoiceField(label=_("出险类别"), choices=Claim.Kind.choices)
    description = forms.CharField(label=_("出险经过"), widget=TEXTAREA, max_length=2000)


class SubmitForm(forms.Form):
    submitted_on = forms.DateField(label=_("提交保险公司日期"), widget=DateInput)
    version = _version()


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("结果"),
        choices=[(Claim.Status.PAID, _("赔付")), (Claim.Status.REFUSED, _("拒赔"))],
    )
    decided_on = forms.DateField(label=_("日期"), widget=DateInput)
    amount_paid = _money(_("赔付金额（元）"), required=False)
    refusal_reason = forms.CharField(label=_("拒赔原因"), required=False, max_length=300)
    version = _version()


class CloseForm(forms.Form):
    version = _version()


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("理赔材料（PDF或图片）"))


class ClaimFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("open", _("未结案")),
            ("overdue", _("超期未答复")),
            *Claim.Status.choices,
            ("all", _("全部")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("出险类别"), required=False, choices=ALL + list(Claim.Kind.choices)
    )
    year = forms.IntegerField(label=_("出险年度"), required=False, min_value=2000, max_value=2100)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(key, label) for key, (label, _f, _d) in CLAIM_SORTS.items()],
    )


class SettingsForm(forms.Form):
    overdue_days = forms.IntegerField(label=_("理赔超期天数"), min_value=1, max_value=365)
    version = _version()


class ExportForm(forms.Form):
    reveal = forms.BooleanField(label=_("导出完整姓名和身份证号码"), required=False)
    reason = forms.CharField(label=_("导出原因"), required=False, max_length=200)
