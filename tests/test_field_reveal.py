"""The field app's reveal on the spot (POST /api/v1/field/reveal): one sensitive value in full,
online, with a reason and an audit row, for a family's contact person or a holder of
`personal.reveal`; refused out of scope, without a reason, without the right, on an ended
phone, for a record of another family or a field not offered; never a server error. The work
download itself still carries none of these values."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fpa.accounts.roles import CAPABILITIES, Role
from fpa.core.models import AuditEvent
from fpa.families.models import Family, Person
from fpa.field import services
from fpa.field.api import REVEAL_LIMIT
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.test_api import assert_error
from tests.test_families_services import assign, child, father, mother, register
from tests.test_field_api import on, registered

pytestmark = pytest.mark.django_db

HEALTH = "高血压，长期服药（敏感）"
NOTES = "家中老人独居，情绪低落（敏感）"


@pytest.fixture
def cared(township: Any, volunteer: Any, township2: Any) -> dict[str, Family]:
    """The volunteer looks after one family of 大庄村; another there and one in 盐锅峡镇 are
    not theirs."""
    mine = register(
        township,
        code=DAZHUANG,
        notes=NOTES,
        people=[mother(health_notes=HEALTH), father(), child(death_cause="车祸")],
    )
    other = register(township, code=DAZHUANG)
    far = register(township2, code=SHANGQUAN)
    assign(township, mine, user=volunteer, role="member_or_volunteer", phone="13800001111")
    return {"mine": mine, "other": other, "far": far}


def ask(client: Client, device: int, **body: Any) -> Any:
    payload = {"reason": "入户核实身份", **body}
    return client.post("/api/v1/field/reveal", payload, "application/json", **on(client, device))


def person(family: Family, role: str) -> Person:
    return family.people.get(role=role)


def test_a_contact_person_reveals_their_familys_id_number(cared: Any, volunteer: Any) -> None:
    client, device = registered(volunteer)
    mother_ = person(cared["mine"], "mother")
    response = ask(client, device, family=cared["mine"].pk, person=mother_.pk, field="id_number")
    assert response.status_code == 200, response.content
    assert response.json() == {"field": "id_number", "value": mother_.id_number.reveal_unchecked()}
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert event.actor_id == volunteer.pk
    assert (event.object_type, event.object_id) == ("families.person", str(mother_.pk))
    assert event.changes == {"field": "id_number"}
    assert "入户核实身份" in event.reason
    assert f"外勤应用（设备 #{device}）" in event.reason
    assert event.scope_path == cared["mine"].association.path


def test_the_family_kind_notes_health_and_a_contacts_phone(cared: Any, volunteer: Any) -> None:
    client, device = registered(volunteer)
    family = cared["mine"]
    kind = ask(client, device, family=family.pk, field="kind")
    assert kind.json() == {"field": "kind", "value": "失独家庭"}
    notes = ask(client, device, family=family.pk, field="notes")
    assert notes.json()["value"] == NOTES
    health = ask(
        client, device, family=family.pk, person=person(family, "mother").pk, field="health_notes"
    )
    assert health.json()["value"] == HEALTH
    cause = ask(
        client, device, family=family.pk, person=person(family, "child").pk, field="death_cause"
    )
    assert cause.json()["value"] == "车祸"
    contact = family.contacts.get(user=volunteer)
    phone = ask(client, device, family=family.pk, contact=contact.pk, field="phone")
    assert phone.status_code == 200, phone.content
    assert phone.json()["value"] == contact.phone.reveal_unchecked()
    fields = [e.changes["field"] for e in AuditEvent.objects.filter(action="reveal").order_by("id")]
    assert fields == ["kind", "notes", "health_notes", "death_cause", "phone"]


def test_village_staff_reveal_with_the_capability(cared: Any, village: Any) -> None:
    """Not a contact of the family, but holding `personal.reveal` in its village."""
    client, device = registered(village)
    response = ask(client, device, family=cared["other"].pk, field="kind")
    assert response.json() == {"field": "kind", "value": "失独家庭"}


def test_refusals(cared: Any, volunteer: Any, township: Any) -> None:
    client, device = registered(volunteer)
    mine = cared["mine"]
    mother_ = person(mine, "mother")
    # another township's family, and a person or contact of another family: as if missing
    assert_error(ask(client, device, family=cared["far"].pk, field="kind"), 404, "not_found")
    foreign = person(cared["other"], "mother").pk
    response = ask(client, device, family=mine.pk, person=foreign, field="id_number")
    assert_error(response, 404, "not_found")
    stranger = assign(township, cared["other"], name="王村医", phone="13912345678")
    response = ask(client, device, family=mine.pk, contact=stranger.pk, field="phone")
    assert_error(response, 404, "not_found")
    # a family of their village that they do not look after is not theirs to see at all
    assert_error(ask(client, device, family=cared["other"].pk, field="kind"), 404, "not_found")
    # fields that are not offered (a name is no secret; the address is downloaded anyway)
    for field, target in (("name", {"person": mother_.pk}), ("address", {}), ("user", {})):
        response = ask(client, device, family=mine.pk, field=field, **target)
        assert_error(response, 404, "not_found")
    # no reason, a one-letter reason
    for reason in ("", " 看 "):
        response = ask(client, device, family=mine.pk, field="kind", reason=reason)
        assert_error(response, 400, "invalid")
    # nothing to see: the father has no phone
    response = ask(client, device, family=mine.pk, person=person(mine, "father").pk, field="phone")
    assert assert_error(response, 400, "invalid")["message"] == "该字段没有可查看的内容。"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_without_the_capability_only_a_contact_may_reveal(
    cared: Any, village: Any, township: Any, monkeypatch: Any
) -> None:
    """Village staff whose role would not hold `personal.reveal` (the role table narrowed for
    this test): their village's families are in scope and downloaded, but only the one they
    look after offers the reveal, and the API refuses the others."""
    narrowed = CAPABILITIES[Role.VILLAGE_STAFF] - {"personal.reveal"}
    monkeypatch.setitem(CAPABILITIES, Role.VILLAGE_STAFF, narrowed)
    assign(township, cared["mine"], user=village)
    client, device = registered(village)
    families = client.get("/api/v1/field/work", **on(client, device)).json()["families"]
    assert {f["id"]: f["can_reveal"] for f in families} == {
        cared["mine"].pk: True,
        cared["other"].pk: False,
    }
    refused = ask(client, device, family=cared["other"].pk, field="kind")
    assert "权限" in assert_error(refused, 403, "forbidden")["message"]
    assert ask(client, device, family=cared["mine"].pk, field="kind").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count() == 1


def test_callers_without_a_live_phone(cared: Any, volunteer: Any, village: Any) -> None:
    family = cared["mine"].pk
    anonymous = Client().post(
        "/api/v1/field/reveal",
        {"family": family, "field": "kind", "reason": "核实"},
        "application/json",
    )
    assert_error(anonymous, 401, "unauthenticated")
    client, device = registered(volunteer)
    # no phone named, another user's phone, an ended phone
    assert_error(ask(client, 0, family=family, field="kind"), 410, "device_ended")
    _, theirs = registered(village)
    assert_error(ask(client, theirs, family=family, field="kind"), 410, "device_ended")
    services.device_end(
        actor=volunteer, device=services.device_in_use(actor=volunteer, device_id=device)
    )
    assert_error(ask(client, device, family=family, field="kind"), 410, "device_ended")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"family": 2**63, "field": "kind"},
        {"family": 2**64 + 5, "field": "kind"},
        {"family": -1, "field": "kind"},
        {"family": "1; drop table", "field": "kind"},
        {"family": 1, "person": 2**63, "field": "id_number"},
        {"family": 1, "contact": 99999999999, "field": "phone"},
        {"family": 1, "person": 1, "contact": 1, "field": "phone"},
        {"family": 1, "field": ["kind"]},
        {"family": 1, "field": "x" * 500},
        {"family": 1, "field": "kind", "reason": "很" * 1000},
        {"family": None, "field": "kind"},
        {},
    ],
)
def test_forged_requests_are_refused_plainly(cared: Any, volunteer: Any, body: Any) -> None:
    client, device = registered(volunteer)
    response = client.post(
        "/api/v1/field/reveal", {"reason": "核实", **body}, "application/json", **on(client, device)
    )
    assert response.status_code in {404, 422}, response.content
    assert response.json()["error"]["message"]


def test_reveals_are_rate_limited(cared: Any, volunteer: Any) -> None:
    client, device = registered(volunteer)
    for _ in range(REVEAL_LIMIT):
        assert (
            ask(client, device, family=cared["mine"].pk, field="kind", reason="").status_code == 400
        )
    response = ask(client, device, family=cared["mine"].pk, field="kind")
    assert assert_error(response, 429, "rate_limited")["message"] == "查看过于频繁，请稍后再试。"


def test_the_download_still_holds_no_sensitive_value(
    cared: Any, volunteer: Any, village: Any
) -> None:
    """The people and contacts are named by id so the app can ask for one value; the values
    themselves are not in it, for a contact person or for village staff who may reveal."""
    family = cared["mine"]
    people = list(Person.objects.filter(family__in=[cared["mine"], cared["other"]]))
    secrets = [p.id_number.reveal_unchecked() for p in people if p.id_number]
    secrets += [p.phone.reveal_unchecked() for p in people if p.phone]
    secrets += [
        "13800001111",
        HEALTH,
        NOTES,
        "车祸",
        "bereaved",
        "失独家庭",
        "health_notes",
        "death_cause",
    ]
    assert len(secrets) >= 12
    for user, expect in (
        (volunteer, {family.pk: True}),
        (village, {family.pk: True, cared["other"].pk: True}),
    ):
        client, device = registered(user)
        response = client.get("/api/v1/field/work", **on(client, device))
        assert response.status_code == 200, response.content
        text = response.content.decode()
        for secret in secrets:
            assert secret not in text, secret
        families = response.json()["families"]
        assert {f["id"]: f["can_reveal"] for f in families} == expect
        mine = next(f for f in families if f["id"] == family.pk)
        assert {p["id"] for p in mine["people"]} == set(family.people.values_list("pk", flat=True))
        assert [c["id"] for c in mine["contacts"]] == list(
            family.contacts.order_by("pk").values_list("pk", flat=True)
        )
