"""Writes to the special-family registry, contacts, care log and needs. Atomic and audited."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import bulk, crypto, idnumbers
from fpa.core.audit import (
    audit_create,
    audit_created_rows,
    audit_record,
    audit_update,
    changed_since,
    diff,
    snapshot,
)
from fpa.core.errors import NotAllowed, ServiceError, ServiceErrors, check_version, validate
from fpa.core.models import AuditEvent
from fpa.core.names import pinyin_forms
from fpa.core.protected import blind_index
from fpa.core.scope import require, require_in_scope, scope_path_of
from fpa.families import photos as photo_rules
from fpa.families.models import (
    FIVE_CARES,
    FOUR_SERVICES,
    Campaign,
    CareKind,
    CarePhoto,
    CareRecord,
    Contact,
    ContactRole,
    Family,
    Need,
    PaymentRate,
    Person,
    StatusChange,
    Support,
)
from fpa.organizations.models import Association

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


def _check_duplicate(person: Person, actor: Any) -> None:
    if not person.id_number:
        return
    other = duplicate_of(person.id_number.reveal_unchecked(), exclude_person=person.pk)
    if other is not None:
        raise _duplicate_error(other, actor)


def _duplicate_error(other: Person, actor: Any) -> ServiceError:
    where = other.family.association
    home = actor.home_association
    # Name the other family only when the actor may see it; otherwise say only that it exists.
    if home is not None and where.path.startswith(home.path):
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


class _Batch:
    """What one call of `families_register` works out once: the day, the labels of the audit
    rows, and the associations already checked (in scope, holding families)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.today = timezone.localdate()
        self.checked: set[int] = set()
        self.kinds = {value: str(label) for value, label in Family.Kind.choices}
        self.roles = {value: str(label) for value, label in Person.Role.choices}

    def check_holder(self, association: Association) -> None:
        if association.pk in self.checked:
            return
        require_in_scope(self.actor, association)
        if association.kind not in FAMILY_HOLDERS or not association.is_current:
            raise ServiceError(
                gettext("家庭须登记在在用的村（社区）、乡镇或流动人口计生协。"),
                field="association",
            )
        self.checked.add(association.pk)


