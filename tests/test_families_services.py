"""The special-family write services, called directly: rules, scope, versions, duplicates and the
audit trail they leave. The helpers at the top are shared with the selector and API tests."""

from __future__ import annotations

import datetime
import inspect
import itertools
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fpa.core.audit import snapshot
from fpa.core.errors import Conflict, NotAllowed, ServiceError, ServiceErrors
from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent
from fpa.core.names import pinyin_forms
from fpa.core.protected import blind_index
from fpa.families import services
from fpa.families.models import (
    Campaign,
    CareKind,
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
from tests import test_families_contact_roster as roster_tests
from tests import test_families_payment_roster as payment_tests
from tests import test_families_photos as photo_tests
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, make_user

HONGLIU = "622923100202"  # another village of 刘家峡镇
MOTHER_BIRTH = datetime.date(1970, 5, 6)

# --- shared helpers -------------------------------------------------------------------------------

_sequence = itertools.count(1)


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def id_number(birth: datetime.date, sex: str = "F") -> str:
    """A synthetic valid ID number, unique within a test (even sequence: female, odd: male)."""
    n = next(_sequence) % 480 + 10
    return synthesize("622923", birth, 2 * n + (1 if sex == "M" else 0))


def phone() -> str:
    return f"1377777{next(_sequence) % 10000:04d}"


def mother(name: str = "张桂兰", birth: datetime.date = MOTHER_BIRTH, **extra: Any) -> dict:
    return {
        "role": "mother",
        "name": name,
        "id_number": id_number(birth, "F"),
        "phone": phone(),
        **extra,
    }


def father(name: str = "李建国", birth: datetime.date = datetime.date(1968, 2, 3), **extra: Any):
    return {"role": "father", "name": name, "id_number": id_number(birth, "M"), **extra}


def child(name: str = "李明", **extra: Any) -> dict:
    return {"role": "child", "name": name, "death_date": datetime.date(2019, 3, 2), **extra}


def register(actor: Any, code: str = DAZHUANG, **overrides: Any) -> Family:
    data: dict[str, Any] = {
        "kind": Family.Kind.BEREAVED,
        "people": [mother(), father(), child()],
        "address": "大庄村三社",
    }
    data.update(overrides)
    return services.family_register(actor=actor, association=assoc(code), **data)


def contact_role(code: str = "village_cadre") -> ContactRole:
    return ContactRole.objects.get(code=code)


def care_kind(code: str = "phone_call") -> CareKind:
    return CareKind.objects.get(code=code)


def assign(actor: Any, family: Family, user: Any = None, role: str = "village_cadre", **extra):
    return services.contact_assign(
        actor=actor,
        family=family,
        role=contact_role(role),
        name=extra.pop("name", ""),
        user=user,
        start_date=extra.pop("start_date", days_ago(60)),
        **extra,
    )


def counts() -> tuple[int, int, int]:
    return Family.objects.count(), Person.objects.count(), AuditEvent.objects.count()


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))


def audit_text(events: list[AuditEvent] | None = None) -> str:
    rows = events if events is not None else list(AuditEvent.objects.all())
    return " ".join(
        json.dumps(e.changes, ensure_ascii=False) + " " + e.object_repr + " " + e.reason
        for e in rows
    )


def assert_masked(events: list[AuditEvent], *secrets: str) -> None:
    """No plaintext ID or phone number, and no ID number that the mask plus a birth date gives
    back (the mask hides exactly the eight birth-date digits)."""
    text = audit_text(events)
    for secret in secrets:
        assert secret not in text, secret
        if len(secret) == 18:
            born = datetime.date(int(secret[6:10]), int(secret[10:12]), int(secret[12:14]))
            assert not (secret[:6] in text and born.isoformat() in text), secret


# --- registering a family -------------------------------------------------------------------------


def test_register_family_with_its_people(township):
    mark = last_id()
    people = [mother(), father(), child(death_cause="车祸")]
    family = register(township, people=people, address=" 大庄村三社 ")
    assert family.association.code == DAZHUANG
    assert family.status == Family.Status.ACTIVE
    assert family.version == 1
    assert family.address == "大庄村三社"
    assert family.registered_on == today()
    stored = Family.objects.get(pk=family.pk)
    assert (stored.head_name, stored.head_pinyin, stored.head_initials) == (
        "张桂兰",
        "zhangguilan",
        "zgl",
    )
    by_role = {p.role: p for p in stored.people.all()}
    assert by_role["mother"].birth_date == MOTHER_BIRTH
    assert by_role["mother"].sex == "F"
    assert by_role["father"].birth_date == datetime.date(1968, 2, 3)
    assert by_role["father"].sex == "M"
    assert by_role["child"].birth_date is None
    assert by_role["child"].death_date == datetime.date(2019, 3, 2)
    assert by_role["mother"].id_number.reveal_unchecked() == people[0]["id_number"]
    events = events_since(mark)
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "families.family"),
        ("create", "families.person"),
        ("create", "families.person"),
        ("create", "families.person"),
    ]
    assert all(e.actor == township and e.scope_path == assoc(DAZHUANG).path for e in events)
    assert_masked(events, people[0]["id_number"], people[0]["phone"], people[1]["id_number"])


def test_head_is_the_father_when_there_is_no_mother(township):
    family = register(township, people=[father(name="王德福")])
    assert Family.objects.get(pk=family.pk).head_initials == "wdf"


