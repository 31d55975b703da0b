"""The audit trail: every write service leaves a row with what changed (personal values masked), the
table is append-only at the database, a failed audit write undoes the change, sign-in events are
recorded, and the audit page shows each reader only their own subtree."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import inspect
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from fpa.accounts import services as account_services
from fpa.accounts.models import ApiToken, User
from fpa.accounts.roles import Role
from fpa.core import services as core_services
from fpa.core.audit import diff, snapshot
from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from fpa.core.services import protected_reveal
from fpa.organizations import services as org_services
from fpa.organizations.divisions import read_file
from fpa.organizations.models import (
    Association,
    AssociationChange,
    BodySeat,
    Filing,
    StaffMember,
    Training,
)
from tests.conftest import (
    DAZHUANG,
    LIUJIAXIA,
    PASSWORD,
    YANGUOXIA,
    YONGJING,
    make_user,
    staff_in,
)

ID_NUMBER = "622923198001010057"
PHONE = "13912341234"
NEW_PHONE = "13955551234"  # same mask as PHONE: 139****1234


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))


def only_event(mark: int, **expected: Any) -> AuditEvent:
    events = events_since(mark)
    assert len(events) == 1, [(e.action, e.object_type, e.changes) for e in events]
    event = events[0]
    for key, value in expected.items():
        assert getattr(event, key) == value, (key, getattr(event, key), value)
    return event


def assert_no_plaintext(events: list[AuditEvent], *secrets: str) -> None:
    for event in events:
        text = " ".join(
            [json.dumps(event.changes, ensure_ascii=False), event.object_repr, event.reason]
        )
        for secret in secrets:
            assert secret not in text, (secret, text)


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


# --- every service is audited -----------------------------------------------------------------

SCENARIOS: dict[str, Callable[..., None]] = {}


def scenario(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(test: Callable[..., None]) -> Callable[..., None]:
        for name in names:
            SCENARIOS[f"{test.__module__}.{name}"] = test
        return test

    return register


# Public functions of the service modules that are not writes and so leave no audit row.
NOT_WRITES = {
    "fpa.accounts.services.token_authenticate",  # a read; only stamps last_used_at
}


def test_every_service_function_has_an_audit_scenario():
    public = set()
    for module in (org_services, account_services, core_services):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            defined_here = function.__module__ == module.__name__ or function.__module__.startswith(
                f"{module.__name__}."
            )  # a module, or a package of sub-domain modules
            if defined_here and not name.startswith("_"):
                public.add(f"{module.__name__}.{name}")
    covered = {name.split(".", 2)[2] for name in SCENARIOS}  # strip "tests.test_audit."
    missing = public - covered - NOT_WRITES
    assert not missing, f"services without an audit test: {sorted(missing)}"
    assert public >= NOT_WRITES, "NOT_WRITES names a function that no longer exists"
    assert "fpa.organizations.services.staff_create" in public  # the packages are seen


@scenario("fpa.accounts.services.address_lockout")
def test_address_lockout_records_the_address_without_an_actor(db):
    mark = last_id()
    account_services.address_lockout(
        actor=None, ip="198.51.100.7", failures=10, minutes=15, username="township"
    )
    event = only_event(
        mark,
        action=AuditEvent.Action.LOCKOUT,
        object_type="accounts.address",
        object_repr="198.51.100.7",
        actor=None,
        actor_username="township",
    )
    assert event.changes == {"failures": [None, 10], "minutes": [None, 15]}
    assert "10" in event.reason and "15" in event.reason


@scenario("fpa.organizations.services.divisions_load")
def test_divisions_load_records_a_summary(yongjing, county):
    rows = read_file(YONGJING)
    renamed = [
        dataclasses.replace(r, name="大庄新村委会") if r.code == DAZHUANG else r for r in rows
    ]
    mark = last_id()
    org_services.divisions_load(rows=renamed, valid_from=datetime.date(2024, 1, 1), actor=county)
    event = only_event(
        mark,
        action=AuditEvent.Action.CREATE,
        object_type="organizations.association",
        actor=county,
    )
    summary = event.changes["summary"]
    assert summary[0] is None
    assert summary[1]["renamed"] == 1
    assert summary[1]["created"] == 0
    assert assoc(DAZHUANG).name == "大庄新村委会计生协"


@scenario(
    "fpa.organizations.services.association_create",
    "fpa.organizations.services.association_rename",
    "fpa.organizations.services.association_close",
    "fpa.organizations.services.association_set_contact",
)
def test_association_create_rename_close(township):
    liujiaxia = assoc(LIUJIAXIA)
    mark = last_id()
    created = org_services.association_create(
        actor=township, parent=liujiaxia, kind=Association.Kind.ENTERPRISE, name="某企业计生协"
    )
    event = only_event(
        mark,
        action=AuditEvent.Action.CREATE,
        actor=township,
        object_type="organizations.association",
        object_id=str(created.pk),
        scope_path=created.path,
        actor_association=LIUJIAXIA,
        actor_roles=Role.TOWNSHIP_STAFF,
    )
    assert event.changes["name"] == [None, "某企业计生协"]
    assert event.changes["code"] == [None, created.code]
    assert event.changes["parent"] == [None, liujiaxia.pk]

    village = assoc(DAZHUANG)
    old_name = village.name
    mark = last_id()
    org_services.association_rename(
        actor=township,
        association=village,
        name="大庄社区计生协",
        effective_date=datetime.date(2024, 3, 1),
        note="民政批复",
    )
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(village.pk))
    assert event.changes == {
        "division_name": [village.division_name, "大庄社区"],
        "name": [old_name, "大庄社区计生协"],
    }
    assert event.reason == "民政批复"

    mark = last_id()
    org_services.association_set_contact(
        actor=township, association=village, address="大庄村委会", public_phone="0930-1234567"
    )
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(village.pk))
    assert event.changes == {
        "address": ["", "大庄村委会"],
        "public_phone": ["", "0930-1234567"],
        "version": [village.version + 1, village.version + 2],
    }

    other = Association.objects.filter(parent=liujiaxia, kind="village").exclude(pk=village.pk)[0]
    mark = last_id()
    org_services.association_close(
        actor=township,
        association=village,
        effective_date=datetime.date(2024, 6, 30),
        merged_into=other,
    )
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(village.pk))
    assert event.changes == {
        "successor": [None, other.pk],
        "valid_to": [None, "2024-06-30"],
    }
    assert event.scope_path == village.path


@scenario(
    "fpa.organizations.services.staff_create",
    "fpa.organizations.services.staff_update",
    "fpa.organizations.services.staff_end_term",
)
def test_staff_create_update_end_mask_personal_values(township):
    mark = last_id()
    staff = staff_in(township, LIUJIAXIA, id_number=ID_NUMBER, phone=PHONE)
    event = only_event(
        mark,
        action=AuditEvent.Action.CREATE,
        object_type="organizations.staffmember",
        object_id=str(staff.pk),
        scope_path=assoc(LIUJIAXIA).path,
    )
    assert event.changes["id_number"] == [None, "622923********0057"]
    assert event.changes["phone"] == [None, "139****1234"]
    # The year only: with the full date the masked ID number could be rebuilt.
    assert event.changes["birth_date"] == [None, 1980]
    assert "1980-01-01" not in json.dumps(event.changes)
    assert "id_number_hash" not in event.changes and "phone_hash" not in event.changes
    assert event.changes["name"] == [None, staff.name]
    assert_no_plaintext([event], ID_NUMBER, PHONE)

    mark = last_id()
    org_services.staff_update(
        actor=township, staff=staff, phone="0930-7654321", post="president", expected_version=1
    )
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(staff.pk))
    assert event.changes == {
        "phone": ["139****1234", "0930-***4321"],
        "post": ["officer", "president"],
        "version": [1, 2],  # lets a refused stale save name what changed
    }
    assert_no_plaintext([event], "0930-7654321", "09307654321", PHONE)

    mark = last_id()
    staff.refresh_from_db()
    with pytest.raises(ServiceError):
        org_services.staff_update(actor=township, staff=staff, name="  ")  # refused: no row
    assert events_since(mark) == []


def test_staff_update_hidden_by_the_mask_is_still_recorded(township):
    staff = staff_in(township, LIUJIAXIA, phone=PHONE)
    mark = last_id()
    org_services.staff_update(actor=township, staff=staff, phone=NEW_PHONE)
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(staff.pk))
    assert event.changes == {"phone": ["139****1234", "139****1234"], "version": [1, 2]}
    assert_no_plaintext([event], PHONE, NEW_PHONE)
    # And saving the same value again records nothing.
    mark = last_id()
    staff.refresh_from_db()
    org_services.staff_update(actor=township, staff=staff, phone=NEW_PHONE)
    assert events_since(mark) == []


@scenario("fpa.organizations.services.staff_end_term")
def test_staff_end_term(township):
    staff = staff_in(township, LIUJIAXIA, presides_daily_work=True)
    mark = last_id()
    org_services.staff_end_term(
        actor=township, staff=staff, left_on=datetime.date(2024, 5, 1), reason="调离"
    )
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(staff.pk))
    assert event.changes == {
        "left_on": [None, "2024-05-01"],
        "presides_daily_work": [True, False],
    }
    assert event.reason == "调离"


@scenario("fpa.organizations.services.training_record")
def test_training_record(township):
    staff = staff_in(township, LIUJIAXIA)
    mark = last_id()
    training = org_services.training_record(
        actor=township,
        staff=staff,
        course="计生协业务培训",
        start_date=datetime.date(2024, 4, 1),
        hours=Decimal("8.0"),
    )
    event = only_event(
        mark,
        action=AuditEvent.Action.CREATE,
        object_type="organizations.training",
        object_id=str(training.pk),
        scope_path=assoc(LIUJIAXIA).path,
    )
    assert event.changes["course"] == [None, "计生协业务培训"]
    assert event.changes["hours"] == [None, "8.0"]
    assert event.changes["staff"] == [None, staff.pk]


@scenario(
    "fpa.organizations.services.filing_submit",
    "fpa.organizations.services.filing_accept",
    "fpa.organizations.services.filing_return",
)
def test_filing_submit_accept_supersede_return(village, township, county):
    dazhuang = assoc(DAZHUANG)
    person = staff_in(county, DAZHUANG, presides_daily_work=True)
    mark = last_id()
    first = org_services.filing_submit(actor=village, association=dazhuang, person=person)
    event = only_event(
        mark,
        action=AuditEvent.Action.CREATE,
        object_type="organizations.filing",
        actor=village,
        scope_path=dazhuang.path,
    )
    assert event.changes["status"] == [None, "submitted"]
    assert event.changes["person"] == [None, person.pk]

    mark = last_id()
    org_services.filing_accept(actor=township, filing=first)
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(first.pk))
    assert event.changes["status"] == ["submitted", "accepted"]
    assert event.changes["reviewed_by"] == [None, township.pk]
    assert event.changes["reviewed_at"][0] is None

    second = org_services.filing_submit(actor=village, association=dazhuang, person=person)
    mark = last_id()
    org_services.filing_accept(actor=township, filing=second)
    events = events_since(mark)
    assert [(e.object_id, e.changes["status"]) for e in events] == [
        (str(first.pk), ["accepted", "superseded"]),
        (str(second.pk), ["submitted", "accepted"]),
    ]

    third = org_services.filing_submit(actor=village, association=dazhuang, person=person)
    mark = last_id()
    org_services.filing_return(actor=township, filing=third, reason="请附任职文件")
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(third.pk))
    assert event.changes["status"] == ["submitted", "returned"]
    assert event.changes["return_reason"] == ["", "请附任职文件"]
    assert event.reason == "请附任职文件"


@scenario("fpa.organizations.services.seat_add", "fpa.organizations.services.seat_end")
def test_seat_add_and_end(township):
    mark = last_id()
    seat = org_services.seat_add(
        actor=township,
        association=assoc(LIUJIAXIA),
        body=BodySeat.Body.COUNCIL,
        name="马某",
        source=BodySeat.Source.VOLUNTEER,
        term_year=2023,
        sex="F",
    )
    event = only_event(
        mark,
        action=AuditEvent.Action.CREATE,
        object_type="organizations.bodyseat",
        object_id=str(seat.pk),
    )
    assert event.changes["source"] == [None, "volunteer"]
    mark = last_id()
    org_services.seat_end(actor=township, seat=seat, ended_on=datetime.date(2024, 12, 31))
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(seat.pk))
    assert event.changes == {"ended_on": [None, "2024-12-31"]}


@scenario(
    "fpa.accounts.services.user_create",
    "fpa.accounts.services.user_update",
    "fpa.accounts.services.user_set_roles",
    "fpa.accounts.services.user_reset_password",
)
def test_account_administration(sysadmin, secadmin):
    mark = last_id()
    user = account_services.user_create(
        actor=sysadmin,
        username="new-staff",
        password="First-Passw0rd!",
        full_name="新专干",
        home_association=assoc(LIUJIAXIA),
        phone=PHONE,
    )
    event = only_event(
        mark,
        action=AuditEvent.Action.CREATE,
        object_type="accounts.user",
        object_id=str(user.pk),
        actor=sysadmin,
        actor_roles=Role.SYSTEM_ADMIN,
        scope_path=assoc(LIUJIAXIA).path,
    )
    assert event.changes["username"] == [None, "new-staff"]
    assert event.changes["phone"] == [None, "139****1234"]
    assert event.changes["home_association"] == [None, assoc(LIUJIAXIA).pk]
    assert "password" not in event.changes
    assert_no_plaintext([event], PHONE, "First-Passw0rd!", user.password)

    mark = last_id()
    account_services.user_set_roles(
        actor=secadmin, user=user, roles=[Role.VILLAGE_STAFF], home_association=assoc(DAZHUANG)
    )
    events = events_since(mark)
    assert [e.changes for e in events] == [
        {"home_association": [assoc(LIUJIAXIA).pk, assoc(DAZHUANG).pk]},
        {"roles": [[], ["village_staff"]]},
    ]
    assert {e.actor for e in events} == {secadmin}

    user = User.objects.get(pk=user.pk)
    mark = last_id()
    account_services.user_update(
        actor=sysadmin, user=user, full_name="新专干甲", phone=NEW_PHONE, is_active=False
    )
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(user.pk))
    assert event.changes == {
        "full_name": ["新专干", "新专干甲"],
        "is_active": [True, False],
        "phone": ["139****1234", "139****1234"],
    }
    assert_no_plaintext([event], PHONE, NEW_PHONE)

    mark = last_id()
    account_services.user_reset_password(actor=sysadmin, user=user, password="Reset-Passw0rd!")
    event = only_event(mark, action=AuditEvent.Action.UPDATE, object_id=str(user.pk))
    assert event.changes == {"password": ["***", "***"]}
    user.refresh_from_db()
    assert_no_plaintext([event], "Reset-Passw0rd!", user.password)


@scenario("fpa.accounts.services.password_change")
def test_password_change(township):
    mark = last_id()
    account_services.password_change(
        user=township, old_password=PASSWORD, new_password="Changed-Passw0rd!"
    )
    event = only_event(
        mark, action=AuditEvent.Action.UPDATE, actor=township, object_id=str(township.pk)
    )
    assert event.changes == {"password": ["***", "***"]}
    assert_no_plaintext([event], PASSWORD, "Changed-Passw0rd!", township.password)


@scenario("fpa.accounts.services.token_issue", "fpa.accounts.services.token_revoke")
def test_token_issue_and_revoke(township):
    mark = last_id()
    token, plain = account_services.token_issue(user=township, name="脚本")
    event = only_event(
        mark,
        action=AuditEvent.Action.TOKEN,
        object_type="accounts.apitoken",
        object_id=str(token.pk),
    )
    assert event.changes == {"issued": [None, token.prefix]}
    assert_no_plaintext([event], plain, token.digest)
    mark = last_id()
    account_services.token_revoke(user=township, token=token)
    event = only_event(mark, action=AuditEvent.Action.TOKEN, object_id=str(token.pk))
    assert event.changes == {"revoked": [None, token.prefix]}


@scenario("fpa.core.services.protected_reveal")
def test_protected_reveal(township):
    staff = staff_in(township, LIUJIAXIA, phone=PHONE)
    mark = last_id()
    assert (
        protected_reveal(actor=township, obj=staff, field="phone", reason="回访", scope_path="/x/")
        == PHONE
    )
    event = only_event(mark, action=AuditEvent.Action.REVEAL, object_id=str(staff.pk))
    assert event.changes == {"field": "phone"}
    assert_no_plaintext([event], PHONE)


def test_snapshot_masks_a_value_assigned_but_not_yet_cleaned(yongjing):
    staff = StaffMember(association=assoc(LIUJIAXIA), name="未保存", phone=PHONE)
    values = snapshot(staff, ["phone", "name"])
    assert values["phone"] == "139****1234"
    assert PHONE not in json.dumps(values)
    assert diff({"phone": None}, values)["phone"] == [None, "139****1234"]


# --- append-only ------------------------------------------------------------------------------


@pytest.fixture
def some_events(township):
    staff_in(township, LIUJIAXIA)
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) >= 2
    return events


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET reason = 'rewritten'",
        "UPDATE core_auditevent SET actor_username = 'someone' WHERE id = {id}",
        "DELETE FROM core_auditevent",
        "DELETE FROM core_auditevent WHERE id = {id}",
    ],
)
def test_raw_update_and_delete_are_refused_by_the_database(some_events, sql):
    target = some_events[-1]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(id=target.pk))
    assert list(AuditEvent.objects.order_by("id")) == some_events
    fresh = AuditEvent.objects.get(pk=target.pk)
    assert (fresh.reason, fresh.actor_username) == (target.reason, target.actor_username)


def test_orm_update_and_delete_are_refused_too(some_events):
    target = some_events[-1]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).delete()
    target.reason = "rewritten"
    with pytest.raises(DatabaseError), transaction.atomic():
        target.save()
    assert AuditEvent.objects.get(pk=target.pk).reason == ""
    assert AuditEvent.objects.count() == len(some_events)


# --- a failed audit write undoes the change ---------------------------------------------------


@contextlib.contextmanager
def audit_store_fails() -> Iterator[None]:
    """Make every INSERT into the audit table fail, for real, at the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TEMP TRIGGER fpa_test_audit_fails BEFORE INSERT ON core_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION fpa_test_audit_fails() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'audit store unavailable'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER fpa_test_audit_fails BEFORE INSERT ON core_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION fpa_test_audit_fails()"
            )
        else:
            pytest.fail(f"no failing-audit trigger written for {connection.vendor}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER IF EXISTS fpa_test_audit_fails")
            else:
                cursor.execute("DROP TRIGGER IF EXISTS fpa_test_audit_fails ON core_auditevent")
                cursor.execute("DROP FUNCTION IF EXISTS fpa_test_audit_fails()")