def _prepared(
    batch: _Batch,
    *,
    association: Association,
    kind: str,
    people: list[dict[str, Any]],
    address: str = "",
    one_child_only: bool = True,
    later_child: bool = False,
    notes: str = "",
    registered_on: datetime.date | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A family and its people as checked values, not yet saved (duplicates are checked later,
    for the whole call at once)."""
    batch.check_holder(association)
    roles = [p.get("role") for p in people]
    if not any(r in (Person.Role.MOTHER, Person.Role.FATHER) for r in roles):
        raise ServiceError(gettext("至少登记一位父亲或母亲。"), field="people")
    for role in (Person.Role.MOTHER, Person.Role.FATHER):
        if roles.count(role) > 1:
            raise ServiceError(gettext("父亲、母亲各只能登记一位。"), field="people")
    family = {
        "kind": kind,
        "address": (address or "").strip(),
        "one_child_only": one_child_only,
        "later_child": later_child,
        "notes": (notes or "").strip(),
        "registered_on": registered_on or batch.today,
    }
    # The association is in scope (checked above); Family has no unique fields or constraints.
    bulk.clean_values(Family, family, exclude=["head_name"])
    _check_registered_on(family["registered_on"], batch.today)
    family["association_id"] = association.pk
    persons = [_person_values(data, batch.today) for data in people]
    by_role = {p["role"]: p for p in persons}
    head = by_role.get(Person.Role.MOTHER) or by_role.get(Person.Role.FATHER)
    family["head_name"] = head["name"] if head else ""
    family["head_pinyin"], family["head_initials"] = pinyin_forms(family["head_name"])
    return family, persons


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


@transaction.atomic
def families_register(*, actor: Any, families: list[dict[str, Any]]) -> list[int]:
    """Register many families with their people (each item: the arguments of `family_register`)
    and return their ids. The same checks and the same audit rows as one by one, in a number of
    queries that does not depend on the number of families, written below the ORM
    (`fpa.core.bulk`): the import path. All or nothing: every problem is raised together as
    ServiceErrors, by position."""
    require(actor, "family.edit")
    batch = _Batch(actor)
    errors: list[tuple[int, ServiceError]] = []
    built: list[tuple[int, Association, dict[str, Any], list[dict[str, Any]]]] = []
    for position, item in enumerate(families):
        try:
            built.append((position, item["association"], *_prepared(batch, **item)))
        except ServiceError as exc:
            errors.append((position, exc))
    # An ID number is registered once in the deployment: checked for the whole call in one query.
    keys = crypto.keyring()
    first_at: dict[str, int] = {}
    numbered: list[tuple[int, str]] = []
    for position, _association, _family, persons in built:
        for person in persons:
            if not person.get("id_number"):
                continue
            digest = keys.blind_index(person["id_number"].reveal_unchecked(), purpose="id_number")
            person["id_number_hash"] = digest
            if first_at.setdefault(digest, position) != position:
                errors.append(
                    (position, ServiceError(gettext(TWICE), field="id_number", code="duplicate"))
                )
            numbered.append((position, digest))
    registered = {
        person.id_number_hash: person
        for person in Person.objects.filter(
            id_number_hash__in={digest for _, digest in numbered}
        ).select_related("family__association")
    }
    errors += [
        (position, _duplicate_error(registered[digest], actor))
        for position, digest in numbered
        if digest in registered
    ]
    if errors:
        raise ServiceErrors(sorted(errors, key=lambda error: error[0]))
    family_ids = bulk.reserve_ids(Family, len(built))
    people = [p for _, _, _, persons in built for p in persons]
    person_ids = iter(bulk.reserve_ids(Person, len(people)))
    for (_, _, family, persons), family_id in zip(built, family_ids, strict=True):
        family["id"] = family_id
        for person in persons:
            person["id"], person["family_id"] = next(person_ids), family_id
    bulk.insert(Family, [family for _, _, family, _ in built])
    bulk.insert(Person, people)
    audit_created_rows(
        actor=actor,
        groups=[
            (
                Family,
                [
                    (
                        family,
                        where.path,
                        Family.describe(family["head_name"], batch.kinds[family["kind"]]),
                    )
                    for _, where, family, _ in built
                ],
                (),
            ),
            (
                Person,
                [
                    (
                        person,
                        where.path,
                        Person.describe(person["name"], batch.roles[person["role"]]),
                    )
                    for _, where, _, persons in built
                    for person in persons
                ],
                PERSON_AUDIT_EXCLUDE,
            ),
        ],
    )
    return family_ids


def family_register(*, actor: Any, **item: Any) -> Family:
    """Register a family with its people (at least one parent). A parent's ID number already
    registered anywhere is refused as a duplicate."""
    try:
        family_id = families_register(actor=actor, families=[item])[0]
    except ServiceErrors as exc:
        raise exc.errors[0][1] from None
    return Family.objects.select_related("association").get(pk=family_id)


TWICE = gettext_noop("同一身份证号码不能登记两次。")


# The birth date and sex are derived from the ID number, whose mask hides exactly the birth date:
# an audit row holding both would give the full number back. The search hashes stay out too.
PERSON_AUDIT_EXCLUDE = frozenset({"birth_date", "sex", "id_number_hash", "phone_hash"})


def _audit_person_create(actor: Any, person: Person, scope_path: str) -> None:
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


def _person_add(actor: Any, family: Family, data: dict[str, Any]) -> Person:
    person = _person_built(family, data)
    _check_duplicate(person, actor)
    person.save()
    _audit_person_create(actor, person, family.association.path)
    return person


def _blank(key: str) -> Any:
    return (
        None
        if key in {"id_number", "phone", "deceased_on", "death_date", "disability_grade"}
        else ""
    )


@transaction.atomic
def person_add(*, actor: Any, family: Family, **data: Any) -> Person:
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    if (
        data.get("role") in (Person.Role.MOTHER, Person.Role.FATHER)
        and family.people.filter(role=data["role"]).exists()
    ):
        raise ServiceError(gettext("父亲、母亲各只能登记一位。"), field="role")
    person = _person_add(actor, family, data)
    _refresh_head(family)
    return person


@transaction.atomic
def person_update(
    *, actor: Any, person: Person, expected_version: int | None = None, **data: Any
) -> Person:
    """Change a person; the family's version guards against two people editing at once."""
    family = Family.objects.select_for_update().get(pk=person.family_id)
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    if expected_version is not None and int(expected_version) != family.version:
        check_version(family.version, expected_version, _changed_since(family, expected_version))
    locked = Person.objects.get(pk=person.pk)
    before = snapshot(locked, PERSON_FIELDS)
    for key in PERSON_FIELDS:
        if key in data:
            setattr(locked, key, data[key] if data[key] != "" else _blank(key))
    validate(locked, exclude=["family", "id_number_hash", "phone_hash"])
    _apply_identity(locked)
    _check_duplicate(locked, actor)
    if not diff(before, snapshot(locked, PERSON_FIELDS)):
        return locked
    locked.save()
    audit_update(actor=actor, obj=locked, before=before, scope_path=family.association.path)
    _bump(actor, family, {"people": [None, locked.name]})
    _refresh_head(family)
    return locked


def _changed_since(family: Family, version: int) -> list[str]:
    """What others changed since `version`: the family's own fields and, recorded by `_bump`,
    its people (not a field of the family, so `changed_since` alone cannot name them)."""
    names = changed_since(family, int(version))
    people_changed = AuditEvent.objects.filter(
        object_type=family._meta.label_lower,
        object_id=str(family.pk),
        action=AuditEvent.Action.UPDATE,
        changes__has_key="people",
    ).order_by("-id")[:50]
    for row in people_changed:
        versions = row.changes.get("version")
        if versions and versions[0] is not None and int(versions[0]) >= int(version):
            return [*names, gettext("家庭成员")]
    return names


def _bump(actor: Any, family: Family, changes: dict[str, Any]) -> None:
    """A change to a family's parts raises the family's version and says so in the trail."""
    Family.objects.filter(pk=family.pk).update(version=family.version + 1)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=family,
        changes={**changes, "version": [family.version, family.version + 1]},
        scope_path=family.association.path,
    )
    family.version += 1