def test_register_needs_a_parent_and_at_most_one_mother(township):
    before = counts()
    with pytest.raises(ServiceError, match="至少登记一位父亲或母亲") as caught:
        register(township, people=[child()])
    assert caught.value.field == "people"
    with pytest.raises(ServiceError, match="父亲、母亲各只能登记一位"):
        register(township, people=[mother(), mother(name="第二位母亲")])
    assert counts() == before


def test_register_refuses_a_bad_id_number_and_writes_nothing(township):
    before = counts()
    bad = mother()
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    with pytest.raises(ServiceError, match="校验位不正确") as caught:
        register(township, people=[bad])
    assert caught.value.field == "id_number"
    assert counts() == before


def test_register_refuses_an_unknown_kind_and_a_county_level_holder(county):
    with pytest.raises(ServiceError) as caught:
        register(county, kind="unknown")
    assert caught.value.field == "kind"
    with pytest.raises(ServiceError, match="村（社区）、乡镇"):
        register(county, code="622923")
    assert Family.objects.count() == 0


def test_register_outside_scope_or_without_the_role_is_refused(
    township2, finance, auditor, volunteer
):
    before = counts()
    for actor in (township2, finance, auditor, volunteer, AnonymousUser()):
        with pytest.raises(NotAllowed):
            register(actor, code=DAZHUANG)
    assert counts() == before


def test_a_township_may_register_in_its_villages_and_at_its_own_level(township):
    assert register(township, code=HONGLIU).association.code == HONGLIU
    assert register(township, code=LIUJIAXIA).association.code == LIUJIAXIA


# --- duplicate ID numbers -------------------------------------------------------------------------


def test_duplicate_id_elsewhere_is_refused_without_naming_the_family(township, township2):
    first = mother()
    register(township, people=[first, child()])
    before = counts()
    with pytest.raises(ServiceError) as caught:
        register(
            township2, code=SHANGQUAN, people=[mother(name="冒名", id_number=first["id_number"])]
        )
    error = caught.value
    assert error.code == "duplicate"
    assert error.field == "id_number"
    assert "已在其他地区登记" in error.message
    assert "张桂兰" not in error.message
    assert "大庄" not in error.message
    assert counts() == before


def test_duplicate_id_the_actor_can_see_names_the_family(township, county):
    first = mother()
    register(township, people=[first, child()])
    typed = first["id_number"].lower().replace("", " ").strip()  # spaced, lower-case x
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in typed)  # full-width
    before = counts()
    for actor, code in ((township, HONGLIU), (county, SHANGQUAN)):
        with pytest.raises(ServiceError) as caught:
            register(actor, code=code, people=[father(id_number=typed)])
        assert caught.value.code == "duplicate"
        assert "已登记在大庄村委会计生协的家庭（张桂兰）中" in caught.value.message
    assert counts() == before


def test_a_person_update_to_an_id_already_registered_is_refused(township):
    first = mother()
    register(township, people=[first])
    other = register(township, people=[mother(name="赵秀英")])
    person = other.people.get(role="mother")
    with pytest.raises(ServiceError) as caught:
        services.person_update(actor=township, person=person, id_number=first["id_number"])
    assert caught.value.code == "duplicate"
    # Saving the person's own number again is not a duplicate of itself.
    own = person.id_number.reveal_unchecked()
    services.person_update(actor=township, person=person, id_number=own, name="赵秀英")


# --- people and versions --------------------------------------------------------------------------


def test_person_update_derives_birth_and_sex_and_bumps_the_family(township):
    family = register(township)
    person = family.people.get(role="mother")
    mark = last_id()
    new_id = id_number(datetime.date(1972, 12, 31), "F")
    updated = services.person_update(
        actor=township, person=person, expected_version=1, id_number=new_id, name="张桂芳"
    )
    assert updated.birth_date == datetime.date(1972, 12, 31)
    fresh = Family.objects.get(pk=family.pk)
    assert fresh.version == 2
    assert fresh.head_name == "张桂芳"
    events = events_since(mark)
    assert [(e.object_type, sorted(e.changes)) for e in events] == [
        ("families.person", ["id_number", "name"]),
        ("families.family", ["people", "version"]),
    ]
    assert_masked(events, new_id, person.id_number.reveal_unchecked())
    # Nothing changed: nothing is written, the version stays.
    mark = last_id()
    services.person_update(actor=township, person=updated, expected_version=2, name="张桂芳")
    assert events_since(mark) == []
    assert Family.objects.get(pk=family.pk).version == 2


def test_person_update_with_a_stale_version_names_what_changed(township, village):
    family = register(township)
    person = family.people.get(role="mother")
    services.family_update(actor=village, family=family, expected_version=1, address="新址")
    with pytest.raises(Conflict) as caught:
        services.person_update(
            actor=township, person=person, expected_version=1, phone="13811112222"
        )
    assert "住址" in caught.value.message
    assert Person.objects.get(pk=person.pk).phone.reveal_unchecked() != "13811112222"
    assert Family.objects.get(pk=family.pk).version == 2


def test_family_update_after_someone_changed_a_person_names_the_people(township, village):
    family = register(township)
    person = family.people.get(role="mother")
    services.person_update(actor=village, person=person, expected_version=1, phone="13811112222")
    with pytest.raises(Conflict) as caught:
        services.family_update(actor=township, family=family, expected_version=1, notes="备注")
    assert "家庭成员" in caught.value.message
    assert Family.objects.get(pk=family.pk).notes == ""


