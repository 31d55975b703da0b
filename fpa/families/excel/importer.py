"""The families import: each row registers a family or changes the one its parent's ID number
names, through the services."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from django.utils.translation import gettext

from fpa.accounts.requests import as_user
from fpa.core import excel
from fpa.core.errors import ServiceError, ServiceErrors
from fpa.core.excel.importer import MASKED_KEY
from fpa.core.protected import Protected, blind_index
from fpa.core.scope import path_is_under, scope_path_of
from fpa.families import services
from fpa.families.excel.columns import (
    DEATH_NEEDED,
    FAMILY_FIELDS,
    FAMILY_SHEET,
    GRADE_NEEDED,
    HIDDEN,
    HOLDER,
    KEEP_MEMBER,
    KIND_NEEDED,
    MOVED,
    NAME_NEEDED,
    NO_KEY,
    OUT_OF_SCOPE,
    PARENTS,
    PERSON_ATTRS,
    SAME_FAMILY,
    SAME_PERSON,
    TWICE_IN_ROW,
    person_of,
)
from fpa.families.models import Family, Person
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- import ---------------------------------------------------------------------------------------


def _key_field(row: excel.Row) -> str | None:
    for role, _ in PARENTS:
        if row.values.get(f"{role}_id_number") is not None:
            return f"{role}_id_number"
    return None


def _given(value: Any) -> TypeGuard[str]:
    """A parsed ID number in the cell (not empty, not the "keep" marker)."""
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
        field = _key_field(row)
        assert field is not None  # prepare() refuses a row without a parent's ID number
        return self._hash(row.values[field])

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
            field = _key_field(row)
            assert field is not None  # prepare() refuses a row without a parent's ID number
            holder = self._registered.get(self._hash(row.values[field]))  # the row's key
            role = field.removesuffix("_id_number")
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
            setattr(family, "sheet_people", people[family.pk])  # noqa: B010 (as the export prefetches)
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
                parse = self.sheet.column("kind").parse
                assert isinstance(parse, excel.Choice)  # the sheet's kind column: a KindChoice
                labels = "、".join(parse.labels)
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
            row.fail(f"{role}_id_number", duplicate_message(as_user(self.actor), number))
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
            return services.family_register(actor=as_user(self.actor), **_registration(values))
        except ServiceError as exc:
            raise _on_column(exc, values) from exc

    def create_many(self, rows: list[excel.Row]) -> None:
        """One call to the bulk registration service for the batch's new families."""
        values = [excel.values_of(row) for row in rows]
        try:
            services.families_register(
                actor=as_user(self.actor), families=[_registration(v) for v in values]
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
                services.family_update(actor=as_user(self.actor), family=obj, **family_changes)
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
                    services.person_add(actor=as_user(self.actor), family=obj, role=role, **data)
                else:
                    services.person_update(actor=as_user(self.actor), person=person, **data)
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


def duplicate_message(actor: User, number: str) -> str:
    """The registration service's own message for an ID number registered elsewhere."""
    probe = Person()
    probe.id_number = Protected(number, "id_number")
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
