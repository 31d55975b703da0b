"""The migrant and enterprise pages: the list (filters, counts, export as a masked job), a
migrant's page with the audited reveal, the forms, the enterprise list and profile page with its
click-through figures; refused cases (anonymous, another role, another township); query counts
bounded."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fpa.core.models import AuditEvent
from fpa.migrants.models import EnterpriseProfile, Migrant, ServiceRecord
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, content, follow_job
from tests.migrants_helpers import CHENGDU, credit_code, enterprise, id_for, migrant
from tests.test_excel_engine import fullwidth, read_back

LIST = "/migrants/"


@pytest.fixture
def people(township, township2):
    firm = enterprise(township, LIUJIAXIA, name="水电企业计生协")
    return {
        "firm": firm,
        "inflow": migrant(township, DAZHUANG, name="马明", employer=firm, origin_code=CHENGDU),
        "outflow": migrant(township, DAZHUANG, "outflow", name="王建军"),
        "foreign": migrant(township2, SHANGQUAN, name="外镇人员"),
    }


def test_anonymous_and_other_roles_are_refused(client, client_for, people, finance, auditor):
    pk = people["inflow"].pk
    urls = (LIST, f"{LIST}{pk}/", f"{LIST}new/", f"{LIST}import/", f"{LIST}counts/")
    for url in (*urls, f"{LIST}enterprises/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client_for(finance).get(LIST).status_code == 403
    assert client_for(finance).get(f"{LIST}{pk}/").status_code == 403


def test_another_township_gets_a_404(client_for, people, township2):
    client = client_for(township2)
    pk = people["inflow"].pk
    assert client.get(f"{LIST}{pk}/").status_code == 404
    assert client.get(f"{LIST}{pk}/edit/").status_code == 404
    assert client.post(f"{LIST}{pk}/reveal/name/", {"reason": "核对"}).status_code == 404
    assert client.get(f"{LIST}enterprises/{people['firm'].pk}/").status_code == 404
    assert client.get(f"{LIST}enterprises/{people['firm'].pk}/profile/").status_code == 404


def test_the_list_masks_names_filters_and_counts(client_for, people, township):
    client = client_for(township)
    page = client.get(LIST).content.decode()
    assert "马明" not in page and "马*" in page and "外镇" not in page
    assert "成都市锦江区" in page or "四川省" in page
    assert "在册：流入 1 人，流出 1 人" in page
    only_out = client.get(LIST, {"direction": "outflow"}).content.decode()
    assert only_out.count(f'href="/migrants/{people["outflow"].pk}/"') == 1
    assert f'href="/migrants/{people["inflow"].pk}/"' not in only_out
    sichuan = client.get(LIST, {"origin": "51"}).content.decode()
    assert f'href="/migrants/{people["inflow"].pk}/"' in sichuan
    assert f'href="/migrants/{people["outflow"].pk}/"' not in sichuan
    by_firm = client.get(LIST, {"employer": people["firm"].code}).content.decode()
    assert f'href="/migrants/{people["inflow"].pk}/"' in by_firm
    assert f'href="/migrants/{people["outflow"].pk}/"' not in by_firm
    foreign = client.get(LIST, {"code": SHANGQUAN}).content.decode()
    assert (
        "不在您的管辖范围内" in foreign
        and "/migrants/{}/".format(people["foreign"].pk) not in foreign
    )


def test_the_list_takes_a_bounded_number_of_queries(
    client_for, township, django_assert_max_num_queries
):
    client = client_for(township)
    migrant(township, DAZHUANG)
    client.get(LIST)
    with django_assert_max_num_queries(30) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(8):
        migrant(township, DAZHUANG, employer=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


def test_export_is_a_masked_job_and_a_full_one_is_audited(client_for, people, township, county):
    client = client_for(township)
    data = content(follow_job(client, client.get(LIST, {"export": "xlsx"})))
    rows = read_back(data)
    text = str(rows)
    number = people["inflow"].id_number.reveal_unchecked()
    assert "马明" not in text and number not in text and "外镇" not in text
    assert len(rows) >= 3
    # a full export needs a reason and is audited
    full = client_for(county)
    response = full.post(LIST + "?direction=inflow", {"reason": "上报核对"})
    data = content(follow_job(full, response))
    assert number in str(read_back(data))
    assert AuditEvent.objects.filter(action="export", reason="上报核对").exists()


def test_register_on_the_form_and_reveal_is_audited(client_for, township, county):
    client = client_for(township)
    number = id_for(33)
    response = client.post(
        f"{LIST}new/",
        {
            "association": Association.objects.get(code=DAZHUANG).pk,
            "direction": "inflow",
            "name": "马兰",
            "id_number": number,
            "phone": "13600001111",
            "origin_code": fullwidth(CHENGDU),
            "arrived_on": "2024-03-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Migrant.objects.get()
    assert saved.origin_code == CHENGDU and saved.association.code == DAZHUANG
    page = client_for(county).get(f"{LIST}{saved.pk}/").content.decode()
    assert "马兰" not in page and number not in page and "四川省" in page
    reveal = client_for(county).post(f"{LIST}{saved.pk}/reveal/id_number/", {"reason": "核对"})
    assert number in reveal.content.decode()
    assert AuditEvent.objects.filter(action="reveal", reason="核对").exists()


def test_bad_input_shows_a_chinese_message_and_changes_nothing(client_for, township):
    client = client_for(township)
    response = client.post(
        f"{LIST}new/",
        {
            "association": Association.objects.get(code=DAZHUANG).pk,
            "direction": "inflow",
            "name": "马兰",
            "id_number": id_for(),
            "origin_code": "999999",
        },
    )
    assert response.status_code == 200
    assert "不是已知的县级行政区" in response.content.decode()
    assert not Migrant.objects.exists()


def test_status_service_family_need_forms(client_for, people, township):
    client = client_for(township)
    pk = people["inflow"].pk
    today = timezone.localdate().isoformat()
    response = client.post(
        f"{LIST}{pk}/services/new/",
        {"kind": "1", "served_on": today, "provider": "村专干", "notes": "宣传"},
    )
    assert response.status_code == 302
    assert ServiceRecord.objects.filter(migrant_id=pk).count() == 1
    response = client.post(
        f"{LIST}{pk}/family/new/",
        {"relation": "child", "name": "小马", "birth_date": "2019-05-01", "moved_with": "on"},
    )
    assert response.status_code == 302
    response = client.post(f"{LIST}{pk}/needs/new/", {"description": "子女入学咨询"})
    assert response.status_code == 302
    page = client.get(f"{LIST}{pk}/").content.decode()
    assert "子女入学咨询" in page and "小马" not in page and "宣传" in page
    response = client.post(
        f"{LIST}{pk}/status/", {"status": "left", "on": today, "reason": "返乡", "version": 1}
    )
    assert response.status_code == 302
    assert Migrant.objects.get(pk=pk).status == "left"


def test_enterprise_list_and_profile_page_click_through(client_for, people, township):
    client = client_for(township)
    firm = people["firm"]
    listing = client.get(f"{LIST}enterprises/").content.decode()
    assert "水电企业计生协" in listing and "未建档" in listing
    code = credit_code(7)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(
        f"{LIST}enterprises/{firm.pk}/profile/",
        {
            "firm_name": "某水电公司",
            "credit_code": wrong,
            "employees": "100",
            "childbearing_employees": "30",
            "demonstration": "on",
        },
    )
    assert response.status_code == 200 and f"应为“{code[17]}”" in response.content.decode()
    assert not EnterpriseProfile.objects.exists()
    response = client.post(
        f"{LIST}enterprises/{firm.pk}/profile/",
        {
            "firm_name": "某水电公司",
            "credit_code": code,
            "employees": "100",
            "childbearing_employees": "30",
            "demonstration": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(f"{LIST}enterprises/{firm.pk}/").content.decode()
    assert 'id="demonstration"' in page
    assert f"/migrants/?employer={firm.code}" in page
    assert f"/members/?code={firm.code}" in page and f"/activities/?code={firm.code}" in page
    assert '<div class="fs-4" id="working-total">1</div>' in page
    year = timezone.localdate().year - 1
    response = client.post(
        f"{LIST}enterprises/{firm.pk}/evaluations/new/",
        {"year": str(year), "level": "county", "result": "excellent"},
    )
    assert response.status_code == 302
    assert "优秀" in client.get(f"{LIST}enterprises/{firm.pk}/").content.decode()


def test_counts_page(client_for, people, township, county):
    page = client_for(county).get(f"{LIST}counts/").content.decode()
    assert "刘家峡镇" in page and "盐锅峡镇" in page
    page = client_for(township).get(f"{LIST}counts/").content.decode()
    assert "盐锅峡镇" not in page and f"?code={DAZHUANG}&amp;direction=inflow" in page
    page = client_for(township).get(f"{LIST}counts/", {"code": SHANGQUAN}).content.decode()
    assert "不在您的管辖范围内" in page


def test_departure_passed_shows_on_the_page(client_for, township):
    person = migrant(
        township,
        DAZHUANG,
        expected_departure=timezone.localdate() - datetime.timedelta(days=2),
    )
    page = client_for(township).get(f"{LIST}{person.pk}/").content.decode()
    assert 'id="departure-passed"' in page
    listing = client_for(township).get(LIST, {"departure": "passed"}).content.decode()
    assert f'href="/migrants/{person.pk}/"' in listing
