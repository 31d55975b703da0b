"""fpa.core.bulk: rows written below the ORM read back through the ORM exactly as if saved there,
and values are checked exactly as `full_clean` checks them. Runs on SQLite and on PostgreSQL
(where the rows go by COPY)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fpa.core import bulk
from fpa.core.errors import ServiceError, validate
from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent
from fpa.core.protected import Protected, blind_index
from fpa.families.models import Family, Person
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, race

pytestmark = pytest.mark.django_db

MOTHER = synthesize("622923", datetime.date(1970, 5, 6), 100)


def a_family(**values: Any) -> dict[str, Any]:
    association = Association.objects.get(code=DAZHUANG)
    return {"association_id": association.pk, "kind": "bereaved", **values}


def test_reserve_and_insert_refuse_outside_a_transaction(yongjing):
    # In a thread of its own, on its own connection in autocommit (the test's transaction is
    # this thread's).
    row = a_family()
    calls = [lambda: bulk.reserve_ids(Family, 2), lambda: bulk.insert(Family, [row])]
    for call in calls:
        results, errors = race([call])
        assert results == [] and [type(e) for e in errors] == [RuntimeError]
    assert Family.objects.count() == 0


def test_rows_read_back_through_the_orm_with_defaults_timestamps_and_encryption(yongjing):
    with transaction.atomic():
        family_id, second_id = bulk.reserve_ids(Family, 2)
        rows = [a_family(id=family_id, head_name="王芳"), a_family(id=second_id, address="三社")]
        assert bulk.insert(Family, rows) == 2
        person_id = bulk.reserve_ids(Person, 1)[0]
        person = {
            "id": person_id,
            "family_id": family_id,
            "role": "mother",
            "name": "王芳",
            "id_number": MOTHER.lower(),  # not yet canonical: normalised on the way in
            "phone": Protected("13912345678", "phone"),
        }
        bulk.insert(Person, [person])
    stored = Family.objects.get(pk=family_id)
    # Defaults as the model declares them, timestamps of now, the row completed for the audit.
    assert (stored.status, stored.version, stored.one_child_only, stored.later_child) == (
        "active",
        1,
        True,
        False,
    )
    assert stored.registered_on == timezone.localdate() and stored.created_at is not None
    assert rows[0]["status"] == "active" and rows[0]["created_at"] == stored.created_at
    assert Family.objects.get(pk=second_id).address == "三社"
    mother = Person.objects.get(pk=person_id)
    assert mother.family_id == family_id and mother.name == "王芳"
    assert mother.id_number.reveal_unchecked() == MOTHER
    assert mother.phone.reveal_unchecked() == "13912345678"
    # The search hashes are the ones the ORM would have computed: the lookups find the row.
    assert Person.objects.get(id_number_hash=blind_index("id_number", MOTHER.lower())) == mother
    assert Person.objects.get(phone_hash=blind_index("phone", "139 1234 5678")) == mother
    # Ciphertexts are bound to their column and randomised, as the ORM writes them.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM families_person WHERE id = %s", [person_id])
        raw_number, raw_phone = cursor.fetchone()
    assert MOTHER not in raw_number and "13912345678" not in raw_phone


def test_reserved_ids_are_never_reused_even_after_a_delete(yongjing):
    with transaction.atomic():
        first = bulk.reserve_ids(Family, 3)
        bulk.insert(Family, [a_family(id=pk) for pk in first])
    assert len(set(first)) == 3
    Family.objects.filter(pk=max(first)).delete()
    created = Family.objects.create(association_id=a_family()["association_id"], kind="bereaved")
    with transaction.atomic():
        later = bulk.reserve_ids(Family, 2)
    assert min(later) > max(created.pk, *first)  # above the ORM's row and the deleted one


def test_rows_without_ids_are_numbered_by_the_database(yongjing):
    before = AuditEvent.objects.count()
    with transaction.atomic():
        bulk.insert(
            AuditEvent,
            [{"action": "create", "object_type": "x", "changes": {"名": [None, "值"]}}] * 2,
        )
    events = list(AuditEvent.objects.order_by("-id")[:2])
    assert AuditEvent.objects.count() == before + 2
    assert events[0].pk != events[1].pk and events[0].changes == {"名": [None, "值"]}


# --- clean_values against full_clean ---------------------------------------------------------------

PERSON_EXCLUDE = ["family", "id_number_hash", "phone_hash"]
CHOICES_OR_JUNK = st.sampled_from(["mother", "father", "child", "", "uncle", "MOTHER"])
TEXTS = st.one_of(st.text(max_size=60), st.sampled_from(["", " ", "王" * 50, "王" * 51, "a\x00b"]))
NUMBERS = st.sampled_from(
    [MOTHER, MOTHER.lower(), "123", "", "622923197005060000", "\uff11\uff12\uff13"]
)  # full-width digits
PHONES = st.sampled_from(
    [
        "13912345678",
        "0931-1234567",
        "12345",
        "",
        "139" + "".join(chr(0xFF10 + int(d)) for d in "12345678"),
    ]
)
GRADES = st.one_of(st.none(), st.integers(min_value=-3, max_value=70000))
DATES = st.one_of(st.none(), st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1)))


def first_problem(check: Any) -> tuple[str | None, str] | None:
    try:
        check()
    except ServiceError as exc:
        return exc.field, exc.message
    return None


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    role=CHOICES_OR_JUNK,
    name=TEXTS,
    id_number=NUMBERS,
    phone=PHONES,
    grade=GRADES,
    death=DATES,
    cause=TEXTS,
    certificate=TEXTS,
    omit_name=st.booleans(),
)
def test_clean_values_finds_what_full_clean_finds(
    yongjing, role, name, id_number, phone, grade, death, cause, certificate, omit_name
):
    values: dict[str, Any] = {
        "role": role,
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "disability_grade": grade,
        "death_date": death,
        "death_cause": cause,
        "disability_certificate": certificate,
    }
    if omit_name:
        del values["name"]
    values = {k: v for k, v in values.items() if v != ""}  # given or not, as the services pass them
    instance = Person(family=Family(), **values)
    expected = first_problem(lambda: validate(instance, exclude=PERSON_EXCLUDE, unique=False))
    got = first_problem(lambda: bulk.clean_values(Person, values, exclude=PERSON_EXCLUDE))
    assert got == expected
    if got is None:  # and the cleaned values are the ones full_clean leaves on the instance
        for key, value in values.items():
            assert value == getattr(instance, key)


def test_clean_values_on_a_family_refuses_an_unknown_kind_and_a_long_address(yongjing):
    with pytest.raises(ServiceError) as caught:
        bulk.clean_values(Family, {"kind": "other"})
    assert caught.value.field == "kind"
    with pytest.raises(ServiceError) as caught:
        bulk.clean_values(Family, {"kind": "bereaved", "address": "址" * 201})
    assert caught.value.field == "address"
    values = {"kind": "bereaved", "address": "址" * 200}
    bulk.clean_values(Family, values)
    assert values["address"] == "址" * 200
