"""The list filter, registering a family with its people, a family's fields, a person, status."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core.typing_aids import Text
from fpa.families.forms.fields import (
    DATE,
    GRADES,
    HIDDEN_HELP,
    ProtectedInput,
    _choices,
    _grade,
    _not_future,
    association_field,
)
from fpa.families.models import (
    Family,
    Person,
)
from fpa.organizations.models import Association

# --- list filter ----------------------------------------------------------------------------------

STATUS_FILTER = [*Family.Status.choices, ("all", _("全部状态"))]


class FamilyFilterForm(forms.Form):
    q = forms.CharField(label=_("户主姓名/拼音/首字母"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_FILTER)

    def status_value(self) -> str:
        if not self.is_bound or not self.is_valid():
            return Family.Status.ACTIVE
        status = self.cleaned_data.get("status") or Family.Status.ACTIVE
        return "" if status == "all" else status


# --- registration and people ----------------------------------------------------------------------

PARENT_ROLES = (("mother", _("母亲")), ("father", _("父亲")))
CHILD_ONLY = (
    "death_date",
    "death_cause",
    "disability_type",
    "disability_grade",
    "disability_certificate",
    "confirmed_by",
)


PARENT_LABELS = {
    "mother": {
        "name": _("母亲姓名"),
        "id_number": _("母亲身份证号码"),
        "phone": _("母亲联系电话"),
        "marital_status": _("母亲婚姻状况"),
        "hukou": _("母亲户口性质"),
    },
    "father": {
        "name": _("父亲姓名"),
        "id_number": _("父亲身份证号码"),
        "phone": _("父亲联系电话"),
        "marital_status": _("父亲婚姻状况"),
        "hukou": _("父亲户口性质"),
    },
}


def _parent_fields(prefix: str, label: Text, required: bool) -> dict[str, forms.Field]:
    labels = PARENT_LABELS[prefix]
    return {
        f"{prefix}_name": forms.CharField(label=labels["name"], max_length=50, required=required),
        f"{prefix}_id_number": ProtectedInput(
            label=labels["id_number"], kind="id_number", required=required
        ),
        f"{prefix}_phone": ProtectedInput(label=labels["phone"], kind="phone", required=False),
        f"{prefix}_marital_status": forms.ChoiceField(
            label=labels["marital_status"],
            choices=_choices(Person.Marital.choices),
            required=False,
        ),
        f"{prefix}_hukou": forms.ChoiceField(
            label=labels["hukou"], choices=_choices(Person.Hukou.choices), required=False
        ),
    }


def _child_fields(prefix: str = "child_") -> dict[str, forms.Field]:
    return {
        f"{prefix}death_date": forms.DateField(
            label=_("子女死亡日期"), widget=DATE, required=False
        ),
        f"{prefix}death_cause": forms.CharField(
            label=_("死亡原因（敏感）"), max_length=200, required=False
        ),
        f"{prefix}disability_type": forms.CharField(
            label=_("残疾类别（敏感）"), max_length=50, required=False
        ),
        f"{prefix}disability_grade": forms.ChoiceField(
            label=_("残疾等级"), choices=GRADES, required=False
        ),
        f"{prefix}disability_certificate": forms.CharField(
            label=_("残疾证号"), max_length=40, required=False
        ),
        f"{prefix}confirmed_by": forms.CharField(
            label=_("认定单位"), max_length=100, required=False
        ),
    }


class RegisterForm(forms.Form):
    """One page: the family, the mother, the father (optional) and the child."""

    association = forms.ModelChoiceField(
        label=_("所属村（社区）"), queryset=Association.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("家庭类别"), choices=_choices(Family.Kind.choices, _("请选择"))
    )
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    registered_on = forms.DateField(label=_("登记日期"), widget=DATE)
    one_child_only = forms.BooleanField(label=_("仅生育或收养一个子女"), required=False)
    later_child = forms.BooleanField(label=_("此后再生育或收养子女"), required=False)
    notes = forms.CharField(
        label=_("备注（敏感）"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args: Any, associations: QuerySet[Association], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"registered_on": timezone.localdate(), "one_child_only": True}
        )
        super().__init__(*args, **kwargs)
        self.fields["association"] = association_field(
            associations, _("所属村（社区）"), empty_label=_("请选择")
        )
        for prefix, label in PARENT_ROLES:
            self.fields.update(_parent_fields(prefix, label, required=prefix == "mother"))
        self.fields["mother_id_number"].help_text = _(
            "出生日期由身份证号码得出，用于判断扶助金资格"
        )
        self.fields["child_name"] = forms.CharField(label=_("子女姓名"), max_length=50)
        self.fields["child_id_number"] = ProtectedInput(
            label=_("子女身份证号码"), kind="id_number", required=False
        )
        self.fields.update(_child_fields())
        self.fields["child_death_date"].help_text = _("失独家庭必填")
        self.fields["child_disability_grade"].help_text = _(
            "伤残家庭必填；一至三级可享受特别扶助金"
        )

    def sections(self) -> list[tuple[Text, list[Any]]]:
        names = list(self.fields)
        groups = [
            (_("家庭"), [n for n in names if not n.startswith(("mother_", "father_", "child_"))]),
            (_("母亲"), [n for n in names if n.startswith("mother_")]),
            (_("父亲（选填）"), [n for n in names if n.startswith("father_")]),
            (_("子女"), [n for n in names if n.startswith("child_")]),
        ]
        return [(title, [self[n] for n in group]) for title, group in groups]

    def clean_registered_on(self) -> datetime.date | None:
        return _not_future(self.cleaned_data.get("registered_on"), _("登记日期"))

    def clean_child_death_date(self) -> datetime.date | None:
        return _not_future(self.cleaned_data.get("child_death_date"), _("子女死亡日期"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        father = [data.get(f"father_{k}") for k in ("id_number", "phone", "marital_status")]
        if any(father) and not data.get("father_name"):
            self.add_error("father_name", _("填写了父亲的信息，请填写父亲姓名。"))
        kind = data.get("kind")
        if (
            kind == Family.Kind.BEREAVED
            and "child_death_date" not in self.errors
            and not data.get("child_death_date")
        ):
            self.add_error("child_death_date", _("失独家庭请填写子女死亡日期。"))
        if kind == Family.Kind.DISABLED_CHILD and not data.get("child_disability_grade"):
            self.add_error("child_disability_grade", _("伤残家庭请选择子女残疾等级。"))
        seen: dict[str, str] = {}
        for prefix in ("mother", "father", "child"):
            number = data.get(f"{prefix}_id_number")
            if number and number in seen:
                self.add_error(f"{prefix}_id_number", _("同一身份证号码不能填写两次。"))
            elif number:
                seen[number] = prefix
        return data

    def people(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        people = []
        for prefix in ("mother", "father"):
            if not data.get(f"{prefix}_name"):
                continue
            people.append(
                {
                    "role": prefix,
                    "name": data[f"{prefix}_name"],
                    "id_number": data.get(f"{prefix}_id_number") or "",
                    "phone": data.get(f"{prefix}_phone") or "",
                    "marital_status": data.get(f"{prefix}_marital_status") or "",
                    "hukou": data.get(f"{prefix}_hukou") or "",
                }
            )
        child = {"role": "child", "name": data["child_name"]}
        child["id_number"] = data.get("child_id_number") or ""
        for key in CHILD_ONLY:
            child[key] = data.get(f"child_{key}") or ""
        child["disability_grade"] = _grade(child["disability_grade"])
        people.append(child)
        return people

    def family_data(self) -> dict[str, Any]:
        keys = ("kind", "address", "one_child_only", "later_child", "notes", "registered_on")
        return {k: self.cleaned_data[k] for k in keys}


class FamilyForm(forms.Form):
    kind = forms.ChoiceField(label=_("家庭类别"), choices=Family.Kind.choices)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    registered_on = forms.DateField(label=_("登记日期"), widget=DATE)
    one_child_only = forms.BooleanField(label=_("仅生育或收养一个子女"), required=False)
    later_child = forms.BooleanField(label=_("此后再生育或收养子女"), required=False)
    notes = forms.CharField(
        label=_("备注（敏感）"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )
    clear_notes = forms.BooleanField(label=_("清空备注"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        initial = {
            "kind": family.kind,
            "address": family.address,
            "registered_on": family.registered_on,
            "one_child_only": family.one_child_only,
            "later_child": family.later_child,
            "version": family.version,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if family.notes:
            self.fields["notes"].help_text = HIDDEN_HELP
        else:
            del self.fields["clear_notes"]

    def clean_registered_on(self) -> datetime.date | None:
        return _not_future(self.cleaned_data.get("registered_on"), _("登记日期"))

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version")
        if data.pop("clear_notes", False):
            data["notes"] = ""
        elif not data["notes"]:
            data.pop("notes")  # hidden, kept
        return data


class PersonForm(forms.Form):
    """Add a person (with `role`) or change one (`person` given: hidden values stay unless
    typed)."""

    role = forms.ChoiceField(label=_("身份"), choices=Person.Role.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = ProtectedInput(label=_("身份证号码"), kind="id_number", required=False)
    phone = ProtectedInput(label=_("联系电话"), kind="phone", required=False)
    marital_status = forms.ChoiceField(
        label=_("婚姻状况"), choices=_choices(Person.Marital.choices), required=False
    )
    hukou = forms.ChoiceField(
        label=_("户口性质"), choices=_choices(Person.Hukou.choices), required=False
    )
    deceased_on = forms.DateField(label=_("本人亡故日期"), widget=DATE, required=False)
    health_notes = forms.CharField(
        label=_("健康状况（敏感）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    HIDDEN_TEXT = ("health_notes", "death_cause", "disability_type")

    def __init__(
        self, *args: Any, family: Family, person: Person | None = None, **kwargs: Any
    ) -> None:
        initial: dict[str, Any] = {"version": family.version}
        if person is not None:
            initial.update(
                {
                    k: getattr(person, k)
                    for k in (
                        "name",
                        "marital_status",
                        "hukou",
                        "deceased_on",
                        "death_date",
                        "disability_certificate",
                        "confirmed_by",
                    )
                }
            )
            grade = person.disability_grade
            initial["disability_grade"] = str(grade) if grade else ""
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.person = person
        if person is None or person.role == Person.Role.CHILD:
            self.fields.update(_child_fields(prefix=""))
        if person is None:
            for key in CHILD_ONLY:
                self.fields[key].help_text = _("仅子女填写")
            return
        del self.fields["role"]
        for key in ("id_number", "phone"):
            value = getattr(person, key)
            self.fields[key].help_text = gettext("当前：%(value)s；留空则不修改") % {
                "value": value or gettext("未填写")
            }
        for key in self.HIDDEN_TEXT:
            if key in self.fields and getattr(person, key):
                self.fields[key].help_text = HIDDEN_HELP

    def clean_deceased_on(self) -> datetime.date | None:
        return _not_future(self.cleaned_data.get("deceased_on"), _("亡故日期"))

    def clean_death_date(self) -> datetime.date | None:
        return _not_future(self.cleaned_data.get("death_date"), _("子女死亡日期"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.person is None and data.get("role") != Person.Role.CHILD:
            for key in CHILD_ONLY:
                if data.get(key):
                    self.add_error(key, _("仅子女填写此项。"))
        return data

    def changes(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if "disability_grade" in data:
            data["disability_grade"] = _grade(data["disability_grade"])
        if self.person is not None:
            for key in ("id_number", "phone", *self.HIDDEN_TEXT):
                if key in data and not data[key]:
                    data.pop(key)  # kept
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=Family.Status.choices)
    effective_date = forms.DateField(label=_("变更日期"), widget=DATE)
    reason = forms.CharField(label=_("原因"), max_length=300)

    def clean_effective_date(self) -> datetime.date | None:
        return _not_future(self.cleaned_data.get("effective_date"), _("变更日期"))
