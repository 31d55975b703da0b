"""Special families (计生特殊家庭) import and export on the shared Excel engine.

One row is one family: its association (协会编码), kind, the mother's and the father's name, ID
number and phone, the child's name, death date and disability grade, the address, the registration
date and the two one-child facts. A family is known by its mother's ID number, or by the father's
when the row has no mother's number: a row whose number belongs to a parent of a family inside the
user's scope changes that family (`family_update`, `person_update`, or `person_add` for a parent or
child not yet registered); any other row registers a new family (`family_register`). The services
check the scope again and write the audit trail.

The kind of a family (失独/伤残/并发症) is sensitive, and so are the child's death date and
disability grade, which give it away. The masked export writes 计生特殊家庭 and **** in their place
(both read back as "keep what is stored"); only the full export, which needs `personal.reveal` and
a reason and is audited, holds them. The import preview never shows them either.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import clock, excel
from fpa.core.errors import ServiceError, ServiceErrors
from fpa.core.excel.importer import MASKED_KEY
from fpa.core.protected import Protected, blind_index
from fpa.core.scope import path_is_under, scope_path_of
from fpa.families import services
from fpa.families.models import Family, Person
from fpa.organizations.models import Association

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


# --- import ---------------------------------------------------------------------------------------


def _key_field(row: excel.Row) -> str | None:
    for role, _ in PARENTS:
        if row.values.get(f"{role}_id_number") is not None:
            return f"{role}_id_number"
    return None


def _given(value: Any) -> bool:
    return value is not None and value is not excel.KEEP and value != ""


class _Registered(NamedTuple):
    """Who holds an ID number already: enough to tell the family a row updates from a number
    registered elsewhere."""

    role: str
    family_id: int
    association_path: str


class FamilyImporter(excel.Importer):
    sheet = FAMILY_SHEET
    capability = "family.edit"
    batch_size = 2000  # fewer round trips; a batch of 2,000 rows holds a few MiB

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # First row of each ID number and of each family (a number seen again on the same row is
        # that row, not a duplicate).
        self._id_rows: dict[str, int] = {}
        self._family_rows: dict[int, int] = {}
        self._registered: dict[str, _Registered] = {}
        self._hashes: dict[str, str] = {}
        self._by_code: dict[str, Association | None] = {}

    def _hash(self, number: str) -> str:
        """The blind index of a parsed ID number, computed once per batch: prepare, key, existing
        and validate all need it, and each computation parses the number again."""
        found = self._hashes.get(number)
        if found is None:
            found = self._hashes[number] = blind_index("id_number", number)
        return found

    def _associations(self, codes: set[str]) -> dict[str, Association | None]:
        """The associations of these codes inside the actor's scope (None: not found). Each code
        is looked up once per import: a file's rows share a few hundred associations, and an
        import never changes them."""
        missing = codes - self._by_code.keys()
        if missing:
            visible = Association.objects.visible_to(self.actor).filter(code__in=missing)
            found = {association.code: association for association in visible}
            self._by_code.update({code: found.get(code) for code in missing})
        return self._by_code

    def prepare(self, rows: list[excel.Row]) -> None:
        self._hashes.clear()  # a batch's hashes serve its own plan: memory stays flat
        found = self._associations({row.values["association"] for row in rows})
        for row in rows:
            association = found.get(row.values["association"])
            if association is None:
                row.fail("association", OUT_OF_SCOPE)
            elif association.kind not in services.FAMILY_HOLDERS or not association.is_current:
                row.fail("association", HOLDER)
            else:
                row.values["association"] = association
            key = _key_field(row)
            if key is None:
                row.fail("mother_id_number", NO_KEY)
            elif row.values[key] is excel.KEEP:
                row.fail(key, MASKED_KEY)
            for role, _ in PARENTS:
                number = row.values.get(f"{role}_id_number")
                if not _given(number):
                    continue
                first = self._id_rows.setdefault(self._hash(number), row.number)
                if first != row.number:
                    row.fail(f"{role}_id_number", gettext(SAME_PERSON) % {"first": first})

    def key(self, row: excel.Row) -> Hashable:
        return self._hash(row.values[_key_field(row)])

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        numbers = {
            self._hash(row.values[f"{role}_id_number"])
            for row in rows
            for role, _ in PARENTS
            if _given(row.values.get(f"{role}_id_number"))
        }
        # Anyone registered with these numbers, anywhere: a number is registered only once. Read
        # as plain values: the people themselves (and their encrypted numbers) are not needed.
        registered = Person.objects.filter(id_number_hash__in=numbers).values_list(
            "id_number_hash", "role", "family_id", "family__association__path"
        )
        self._registered.update(
            {digest: _Registered(role, family, path) for digest, role, family, path in registered}
        )
        path = scope_path_of(self.actor) or ""
        wanted: dict[Hashable, int] = {}
        for row in rows:
            holder = self._registered.get(row.key)  # type: ignore[arg-type]
            role = _key_field(row).removesuffix("_id_number")
            if (
                holder is not None
                and holder.role == role
                and path
                and path_is_under(holder.association_path, path)
            ):
                wanted[row.key] = holder.family_id
        families = Family.objects.select_related("association").in_bulk(set(wanted.values()))
        people: dict[int, list[Person]] = defaultdict(list)
        for person in Person.objects.filter(family_id__in=set(families)).order_by("id"):
            people[person.family_id].append(person)
        for family in families.values():
            family.sheet_people = people[family.pk]
        return {key: families[family_id] for key, family_id in wanted.items()}

    def current(self, obj: Family, field_name: str) -> Any:
        if field_name == "association":
            return obj.association
        if field_name in FAMILY_FIELDS:
            return getattr(obj, field_name)
        role, name = field_name.split("_", 1)
        person = person_of(obj, role)
        return getattr(person, name) if person is not None else None

    def validate(self, row: excel.Row) -> None:
        values, target = row.values, row.target
        if target is not None:
            first = self._family_rows.setdefault(target.pk, row.number)
            if first != row.number:
                row.fail(None, gettext(SAME_FAMILY) % {"first": first})
                return
            if target.association_id != values["association"].pk:
                row.fail("association", gettext(MOVED) % {"name": target.association.name})
            for name in ("registered_on", "one_child_only", "later_child"):
                if name in values and values[name] is None:
                    values[name] = excel.KEEP  # empty: unchanged
        if values.get("kind") is HIDDEN:
            if target is None:
                labels = "、".join(self.sheet.column("kind").parse.labels)
                row.fail("kind", gettext(KIND_NEEDED) % {"labels": labels})
                return
            values["kind"] = excel.KEEP

        def value(field_name: str) -> Any:
            new = values.get(field_name, excel.KEEP)
            if new is excel.KEEP:
                return self.current(target, field_name) if target is not None else None
            return new

        for role, _label in PARENTS:
            if value(f"{role}_name"):
                continue
            if target is not None and person_of(target, role) is not None:
                row.fail(f"{role}_name", KEEP_MEMBER[role])
            elif value(f"{role}_id_number") or value(f"{role}_phone"):
                row.fail(f"{role}_name", NAME_NEEDED[role])
        mother, father = values.get("mother_id_number"), values.get("father_id_number")
        if _given(mother) and _given(father) and mother == father:
            row.fail("father_id_number", TWICE_IN_ROW)
        for role, _ in PARENTS:
            number = values.get(f"{role}_id_number")
            if not _given(number):
                continue
            other = self._registered.get(self._hash(number))
            if other is None:
                continue
            if target is not None and other.family_id == target.pk and other.role == role:
                continue
            row.fail(f"{role}_id_number", duplicate_message(self.actor, number))
        if not value("child_name"):
            if target is not None and person_of(target, Person.Role.CHILD) is not None:
                row.fail("child_name", KEEP_MEMBER["child"])
            elif value("child_death_date") or value("child_disability_grade"):
                row.fail("child_name", NAME_NEEDED["child"])
        kind = value("kind")
        if kind == Family.Kind.BEREAVED and not value("child_death_date"):
            row.fail("child_death_date", DEATH_NEEDED)
        if kind == Family.Kind.DISABLED_CHILD and not value("child_disability_grade"):
            row.fail("child_disability_grade", GRADE_NEEDED)

    def create(self, values: dict[str, Any]) -> Family:
        try:
            return services.family_register(actor=self.actor, **_registration(values))
        except ServiceError as exc:
            raise _on_column(exc, values) from exc

    def create_many(self, rows: list[excel.Row]) -> None:
        """One call to the bulk registration service for the batch's new families."""
        values = [excel.values_of(row) for row in rows]
        try:
            services.families_register(
                actor=self.actor, families=[_registration(v) for v in values]
            )
        except ServiceErrors as exc:
            for position, error in exc.errors:
                error = _on_column(error, values[position])
                rows[position].fail(error.field, error.message)
        except ServiceError as exc:
            rows[0].fail(None, exc.message)

    def update(self, obj: Family, changes: dict[str, Any]) -> Family:
        changes.pop("association", None)  # never changed by an import (refused in validate)
        family_changes = {k: changes.pop(k) for k in FAMILY_FIELDS if k in changes}
        if family_changes:
            try:
                services.family_update(actor=self.actor, family=obj, **family_changes)
            except ServiceError as exc:
                raise _on_column(exc, family_changes) from exc
        for role in (Person.Role.MOTHER, Person.Role.FATHER, Person.Role.CHILD):
            data = {
                name: changes[f"{role}_{name}"]
                for name in PERSON_ATTRS[role]
                if f"{role}_{name}" in changes
            }
            if not data:
                continue
            person = person_of(obj, role)
            try:
                if person is None:
                    services.person_add(actor=self.actor, family=obj, role=role, **data)
                else:
                    services.person_update(actor=self.actor, person=person, **data)
            except ServiceError as exc:
                raise _on_column(exc, {}, role=role) from exc
        return obj

    def label(self, row: excel.Row) -> str:
        name = row.values.get("mother_name") or row.values.get("father_name") or ""
        association = row.values.get("association")
        where = getattr(association, "name", "")
        return f"{name}（{where}）" if where else name