def test_family_update_audits_the_change_and_refuses_stale_saves(township, village):
    family = register(township)
    mark = last_id()
    updated = services.family_update(
        actor=township, family=family, expected_version=1, address="大庄村五社", later_child=True
    )
    assert updated.version == 2
    (event,) = events_since(mark)
    assert event.changes == {
        "address": ["大庄村三社", "大庄村五社"],
        "later_child": [False, True],
        "version": [1, 2],
    }
    with pytest.raises(Conflict, match="住址"):
        services.family_update(actor=village, family=family, expected_version=1, notes="晚到")
    with pytest.raises(ServiceError) as caught:
        services.family_update(actor=township, family=family, kind="nonsense")
    assert caught.value.field == "kind"
    fresh = Family.objects.get(pk=family.pk)
    assert (fresh.version, fresh.notes, fresh.kind) == (2, "", Family.Kind.BEREAVED)


def test_family_update_outside_scope_is_refused(township, township2):
    family = register(township)
    with pytest.raises(NotAllowed):
        services.family_update(actor=township2, family=family, address="越权")
    assert Family.objects.get(pk=family.pk).address == "大庄村三社"


def test_clearing_an_id_number_clears_what_was_derived_from_it(township):
    family = register(township)
    person = family.people.get(role="mother")
    cleared = services.person_update(actor=township, person=person, id_number="")
    assert (cleared.id_number, cleared.birth_date, cleared.sex) == (None, None, "")
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.birth_date, fresh.sex, fresh.id_number_hash) == (
        None,
        None,
        "",
        "",
    )


def test_registration_date_may_not_be_in_the_future(township):
    tomorrow = today() + datetime.timedelta(days=1)
    with pytest.raises(ServiceError) as caught:
        register(township, registered_on=tomorrow)
    assert caught.value.field == "registered_on"
    family = register(township, registered_on=days_ago(10))
    with pytest.raises(ServiceError) as caught:
        services.family_update(actor=township, family=family, registered_on=tomorrow)
    assert caught.value.field == "registered_on"
    assert Family.objects.get(pk=family.pk).registered_on == days_ago(10)


def test_the_database_holds_one_mother_and_unique_id_numbers(township):
    """The services refuse both with a message; the constraints hold when two saves race."""
    family = register(township)
    mother_row = family.people.get(role="mother")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(family=family, role="mother", name="竞态中的第二位母亲")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            family=register(township, people=[father()]),
            role="mother",
            name="竞态中的重复号码",
            id_number=mother_row.id_number.reveal_unchecked(),
        )
    Person.objects.create(family=family, role="child", name="无号码的子女甲")
    Person.objects.create(family=family, role="child", name="无号码的子女乙")


def test_person_add_refuses_a_second_mother(township):
    family = register(township, people=[father()])
    services.person_add(actor=township, family=family, **mother(name="后登记的母亲"))
    assert Family.objects.get(pk=family.pk).head_name == "后登记的母亲"
    with pytest.raises(ServiceError, match="父亲、母亲各只能登记一位"):
        services.person_add(actor=township, family=family, **mother(name="又一位"))


def test_person_rules(township):
    family = register(township)
    with pytest.raises(ServiceError, match="残疾等级"):
        services.person_add(actor=township, family=family, **child(disability_grade=5))
    with pytest.raises(ServiceError, match="日期不能晚于今天"):
        services.person_add(
            actor=township, family=family, **child(death_date=today() + datetime.timedelta(1))
        )
    with pytest.raises(ServiceError, match="死亡日期不能早于出生日期"):
        services.person_add(
            actor=township,
            family=family,
            **child(
                id_number=id_number(datetime.date(2000, 1, 1), "M"),
                death_date=datetime.date(1999, 1, 1),
            ),
        )


# --- status ---------------------------------------------------------------------------------------


def test_change_status_needs_a_reason_records_it_and_ends_contacts(township, volunteer):
    family = register(township)
    contact = assign(township, family, user=volunteer)
    newer = assign(township, family, name="昨天才指定的联系人", start_date=days_ago(1))
    with pytest.raises(ServiceError) as caught:
        services.family_change_status(
            actor=township, family=family, status="moved_out", effective_date=today(), reason=" "
        )
    assert caught.value.field == "reason"
    with pytest.raises(ServiceError, match="不能晚于今天"):
        services.family_change_status(
            actor=township,
            family=family,
            status="moved_out",
            effective_date=today() + datetime.timedelta(days=1),
            reason="迁往兰州",
        )
    with pytest.raises(ServiceError, match="相同"):
        services.family_change_status(
            actor=township, family=family, status="active", effective_date=today(), reason="无"
        )
    mark = last_id()
    moved = services.family_change_status(
        actor=township,
        family=family,
        status="moved_out",
        effective_date=days_ago(2),
        reason="迁往兰州",
    )
    assert moved.status == Family.Status.MOVED_OUT
    assert moved.version == 2
    change = StatusChange.objects.get(family=family)
    assert (change.from_status, change.to_status, change.reason, change.recorded_by) == (
        "active",
        "moved_out",
        "迁往兰州",
        township,
    )
    assert change.effective_date == days_ago(2)
    assert Contact.objects.get(pk=contact.pk).end_date == days_ago(2)
    assert Contact.objects.get(pk=newer.pk).end_date == days_ago(1)  # never before it began
    family_row, contacts_row = events_since(mark)
    assert family_row.object_type == "families.family"
    assert family_row.changes["status"] == ["active", "moved_out"]
    assert family_row.reason == "迁往兰州"
    assert contacts_row.object_type == "families.contact"
    assert contacts_row.changes["contacts_ended"] == [None, [contact.pk, newer.pk]]
    with pytest.raises(ServiceError, match="只能为在册家庭指定联系人"):
        assign(township, moved, user=volunteer)
    back = services.family_change_status(
        actor=township, family=moved, status="active", effective_date=today(), reason="迁回"
    )
    assert back.status == Family.Status.ACTIVE
    assert StatusChange.objects.filter(family=family).count() == 2


