"""The offline field app's API (/api/v1/field/): who may take work offline and exactly what is
sent; sync that loses nothing and duplicates nothing (idempotency keys, conflicts, scope changed
between download and sync, an ended phone); photos; sign-out and revocation; flat queries."""

from __future__ import annotations

import datetime
import gzip
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.core.models import AuditEvent
from fpa.families import services as family_services
from fpa.families.models import CareKind, CarePhoto, CareRecord, Family, Need
from fpa.field import services
from fpa.field.models import Device, Receipt
from tests.conftest import DAZHUANG, SHANGQUAN, login
from tests.tasks_helpers import png
from tests.test_api import api_client, assert_error
from tests.test_families_services import HONGLIU, assign, register, today

pytestmark = pytest.mark.django_db

WORK_KEYS = {
    "id",
    "version",
    "association_code",
    "association_name",
    "head_name",
    "address",
    "can_reveal",
    "people",
    "contacts",
    "due",
    "open_needs",
    "last_visits",
}


@pytest.fixture
def cared(township: Any, volunteer: Any, township2: Any) -> dict[str, Family]:
    """The volunteer looks after two families of 刘家峡镇; a third there and one in 盐锅峡镇 are
    not theirs."""
    mine = register(township, code=DAZHUANG, address="大庄村三社")
    also = register(township, code=HONGLIU, address="红柳村一社")
    other = register(township, code=DAZHUANG, address="大庄村五社")
    far = register(township2, code=SHANGQUAN)
    for family in (mine, also):
        assign(township, family, user=volunteer, role="member_or_volunteer")
    return {"mine": mine, "also": also, "other": other, "far": far}


def registered(user: Any) -> tuple[Client, int]:
    client = api_client(user)
    response = client.post("/api/v1/field/devices", {"label": "测试手机"}, "application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["key"]) == 44  # 32 bytes, base64
    return client, body["device"]["id"]


def on(client: Client, device: int) -> dict[str, str]:
    return {"HTTP_X_FPA_DEVICE": str(device)}


def made(minutes: int = 30) -> str:
    return (timezone.now() - datetime.timedelta(minutes=minutes)).isoformat()


def care(family: Family, **overrides: Any) -> dict[str, Any]:
    change = {
        "type": "care",
        "key": str(uuid.uuid4()),
        "made_at": made(),
        "family": family.pk,
        "base_version": family.version,
        "kind": "routine_visit",
        "occurred_on": today().isoformat(),
        "services": [],
        "cares": [],
        "notes": "入户走访，老人身体尚可",
    }
    change.update(overrides)
    return change


def sync(client: Client, device: int, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(
        "/api/v1/field/sync", {"changes": list(changes)}, "application/json", **on(client, device)
    )
    assert response.status_code == 200, response.content
    return response.json()["answers"]


# --- who may take work offline --------------------------------------------------------------------


def test_refused_callers(cared: Any, finance: Any, township: Any) -> None:
    anonymous = Client()
    assert_error(
        anonymous.post("/api/v1/field/devices", {}, "application/json"), 401, "unauthenticated"
    )
    assert_error(anonymous.get("/api/v1/field/work"), 401, "unauthenticated")
    # a finance user and township staff have no field work of their own
    for user in (finance, township):
        response = api_client(user).post("/api/v1/field/devices", {}, "application/json")
        assert_error(response, 403, "forbidden")
    assert not Device.objects.exists()


def test_the_work_is_exactly_the_contact_persons_families(cared: Any, volunteer: Any) -> None:
    client, device = registered(volunteer)
    family_services.need_raise(actor=volunteer, family=cared["mine"], description="想申请临时救助")
    family_services.care_log(
        actor=volunteer,
        family=cared["mine"],
        kind=CareKind.objects.get(code="routine_visit"),
        occurred_on=today(),
        notes="老人情绪低落（敏感）",
    )
    response = client.get("/api/v1/field/work", **on(client, device))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [f["id"] for f in body["families"]] == sorted([cared["mine"].pk, cared["also"].pk])
    first = body["families"][0]
    assert set(first) == WORK_KEYS
    # what a visit needs, never the family kind, notes, ID numbers or full phones
    text = response.content.decode()
    people = [p for f in (cared["mine"], cared["also"]) for p in f.people.all()]
    secrets = ['"kind":"bereaved"', "bereaved", "id_number", "notes", "老人情绪低落"]
    secrets += [p.id_number.reveal_unchecked() for p in people if p.id_number]
    secrets += [p.phone.reveal_unchecked() for p in people if p.phone]
    assert len(secrets) > 6
    for secret in secrets:
        assert secret not in text, secret
    mother = next(p for p in first["people"] if p["role"] == "mother")
    assert mother["phone"] and "*" in mother["phone"]
    assert first["open_needs"][0]["description"] == "想申请临时救助"
    assert any(c["mine"] for c in first["contacts"])
    assert [v["kind"] for v in first["last_visits"]] == ["routine_visit"]
    assert {k["code"] for k in body["care_kinds"]} >= {"routine_visit", "phone_call"}
    assert Device.objects.get(pk=device).last_seen_at is not None
    # compressed for a slow line when the phone accepts it
    packed = client.get("/api/v1/field/work", HTTP_ACCEPT_ENCODING="gzip", **on(client, device))
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content))["families"] == body["families"]


