"""The key-work assessment's API at /api/v1/assessment: schemes with their indicators, rounds
with the results and ranking as the round's page shows them to the caller, a township's score
sheet; the self-assessment, the county's scores, appeals and answers, and the round's steps
(next phase, freeze, public) through the services (audited, versioned). Refused: anonymous
(401), a role without the capability (403), another township's sheet or another county's round
(404), a step outside its phase (409 `phase`), a stale version (409 `conflict`), bad input
(400/422), each changing nothing; lists with a bounded, flat query count."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from fpa.accounts.roles import Role
from fpa.assessment import services
from fpa.assessment.models import Appeal, Round, Scheme, Score
from fpa.core.models import AuditEvent, Job
from tests.assessment_helpers import (
    COUNTY,
    LIUJIAXIA,
    YANGUOXIA,
    advance,
    assoc,
    at_appeal,
    round_in,
    score_all,
)
from tests.assessment_helpers import scheme as make_scheme
from tests.conftest import another_county, make_user
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessment"
TODAY = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY, tick=True):
        yield


def post(client: Client, path: str, body: Any | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def at(county: Any, phase: str, scorer: Any = None) -> tuple[Round, list[Any]]:
    """A round of a published scheme in `phase` (scores given from the preliminary results on:
    刘家峡镇 20 and 盐锅峡镇 25 on each scored indicator, the computed one frozen)."""
    made, indicators = make_scheme(county, scorer=scorer)
    round_ = round_in(county, made)
    steps = {"open": 0, "self": 1, "scoring": 2}
    if phase in steps:
        return advance(county, round_, steps[phase]), indicators
    round_ = advance(county, round_, 2)
    score_all(county, round_, indicators, {LIUJIAXIA: 20, YANGUOXIA: 25})
    services.round_freeze(actor=county, round_=round_)
    later = {"preliminary": 1, "appeal": 2, "final": 3}[phase]
    return advance(county, round_, later), indicators


def sheet_url(round_: Round, code: str = LIUJIAXIA, action: str = "") -> str:
    return f"{BASE}/rounds/{round_.pk}/sheets/{code}" + (f"/{action}" if action else "")


def line(body: dict, indicator: Any) -> dict:
    return next(item for item in body["lines"] if item["indicator_id"] == indicator.pk)


def fresh(round_: Round) -> Round:
    return Round.objects.get(pk=round_.pk)


# --- refused --------------------------------------------------------------------------------------


def test_anonymous_gets_401(client: Client, county: Any) -> None:
    round_, indicators = at(county, "self")
    for path in (
        f"{BASE}/schemes",
        f"{BASE}/rounds",
        f"{BASE}/rounds/{round_.pk}",
        sheet_url(round_),
    ):
        assert_error(client.get(path), 401, "unauthenticated")
    body = {"indicator": indicators[0].pk, "score": "20", "note": "冒名"}
    assert_error(post(client, sheet_url(round_, action="self"), body), 401, "unauthenticated")
    assert_error(post(client, f"{BASE}/rounds/{round_.pk}/advance"), 401, "unauthenticated")
    assert not Score.objects.exists() and fresh(round_).phase == "self"


@pytest.mark.parametrize("persona", ["finance", "volunteer", "village", "sysadmin"])
def test_roles_without_assessment_view_get_403(request: Any, county: Any, persona: str) -> None:
    round_, _indicators = at(county, "self")
    client = api_client(request.getfixturevalue(persona))
    assert_error(client.get(f"{BASE}/schemes"), 403, "forbidden")
    assert_error(client.get(f"{BASE}/rounds/{round_.pk}"), 403, "forbidden")
    assert_error(client.get(sheet_url(round_)), 403, "forbidden")
    assert_error(post(client, f"{BASE}/rounds/{round_.pk}/advance"), 403, "forbidden")
    assert fresh(round_).phase == "self"


def test_the_auditor_reads_but_may_not_act(county: Any, auditor: Any) -> None:
    round_, indicators = at(county, "self")
    client = api_client(auditor)
    assert client.get(f"{BASE}/rounds/{round_.pk}").status_code == 200
    assert_error(post(client, f"{BASE}/rounds/{round_.pk}/advance"), 403, "forbidden")
    assert_error(post(client, f"{BASE}/rounds/{round_.pk}/freeze"), 403, "forbidden")
    body = {"indicator": indicators[0].pk, "score": "20", "note": "代评"}
    assert_error(post(client, sheet_url(round_, action="self"), body), 403, "forbidden")
    assert fresh(round_).phase == "self" and not Score.objects.exists()


def test_another_township_and_another_county_get_404(
    county: Any, township: Any, township2: Any, yongjing: Any
) -> None:
    round_, indicators = at(county, "self")
    theirs = api_client(township2)
    assert_error(theirs.get(sheet_url(round_)), 404, "not_found")
    assert theirs.get(sheet_url(round_, YANGUOXIA)).status_code == 200
    body = {"indicator": indicators[0].pk, "score": "20", "note": "冒名"}
    assert_error(post(theirs, sheet_url(round_, action="self"), body), 404, "not_found")
    other = api_client(another_county(yongjing))
    assert other.get(f"{BASE}/schemes").json()["items"] == []
    assert other.get(f"{BASE}/rounds").json()["items"] == []
    assert_error(other.get(f"{BASE}/schemes/{round_.scheme_id}"), 404, "not_found")
    assert_error(other.get(f"{BASE}/rounds/{round_.pk}"), 404, "not_found")
    assert_error(other.get(sheet_url(round_)), 404, "not_found")
    assert_error(post(other, f"{BASE}/rounds/{round_.pk}/advance"), 404, "not_found")
    assert_error(other.get(f"{BASE}/rounds?scheme={round_.scheme_id}"), 404, "not_found")
    assert not Score.objects.exists() and fresh(round_).phase == "self"


def test_forged_ids_and_codes_are_404_or_400(county: Any, township: Any) -> None:
    round_, _indicators = at(county, "self")
    client = api_client(township)
    for path in (f"{BASE}/schemes/{2**70}", f"{BASE}/rounds/0", f"{BASE}/rounds/999999"):
        assert_error(client.get(path), 404, "not_found")
    assert_error(client.get(sheet_url(round_, "nope")), 404, "not_found")
    assert_error(client.get(sheet_url(round_, COUNTY)), 404, "not_found")  # not a township
    assert_error(client.get(f"{BASE}/rounds/abc"), 422, "invalid")
    body = {"indicator": 999999, "score": "20", "note": "自评"}
    error = assert_error(post(client, sheet_url(round_, action="self"), body), 400, "invalid")
    assert "indicator" in error["fields"]
    _other, other_indicators = make_scheme(county, year=2025)
    body["indicator"] = other_indicators[0].pk  # of another scheme
    assert_error(post(client, sheet_url(round_, action="self"), body), 400, "invalid")
    answer = {"answer": "维持"}
    assert_error(
        post(api_client(county), f"{BASE}/appeals/{2**70}/answer", answer), 404, "not_found"
    )
    assert not Score.objects.exists()


# --- schemes and rounds ---------------------------------------------------------------------------


def test_schemes_with_their_indicators_as_each_caller_sees_them(county: Any, township: Any) -> None:
    made, indicators = make_scheme(county)
    draft = services.scheme_create(actor=county, county=assoc(COUNTY), year=2025, title="草稿")
    mine = api_client(township)
    assert [s["id"] for s in mine.get(f"{BASE}/schemes").json()["items"]] == [made.pk]
    assert_error(mine.get(f"{BASE}/schemes/{draft.pk}"), 404, "not_found")
    client = api_client(county)
    assert [s["id"] for s in client.get(f"{BASE}/schemes").json()["items"]] == [draft.pk, made.pk]
    assert [s["id"] for s in client.get(f"{BASE}/schemes?year=2025").json()["items"]] == [draft.pk]
    body = client.get(f"{BASE}/schemes/{made.pk}").json()
    assert body["county_code"] == COUNTY and body["published"] is True
    assert Decimal(body["total_weight"]) == 100 and body["editable"] is True
    assert [i["id"] for i in body["indicators"]] == [i.pk for i in indicators]
    computed = body["indicators"][2]
    assert computed["kind"] == "computed" and computed["formula"] and computed["computed_name"]
    assert body["indicators"][0]["scorer_id"] is None and body["indicators"][0]["formula"] == ""
    round_ = round_in(county, made)
    advance(county, round_)
    body = client.get(f"{BASE}/schemes/{made.pk}").json()
    assert [r["id"] for r in body["rounds"]] == [round_.pk] and body["editable"] is False
    assert mine.get(f"{BASE}/schemes/{made.pk}").json()["may_manage"] is False


def test_rounds_are_listed_filtered_and_paged(county: Any, township: Any) -> None:
    made, _ = make_scheme(county)
    first, second, third = (round_in(county, made) for _ in range(3))
    advance(county, second)
    client = api_client(township)
    page = client.get(f"{BASE}/rounds?size=2").json()
    assert [r["id"] for r in page["items"]] == [third.pk, second.pk] and page["next"]
    rest = client.get(f"{BASE}/rounds?size=2&after={page['next']}").json()
    assert [r["id"] for r in rest["items"]] == [first.pk] and rest["previous"]
    assert [r["id"] for r in client.get(f"{BASE}/rounds?phase=self").json()["items"]] == [second.pk]
    assert len(client.get(f"{BASE}/rounds?scheme={made.pk}").json()["items"]) == 3
    assert client.get(f"{BASE}/rounds?year=2025").json()["items"] == []
    row = client.get(f"{BASE}/rounds").json()["items"][0]
    assert row["county_code"] == COUNTY and row["year"] == 2026 and row["phase"] == "open"
    for query in ("phase=late", "size=0", "year=1999", "scheme=0"):
        assert_error(client.get(f"{BASE}/rounds?{query}"), 422, "invalid")


def test_the_ranking_shows_to_a_township_only_once_published(county: Any, township: Any) -> None:
    round_, indicators = at(county, "self")
    services.self_assess(
        actor=township,
        round_=round_,
        indicator=indicators[0],
        township=assoc(LIUJIAXIA),
        score=25,
        note="已完成换届",
    )
    mine = api_client(township)
    body = mine.get(f"{BASE}/rounds/{round_.pk}").json()
    assert body["ranking"] is False and body["may_manage"] is False
    assert body["results"] == [
        {
            "township_code": LIUJIAXIA,
            "township_name": assoc(LIUJIAXIA).name,
            "rank": None,
            "total": None,
            "self_total": "25.00",
            "own": True,
        }
    ]
    county_view = api_client(county).get(f"{BASE}/rounds/{round_.pk}").json()
    assert county_view["ranking"] is True and len(county_view["results"]) > 2
    assert all(r["rank"] is not None and r["own"] for r in county_view["results"])
    round_ = advance(county, round_)
    score_all(county, round_, indicators, {LIUJIAXIA: 20, YANGUOXIA: 25})
    services.round_freeze(actor=county, round_=round_)
    advance(county, round_)  # the preliminary results are published
    body = mine.get(f"{BASE}/rounds/{round_.pk}").json()
    assert body["ranking"] is True
    by_code = {r["township_code"]: r for r in body["results"]}
    assert by_code[YANGUOXIA]["rank"] < by_code[LIUJIAXIA]["rank"]
    assert by_code[YANGUOXIA]["total"] is not None and by_code[YANGUOXIA]["self_total"] is None
    assert by_code[YANGUOXIA]["own"] is False and by_code[LIUJIAXIA]["own"] is True


def test_the_sheet_hides_points_and_county_scores_before_the_results(
    county: Any, township: Any
) -> None:
    round_, indicators = at(county, "scoring")
    services.score_give(
        actor=county,
        round_=round_,
        indicator=indicators[0],
        township=assoc(LIUJIAXIA),
        score=22,
        note="材料较全",
    )
    mine = api_client(township).get(sheet_url(round_)).json()
    assert mine["show_points"] is False and mine["total"] is None and mine["rank"] is None
    first = line(mine, indicators[0])
    assert first["score"] is None and first["score_note"] == "" and first["points"] is None
    assert first["may_score"] is False and mine["may_self"] is False
    theirs = api_client(county).get(sheet_url(round_)).json()
    assert theirs["show_points"] is True and theirs["rank"] is not None
    first = line(theirs, indicators[0])
    assert first["score"] == "22.00" and first["points"] == "22.00" and first["may_score"]
    assert line(theirs, indicators[2])["may_score"] is False  # computed: not scored by people
    live = api_client(county).get(sheet_url(round_), {"live": "true"}).json()
    assert line(live, indicators[2])["live"] is not None
    assert line(live, indicators[0])["live"] is None


def test_the_round_list_and_the_scheme_list_do_not_grow_queries(
    county: Any, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    made, _ = make_scheme(county)
    round_in(county, made)
    client = api_client(county)
    for path in (f"{BASE}/rounds", f"{BASE}/schemes"):
        assert client.get(path).status_code == 200  # warm: the token's last use is recorded once
    with django_assert_max_num_queries(6) as rounds_small:
        assert len(client.get(f"{BASE}/rounds").json()["items"]) == 1
    with django_assert_max_num_queries(6) as schemes_small:
        assert len(client.get(f"{BASE}/schemes").json()["items"]) == 1
    for _ in range(12):
        round_in(county, made)
    for year in range(2014, 2026):
        services.scheme_create(actor=county, county=assoc(COUNTY), year=year, title=f"{year}方案")
    with django_assert_num_queries(len(rounds_small.captured_queries)):
        assert len(client.get(f"{BASE}/rounds?size=100").json()["items"]) == 13
    with django_assert_num_queries(len(schemes_small.captured_queries)):
        assert len(client.get(f"{BASE}/schemes?size=100").json()["items"]) == 13


# --- the self-assessment and the county's scores -------------------------------------------------


def test_a_township_assesses_itself_with_versions(county: Any, township: Any) -> None:
    round_, indicators = at(county, "self")
    client = api_client(township)
    assert client.get(sheet_url(round_)).json()["may_self"] is True
    body = {"indicator": indicators[0].pk, "score": "26.5", "note": "已完成换届，附文件"}
    response = post(client, sheet_url(round_, action="self"), body)
    assert response.status_code == 200, response.content
    first = line(response.json(), indicators[0])
    assert first["self_score"] == "26.50" and first["version"] == 2
    row = Score.objects.get(round=round_, indicator=indicators[0], association=assoc(LIUJIAXIA))
    assert row.self_score == Decimal("26.5") and row.self_by == township
    assert AuditEvent.objects.filter(
        object_type="assessment.score", object_id=str(row.pk), action="update"
    ).exists()
    stale = {**body, "score": "27", "version": 1}
    assert_error(post(client, sheet_url(round_, action="self"), stale), 409, "conflict")
    again = post(client, sheet_url(round_, action="self"), {**body, "score": 27, "version": 2})
    assert again.status_code == 200 and line(again.json(), indicators[0])["version"] == 3
    assert Score.objects.get(pk=row.pk).self_score == 27


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"score": "31"}, 400),  # above the indicator's 30 points
        ({"score": "-1"}, 400),
        ({"score": "12.345"}, 400),
        ({"score": "many"}, 422),
        ({"score": "NaN"}, 422),
        ({"note": " "}, 400),  # the explanation is required
        ({"indicator": "first"}, 422),
        ({"version": 0}, 422),
    ],
)
def test_a_bad_self_assessment_changes_nothing(
    county: Any, township: Any, change: dict, status: int
) -> None:
    round_, indicators = at(county, "self")
    body = {"indicator": indicators[0].pk, "score": "20", "note": "已完成", **change}
    assert_error(
        post(api_client(township), sheet_url(round_, action="self"), body), status, "invalid"
    )
    assert not Score.objects.exists()


def test_self_assessment_refusals(county: Any, township: Any) -> None:
    round_, indicators = at(county, "self")
    body = {"indicator": indicators[2].pk, "score": "20", "note": "计算指标"}
    error = assert_error(
        post(api_client(township), sheet_url(round_, action="self"), body), 400, "invalid"
    )
    assert "indicator" in error["fields"]
    body = {"indicator": indicators[0].pk, "score": "20", "note": "代为自评"}
    # The county holds no assessment.self: it does not assess in the township's step.
    assert_error(post(api_client(county), sheet_url(round_, action="self"), body), 403, "forbidden")
    advance(county, round_)
    assert_error(post(api_client(township), sheet_url(round_, action="self"), body), 409, "phase")
    assert not Score.objects.exists()


def test_the_county_scores_and_nobody_else(county: Any, township: Any, yongjing: Any) -> None:
    scorer = make_user("scorer", COUNTY, Role.COUNTY_ADMIN)
    round_, indicators = at(county, "self", scorer=scorer)
    body = {"indicator": indicators[1].pk, "score": "35", "note": "按规则评分"}
    client = api_client(county)
    assert_error(post(client, sheet_url(round_, action="score"), body), 409, "phase")
    advance(county, round_)
    # A township does not score in the county's step.
    assert_error(
        post(api_client(township), sheet_url(round_, action="score"), body), 403, "forbidden"
    )
    # Only the assigned scorer scores the first indicator.
    assigned = {**body, "indicator": indicators[0].pk, "score": "28"}
    assert_error(post(client, sheet_url(round_, action="score"), assigned), 403, "forbidden")
    # A county account homed in 刘家峡镇 never scores its own township.
    local = make_user("local-scorer", LIUJIAXIA, Role.COUNTY_ADMIN)
    assert_error(post(api_client(local), sheet_url(round_, action="score"), body), 403, "forbidden")
    assert not Score.objects.exists()
    done = post(client, sheet_url(round_, action="score"), body)
    assert done.status_code == 200, done.content
    assert line(done.json(), indicators[1])["score"] == "35.00"
    row = Score.objects.get(indicator=indicators[1], association=assoc(LIUJIAXIA))
    assert row.score == 35 and row.scored_by == county
    assert AuditEvent.objects.filter(object_type="assessment.score", object_id=str(row.pk)).exists()
    by_scorer = post(api_client(scorer), sheet_url(round_, action="score"), assigned)
    assert by_scorer.status_code == 200, by_scorer.content
    assert Score.objects.get(indicator=indicators[0], association=assoc(LIUJIAXIA)).score == 28
    stale = {**body, "score": "36", "version": 1}
    assert_error(post(client, sheet_url(round_, action="score"), stale), 409, "conflict")
    assert Score.objects.get(pk=row.pk).score == 35


# --- appeals --------------------------------------------------------------------------------------


def test_an_appeal_is_filed_and_answered(county: Any, township: Any, township2: Any) -> None:
    round_, indicators = at_appeal(county)
    mine, theirs = api_client(township), api_client(county)
    assert mine.get(sheet_url(round_)).json()["may_appeal"] is True
    body = {"indicator": indicators[0].pk, "reason": "换届材料已补充，见附件"}
    assert_error(
        post(api_client(township2), sheet_url(round_, action="appeals"), body), 404, "not_found"
    )
    assert_error(post(theirs, sheet_url(round_, action="appeals"), body), 403, "forbidden")
    response = post(mine, sheet_url(round_, action="appeals"), body)
    assert response.status_code == 201, response.content
    appeal = response.json()
    assert appeal["status"] == "pending" and appeal["score_before"] == "20.00"
    assert appeal["township_code"] == LIUJIAXIA and appeal["indicator_name"] == "组织健全"
    assert AuditEvent.objects.filter(
        object_type="assessment.appeal", object_id=str(appeal["id"]), action="create"
    ).exists()
    assert_error(post(mine, sheet_url(round_, action="appeals"), body), 400, "invalid")  # once
    assert Appeal.objects.count() == 1
    assert [a["id"] for a in theirs.get(f"{BASE}/rounds/{round_.pk}").json()["appeals"]] == [
        appeal["id"]
    ]
    url = f"{BASE}/appeals/{appeal['id']}/answer"
    assert_error(post(mine, url, {"answer": "自己答复"}), 403, "forbidden")
    assert_error(post(theirs, url, {"answer": "调整", "version": 2}), 409, "conflict")
    assert_error(post(theirs, url, {"answer": "调整", "new_score": "31"}), 400, "invalid")
    assert_error(post(theirs, url, {"answer": " ", "new_score": "24"}), 400, "invalid")
    assert Appeal.objects.get().status == "pending"
    answered = post(theirs, url, {"answer": "材料属实，调整得分", "new_score": "24", "version": 1})
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "changed" and answered.json()["score_after"] == "24.00"
    score = Score.objects.get(indicator=indicators[0], association=assoc(LIUJIAXIA))
    assert score.score == 24
    assert AuditEvent.objects.filter(
        object_type="assessment.appeal", object_id=str(appeal["id"]), action="update"
    ).exists()
    sheet = mine.get(sheet_url(round_)).json()
    assert line(sheet, indicators[0])["appeal"]["answer"] == "材料属实，调整得分"


def test_no_appeal_or_answer_outside_the_window(county: Any, township: Any) -> None:
    round_, indicators = at(county, "preliminary")
    body = {"indicator": indicators[0].pk, "reason": "有异议"}
    mine = api_client(township)
    assert_error(post(mine, sheet_url(round_, action="appeals"), body), 409, "phase")
    advance(county, round_)
    appeal = post(mine, sheet_url(round_, action="appeals"), body).json()
    services.appeal_answer(actor=county, appeal=Appeal.objects.get(pk=appeal["id"]), answer="维持")
    advance(county, round_)  # final results: the window is closed
    late = {**body, "indicator": indicators[1].pk}
    assert_error(post(mine, sheet_url(round_, action="appeals"), late), 409, "phase")
    url = f"{BASE}/appeals/{appeal['id']}/answer"
    assert_error(post(api_client(county), url, {"answer": "再答复"}), 409, "phase")
    assert Appeal.objects.count() == 1 and Appeal.objects.get().answer == "维持"


# --- the round's steps ----------------------------------------------------------------------------


def test_the_county_moves_the_round_with_versions(county: Any, township: Any) -> None:
    round_, _indicators = at(county, "open")
    client = api_client(county)
    url = f"{BASE}/rounds/{round_.pk}/advance"
    assert_error(post(api_client(township), url, {"version": 1}), 403, "forbidden")
    assert_error(post(client, url, {"version": 2}), 409, "conflict")
    assert_error(post(client, url, {"version": "one"}), 422, "invalid")
    assert fresh(round_).phase == "open"
    moved = post(client, url, {"version": 1})
    assert moved.status_code == 200, moved.content
    assert moved.json()["phase"] == "self" and moved.json()["version"] == 2
    assert AuditEvent.objects.filter(
        object_type="assessment.round", object_id=str(round_.pk), action="update"
    ).exists()
    assert post(client, url, {"version": 2}).json()["phase"] == "scoring"
    # The preliminary results need every score and the computed values frozen.
    error = assert_error(post(client, url, {"version": 3}), 409, "phase")
    assert "未评分" in error["message"]
    assert fresh(round_).phase == "scoring"


def test_freeze_and_publish(county: Any, township: Any) -> None:
    made, indicators = make_scheme(county)
    early = round_in(county, made, cutoff=datetime.date(2026, 12, 31))
    client = api_client(county)
    assert_error(post(client, f"{BASE}/rounds/{early.pk}/freeze"), 409, "phase")
    assert fresh(early).frozen_at is None
    round_ = advance(county, round_in(county, made), 2)
    assert_error(post(api_client(township), f"{BASE}/rounds/{round_.pk}/freeze"), 403, "forbidden")
    stale = post(client, f"{BASE}/rounds/{round_.pk}/freeze", {"version": 999})
    assert_error(stale, 409, "conflict")
    assert not Job.objects.exists()  # refused before any job starts
    frozen = post(client, f"{BASE}/rounds/{round_.pk}/freeze", {"version": fresh(round_).version})
    assert frozen.status_code == 202, frozen.content
    job = frozen.json()  # the tests' immediate backend ran it inside the request
    assert (job["kind"], job["status"], job["percent"]) == ("assessment.freeze", "done", 100)
    assert job["result"] == {
        "round": round_.pk,
        "townships": len(services.townships_of(assoc(COUNTY))),
    }
    assert fresh(round_).frozen_at is not None
    status = client.get(job["status_url"])
    assert status.status_code == 200 and status.json()["status"] == "done"
    # another user's job, or a forged id: not found
    assert api_client(township).get(job["status_url"]).status_code == 404
    assert client.get(f"{BASE}/jobs/999999").status_code == 404
    publish = f"{BASE}/rounds/{round_.pk}/publish"
    assert_error(post(client, publish, {"public": True}), 409, "phase")  # not final yet
    assert_error(post(client, publish, {}), 422, "invalid")
    score_all(county, round_, indicators, {})
    advance(county, fresh(round_), 3)
    assert_error(post(api_client(township), publish, {"public": True}), 403, "forbidden")
    shown = post(client, publish, {"public": True, "version": fresh(round_).version})
    assert shown.status_code == 200 and shown.json()["public"] is True
    assert fresh(round_).public is True
    assert Scheme.objects.filter(pk=made.pk, published=True).exists()


def test_openapi_documents_the_operations_and_their_errors(township: Any) -> None:
    paths = api_client(township).get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/assessment/schemes", "get"),
        ("/api/v1/assessment/schemes/{scheme_id}", "get"),
        ("/api/v1/assessment/rounds", "get"),
        ("/api/v1/assessment/rounds/{round_id}", "get"),
        ("/api/v1/assessment/rounds/{round_id}/advance", "post"),
        ("/api/v1/assessment/rounds/{round_id}/freeze", "post"),
        ("/api/v1/assessment/rounds/{round_id}/publish", "post"),
        ("/api/v1/assessment/rounds/{round_id}/sheets/{code}", "get"),
        ("/api/v1/assessment/rounds/{round_id}/sheets/{code}/self", "post"),
        ("/api/v1/assessment/rounds/{round_id}/sheets/{code}/score", "post"),
        ("/api/v1/assessment/rounds/{round_id}/sheets/{code}/appeals", "post"),
        ("/api/v1/assessment/appeals/{appeal_id}/answer", "post"),
    ):
        responses = paths[path][method]["responses"]
        assert {"400", "401", "403", "404", "409", "422"} <= set(responses), path


def test_the_schemas_names_are_the_modules_own() -> None:
    from tests.test_tasks_api import schema_names_shared_with_other_modules

    assert schema_names_shared_with_other_modules("fpa.assessment.api") == set()