def test_change_status_outside_scope_is_refused(township, township2):
    family = register(township)
    with pytest.raises(NotAllowed):
        services.family_change_status(
            actor=township2,
            family=family,
            status="cancelled",
            effective_date=today(),
            reason="越权",
        )
    assert not StatusChange.objects.exists()


# --- contacts -------------------------------------------------------------------------------------


def test_contact_assign_and_end(township, volunteer, sysadmin):
    from fpa.accounts.services import user_update

    family = register(township)
    mark = last_id()
    contact = assign(township, family, user=volunteer, phone="13912345678")
    assert contact.name == "volunteer"  # the account's name when none is typed
    assert contact.phone.masked == "139****5678"
    assert_masked(events_since(mark), "13912345678")
    with pytest.raises(ServiceError, match="结束日期不能早于开始日期"):
        services.contact_end(actor=township, contact=contact, end_date=days_ago(61))
    ended = services.contact_end(actor=township, contact=contact, end_date=today())
    assert ended.end_date == today()
    with pytest.raises(ServiceError, match="已结束"):
        services.contact_end(actor=township, contact=contact, end_date=today())
    user_update(actor=sysadmin, user=volunteer, full_name="", phone=None, is_active=False)
    with pytest.raises(ServiceError, match="停用"):
        assign(township, family, user=volunteer)
    with pytest.raises(ServiceError) as caught:
        assign(township, family, user=None, name="外部联系人", phone="12345")
    assert caught.value.field == "phone"


def test_contacts_outside_scope_are_refused(township, township2, volunteer):
    family = register(township)
    with pytest.raises(NotAllowed):
        assign(township2, family, user=volunteer)
    contact = assign(township, family, user=volunteer)
    with pytest.raises(NotAllowed):
        services.contact_end(actor=township2, contact=contact, end_date=today())
    assert Contact.objects.get(pk=contact.pk).end_date is None


def test_reassign_moves_every_family_in_scope_in_one_call(township, township2, volunteer):
    successor = make_user("successor", DAZHUANG, "volunteer")
    mine = [register(township), register(township, code=HONGLIU)]
    for family in mine:
        assign(township, family, user=volunteer)
    theirs = register(township2, code=SHANGQUAN)
    outside = assign(township2, theirs, user=volunteer)
    mark = last_id()
    moved = services.contacts_reassign(
        actor=township, from_user=volunteer, to_user=successor, on=today()
    )
    assert moved == 2
    for family in mine:
        current = Contact.objects.get(family=family, end_date__isnull=True)
        assert (current.user, current.name, current.start_date) == (successor, "successor", today())
        assert Contact.objects.get(family=family, user=volunteer).end_date == today()
    assert Contact.objects.get(pk=outside.pk).end_date is None
    (event,) = events_since(mark)
    assert event.changes["families"] == [None, [f.pk for f in mine]]
    assert event.changes["from_user"] == [volunteer.pk, None]
    assert event.changes["to_user"] == [None, successor.pk]
    assert event.actor == township
    assert sorted(Family.objects.visible_to(successor).values_list("pk", flat=True)) == [
        f.pk for f in mine
    ]
    assert list(Family.objects.visible_to(volunteer).values_list("pk", flat=True)) == [theirs.pk]
    with pytest.raises(ServiceError, match="没有正在联系的家庭"):
        services.contacts_reassign(
            actor=township, from_user=volunteer, to_user=successor, on=today()
        )


def test_reassign_leaves_families_outside_the_actors_subtree_even_where_they_are_a_contact(
    township, township2, volunteer
):
    successor = make_user("successor", DAZHUANG, "volunteer")
    theirs = register(township2, code=SHANGQUAN)
    assign(township2, theirs, user=township)  # the township officer also looks after this family
    outside = assign(township2, theirs, user=volunteer)
    inside = assign(township, register(township), user=volunteer)
    assert (
        services.contacts_reassign(
            actor=township, from_user=volunteer, to_user=successor, on=today()
        )
        == 1
    )
    assert Contact.objects.get(pk=outside.pk).end_date is None
    assert Contact.objects.get(pk=inside.pk).end_date == today()


def test_reassign_rules(township, village, volunteer):
    assign(township, register(township), user=volunteer)
    with pytest.raises(ServiceError, match="不能是本人"):
        services.contacts_reassign(
            actor=township, from_user=volunteer, to_user=volunteer, on=today()
        )
    with pytest.raises(ServiceError, match="交接日期不能早于"):
        services.contacts_reassign(
            actor=township, from_user=volunteer, to_user=village, on=days_ago(365)
        )
    with pytest.raises(ServiceError, match="接替人"):
        services.contacts_reassign(actor=township, from_user=volunteer, to_user=None, on=today())
    with pytest.raises(NotAllowed):
        services.contacts_reassign(
            actor=volunteer, from_user=volunteer, to_user=village, on=today()
        )
    assert (
        services.contacts_reassign(
            actor=township, from_user=volunteer, to_user=None, to_name="新的志愿者", on=today()
        )
        == 1
    )
    assert Contact.objects.get(end_date__isnull=True).name == "新的志愿者"