@transaction.atomic
def family_update(
    *, actor: Any, family: Family, expected_version: int | None = None, **data: Any
) -> Family:
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    locked = Family.objects.select_for_update().select_related("association").get(pk=family.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        check_version(locked.version, expected_version, _changed_since(locked, expected_version))
    before = snapshot(locked, (*FAMILY_FIELDS, "version"))
    for key in FAMILY_FIELDS:
        if key in data:
            setattr(locked, key, data[key])
    validate(locked, exclude=["head_name"])
    _check_registered_on(locked.registered_on, timezone.localdate())
    if not diff(
        {k: v for k, v in before.items() if k != "version"}, snapshot(locked, FAMILY_FIELDS)
    ):
        return locked
    locked.version += 1
    locked.save()
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


@transaction.atomic
def family_change_status(
    *, actor: Any, family: Family, status: str, effective_date: datetime.date, reason: str
) -> Family:
    """Moved out, cancelled, deceased (or back to active), always with a reason, date and who."""
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    locked = Family.objects.select_for_update().select_related("association").get(pk=family.pk)
    if status not in Family.Status.values:
        raise ServiceError(gettext("状态不正确。"), field="status")
    if status == locked.status:
        raise ServiceError(gettext("新状态与当前状态相同。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写状态变更的原因。"), field="reason")
    if effective_date > timezone.localdate():
        raise ServiceError(gettext("变更日期不能晚于今天。"), field="effective_date")
    StatusChange.objects.create(
        family=locked,
        from_status=locked.status,
        to_status=status,
        effective_date=effective_date,
        reason=reason[:300],
        recorded_by=actor,
    )
    before = snapshot(locked, ["status", "version"])
    locked.status = status
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    audit_update(
        actor=actor, obj=locked, before=before, scope_path=locked.association.path, reason=reason
    )
    if status != Family.Status.ACTIVE:
        _end_contacts(actor, locked, effective_date)
    return locked


def _end_contacts(actor: Any, family: Family, on: datetime.date) -> None:
    """A family leaving the register ends its current contacts (none before it began), audited."""
    current = Contact.objects.filter(family=family, end_date__isnull=True)
    ended = list(current.order_by("pk").values_list("pk", flat=True))
    if not ended:
        return
    current.filter(start_date__lte=on).update(end_date=on)
    current.filter(start_date__gt=on).update(end_date=F("start_date"))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="families.contact",
        object_repr=f"家庭{family.get_status_display()}，结束联系人",
        changes={
            "contacts_ended": [None, ended],
            "family": [None, family.pk],
            "end_date": [None, str(on)],
        },
        scope_path=family.association.path,
    )


