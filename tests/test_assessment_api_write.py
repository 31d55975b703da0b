"""The key-work assessment's API writes beside the round's steps (tests/test_assessment_api.py):
the county sets the year's scheme, adds and corrects its indicators (computed from a registered
key, or scored by an assigned scorer), publishes it and starts a round. Each through the
services (audited, versioned); refused: anonymous (401), a township or the auditor (403),
another county's scheme (404), forged ids (404/422), a stale version (409), bad input
(400/422), each changing nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from fpa.assessment import services
from fpa.assessment.models import Indicator, Round, Scheme
from fpa.core.models import AuditEvent
from tests.assessment_helpers import COUNTY, LIUJIAXIA, advance, assoc, round_in
from tests.assessment_helpers import scheme as make_scheme
from tests.conftest import another_county
from tests.test_api import api_client, assert_error
from tests.test_api import fullwidth_digits as wide

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessment"
TODAY = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY, tick=True):
        yield


def post(client: Client, path: str, body: Any | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def counts() -> tuple[int, int, int, int]:
    return (
        Scheme.objects.count(),
        Indicator.objects.count(),
        Round.objects.count(),
        AuditEvent.objects.filter(object_type__startswith="assessment.").count(),
    )


def scored(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "area": "组织建设",
        "name": "组织健全",
        "weight": "60",
        "kind": "scored",
        "rule": "换届按期完成得满分",
        "evidence": "换届文件",
    }
    body.update(extra)
    return body


def computed(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "area": "活动",
        "name": "村均活动",
        "weight": "40",
        "kind": "computed",
        "computed_key": "activities.per_village",
        "target": "2",
    }
    body.update(extra)
    return body


def draft(county: Any, year: int = 2026) -> Scheme:
    return services.scheme_create(actor=county, county=assoc(COUNTY), year=year, title="考评方案")


# --- the happy path -------------------------------------------------------------------------------


def test_the_county_sets_a_scheme_publishes_it_and_starts_a_round(
    county: Any, township: Any
) -> None:
    client = api_client(county)
    made = post(client, f"{BASE}/schemes", {"year": 2026, "title": "2026年度重点工作考评方案"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["county_code"] == COUNTY and body["published"] is False
    assert body["indicators"] == [] and body["may_manage"] is True
    scheme = Scheme.objects.get(pk=body["id"])
    assert scheme.year == 2026 and scheme.county.code == COUNTY
    assert AuditEvent.objects.filter(
        object_type="assessment.scheme", object_id=str(scheme.pk), action="create"
    ).exists()
    # The township does not see a draft.
    assert_error(api_client(township).get(f"{BASE}/schemes/{scheme.pk}"), 404, "not_found")

    url = f"{BASE}/schemes/{scheme.pk}/indicators"
    first = post(client, url, scored(scorer=county.pk))
    assert first.status_code == 201, first.content
    one = first.json()
    assert one["kind"] == "scored" and one["scorer_id"] == county.pk and one["position"] == 1
    assert one["computed_key"] == "" and Decimal(one["weight"]) == 60
    second = post(client, url, computed())
    assert second.status_code == 201, second.content
    two = second.json()
    assert two["computed_key"] == "activities.per_village" and two["formula"]
    assert Decimal(two["target"]) == 2 and two["position"] == 2
    for item in (one, two):
        assert AuditEvent.objects.filter(
            object_type="assessment.indicator", object_id=str(item["id"]), action="create"
        ).exists()

    edit = f"{url}/{one['id']}"
    assert_error(post(client, edit, {"version": 2, "weight": "50"}), 409, "conflict")
    changed = post(client, edit, {"version": 1, "name": "组织机构健全", "scorer": None})
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "组织机构健全" and changed.json()["scorer_id"] is None
    row = Indicator.objects.get(pk=one["id"])
    assert row.version == 2 and row.weight == 60 and row.rule == "换届按期完成得满分"
    assert AuditEvent.objects.filter(
        object_type="assessment.indicator", object_id=str(row.pk), action="update"
    ).exists()

    publish = f"{BASE}/schemes/{scheme.pk}/publish"
    assert_error(post(client, publish, {"version": 2}), 409, "conflict")
    published = post(client, publish, {"version": 1})
    assert published.status_code == 200, published.content
    assert published.json()["published"] is True and published.json()["version"] == 2
    assert Decimal(published.json()["total_weight"]) == 100
    assert api_client(township).get(f"{BASE}/schemes/{scheme.pk}").status_code == 200

    started = post(
        client,
        f"{BASE}/rounds",
        {"scheme": scheme.pk, "title": "2026年度考评", "cutoff": "2026-11-30"},
    )
    assert started.status_code == 201, started.content
    round_body = started.json()
    assert round_body["phase"] == "open" and round_body["cutoff"] == "2026-11-30"
    assert round_body["scheme_id"] == scheme.pk and round_body["may_manage"] is True
    assert Round.objects.get(pk=round_body["id"]).title == "2026年度考评"
    assert AuditEvent.objects.filter(
        object_type="assessment.round", object_id=str(round_body["id"]), action="create"
    ).exists()


# --- refused --------------------------------------------------------------------------------------


def test_anonymous_a_township_and_the_auditor_may_not_set_schemes(
    client: Client, county: Any, township: Any, auditor: Any
) -> None:
    made, indicators = make_scheme(county)
    open_one = draft(county, 2025)
    before = counts()
    calls = (
        (f"{BASE}/schemes", {"year": 2024, "title": "方案"}),
        (f"{BASE}/schemes/{open_one.pk}/indicators", scored()),
        (f"{BASE}/schemes/{made.pk}/indicators/{indicators[0].pk}", {"name": "改名"}),
        (f"{BASE}/schemes/{open_one.pk}/publish", {}),
        (f"{BASE}/rounds", {"scheme": made.pk, "title": "轮次", "cutoff": "2026-11-30"}),
    )
    for path, body in calls:
        assert_error(post(client, path, body), 401, "unauthenticated")
        for user in (township, auditor):
            assert_error(post(api_client(user), path, body), 403, "forbidden")
    assert counts() == before
    assert Indicator.objects.get(pk=indicators[0].pk).name == indicators[0].name


def test_another_countys_scheme_is_404_and_forged_ids_are_404_or_422(
    county: Any, yongjing: Any
) -> None:
    made, indicators = make_scheme(county)
    open_one = draft(county, 2025)
    other = api_client(another_county(yongjing))
    before = counts()
    assert_error(
        post(other, f"{BASE}/schemes/{open_one.pk}/indicators", scored()), 404, "not_found"
    )
    edit = f"{BASE}/schemes/{made.pk}/indicators/{indicators[0].pk}"
    assert_error(post(other, edit, {"name": "外县修改"}), 404, "not_found")
    assert_error(post(other, f"{BASE}/schemes/{open_one.pk}/publish"), 404, "not_found")
    body = {"scheme": made.pk, "title": "外县轮次", "cutoff": "2026-11-30"}
    assert_error(post(other, f"{BASE}/rounds", body), 404, "not_found")
    # Yongjing's code is outside the other county's subtree.
    error = assert_error(
        post(other, f"{BASE}/schemes", {"year": 2026, "title": "代定", "county": COUNTY}),
        400,
        "invalid",
    )
    assert "county" in error["fields"]
    client = api_client(county)
    for scheme_id in (2**70, 0, 999999):
        path = f"{BASE}/schemes/{scheme_id}/indicators"
        assert_error(post(client, path, scored()), 404, "not_found")
    assert_error(post(client, f"{BASE}/schemes/abc/indicators", scored()), 422, "invalid")
    for indicator_id in (2**70, 999999, indicators[0].pk):  # the last: of another scheme
        path = f"{BASE}/schemes/{open_one.pk}/indicators/{indicator_id}"
        assert_error(post(client, path, {"name": "伪造"}), 404, "not_found")
    body = {"scheme": 999999, "title": "伪造", "cutoff": "2026-11-30"}
    assert_error(post(client, f"{BASE}/rounds", body), 404, "not_found")
    assert_error(post(client, f"{BASE}/rounds", {**body, "scheme": 2**70}), 422, "invalid")
    assert counts() == before


def assert_refused(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] in {"invalid", "duplicate"} and error["message"]
    if field:
        assert field in {key.rpartition(".")[2] for key in error["fields"]}, error


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": "方案"}, 422, "year"),
        ({"year": wide("2026"), "title": "方案"}, 422, "year"),
        ({"year": 1999, "title": "方案"}, 422, "year"),
        ({"year": 2028, "title": "方案"}, 400, "year"),  # later than next year
        ({"year": 2026}, 422, "title"),
        ({"year": 2026, "title": "长" * 101}, 422, "title"),
        ({"year": 2026, "title": "方案", "county": LIUJIAXIA}, 400, "county"),  # not a county
        ({"year": 2026, "title": "方案", "county": wide(COUNTY)}, 400, "county"),
    ],
)
def test_a_bad_scheme_changes_nothing(county: Any, body: dict, status: int, field: str) -> None:
    before = counts()
    assert_refused(post(api_client(county), f"{BASE}/schemes", body), status, field)
    assert counts() == before


def test_one_scheme_a_year(county: Any) -> None:
    draft(county)
    before = counts()
    response = post(api_client(county), f"{BASE}/schemes", {"year": 2026, "title": "第二份"})
    assert_refused(response, 400, "year")
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (scored(weight="0"), 400, "weight"),
        (scored(weight="100.01"), 400, "weight"),
        (scored(weight="-5"), 400, "weight"),
        (scored(weight="many"), 422, "weight"),
        (scored(weight=wide("60")), 422, "weight"),
        (scored(kind="guessed"), 422, "kind"),
        (scored(area=""), 400, "area"),
        (scored(name="长" * 101), 422, "name"),
        (scored(scorer=999999), 400, "scorer"),
        (scored(position=0), 422, "position"),
        (computed(computed_key="no.such.key"), 400, "computed_key"),
        (computed(computed_key=""), 400, "computed_key"),
        (computed(target="0"), 400, "target"),
        ({k: v for k, v in scored().items() if k != "name"}, 422, "name"),
    ],
)
def test_a_bad_indicator_changes_nothing(county: Any, body: dict, status: int, field: str) -> None:
    scheme = draft(county)
    before = counts()
    response = post(api_client(county), f"{BASE}/schemes/{scheme.pk}/indicators", body)
    assert_refused(response, status, field)
    assert counts() == before


def test_a_scorer_must_be_one_who_may_score(county: Any, township: Any) -> None:
    scheme = draft(county)
    before = counts()
    url = f"{BASE}/schemes/{scheme.pk}/indicators"
    assert_refused(post(api_client(county), url, scored(scorer=township.pk)), 400, "scorer")
    assert counts() == before


def test_a_bad_correction_or_a_started_round_changes_nothing(county: Any) -> None:
    scheme = draft(county)
    client = api_client(county)
    url = f"{BASE}/schemes/{scheme.pk}/indicators"
    one = post(client, url, scored(weight="100")).json()
    edit = f"{url}/{one['id']}"
    before = (counts(), Indicator.objects.get(pk=one["id"]).version)
    for body, status, field in (
        ({"weight": "101"}, 400, "weight"),
        ({"weight": None}, 422, "weight"),
        ({"name": None}, 422, "name"),
        ({"kind": "computed"}, 400, "computed_key"),  # computed needs a key
        ({"version": 0}, 422, "version"),
    ):
        assert_refused(post(client, edit, body), status, field)
    assert (counts(), Indicator.objects.get(pk=one["id"]).version) == before
    published = services.scheme_publish(actor=county, scheme=scheme)
    advance(county, round_in(county, published))
    # Once a round has started the indicators are fixed (the service's rule: 400).
    assert_refused(post(client, edit, {"name": "开始后修改"}), 400, "")
    assert_refused(post(client, url, computed()), 400, "")
    assert Indicator.objects.get(pk=one["id"]).name == "组织健全" and counts()[1] == 1


def test_publish_needs_100_points(county: Any) -> None:
    scheme = draft(county)
    client = api_client(county)
    post(client, f"{BASE}/schemes/{scheme.pk}/indicators", scored())
    response = post(client, f"{BASE}/schemes/{scheme.pk}/publish", {})
    assert_refused(response, 400, "")
    assert Scheme.objects.get(pk=scheme.pk).published is False


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"cutoff": "2025-11-30"}, 400, "cutoff"),  # not in the scheme's year
        ({"cutoff": "2026-02-30"}, 422, "cutoff"),
        ({"cutoff": "30/11/2026"}, 422, "cutoff"),
        ({"cutoff": wide("2026-11-30")}, 422, "cutoff"),
        ({"title": ""}, 400, "title"),
        ({"scheme": "first"}, 422, "scheme"),
    ],
)
def test_a_bad_round_changes_nothing(county: Any, change: dict, status: int, field: str) -> None:
    made, _ = make_scheme(county)
    body = {"scheme": made.pk, "title": "2026年度考评", "cutoff": "2026-11-30", **change}
    before = counts()
    assert_refused(post(api_client(county), f"{BASE}/rounds", body), status, field)
    assert counts() == before


def test_no_round_of_an_unpublished_scheme(county: Any) -> None:
    scheme = draft(county)
    before = counts()
    body = {"scheme": scheme.pk, "title": "2026年度考评", "cutoff": "2026-11-30"}
    assert_refused(post(api_client(county), f"{BASE}/rounds", body), 400, "")
    assert counts() == before


def test_openapi_documents_the_new_operations(township: Any) -> None:
    paths = api_client(township).get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/assessment/schemes",
        "/api/v1/assessment/schemes/{scheme_id}/indicators",
        "/api/v1/assessment/schemes/{scheme_id}/indicators/{indicator_id}",
        "/api/v1/assessment/schemes/{scheme_id}/publish",
        "/api/v1/assessment/rounds",
    ):
        responses = paths[path]["post"]["responses"]
        assert {"400", "401", "403", "404", "409", "422"} <= set(responses), path
