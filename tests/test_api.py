"""The HTTP API at /api/v1/: who may call it, what each caller sees, pagination, errors and the
query count of every list endpoint."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.accounts.services import token_issue
from fpa.organizations import services
from fpa.organizations.models import Association, Filing
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, staff_in


def fullwidth(value: str) -> str:
    """The full-width form that a Chinese input method types."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def fullwidth_digits(value: str) -> str:
    """`value` with only its digits full-width (a number typed with a Chinese input method)."""
    return value.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})


LISTS = ("/api/v1/associations", "/api/v1/staff", "/api/v1/filings")
QUERY_LIMIT = 12


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def api_client(user: Any) -> Client:
    """A client that calls the API with a bearer token of `user` (issued through the service)."""
    _, plain = token_issue(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {plain}"})


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


@pytest.fixture
def flat_queries(django_assert_max_num_queries, django_assert_num_queries) -> Callable[..., Any]:
    def check(client: Client, url: str, grow: Callable[[], None], **params: Any) -> Any:
        assert client.get(url, params).status_code == 200  # warm: records the token's last use
        with django_assert_max_num_queries(QUERY_LIMIT) as small:
            assert client.get(url, params).status_code == 200
        grow()
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url, params)
        assert response.status_code == 200
        return response

    return check


# --- who may call ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*LISTS, f"/api/v1/associations/{LIUJIAXIA}"])
def test_anonymous_gets_401_json(client, yongjing, url):
    assert_error(client.get(url), 401, "unauthenticated")


def test_bad_or_malformed_bearer_gets_401(yongjing, township):
    for header in ("Bearer fpa_not-a-real-token", "Bearer ", "Token abc", "Bearer " + "x" * 500):
        response = Client(headers={"Authorization": header}).get("/api/v1/associations")
        assert_error(response, 401, "unauthenticated")


@pytest.mark.parametrize("persona", ["volunteer", "sysadmin", "secadmin", "auditadmin"])
def test_roles_without_org_view_are_refused(request, persona):
    user = request.getfixturevalue(persona)
    client = api_client(user)
    for url in LISTS:
        assert_error(client.get(url), 403, "forbidden")
    assert_error(client.get(f"/api/v1/associations/{DAZHUANG}"), 403, "forbidden")


def test_read_only_roles_may_read(auditor, finance):
    for user in (auditor, finance):
        assert "622923" in codes(api_client(user).get("/api/v1/associations"))


def test_session_works_for_verified_users(client_for, township, county):
    assert LIUJIAXIA in codes(client_for(township).get("/api/v1/associations"))
    assert YANGUOXIA in codes(client_for(county).get("/api/v1/associations"))


def test_session_without_the_second_factor_is_refused(county):
    from tests.conftest import login

    client = Client()
    login(client, county)
    session = client.session
    session.pop("otp_device_id", None)
    session.save()
    assert_error(client.get("/api/v1/associations"), 401, "unauthenticated")


def test_token_endpoint_is_the_only_open_operation(client, yongjing):
    assert client.get("/api/v1/auth/token").status_code == 405
    assert_error(client.delete("/api/v1/auth/token"), 401, "unauthenticated")


def test_delete_token_by_session_is_refused_structured(client_for, township):
    error = assert_error(client_for(township).delete("/api/v1/auth/token"), 400, "no_token")
    assert error["fields"] == {}


# --- what each caller sees ---------------------------------------------------------------------


def test_association_list_is_scoped(township, township2):
    mine = codes(api_client(township).get("/api/v1/associations"))
    assert mine[0] == LIUJIAXIA
    assert len(mine) == 15
    assert all(code.startswith(LIUJIAXIA) for code in mine)
    theirs = codes(api_client(township2).get("/api/v1/associations"))
    assert not set(mine) & set(theirs)