@transaction.atomic
def rate_set(
    *, actor: Any, kind: str, monthly_amount: Decimal, valid_from: datetime.date, note: str = ""
) -> PaymentRate:
    """County admins keep the dated rate table (local rates can be above the national ones)."""
    require(actor, "family.rates")
    if kind not in Family.Kind.values:
        raise ServiceError(gettext("家庭类别不正确。"), field="kind")
    if monthly_amount <= 0 or monthly_amount > Decimal("100000"):
        raise ServiceError(gettext("金额应大于0且不超过100000元。"), field="monthly_amount")
    existing = PaymentRate.objects.select_for_update().filter(kind=kind, valid_from=valid_from)
    before = existing.first()
    rate, created = PaymentRate.objects.update_or_create(
        kind=kind, valid_from=valid_from, defaults={"monthly_amount": monthly_amount, "note": note}
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=rate,
        changes={
            "kind": [None if created else kind, kind],
            "monthly_amount": [str(before.monthly_amount) if before else None, str(monthly_amount)],
            "valid_from": [None if created else str(valid_from), str(valid_from)],
        },
        # The table applies deployment-wide; the actor's subtree lets their auditors read it.
        scope_path=actor.home_association.path if actor.home_association else "",
    )
    return rate


@transaction.atomic
def support_add(*, actor: Any, family: Family, **data: Any) -> Support:
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    support = Support(family=family, **data)
    validate(support, exclude=["family"])
    if support.end_date and support.end_date < support.start_date:
        raise ServiceError(gettext("截止日期不能早于开始日期。"), field="end_date")
    support.save()
    audit_create(actor=actor, obj=support, scope_path=family.association.path)
    return support


# --- contacts -------------------------------------------------------------------------------------


@transaction.atomic
def contact_assign(
    *,
    actor: Any,
    family: Family,
    role: ContactRole,
    name: str,
    start_date: datetime.date,
    user: Any = None,
    phone: str | None = None,
) -> Contact:
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    if family.status != Family.Status.ACTIVE:
        raise ServiceError(gettext("只能为在册家庭指定联系人。"))
    if user is not None and not user.is_active:
        raise ServiceError(gettext("该账号已停用。"), field="user")
    contact = Contact(
        family=family,
        role=role,
        name=(name or (user.full_name if user else "")).strip(),
        user=user,
        phone=phone or None,
        start_date=start_date,
    )
    validate(contact, exclude=["family", "phone_hash"])
    contact.save()
    audit_create(actor=actor, obj=contact, scope_path=family.association.path)
    return contact


@transaction.atomic
def contact_end(*, actor: Any, contact: Contact, end_date: datetime.date) -> Contact:
    require(actor, "family.edit")
    require_in_scope(actor, contact.family.association)
    if contact.end_date:
        raise ServiceError(gettext("该联系人已结束。"))
    if end_date < contact.start_date:
        raise ServiceError(gettext("结束日期不能早于开始日期。"), field="end_date")
    before = snapshot(contact, ["end_date"])
    contact.end_date = end_date
    contact.save(update_fields=["end_date", "updated_at"])
    audit_update(
        actor=actor, obj=contact, before=before, scope_path=contact.family.association.path
    )
    return contact


