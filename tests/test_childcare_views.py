"""Childcare pages: the list (filters, sort, figures, Excel), an institution's page and its
forms, the inspection form and record, the problems' rectification to closure, the problems list,
the checklist. Refused: anonymous, another role, village staff on an edit, another township's
records by forged ids (404, nothing changed); bad input explained on the form, nothing written."""

from __future__ import annotations

import datetime
import io

import pytest
import python_calamine
from django.utils import timezone

from fpa.childcare import selectors
from fpa.childcare.models import (
    ChecklistItem,
    Inspection,
    Institution,
    Problem,
    Recommendation,
)
from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from tests.childcare_helpers import (
    credit,
    inspect,
    institution,
    problem,
    rectified,
)
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, content

TODAY = timezone.localdate


def days(n: int) -> str:
    return (TODAY() + datetime.timedelta(days=n)).isoformat()


def registration(**overrides):
    data = {
        "association": str(Association.objects.get(code=DAZHUANG).pk),
        "name": "大庄村托育园",
        "registration_kind": "credit",
        "registration_number": credit(),
        "operator": "大庄村委会",
        "address": "大庄村一社",
        "kind": "full_day",
        "capacity": "40",
        "places_used": "12",
        "inclusive": "on",
        "contact_name": "王园长",
        "phone": "13688889999",
        "status": "operating",
        "opened_on": days(-100),
        "planned_on": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def world(yongjing, township, township2):
    """A 刘家峡镇 institution with an inspection and a problem waiting for verification, and the
    same in 盐锅峡镇 (the foreign records)."""
    own = institution(township, DAZHUANG, name="本镇托育园")
    own_inspection = inspect(township, own)
    own_problem = rectified(township, problem(township, own_inspection))
    foreign = institution(township2, SHANGQUAN, name="外镇托育园")
    foreign_inspection = inspect(township2, foreign)
    foreign_problem = problem(township2, foreign_inspection)
    return {
        "own": own,
        "own_inspection": own_inspection,
        "own_problem": own_problem,
        "foreign": foreign,
        "foreign_inspection": foreign_inspection,
        "foreign_problem": foreign_problem,
    }


# --- refusals -------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, world):
    pk = world["own"].pk
    for url in ("/childcare/", "/childcare/problems/", f"/childcare/{pk}/", "/childcare/new/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(f"/childcare/problems/{world['own_problem'].pk}/close/")
    assert response.status_code == 302
    assert Problem.objects.get(pk=world["own_problem"].pk).status == "submitted"


def test_other_roles_are_refused(client_for, world, finance, volunteer):
    for user in (finance, volunteer):
        client = client_for(user)
        assert client.get("/childcare/").status_code == 403
        assert client.get(f"/childcare/{world['own'].pk}/").status_code == 403


def test_village_staff_read_but_do_not_edit(client_for, world, village):
    client = client_for(village)
    page = client.get("/childcare/")
    assert page.status_code == 200
    assert "本镇托育园" in page.content.decode() and "登记机构" not in page.content.decode()
    own = world["own"]
    assert client.get(f"/childcare/{own.pk}/").status_code == 200
    for url in (
        "/childcare/new/",
        f"/childcare/{own.pk}/edit/",
        f"/childcare/{own.pk}/inspect/",
        f"/childcare/{own.pk}/status/",
        f"/childcare/{own.pk}/recommend/",
        f"/childcare/problems/{world['own_problem'].pk}/rectify/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url
    response = client.post(f"/childcare/problems/{world['own_problem'].pk}/close/")
    assert response.status_code == 403
    assert client.post("/childcare/checklist/", {"code": "x1", "text": "项目"}).status_code == 403
    assert Problem.objects.get(pk=world["own_problem"].pk).status == "submitted"


def test_the_auditor_reads_only(client_for, world, auditor):
    client = client_for(auditor)
    assert client.get("/childcare/").status_code == 200
    assert client.get(f"/childcare/inspections/{world['own_inspection'].pk}/").status_code == 200
    assert client.get("/childcare/new/").status_code == 403


def test_another_townships_records_by_forged_id_are_404_and_unchanged(client_for, world, township):
    client = client_for(township)
    foreign, inspection, found = (
        world["foreign"],
        world["foreign_inspection"],
        world["foreign_problem"],
    )
    before = AuditEvent.objects.count()
    urls = [
        f"/childcare/{foreign.pk}/",
        f"/childcare/{foreign.pk}/edit/",
        f"/childcare/{foreign.pk}/status/",
        f"/childcare/{foreign.pk}/inspect/",
        f"/childcare/{foreign.pk}/recommend/",
        f"/childcare/inspections/{inspection.pk}/",
        f"/childcare/inspections/{inspection.pk}/problem/",
        f"/childcare/problems/{found.pk}/rectify/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "越权", "description": "越权"}).status_code == 404, url
    for url in (
        f"/childcare/problems/{found.pk}/close/",
        f"/childcare/problems/{found.pk}/return/",
        f"/childcare/{foreign.pk}/reveal/phone/",
    ):
        assert client.post(url, {"reason": "越权查看"}).status_code == 404, url
    page = client.get("/childcare/", {"code": SHANGQUAN})
    assert "外镇托育园" not in page.content.decode()
    assert "不在您的管辖范围内" in page.content.decode()
    assert AuditEvent.objects.count() == before
    foreign.refresh_from_db()
    assert foreign.name == "外镇托育园" and foreign.version == 1
    assert Problem.objects.get(pk=found.pk).status == "open"


# --- the list -------------------------------------------------------------------------------------


def test_the_list_shows_the_scope_with_its_figures(client_for, world, township):
    page = client_for(township).get("/childcare/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "本镇托育园" in body and "外镇托育园" not in body
    assert 'id="fig-institutions">1<' in body and 'id="fig-capacity">50<' in body
    assert 'id="fig-problems">1<' in body
    assert f"/childcare/{world['own'].pk}/" in body
    assert "托育机构" in body  # the menu entry


def test_the_list_filters_and_sorts(client_for, world, township):
    institution(township, LIUJIAXIA, name="镇上普惠园", inclusive=True, capacity=90)
    institution(township, DAZHUANG, name="筹建园", status="planned", registration_number="")
    client = client_for(township)

    def names(**params):
        response = client.get("/childcare/", params)
        assert response.status_code == 200
        return [i.name for i in response.context["page"].items]

    assert names(inclusive="1") == ["镇上普惠园"]
    assert names(status="planned") == ["筹建园"]
    assert names(problems="open") == ["本镇托育园"]
    assert sorted(names(code=DAZHUANG)) == ["本镇托育园", "筹建园"]
    assert names(sort="capacity")[0] == "镇上普惠园"
    assert names(sort="name") == sorted(names(sort="name"))
    assert len(names(sort="nonsense", status="nonsense", inclusive="maybe")) == 3
    htmx = client.get("/childcare/", {"q": "普惠"}, HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.content.decode() and "镇上普惠园" in htmx.content.decode()


def test_the_list_query_count_does_not_grow_with_rows(
    client_for, world, township, django_assert_max_num_queries
):
    client = client_for(township)
    client.get("/childcare/")  # warm the per-worker caches (menu, area options)
    with django_assert_max_num_queries(14) as few:
        client.get("/childcare/")
    for n in range(12):
        made = institution(township, DAZHUANG, name=f"园{n}")
        problem(township, inspect(township, made))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/childcare/")
    assert len(response.context["page"].items) == 13


def test_the_excel_export_follows_the_filters_and_masks_the_phone(client_for, world, township):
    institution(township, LIUJIAXIA, name="镇上园", inclusive=False)
    response = client_for(township).get("/childcare/", {"export": "xlsx", "code": DAZHUANG})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # Read back with an independent reader: python-calamine, the project's (openpyxl is not
    # installed).
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content(response)))
    rows = book.get_sheet_by_name("托育机构").to_python()
    header = rows[0]
    assert header[:3] == ["区域编码", "所在区域", "机构名称"]
    assert [row[2] for row in rows[1:]] == ["本镇托育园"]
    data = dict(zip(header, rows[1], strict=False))
    assert data["联系电话"].startswith("136") and "****" in data["联系电话"]
    assert data["状态"] == "运营" and data["普惠"] == "否" and data["未销号问题"] == 1
    assert data["最近检查得分"] == "100/100"


def test_the_export_of_a_foreign_area_is_refused(client_for, world, township):
    response = client_for(township).get("/childcare/", {"export": "xlsx", "code": SHANGQUAN})
    assert response.status_code == 302


# --- registering and changing ---------------------------------------------------------------------


def test_a_township_registers_an_institution(client_for, yongjing, township):
    client = client_for(township)
    page = client.get("/childcare/new/")
    assert page.status_code == 200 and "统一社会信用代码" in page.content.decode()
    assert "fpa-howto" in page.content.decode()
    number = credit()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)  # typed with full-width characters
    response = client.post("/childcare/new/", registration(registration_number=wide))
    made = Institution.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/childcare/{made.pk}/"
    assert made.registration_number == number and made.inclusive


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("opened_on", "2024-13-45", "有效的日期"),
        ("opened_on", days(3), "不能晚于今天"),
        ("registration_number", "9162292312345", "应为18位"),
        ("registration_number", "\u3007" * 18, "只能填写数字和大写字母"),
        ("capacity", "ten", "整数"),
        ("places_used", "99", "不能超过托位数"),
        ("name", "托" * 101, "100"),
        ("association", "999999999", "不在您的管辖范围内"),
        ("phone", "NaN", "电话号码"),
    ],
)
def test_bad_registrations_are_explained_and_change_nothing(
    client_for, yongjing, township, field, value, message
):
    response = client_for(township).post("/childcare/new/", registration(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Institution.objects.exists()


def test_a_foreign_area_cannot_be_chosen(client_for, yongjing, township):
    foreign = Association.objects.get(code=SHANGQUAN)
    response = client_for(township).post(
        "/childcare/new/", registration(association=str(foreign.pk))
    )
    assert "所选协会不存在或不在您的管辖范围内" in response.content.decode()
    assert not Institution.objects.exists()


def test_edit_status_and_the_phone_reveal(client_for, world, township):
    own = world["own"]
    client = client_for(township)
    assert client.get(f"/childcare/{own.pk}/edit/").status_code == 200
    data = {
        k: v
        for k, v in registration(
            name="改名托育园", registration_number=own.registration_number
        ).items()
        if k not in ("status", "opened_on", "planned_on")
    }
    data.update(phone="", version="1")
    response = client.post(f"/childcare/{own.pk}/edit/", data)
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "改名托育园" and own.version == 2
    stale = client.post(f"/childcare/{own.pk}/edit/", {**data, "name": "又改", "version": "1"})
    assert "已被他人修改" in stale.content.decode()
    response = client.post(
        f"/childcare/{own.pk}/status/", {"status": "closed", "on": days(0), "reason": "停办"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "closed"
    refused = client.post(f"/childcare/{own.pk}/reveal/phone/", {"reason": ""})
    assert refused.status_code == 400
    shown = client.post(f"/childcare/{own.pk}/reveal/phone/", {"reason": "电话回访"})
    assert own.phone.reveal_unchecked() in shown.content.decode()
    assert AuditEvent.objects.filter(action="reveal", object_type="childcare.institution").exists()


# --- inspections and problems ---------------------------------------------------------------------


def _inspection_post(**overrides):
    data = {"inspected_on": days(0), "inspectors": "张三、李四", "notes": "良好"}
    for item in selectors.checklist(active_only=True):
        data[f"score_{item.pk}"] = str(item.max_score)
        data[f"note_{item.pk}"] = ""
    data.update(overrides)
    return data


def test_the_inspection_form_shows_the_checklist_with_maximums(client_for, world, township):
    page = client_for(township).get(f"/childcare/{world['own'].pk}/inspect/")
    body = page.content.decode()
    assert page.status_code == 200
    for item in ChecklistItem.objects.filter(active=True):
        assert item.text in body
    assert "满分合计 100 分" in body and '<td class="text-end text-nowrap">20</td>' in body


def test_an_inspection_is_recorded_and_printed(client_for, world, township):
    own = world["own"]
    client = client_for(township)
    safety = ChecklistItem.objects.get(code="safety")
    response = client.post(
        f"/childcare/{own.pk}/inspect/",
        _inspection_post(
            **{f"score_{safety.pk}": "\uff11\uff18", f"note_{safety.pk}": "灭火器过期"}
        ),
    )
    made = Inspection.objects.exclude(pk=world["own_inspection"].pk).get(institution=own)
    assert response["Location"] == f"/childcare/inspections/{made.pk}/"
    assert made.total == 98
    page = client.get(response["Location"]).content.decode()
    assert "灭火器过期" in page and "data-fpa-print" in page and "<b>98</b> / 100" in page
    added = client.post(
        f"/childcare/inspections/{made.pk}/problem/",
        {"description": "灭火器过期未更换", "deadline": days(10)},
    )
    assert added.status_code == 302
    assert Problem.objects.filter(inspection=made, description="灭火器过期未更换").exists()


def test_a_score_above_the_maximum_is_explained_and_nothing_is_saved(client_for, world, township):
    own = world["own"]
    safety = ChecklistItem.objects.get(code="safety")
    for value, message in (("25", "0至20分"), ("abc", "应为数字"), ("", "必填")):
        response = client_for(township).post(
            f"/childcare/{own.pk}/inspect/", _inspection_post(**{f"score_{safety.pk}": value})
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    bad_date = client_for(township).post(
        f"/childcare/{own.pk}/inspect/", _inspection_post(inspected_on="2024-02-30")
    )
    assert "有效的日期" in bad_date.content.decode()
    assert Inspection.objects.filter(institution=own).count() == 1


def test_rectification_close_and_return_from_the_institution_page(
    client_for, world, township, county
):
    own, found = world["own"], world["own_problem"]
    client = client_for(township)
    page = client.get(f"/childcare/{own.pk}/").content.decode()
    assert f"/childcare/problems/{found.pk}/close/" in page  # the township verifies a village's
    response = client.post(
        f"/childcare/problems/{found.pk}/return/", {"reason": "", "version": found.version}
    )
    assert response.status_code == 302
    assert Problem.objects.get(pk=found.pk).status == "submitted"  # no reason: nothing changed
    client.post(
        f"/childcare/problems/{found.pk}/return/",
        {"reason": "标识未设置", "deadline": days(7), "version": found.version},
    )
    found.refresh_from_db()
    assert found.status == "open" and found.deadline.isoformat() == days(7)
    assert client.get(f"/childcare/problems/{found.pk}/rectify/").status_code == 200
    client.post(
        f"/childcare/problems/{found.pk}/rectify/",
        {"rectification": "已设置标识", "rectified_on": days(0), "version": found.version},
    )
    found.refresh_from_db()
    assert found.status == "submitted"
    client.post(
        f"/childcare/problems/{found.pk}/close/",
        {"on": days(0), "note": "复查合格", "version": found.version},
    )
    found.refresh_from_db()
    assert found.status == "closed"
    page = client.get(f"/childcare/{own.pk}/").content.decode()
    assert "复查合格" in page and "标识未设置" in page


def test_a_township_cannot_close_what_only_the_county_may(client_for, yongjing, township, county):
    own = institution(township, LIUJIAXIA, name="镇属托育园")
    found = rectified(township, problem(township, inspect(township, own)))
    client = client_for(township)
    assert (
        f"/problems/{found.pk}/close/" not in client.get(f"/childcare/{own.pk}/").content.decode()
    )
    response = client.post(f"/childcare/problems/{found.pk}/close/", {"on": days(0)}, follow=True)
    assert "复查销号须由检查单位或其上级办理" in response.content.decode()
    assert Problem.objects.get(pk=found.pk).status == "submitted"
    client_for(county).post(f"/childcare/problems/{found.pk}/close/", {"on": days(0)})
    assert Problem.objects.get(pk=found.pk).status == "closed"


def test_the_problems_list_shows_overdue_ones_with_a_link_to_the_institution(
    client_for, world, township
):
    own = world["own"]
    late = problem(
        township,
        inspect(township, own, days_ago=40),
        deadline=TODAY() - datetime.timedelta(days=5),
        text="比例不足",
    )
    client = client_for(township)
    page = client.get("/childcare/problems/", {"state": "overdue"})
    body = page.content.decode()
    assert [p.pk for p in page.context["page"].items] == [late.pk]
    assert f"/childcare/{own.pk}/#problem-{late.pk}" in body and "逾期" in body
    default = client.get("/childcare/problems/")
    assert {p.pk for p in default.context["page"].items} == {late.pk, world["own_problem"].pk}
    assert "外镇" not in default.content.decode()
    home = client.get("/").content.decode()
    assert "逾期未整改的托育机构问题" in home


# --- recommendations and the checklist ------------------------------------------------------------


def test_recommend_and_record_the_outcome(client_for, world, county):
    own = world["own"]
    client = client_for(county)
    response = client.post(
        f"/childcare/{own.pk}/recommend/",
        {"year": TODAY().year, "level": "prefecture", "recommended_on": days(0)},
    )
    assert response.status_code == 302
    again = client.post(
        f"/childcare/{own.pk}/recommend/",
        {"year": TODAY().year, "level": "prefecture", "recommended_on": days(0)},
    )
    assert "不能重复推荐" in again.content.decode()
    made = Recommendation.objects.get()
    assert client.get(f"/childcare/recommendations/{made.pk}/outcome/").status_code == 200
    client.post(
        f"/childcare/recommendations/{made.pk}/outcome/",
        {"outcome": "named", "outcome_on": days(0), "version": "1"},
    )
    made.refresh_from_db()
    assert made.outcome == "named"
    assert "已命名" in client.get(f"/childcare/{own.pk}/").content.decode()


def test_the_county_sets_the_checklist_the_township_reads_it(client_for, world, county, township):
    assert client_for(township).get("/childcare/checklist/").status_code == 200
    refused = client_for(township).post(
        "/childcare/checklist/", {"code": "drills", "text": "应急演练", "max_score": "5"}
    )
    assert refused.status_code == 403
    client = client_for(county)
    client.post(
        "/childcare/checklist/",
        {"code": "drills", "text": "应急演练", "max_score": "5", "sort": 90},
    )
    assert ChecklistItem.objects.filter(code="drills", max_score=5).exists()
    care = ChecklistItem.objects.get(code="care")
    client.post(
        "/childcare/checklist/",
        {"item": care.pk, "text": care.text, "max_score": "12", "sort": 60, "version": 1},
    )
    care.refresh_from_db()
    assert care.max_score == 12 and not care.active  # the unchecked box retires it
    bad = client.post(
        "/childcare/checklist/", {"code": "x", "text": "短", "max_score": "5"}, follow=True
    )
    assert "代码应为" in bad.content.decode()
    old = world["own_inspection"].scores.get(code="care")
    assert old.max_score == 10  # the inspection made before keeps its copy