# --- care log -------------------------------------------------------------------------------------


def test_a_contact_person_without_edit_rights_logs_care_for_their_own_families(township, volunteer):
    assert not volunteer.has_capability("family.edit")
    own = register(township)
    other = register(township)
    contact = assign(township, own, user=volunteer)
    mark = last_id()
    record = services.care_log(
        actor=volunteer,
        family=own,
        kind=care_kind("routine_visit"),
        occurred_on=days_ago(1),
        services=["visit", "comfort", "visit"],
        cares=["daily_life"],
        notes=" 老人身体尚可 ",
    )
    assert record.contact == contact
    assert record.recorded_by == volunteer
    assert record.services == ["comfort", "visit"]
    assert record.notes == "老人身体尚可"
    (event,) = events_since(mark)
    assert (event.action, event.object_type, event.actor) == (
        "create",
        "families.carerecord",
        volunteer,
    )
    with pytest.raises(NotAllowed):
        services.care_log(actor=volunteer, family=other, kind=care_kind(), occurred_on=today())
    services.contact_end(actor=township, contact=contact, end_date=today())
    with pytest.raises(NotAllowed):
        services.care_log(actor=volunteer, family=own, kind=care_kind(), occurred_on=today())
    assert CareRecord.objects.count() == 1


def test_staff_log_care_in_their_scope_only(township, township2, village):
    family = register(township)
    record = services.care_log(actor=village, family=family, kind=care_kind(), occurred_on=today())
    assert record.contact is None
    with pytest.raises(NotAllowed):
        services.care_log(actor=township2, family=family, kind=care_kind(), occurred_on=today())
    assert CareRecord.objects.count() == 1


def test_staff_who_are_a_contact_of_a_family_elsewhere_may_log_for_it(township, township2):
    family = register(township)
    contact = assign(township, family, user=township2, role="township_cadre")
    record = services.care_log(
        actor=township2, family=family, kind=care_kind(), occurred_on=today()
    )
    assert record.contact == contact


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("services", ["visit", "dancing"], "四项服务取值不正确"),
        ("cares", ["hospital", "x"], "五关怀取值不正确"),
    ],
)
def test_care_codes_are_validated(township, field, value, message):
    family = register(township)
    with pytest.raises(ServiceError, match=message) as caught:
        services.care_log(
            actor=township, family=family, kind=care_kind(), occurred_on=today(), **{field: value}
        )
    assert caught.value.field == field
    assert CareRecord.objects.count() == 0


def test_care_dates_are_validated(township):
    family = register(township)
    for day, message in (
        (today() + datetime.timedelta(days=1), "不能晚于今天"),
        (days_ago(367), "一年以内"),
        (days_ago(800), "一年以内"),
    ):
        with pytest.raises(ServiceError, match=message) as caught:
            services.care_log(actor=township, family=family, kind=care_kind(), occurred_on=day)
        assert caught.value.field == "occurred_on"
    services.care_log(actor=township, family=family, kind=care_kind(), occurred_on=days_ago(360))
    assert CareRecord.objects.count() == 1


# --- needs ----------------------------------------------------------------------------------------


def test_need_raise_and_resolve(township, village, volunteer):
    family = register(township)
    assign(township, family, user=volunteer)
    record = services.care_log(
        actor=volunteer, family=family, kind=care_kind(), occurred_on=today()
    )
    need = services.need_raise(
        actor=volunteer,
        family=family,
        description=" 需要陪同就医 ",
        owner=village,
        due_date=today() + datetime.timedelta(days=7),
        raised_in=record,
    )
    assert (need.description, need.status, need.owner, need.raised_in) == (
        "需要陪同就医",
        "open",
        village,
        record,
    )
    progressing = services.need_update(actor=village, need=need, status="in_progress")
    assert progressing.closed_on is None
    with pytest.raises(ServiceError, match="办结时请填写办理结果") as caught:
        services.need_update(actor=village, need=need, status="resolved", result=" ")
    assert caught.value.field == "result"
    with pytest.raises(ServiceError, match="状态不正确"):
        services.need_update(actor=village, need=need, status="done", result="好了")
    mark = last_id()
    resolved = services.need_update(
        actor=volunteer, need=need, status="resolved", result="已联系卫生院陪同就医"
    )
    assert (resolved.status, resolved.closed_on) == ("resolved", today())
    (event,) = events_since(mark)
    assert event.changes["status"] == ["in_progress", "resolved"]
    reopened = services.need_update(actor=village, need=need, status="open")
    assert reopened.closed_on is None


def test_need_owner_must_be_an_active_account_that_covers_the_family(
    township, township2, village, finance, sysadmin
):
    from fpa.accounts.services import user_update

    family = register(township)
    for owner in (township2, finance):
        with pytest.raises(ServiceError, match="责任人") as caught:
            services.need_raise(actor=township, family=family, description="修缮房屋", owner=owner)
        assert caught.value.field == "owner"
    user_update(actor=sysadmin, user=village, full_name="", phone=None, is_active=False)
    with pytest.raises(ServiceError, match="责任人"):
        services.need_raise(actor=township, family=family, description="修缮房屋", owner=village)
    assert not Need.objects.exists()
    assert (
        services.need_raise(
            actor=township, family=family, description="修缮房屋", owner=township
        ).owner
        == township
    )