def test_association_search_and_filters(township, township2):
    client = api_client(township)
    assert set(codes(client.get("/api/v1/associations", {"q": "ljx"}))) == {
        LIUJIAXIA,
        "622923100203",
    }
    assert codes(client.get("/api/v1/associations", {"q": "大庄"})) == [DAZHUANG]
    assert codes(client.get("/api/v1/associations", {"q": fullwidth("622923100201")})) == [DAZHUANG]
    assert codes(client.get("/api/v1/associations", {"kind": "township"})) == [LIUJIAXIA]
    assert codes(api_client(township2).get("/api/v1/associations", {"q": "liujiaxia"})) == []
    migrant = services.association_create(
        actor=township, parent=assoc(LIUJIAXIA), kind="migrant", name="流动协会"
    )
    services.association_close(
        actor=township, association=migrant, effective_date=timezone.localdate()
    )
    assert migrant.code not in codes(client.get("/api/v1/associations"))
    closed = client.get("/api/v1/associations", {"include_closed": "true", "kind": "migrant"})
    assert codes(closed) == [migrant.code]
    assert closed.json()["items"][0]["valid_to"] == timezone.localdate().isoformat()


def test_association_detail(township, township2):
    client = api_client(township)
    response = client.get(f"/api/v1/associations/{DAZHUANG}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "大庄村委会计生协"
    assert body["parent_code"] == LIUJIAXIA
    assert body["kind_label"] == "村（社区）计生协"
    assert body["depth"] == 4
    error = assert_error(
        api_client(township2).get(f"/api/v1/associations/{DAZHUANG}"), 404, "not_found"
    )
    assert error["message"] == "记录不存在或不在您的管辖范围内。"
    assert_error(client.get("/api/v1/associations/999999"), 404, "not_found")
    assert_error(client.get("/api/v1/associations/622923"), 404, "not_found")  # above its home


def test_staff_list_is_scoped_and_masked(county, township, township2):
    mine = staff_in(county, DAZHUANG, name="刘家峡人", phone="13912345678")
    staff_in(county, SHANGQUAN, name="盐锅峡人")
    response = api_client(township).get("/api/v1/staff")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["name"] for item in items] == ["刘家峡人"]
    item = items[0]
    assert item["association_code"] == DAZHUANG
    assert item["phone"] != "13912345678"
    assert "5678" in item["phone"]
    assert "id_number" not in item
    assert mine.id_number.reveal_unchecked() not in response.content.decode()
    filtered = api_client(township).get("/api/v1/staff", {"association": DAZHUANG})
    assert [i["name"] for i in filtered.json()["items"]] == ["刘家峡人"]
    assert_error(
        api_client(township2).get("/api/v1/staff", {"association": DAZHUANG}), 404, "not_found"
    )
    assert [i["name"] for i in api_client(township2).get("/api/v1/staff").json()["items"]] == [
        "盐锅峡人"
    ]


def test_staff_list_current_only(village, township):
    gone = staff_in(village, DAZHUANG, name="离任者")
    staff_in(village, DAZHUANG, name="在任者")
    services.staff_end_term(actor=village, staff=gone, left_on=datetime.date(2024, 1, 1))
    client = api_client(township)
    names = [i["name"] for i in client.get("/api/v1/staff").json()["items"]]
    assert names == ["在任者"]
    everyone = client.get("/api/v1/staff", {"current_only": "false"}).json()["items"]
    assert {i["name"] for i in everyone} == {"离任者", "在任者"}
    assert next(i for i in everyone if i["name"] == "离任者")["left_on"] == "2024-01-01"
    assert [i["name"] for i in client.get("/api/v1/staff", {"q": "zrz"}).json()["items"]] == [
        "在任者"
    ]


def test_filing_list_is_scoped(county, township, township2, village):
    person = staff_in(village, DAZHUANG, name="大庄专干")
    filing = services.filing_submit(actor=county, association=assoc(DAZHUANG), person=person)
    other = staff_in(county, SHANGQUAN, name="上铨专干")
    services.filing_submit(actor=county, association=assoc(SHANGQUAN), person=other)
    items = api_client(township).get("/api/v1/filings").json()["items"]
    assert [(i["id"], i["person_name"], i["status"]) for i in items] == [
        (filing.pk, "大庄专干", "submitted")
    ]
    services.filing_accept(actor=township, filing=filing)
    accepted = api_client(township).get("/api/v1/filings", {"status": "accepted"}).json()
    assert [i["association_code"] for i in accepted["items"]] == [DAZHUANG]
    assert api_client(township).get("/api/v1/filings", {"status": "returned"}).json()["items"] == []
    theirs = api_client(township2).get("/api/v1/filings").json()["items"]
    assert [i["person_name"] for i in theirs] == ["上铨专干"]
    assert Filing.objects.count() == 2


