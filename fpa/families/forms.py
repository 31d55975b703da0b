"""Forms of the special-family pages: they parse and validate what people type; the rules that
need the database (duplicates, scope, versions) are the services'."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core import protected
from fpa.families import photos as photo_rules
from fpa.families.models import (
    FIVE_CARES,
    FOUR_SERVICES,
    CareKind,
    ContactRole,
    Family,
    Need,
    Person,
    Support,
)
from fpa.organizations.models import Association

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCOPE_ERROR = _("所选协会不存在或不在您的管辖范围内。")
ACCOUNT_ERROR = _("所选账号不存在或不在您的管辖范围内。")
HIDDEN_HELP = _("当前内容已隐藏；留空则不修改。")
EARLIEST = datetime.date(1900, 1, 1)


def _not_future(value: datetime.date | None, label: str) -> datetime.date | None:
    if value and value > timezone.localdate():
        raise ValidationError(gettext("%(label)s不能晚于今天。") % {"label": label})
    if value and value < EARLIEST:
        raise ValidationError(gettext("%(label)s不在合理范围内。") % {"label": label})
    return value


def _near(value: datetime.date | None, label: str) -> datetime.date | None:
    """A working date: not before 2000, not more than ten years ahead."""
    if value and not (
        datetime.date(2000, 1, 1) <= value <= timezone.localdate() + datetime.timedelta(days=3660)
    ):
        raise ValidationError(gettext("%(label)s不在合理范围内。") % {"label": label})
    return value


# --- fields ---------------------------------------------------------------------------------------


class ProtectedInput(forms.CharField):
    """An ID card or phone number as typed (full-width digits, spaces, a lowercase x): cleaned to
    the canonical form, or refused with the Chinese message of `fpa.core.protected.canonical`."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return protected.canonical(self.kind, value) if value else ""


class AssociationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Association) -> str:
        if obj.kind in (Association.Kind.VILLAGE, Association.Kind.MIGRANT) and obj.parent_id:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        home = obj.home_association.name if obj.home_association else "—"
        name = obj.full_name or obj.username
        if not obj.is_active:
            return gettext("%(name)s（%(home)s，已停用）") % {"name": name, "home": home}
        return gettext("%(name)s（%(home)s）") % {"name": name, "home": home}


def association_field(queryset: Any, label: str, **kwargs: Any) -> AssociationChoiceField:
    field = AssociationChoiceField(
        label=label, queryset=queryset.select_related("parent"), **kwargs
    )
    field.error_messages["invalid_choice"] = SCOPE_ERROR
    return field


def account_field(queryset: Any, label: str, **kwargs: Any) -> AccountChoiceField:
    field = AccountChoiceField(label=label, queryset=queryset, **kwargs)
    field.error_messages["invalid_choice"] = ACCOUNT_ERROR
    return field


def _choices(choices: Any, blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank), *choices]


GRADES = [("", "—"), ("1", _("一级")), ("2", _("二级")), ("3", _("三级")), ("4", _("四级"))]


def _grade(value: str) -> int | None:
    return int(value) if value else None


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


def _parent_fields(prefix: str, label: str, required: bool) -> dict[str, forms.Field]:
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

    association = forms.ModelChoiceField(label=_("所属村（社区）"), queryset=None)
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

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
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

    def sections(self) -> list[tuple[str, list[Any]]]:
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
        data = super().clean()
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
        super().__init__(*args, initial=initial, **kwargs)
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
        initial = {"version": family.version}
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
        super().__init__(*args, initial=initial, **kwargs)
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
        data = super().clean()
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


# --- contacts -------------------------------------------------------------------------------------


class ContactForm(forms.Form):
    role = forms.ModelChoiceField(label=_("联系人类别"), queryset=ContactRole.objects.all())
    user = forms.ModelChoiceField(label=_("平台账号"), queryset=None, required=False)
    name = forms.CharField(
        label=_("姓名"), max_length=50, required=False, help_text=_("选择了平台账号时可不填")
    )
    phone = ProtectedInput(label=_("联系电话"), kind="phone", required=False)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["user"] = account_field(
            accounts, _("平台账号（选填）"), required=False, empty_label=_("不关联账号")
        )
        self.fields["user"].help_text = _("关联账号后，联系人可在平台上查看该家庭并记录帮扶")
        self.order_fields(["role", "user", "name", "phone", "start_date"])

    def clean_start_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("start_date"), _("开始日期"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("user") and not data.get("name"):
            self.add_error("name", _("请选择平台账号或填写联系人姓名。"))
        return data


class ContactEndForm(forms.Form):
    end_date = forms.DateField(label=_("结束日期"), widget=DATE)


class ReassignForm(forms.Form):
    from_user = forms.ModelChoiceField(label=_("离任的联系人"), queryset=None)
    to_user = forms.ModelChoiceField(label=_("接替人账号"), queryset=None, required=False)
    to_name = forms.CharField(
        label=_("接替人姓名"),
        max_length=50,
        required=False,
        help_text=_("接替人没有平台账号时填写"),
    )
    on = forms.DateField(label=_("交接日期"), widget=DATE)

    def __init__(self, *args: Any, leaving: Any, successors: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["from_user"] = account_field(leaving, _("离任的联系人（账号）"))
        self.fields["to_user"] = account_field(
            successors, _("接替人账号"), required=False, empty_label=_("（无平台账号）")
        )
        self.order_fields(["from_user", "to_user", "to_name", "on"])

    def clean_on(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("on"), _("交接日期"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("to_user") or data.get("to_name") or "to_user" in self.errors
        if "from_user" in data and not chosen:
            self.add_error("to_user", _("请选择接替人账号或填写接替人姓名。"))
        return data


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
    need_owner = forms.ModelChoiceField(label=_("诉求责任人"), queryset=None, required=False)
    need_due_date = forms.DateField(label=_("诉求办结期限"), widget=DATE, required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["need_owner"] = account_field(
            owners, _("诉求责任人"), required=False, empty_label="—"
        )
        self.order_fields(list(self.declared_fields))

    def clean_need_due_date(self) -> datetime.date | None:
        return _near(self.cleaned_data.get("need_due_date"), _("办结期限"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
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
    association = forms.ModelChoiceField(label=_("范围（协会）"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如：2025年春节走访慰问"))
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("结束日期"), widget=DATE)

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
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


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看原因"), max_length=200)


class CarePhotoForm(forms.Form):
    """Photos added to an existing care record."""

    photos = PhotosField(required=True, label=_("照片"))

    def __init__(self, *args: Any, already: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].already = already
        left = max(0, photo_rules.MAX_PER_RECORD - already)
        self.fields["photos"].help_text = gettext("还可上传%(count)s张，") % {"count": left} + str(
            PHOTO_HELP
        )
