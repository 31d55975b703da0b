"""Rights-case pages: the list (filters, overdue, sort, Excel), receiving a case (also for a
family), its page with masked values and the audited reveal, each step's form, the receipt, the
figures with their click-through, a family's cases, the kinds, the to-do. Refused: anonymous,
another role, another township's cases by forged ids (404, nothing changed), a closed case's
forms; bad input explained on the form, nothing written."""

from __future__ import annotations

import datetime
import io

import pytest
import python_calamine
from django.utils import timezone

from fpa.core.models import AuditEvent
from fpa.core.todo import todos_for
from fpa.organizations.models import Association
from fpa.rights.models import Case, CaseKind
from tests.conftest import DAZHUANG, SHANGQUAN, YANGUOXIA, content
from tests.rights_helpers import ago, case, closed, family, kind

pytestmark = pytest.mark.django_db


def receipt_data(**overrides: str) -> dict[str, str]:
    data = {
        "association": str(Association.objects.get(code=DAZHUANG).pk),
        "kind": str(kind("allowance").pk),
        "channel": "visit",
        "received_on": timezone.localdate().isoformat(),
        "person_name": "马兰英",
        "phone": "13912340000",
        "id_number": "",
        "family": "",
        "claim": "扶助金连续两个月未到账",
        "deadline": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def world(township, township2, village):
    return {
        "local": case(village, DAZHUANG, person_name="本村当事人"),
        "foreign": case(township2, SHANGQUAN, person_name="外镇当事人"),
    }


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in ("/rights/", "/rights/new/", f"/rights/{world['local'].pk}/", "/rights/figures/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("persona", ["finance", "volunteer", "auditor"])
def test_other_roles_are_refused(client_for, world, request, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in ("/rights/", f"/rights/{world['local'].pk}/", "/rights/figures/"):
        assert client.get(url).status_code == 403, url
    response = client.post("/rights/new/", receipt_data())
    assert response.status_code == 403
    assert Case.objects.count() == 2


def test_the_list_shows_only_the_scope_and_masks_names(client_for, world, township):
    response = client_for(township).get("/rights/")
    assert response.status_code == 200
    body = response.content.decode()
    assert world["local"].number in body
    assert world["foreign"].number not in body
    assert "本村当事人" not in body and "外镇当事人" not in body
    assert "诉求内容" not in body  # the claim is never on the list


def test_another_township_case_is_404_on_every_page_and_nothing_changes(
    client_for, world, township
):
    client = client_for(township)
    foreign = world["foreign"]
    before = AuditEvent.objects.count()
    for suffix in ("", "receipt/", "edit/", "refer/", "follow-up/", "close/", "satisfaction/"):
        assert client.get(f"/rights/{foreign.pk}/{suffix}").status_code == 404, suffix
    response = client.post(
        f"/rights/{foreign.pk}/close/", {"result": "越权办结", "closed_on": ago(0).isoformat()}
    )
    assert response.status_code == 404
    response = client.post(f"/rights/{foreign.pk}/reveal/claim/", {"reason": "越权查看"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Case.Status.RECEIVED
    assert AuditEvent.objects.count() == before


def test_the_filters_overdue_status_kind_and_dates(client_for, world, village):
    late = case(village, DAZHUANG, received_on=ago(20), deadline=ago(1), kind_code="medical")
    done = closed(village, case(village, DAZHUANG, received_on=ago(3)))
    client = client_for(village)

    def numbers(**query: str) -> set[str]:
        response = client.get("/rights/", query)
        assert response.status_code == 200
        return {c.number for c in response.context["page"].items}

    assert numbers(overdue="1") == {late.number}
    assert numbers(status="closed") == {done.number}
    assert numbers(status="open") == {late.number, world["local"].number}
    assert numbers(kind="medical") == {late.number}
    assert numbers(received_to=ago(10).isoformat()) == {late.number}
    assert numbers(sort="deadline") == {late.number, done.number, world["local"].number}
    ordered = client.get("/rights/", {"sort": "deadline"}).context["page"].items
    assert ordered[0] == late
    # a bad date is explained, not a 500, and filters nothing
    response = client.get("/rights/", {"received_from": "2024-13-45"})
    assert response.status_code == 200 and "筛选条件有误" in response.content.decode()


def test_a_foreign_area_shows_nothing_and_exports_nothing(client_for, world, township):
    client = client_for(township)
    response = client.get("/rights/", {"code": YANGUOXIA})
    assert response.status_code == 200 and response.context["page"].items == []
    assert "不在您的管辖范围内" in response.content.decode()
    assert client.get("/rights/", {"code": YANGUOXIA, "export": "xlsx"}).status_code == 302


def test_the_list_query_count_does_not_grow_with_rows(
    client_for, world, township, village, django_assert_max_num_queries
):
    client = client_for(township)
    client.get("/rights/")  # warm the per-worker caches (menu, area options)
    with django_assert_max_num_queries(14) as few:
        client.get("/rights/")
    owner = family(village, DAZHUANG)
    for n in range(12):
        case(village, DAZHUANG, family=owner if n % 2 else None, kind_code="medical")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/rights/")
    assert len(response.context["page"].items) == 13


def test_the_excel_export_follows_the_filters_and_masks(client_for, world, township, village):
    closed(village, case(village, DAZHUANG, person_name="办结当事人", phone="13911112222"))
    response = client_for(township).get("/rights/", {"export": "xlsx", "status": "closed"})
    assert response.status_code == 200
    data = content(response)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name("权益维护案件").to_python()
    header = rows[0]
    assert header[:3] == ["案件编号", "受理单位编码", "受理单位"]
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=False))
    assert row["状态"] == "办结" and row["按期办结"] == "是"
    assert "****" in row["联系电话"] and row["当事人姓名"] != "办结当事人"
    assert b"13911112222" not in data and "扶助金未到账".encode() not in data


def test_a_village_receives_a_case(client_for, yongjing, village):
    client = client_for(village)
    form = client.get("/rights/new/")
    assert form.status_code == 200 and "扶助金发放10天" in form.content.decode()
    response = client.post("/rights/new/", receipt_data())
    made = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rights/{made.pk}/"
    assert made.deadline == timezone.localdate() + datetime.timedelta(days=10)
    assert made.association.code == DAZHUANG and made.received_by == village
    page = client.get(f"/rights/{made.pk}/").content.decode()
    assert made.number in page and "马兰英" not in page and "扶助金连续" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"claim": ""}, "这个字段是必填项"),
        ({"phone": "123"}, "手机"),
        ({"received_on": "2999-01-01"}, "不能晚于今天"),
        ({"association": "999999999"}, ""),
    ],
)
def test_bad_input_is_explained_and_nothing_written(
    client_for, yongjing, village, overrides, message
):
    response = client_for(village).post("/rights/new/", receipt_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    if message:
        assert message in response.content.decode()
    assert Case.objects.count() == 0


def test_a_case_for_a_family_from_its_page(client_for, yongjing, village, township2):
    owner = family(village, DAZHUANG, name="何秀珍")
    client = client_for(village)
    page = client.get(f"/rights/family/{owner.pk}/")
    assert page.status_code == 200
    form = client.get(f"/rights/new/?family={owner.pk}")
    assert form.context["form"]["family"].value() == owner.pk
    response = client.post("/rights/new/", receipt_data(family=str(owner.pk), person_name=""))
    assert response.status_code == 302
    made = Case.objects.get()
    assert made.family == owner and made.person_name.reveal_unchecked() == "何秀珍"
    detail = client.get(f"/rights/{made.pk}/").content.decode()
    assert f"/families/{owner.pk}/" in detail and f"/rights/family/{owner.pk}/" in detail
    listing = client.get(f"/rights/family/{owner.pk}/")
    assert [c.pk for c in listing.context["page"].items] == [made.pk]
    # another township's family: refused on the form, and its page is a 404
    foreign = family(township2, SHANGQUAN)
    response = client.post("/rights/new/", receipt_data(family=str(foreign.pk)))
    assert response.status_code == 200 and "不在您的管辖范围内" in response.content.decode()
    assert client.get(f"/rights/family/{foreign.pk}/").status_code == 404
    assert Case.objects.count() == 1


def test_the_reveal_needs_a_reason_and_is_audited(client_for, world, township):
    client = client_for(township)
    url = f"/rights/{world['local'].pk}/reveal/claim/"
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "办理需要"})
    assert response.status_code == 200 and "扶助金未到账" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert event.changes == {"field": "claim"} and event.reason == "办理需要"
    assert (
        client.post(f"/rights/{world['local'].pk}/reveal/status/", {"reason": "x查看"}).status_code
        == 404
    )