def test_village_staff_take_their_village(cared: Any, village: Any) -> None:
    client, device = registered(village)
    body = client.get("/api/v1/field/work", **on(client, device)).json()
    # 大庄村's two families; not 红柳村's, nor 盐锅峡镇's
    assert sorted(f["id"] for f in body["families"]) == sorted(
        [cared["mine"].pk, cared["other"].pk]
    )


def test_work_queries_do_not_grow_with_families(
    cared: Any, volunteer: Any, township: Any, django_assert_num_queries: Any
) -> None:
    client, device = registered(volunteer)
    url = "/api/v1/field/work"
    assert client.get(url, **on(client, device)).status_code == 200
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url, **on(client, device)).status_code == 200
    for _ in range(4):
        family = register(township, code=DAZHUANG)
        assign(township, family, user=volunteer, role="member_or_volunteer")
        family_services.need_raise(actor=volunteer, family=family, description="诉求")
        services_log(volunteer, family)
    with django_assert_num_queries(len(small.captured_queries)):
        body = client.get(url, **on(client, device)).json()
    assert len(body["families"]) == 6


def services_log(user: Any, family: Family) -> None:
    family_services.care_log(
        actor=user, family=family, kind=CareKind.objects.get(code="phone_call"), occurred_on=today()
    )


# --- sync -----------------------------------------------------------------------------------------


def test_a_visit_syncs_once_and_says_it_was_made_offline(cared: Any, volunteer: Any) -> None:
    client, device = registered(volunteer)
    change = care(cared["mine"], services=["visit"], cares=["visiting"])
    [answer] = sync(client, device, change)
    assert answer["outcome"] == "applied", answer
    record = CareRecord.objects.get(pk=answer["id"])
    assert (record.family_id, record.occurred_on, record.recorded_by_id) == (
        cared["mine"].pk,
        today(),
        volunteer.pk,
    )
    receipt = Receipt.objects.get(key=change["key"])
    assert receipt.made_at < receipt.received_at
    event = AuditEvent.objects.get(object_type="families.carerecord", object_id=str(record.pk))
    assert event.reason.startswith(f"离线记录（设备 #{device}")
    # the answer was lost: the phone sends the same change again
    [again] = sync(client, device, change)
    assert again["outcome"] == "applied" and again["repeated"] is True
    assert again["id"] == record.pk
    assert CareRecord.objects.filter(family=cared["mine"]).count() == 1
    # the same key for another change is refused, and nothing is written
    [reused] = sync(client, device, {**change, "notes": "另一条"})
    assert (reused["outcome"], reused["code"]) == ("refused", "key_reused")
    assert CareRecord.objects.filter(family=cared["mine"]).count() == 1


