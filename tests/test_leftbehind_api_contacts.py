"""三留守 contact persons over the API: the list (masked), assigning and ending through the
page's services with their audit rows, the children rule (a child's record only with
`leftbehind.children` or as the child's contact person), and refused callers and bad input
that change nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.core.models import AuditEvent
from fpa.leftbehind import services
from fpa.leftbehind.models import LeftBehindContact
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.leftbehind_helpers import contact, person
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/left-behind"
CONTACT_TYPE = "leftbehind.leftbehindcontact"
# Full-width digits, as a phone's input method types them.
FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def named(error: dict[str, Any], field: str) -> bool:
    """Whether the error names `field` (a service's field, or the body's "payload.<field>")."""
    return field in error["fields"] or f"payload.{field}" in error["fields"]


def audits(action: str) -> int:
    return AuditEvent.objects.filter(object_type=CONTACT_TYPE, action=action).count()


def assign_body(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": "village_cadre",
        "name": "王秀英",
        "phone": "13912345678",
        "start_date": timezone.localdate().isoformat(),
    }
    data.update(extra)
    return data


@pytest.fixture
def people(township, township2):
    return {
        "elderly": person(township, DAZHUANG, name="马福元"),
        "child": person(township, DAZHUANG, kind="child", name="马小花"),
        "foreign": person(township2, SHANGQUAN, name="外镇老人"),
    }


# --- the list ---------------------------------------------------------------------------------


def test_contacts_are_listed_current_first_and_masked(people, township):
    elderly = people["elderly"]
    ended = contact(township, elderly, name="前任联系人", phone="13900001111")
    services.contact_end(actor=township, contact=ended, end_date=timezone.localdate())
    current = contact(township, elderly, name="现任联系人", phone="13900002222")
    client = api_client(township)

    items = client.get(f"{BASE}/people/{elderly.pk}/contacts").json()

    assert [i["id"] for i in items] == [current.pk, ended.pk]
    assert [i["current"] for i in items] == [True, False]
    assert items[0]["phone"] != "13900002222" and "*" in items[0]["phone"]
    assert items[0]["role_code"] == "village_cadre"
    only = client.get(f"{BASE}/people/{elderly.pk}/contacts", {"current_only": "true"}).json()
    assert [i["id"] for i in only] == [current.pk]


def test_the_list_query_count_is_flat(people, township, django_assert_max_num_queries):
    elderly = people["elderly"]
    client = api_client(township)
    url = f"{BASE}/people/{elderly.pk}/contacts"
    contact(township, elderly)
    client.get(url)  # warm: the token's last use
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for n in range(5):
        contact(township, elderly, name=f"联系人{n}", phone=f"1390000{n:04d}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(url).json()) == 6


# --- assigning --------------------------------------------------------------------------------


def test_staff_assign_a_named_contact_with_an_audit_row(people, township):
    before = audits("create")

    response = post(
        api_client(township), f"{BASE}/people/{people['elderly'].pk}/contacts", assign_body()
    )

    assert response.status_code == 201, response.content
    row = LeftBehindContact.objects.get(pk=response.json()["id"])
    assert row.person_id == people["elderly"].pk and row.name == "王秀英"
    assert row.phone.reveal_unchecked() == "13912345678"
    assert row.end_date is None and row.user is None
    assert audits("create") == before + 1
    assert response.json()["phone"] != "13912345678"


def test_an_account_of_the_subtree_may_be_the_contact(people, township, village):
    body = assign_body(name="", phone="", user_id=village.pk)
    response = post(api_client(township), f"{BASE}/people/{people['elderly'].pk}/contacts", body)
    assert response.status_code == 201, response.content
    row = LeftBehindContact.objects.get(pk=response.json()["id"])
    assert row.user == village and response.json()["username"] == "village"


def test_full_width_phone_digits_are_read_as_digits(people, township):
    body = assign_body(phone="13912345678".translate(FULL_WIDTH))
    response = post(api_client(township), f"{BASE}/people/{people['elderly'].pk}/contacts", body)
    assert response.status_code == 201, response.content
    row = LeftBehindContact.objects.get(pk=response.json()["id"])
    assert row.phone.reveal_unchecked() == "13912345678"


@pytest.mark.parametrize(
    ("extra", "status", "field"),
    [
        ({"role": "nobody"}, 400, "role"),
        ({"name": ""}, 400, "name"),
        ({"phone": "1391234"}, 400, "phone"),
        ({"start_date": "1990-01-01"}, 400, "start_date"),
        ({"start_date": "2024-02-30"}, 422, "start_date"),
        ({"name": "王" * 51}, 422, "name"),
    ],
)
def test_bad_contacts_are_refused_and_change_nothing(people, township, extra, status, field):
    before = audits("create")
    url = f"{BASE}/people/{people['elderly'].pk}/contacts"
    error = assert_error(post(api_client(township), url, assign_body(**extra)), status, "invalid")
    assert named(error, field)
    assert not LeftBehindContact.objects.exists() and audits("create") == before


def test_an_account_outside_the_subtree_is_404(people, township, township2):
    body = assign_body(user_id=township2.pk)
    url = f"{BASE}/people/{people['elderly'].pk}/contacts"
    assert_error(post(api_client(township), url, body), 404, "not_found")
    assert_error(post(api_client(township), url, assign_body(user_id=2**62)), 404, "not_found")
    assert not LeftBehindContact.objects.exists()


# --- ending -------------------------------------------------------------------------------------


def test_staff_end_a_contact_with_an_audit_row(people, township):
    found = contact(township, people["elderly"])
    before = audits("update")
    day = timezone.localdate()

    response = post(
        api_client(township), f"{BASE}/contacts/{found.pk}/end", {"end_date": day.isoformat()}
    )

    assert response.status_code == 200, response.content
    assert LeftBehindContact.objects.get(pk=found.pk).end_date == day
    assert response.json()["current"] is False
    assert audits("update") == before + 1
    assert AuditEvent.objects.filter(object_type=CONTACT_TYPE).latest("pk").reason == ""


def test_the_end_takes_an_optional_reason_onto_the_audit_row(people, township):
    found = contact(township, people["elderly"])
    day = timezone.localdate().isoformat()

    response = post(
        api_client(township),
        f"{BASE}/contacts/{found.pk}/end",
        {"end_date": day, "reason": "  工作调动  "},
    )

    assert response.status_code == 200, response.content
    row = AuditEvent.objects.filter(object_type=CONTACT_TYPE, action="update").latest("pk")
    assert row.reason == "工作调动" and row.object_id == str(found.pk)
    assert "end_date" in row.changes


def test_a_reason_too_long_is_refused_and_changes_nothing(people, township):
    found = contact(township, people["elderly"])
    before = audits("update")
    body = {"end_date": timezone.localdate().isoformat(), "reason": "原" * 201}
    error = assert_error(
        post(api_client(township), f"{BASE}/contacts/{found.pk}/end", body), 422, "invalid"
    )
    assert named(error, "reason")
    assert LeftBehindContact.objects.get(pk=found.pk).end_date is None
    assert audits("update") == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"end_date": "2001-01-01"}, 400),  # before the start
        ({"end_date": "1999-12-31"}, 400),  # out of the working range
        ({"end_date": "2024-13-01"}, 422),
        ({}, 422),
    ],
)
def test_bad_ends_change_nothing(people, township, body, status):
    found = contact(township, people["elderly"])
    assert_error(
        post(api_client(township), f"{BASE}/contacts/{found.pk}/end", body), status, "invalid"
    )
    assert LeftBehindContact.objects.get(pk=found.pk).end_date is None


def test_an_ended_contact_cannot_end_again(people, township):
    found = contact(township, people["elderly"])
    client = api_client(township)
    day = timezone.localdate()
    post(client, f"{BASE}/contacts/{found.pk}/end", {"end_date": day.isoformat()})
    later = (day + datetime.timedelta(days=1)).isoformat()
    assert_error(
        post(client, f"{BASE}/contacts/{found.pk}/end", {"end_date": later}), 400, "invalid"
    )
    assert LeftBehindContact.objects.get(pk=found.pk).end_date == day


# --- who may -------------------------------------------------------------------------------------


def test_another_township_gets_404_and_changes_nothing(people, township, township2):
    found = contact(township, people["elderly"])
    client = api_client(township2)
    pk = people["elderly"].pk
    assert_error(client.get(f"{BASE}/people/{pk}/contacts"), 404, "not_found")
    assert_error(post(client, f"{BASE}/people/{pk}/contacts", assign_body()), 404, "not_found")
    today = timezone.localdate().isoformat()
    assert_error(
        post(client, f"{BASE}/contacts/{found.pk}/end", {"end_date": today}), 404, "not_found"
    )
    assert_error(
        post(client, f"{BASE}/contacts/{2**70}/end", {"end_date": today}), 404, "not_found"
    )
    assert LeftBehindContact.objects.get().end_date is None
    # the same caller reaches its own township's record
    own = client.get(f"{BASE}/people/{people['foreign'].pk}/contacts")
    assert own.status_code == 200 and own.json() == []


@pytest.mark.parametrize("persona", ["finance", "auditor", "volunteer", "sysadmin"])
def test_roles_without_the_capability_get_403(request, people, township, persona):
    found = contact(township, people["elderly"])
    client = api_client(request.getfixturevalue(persona))
    pk = people["elderly"].pk
    today = timezone.localdate().isoformat()
    assert_error(client.get(f"{BASE}/people/{pk}/contacts"), 403, "forbidden")
    assert_error(post(client, f"{BASE}/people/{pk}/contacts", assign_body()), 403, "forbidden")
    assert_error(
        post(client, f"{BASE}/contacts/{found.pk}/end", {"end_date": today}), 403, "forbidden"
    )
    assert LeftBehindContact.objects.count() == 1
    assert LeftBehindContact.objects.get().end_date is None


def test_anonymous_gets_401(client, people, township):
    found = contact(township, people["elderly"])
    pk = people["elderly"].pk
    today = timezone.localdate().isoformat()
    assert_error(client.get(f"{BASE}/people/{pk}/contacts"), 401, "unauthenticated")
    assert_error(
        post(client, f"{BASE}/people/{pk}/contacts", assign_body()), 401, "unauthenticated"
    )
    assert_error(
        post(client, f"{BASE}/contacts/{found.pk}/end", {"end_date": today}), 401, "unauthenticated"
    )
    assert LeftBehindContact.objects.count() == 1


def test_a_child_is_hidden_from_village_staff(people, township, village):
    """Village staff hold no `leftbehind.children`: the child's contacts are a 404 to them."""
    found = contact(township, people["child"], name="儿童主任")
    client = api_client(village)
    pk = people["child"].pk
    today = timezone.localdate().isoformat()
    assert_error(client.get(f"{BASE}/people/{pk}/contacts"), 404, "not_found")
    assert_error(post(client, f"{BASE}/people/{pk}/contacts", assign_body()), 404, "not_found")
    assert_error(
        post(client, f"{BASE}/contacts/{found.pk}/end", {"end_date": today}), 404, "not_found"
    )
    assert LeftBehindContact.objects.get().end_date is None
    # township staff hold it and see the child's contacts
    assert len(api_client(township).get(f"{BASE}/people/{pk}/contacts").json()) == 1


def test_the_childs_own_contact_reads_but_does_not_manage(people, township, village):
    mine = contact(township, people["child"], user=village)
    client = api_client(village)
    pk = people["child"].pk
    items = client.get(f"{BASE}/people/{pk}/contacts").json()
    assert [i["id"] for i in items] == [mine.pk]
    assert_error(post(client, f"{BASE}/people/{pk}/contacts", assign_body()), 403, "forbidden")
    today = timezone.localdate().isoformat()
    assert_error(
        post(client, f"{BASE}/contacts/{mine.pk}/end", {"end_date": today}), 403, "forbidden"
    )
    assert LeftBehindContact.objects.count() == 1
    assert LeftBehindContact.objects.get().end_date is None


def test_operations_are_documented(township):
    paths = api_client(township).get("/api/v1/openapi.json").json()["paths"]
    operations = [
        paths[f"{BASE}/people/{{person_id}}/contacts"]["get"],
        paths[f"{BASE}/people/{{person_id}}/contacts"]["post"],
        paths[f"{BASE}/contacts/{{contact_id}}/end"]["post"],
    ]
    for operation in operations:
        assert operation["summary"] and operation["description"]
        assert {"401", "403", "404", "422"} <= set(operation["responses"])
