"""The site pages (阵地): the list with the counts per kind and the Excel export, new and edit, a
site's page with its activities and the families a 暖心家园 serves, the audited phone reveal; and
who is refused (anonymous, finance, another township, a family outside the site's subtree)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fpa.activities import selectors, services
from fpa.activities.models import Site, SiteKind
from fpa.core.models import AuditEvent
from tests.activities_helpers import assoc, held, plan, site
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, all_text, content
from tests.fund_helpers import family_in
from tests.test_excel_engine import fullwidth, read_back

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def warm_home(actor: Any, code: str = LIUJIAXIA, **data: Any) -> Site:
    return site(actor, code, kind="warm_home", name="暖心家园", **data)


def site_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "association": assoc(LIUJIAXIA).pk,
        "kind": SiteKind.objects.get(code="member_home").pk,
        "name": "刘家峡镇会员之家",
        "address": "刘家峡镇黄河路1号",
        "facilities": "活动室\n图书角",
        "opening_hours": "周一至周五 9:00-17:00",
        "contact_name": "王老师",
        "contact_phone": PHONE,
        "status": "open",
        "opened_on": "2024-05-29",
        "closed_on": "",
    }
    data.update(overrides)
    return data


# --- the list ----------------------------------------------------------------------------------


def test_the_list_counts_open_sites_per_kind_for_the_chosen_area(
    client_for: Any, county: Any, township: Any, township2: Any, village: Any
) -> None:
    site(township, LIUJIAXIA)
    site(village, DAZHUANG, name="大庄村会员之家")
    warm_home(township)
    site(township2, YANGUOXIA, name="盐锅峡镇会员之家")
    site(
        township,
        LIUJIAXIA,
        name="筹建中的大院",
        kind="culture_yard",
        status="planned",
        opened_on=None,
    )
    page = client_for(county).get(reverse("activities:sites"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-count="all">4<' in html  # open sites of the county (the planned one is not)
    assert 'data-count="member_home">3<' in html
    assert 'data-count="warm_home">1<' in html
    assert 'data-count="culture_yard">0<' in html
    # each count links to the filtered list
    assert "?code=622923&amp;kind=member_home&amp;status=open" in html
    # the same numbers as the figures' selector
    assert selectors.site_counts(user=county, association=assoc("622923")) == {
        "member_home": 3,
        "warm_home": 1,
    }
    assert selectors.site_count(user=county, association=assoc("622923"), kind="member_home") == 3
    # a township sees its own
    html = client_for(county).get(reverse("activities:sites"), {"code": LIUJIAXIA}).content
    assert b'data-count="all">3<' in html
    filtered = client_for(county).get(
        reverse("activities:sites"), {"code": LIUJIAXIA, "kind": "member_home", "status": "open"}
    )
    rows = filtered.content.decode().count("data-site=")
    assert rows == 2


def test_the_list_filters_searches_sorts_and_pages(client_for: Any, township: Any) -> None:
    for n in range(55):
        site(township, LIUJIAXIA, name=f"阵地{n:02d}", address=f"黄河路{n}号")
    client = client_for(township)
    first = client.get(reverse("activities:sites"), {"sort": "name"})
    html = first.content.decode()
    assert html.count("data-site=") == 50
    assert html.index("阵地00") < html.index("阵地01")
    assert 'rel="next"' in html
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("activities:sites"), {"sort": "name", "after": cursor})
    assert second.content.decode().count("data-site=") == 5
    found = client.get(reverse("activities:sites"), {"q": "黄河路７号"})  # full-width digit
    assert [s.name for s in found.context["page"].items] == ["阵地07"]
    newest = client.get(reverse("activities:sites"), {"sort": "newest"})
    assert newest.context["page"].items[0].name == "阵地54"
    # a forged cursor or an unknown sort gives the first page, an unknown kind is ignored
    forged = client.get(reverse("activities:sites"), {"after": "9" * 30, "sort": "drop table"})
    assert forged.status_code == 200 and len(forged.context["page"].items) == 50
    unknown = client.get(reverse("activities:sites"), {"kind": "no_such_kind"})
    assert "部分筛选条件无效" in unknown.content.decode()


def test_the_list_query_count_does_not_grow_with_rows(
    client_for: Any, township: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(township)
    site(township, LIUJIAXIA)
    client.get(reverse("activities:sites"))  # the area options are cached after the first
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("activities:sites"))
    workbook = {"download": "xlsx"}
    with django_assert_max_num_queries(12) as export:
        content(client.get(reverse("activities:sites"), workbook))
    for n in range(30):
        site(township, LIUJIAXIA, name=f"阵地{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("activities:sites"))
    with django_assert_max_num_queries(len(export.captured_queries)):
        content(client.get(reverse("activities:sites"), workbook))


def test_another_townships_area_shows_nothing(
    client_for: Any, township: Any, township2: Any
) -> None:
    site(township2, YANGUOXIA, name="盐锅峡镇会员之家")
    page = client_for(township).get(reverse("activities:sites"), {"code": YANGUOXIA})
    assert page.status_code == 200
    assert "盐锅峡镇会员之家" not in page.content.decode()
    assert "不在您的管辖范围内" in page.content.decode()
    export = client_for(township).get(
        reverse("activities:sites"), {"code": YANGUOXIA, "download": "xlsx"}
    )
    assert export.status_code == 404


def test_the_export_is_the_filtered_list_with_phones_masked(
    client_for: Any, township: Any, township2: Any
) -> None:
    site(township, LIUJIAXIA, contact_phone=PHONE, contact_name="王老师")
    warm_home(township)
    site(township, LIUJIAXIA, name='=HYPERLINK("x")')
    site(township2, YANGUOXIA, name="盐锅峡镇会员之家")
    page = client_for(township).get(reverse("activities:sites"), {"kind": "member_home"})
    assert "?kind=member_home&amp;download=xlsx" in page.content.decode()
    response = client_for(township).get(
        reverse("activities:sites"), {"kind": "member_home", "download": "xlsx"}
    )
    assert response.status_code == 200
    data = content(response)
    rows = read_back(data, "服务阵地")
    assert rows[0][:4] == ["协会编码", "所属协会", "阵地名称", "阵地类型"]
    # a name that looks like a formula is written as text, never as a formula
    assert sorted(r[2] for r in rows[1:]) == ['\'=HYPERLINK("x")', "会员之家"]
    assert all(r[3] == "会员之家" for r in rows[1:])
    assert PHONE.encode() not in all_text(data)
    assert "139****5678" in [r[9] for r in rows[1:]]
    # formula text is written as text, never as a formula
    assert b"<f>" not in all_text(data)


# --- new and edit ------------------------------------------------------------------------------


def test_a_township_registers_and_edits_a_site(client_for: Any, township: Any) -> None:
    client = client_for(township)
    assert client.get(reverse("activities:site_new")).status_code == 200
    response = client.post(reverse("activities:site_new"), site_form(name="刘家峡镇　会员之家"))
    assert response.status_code == 302
    created = Site.objects.get()
    assert created.name == "刘家峡镇 会员之家"  # the full-width space folded
    assert str(created.contact_phone) == "139****5678"
    assert response["Location"] == reverse("activities:site", args=[created.pk])
    assert AuditEvent.objects.filter(
        object_type="activities.site", object_id=str(created.pk), action="create"
    ).exists()
    page = client.get(reverse("activities:site_edit", args=[created.pk]))
    assert "139****5678" in page.content.decode()  # the help text shows the masked phone only
    assert PHONE not in page.content.decode()
    edited = client.post(
        reverse("activities:site_edit", args=[created.pk]),
        site_form(name="会员之家（新址）", contact_phone="", version=created.version),
    )
    assert edited.status_code == 302
    created.refresh_from_db()
    assert created.name == "会员之家(新址)"  # names are NFKC-folded
    assert created.contact_phone.reveal_unchecked() == PHONE  # empty keeps the stored phone
    client.post(
        reverse("activities:site_edit", args=[created.pk]),
        site_form(contact_phone=fullwidth("-"), version=created.version),  # a full-width dash too
    )
    created.refresh_from_db()
    assert not created.contact_phone


def test_bad_input_gives_a_clear_message_and_changes_nothing(
    client_for: Any, township: Any, township2: Any
) -> None:
    client = client_for(township)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"opened_on": "2024-13-45"}, "日期"),
        (
            {"opened_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "晚于今天",
        ),
        ({"status": "closed", "closed_on": ""}, "关闭日期"),
        ({"contact_phone": "12345"}, "电话号码格式不正确"),
        ({"name": "名" * 101}, "100"),
        ({"association": assoc(YANGUOXIA).pk}, "不在您的管辖范围内"),
        ({"association": "99999999"}, "不在您的管辖范围内"),
        ({"kind": "99999"}, ""),
        ({"name": "会员\u202e之家"}, "U+202E"),
    ]
    for change, message in cases:
        response = client.post(reverse("activities:site_new"), site_form(**change))
        assert response.status_code == 200, change
        assert message in response.content.decode(), change
    assert not Site.objects.exists()
    # a full-width date is read as the date
    response = client.post(
        reverse("activities:site_new"), site_form(opened_on=fullwidth("2024-05-29"))
    )
    assert response.status_code == 302
    assert Site.objects.get().opened_on == datetime.date(2024, 5, 29)


def test_a_stale_edit_is_refused(client_for: Any, township: Any) -> None:
    home = site(township, LIUJIAXIA)
    services.site_update(actor=township, site=home, version=home.version, address="新地址")
    response = client_for(township).post(
        reverse("activities:site_edit", args=[home.pk]),
        site_form(name="旧页面的修改", version=home.version),
    )
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    home.refresh_from_db()
    assert home.name == "会员之家"


# --- a site's page ------------------------------------------------------------------------------


def test_the_site_page_shows_details_activities_and_masked_phone(
    client_for: Any, township: Any, village: Any
) -> None:
    home = site(township, LIUJIAXIA, contact_phone=PHONE, facilities="活动室")
    held(village, DAZHUANG, site=home, title="会员之家里的宣传")
    other = plan(township, LIUJIAXIA, title="别处的活动")
    page = client_for(township).get(reverse("activities:site", args=[home.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "会员之家里的宣传" in html and "别处的活动" not in html
    assert reverse("activities:detail", args=[other.pk]) not in html
    assert "139****5678" in html and PHONE not in html
    assert 'id="families"' not in html  # not a 暖心家园


def test_the_phone_reveal_is_audited_and_needs_the_right(
    client_for: Any, county: Any, township: Any, township2: Any, auditor: Any
) -> None:
    home = site(township, LIUJIAXIA, contact_phone=PHONE)
    url = reverse("activities:site_reveal", args=[home.pk, "contact_phone"])
    refused = client_for(auditor).post(url, {"reason": "联系活动"})
    assert refused.status_code == 403  # the auditor holds no personal.reveal
    assert client_for(township2).post(url, {"reason": "联系活动"}).status_code == 404
    assert client_for(county).post(url, {"reason": ""}).status_code == 400
    assert (
        client_for(county)
        .post(reverse("activities:site_reveal", args=[home.pk, "name"]), {"reason": "联系活动"})
        .status_code
        == 404
    )
    shown = client_for(county).post(url, {"reason": "联系活动"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    assert AuditEvent.objects.filter(action="reveal", object_id=str(home.pk)).count() == 1


def test_a_warm_home_lists_and_chooses_its_families(
    client_for: Any, county: Any, township: Any, village: Any, auditor: Any
) -> None:
    own = family_in(county, DAZHUANG, name="马秀英", n=31)
    near = family_in(county, LIUJIAXIA + "202", name="李桂兰", n=33)
    far = family_in(county, SHANGQUAN, name="外乡家庭", n=35)
    home = warm_home(township)
    client = client_for(township)
    form = client.get(reverse("activities:site_families", args=[home.pk]))
    html = form.content.decode()
    assert "马秀英" in html and "李桂兰" in html and "外乡家庭" not in html
    assert "失独" not in html  # families are named as the families pages name them
    done = client.post(
        reverse("activities:site_families", args=[home.pk]),
        {"families": [str(own.pk), str(near.pk)]},
    )
    assert done.status_code == 302
    assert set(home.families.values_list("pk", flat=True)) == {own.pk, near.pk}
    page = client.get(reverse("activities:site", args=[home.pk])).content.decode()
    assert "马秀英" in page and "data-families-count>2<" in page
    assert reverse("families:detail", args=[own.pk]) in page
    # a family outside the site's subtree (or a forged id) is refused and nothing changes
    for forged in (far.pk, 99999999, "x"):
        refused = client.post(
            reverse("activities:site_families", args=[home.pk]), {"families": [str(forged)]}
        )
        assert refused.status_code == 200
        assert (
            "有效的选项" in refused.content.decode() or "valid choice" in refused.content.decode()
        )
    assert set(home.families.values_list("pk", flat=True)) == {own.pk, near.pk}
    # a village's 暖心家园 offers only the village's families
    village_home = warm_home(village, DAZHUANG)
    html = (
        client_for(village)
        .get(reverse("activities:site_families", args=[village_home.pk]))
        .content.decode()
    )
    assert "马秀英" in html and "李桂兰" not in html
    # the auditor sees the count, not the families
    page = client_for(auditor).get(reverse("activities:site", args=[home.pk])).content.decode()
    assert "马秀英" not in page and "data-families-count>2<" in page
    # the service refuses a family outside the subtree too
    with pytest.raises(services_error()):
        services.site_set_families(actor=county, site=village_home, families=[near])


def services_error() -> type[Exception]:
    from fpa.core.errors import ServiceError

    return ServiceError


def test_only_a_warm_home_has_families(client_for: Any, township: Any) -> None:
    home = site(township, LIUJIAXIA)
    response = client_for(township).get(reverse("activities:site_families", args=[home.pk]))
    assert response.status_code == 404


# --- refusals ------------------------------------------------------------------------------------


def test_refused_cases(
    client: Any, client_for: Any, township: Any, township2: Any, finance: Any, auditor: Any
) -> None:
    home = site(township, LIUJIAXIA)
    urls = [
        reverse("activities:sites"),
        reverse("activities:sites") + "?download=xlsx",
        reverse("activities:site_new"),
        reverse("activities:site", args=[home.pk]),
        reverse("activities:site_edit", args=[home.pk]),
    ]
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"], url
        assert client_for(finance).get(url).status_code == 403, url
    other = client_for(township2)
    for name in ("activities:site", "activities:site_edit", "activities:site_families"):
        assert other.get(reverse(name, args=[home.pk])).status_code == 404, name
    assert (
        other.post(
            reverse("activities:site_edit", args=[home.pk]), site_form(version=home.version)
        ).status_code
        == 404
    )
    # the auditor reads but does not write
    reader = client_for(auditor)
    assert reader.get(reverse("activities:site", args=[home.pk])).status_code == 200
    assert reader.get(reverse("activities:site_new")).status_code == 403
    assert reader.post(reverse("activities:site_new"), site_form()).status_code == 403
    assert Site.objects.count() == 1


def test_a_village_may_not_register_for_its_township(client_for: Any, village: Any) -> None:
    response = client_for(village).post(reverse("activities:site_new"), site_form())
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Site.objects.exists()
    done = client_for(village).post(
        reverse("activities:site_new"), site_form(association=assoc(DAZHUANG).pk)
    )
    assert done.status_code == 302
    assert Site.objects.get().association.code == DAZHUANG