def test_one_refused_change_does_not_stop_the_others(cared: Any, volunteer: Any) -> None:
    client, device = registered(volunteer)
    visit = care(cared["mine"])
    answers = sync(
        client,
        device,
        care(cared["mine"], kind="no-such-kind"),
        care(cared["other"]),  # not the volunteer's family
        care(cared["mine"], made_at=(timezone.now() + datetime.timedelta(hours=2)).isoformat()),
        visit,
        {
            "type": "need_raise",
            "key": str(uuid.uuid4()),
            "made_at": made(),
            "family": cared["mine"].pk,
            "base_version": cared["mine"].version,
            "description": "院子漏雨，希望帮忙修缮",
            "visit_key": visit["key"],
        },
    )
    outcomes = [(a["outcome"], a.get("code")) for a in answers]
    assert outcomes == [
        ("refused", "invalid"),
        ("refused", "out_of_scope"),
        ("refused", "invalid"),
        ("applied", None),
        ("applied", None),
    ]
    assert answers[0]["fields"] == {"kind": ["帮扶记录类别不正确。"]}
    need = Need.objects.get(pk=answers[4]["id"])
    assert need.raised_in_id == answers[3]["id"]
    assert CareRecord.objects.count() == 1


def test_a_need_updated_meanwhile_is_a_conflict(cared: Any, volunteer: Any, township: Any) -> None:
    need = family_services.need_raise(actor=township, family=cared["mine"], description="求助")
    client, device = registered(volunteer)
    held = client.get("/api/v1/field/work", **on(client, device)).json()
    base = next(f for f in held["families"] if f["id"] == cared["mine"].pk)["open_needs"][0]
    # a second device (the township's staff, online) answers the need meanwhile
    family_services.need_update(
        actor=township, need=need, status="in_progress", result="已联系民政"
    )
    change = {
        "type": "need_update",
        "key": str(uuid.uuid4()),
        "made_at": made(),
        "need": need.pk,
        "base_updated_at": base["updated_at"],
        "status": "resolved",
        "result": "已办好",
    }
    [answer] = sync(client, device, change)
    assert answer["outcome"] == "conflict"
    assert answer["current"]["need"]["status"] == "in_progress"
    assert answer["current"]["need"]["result"] == "已联系民政"
    need.refresh_from_db()
    assert (need.status, need.result) == ("in_progress", "已联系民政")
    # rebased on the need as it is now, under a new key, it applies
    rebased = {
        **change,
        "key": str(uuid.uuid4()),
        "base_updated_at": answer["current"]["need"]["updated_at"],
    }
    [applied] = sync(client, device, rebased)
    assert applied["outcome"] == "applied", applied
    need.refresh_from_db()
    assert need.status == "resolved"


def test_scope_changes_between_download_and_sync(
    cared: Any, volunteer: Any, village: Any, township: Any
) -> None:
    client, device = registered(volunteer)
    staff, staff_device = registered(village)
    mine, also = cared["mine"], cared["also"]
    # the family moved out meanwhile (which ends its contacts)
    family_services.family_change_status(
        actor=township, family=mine, status="moved_out", effective_date=today(), reason="迁出"
    )
    # the other family's contact ended: it is no longer the volunteer's to record for
    contact = also.contacts.get(user=volunteer)
    family_services.contact_end(actor=township, contact=contact, end_date=today())
    moved, gone = sync(client, device, care(mine), care(also))
    assert (moved["outcome"], moved["code"]) == ("refused", "out_of_scope")
    assert (gone["outcome"], gone["code"]) == ("refused", "out_of_scope")
    # the village's staff still see the family: for them it is a conflict, with the family as
    # it is now beside what the phone knew
    [conflict] = sync(staff, staff_device, care(mine))
    assert conflict["outcome"] == "conflict"
    assert conflict["current"]["family"]["status"] == "moved_out"
    assert conflict["current"]["family"]["version"] > mine.version
    assert not CareRecord.objects.exists()