def counts() -> dict[str, int]:
    models = [
        Association,
        AssociationChange,
        StaffMember,
        Training,
        Filing,
        BodySeat,
        User,
        ApiToken,
        AuditEvent,
    ]
    return {m.__name__: m.objects.count() for m in models}


def test_the_failing_trigger_really_fails_inserts(township):
    with audit_store_fails(), pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.create(action=AuditEvent.Action.LOGIN)
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN)  # and is gone afterwards


def test_failed_audit_write_rolls_back_creates(township, sysadmin, county):
    staff = staff_in(county, LIUJIAXIA, phone=PHONE)
    before = counts()
    calls = {
        "staff_create": lambda: staff_in(township, LIUJIAXIA),
        "association_create": lambda: org_services.association_create(
            actor=township, parent=assoc(LIUJIAXIA), kind="enterprise", name="某企业计生协"
        ),
        "seat_add": lambda: org_services.seat_add(
            actor=township,
            association=assoc(LIUJIAXIA),
            body="council",
            name="马某",
            source="volunteer",
            term_year=2023,
        ),
        "user_create": lambda: account_services.user_create(
            actor=sysadmin,
            username="never-created",
            password="First-Passw0rd!",
            home_association=assoc(LIUJIAXIA),
        ),
        "token_issue": lambda: account_services.token_issue(user=township),
        "training_record": lambda: org_services.training_record(
            actor=township,
            staff=staff,
            course="培训",
            start_date=datetime.date(2024, 1, 1),
            hours=Decimal(2),
        ),
    }
    for name, call in calls.items():
        with audit_store_fails(), pytest.raises(DatabaseError):
            call()
        assert counts() == before, name