def test_need_rules_and_scope(township, township2, volunteer):
    family = register(township)
    other = register(township)
    with pytest.raises(ServiceError, match="请填写诉求内容"):
        services.need_raise(actor=township, family=family, description=" ")
    with pytest.raises(NotAllowed):
        services.need_raise(actor=township2, family=family, description="越权")
    with pytest.raises(NotAllowed):
        services.need_raise(actor=volunteer, family=family, description="不是联系人")
    elsewhere = services.care_log(
        actor=township, family=other, kind=care_kind(), occurred_on=today()
    )
    with pytest.raises(ServiceError) as caught:
        services.need_raise(
            actor=township, family=family, description="张冠李戴", raised_in=elsewhere
        )
    assert caught.value.field == "raised_in"
    need = services.need_raise(actor=township, family=family, description="申请临时救助")
    with pytest.raises(NotAllowed):
        services.need_update(actor=township2, need=need, status="closed", result="越权")
    assert Need.objects.get(pk=need.pk).status == "open"


# --- rates, supports, campaigns -------------------------------------------------------------------


def test_rate_set_is_for_county_admins(county, township):
    mark = last_id()
    rate = services.rate_set(
        actor=county,
        kind="bereaved",
        monthly_amount=Decimal("800"),
        valid_from=datetime.date(2024, 1, 1),
        note="永靖县标准",
    )
    assert PaymentRate.objects.filter(kind="bereaved").count() == 2
    (event,) = events_since(mark)
    assert event.action == "create"
    assert event.scope_path == county.home_association.path
    updated = services.rate_set(
        actor=county,
        kind="bereaved",
        monthly_amount=Decimal("820"),
        valid_from=datetime.date(2024, 1, 1),
    )
    assert updated.pk == rate.pk
    assert PaymentRate.objects.get(pk=rate.pk).monthly_amount == Decimal("820")
    event = events_since(mark)[-1]
    assert event.action == "update"
    assert event.changes["monthly_amount"] == ["800.00", "820"]
    with pytest.raises(NotAllowed):
        services.rate_set(
            actor=township,
            kind="bereaved",
            monthly_amount=Decimal("900"),
            valid_from=datetime.date(2025, 1, 1),
        )
    for amount in (Decimal("0"), Decimal("-1"), Decimal("100001")):
        with pytest.raises(ServiceError, match="金额"):
            services.rate_set(
                actor=county, kind="bereaved", monthly_amount=amount, valid_from=today()
            )
    with pytest.raises(ServiceError) as caught:
        services.rate_set(
            actor=county, kind="nonsense", monthly_amount=Decimal("100"), valid_from=today()
        )
    assert caught.value.field == "kind"
    assert PaymentRate.objects.count() == 3


def test_support_add(township, township2):
    family = register(township)
    mark = last_id()
    doctor = services.support_add(
        actor=township,
        family=family,
        kind=Support.Kind.DOCTOR,
        provider="刘家峡镇卫生院",
        reference="王医生",
        start_date=days_ago(30),
        end_date=today() + datetime.timedelta(days=335),
    )
    assert doctor.is_current_on(today())
    (event,) = events_since(mark)
    assert (event.action, event.object_type) == ("create", "families.support")
    with pytest.raises(ServiceError, match="截止日期不能早于开始日期"):
        services.support_add(
            actor=township,
            family=family,
            kind=Support.Kind.INSURANCE,
            provider="人保财险",
            start_date=today(),
            end_date=days_ago(1),
        )
    with pytest.raises(ServiceError) as caught:
        services.support_add(
            actor=township, family=family, kind="bogus", provider="某处", start_date=today()
        )
    assert caught.value.field == "kind"
    with pytest.raises(NotAllowed):
        services.support_add(
            actor=township2,
            family=family,
            kind=Support.Kind.GREEN_CHANNEL,
            provider="永靖县人民医院",
            start_date=today(),
        )
    assert Support.objects.count() == 1


def test_campaign_create(township, township2):
    mark = last_id()
    campaign = services.campaign_create(
        actor=township,
        association=assoc(LIUJIAXIA),
        name=" 2026年春节走访 ",
        start_date=datetime.date(2026, 1, 20),
        end_date=datetime.date(2026, 2, 20),
    )
    assert campaign.name == "2026年春节走访"
    (event,) = events_since(mark)
    assert (event.object_type, event.scope_path) == ("families.campaign", assoc(LIUJIAXIA).path)
    with pytest.raises(ServiceError, match="结束日期不能早于开始日期"):
        services.campaign_create(
            actor=township,
            association=assoc(LIUJIAXIA),
            name="倒置",
            start_date=datetime.date(2026, 2, 20),
            end_date=datetime.date(2026, 1, 20),
        )
    with pytest.raises(ServiceError) as caught:
        services.campaign_create(
            actor=township,
            association=assoc(LIUJIAXIA),
            name=" ",
            start_date=datetime.date(2026, 1, 20),
            end_date=datetime.date(2026, 2, 20),
        )
    assert caught.value.field == "name"
    with pytest.raises(NotAllowed):
        services.campaign_create(
            actor=township2,
            association=assoc(LIUJIAXIA),
            name="越权",
            start_date=datetime.date(2026, 1, 20),
            end_date=datetime.date(2026, 2, 20),
        )
    assert Campaign.objects.count() == 1
    assert list(Campaign.objects.visible_to(township2)) == []


