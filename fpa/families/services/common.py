"""Rules the registry's writes share: identity and ID-number duplicates, a person's checked values,
the head of the family, the audit row of a new person."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import bulk, idnumbers
from fpa.core.audit import (
    audit_record,
    snapshot,
)
from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from fpa.core.names import pinyin_forms
from fpa.core.protected import blind_index
from fpa.core.scope import in_scope
from fpa.families.models import (
    Family,
    Person,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

FAMILY_FIELDS = ("kind", "address", "one_child_only", "later_child", "notes", "registered_on")
PERSON_FIELDS = (
    "name",
    "id_number",
    "phone",
    "marital_status",
    "hukou",
    "health_notes",
    "deceased_on",
    "death_date",
    "death_cause",
    "disability_type",
    "disability_grade",
    "disability_certificate",
    "confirmed_by",
)
FAMILY_HOLDERS = (Association.Kind.VILLAGE, Association.Kind.MIGRANT, Association.Kind.TOWNSHIP)


def _family_path(family: Family) -> str:
    return family.association.path


def duplicate_of(id_number: str, *, exclude_person: int | None = None) -> Person | None:
    """A person anywhere in the deployment with this ID number (by its keyed hash)."""
    digest = blind_index("id_number", id_number)
    found = Person.objects.filter(id_number_hash=digest).select_related("family__association")
    if exclude_person:
        found = found.exclude(pk=exclude_person)
    return found.first()


def _check_duplicate(person: Person, actor: User) -> None:
    if not person.id_number:
        return
    other = duplicate_of(person.id_number.reveal_unchecked(), exclude_person=person.pk)
    if other is not None:
        raise _duplicate_error(other, actor)


def _duplicate_error(other: Person, actor: User, about: str | None = None) -> ServiceError:
    where = other.family.association
    # Name the other family only when the actor may see it; otherwise say only that it exists.
    if in_scope(actor, where):
        detail = gettext("已登记在%(area)s的家庭（%(name)s）中") % {
            "area": where.name,
            "name": other.family.head_name,
        }
    else:
        detail = gettext("已在其他地区登记，请联系县计生协核实")
    return ServiceError(
        gettext("身份证号码重复：%(detail)s，不能重复登记。") % {"detail": detail},
        field="id_number",
        code="duplicate",
        about=about,
    )


IDENTITY_FIELDS = (
    "name",
    "id_number",
    "birth_date",
    "sex",
    "disability_grade",
    "death_date",
    "deceased_on",
)


def _apply_identity(person: Person) -> None:
    values = {name: getattr(person, name) for name in IDENTITY_FIELDS}
    _identity(values, timezone.localdate())
    for name in IDENTITY_FIELDS:
        setattr(person, name, values[name])


def _identity(values: dict[str, Any], today: datetime.date) -> None:
    """A person's name trimmed, birth date and sex derived from the ID number, and the rules
    across fields; on the values of one person, in place."""
    values["name"] = (values.get("name") or "").strip()
    number = values.get("id_number")
    if number:
        parsed = idnumbers.parse(number.reveal_unchecked(), today=today)
        values["birth_date"], values["sex"] = parsed.birth_date, parsed.sex
    else:  # derived only: a number cleared takes its birth date and sex with it
        values["birth_date"], values["sex"] = None, ""
    grade = values.get("disability_grade")
    if grade is not None and not 1 <= int(grade) <= 4:
        raise ServiceError(gettext("残疾等级应为一至四级。"), field="disability_grade")
    for name in ("death_date", "deceased_on"):
        value = values.get(name)
        if value and value > today:
            raise ServiceError(gettext("日期不能晚于今天。"), field=name)
    death, birth = values.get("death_date"), values["birth_date"]
    if death and birth and death < birth:
        raise ServiceError(gettext("死亡日期不能早于出生日期。"), field="death_date")


def _check_registered_on(registered_on: datetime.date, today: datetime.date) -> None:
    if registered_on > today:
        raise ServiceError(gettext("登记日期不能晚于今天。"), field="registered_on")


def _refresh_head(family: Family) -> None:
    people = {p.role: p for p in family.people.all()}
    head = people.get(Person.Role.MOTHER) or people.get(Person.Role.FATHER)
    family.head_name = head.name if head else ""
    family.head_pinyin, family.head_initials = pinyin_forms(family.head_name)
    Family.objects.filter(pk=family.pk).update(
        head_name=family.head_name,
        head_pinyin=family.head_pinyin,
        head_initials=family.head_initials,
    )


def _person_values(data: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """One person's values checked (fields as `full_clean` checks them, identity rules), by field
    name. Person's constraints (one number, one mother, one father) are checked by the callers:
    for a whole batch in `families_register`, one query each in `_person_add` and `person_add`."""
    values: dict[str, Any] = {"role": data.get("role")}
    for key in PERSON_FIELDS:
        if key in data:
            values[key] = data[key] if data[key] != "" else _blank(key)
    bulk.clean_values(Person, values, exclude=["family", "id_number_hash", "phone_hash"])
    _identity(values, today)
    return values


TWICE = gettext_noop("同一身份证号码不能登记两次。")


# The birth date and sex are derived from the ID number, whose mask hides exactly the birth date:
# an audit row holding both would give the full number back. The search hashes stay out too.
PERSON_AUDIT_EXCLUDE = frozenset({"birth_date", "sex", "id_number_hash", "phone_hash"})


def _audit_person_create(actor: User, person: Person, scope_path: str) -> None:
    values = snapshot(person)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=person,
        changes={k: [None, v] for k, v in values.items() if k not in PERSON_AUDIT_EXCLUDE},
        scope_path=scope_path,
    )


def _person_built(family: Family, data: dict[str, Any]) -> Person:
    return Person(family=family, **_person_values(data, timezone.localdate()))


def _blank(key: str) -> Any:
    return (
        None
        if key in {"id_number", "phone", "deceased_on", "death_date", "disability_grade"}
        else ""
    )