def test_failed_audit_write_rolls_back_updates(township, county):
    staff = staff_in(county, LIUJIAXIA, phone=PHONE)
    village = assoc(DAZHUANG)
    village_before = (village.name, village.valid_to, village.version)
    with audit_store_fails(), pytest.raises(DatabaseError):
        org_services.staff_update(actor=township, staff=staff, phone=NEW_PHONE, name="改名")
    with audit_store_fails(), pytest.raises(DatabaseError):
        org_services.staff_end_term(actor=township, staff=staff, left_on=datetime.date(2024, 1, 2))
    with audit_store_fails(), pytest.raises(DatabaseError):
        org_services.association_rename(
            actor=township,
            association=village,
            name="新名计生协",
            effective_date=datetime.date(2024, 1, 1),
        )
    with audit_store_fails(), pytest.raises(DatabaseError):
        org_services.association_close(
            actor=township, association=village, effective_date=datetime.date(2024, 1, 1)
        )
    fresh = StaffMember.objects.get(pk=staff.pk)
    assert fresh.phone.reveal_unchecked() == PHONE
    assert (fresh.name, fresh.version, fresh.left_on) == (staff.name, 1, None)
    village_now = assoc(DAZHUANG)
    assert (village_now.name, village_now.valid_to, village_now.version) == village_before
    assert not AssociationChange.objects.filter(
        association=village, kind__in=["rename", "close"]
    ).exists()