def test_an_ended_phone_is_told_to_wipe_and_changes_nothing(
    cared: Any, volunteer: Any, sysadmin: Any
) -> None:
    client, device = registered(volunteer)
    # an account administrator of the county ends the lost phone
    admin = api_client(sysadmin)
    response = admin.post(f"/api/v1/field/devices/{device}/end")
    assert response.status_code == 200, response.content
    assert response.json()["ended_why"] == "revoked"
    for answer in (
        client.get("/api/v1/field/work", **on(client, device)),
        client.post(
            "/api/v1/field/sync",
            {"changes": [care(cared["mine"])]},
            "application/json",
            **on(client, device),
        ),
    ):
        assert_error(answer, 410, "device_ended")
    assert not CareRecord.objects.exists()
    # no phone named, or another user's phone: the same answer
    assert_error(client.get("/api/v1/field/work"), 410, "device_ended")
    _other, theirs = registered(volunteer)
    assert_error(
        api_client(sysadmin).get("/api/v1/field/work", **on(client, theirs)), 410, "device_ended"
    )


def test_who_may_end_a_phone(cared: Any, volunteer: Any, township: Any, township2: Any) -> None:
    client, device = registered(volunteer)
    # township staff hold no account administration; another township's staff see no such phone
    assert_error(api_client(township).post(f"/api/v1/field/devices/{device}/end"), 404, "not_found")
    assert_error(
        api_client(township2).post(f"/api/v1/field/devices/{device}/end"), 404, "not_found"
    )
    assert_error(client.post("/api/v1/field/devices/99999999/end"), 404, "not_found")
    assert Device.objects.get(pk=device).ended_at is None
    # the user wipes their own phone
    response = client.post(f"/api/v1/field/devices/{device}/end")
    assert response.json()["ended_why"] == "wiped"


def test_signing_out_ends_the_sessions_phones(cared: Any, volunteer: Any) -> None:
    browser = login(Client(), volunteer)
    response = browser.post("/api/v1/field/devices", {"label": "浏览器"}, "application/json")
    assert response.status_code == 201, response.content
    device = response.json()["device"]["id"]
    _token_client, other = registered(volunteer)
    browser.post("/accounts/logout/")
    assert Device.objects.get(pk=device).ended_why == "logout"
    assert Device.objects.get(pk=other).ended_at is None  # a token's phone is not that session's


def test_bad_batches_are_refused_whole(cared: Any, volunteer: Any) -> None:
    client, device = registered(volunteer)
    too_many = [care(cared["mine"]) for _ in range(services.MAX_CHANGES + 1)]
    for body in (
        {"changes": too_many},
        {"changes": [{**care(cared["mine"]), "made_at": "2026-12-05T10:00:00"}]},  # no zone
        {"changes": [{**care(cared["mine"]), "type": "delete_family"}]},
        {"changes": [{**care(cared["mine"]), "key": "not-a-uuid"}]},
        {"changes": [{**care(cared["mine"]), "family": "\uff11\uff12"}]},  # full-width digits
    ):
        response = client.post("/api/v1/field/sync", body, "application/json", **on(client, device))
        assert_error(response, 422, "invalid")
    assert not CareRecord.objects.exists() and not Receipt.objects.exists()


# --- photos ---------------------------------------------------------------------------------------


def test_a_photo_of_a_synced_visit(
    cared: Any, volunteer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client, device = registered(volunteer)
    visit = care(cared["mine"])
    photo_key, taken = str(uuid.uuid4()), made()

    def send(key: str, visit_key: str, upload: Any) -> Any:
        return client.post(
            "/api/v1/field/photos",
            {"file": upload, "key": key, "visit_key": visit_key, "made_at": taken},
            **on(client, device),
        )

    # before its visit is synced the photo waits
    assert_error(send(photo_key, visit["key"], png()), 409, "conflict")
    [answer] = sync(client, device, visit)
    response = send(photo_key, visit["key"], png())
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "applied"
    photo = CarePhoto.objects.get()
    assert photo.record_id == answer["id"]
    # sent again after a lost answer: one photo
    again = send(photo_key, visit["key"], png())
    assert again.json()["repeated"] is True
    assert CarePhoto.objects.count() == 1
    # not an image
    fake = png("fake.png")
    fake.file.seek(0)
    fake.file.write(b"MZ\x90\x00 not an image at all")
    fake.file.truncate()
    fake.file.seek(0)
    refused = send(str(uuid.uuid4()), visit["key"], fake)
    assert refused.status_code == 400, refused.content
    assert CarePhoto.objects.count() == 1
