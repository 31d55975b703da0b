"""Protected personal fields (fpa.core.protected, fpa.core.crypto) through StaffMember: encrypted at
rest, searchable only by the keyed hash, masked everywhere, revealed only with a reason and an audit
row, and readable across a key rotation."""

from __future__ import annotations

import io
import json
import os

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template

from fpa.accounts.models import User
from fpa.accounts.services import user_update
from fpa.core import crypto
from fpa.core.crypto import DecryptionError, keyring, new_keyring_document, parse_keyring
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.protected import Protected, blind_index
from fpa.core.services import protected_reveal
from fpa.organizations.models import StaffMember
from fpa.organizations.services import staff_update
from tests.conftest import LIUJIAXIA, YANGUOXIA, staff_in

ID_NUMBER = "622923198001010057"
PHONE = "13912341234"
TABLE = StaffMember._meta.db_table


def raw_row(pk: int) -> dict[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, id_number_hash, phone, phone_hash FROM {TABLE} WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    return dict(zip(["id_number", "id_number_hash", "phone", "phone_hash"], row, strict=True))


def raw_set(table: str, column: str, value: str, pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


@pytest.fixture
def person(county):
    return staff_in(county, LIUJIAXIA, id_number=ID_NUMBER, phone=PHONE)


# --- at rest ----------------------------------------------------------------------------------


def test_database_holds_only_ciphertext_naming_its_key(person):
    row = raw_row(person.pk)
    assert row["id_number"].startswith("v1:t1:")
    assert row["phone"].startswith("v1:t1:")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TABLE} WHERE id = %s", [person.pk])
        everything = " ".join(str(v) for v in cursor.fetchone())
    assert ID_NUMBER not in everything
    assert PHONE not in everything
    assert "19800101" not in everything  # the birth date is kept only as a date column
    # The hash columns hold the keyed hash, not the value.
    assert row["id_number_hash"] == keyring().blind_index(ID_NUMBER, purpose="id_number")
    assert row["phone_hash"] == keyring().blind_index(PHONE, purpose="phone")


def test_same_value_saved_twice_gives_new_ciphertext_but_same_hash(county, person):
    first = raw_row(person.pk)
    staff_update(actor=county, staff=person, name="改名后", id_number=ID_NUMBER, phone=PHONE)
    second = raw_row(person.pk)
    assert second["id_number"] != first["id_number"]
    assert second["phone"] != first["phone"]
    assert second["id_number_hash"] == first["id_number_hash"]
    assert second["phone_hash"] == first["phone_hash"]
    # Two people with the same phone: different ciphertexts, one hash.
    other = staff_in(county, YANGUOXIA, phone=PHONE)
    assert raw_row(other.pk)["phone"] != second["phone"]
    assert raw_row(other.pk)["phone_hash"] == second["phone_hash"]


def test_value_reads_back_equal_after_a_round_trip(person):
    fresh = StaffMember.objects.get(pk=person.pk)
    assert isinstance(fresh.id_number, Protected)
    assert fresh.id_number.reveal_unchecked() == ID_NUMBER
    assert fresh.phone.reveal_unchecked() == PHONE
    assert fresh.id_number == person.id_number


def test_value_is_normalised_before_encryption_and_hashing(county):
    typed = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002") + "x"
    staff = staff_in(county, LIUJIAXIA, id_number=typed, phone="+86 139-1234-1234")
    fresh = StaffMember.objects.get(pk=staff.pk)
    assert fresh.id_number.reveal_unchecked() == "11010519491231002X"
    assert fresh.phone.reveal_unchecked() == PHONE
    assert raw_row(staff.pk)["id_number_hash"] == blind_index("id_number", "11010519491231002X")


# --- shown masked -----------------------------------------------------------------------------


def test_str_repr_and_templates_show_the_masked_value(person):
    fresh = StaffMember.objects.get(pk=person.pk)
    assert str(fresh.id_number) == "622923********0057"
    assert str(fresh.phone) == "139****1234"
    assert ID_NUMBER not in repr(fresh.id_number)
    assert PHONE not in repr(fresh.phone)
    rendered = Template("{{ s.id_number }}|{{ s.phone }}|{{ s.id_number|upper }}").render(
        Context({"s": fresh})
    )
    assert rendered == "622923********0057|139****1234|622923********0057"
    assert StaffMember._meta.get_field("phone").value_to_string(fresh) == "139****1234"


def test_staff_page_shows_masked_values_only(client_for, township, person):
    response = client_for(township).get(f"/org/staff/{person.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "622923********0057" in body
    assert "139****1234" in body
    assert ID_NUMBER not in body
    assert PHONE not in body


def test_api_shows_masked_phone_only(client_for, township, person):
    response = client_for(township).get("/api/v1/staff", {"association": LIUJIAXIA})
    assert response.status_code == 200
    items = [i for i in response.json()["items"] if i["id"] == person.pk]
    assert items and items[0]["phone"] == "139****1234"
    assert PHONE not in response.content.decode()
    assert ID_NUMBER not in response.content.decode()


# --- no lookups on the ciphertext -------------------------------------------------------------


@pytest.mark.parametrize(
    "lookup",
    [
        {"id_number": ID_NUMBER},
        {"id_number__exact": ID_NUMBER},
        {"id_number__iexact": ID_NUMBER},
        {"id_number__contains": "19800101"},
        {"id_number__startswith": "622923"},
        {"id_number__in": [ID_NUMBER]},
        {"phone": PHONE},
        {"phone__endswith": "1234"},
    ],
)
def test_filtering_on_the_protected_field_itself_is_refused(person, lookup):
    with pytest.raises(FieldError):
        list(StaffMember.objects.filter(**lookup))


def test_search_goes_through_the_hash_column(county, person):
    other = staff_in(county, LIUJIAXIA)
    assert list(StaffMember.objects.filter(id_number__isnull=False, pk=person.pk)) == [person]
    found = StaffMember.objects.filter(id_number_hash=blind_index("id_number", ID_NUMBER))
    assert list(found) == [person]
    assert list(StaffMember.objects.filter(phone_hash=blind_index("phone", "139 1234 1234"))) == [
        person
    ]
    assert other not in found


# --- context binding and tampering ------------------------------------------------------------


def test_ciphertext_copied_into_another_column_does_not_decrypt(county, person):
    other = staff_in(county, LIUJIAXIA)
    stolen = raw_row(person.pk)["id_number"]
    raw_set(TABLE, "phone", stolen, other.pk)  # another row's other column
    with pytest.raises(DecryptionError):
        StaffMember.objects.get(pk=other.pk)
    # The same ciphertext still opens where it belongs.
    assert StaffMember.objects.get(pk=person.pk).id_number.reveal_unchecked() == ID_NUMBER


def test_ciphertext_copied_into_another_model_does_not_decrypt(township, person):
    stolen = raw_row(person.pk)["phone"]
    raw_set(User._meta.db_table, "phone", stolen, township.pk)
    with pytest.raises(DecryptionError):
        User.objects.get(pk=township.pk)


def test_edited_ciphertext_does_not_decrypt(person):
    token = raw_row(person.pk)["phone"]
    prefix, key_id, payload = token.split(":", 2)
    flipped = payload[:-6] + ("A" if payload[-6] != "A" else "B") + payload[-5:]
    raw_set(TABLE, "phone", f"{prefix}:{key_id}:{flipped}", person.pk)
    with pytest.raises(DecryptionError):
        StaffMember.objects.get(pk=person.pk)
    raw_set(TABLE, "phone", f"{prefix}:nokey:{payload}", person.pk)
    with pytest.raises(DecryptionError):
        StaffMember.objects.get(pk=person.pk)


# --- key rotation -----------------------------------------------------------------------------


@pytest.fixture
def field_keys(monkeypatch):
    """Replace the key document for one test; the cached keyring is restored afterwards."""
    original = os.environ["FPA_FIELD_KEYS"]

    def use(document: str) -> crypto.Keyring:
        monkeypatch.setenv("FPA_FIELD_KEYS", document)
        keyring.cache_clear()
        return keyring()

    yield original, use
    monkeypatch.undo()
    keyring.cache_clear()
    assert keyring().active == parse_keyring(original).active


def test_old_values_decrypt_after_a_new_active_key_and_rotation_reencrypts(
    county, person, field_keys
):
    original, use_keys = field_keys
    user_with_phone = User.objects.get(pk=county.pk)
    user_update(actor=None, user=user_with_phone, full_name="县管", phone=PHONE, is_active=True)
    rotated = new_keyring_document(original)
    ring = use_keys(rotated)
    assert ring.active == "k2"
    assert set(ring.keys) == {"t1", "k2"}

    # Still readable with the old key id, new writes use the new key.
    fresh = StaffMember.objects.get(pk=person.pk)
    assert fresh.id_number.reveal_unchecked() == ID_NUMBER
    assert raw_row(person.pk)["id_number"].startswith("v1:t1:")
    newcomer = staff_in(county, LIUJIAXIA, phone="13800001111")
    assert raw_row(newcomer.pk)["phone"].startswith("v1:k2:")
    hashes_before = raw_row(person.pk)

    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "organizations.StaffMember: 2 values re-encrypted" in out.getvalue()
    assert "accounts.User: 1 values re-encrypted" in out.getvalue()

    for staff in StaffMember.objects.all():
        row = raw_row(staff.pk)
        for column in ("id_number", "phone"):
            assert row[column] is None or row[column].startswith("v1:k2:"), (staff, column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {User._meta.db_table} WHERE id = %s", [county.pk])
        assert cursor.fetchone()[0].startswith("v1:k2:")
    after = raw_row(person.pk)
    assert after["id_number_hash"] == hashes_before["id_number_hash"]
    assert after["phone_hash"] == hashes_before["phone_hash"]

    # With the old key gone entirely, every value still opens: rotation left nothing behind.
    data = json.loads(rotated)
    del data["keys"]["t1"]
    use_keys(json.dumps(data))
    assert StaffMember.objects.get(pk=person.pk).id_number.reveal_unchecked() == ID_NUMBER
    assert StaffMember.objects.get(pk=person.pk).phone.reveal_unchecked() == PHONE
    assert User.objects.get(pk=county.pk).phone.reveal_unchecked() == PHONE


def test_value_under_a_dropped_key_is_refused(person, field_keys):
    _, use_keys = field_keys
    use_keys(new_keyring_document(None))  # a fresh document without t1
    with pytest.raises(DecryptionError):
        StaffMember.objects.get(pk=person.pk)


def test_keyring_document_rules():
    document = new_keyring_document(None)
    ring = parse_keyring(document)
    assert ring.active == "k1"
    rotated = parse_keyring(new_keyring_document(document))
    assert rotated.active == "k2"
    assert rotated.keys["k1"] == ring.keys["k1"]
    assert rotated.hash_key == ring.hash_key  # the search hash survives a rotation
    token = ring.encrypt("13912341234", context="a.b")
    assert rotated.decrypt(token, context="a.b") == "13912341234"
    with pytest.raises(DecryptionError):
        rotated.decrypt(token, context="a.c")
    bad = json.loads(document)
    bad["active"] = "k9"
    with pytest.raises(Exception, match="active"):
        parse_keyring(json.dumps(bad))
    bad = json.loads(document)
    bad["keys"]["k1"] = "c2hvcnQ="
    with pytest.raises(Exception, match="32 bytes"):
        parse_keyring(json.dumps(bad))


# --- reveal -----------------------------------------------------------------------------------


def reveals() -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count()


def test_reveal_needs_the_capability(auditor, person):
    assert not auditor.has_capability("personal.reveal")
    with pytest.raises(NotAllowed):
        protected_reveal(actor=auditor, obj=person, field="phone", reason="核对", scope_path="/62/")
    assert reveals() == 0


@pytest.mark.parametrize("reason", ["", "   ", "x"])
def test_reveal_needs_a_reason(township, person, reason):
    with pytest.raises(ServiceError) as info:
        protected_reveal(
            actor=township,
            obj=person,
            field="id_number",
            reason=reason,
            scope_path=person.association.path,
        )
    assert info.value.field == "reason"
    assert reveals() == 0


@pytest.mark.parametrize("field", ["name", "post", "nonexistent_field_is_not_read"])
def test_reveal_only_protected_fields(township, person, field):
    with pytest.raises(ServiceError):
        protected_reveal(
            actor=township, obj=person, field=field, reason="核对信息", scope_path="/62/"
        )
    assert reveals() == 0


def test_reveal_returns_the_value_and_writes_an_audit_row(township, person):
    value = protected_reveal(
        actor=township,
        obj=person,
        field="id_number",
        reason="  核对备案材料  ",
        scope_path=person.association.path,
    )
    assert value == ID_NUMBER
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert event.actor == township
    assert event.actor_username == "township"
    assert event.object_type == "organizations.staffmember"
    assert event.object_id == str(person.pk)
    assert event.changes == {"field": "id_number"}
    assert event.reason == "核对备案材料"
    assert event.scope_path == person.association.path
    assert ID_NUMBER not in json.dumps(event.changes, ensure_ascii=False)


def test_reveal_endpoint_in_scope(client_for, township, person):
    client = client_for(township)
    response = client.post(f"/org/staff/{person.pk}/reveal/phone/", {"reason": "电话回访"})
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert (event.actor, event.object_id, event.reason) == (township, str(person.pk), "电话回访")
    assert event.changes == {"field": "phone"}
    assert event.ip == "127.0.0.1"


def test_reveal_endpoint_for_sibling_township_is_404(client_for, township2, person):
    response = client_for(township2).post(
        f"/org/staff/{person.pk}/reveal/phone/", {"reason": "电话回访"}
    )
    assert response.status_code == 404
    assert PHONE not in response.content.decode()
    assert reveals() == 0


def test_reveal_endpoint_refuses_get(client_for, township, person):
    response = client_for(township).get(f"/org/staff/{person.pk}/reveal/phone/")
    assert response.status_code == 405
    assert reveals() == 0


def test_reveal_endpoint_without_reason_is_400(client_for, township, person):
    client = client_for(township)
    response = client.post(f"/org/staff/{person.pk}/reveal/phone/", {})
    assert response.status_code == 400
    assert PHONE not in response.content.decode()
    response = client.post(f"/org/staff/{person.pk}/reveal/phone/", {"reason": "x"})
    assert response.status_code == 400
    assert reveals() == 0


def test_reveal_endpoint_for_auditor_is_403(client_for, auditor, person):
    response = client_for(auditor).post(
        f"/org/staff/{person.pk}/reveal/phone/", {"reason": "电话回访"}
    )
    assert response.status_code == 403
    assert reveals() == 0


def test_reveal_endpoint_unknown_field_is_404(client_for, township, person):
    response = client_for(township).post(
        f"/org/staff/{person.pk}/reveal/name/", {"reason": "电话回访"}
    )
    assert response.status_code == 404
    assert reveals() == 0


def test_reveal_endpoint_anonymous_is_sent_to_login(client, person):
    response = client.post(f"/org/staff/{person.pk}/reveal/phone/", {"reason": "电话回访"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert reveals() == 0