def test_failed_audit_write_means_no_reveal(township):
    staff = staff_in(township, LIUJIAXIA, phone=PHONE)
    with audit_store_fails(), pytest.raises(DatabaseError):
        protected_reveal(actor=township, obj=staff, field="phone", reason="回访", scope_path="/")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_failed_audit_write_on_the_web_changes_nothing(client_for, township):
    staff = staff_in(township, LIUJIAXIA, phone=PHONE)
    client = client_for(township)
    client.raise_request_exception = False
    with audit_store_fails():
        response = client.post(
            f"/org/staff/{staff.pk}/end/", {"left_on": "2024-05-01", "reason": "调离"}
        )
    assert response.status_code == 500
    assert StaffMember.objects.get(pk=staff.pk).left_on is None


# --- sign-in events ---------------------------------------------------------------------------


def login_post(client: Any, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_and_logout_are_recorded(client, township):
    mark = last_id()
    response = login_post(client, "township", PASSWORD)
    assert response.status_code == 302
    event = only_event(
        mark,
        action=AuditEvent.Action.LOGIN,
        actor=township,
        actor_username="township",
        object_id=str(township.pk),
        scope_path=assoc(LIUJIAXIA).path,
        ip="127.0.0.1",
    )
    assert event.actor_roles == Role.TOWNSHIP_STAFF
    mark = last_id()
    assert client.post("/accounts/logout/").status_code == 302
    only_event(mark, action=AuditEvent.Action.LOGOUT, actor=township, ip="127.0.0.1")


def test_failed_login_is_recorded_without_the_password(client, township):
    mark = last_id()
    response = login_post(client, "township", "Wrong-Passw0rd!")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()
    event = only_event(
        mark,
        action=AuditEvent.Action.LOGIN_FAILED,
        actor=None,
        actor_username="township",
        ip="127.0.0.1",
    )
    assert_no_plaintext([event], "Wrong-Passw0rd!")
    mark = last_id()
    login_post(client, "nobody-here", "Wrong-Passw0rd!")
    only_event(mark, action=AuditEvent.Action.LOGIN_FAILED, actor_username="nobody-here")


def test_lockout_after_five_failures_is_recorded(client, township, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    mark = last_id()
    statuses = [
        login_post(client, "township", f"Wrong-{n}-Passw0rd!").status_code for n in range(5)
    ]
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429
    events = events_since(mark)
    actions = [e.action for e in events]
    assert actions.count(AuditEvent.Action.LOGIN_FAILED) == 5
    assert actions.count(AuditEvent.Action.LOCKOUT) == 1
    lockout = next(e for e in events if e.action == AuditEvent.Action.LOCKOUT)
    assert lockout.actor_username == "township"
    assert "127.0.0.1" in lockout.object_repr
    # Locked out: even the right password is refused, and no sign-in is recorded.
    mark = last_id()
    response = login_post(client, "township", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(id__gt=mark, action=AuditEvent.Action.LOGIN).exists()


# --- the audit page ---------------------------------------------------------------------------


@pytest.fixture
def trail(county, township, client):
    """Events in 刘家峡镇, in 盐锅峡镇, at the county, and one with no scope (a failed login)."""
    here = staff_in(county, LIUJIAXIA, phone=PHONE)
    there = staff_in(county, YANGUOXIA)
    at_county = staff_in(county, "622923")
    login_post(client, "ghost", "Wrong-Passw0rd!")
    unscoped = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    protected_reveal(
        actor=township, obj=here, field="phone", reason="回访", scope_path=assoc(LIUJIAXIA).path
    )

    def event_of(staff: StaffMember) -> int:
        return AuditEvent.objects.get(
            object_type="organizations.staffmember",
            object_id=str(staff.pk),
            action=AuditEvent.Action.CREATE,
        ).pk

    return {
        "here": event_of(here),
        "there": event_of(there),
        "county": event_of(at_county),
        "unscoped": unscoped.pk,
    }


def listed(client: Any, **params: Any) -> set[int]:
    response = client.get("/audit/", params)
    assert response.status_code == 200
    assert PHONE not in response.content.decode()
    ids = {e.pk for e in response.context["page"].items}
    return ids


def test_auditor_and_county_see_their_subtree(client_for, trail, auditor, county):
    for user in (auditor, county):
        ids = listed(client_for(user))
        assert {trail["here"], trail["there"], trail["county"]} <= ids
        assert trail["unscoped"] not in ids


def test_township_level_auditor_sees_only_the_township(client_for, trail, auditor):
    local_auditor = make_user("auditor-ljx", LIUJIAXIA, Role.AUDITOR)
    client = client_for(local_auditor)
    ids = listed(client)
    assert trail["here"] in ids
    assert trail["there"] not in ids
    assert trail["county"] not in ids
    visible = AuditEvent.objects.filter(pk__in=ids)
    assert all(e.scope_path.startswith(assoc(LIUJIAXIA).path) for e in visible)
    # Filters do not widen the scope.
    there = AuditEvent.objects.get(pk=trail["there"])
    assert listed(client_for(auditor), q=there.object_repr) == {trail["there"]}
    assert listed(client, q=there.object_repr) == set()
    assert listed(client, action="create", q=there.object_repr) == set()


def test_audit_admin_sees_everything(client_for, trail, auditadmin):
    ids = listed(client_for(auditadmin))
    assert set(trail.values()) <= ids
    assert ids == set(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:50])


def test_township_staff_may_not_read_the_trail(client_for, trail, township):
    response = client_for(township).get("/audit/")
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, trail):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/audit/"


@scenario("fpa.accounts.services.otp_enrol_start", "fpa.accounts.services.otp_enrol")
def test_otp_enrolment_is_audited_once_started_and_once_confirmed(county):
    from django_otp.oath import TOTP

    mark = last_id()
    device = account_services.otp_enrol_start(user=county)
    assert account_services.otp_enrol_start(user=county).pk == device.pk  # one pending device
    started = only_event(mark, action=AuditEvent.Action.CREATE, object_type="otp.totpdevice")
    assert started.actor_id == county.pk and started.changes == {"confirmed": [None, False]}
    mark = last_id()
    assert not account_services.otp_enrol(user=county, device=device, token="000000x")
    assert last_id() == mark  # a wrong code changes nothing
    device.throttle_reset()  # django-otp makes the next try wait after a failure
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    assert account_services.otp_enrol(user=county, device=device, token=str(totp.token()).zfill(6))
    confirmed = only_event(mark, action=AuditEvent.Action.UPDATE, object_type="otp.totpdevice")
    assert confirmed.changes == {"confirmed": [False, True], "replaced": [0, 0]}
    assert_no_plaintext([started, confirmed], device.key)
