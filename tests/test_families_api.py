"""The special-family API at /api/v1/: who may call it, what each caller sees, what is never sent,
logging care and needs, structured errors and flat query counts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.families import services
from fpa.families.models import CareRecord, Family, Need
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.test_api import api_client, assert_error
from tests.test_families_services import (
    HONGLIU,
    assign,
    care_kind,
    child,
    days_ago,
    father,
    mother,
    register,
    today,
)

QUERY_LIMIT = 12
LIST_KEYS = {
    "id",
    "association_code",
    "association_name",
    "status",
    "status_label",
    "head_name",
    "registered_on",
    "version",
}
SENSITIVE = ("notes", "health_notes", "death_cause", "disability_type", "disability_certificate")


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def url(family: Family, tail: str = "") -> str:
    return f"/api/v1/families/{family.pk}{tail}"


def care_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "routine_visit",
        "occurred_on": today().isoformat(),
        "services": ["visit", "comfort"],
        "cares": ["daily_life"],
        "notes": "老人腿脚不便，需要轮椅",
    }
    body.update(overrides)
    return body


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def families(township, township2) -> dict[str, Family]:
    return {
        "dazhuang": register(township, code=DAZHUANG, notes="家中曾有纠纷"),
        "hongliu": register(township, code=HONGLIU, people=[mother(name="刘秀英")]),
        "shangquan": register(township2, code=SHANGQUAN, people=[mother(name="盐锅峡母亲")]),
    }


def every_url(family: Family, need: Need | None = None) -> list[tuple[str, str]]:
    return [
        ("get", url(family)),
        ("get", url(family, "/care")),
        ("get", url(family, "/needs")),
        ("get", url(family, "/contacts")),
        ("post", url(family, "/care")),
        ("post", f"/api/v1/needs/{need.pk if need else 1}"),
    ]


def call(client: Client, method: str, path: str) -> Any:
    if method == "get":
        return client.get(path)
    body = care_body() if path.endswith("/care") else {"status": "closed", "result": "已答复"}
    return post(client, path, body)


# --- who may call ---------------------------------------------------------------------------------


def test_anonymous_gets_401(client, families):
    assert_error(client.get("/api/v1/families"), 401, "unauthenticated")
    for method, path in every_url(families["dazhuang"]):
        assert_error(call(client, method, path), 401, "unauthenticated")


@pytest.mark.parametrize("persona", ["finance", "auditor", "sysadmin", "secadmin", "auditadmin"])
def test_roles_without_family_view_get_403(request, families, township, persona):
    user = request.getfixturevalue(persona)
    need = services.need_raise(actor=township, family=families["dazhuang"], description="修缮")
    client = api_client(user)
    assert_error(client.get("/api/v1/families"), 403, "forbidden")
    for method, path in every_url(families["dazhuang"], need):
        assert_error(call(client, method, path), 403, "forbidden")
    assert Need.objects.get(pk=need.pk).status == "open"
    assert not CareRecord.objects.exists()


def test_a_volunteer_without_families_gets_403(families, volunteer):
    assert_error(api_client(volunteer).get("/api/v1/families"), 403, "forbidden")


def test_session_works_and_posts_need_the_csrf_token(client_for, families, township):
    from tests.conftest import login

    session = client_for(township)
    assert ids(session.get("/api/v1/families")) == [
        families["dazhuang"].pk,
        families["hongliu"].pk,
    ]
    strict = login(Client(enforce_csrf_checks=True), township)
    response = post(strict, url(families["dazhuang"], "/care"), care_body())
    assert response.status_code == 403
    assert not CareRecord.objects.exists()
    assert post(session, url(families["dazhuang"], "/care"), care_body()).status_code == 201


# --- what each caller sees ------------------------------------------------------------------------


def test_township_lists_its_own_families_only(families, township, township2, county):
    assert ids(api_client(township).get("/api/v1/families")) == [
        families["dazhuang"].pk,
        families["hongliu"].pk,
    ]
    assert ids(api_client(township2).get("/api/v1/families")) == [families["shangquan"].pk]
    assert len(ids(api_client(county).get("/api/v1/families"))) == 3


def test_list_rows_carry_no_kind_and_no_sensitive_text(families, township):
    response = api_client(township).get("/api/v1/families")
    items = response.json()["items"]
    assert all(set(item) == LIST_KEYS for item in items)
    first = items[0]
    assert first["association_code"] == DAZHUANG
    assert first["association_name"] == "大庄村委会计生协"
    assert (first["status"], first["status_label"]) == ("active", "在册")
    assert first["head_name"] == "张桂兰"
    text = response.content.decode()
    assert "家中曾有纠纷" not in text
    assert "bereaved" not in text
    assert "失独" not in text


def test_list_filters(families, township, township2):
    client = api_client(township)
    assert ids(client.get("/api/v1/families", {"q": "lxy"})) == [families["hongliu"].pk]
    assert ids(client.get("/api/v1/families", {"q": "张桂"})) == [families["dazhuang"].pk]
    assert ids(client.get("/api/v1/families", {"association": HONGLIU})) == [families["hongliu"].pk]
    assert ids(client.get("/api/v1/families", {"association": LIUJIAXIA})) == [
        families["dazhuang"].pk,
        families["hongliu"].pk,
    ]
    assert_error(client.get("/api/v1/families", {"association": SHANGQUAN}), 404, "not_found")
    services.family_change_status(
        actor=township,
        family=families["hongliu"],
        status="moved_out",
        effective_date=today(),
        reason="迁往兰州",
    )
    assert ids(client.get("/api/v1/families")) == [families["dazhuang"].pk]
    assert ids(client.get("/api/v1/families", {"status": "moved_out"})) == [families["hongliu"].pk]
    assert len(ids(client.get("/api/v1/families", {"status": ""}))) == 2
    error = assert_error(client.get("/api/v1/families", {"status": "gone"}), 422, "invalid")
    assert "status" in error["fields"]
    error = assert_error(client.get("/api/v1/families", {"size": "many"}), 422, "invalid")
    assert "size" in error["fields"]
    assert ids(api_client(township2).get("/api/v1/families", {"q": "lxy"})) == []


def test_keyset_pages(township):
    made = [register(township) for _ in range(5)]
    client = api_client(township)
    first = client.get("/api/v1/families", {"size": 2}).json()
    assert [i["id"] for i in first["items"]] == [f.pk for f in made[:2]]
    assert first["previous"] is None
    second = client.get("/api/v1/families", {"size": 2, "after": first["next"]}).json()
    assert [i["id"] for i in second["items"]] == [f.pk for f in made[2:4]]
    back = client.get("/api/v1/families", {"size": 2, "before": second["previous"]}).json()
    assert back["items"] == first["items"]
    last = client.get("/api/v1/families", {"size": 2, "after": second["next"]}).json()
    assert [i["id"] for i in last["items"]] == [made[4].pk]
    assert last["next"] is None
    ignored = client.get("/api/v1/families", {"size": 2, "after": "1 OR 1=1"}).json()
    assert ignored["items"] == first["items"]


def test_detail_masks_people_and_withholds_sensitive_text(county, township, volunteer):
    people = [
        mother(phone="13912345678", health_notes="抑郁症，长期服药"),
        father(),
        child(death_cause="车祸", disability_certificate="62292319950101001X11"),
    ]
    family = register(township, people=people, notes="家中曾有纠纷")
    assign(township, family, user=volunteer, phone="13698765432")
    services.support_add(
        actor=township,
        family=family,
        kind="doctor",
        provider="刘家峡镇卫生院",
        reference="王医生",
        start_date=days_ago(10),
    )
    services.rate_set(
        actor=county, kind="bereaved", monthly_amount=Decimal("800"), valid_from=days_ago(30)
    )
    response = api_client(township).get(url(family))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["kind_label"], body["address"]) == (
        "bereaved",
        "失独家庭",
        "大庄村三社",
    )
    by_role = {p["role"]: p for p in body["people"]}
    assert (
        by_role["mother"]["id_number"]
        == people[0]["id_number"][:6] + "********" + people[0]["id_number"][-4:]
    )
    assert by_role["mother"]["phone"] == "139****5678"
    assert by_role["mother"]["sex"] == "F"
    assert by_role["mother"]["age"] >= 56
    assert "birth_date" not in by_role["mother"]
    assert by_role["child"]["death_date"] == "2019-03-02"
    assert by_role["child"]["id_number"] is None
    for person in body["people"]:
        assert not set(SENSITIVE) & set(person)
    assert "notes" not in body
    text = response.content.decode()
    for secret in (
        people[0]["id_number"],
        people[1]["id_number"],
        "13912345678",
        "13698765432",
        "抑郁症",
        "车祸",
        "62292319950101001X11",
        "家中曾有纠纷",
        "1970-05-06",
        "2019-05-06",  # her 49th birthday would give the birth date back
        "05-06",
    ):
        assert secret not in text, secret
    (contact,) = body["contacts"]
    assert (contact["role"], contact["username"], contact["phone"], contact["current"]) == (
        "village_cadre",
        "volunteer",
        "136****5432",
        True,
    )
    (support,) = body["supports"]
    assert (support["kind"], support["provider"], support["current"]) == (
        "doctor",
        "刘家峡镇卫生院",
        True,
    )
    assert body["decision"] == {
        "eligible": True,
        "reasons": [],
        "eligible_from_year": 2019,
        "monthly_amount": "800.00",
    }


def test_detail_is_404_outside_scope(families, township, township2, volunteer):
    dazhuang = families["dazhuang"]
    need = services.need_raise(actor=township, family=dazhuang, description="修缮")
    client = api_client(township2)
    for method, path in every_url(dazhuang, need):
        error = assert_error(call(client, method, path), 404, "not_found")
        assert error["message"] == "记录不存在或不在您的管辖范围内。"
    assert_error(api_client(township).get("/api/v1/families/999999"), 404, "not_found")
    assert_error(api_client(township).get(f"/api/v1/families/{2**64}"), 404, "not_found")
    assert_error(api_client(township).get("/api/v1/families/abc"), 422, "invalid")
    assert Need.objects.get(pk=need.pk).status == "open"
    assert not CareRecord.objects.exists()


def test_a_volunteer_sees_and_logs_for_their_own_families_only(families, township, volunteer):
    mine = families["hongliu"]
    assign(township, mine, user=volunteer)
    client = api_client(volunteer)
    assert ids(client.get("/api/v1/families")) == [mine.pk]
    assert ids(client.get("/api/v1/families", {"mine": "true"})) == [mine.pk]
    assert client.get(url(mine)).status_code == 200
    assert_error(client.get(url(families["dazhuang"])), 404, "not_found")
    assert_error(post(client, url(families["dazhuang"], "/care"), care_body()), 404, "not_found")
    response = post(client, url(mine, "/care"), care_body(kind="phone_call"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["mode"], body["contact_name"], body["recorded_by"]) == (
        "phone_call",
        "call",
        "volunteer",
        "volunteer",
    )
    record = CareRecord.objects.get(pk=body["id"])
    assert record.recorded_by == volunteer
    assert record.notes == "老人腿脚不便，需要轮椅"


def test_an_ended_contact_loses_the_family(families, township, volunteer):
    first = assign(township, families["dazhuang"], user=volunteer)
    assign(township, families["hongliu"], user=volunteer)
    client = api_client(volunteer)
    assert client.get(url(families["dazhuang"])).status_code == 200
    services.contact_end(actor=township, contact=first, end_date=today())
    assert ids(client.get("/api/v1/families")) == [families["hongliu"].pk]
    for method, path in every_url(families["dazhuang"])[:5]:
        assert_error(call(client, method, path), 404, "not_found")
    assert not CareRecord.objects.exists()


# --- care log -------------------------------------------------------------------------------------


def test_care_log_read_and_write(families, township):
    family = families["dazhuang"]
    client = api_client(township)
    older = services.care_log(
        actor=township,
        family=family,
        kind=care_kind("festival_visit"),
        occurred_on=days_ago(20),
        notes="春节慰问",
    )
    response = post(client, url(family, "/care"), care_body(occurred_on=days_ago(1).isoformat()))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["services"] == ["comfort", "visit"]
    assert created["cares"] == ["daily_life"]
    assert created["occurred_on"] == days_ago(1).isoformat()
    assert created["contact_name"] is None
    assert created["has_notes"] is True
    listing = client.get(url(family, "/care"))
    assert ids(listing) == [created["id"], older.pk]
    assert "春节慰问" not in listing.content.decode()
    assert "轮椅" not in listing.content.decode()
    assert ids(api_client(township).get(url(families["hongliu"], "/care"))) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "dancing"}, "kind"),
        ({"services": ["visit", "dancing"]}, "services"),
        ({"cares": ["nothing"]}, "cares"),
        (
            {"occurred_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()},
            "occurred_on",
        ),
        ({"occurred_on": "2000-01-01"}, "occurred_on"),
    ],
)
def test_care_refusals_are_structured_400s(families, township, overrides, field):
    response = post(
        api_client(township), url(families["dazhuang"], "/care"), care_body(**overrides)
    )
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]
    assert not CareRecord.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "routine_visit"}, "occurred_on"),
        ({"kind": "routine_visit", "occurred_on": "yesterday"}, "occurred_on"),
        ({"occurred_on": "2026-01-01"}, "kind"),
        ({"kind": "routine_visit", "occurred_on": "2026-01-01", "services": "visit"}, "services"),
        ({"kind": "routine_visit", "occurred_on": "2026-01-01", "notes": "x" * 5001}, "notes"),
    ],
)
def test_malformed_care_bodies_are_structured_422s(families, township, body, field):
    response = post(api_client(township), url(families["dazhuang"], "/care"), body)
    error = assert_error(response, 422, "invalid")
    assert any(key.endswith(field) for key in error["fields"]), error["fields"]
    assert not CareRecord.objects.exists()


def test_a_body_that_is_not_json_is_a_structured_422(families, township):
    response = api_client(township).post(
        url(families["dazhuang"], "/care"), "kind=routine_visit", content_type="application/json"
    )
    assert_error(response, 422, "invalid")


# --- needs and contacts ---------------------------------------------------------------------------


def test_needs_list_and_update(families, township, village, volunteer):
    family = families["dazhuang"]
    assign(township, family, user=volunteer)
    first = services.need_raise(
        actor=township, family=family, description="修缮房屋", owner=village
    )
    second = services.need_raise(actor=volunteer, family=family, description="陪同就医")
    services.need_raise(actor=township, family=families["hongliu"], description="别家的诉求")
    client = api_client(volunteer)
    listing = client.get(url(family, "/needs"))
    assert ids(listing) == [second.pk, first.pk]
    row = listing.json()["items"][1]
    assert (row["status"], row["status_label"], row["owner"], row["raised_on"]) == (
        "open",
        "待办",
        "village",
        today().isoformat(),
    )
    error = assert_error(
        post(client, f"/api/v1/needs/{first.pk}", {"status": "resolved"}), 400, "invalid"
    )
    assert list(error["fields"]) == ["result"]
    error = assert_error(
        post(client, f"/api/v1/needs/{first.pk}", {"status": "finished", "result": "好"}),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["status"]
    assert_error(post(client, f"/api/v1/needs/{first.pk}", {"result": "x"}), 422, "invalid")
    response = post(
        client, f"/api/v1/needs/{first.pk}", {"status": "resolved", "result": "已联系施工队"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["result"], body["closed_on"]) == (
        "resolved",
        "已联系施工队",
        today().isoformat(),
    )
    assert ids(client.get(url(family, "/needs"), {"status": "open"})) == [second.pk]
    assert ids(client.get(url(family, "/needs"), {"status": "resolved"})) == [first.pk]
    other = Need.objects.get(family=families["hongliu"])
    assert_error(
        post(client, f"/api/v1/needs/{other.pk}", {"status": "closed", "result": "越权"}),
        404,
        "not_found",
    )
    assert_error(client.get(url(family, "/needs"), {"status": "gone"}), 422, "invalid")


def test_contacts_list(families, township, volunteer, village):
    family = families["dazhuang"]
    gone = assign(township, family, name="调走的人", phone="13511112222", start_date=days_ago(90))
    services.contact_end(actor=township, contact=gone, end_date=days_ago(30))
    assign(township, family, user=volunteer, role="member_or_volunteer")
    assign(township, family, user=village, role="village_cadre")
    client = api_client(township)
    response = client.get(url(family, "/contacts"))
    assert response.status_code == 200
    rows = response.json()
    assert [(r["name"], r["current"]) for r in rows] == [
        ("volunteer", True),
        ("village", True),
        ("调走的人", False),
    ]
    assert rows[2]["phone"] == "135****2222"
    assert "13511112222" not in response.content.decode()
    current = client.get(url(family, "/contacts"), {"current_only": "true"}).json()
    assert [r["name"] for r in current] == ["volunteer", "village"]


def test_openapi_lists_the_family_operations(client_for, township):
    paths = client_for(township).get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/families",
        "/api/v1/families/{family_id}",
        "/api/v1/families/{family_id}/care",
        "/api/v1/families/{family_id}/needs",
        "/api/v1/families/{family_id}/contacts",
        "/api/v1/needs/{need_id}",
    ):
        assert path in paths, path


# --- query counts ---------------------------------------------------------------------------------


@pytest.fixture
def flat(django_assert_max_num_queries, django_assert_num_queries) -> Callable[..., Any]:
    def check(client: Client, path: str, grow: Callable[[], None], **params: Any) -> Any:
        assert client.get(path, params).status_code == 200  # warm: records the token's last use
        with django_assert_max_num_queries(QUERY_LIMIT) as small:
            assert client.get(path, params).status_code == 200
        grow()
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(path, params)
        assert response.status_code == 200
        return response

    return check


def populate(actor: Any, family: Family, count: int, user: Any) -> None:
    for i in range(count):
        assign(actor, family, name=f"联系人{i}", phone=f"1390000{i:04d}")
        services.care_log(actor=actor, family=family, kind=care_kind(), occurred_on=days_ago(i))
        services.need_raise(actor=actor, family=family, description=f"诉求{i}", owner=user)
        services.support_add(
            actor=actor, family=family, kind="insurance", provider="人保", start_date=days_ago(i)
        )


def test_family_list_query_count_is_flat(township, flat):
    def grow(count: int) -> None:
        for i in range(count):
            register(township, code=DAZHUANG if i % 2 else HONGLIU, people=[mother(), child()])

    grow(3)
    response = flat(api_client(township), "/api/v1/families", lambda: grow(27))
    assert len(response.json()["items"]) == 30


def test_a_volunteers_list_query_count_is_flat(township, volunteer, flat):
    def grow(count: int) -> None:
        for _ in range(count):
            assign(township, register(township), user=volunteer)

    grow(3)
    response = flat(api_client(volunteer), "/api/v1/families", lambda: grow(27))
    assert len(response.json()["items"]) == 30


@pytest.mark.parametrize("tail", ["", "/care", "/needs", "/contacts"])
def test_family_pages_query_counts_are_flat(township, village, flat, tail):
    family = register(township)
    populate(township, family, 3, village)
    response = flat(
        api_client(township), url(family, tail), lambda: populate(township, family, 27, village)
    )
    body = response.json()
    rows = body if tail == "/contacts" else body.get("items", body.get("contacts"))
    assert len(rows) == 30
