"""The 三留守 pages: the list (filters, counts, export masked), a person's page with the audited
reveal, the forms; refused cases (anonymous, another role, another township, a village officer
opening a child they do not look after); query counts bounded."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fpa.core.models import AuditEvent
from fpa.leftbehind.models import LeftBehindCare, LeftBehindPerson
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, SHANGQUAN, content
from tests.leftbehind_helpers import contact, id_for, kind, person, role, visit
from tests.test_excel_engine import read_back

LIST = "/left-behind/"


@pytest.fixture
def people(township, township2):
    return {
        "elderly": person(township, DAZHUANG, name="马福元"),
        "child": person(township, DAZHUANG, kind="child", name="马小花"),
        "foreign": person(township2, SHANGQUAN, name="外镇老人"),
    }


def test_anonymous_and_other_roles_are_refused(client, client_for, people, finance, auditor):
    pk = people["elderly"].pk
    for url in (LIST, f"/left-behind/{pk}/", "/left-behind/new/", "/left-behind/import/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client_for(finance).get(LIST).status_code == 403
    assert client_for(auditor).get(LIST).status_code == 403
    # a role without the capability, not a contact: the page is a 404 like a missing record
    assert client_for(finance).get(f"/left-behind/{pk}/").status_code == 404


def test_the_list_shows_the_scope_and_hides_children_from_the_village(
    client_for, people, township, village
):
    page = client_for(township).get(LIST).content.decode()
    assert "马福元" in page and "马**" in page and "外镇老人" not in page
    assert "马小花" not in page  # a child's name is masked in the list
    page = client_for(village).get(LIST).content.decode()
    assert "马福元" in page and "马**" not in page
    assert 'id="children-note"' in page


def test_a_village_officer_cannot_open_a_child_they_do_not_look_after(
    client_for, people, township, village
):
    url = f"/left-behind/{people['child'].pk}/"
    assert client_for(village).get(url).status_code == 404
    contact(township, people["child"], user=village)
    page = client_for(village).get(url)
    assert page.status_code == 200 and "马小花" not in page.content.decode()


def test_another_township_gets_404(client_for, people, township2):
    client = client_for(township2)
    pk = people["elderly"].pk
    assert client.get(f"/left-behind/{pk}/").status_code == 404
    assert client.get(f"/left-behind/{pk}/edit/").status_code == 404
    assert client.post(f"/left-behind/{pk}/care/new/", {}).status_code == 404
    response = client.post(f"/left-behind/{pk}/reveal/id_number/", {"reason": "核实"})
    assert response.status_code == 404


def test_reveal_is_audited_and_needs_a_reason(client_for, people, township):
    client = client_for(township)
    child = people["child"]
    url = f"/left-behind/{child.pk}/reveal/name/"
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"reason": "入户核实"})
    assert response.status_code == 200 and "马小花" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert event.object_id == str(child.pk) and event.reason == "入户核实"
    assert event.changes == {"field": "name"}
    assert client.post(f"/left-behind/{child.pk}/reveal/kind/", {"reason": "x1"}).status_code == 404


def test_a_contact_without_reveal_capability_may_reveal_their_person(
    client_for, people, township, volunteer
):
    """A volunteer account made contact person sees the person's page and may reveal, audited."""
    contact(township, people["elderly"], user=volunteer)
    client = client_for(volunteer)
    assert client.get(f"/left-behind/{people['elderly'].pk}/").status_code == 200
    response = client.post(
        f"/left-behind/{people['elderly'].pk}/reveal/phone/", {"reason": "电话联系"}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="reveal", actor=volunteer).count() == 1
    assert client.get(f"/left-behind/{people['child'].pk}/").status_code == 404


def test_register_through_the_form_and_bad_input_changes_nothing(client_for, township):
    client = client_for(township)
    data = {
        "association": Association.objects.get(code=DAZHUANG).pk,
        "kind": "elderly",
        "name": "新老人",
        "id_number": "622923194912310021",  # wrong check character
        "risk": "low",
    }
    response = client.post("/left-behind/new/", data)
    assert response.status_code == 200 and "校验位" in response.content.decode()
    assert LeftBehindPerson.objects.count() == 0
    data["id_number"] = id_for(80)
    response = client.post("/left-behind/new/", data)
    assert response.status_code == 302
    created = LeftBehindPerson.objects.get()
    assert created.name.reveal_unchecked() == "新老人" and created.birth_date is not None