@transaction.atomic
def contacts_reassign(
    *, actor: Any, from_user: Any, to_user: Any, on: datetime.date, to_name: str = ""
) -> int:
    """A contact person leaves: every family they look after in the actor's scope moves to the
    successor in one action. Returns how many families moved."""
    require(actor, "family.edit")
    if to_user is not None and not to_user.is_active:
        raise ServiceError(gettext("接替人账号已停用。"), field="to_user")
    if to_user is not None and to_user.pk == from_user.pk:
        raise ServiceError(gettext("接替人不能是本人。"), field="to_user")
    to_name = (to_name or "").strip() or (
        (to_user.full_name or to_user.username) if to_user is not None else ""
    )
    if not to_name:
        raise ServiceError(gettext("请指定接替人（平台账号或姓名）。"), field="to_user")
    path = scope_path_of(actor)
    if path is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    # The actor's subtree only: being a contact of a family elsewhere gives no right to move it.
    current = list(
        Contact.objects.filter(family__association__path__under=path)
        .filter(user=from_user, end_date__isnull=True)
        .select_related("family__association", "role")
        .order_by("pk")
    )
    if not current:
        raise ServiceError(gettext("此人在您的管辖范围内没有正在联系的家庭。"))
    for contact in current:
        if on < contact.start_date:
            raise ServiceError(gettext("交接日期不能早于原联系开始日期。"), field="on")
    Contact.objects.filter(pk__in=[c.pk for c in current]).update(end_date=on)
    created = Contact.objects.bulk_create(
        [
            Contact(
                family=c.family,
                role=c.role,
                name=to_name,
                user=to_user,
                start_date=on,
            )
            for c in current
        ]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="families.contact",
        object_repr=f"联系人交接 {from_user} → {to_user}",
        changes={
            "families": [None, [c.family_id for c in current]],
            "from_user": [from_user.pk, None],
            "to_user": [None, to_user.pk if to_user else None],
            "new_contacts": [None, [c.pk for c in created]],
        },
        scope_path=actor.home_association.path,
    )
    return len(current)


# --- care log and needs ---------------------------------------------------------------------------

SERVICE_CODES = {code for code, _ in FOUR_SERVICES}
CARE_CODES = {code for code, _ in FIVE_CARES}


def _may_log(actor: Any, family: Family) -> None:
    """Staff in scope, or a contact person of this family, may record care."""
    path = scope_path_of(actor)
    if path is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    if actor.has_capability("family.edit") and family.association.path.startswith(path):
        return
    if Contact.objects.filter(family=family, user=actor, end_date__isnull=True).exists():
        return
    raise NotAllowed(gettext("只有管辖范围内的工作人员或该家庭的联系人可以记录。"))


@transaction.atomic
def care_log(
    *,
    actor: Any,
    family: Family,
    kind: CareKind,
    occurred_on: datetime.date,
    services: list[str] | None = None,
    cares: list[str] | None = None,
    notes: str = "",
) -> CareRecord:
    _may_log(actor, family)
    services, cares = sorted(set(services or [])), sorted(set(cares or []))
    if set(services) - SERVICE_CODES:
        raise ServiceError(gettext("四项服务取值不正确。"), field="services")
    if set(cares) - CARE_CODES:
        raise ServiceError(gettext("五关怀取值不正确。"), field="cares")
    today = timezone.localdate()
    if occurred_on > today:
        raise ServiceError(gettext("日期不能晚于今天。"), field="occurred_on")
    if occurred_on < today - datetime.timedelta(days=366):
        raise ServiceError(gettext("只能补记一年以内的记录。"), field="occurred_on")
    contact = Contact.objects.filter(family=family, user=actor, end_date__isnull=True).first()
    record = CareRecord(
        family=family,
        kind=kind,
        occurred_on=occurred_on,
        contact=contact,
        recorded_by=actor,
        services=services,
        cares=cares,
        notes=(notes or "").strip()[:5000],
    )
    record.save()
    audit_create(actor=actor, obj=record, scope_path=family.association.path)
    return record


@transaction.atomic
def need_raise(
    *,
    actor: Any,
    family: Family,
    description: str,
    owner: Any = None,
    due_date: datetime.date | None = None,
    raised_in: CareRecord | None = None,
) -> Need:
    _may_log(actor, family)
    description = (description or "").strip()
    if len(description) < 2:
        raise ServiceError(gettext("请填写诉求内容。"), field="description")
    if raised_in is not None and raised_in.family_id != family.pk:
        raise ServiceError(gettext("该帮扶记录不属于此家庭。"), field="raised_in")
    # The owner must be able to open the family and act on the need: staff whose subtree holds
    # it (a finance or audit account at the county does not), or one of its contact persons.
    if owner is not None and not (
        owner.is_active and Family.objects.visible_to(owner).filter(pk=family.pk).exists()
    ):
        raise ServiceError(gettext("责任人须为管辖该家庭的在用账号。"), field="owner")
    need = Need(
        family=family,
        raised_in=raised_in,
        description=description[:500],
        owner=owner,
        due_date=due_date,
    )
    need.save()
    audit_create(actor=actor, obj=need, scope_path=family.association.path)
    return need


