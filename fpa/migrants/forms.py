"""Forms of the migrant and enterprise pages. Choices come from scoped selectors (the views pass
them); the rules are the services' (a refusal comes back on its field)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.core.forms import DateInput
from fpa.families.forms.fields import ProtectedInput, _near, account_field, association_field
from fpa.migrants import places
from fpa.migrants.models import (
    EnterpriseProfile,
    Evaluation,
    FamilyMember,
    Migrant,
    Need,
    ServiceKind,
)
from fpa.migrants.selectors import SORTS
from fpa.organizations.models import Association

HIDDEN_HELP = _("当前内容已隐藏；留空则不修改。")
PROTECTED_FIELDS = ("name", "id_number", "phone", "address")
CODE_HELP = _("6位（县级）、9位（乡镇）或12位（村）区划代码，全国范围")


def _all(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


class FilterForm(forms.Form):
    """The list's GET filters; the area is the picker's ?code= (read by the view in scope)."""

    direction = forms.ChoiceField(
        label=_("流动方向"), required=False, choices=_all(Migrant.Direction.choices)
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[*Migrant.Status.choices, ("all", _("全部"))]
    )
    origin = forms.ChoiceField(label=_("流出地（省）"), required=False, choices=[])
    arrived_from = forms.DateField(label=_("流入日期自"), required=False, widget=DateInput())
    arrived_to = forms.DateField(label=_("至"), required=False, widget=DateInput())
    employer = forms.CharField(label=_("企业计生协编码"), required=False, max_length=32)
    id_number = forms.CharField(label=_("身份证号码"), required=False, max_length=32)
    departure = forms.ChoiceField(
        label=_("预计离开"), required=False, choices=[("", _("全部")), ("passed", _("已过期"))]
    )
    sort = forms.ChoiceField(
        label=_("排序"), required=False, choices=[(k, v[0]) for k, v in SORTS.items()]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        origin = self.fields["origin"]
        assert isinstance(origin, forms.ChoiceField)
        origin.choices = _all(places.provinces())


class MigrantForm(forms.Form):
    """Register a migrant, or change one (`migrant` given: personal values stay hidden and a
    blank box keeps the stored value)."""

    association = forms.ModelChoiceField(label=_("登记协会"), queryset=Association.objects.none())
    direction = forms.ChoiceField(label=_("流动方向"), choices=Migrant.Direction.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = ProtectedInput(label=_("身份证号码"), kind="id_number")
    phone = ProtectedInput(label=_("联系电话"), kind="phone", required=False)
    address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    origin_code = forms.CharField(
        label=_("流出地（户籍地）区划代码"), max_length=20, required=False, help_text=CODE_HELP
    )
    destination_code = forms.CharField(
        label=_("流入地区划代码"),
        max_length=20,
        required=False,
        help_text=_("流出人口必填；流入人口可不填"),
    )
    workplace = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    employer = forms.ModelChoiceField(
        label=_("所在企业（园区、商会）计生协"),
        queryset=Association.objects.none(),
        required=False,
        help_text=_("工作单位有计生协的，请选择以便统计"),
    )
    arrived_on = forms.DateField(label=_("流入（流出）日期"), widget=DateInput(), required=False)
    expected_departure = forms.DateField(
        label=_("预计离开日期"), widget=DateInput(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self,
        *args: Any,
        associations: QuerySet[Association],
        employers: QuerySet[Association],
        migrant: Migrant | None = None,
        **kwargs: Any,
    ) -> None:
        self.migrant = migrant
        if migrant is not None:
            kwargs.setdefault(
                "initial",
                {
                    "association": migrant.association_id,
                    "direction": migrant.direction,
                    "origin_code": migrant.origin_code,
                    "destination_code": migrant.destination_code,
                    "workplace": migrant.workplace,
                    "employer": migrant.employer_id,
                    "arrived_on": migrant.arrived_on,
                    "expected_departure": migrant.expected_departure,
                    "version": migrant.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["association"] = association_field(associations, _("登记协会"))
        employer = self.fields["employer"]
        assert isinstance(employer, forms.ModelChoiceField)
        employer.queryset = employers
        if migrant is not None:
            for name in PROTECTED_FIELDS:
                self.fields[name].required = False
                self.fields[name].help_text = HIDDEN_HELP
        self.order_fields(list(self.declared_fields))

    def changes(self) -> dict[str, Any]:
        """The values that change (a blank personal box keeps the stored value)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("association", None)
        if self.migrant is None:
            return data
        out: dict[str, Any] = {}
        for name, value in data.items():
            if name in PROTECTED_FIELDS:
                if value:
                    out[name] = value
            elif value != getattr(self.migrant, name) and not (
                value in ("", None) and getattr(self.migrant, name) in ("", None)
            ):
                out[name] = value
        return out


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("变更为"), choices=[])
    on = forms.DateField(label=_("日期"), widget=DateInput())
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, migrant: Migrant, targets: tuple[str, ...], **kwargs: Any):
        kwargs.setdefault("initial", {"on": timezone.localdate(), "version": migrant.version})
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        labels = dict(Migrant.Status.choices)
        status.choices = [
            (t, _("恢复在册") if t == Migrant.Status.ACTIVE else labels[t]) for t in targets
        ]