def test_edit_keeps_hidden_values_when_left_blank(client_for, people, township):
    target = people["elderly"]
    phone = target.phone.reveal_unchecked()
    response = client_for(township).post(
        f"/left-behind/{target.pk}/edit/",
        {
            "association": target.association_id,
            "kind": "elderly",
            "name": "",
            "risk": "high",
            "version": target.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.risk == "high" and target.phone.reveal_unchecked() == phone
    assert target.name.reveal_unchecked() == "马福元"


def test_a_village_contact_logs_a_visit_and_sees_it(client_for, people, township, village):
    target = people["elderly"]
    contact(township, target, user=village)
    client = client_for(village)
    response = client.post(
        f"/left-behind/{target.pk}/care/new/",
        {
            "kind": kind().pk,
            "occurred_on": timezone.localdate().isoformat(),
            "notes": "送去冬衣",
            "need_description": "希望帮忙修屋顶",
        },
    )
    assert response.status_code == 302
    record = LeftBehindCare.objects.get()
    assert record.recorded_by == village and record.needs.count() == 1
    page = client.get(f"/left-behind/{target.pk}/").content.decode()
    assert "送去冬衣" in page and "希望帮忙修屋顶" in page


def test_a_future_visit_is_refused_with_a_message(client_for, people, township):
    response = client_for(township).post(
        f"/left-behind/{people['elderly'].pk}/care/new/",
        {"kind": kind().pk, "occurred_on": "2999-01-01"},
    )
    assert response.status_code == 200 and "不能晚于今天" in response.content.decode()
    assert LeftBehindCare.objects.count() == 0


def test_contacts_are_assigned_and_ended_by_staff_only(client_for, people, township, village):
    target = people["elderly"]
    response = client_for(township).post(
        f"/left-behind/{target.pk}/contacts/new/",
        {"role": role().pk, "name": "王干部", "start_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    found = target.contacts.get()
    # a village officer (edit capability, in scope) may end it; another township may not see it
    response = client_for(village).post(
        f"/left-behind/contacts/{found.pk}/end/", {"end_date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.end_date == timezone.localdate()


def test_the_export_is_masked_and_the_full_one_audited(client_for, people, township, village):
    client = client_for(township)
    data = content(client.get(LIST, {"export": "xlsx"}))
    rows = read_back(data)
    header = rows[0]
    names = [dict(zip(header, row, strict=False))["姓名"] for row in rows[1:]]
    assert sorted(names) == ["马**", "马**"]
    assert b"13687" not in data
    # the full workbook: a reason, audited
    full = client.post(LIST + "?export=xlsx", {"reason": "上报民政局"})
    rows = read_back(content(full))
    assert {dict(zip(rows[0], r, strict=False))["姓名"] for r in rows[1:]} == {"马福元", "马小花"}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1
    # a village export holds no child at all
    rows = read_back(content(client_for(village).get(LIST, {"export": "xlsx"})))
    assert len(rows) == 2


def test_the_list_filters(client_for, people, township):
    client = client_for(township)
    page = client.get(LIST, {"kind": "child"})
    assert [p.pk for p in page.context["page"].items] == [people["child"].pk]
    page = client.get(LIST, {"code": SHANGQUAN})
    assert page.context["foreign"] and page.context["page"].items == []
    page = client.get(LIST, {"sort": "risk"})
    assert page.status_code == 200


def test_list_queries_do_not_grow_with_rows(
    client_for, township, village, django_assert_max_num_queries
):
    client = client_for(township)
    for _ in range(3):
        target = person(township, DAZHUANG)
        contact(township, target, user=village)
        visit(township, target)
    client.get(LIST)  # warm the caches (area options, session)
    with django_assert_max_num_queries(16) as few:
        client.get(LIST)
    for _ in range(12):
        target = person(township, DAZHUANG)
        contact(township, target, user=village)
        visit(township, target)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"].items) == 15


def test_the_mine_page_lists_the_contact_people(client_for, people, township, village):
    contact(township, people["elderly"], user=village)
    page = client_for(village).get("/left-behind/mine/").content.decode()
    assert "马福元" in page