# --- many families at once (the import path) ------------------------------------------------------


def many(n: int, code: str = DAZHUANG) -> list[dict[str, Any]]:
    return [
        {
            "association": assoc(code),
            "kind": Family.Kind.BEREAVED,
            "people": [mother(name=f"王{i}兰"), father(name=f"李{i}国"), child()],
        }
        for i in range(n)
    ]


def test_families_register_writes_what_one_by_one_writes(township):
    single_mark = last_id()
    register(township, people=[mother(name="王一兰"), father(name="李一国"), child()])
    single_events = events_since(single_mark)
    mark = last_id()
    items = many(3)
    created = services.families_register(actor=township, families=items)
    stored = list(Family.objects.filter(pk__in=created).order_by("id"))
    assert [f.pk for f in stored] == created
    assert [f.head_name for f in stored] == ["王0兰", "王1兰", "王2兰"]
    for family, item in zip(stored, items, strict=True):
        assert (family.head_pinyin, family.head_initials) == pinyin_forms(family.head_name)
        assert (family.status, family.version, family.one_child_only) == ("active", 1, True)
        assert family.registered_on == timezone.localdate()
        people = {p.role: p for p in family.people.all()}
        assert people["mother"].id_number.reveal_unchecked() == item["people"][0]["id_number"]
        assert people["mother"].birth_date == MOTHER_BIRTH and people["mother"].sex == "F"
        assert people["father"].sex == "M"
        # Written below the ORM, found by the ORM: the search hashes and the timestamps.
        number = item["people"][0]["id_number"]
        assert (
            Person.objects.get(id_number_hash=blind_index("id_number", number)) == people["mother"]
        )
        assert people["mother"].created_at is not None and family.updated_at is not None
    events = events_since(mark)
    # One create row per family and per person, with the same fields as the one-by-one path.
    assert sorted(e.object_type for e in events) == sorted(
        ["families.family"] * 3 + ["families.person"] * 9
    )
    fields = {
        e.object_type: set(e.changes) - {"head_name", "head_pinyin", "head_initials"}
        for e in single_events
    }
    for event in events:
        assert (
            set(event.changes) - {"head_name", "head_pinyin", "head_initials"}
            == fields[event.object_type]
        )
        assert event.scope_path == assoc(DAZHUANG).path and event.actor_username == "township"
        assert event.actor_id == township.pk and event.action == "create"
    # Each row holds exactly what `audit_create` would write for the stored object.
    by_object = {(e.object_type, e.object_id): e for e in events}
    for family in stored:
        event = by_object[("families.family", str(family.pk))]
        assert event.object_repr == str(family)
        expected = {k: [None, v] for k, v in snapshot(family).items()}
        assert event.changes == json.loads(json.dumps(expected))
        for person in family.people.all():
            event = by_object[("families.person", str(person.pk))]
            assert event.object_repr == str(person)
            expected = {
                k: [None, v]
                for k, v in snapshot(person).items()
                if k not in services.PERSON_AUDIT_EXCLUDE
            }
            assert event.changes == json.loads(json.dumps(expected))
    assert_masked(
        events, *(p["id_number"] for item in items for p in item["people"] if "id_number" in p)
    )
    # The reads do not depend on the number of families; the inserts only on the database's
    # batch size (SQLite binds at most 999 parameters a statement).
    three, thirty = many(3), many(30)
    with CaptureQueriesContext(connection) as few:
        services.families_register(actor=township, families=three)
    with CaptureQueriesContext(connection) as more:
        services.families_register(actor=township, families=thirty)

    def statements(context: CaptureQueriesContext) -> list[str]:
        # "9 times: INSERT …" is how Django logs one executemany.
        return [
            re.sub(r"^\d+ times: ", "", q["sql"]).split()[0].upper()
            for q in context.captured_queries
        ]

    # The actor's roles (for the permission and for the audit rows), the duplicate check, the
    # reserved ids of families and people, then one insert each of families, people and audit
    # rows (COPY on PostgreSQL, which Django does not log).
    assert statements(few) == statements(more)
    assert statements(few).count("SELECT") == 5
    assert statements(few).count("INSERT") == (0 if connection.vendor == "postgresql" else 3)


def test_families_register_is_all_or_nothing_with_every_problem_by_position(township):
    taken = register(township).people.get(role="mother").id_number.reveal_unchecked()
    before = counts()
    items = many(5)
    items[1]["people"][0]["id_number"] = taken  # registered already
    items[3]["people"] = [child()]  # no parent
    items[4]["people"][1]["id_number"] = items[2]["people"][1]["id_number"]  # twice in the call
    with pytest.raises(ServiceErrors) as caught:
        services.families_register(actor=township, families=items)
    problems = [(position, error.field) for position, error in caught.value.errors]
    assert problems == [(1, "id_number"), (3, "people"), (4, "id_number")]
    assert "已登记在大庄村" in caught.value.errors[0][1].message
    # Each duplicate names whose number it is (the role), so a page can put it on that field.
    roles = {position: error.about for position, error in caught.value.errors}
    assert roles[1] == items[1]["people"][0]["role"] and roles[4] == items[4]["people"][1]["role"]
    assert roles[3] is None
    assert counts() == before


