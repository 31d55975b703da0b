"""Forms of the 三留守 pages. The contact, contact-end and need forms are the families module's
(one care mechanism, one set of forms); the choices come from scoped selectors (the views pass
them) and the rules are the services' (a refusal comes back on its field)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.families.forms.care import NeedUpdateForm
from fpa.families.forms.contacts import ContactEndForm, ReassignForm
from fpa.families.forms.contacts import ContactForm as FamilyContactForm
from fpa.families.forms.fields import DATE, ProtectedInput, _near, account_field, association_field
from fpa.families.models import CareKind
from fpa.leftbehind.models import LeftBehindPerson
from fpa.leftbehind.selectors import SORTS
from fpa.organizations.models import Association

__all__ = [
    "CareForm",
    "ContactEndForm",
    "ContactForm",
    "EndForm",
    "FilterForm",
    "HandoverForm",
    "NeedUpdateForm",
    "PersonForm",
    "RevealExportForm",
]

HIDDEN_HELP = _("当前内容已隐藏；留空则不修改。")
PROTECTED_FIELDS = (
    "name",
    "id_number",
    "phone",
    "address",
    "guardian_name",
    "guardian_phone",
    "notes",
)


def _all(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


class FilterForm(forms.Form):
    """The list's GET filters; the area is the picker's ?code= (read by the view in scope)."""

    kind = forms.ChoiceField(
        label=_("类别"), required=False, choices=_all(LeftBehindPerson.Kind.choices)
    )
    risk = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=_all(LeftBehindPerson.Risk.choices)
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[*LeftBehindPerson.Status.choices, ("all", _("全部"))],
    )
    overdue = forms.ChoiceField(
        label=_("联系情况"), required=False, choices=[("", _("全部")), ("1", _("联系超期"))]
    )
    id_number = forms.CharField(label=_("身份证号码"), required=False, max_length=32)
    sort = forms.ChoiceField(
        label=_("排序"), required=False, choices=[(k, v[0]) for k, v in SORTS.items()]
    )


class PersonForm(forms.Form):
    """Register a person, or change one (`person` given: personal values stay hidden and a blank
    box keeps the stored value)."""

    association = forms.ModelChoiceField(
        label=_("所属村（社区）"), queryset=Association.objects.none()
    )
    kind = forms.ChoiceField(label=_("类别"), choices=LeftBehindPerson.Kind.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = ProtectedInput(label=_("身份证号码"), kind="id_number", required=False)
    birth_date = forms.DateField(
        label=_("出生日期"), widget=DATE, required=False, help_text=_("填写身份证号码时可不填")
    )
    phone = ProtectedInput(label=_("联系电话"), kind="phone", required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    guardian_name = forms.CharField(label=_("监护人/家属姓名"), max_length=50, required=False)
    guardian_relation = forms.CharField(label=_("与本人关系"), max_length=20, required=False)
    guardian_phone = ProtectedInput(label=_("监护人/家属电话"), kind="phone", required=False)
    absent_members = forms.CharField(
        label=_("外出家庭成员"), max_length=100, required=False, help_text=_("如：儿子、儿媳")
    )
    absent_workplace = forms.CharField(label=_("外出务工地点"), max_length=200, required=False)
    absent_division = forms.CharField(
        label=_("务工地区划代码（选填）"), max_length=12, required=False, help_text=_("6、9或12位")
    )
    risk = forms.ChoiceField(label=_("风险等级"), choices=LeftBehindPerson.Risk.choices)
    notes = forms.CharField(
        label=_("备注（敏感）"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self,
        *args: Any,
        associations: QuerySet[Association],
        person: LeftBehindPerson | None = None,
        **kwargs: Any,
    ) -> None:
        self.person = person
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "association": person.association_id,
                    "kind": person.kind,
                    "birth_date": person.birth_date,
                    "guardian_relation": person.guardian_relation,
                    "absent_members": person.absent_members,
                    "absent_workplace": person.absent_workplace,
                    "absent_division": person.absent_division,
                    "risk": person.risk,
                    "version": person.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["association"] = association_field(associations, _("所属村（社区）"))
        if person is not None:
            for name in PROTECTED_FIELDS:
                self.fields[name].required = False
                self.fields[name].help_text = HIDDEN_HELP
        self.order_fields(list(self.declared_fields))

    def changes(self) -> dict[str, Any]:
        """The values that change (a blank personal box keeps the stored value)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("association", None)
        if self.person is None:
            return data
        out = {}
        for name, value in data.items():
            if name in PROTECTED_FIELDS:
                if value:
                    out[name] = value
            elif value != getattr(self.person, name) and not (
                value in ("", None) and getattr(self.person, name) in ("", None)
            ):
                out[name] = value
        if "id_number" in out:
            out.pop("birth_date", None)
        return out


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("结束原因"), choices=LeftBehindPerson.EndReason.choices)
    on = forms.DateField(label=_("结束日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ContactForm(FamilyContactForm):
    """The families' contact form, with the help text of this registry."""

    def __init__(self, *args: Any, accounts: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, accounts=accounts, **kwargs)
        self.fields["user"].help_text = _("关联账号后，联系人可在平台上查看该人员并记录关爱")


class CareForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("类别"), queryset=CareKind.objects.all())
    occurred_on = forms.DateField(label=_("日期"), widget=DATE)
    notes = forms.CharField(
        label=_("情况记录（敏感）"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    need_description = forms.CharField(
        label=_("提出的诉求（选填）"),
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


class RevealExportForm(forms.Form):
    reason = forms.CharField(label=_("导出完整信息的原因"), min_length=2, max_length=200)


class HandoverForm(ReassignForm):
    """联系人交接: the families' handover form (leaving contact, successor account or name,
    date), with the reason. The preview's button posts it again with confirm=1."""

    reason = forms.CharField(label=_("交接原因"), min_length=2, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["placeholder"] = _("如：工作调动、退休")
