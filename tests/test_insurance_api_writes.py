"""The insurance API's writes beyond claims: enrolling one person (POST
/insurance/years/{id}/enrolments), the enrolment by rule's preview and run (a background job,
202) and the job's status. Each through the same services as the pages; refused cases (another
township, another role, anonymous, bad input) change nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from fpa.core.models import AuditEvent, Job
from fpa.families.models import Person
from fpa.insurance.models import Enrolment
from tests.conftest import DAZHUANG, SHANGQUAN, YANGUOXIA
from tests.insurance_helpers import enrol, family, parent, policy_year, product, today
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/insurance"
# Full-width digits and X, as a phone's input method types them.
FULL_WIDTH = str.maketrans("0123456789X", "".join(chr(0xFF10 + d) for d in range(10)) + "\uff38")


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def plain_id(person: Person) -> str:
    """The test's own synthetic number back from the protected field (no reveal is audited
    here: this is the test reading what it wrote)."""
    return person.id_number.reveal_unchecked()


def audit_rows(action: str = "create") -> int:
    return AuditEvent.objects.filter(object_type="insurance.enrolment", action=action).count()


@pytest.fixture
def world(county, township, township2, village):
    year = policy_year(county)
    ours = family(village, DAZHUANG)
    theirs = family(township2, SHANGQUAN)
    return {
        "year": year,
        "mother": parent(ours),
        "father": parent(ours, "father"),
        "foreign": parent(theirs),
        "url": f"{BASE}/years/{year.pk}/enrolments",
    }


# --- enrolling one person -------------------------------------------------------------------


def test_village_enrols_one_person_with_an_audit_row(world, village):
    before = audit_rows()
    body = {"source": "person", "id_number": plain_id(world["mother"])}

    response = post(api_client(village), world["url"], body)

    assert response.status_code == 201, response.content
    data = response.json()
    enrolment = Enrolment.objects.get(pk=data["id"])
    assert enrolment.person_id == world["mother"].pk
    assert enrolment.policy_year_id == world["year"].pk
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.enrolled_by_id == village.pk
    assert data["association_code"] == DAZHUANG
    assert "*" in data["id_number_masked"] and data["name_masked"] != "张桂兰"
    assert audit_rows() == before + 1


def test_full_width_digits_are_read_as_the_same_number(world, village):
    number = plain_id(world["father"]).translate(FULL_WIDTH)
    assert not number.isascii()
    body = {"source": "person", "id_number": number, "covered_from": today().isoformat()}

    response = post(api_client(village), world["url"], body)

    assert response.status_code == 201, response.content
    assert Enrolment.objects.get().person_id == world["father"].pk


def test_duplicate_subject_in_the_year_is_refused(world, village):
    enrol(village, world["year"], world["mother"])
    before = audit_rows()
    body = {"source": "person", "id_number": plain_id(world["mother"])}

    error = assert_error(post(api_client(village), world["url"], body), 400, "invalid")

    assert "subject" in error["fields"]
    assert Enrolment.objects.count() == 1 and audit_rows() == before


@pytest.mark.parametrize(
    ("number", "field"),
    [
        ("62292319700506002", "id_number"),  # 17 characters
        ("622923197005060021", "id_number"),  # wrong check digit (or not in the registry)
        ("622923197005060021".translate(FULL_WIDTH), "id_number"),  # the same, full-width
        ("abc", "id_number"),
    ],
)
def test_malformed_id_numbers_are_refused(world, village, number, field):
    error = assert_error(
        post(api_client(village), world["url"], {"source": "person", "id_number": number}),
        400,
        "invalid",
    )
    assert field in error["fields"]
    assert not Enrolment.objects.exists()


def test_a_person_of_another_township_is_not_found_in_scope(world, township):
    body = {"source": "person", "id_number": plain_id(world["foreign"])}
    error = assert_error(post(api_client(township), world["url"], body), 400, "invalid")
    assert "id_number" in error["fields"]
    assert not Enrolment.objects.exists()


def test_a_closed_year_takes_no_enrolment(world, county, village):
    past = policy_year(county, world["year"].product, year=today().year - 2)
    assert past.ends_on < today()
    body = {"source": "person", "id_number": plain_id(world["mother"])}

    error = assert_error(
        post(api_client(village), f"{BASE}/years/{past.pk}/enrolments", body), 400, "invalid"
    )

    assert "covered_from" in error["fields"]
    assert not Enrolment.objects.exists()


def test_cover_start_outside_the_year_is_refused(world, village):
    late = world["year"].ends_on + datetime.timedelta(days=1)
    body = {
        "source": "person",
        "id_number": plain_id(world["mother"]),
        "covered_from": late.isoformat(),
    }
    error = assert_error(post(api_client(village), world["url"], body), 400, "invalid")
    assert "covered_from" in error["fields"]
    assert not Enrolment.objects.exists()


def test_a_year_owned_by_another_township_is_404(world, county, township, township2):
    theirs = policy_year(county, product(county, code=YANGUOXIA, name="盐锅峡镇补充保险"))
    body = {"source": "person", "id_number": plain_id(world["mother"])}
    assert_error(
        post(api_client(township), f"{BASE}/years/{theirs.pk}/enrolments", body),
        404,
        "not_found",
    )
    assert_error(
        post(api_client(township), f"{BASE}/years/{2**70}/enrolments", body), 404, "not_found"
    )
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "finance", "volunteer", "sysadmin"])
def test_roles_without_insurance_edit_cannot_enrol(request, world, persona):
    client = api_client(request.getfixturevalue(persona))
    body = {"source": "person", "id_number": plain_id(world["mother"])}
    assert_error(post(client, world["url"], body), 403, "forbidden")
    assert not Enrolment.objects.exists()


def test_bad_shapes_are_422(world, village):
    client = api_client(village)
    mother = plain_id(world["mother"])
    for body in (
        {"source": "cat", "id_number": mother},
        {"source": "person"},
        {"source": "person", "id_number": mother, "covered_from": "2024-02-30"},
    ):
        assert_error(post(client, world["url"], body), 422, "invalid")
    assert not Enrolment.objects.exists()


# --- the enrolment by rule ------------------------------------------------------------------


@pytest.fixture
def rule_world(world, village):
    """Three parents in the county's year: the mother already enrolled, the father to add, and
    a mother too old for the product (left out)."""
    enrol(village, world["year"], world["mother"])
    old = parent(
        family(village, DAZHUANG, mother_birth=datetime.date(1930, 1, 1), father_birth=None)
    )
    return {**world, "old": old, "rule": f"{BASE}/years/{world['year'].pk}/rules/parents"}


def test_preview_counts_and_samples_without_writing(rule_world, county):
    client = api_client(county)  # issuing the token is audited: count after it
    enrolments, audits = Enrolment.objects.count(), AuditEvent.objects.count()

    response = post(client, f"{rule_world['rule']}/preview", {"area": DAZHUANG})

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["counts"] == {"added": 1, "already": 1, "left_out": 1}
    assert data["total"] == 3
    assert data["reasons"] == [{"code": "age", "label": "不在产品的投保年龄内", "count": 1}]
    assert [row["group"] for row in data["sample"]] == ["added"]
    assert data["sample"][0]["name_masked"] == "李**"
    assert Enrolment.objects.count() == enrolments and AuditEvent.objects.count() == audits


def test_preview_of_another_group_and_a_narrower_rule(rule_world, county):
    client = api_client(county)
    body = {"group": "left_out", "area": DAZHUANG}
    left_out = post(client, f"{rule_world['rule']}/preview", body).json()
    assert [row["reason"] for row in left_out["sample"]] == ["age"]
    women = post(client, f"{rule_world['rule']}/preview", {"sex": "F", "area": DAZHUANG}).json()
    assert women["counts"] == {"added": 0, "already": 1, "left_out": 1}


def test_run_starts_the_job_and_enrols_with_audit_rows(rule_world, county):
    before = audit_rows()

    response = post(
        api_client(county), f"{rule_world['rule']}/run", {"expected": 3, "area": DAZHUANG}
    )

    assert response.status_code == 202, response.content
    data = response.json()
    job = Job.objects.get(pk=data["id"])
    assert job.kind == "insurance.enrol_by_rule" and job.owner_id == county.pk
    assert data["status_url"] == f"{BASE}/jobs/{job.pk}"
    # The test settings run the job inside the request: it is done.
    status = api_client(county).get(data["status_url"]).json()
    assert status["status"] == "done" and status["percent"] == 100
    assert status["result"]["written"] == 1
    added = Enrolment.objects.get(person=rule_world["father"])
    assert added.by_rule and added.status == Enrolment.Status.ENROLLED
    assert not Enrolment.objects.filter(person=rule_world["old"]).exists()
    assert audit_rows() == before + 1


def test_running_twice_adds_nobody(rule_world, county):
    client = api_client(county)
    post(client, f"{rule_world['rule']}/run", {"area": DAZHUANG})
    second = post(client, f"{rule_world['rule']}/run", {"area": DAZHUANG}).json()
    assert client.get(second["status_url"]).json()["result"]["written"] == 0
    assert Enrolment.objects.count() == 2


@pytest.mark.parametrize("step", ["preview", "run"])
def test_rule_refusals(rule_world, county, township, auditor, client, step):
    url = f"{rule_world['rule']}/{step}"
    # township staff hold insurance.edit, not insurance.manage (the page's capability)
    assert_error(post(api_client(township), url, {}), 403, "forbidden")
    assert_error(post(api_client(auditor), url, {}), 403, "forbidden")
    assert_error(post(client, url, {}), 401, "unauthenticated")
    manager = api_client(county)
    assert_error(post(manager, url, {"age_min": 130}), 422, "invalid")
    assert_error(post(manager, url, {"family_kind": "cat"}), 400, "invalid")
    assert_error(post(manager, url, {"member_kind": "group"}), 400, "invalid")
    assert_error(post(manager, url.replace("/parents/", "/everyone/"), {}), 422, "invalid")
    assert_error(post(manager, f"{BASE}/years/{2**62}/rules/parents/{step}", {}), 404, "not_found")
    assert Enrolment.objects.count() == 1
    assert not Job.objects.exists()


def test_an_unknown_area_code_is_404(rule_world, county):
    """An area code outside the caller's scope (here: none at all) is 404, like a forged id."""
    response = post(api_client(county), f"{rule_world['rule']}/preview", {"area": "999999"})
    assert_error(response, 404, "not_found")


def test_job_status_is_the_callers_own_and_insurance_only(rule_world, county, township):
    data = post(api_client(county), f"{rule_world['rule']}/run", {}).json()
    assert_error(api_client(township).get(data["status_url"]), 404, "not_found")
    assert_error(api_client(county).get(f"{BASE}/jobs/{2**70}"), 404, "not_found")


def test_new_operations_are_documented(county):
    schema = api_client(county).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    enrol_op = paths["/api/v1/insurance/years/{year_id}/enrolments"]["post"]
    preview = paths["/api/v1/insurance/years/{year_id}/rules/{rule}/preview"]["post"]
    run = paths["/api/v1/insurance/years/{year_id}/rules/{rule}/run"]["post"]
    job = paths["/api/v1/insurance/jobs/{job_id}"]["get"]
    for operation in (enrol_op, preview, run, job):
        assert operation["summary"] and operation["description"]
        assert {"401", "403", "404", "422"} <= set(operation["responses"])
    assert "201" in enrol_op["responses"] and "202" in run["responses"]