def test_families_register_refuses_outside_the_scope_and_without_the_role(
    township, township2, volunteer
):
    before = counts()
    with pytest.raises(ServiceErrors) as caught:
        services.families_register(actor=township2, families=many(2))
    assert {type(error) for _, error in caught.value.errors} == {NotAllowed}
    with pytest.raises(NotAllowed):
        services.families_register(actor=volunteer, families=many(1))
    assert counts() == before


# --- the audit trail ------------------------------------------------------------------------------

# Which test above leaves the audit rows of each public service.
AUDITED = {
    "family_register": test_register_family_with_its_people,
    "families_register": test_families_register_writes_what_one_by_one_writes,
    "person_add": test_person_add_refuses_a_second_mother,
    "person_update": test_person_update_derives_birth_and_sex_and_bumps_the_family,
    "family_update": test_family_update_audits_the_change_and_refuses_stale_saves,
    "family_change_status": test_change_status_needs_a_reason_records_it_and_ends_contacts,
    "rate_set": test_rate_set_is_for_county_admins,
    "support_add": test_support_add,
    "contact_assign": test_contact_assign_and_end,
    "contact_end": test_contact_assign_and_end,
    "contacts_reassign": test_reassign_moves_every_family_in_scope_in_one_call,
    "care_log": test_a_contact_person_without_edit_rights_logs_care_for_their_own_families,
    "need_raise": test_need_raise_and_resolve,
    "need_update": test_need_raise_and_resolve,
    "campaign_create": test_campaign_create,
    "care_photo_add": photo_tests.test_a_stored_photo_has_no_exif_a_random_name_and_an_audit_row,
    "care_photos_add": photo_tests.test_photos_added_to_an_existing_record,
    "roster_contact_phones": roster_tests.test_contacts_in_full_heads_masked_one_audit_row,
    "payment_roster_reveal": payment_tests.test_full_names_after_a_reason_audited,
    "payment_roster_exported": payment_tests.test_the_full_workbook_needs_a_reason_and_is_audited,
}
NOT_WRITES = {"duplicate_of"}


def test_every_public_family_service_is_covered():
    public = {
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if function.__module__.startswith(f"{services.__name__}.") and not name.startswith("_")
    }
    assert public - NOT_WRITES == set(AUDITED)


def test_every_service_writes_masked_audit_rows(township, county, volunteer):
    mark = last_id()
    people = [mother(), father(), child(id_number=id_number(datetime.date(1995, 1, 1), "M"))]
    family = register(township, people=people)
    person = family.people.get(role="mother")
    new_id, new_phone = id_number(datetime.date(1971, 7, 7)), "13612345678"
    extra = child(name="李红", id_number=id_number(datetime.date(1996, 8, 8)), phone=phone())
    secrets = [
        *(p["id_number"] for p in [*people, extra]),
        people[0]["phone"],
        extra["phone"],
        new_id,
        new_phone,
        "13987654321",
    ]
    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "person_update",
            lambda: services.person_update(
                actor=township, person=person, id_number=new_id, phone=new_phone
            ),
        ),
        ("person_add", lambda: services.person_add(actor=township, family=family, **extra)),
        (
            "family_update",
            lambda: services.family_update(actor=township, family=family, address="新地址"),
        ),
        ("contact_assign", lambda: assign(township, family, user=volunteer, phone="13987654321")),
        (
            "care_log",
            lambda: services.care_log(
                actor=volunteer, family=family, kind=care_kind(), occurred_on=today()
            ),
        ),
        (
            "need_raise",
            lambda: services.need_raise(actor=volunteer, family=family, description="修缮房屋"),
        ),
        (
            "rate_set",
            lambda: services.rate_set(
                actor=county, kind="bereaved", monthly_amount=Decimal("700"), valid_from=today()
            ),
        ),
    ]
    for name, step in steps:
        before = last_id()
        step()
        assert events_since(before), f"{name} wrote no audit row"
    events = events_since(mark)
    assert {e.object_type for e in events} >= {
        "families.family",
        "families.person",
        "families.contact",
        "families.carerecord",
        "families.need",
        "families.paymentrate",
    }
    assert_masked(events, *secrets)
    for event in events:
        if event.object_type == "families.person":
            # Derived from the ID number: with the mask they would give the number back.
            assert not {"birth_date", "sex", "id_number_hash", "phone_hash"} & set(event.changes)


def test_long_text_is_refused_with_its_length_never_cut(township):
    """A reason or note longer than its column is a clear error on its field and nothing is
    written (it used to be cut silently at the limit)."""
    from fpa.core.errors import within

    assert within("一" * 300, 300, field="reason") == "一" * 300
    family = register(township)
    before = (counts(), AuditEvent.objects.count())
    with pytest.raises(ServiceError, match="最多300个字，现有301个字") as caught:
        services.family_change_status(
            actor=township,
            family=family,
            status="moved_out",
            effective_date=today(),
            reason="迁" * 301,
        )
    assert caught.value.field == "reason"
    with pytest.raises(ServiceError, match="最多5000个字") as caught:
        services.care_log(
            actor=township,
            family=family,
            kind=care_kind(),
            occurred_on=today(),
            notes="记" * 5001,
        )
    assert caught.value.field == "notes"
    assert (counts(), AuditEvent.objects.count()) == before
    family.refresh_from_db()
    assert family.status == "active"
