"""The families sheet: its columns, the values the masked export hides, the masked variant."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import clock, excel
from fpa.families.models import Family, Person

HIDDEN_KIND = "计生特殊家庭"  # the kind as the masked export writes it
HIDDEN_VALUE = "****"  # the death date and disability grade as the masked export writes them
NOT_SHOWN = gettext_noop("（敏感，不显示）")  # what the import preview shows for them

OUT_OF_SCOPE = gettext_noop("协会编码不存在或不在您的管辖范围内。")
HOLDER = gettext_noop("家庭须登记在在用的村（社区）、乡镇或流动人口计生协。")
NO_KEY = gettext_noop("母亲或父亲的身份证号码至少填写一项（用于识别家庭）。")
SAME_PERSON = gettext_noop(
    "与第%(first)s行的身份证号码相同：同一人只能登记在一户家庭中，请删除重复的行。"
)
SAME_FAMILY = gettext_noop("与第%(first)s行是同一户家庭，请合并为一行。")
TWICE_IN_ROW = gettext_noop("同一身份证号码不能填写两次。")
MOVED = gettext_noop("该家庭登记在%(name)s，导入不能更改家庭所属协会。")
KIND_NEEDED = gettext_noop(
    "“计生特殊家庭”是打码导出的写法，新登记的家庭请填写具体类别：%(labels)s。"
)
# role -> message: whole sentences for the translators
NAME_NEEDED = {
    "mother": gettext_noop("填写了母亲的信息，请填写母亲姓名。"),
    "father": gettext_noop("填写了父亲的信息，请填写父亲姓名。"),
    "child": gettext_noop("填写了子女的信息，请填写子女姓名。"),
}
KEEP_MEMBER = {
    "mother": gettext_noop("该家庭已登记母亲，导入不能删除家庭成员，请填写母亲姓名。"),
    "father": gettext_noop("该家庭已登记父亲，导入不能删除家庭成员，请填写父亲姓名。"),
    "child": gettext_noop("该家庭已登记子女，导入不能删除家庭成员，请填写子女姓名。"),
}
DEATH_NEEDED = gettext_noop("失独家庭请填写子女死亡日期。")
GRADE_NEEDED = gettext_noop("伤残家庭请填写子女残疾等级。")
NOT_FUTURE = gettext_noop("日期不能晚于今天。")

PARENTS = (("mother", "母亲"), ("father", "父亲"))
FAMILY_FIELDS = ("kind", "address", "registered_on", "one_child_only", "later_child")
PERSON_ATTRS = {
    "mother": ("name", "id_number", "phone"),
    "father": ("name", "id_number", "phone"),
    "child": ("name", "death_date", "disability_grade"),
}


class _Hidden:
    """The kind read back from a masked export: keep what is stored."""

    def __repr__(self) -> str:
        return "HIDDEN"


HIDDEN = _Hidden()


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


class KindChoice(excel.Choice):
    """失独家庭/伤残家庭/手术并发症家庭 (or the code); 计生特殊家庭 from a masked export."""

    def __call__(self, value: str) -> Any:
        if _nfkc(value) == HIDDEN_KIND:
            return HIDDEN
        return super().__call__(value)


GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
_GRADE_TEXT = {
    **{str(n): n for n in GRADES},
    **{label.removesuffix("级"): n for n, label in GRADES.items()},
}


class Grade:
    """A disability grade: 1-4, 一级-四级 or 2级."""

    def __call__(self, value: str) -> int:
        text = "".join(_nfkc(value).split()).removesuffix("级")
        if text not in _GRADE_TEXT:
            raise ValueError(gettext("残疾等级应为一至四级（可填写1、2、3、4或“二级”等）。"))
        return _GRADE_TEXT[text]

    def display(self, value: Any) -> str:
        return GRADES.get(int(value), str(value))


GRADE = Grade()


def past_date() -> Callable[[str], Any]:
    parse = excel.date()

    def inner(value: str) -> Any:
        result = parse(value)
        # The local date (a time zone lookup) is needed only for a date near today.
        if result > clock.today_bounds()[0] and result > timezone.localdate():
            raise ValueError(NOT_FUTURE)
        return result

    return inner


@dataclasses.dataclass(frozen=True)
class SensitiveColumn(excel.Column):
    """A column that tells the family's kind: shown in full only in the revealed export."""

    masked_as: str = HIDDEN_VALUE

    def show(self, value: Any, *, reveal: bool = False) -> str:
        if value is None or value is excel.KEEP or value is HIDDEN:
            return ""
        if not reveal:
            return gettext(NOT_SHOWN)
        return super().show(value, reveal=True)


# --- the people of a family, as loaded for the sheet --------------------------------------------


def person_of(family: Family, role: str) -> Person | None:
    """The family's mother, father or (first) child, from the people loaded with it."""
    people = getattr(family, "sheet_people", None)
    if people is None:
        people = list(family.people.order_by("id"))
    return next((p for p in people if p.role == role), None)


def _attr(role: str, name: str) -> Callable[[Family], Any]:
    def value(family: Family) -> Any:
        person = person_of(family, role)
        return getattr(person, name) if person is not None else None

    return value


