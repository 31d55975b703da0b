"""The assessment pages: who may open and change what, the score sheet, the export, the public
results, and bounded query counts. Every refusal changes nothing."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import python_calamine
import time_machine
from django.test import Client
from django.urls import reverse

from fpa.assessment import services
from fpa.assessment.models import Appeal, Round, Score, Snapshot
from fpa.core.jobs import JobCancelled
from fpa.core.models import Job
from tests.assessment_helpers import (
    COUNTY,
    LIUJIAXIA,
    YANGUOXIA,
    advance,
    assoc,
    round_in,
    score_all,
)
from tests.assessment_helpers import scheme as make_scheme
from tests.conftest import content

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY, tick=True):
        yield


def _at(county: Any, phase: str) -> tuple[Round, list[Any]]:
    made, indicators = make_scheme(county)
    round_ = round_in(county, made)
    steps = {"open": 0, "self": 1, "scoring": 2}
    if phase in steps:
        return advance(county, round_, steps[phase]), indicators
    round_ = advance(county, round_, 2)
    score_all(county, round_, indicators, {LIUJIAXIA: 20, YANGUOXIA: 25})
    services.round_freeze(actor=county, round_=round_)
    later = {"preliminary": 1, "appeal": 2, "final": 3}[phase]
    return advance(county, round_, later), indicators


def _sheet(round_: Round, code: str, action: str = "") -> str:
    name = f"assessment:{action}" if action else "assessment:sheet"
    return reverse(name, args=[round_.pk, code])


# --- refused --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client: Client, county: Any) -> None:
    round_, _ = _at(county, "open")
    for url in (reverse("assessment:list"), reverse("assessment:round", args=[round_.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_roles_without_the_capability_are_refused(
    client_for: Any, volunteer: Any, village: Any
) -> None:
    for user in (volunteer, village):
        assert client_for(user).get(reverse("assessment:list")).status_code == 403


def test_auditor_reads_but_cannot_change_phase(client_for: Any, county: Any, auditor: Any) -> None:
    round_, _ = _at(county, "open")
    client = client_for(auditor)
    assert client.get(reverse("assessment:round", args=[round_.pk])).status_code == 200
    response = client.post(reverse("assessment:round_advance", args=[round_.pk]))
    assert response.status_code == 403
    round_.refresh_from_db()
    assert round_.phase == Round.Phase.OPEN


def test_township_cannot_open_another_townships_sheet(
    client_for: Any, county: Any, township2: Any
) -> None:
    round_, _ = _at(county, "self")
    assert client_for(township2).get(_sheet(round_, LIUJIAXIA)).status_code == 404
    assert client_for(township2).get(_sheet(round_, YANGUOXIA)).status_code == 200


def test_township_cannot_self_assess_another_township(
    client_for: Any, county: Any, township2: Any
) -> None:
    round_, indicators = _at(county, "self")
    data = {"indicator": indicators[0].pk, "score": "20", "note": "冒名"}
    response = client_for(township2).post(_sheet(round_, LIUJIAXIA, "self"), data)
    assert response.status_code == 404
    assert not Score.objects.exists()


def test_township_cannot_appeal_for_another_township(
    client_for: Any, county: Any, township2: Any
) -> None:
    round_, indicators = _at(county, "appeal")
    data = {"indicator": indicators[0].pk, "reason": "理由"}
    assert client_for(township2).post(_sheet(round_, LIUJIAXIA, "appeal"), data).status_code == 404
    assert not Appeal.objects.exists()


def test_township_cannot_score(client_for: Any, county: Any, township: Any) -> None:
    round_, indicators = _at(county, "scoring")
    data = {"indicator": indicators[0].pk, "score": "30", "note": ""}
    assert client_for(township).post(_sheet(round_, LIUJIAXIA, "score"), data).status_code == 403
    assert not Score.objects.exists()


def test_township_sees_a_draft_scheme_not(client_for: Any, county: Any, township: Any) -> None:
    from fpa.assessment.models import Scheme

    draft = Scheme.objects.create(county=assoc("622923"), year=2025, title="草稿")
    url = reverse("assessment:scheme", args=[draft.pk])
    assert client_for(township).get(url).status_code == 404
    assert client_for(county).get(url).status_code == 200


# --- the pages ------------------------------------------------------------------------------------


def test_round_form_offers_the_default_cutoff_as_an_iso_date(client_for: Any, county: Any) -> None:
    """A date input shows only an ISO value: the localized one (2026/12/31) left it empty, and
    the county had to type the cut-off the form meant to offer."""
    made, _ = make_scheme(county)
    page = client_for(county).get(reverse("assessment:scheme", args=[made.pk])).content.decode()
    assert '<input type="date" name="cutoff" value="2026-12-31"' in page


def test_self_assessment_through_the_page(client_for: Any, county: Any, township: Any) -> None:
    round_, indicators = _at(county, "self")
    client = client_for(township)
    page = client.get(_sheet(round_, LIUJIAXIA))
    assert "保存自评".encode() in page.content
    data = {"indicator": indicators[0].pk, "score": "26", "note": "已完成换届，附文件"}
    response = client.post(_sheet(round_, LIUJIAXIA, "self"), data, follow=True)
    assert "自评已保存".encode() in response.content
    assert Score.objects.get().self_score == 26


def test_bad_score_gets_a_message_and_changes_nothing(
    client_for: Any, county: Any, township: Any
) -> None:
    round_, indicators = _at(county, "self")
    client = client_for(township)
    for score in ("abc", "31", "-1"):
        data = {"indicator": indicators[0].pk, "score": score, "note": "说明"}
        response = client.post(_sheet(round_, LIUJIAXIA, "self"), data, follow=True)
        assert response.status_code == 200
        assert "自评已保存".encode() not in response.content
    data = {"indicator": 999999, "score": "1", "note": "说明"}
    response = client.post(_sheet(round_, LIUJIAXIA, "self"), data, follow=True)
    assert "指标不存在".encode() in response.content
    assert not Score.objects.filter(self_score__isnull=False).exists()


def test_scoring_and_appeal_through_the_pages(client_for: Any, county: Any, township: Any) -> None:
    round_, indicators = _at(county, "appeal")
    client = client_for(township)
    data = {"indicator": indicators[0].pk, "reason": "已按期换届"}
    response = client.post(_sheet(round_, LIUJIAXIA, "appeal"), data, follow=True)
    assert "申诉已提交".encode() in response.content
    appeal = Appeal.objects.get()
    answer = reverse("assessment:appeal_answer", args=[appeal.pk])
    # the township cannot answer its own appeal
    assert client.post(answer, {"answer": "自己答复", "new_score": "30"}).status_code == 403
    response = client_for(county).post(
        answer, {"answer": "核实属实", "new_score": "28", "version": 1}, follow=True
    )
    assert "申诉已答复".encode() in response.content
    appeal.refresh_from_db()
    assert appeal.score_after == 28 and appeal.answer == "核实属实"
    page = client.get(_sheet(round_, LIUJIAXIA))
    assert "核实属实".encode() in page.content


def test_ranking_shown_to_township_only_after_publication(
    client_for: Any, county: Any, township: Any
) -> None:
    made, indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made), 2)
    score_all(county, round_, indicators, {LIUJIAXIA: 20, YANGUOXIA: 25})
    services.round_freeze(actor=county, round_=round_)
    url = reverse("assessment:round", args=[round_.pk])
    before = client_for(township).get(url)
    assert "盐锅峡镇".encode() not in before.content
    assert "名次".encode() not in before.content
    advance(county, round_)
    after = client_for(township).get(url)
    assert "盐锅峡镇".encode() in after.content and "名次".encode() in after.content


def test_sheet_compares_frozen_and_live_values(client_for: Any, county: Any) -> None:
    round_, _ = _at(county, "preliminary")
    page = client_for(county).get(_sheet(round_, LIUJIAXIA) + "?live=1")
    assert "冻结值".encode() in page.content and "当前实时值".encode() in page.content
    assert b"data-fpa-print" in page.content


def test_export_lists_every_township_with_its_total(client_for: Any, county: Any) -> None:
    round_, _ = _at(county, "final")
    response = client_for(county).get(reverse("assessment:export", args=[round_.pk]))
    assert response.status_code == 200
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content(response)))
    rows = book.get_sheet_by_name("考核得分").to_python()
    assert rows[0][0] == "排名" and rows[0][-1] == "总分"
    assert any(str(row[2]).startswith("盐锅峡镇") and row[0] == 1 for row in rows[1:])


def test_round_page_query_count_does_not_grow_with_townships(
    client_for: Any, county: Any, django_assert_max_num_queries: Any
) -> None:
    round_, _ = _at(county, "final")
    client = client_for(county)
    url = reverse("assessment:round", args=[round_.pk])
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_list_query_count_is_bounded(
    client_for: Any, county: Any, django_assert_max_num_queries: Any
) -> None:
    _at(county, "final")
    client = client_for(county)
    client.get(reverse("assessment:list"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("assessment:list")).status_code == 200


# --- public ---------------------------------------------------------------------------------------


def test_public_page_shows_names_and_scores_only(client: Client, county: Any) -> None:
    round_, _ = _at(county, "final")
    url = reverse("assessment:public", args=[COUNTY, 2026])
    assert "盐锅峡镇".encode() not in client.get(url).content  # not published yet
    services.round_publish(actor=county, round_=round_, public=True)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "盐锅峡镇" in text and "50.00" in text
    # no person: neither the scorer's account nor the notes and reasons
    assert county.username not in text.replace("县", "")
    assert "按规则评分" not in text
    # another year, a township's code, a code of no association: nothing of this county's round
    assert (
        "盐锅峡镇".encode()
        not in client.get(reverse("assessment:public", args=[COUNTY, 2025])).content
    )
    for code in (LIUJIAXIA, "999999"):
        assert client.get(reverse("assessment:public", args=[code, 2026])).status_code == 404


def test_publication_refused_before_final(client_for: Any, county: Any) -> None:
    round_, _ = _at(county, "appeal")
    url = reverse("assessment:round_publish", args=[round_.pk])
    response = client_for(county).post(
        url, {"public": "on", "version": round_.version}, follow=True
    )
    assert "最终结果公布后".encode() in response.content
    round_.refresh_from_db()
    assert not round_.public


# --- the freeze, a background job -----------------------------------------------------------------


def test_freezing_runs_as_a_job_with_progress_and_returns_to_the_round(
    client_for: Any, county: Any, township: Any
) -> None:
    round_, _ = _at(county, "scoring")
    url = reverse("assessment:round_freeze", args=[round_.pk])
    # a township may not; a stale version is refused before any job starts
    assert client_for(township).post(url, {"version": round_.version}).status_code == 403
    client = client_for(county)
    stale = client.post(url, {"version": round_.version + 5}, follow=True)
    assert "该记录已被他人修改" in stale.content.decode()
    assert not Job.objects.exists()
    response = client.post(url, {"version": round_.version})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job = Job.objects.get()
    townships = len(services.townships_of(assoc("622923")))
    assert (job.kind, job.status, job.total, job.rows_written) == (
        "assessment.freeze",
        "done",
        townships,
        townships,
    )
    # the job page of a finished freeze comes back to the round with the message
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0] == reverse("assessment:round", args=[round_.pk])
    assert "计算指标已按截止日期冻结" in page.content.decode()
    assert Snapshot.objects.filter(round=round_).count() == townships  # one computed indicator


def test_a_freeze_stopped_halfway_keeps_the_previous_values(county: Any) -> None:
    round_, _ = _at(county, "scoring")
    services.round_freeze(actor=county, round_=round_)
    before = sorted(Snapshot.objects.filter(round=round_).values_list("pk", flat=True))
    round_.refresh_from_db()

    def stop_after_two(done: int) -> None:
        if done == 2:
            raise JobCancelled()

    with pytest.raises(JobCancelled):
        services.round_freeze(actor=county, round_=round_, on_township=stop_after_two)
    assert sorted(Snapshot.objects.filter(round=round_).values_list("pk", flat=True)) == before
    assert Round.objects.get(pk=round_.pk).version == round_.version