def _registration(values: dict[str, Any]) -> dict[str, Any]:
    """A row's values as the arguments of `family_register`."""
    people = []
    for role in (Person.Role.MOTHER, Person.Role.FATHER, Person.Role.CHILD):
        data = {
            name: values.get(f"{role}_{name}")
            for name in PERSON_ATTRS[role]
            if values.get(f"{role}_{name}") is not None
        }
        if data.get("name"):
            people.append({"role": role, **data})
    extra = {
        name: values[name]
        for name in ("registered_on", "one_child_only", "later_child")
        if values.get(name) is not None
    }
    return {
        "association": values["association"],
        "kind": values["kind"],
        "people": people,
        "address": values.get("address") or "",
        **extra,
    }


def duplicate_message(actor: Any, number: str) -> str:
    """The registration service's own message for an ID number registered elsewhere."""
    probe = Person(id_number=Protected(number, "id_number"))
    try:
        services._check_duplicate(probe, actor)
    except ServiceError as exc:
        return exc.message
    return gettext("身份证号码重复，不能重复登记。")


def _on_column(exc: ServiceError, values: dict[str, Any], role: str = "") -> ServiceError:
    """A service's error with its field named as the sheet's column, when one matches."""
    field = exc.field or ""
    if role and f"{role}_{field}" in {c.field for c in FAMILY_SHEET.columns}:
        field = f"{role}_{field}"
    elif field == "id_number":
        field = next(
            (
                f"{r}_id_number"
                for r, _ in PARENTS
                if _given(values.get(f"{r}_id_number"))
                and services.duplicate_of(values[f"{r}_id_number"]) is not None
            ),
            "",
        )
    elif field in ("death_date", "disability_grade"):
        field = f"child_{field}"
    return ServiceError(exc.message, field=field or None, code=exc.code)


# --- export ---------------------------------------------------------------------------------------


def families_for_export(*, user: Any, include_all: bool = False) -> QuerySet:
    """The families of the user's subtree (in register only, unless `include_all`), with their
    people, in tree order. The query count does not depend on the number of families."""
    path = scope_path_of(user)
    queryset = Family.objects.visible_to(user)
    queryset = queryset.filter(association__path__under=path) if path else queryset.none()
    if not include_all:
        queryset = queryset.filter(status=Family.Status.ACTIVE)
    return (
        queryset.select_related("association")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.order_by("id"), to_attr="sheet_people")
        )
        .order_by("association__path", "id")
    )


def families_export(
    *, user: Any, include_all: bool = False, reveal: bool = False, reason: str = ""
) -> FileResponse:
    """Masked (the kind hidden) unless `reveal`, which needs personal.reveal and a reason."""
    return excel.export_response(
        FAMILY_SHEET if reveal else MASKED_SHEET,
        families_for_export(user=user, include_all=include_all),
        actor=user,
        reveal=reveal,
        reason=reason,
    )


def families_template() -> FileResponse:
    return excel.template_response(FAMILY_SHEET)