def _grade_of(family: Family) -> str | None:
    child = person_of(family, Person.Role.CHILD)
    grade = child.disability_grade if child is not None else None
    return GRADE.display(grade) if grade else None


def _parent_columns(role: str, label: str) -> tuple[excel.Column, ...]:
    return (
        excel.Column(
            f"{label}姓名",
            f"{role}_name",
            parse=excel.text(max_length=50, min_length=1, name=True),
            export=_attr(role, "name"),
            width=10,
        ),
        excel.Column(
            f"{label}身份证号码",
            f"{role}_id_number",
            parse=excel.id_number(),
            export=_attr(role, "id_number"),
            protected="id_number",
            width=22,
            hint="18位居民身份证号码",
            aliases=(f"{label}身份证号", f"{label}公民身份号码"),
        ),
        excel.Column(
            f"{label}联系电话",
            f"{role}_phone",
            parse=excel.phone(),
            export=_attr(role, "phone"),
            protected="phone",
            width=16,
            hint="手机号或座机号（区号-号码）",
            aliases=(f"{label}电话", f"{label}手机号码", f"{label}手机号"),
        ),
    )


FAMILY_SHEET = excel.Sheet(
    title="计生特殊家庭",
    columns=(
        excel.Column(
            "协会编码",
            "association",
            required=True,
            parse=excel.code(),
            export=lambda family: family.association.code,
            width=16,
            hint="家庭所在村（社区）、乡镇或流动人口计生协的编码，可在“协会网络”中查到",
            example="622923100201",
        ),
        SensitiveColumn(
            "家庭类别",
            "kind",
            required=True,
            parse=KindChoice(Family.Kind.choices),
            protected="family_kind",
            masked_as=HIDDEN_KIND,
            width=16,
            hint="打码导出的文件中写作“计生特殊家庭”，表示保持不变",
            example="失独家庭",
        ),
        *_parent_columns(Person.Role.MOTHER, "母亲"),
        *_parent_columns(Person.Role.FATHER, "父亲"),
        excel.Column(
            "子女姓名",
            "child_name",
            parse=excel.text(max_length=50, min_length=1, name=True),
            export=_attr(Person.Role.CHILD, "name"),
            width=10,
        ),
        SensitiveColumn(
            "子女死亡日期",
            "child_death_date",
            parse=past_date(),
            export=_attr(Person.Role.CHILD, "death_date"),
            protected="family_kind",
            kind=excel.DATE,
            width=14,
            hint="失独家庭必填",
            example="2019-03-02",
        ),
        SensitiveColumn(
            "子女残疾等级",
            "child_disability_grade",
            parse=GRADE,
            export=_grade_of,
            protected="family_kind",
            width=12,
            hint="伤残家庭必填；一级至四级",
            example="二级",
            aliases=("残疾等级",),
        ),
        excel.Column(
            "住址",
            "address",
            parse=excel.text(max_length=200),
            width=28,
            empty="",
        ),
        excel.Column(
            "登记日期",
            "registered_on",
            parse=past_date(),
            kind=excel.DATE,
            width=12,
            hint="新登记的家庭不填则为导入当天；修改已有家庭时不填表示不变",
        ),
        excel.Column(
            "仅生育或收养一个子女",
            "one_child_only",
            parse=excel.boolean(),
            width=12,
            hint="填写“是”或“否”；新登记的家庭不填为“是”",
        ),
        excel.Column(
            "此后再生育或收养子女",
            "later_child",
            parse=excel.boolean(),
            width=12,
            hint="填写“是”或“否”；新登记的家庭不填为“否”",
        ),
    ),
    key=(),
    related=("association",),
    notes=(
        "每行一户家庭。以母亲身份证号码识别家庭（没有母亲身份证号码时以父亲的为准）："
        "该号码是您管辖范围内某户家庭的母亲（父亲）时修改该家庭，否则登记为新家庭。",
        "同一身份证号码在文件中只能出现一次；已在其他家庭登记的身份证号码不能重复登记。",
        "失独家庭须填写子女死亡日期，伤残家庭须填写子女残疾等级。每户只填写一名子女，"
        "其他家庭成员、状态变更（迁出、注销等）请在家庭页面办理。",
        "导入不能删除家庭成员，也不能更改家庭所属协会。",
        "打码导出的文件中，家庭类别写作“计生特殊家庭”，子女死亡日期和残疾等级写作“****”，"
        "表示保持不变。出生日期和性别由身份证号码自动得出，无需填写。",
    ),
)


def _masked(column: excel.Column) -> excel.Column:
    if isinstance(column, SensitiveColumn):
        text = column.masked_as
        return dataclasses.replace(column, export=lambda _family: text, protected="")
    return column


# The masked export: the same layout, with the kind, the death date and the grade written as
# 计生特殊家庭 and **** for every family (present or not): nothing tells one kind from another.
MASKED_SHEET = dataclasses.replace(
    FAMILY_SHEET, columns=tuple(_masked(c) for c in FAMILY_SHEET.columns)
)
