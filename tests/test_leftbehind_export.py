"""三留守 exports: the care records' workbook (masked name, hidden notes; in full with a reason,
audited), and large exports as background jobs with progress (above the module's threshold,
set low here through FPA_LEFTBEHIND_EXPORT_INLINE_ROWS), run as their owner in scope; refused
cases (another township, a village officer and children, anonymous, another role)."""

from __future__ import annotations

import pytest

from fpa.core.models import AuditEvent, Job
from fpa.leftbehind import jobs
from tests.conftest import DAZHUANG, SHANGQUAN, content, follow_job
from tests.leftbehind_helpers import contact, kind, person, visit
from tests.test_excel_engine import read_back

LIST = "/left-behind/"


def as_dicts(data: bytes) -> list[dict]:
    rows = read_back(data)
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


@pytest.fixture
def world(township, township2):
    elderly = person(township, DAZHUANG, name="马福元")
    child = person(township, DAZHUANG, kind="child", name="马小花")
    foreign = person(township2, SHANGQUAN, name="外镇老人")
    contact(township, elderly, name="联系人王")
    visit(township, elderly, days_ago=3, notes="血压偏高，儿子欠债", kind=kind("phone_call"))
    visit(township, elderly, days_ago=1, notes="情况稳定")
    visit(township, child, days_ago=2, notes="学习困难")
    visit(township2, foreign, days_ago=2, notes="外镇记录")
    return {"elderly": elderly, "child": child, "foreign": foreign}


def test_the_care_records_export_masks_the_name_and_hides_the_notes(client_for, world, township):
    rows = as_dicts(content(client_for(township).get(LIST, {"export": "care"})))
    assert len(rows) == 3  # ours, not the other township's
    assert {r["姓名"] for r in rows} == {"马**"}
    assert {r["情况"] for r in rows} == {"●●●●"}
    assert {r["关爱类别"] for r in rows} == {"电话联系", "日常走访"}
    first = next(r for r in rows if r["关爱类别"] == "电话联系")
    assert first["联系人"] == "" and first["人员类别"] == "留守老人"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_full_care_export_needs_a_reason_and_is_audited(client_for, world, township):
    client = client_for(township)
    refused = client.post(LIST + "?export=care", {"sheet": "care", "reason": ""})
    assert refused.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    full = client.post(LIST, {"sheet": "care", "reason": "民政局核查"})
    rows = as_dicts(content(full))
    assert "血压偏高，儿子欠债" in {r["情况"] for r in rows}
    assert "马小花" in {r["姓名"] for r in rows}
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.reason == "民政局核查" and event.changes["rows"] == 3


def test_the_village_exports_no_childs_care_record(client_for, world, village):
    rows = as_dicts(content(client_for(village).get(LIST, {"export": "care"})))
    assert len(rows) == 2 and "学习困难" not in str(rows)


def test_the_list_filters_apply_to_the_care_export(client_for, world, township):
    rows = as_dicts(content(client_for(township).get(LIST, {"export": "care", "kind": "child"})))
    assert [r["人员类别"] for r in rows] == ["留守儿童"]


def test_a_large_export_is_a_background_job_with_the_same_rows(
    client_for, world, township, settings
):
    settings.FPA_LEFTBEHIND_EXPORT_INLINE_ROWS = 1
    client = client_for(township)
    people = as_dicts(content(follow_job(client, client.get(LIST, {"export": "xlsx"}))))
    assert sorted(r["姓名"] for r in people) == ["马**", "马**"]
    care = as_dicts(content(follow_job(client, client.get(LIST, {"export": "care"}))))
    assert len(care) == 3 and {r["情况"] for r in care} == {"●●●●"}
    done = {job.kind: job for job in Job.objects.filter(owner_id=township.pk)}
    assert set(done) == {jobs.EXPORT, jobs.EXPORT_CARE}
    assert done[jobs.EXPORT_CARE].result["rows"] == 3
    assert done[jobs.EXPORT_CARE].status == Job.Status.DONE
    # a full export as a job: audited by the job, as its owner, with the reason
    full = follow_job(client, client.post(LIST, {"sheet": "care", "reason": "年度上报"}))
    assert "血压偏高，儿子欠债" in str(as_dicts(content(full)))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == township and event.reason == "年度上报"


def test_below_the_threshold_the_export_streams(client_for, world, township):
    response = client_for(township).get(LIST, {"export": "care"})
    assert response.status_code == 200 and not Job.objects.exists()


def test_exports_are_refused_outside_the_scope_and_to_others(
    client, client_for, world, township2, finance, volunteer, settings
):
    settings.FPA_LEFTBEHIND_EXPORT_INLINE_ROWS = 0
    # another township's job holds only its own rows
    rows = as_dicts(
        content(
            follow_job(client_for(township2), client_for(township2).get(LIST, {"export": "care"}))
        )
    )
    assert [r["情况"] for r in rows] == ["●●●●"] and len(rows) == 1
    # an area outside the scope: refused, no job
    response = client_for(township2).get(LIST, {"export": "care", "code": DAZHUANG})
    assert (
        response.status_code == 302
        and not Job.objects.filter(owner_id=township2.pk, params__code=DAZHUANG).exists()
    )
    assert client.get(LIST, {"export": "care"}).status_code == 302  # anonymous: to the login
    assert client_for(finance).get(LIST, {"export": "care"}).status_code == 403
    assert client_for(volunteer).get(LIST, {"export": "care"}).status_code == 403
    # another user cannot open the job's download
    job = Job.objects.filter(owner_id=township2.pk).first()
    assert client_for(finance).get(f"/jobs/{job.pk}/download/").status_code in (403, 404)