# --- pagination --------------------------------------------------------------------------------


def test_page_size_is_capped_at_100(county):
    body = api_client(county).get("/api/v1/associations", {"size": 500}).json()
    assert len(body["items"]) == 100
    assert body["next"] is not None
    assert body["previous"] is None
    one = api_client(county).get("/api/v1/associations", {"size": 0}).json()
    assert len(one["items"]) == 1


def test_keyset_pagination_forward_and_back(county):
    client = api_client(county)
    expected = list(
        Association.objects.visible_to(county)
        .current()
        .order_by("path")
        .values_list("code", flat=True)
    )
    pages = []
    body = client.get("/api/v1/associations", {"size": 40}).json()
    while True:
        pages.append([i["code"] for i in body["items"]])
        if body["next"] is None:
            break
        body = client.get("/api/v1/associations", {"size": 40, "after": body["next"]}).json()
    assert [code for page in pages for code in page] == expected
    for earlier in reversed(pages[:-1]):
        body = client.get("/api/v1/associations", {"size": 40, "before": body["previous"]}).json()
        assert [i["code"] for i in body["items"]] == earlier
    assert body["previous"] is None


def test_staff_pagination_and_bad_cursor(county, township):
    made = [staff_in(county, DAZHUANG) for _ in range(5)]
    client = api_client(township)
    first = client.get("/api/v1/staff", {"size": 2}).json()
    assert [i["id"] for i in first["items"]] == [s.pk for s in made[:2]]
    second = client.get("/api/v1/staff", {"size": 2, "after": first["next"]}).json()
    assert [i["id"] for i in second["items"]] == [s.pk for s in made[2:4]]
    back = client.get("/api/v1/staff", {"size": 2, "before": second["previous"]}).json()
    assert back["items"] == first["items"]
    ignored = client.get("/api/v1/staff", {"size": 2, "after": "1 OR 1=1"}).json()
    assert ignored["items"] == first["items"]


def test_invalid_parameters_are_a_structured_422(township):
    error = assert_error(
        api_client(township).get("/api/v1/associations", {"size": "many"}), 422, "invalid"
    )
    assert "size" in error["fields"]
    error = assert_error(
        api_client(township).get("/api/v1/staff", {"current_only": "perhaps"}), 422, "invalid"
    )
    assert "current_only" in error["fields"]


def test_openapi_schema_is_served_to_signed_in_users_only(client, client_for, township):
    refused = client.get("/api/v1/openapi.json")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/v1/docs").status_code == 401
    assert client_for(township).get("/api/v1/docs").status_code == 200
    response = client_for(township).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/associations" in paths
    assert "/api/v1/auth/token" in paths


# --- query counts ------------------------------------------------------------------------------


def test_association_list_query_count_is_flat(township, flat_queries):
    def grow(count: int) -> None:
        for i in range(count):
            services.association_create(
                actor=township, parent=assoc(LIUJIAXIA), kind="migrant", name=f"流动协会{i}"
            )

    grow(3)
    response = flat_queries(api_client(township), "/api/v1/associations", lambda: grow(27))
    assert len(response.json()["items"]) == 15 + 30


def test_staff_list_query_count_is_flat(county, township, flat_queries):
    def grow(count: int) -> None:
        for _ in range(count):
            staff_in(county, DAZHUANG)

    grow(3)
    response = flat_queries(api_client(township), "/api/v1/staff", lambda: grow(27))
    assert len(response.json()["items"]) == 30


def test_filing_list_query_count_is_flat(county, township, village, flat_queries):
    def grow(count: int) -> None:
        for _ in range(count):
            person = staff_in(village, DAZHUANG)
            filing = services.filing_submit(
                actor=county, association=assoc(DAZHUANG), person=person
            )
            services.filing_accept(actor=township, filing=filing)

    grow(3)
    response = flat_queries(api_client(township), "/api/v1/filings", lambda: grow(27))
    assert len(response.json()["items"]) == 30


def test_association_detail_query_count(township, django_assert_max_num_queries):
    client = api_client(township)
    client.get(f"/api/v1/associations/{DAZHUANG}")
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/associations/{DAZHUANG}").status_code == 200