def test_the_steps_through_the_pages(client_for, world, village, township):
    made = world["local"]
    town = client_for(township)
    today = timezone.localdate().isoformat()
    response = town.post(
        f"/rights/{made.pk}/refer/",
        {"department": "镇民政办", "referred_on": today, "version": "1"},
    )
    assert response.status_code == 302
    response = town.post(
        f"/rights/{made.pk}/follow-up/", {"on": today, "note": "民政办已受理", "version": "2"}
    )
    assert response.status_code == 302
    # a stale version is refused with the conflict message, nothing written
    response = town.post(
        f"/rights/{made.pk}/close/", {"result": "已办", "closed_on": today, "version": "1"}
    )
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    response = town.post(
        f"/rights/{made.pk}/close/", {"result": "已落实低保", "closed_on": today, "version": "3"}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == Case.Status.CLOSED
    page = town.get(f"/rights/{made.pk}/").content.decode()
    assert "已落实低保" in page and 'id="rate-link"' in page and 'id="close-link"' not in page
    # a closed case's edit is refused with the message, nothing changed
    response = town.post(
        f"/rights/{made.pk}/edit/",
        {"kind": str(made.kind_id), "channel": "call", "received_on": today, "deadline": today},
    )
    assert response.status_code == 200 and "已办结的案件不能修改" in response.content.decode()
    response = client_for(village).post(
        f"/rights/{made.pk}/satisfaction/", {"satisfaction": "dissatisfied", "rated_on": today}
    )
    assert response.status_code == 302
    page = town.get(f"/rights/{made.pk}/").content.decode()
    assert 'id="reopen-link"' in page
    response = town.post(f"/rights/{made.pk}/reopen/", {"reason": "当事人不满意"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == Case.Status.REOPENED and made.channel == Case.Channel.VISIT


def test_satisfaction_before_closing_is_explained(client_for, world, village):
    response = client_for(village).post(
        f"/rights/{world['local'].pk}/satisfaction/", {"satisfaction": "satisfied"}
    )
    assert response.status_code == 200 and "办结后才能登记满意度" in response.content.decode()
    assert Case.objects.get(pk=world["local"].pk).satisfaction == ""


def test_the_receipt_prints_without_the_claim(client_for, world, village):
    response = client_for(village).get(f"/rights/{world['local'].pk}/receipt/")
    body = response.content.decode()
    assert response.status_code == 200 and "受理回执" in body and world["local"].number in body
    assert "扶助金未到账" not in body and "本村当事人" not in body


def test_the_figures_page_and_its_click_through(client_for, world, township, village):
    closed(village, case(village, DAZHUANG, received_on=ago(5)), on=ago(1))
    client = client_for(township)
    response = client.get("/rights/figures/")
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.total.received, result.total.closed, result.total.open_now) == (2, 1, 1)
    links = response.context["links"]
    listed = client.get(links["closed"])
    assert [c.status for c in listed.context["page"].items] == ["closed"]
    listed = client.get(links["received"])
    assert len(listed.context["page"].items) == 2
    assert client.get("/rights/figures/", {"code": YANGUOXIA}).context["result"] is None
    body = client.get("/rights/figures/", {"first": "bad"}).content.decode()
    assert "权益维护统计" in body  # a bad date falls back to this year


def test_only_the_county_changes_the_kinds(client_for, yongjing, county, township):
    assert client_for(township).get("/rights/kinds/").status_code == 200
    response = client_for(township).post(
        "/rights/kinds/", {"code": "housing", "name": "住房", "deadline_days": "20"}
    )
    assert response.status_code == 403
    response = client_for(county).post(
        "/rights/kinds/", {"code": "housing", "name": "住房", "deadline_days": "20"}
    )
    assert response.status_code == 302
    assert CaseKind.objects.filter(code="housing", deadline_days=20).exists()


def test_the_overdue_to_do_goes_to_the_receiving_association(
    client_for, yongjing, village, township
):
    late = case(village, DAZHUANG, received_on=ago(20), deadline=ago(1))
    todos = {t.key: t for t in todos_for(village)}
    assert todos["rights.overdue"].count == 1 and todos["rights.overdue"].urgent
    assert "rights.overdue" not in {t.key for t in todos_for(township)}
    listed = client_for(village).get(todos["rights.overdue"].url)
    assert [c.pk for c in listed.context["page"].items] == [late.pk]