@transaction.atomic
def need_update(*, actor: Any, need: Need, status: str, result: str = "") -> Need:
    locked = Need.objects.select_for_update().select_related("family__association").get(pk=need.pk)
    _may_log(actor, locked.family)
    if status not in Need.Status.values:
        raise ServiceError(gettext("状态不正确。"), field="status")
    result = (result or "").strip()
    if status in (Need.Status.RESOLVED, Need.Status.CLOSED) and len(result) < 2:
        raise ServiceError(gettext("办结时请填写办理结果。"), field="result")
    before = snapshot(locked, ["status", "result", "closed_on"])
    locked.status = status
    locked.result = result[:500]
    locked.closed_on = timezone.localdate() if not locked.is_open else None
    locked.save(update_fields=["status", "result", "closed_on", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.family.association.path)
    return locked


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    association: Association,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Campaign:
    require(actor, "family.edit")
    require_in_scope(actor, association)
    if end_date < start_date:
        raise ServiceError(gettext("结束日期不能早于开始日期。"), field="end_date")
    campaign = Campaign(
        association=association, name=(name or "").strip(), start_date=start_date, end_date=end_date
    )
    validate(campaign, exclude=["association"])
    campaign.save()
    audit_create(actor=actor, obj=campaign, scope_path=association.path)
    return campaign


# --- care photos ----------------------------------------------------------------------------------


def _photo_error(exc: photo_rules.PhotoError) -> ServiceError:
    return ServiceError(str(exc), field="photos")


@transaction.atomic
def care_photo_add(*, actor: Any, record: CareRecord, photo: Any) -> CarePhoto:
    """Attach one photo to a care record: staff in scope or a contact person of the family, at
    most five a record. `photo` is an upload (decoded, checked and re-encoded here) or a
    `photos.CleanPhoto` already made so. Only the re-encoded bytes are stored, under a random
    name; the upload's own name and content type are never used."""
    locked = (
        CareRecord.objects.select_for_update()
        .select_related("family__association")
        .get(pk=record.pk)
    )
    family = locked.family
    _may_log(actor, family)
    if not isinstance(photo, photo_rules.CleanPhoto):
        try:
            photo = photo_rules.clean(photo)
        except photo_rules.PhotoError as exc:
            raise _photo_error(exc) from exc
    if CarePhoto.objects.filter(record=locked).count() >= photo_rules.MAX_PER_RECORD:
        raise ServiceError(
            gettext("每条帮扶记录最多%(count)s张照片。") % {"count": photo_rules.MAX_PER_RECORD},
            field="photos",
            code="too_many",
        )
    stem = f"families/photos/{family.pk}/{secrets.token_hex(16)}"
    stored: list[str] = []
    try:
        stored.append(default_storage.save(f"{stem}.{photo.extension}", ContentFile(photo.data)))
        stored.append(default_storage.save(f"{stem}-thumb.jpg", ContentFile(photo.thumb)))
        item = CarePhoto(
            record=locked,
            family=family,
            file_name=stored[0],
            thumb_name=stored[1],
            format=photo.format,
            width=photo.width,
            height=photo.height,
            size=len(photo.data),
            uploaded_by=actor,
        )
        item.save()
        audit_create(actor=actor, obj=item, scope_path=family.association.path)
    except BaseException:
        _delete_photo_files(stored)
        raise
    return item


def care_photos_add(*, actor: Any, record: CareRecord, photos: list[Any]) -> list[CarePhoto]:
    """Several photos for one record, all or none (the files of a refused batch are removed)."""
    added: list[CarePhoto] = []
    try:
        with transaction.atomic():
            for photo in photos:
                added.append(care_photo_add(actor=actor, record=record, photo=photo))
    except BaseException:
        _delete_photo_files([name for p in added for name in (p.file_name, p.thumb_name)])
        raise
    return added


def _delete_photo_files(names: list[str]) -> None:
    """Remove stored photo files whose rows did not survive (a rolled-back upload)."""
    for name in names:
        if name:
            default_storage.delete(name)