class FamilyMemberForm(forms.Form):
    relation = forms.ChoiceField(label=_("关系"), choices=FamilyMember.Relation.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = ProtectedInput(label=_("身份证号码"), kind="id_number", required=False)
    birth_date = forms.DateField(
        label=_("出生日期"),
        widget=DateInput(),
        required=False,
        help_text=_("填写身份证号码时可不填"),
    )
    moved_with = forms.BooleanField(label=_("随迁"), required=False, initial=True)


class ServiceForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("服务类别"), queryset=ServiceKind.objects.none())
    served_on = forms.DateField(label=_("服务日期"), widget=DateInput())
    provider = forms.CharField(label=_("服务人员（单位）"), max_length=100)
    notes = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, kinds: QuerySet[ServiceKind], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"served_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ModelChoiceField)
        kind.queryset = kinds


class NeedForm(forms.Form):
    """A need (诉求) on the care mechanism: what, who answers for it, by when."""

    description = forms.CharField(label=_("诉求内容"), max_length=500)
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("办结期限"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, owners: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = account_field(
            owners if owners is not None else User.objects.none(),
            _("责任人"),
            required=False,
            empty_label="—",
        )
        self.order_fields(["description", "owner", "due_date"])

    def clean_due_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("due_date"), _("办结期限"))


class NeedUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Need.Status.choices)
    result = forms.CharField(label=_("办理结果"), max_length=500, required=False)


class RevealExportForm(forms.Form):
    reason = forms.CharField(label=_("导出完整信息的原因"), min_length=2, max_length=200)


class ProfileForm(forms.Form):
    firm_name = forms.CharField(label=_("企业（园区、商会）名称"), max_length=100)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        required=False,
        help_text=_("18位，可含大写字母（不含I、O、S、V、Z），末位为校验位"),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    size = forms.ChoiceField(
        label=_("规模"), choices=[("", "—"), *EnterpriseProfile.Size.choices], required=False
    )
    employees = forms.IntegerField(label=_("职工人数"), min_value=0, initial=0)
    childbearing_employees = forms.IntegerField(label=_("育龄职工人数"), min_value=0, initial=0)
    party_branch_name = forms.CharField(label=_("党支部名称"), max_length=100, required=False)
    party_branch = forms.ModelChoiceField(
        label=_("对应的“党支部+计生协”"),
        queryset=Association.objects.none(),
        required=False,
    )
    demonstration = forms.BooleanField(label=_("流动人口示范点"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self,
        *args: Any,
        branches: QuerySet[Association],
        profile: EnterpriseProfile | None = None,
        **kwargs: Any,
    ) -> None:
        if profile is not None:
            kwargs.setdefault(
                "initial",
                {
                    "firm_name": profile.firm_name,
                    "credit_code": profile.credit_code,
                    "address": profile.address,
                    "size": profile.size,
                    "employees": profile.employees,
                    "childbearing_employees": profile.childbearing_employees,
                    "party_branch_name": profile.party_branch_name,
                    "party_branch": profile.party_branch_id,
                    "demonstration": profile.demonstration,
                    "version": profile.version,
                },
            )
        super().__init__(*args, **kwargs)
        branch = self.fields["party_branch"]
        assert isinstance(branch, forms.ModelChoiceField)
        branch.queryset = branches

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("级别"), choices=Evaluation.Level.choices)
    result = forms.ChoiceField(label=_("结果"), choices=Evaluation.Result.choices)
    notes = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
