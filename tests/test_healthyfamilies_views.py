"""健康家庭创建, the staff pages: the nomination form, the list (filters, sort, htmx rows, a
bounded query count), the nomination page's review, award, reopen and consent actions, the
counts per township, the printed award list and the Excel export. Refused: anonymous, another
role, another township (a forged id is a 404), a village deciding, bad input (each changing
nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fpa.core import consent
from fpa.core.models import AuditEvent
from fpa.healthyfamilies import rules, services
from fpa.healthyfamilies.models import Nomination
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, content, follow_job
from tests.test_excel_engine import fullwidth, read_back
from tests.test_healthyfamilies_services import (
    HONGLIU,
    THIS_YEAR,
    awarded,
    nominate,
    recommended,
)

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "association": str(Association.objects.get(code=DAZHUANG).pk),
        "year": str(THIS_YEAR),
        "household_name": "赵六",
        "members_count": "4",
        "address": "大庄村6号",
        "reason": "家庭和睦，坚持定期体检，积极参加健康讲座。",
        "consent_version": "1",
    }
    data.update(overrides)
    return data


def page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def messages_of(client: Client, response: Any) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


# --- refused ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_on_every_staff_page(client: Client, village: Any) -> None:
    n = nominate(village)
    urls = [
        reverse("healthyfamilies:list"),
        reverse("healthyfamilies:new"),
        reverse("healthyfamilies:counts"),
        reverse("healthyfamilies:awards"),
        reverse("healthyfamilies:export"),
        reverse("healthyfamilies:detail", args=[n.pk]),
        reverse("healthyfamilies:edit", args=[n.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for name in ("review", "award", "reopen", "consent"):
        url = reverse(f"healthyfamilies:{name}", args=[n.pk])
        response = client.post(url, {"recommend": "1", "award": "1", "opinion": "同意"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert Nomination.objects.get(pk=n.pk).status == "nominated"


def test_another_role_is_refused(client_for: Any, finance: Any, auditor: Any, village: Any) -> None:
    n = nominate(village)
    as_finance = client_for(finance)  # no activity.view at all
    assert as_finance.get(reverse("healthyfamilies:list")).status_code == 403
    assert as_finance.get(reverse("healthyfamilies:detail", args=[n.pk])).status_code == 403
    as_auditor = client_for(auditor)  # reads, never writes
    assert n.household_name in page(as_auditor, reverse("healthyfamilies:detail", args=[n.pk]))
    assert as_auditor.get(reverse("healthyfamilies:new")).status_code == 403
    assert as_auditor.post(reverse("healthyfamilies:new"), form_data()).status_code == 403
    response = as_auditor.post(
        reverse("healthyfamilies:review", args=[n.pk]), {"recommend": "1", "opinion": "同意"}
    )
    assert response.status_code == 403
    assert Nomination.objects.count() == 1


def test_another_townships_nomination_is_a_404(
    client_for: Any, village: Any, township2: Any
) -> None:
    n = nominate(village)
    client = client_for(township2)
    for name in ("detail", "edit"):
        assert client.get(reverse(f"healthyfamilies:{name}", args=[n.pk])).status_code == 404
    for name in ("review", "reopen", "consent"):
        response = client.post(
            reverse(f"healthyfamilies:{name}", args=[n.pk]),
            {"recommend": "1", "opinion": "同意", "reason": "原因", "publish": "1"},
        )
        assert response.status_code == 404
    assert n.household_name not in page(client, reverse("healthyfamilies:list"), year="")
    assert Nomination.objects.get(pk=n.pk).status == "nominated"


def test_a_forged_id_is_a_404(client_for: Any, township: Any) -> None:
    client = client_for(township)
    for pk in ("999999", "99999999999999999999"):
        assert client.get(f"/healthy-families/{pk}/").status_code == 404


# --- nominating ---------------------------------------------------------------------------------


def test_the_village_nominates_through_the_form_with_the_familys_consent(
    client_for: Any, village: Any
) -> None:
    client = client_for(village)
    form = page(client, reverse("healthyfamilies:new"))
    text = consent.current(rules.CONSENT_PURPOSE)
    assert text.body[:20] in form and 'name="consent_version"' in form
    assert "大庄村" in form and "红柳村" not in form  # the picker offers the user's village only
    response = client.post(reverse("healthyfamilies:new"), {**form_data(), "publish_name": "on"})
    n = Nomination.objects.get()
    assert response["Location"] == reverse("healthyfamilies:detail", args=[n.pk])
    assert n.consent == text and n.members_count == 4 and n.nominated_by == village
    body = messages_of(client, response)
    assert "已提名：赵六" in body and "同意书第1版" in body


def test_without_the_tick_the_name_is_not_published(client_for: Any, village: Any) -> None:
    client_for(village).post(reverse("healthyfamilies:new"), form_data())
    assert Nomination.objects.get().consent is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": "很好"}, "10"),
        ({"year": str(THIS_YEAR - 3)}, "选择一个有效的选项"),
        ({"year": "abc"}, "选择一个有效的选项"),
        ({"members_count": "0"}, "1"),
        ({"members_count": "1e9"}, "整数"),
        ({"household_name": "x" * 51}, "50"),
        ({"address": ""}, "这个字段是必填项"),
        ({"reason": "好" * 1001}, "1000"),
    ],
)
def test_bad_input_is_shown_in_chinese_and_changes_nothing(
    client_for: Any, village: Any, overrides: dict[str, str], message: str
) -> None:
    response = client_for(village).post(reverse("healthyfamilies:new"), form_data(**overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Nomination.objects.exists()


def test_a_forged_village_from_another_township_is_refused(client_for: Any, village: Any) -> None:
    for code in (SHANGQUAN, HONGLIU, LIUJIAXIA):
        forged = str(Association.objects.get(code=code).pk)
        response = client_for(village).post(
            reverse("healthyfamilies:new"), form_data(association=forged)
        )
        assert "所选协会不存在或不在您的管辖范围内" in response.content.decode()
    assert not Nomination.objects.exists()


def test_full_width_digits_and_letters_are_accepted(client_for: Any, village: Any) -> None:
    client_for(village).post(
        reverse("healthyfamilies:new"),
        form_data(
            members_count=fullwidth("5"),
            household_name=fullwidth("LI") + "\u3000" + fullwidth("Ming"),
        ),
    )
    n = Nomination.objects.get()
    assert (n.members_count, n.household_name) == (5, "LI Ming")


def test_an_outdated_consent_on_the_form_is_refused(client_for: Any, village: Any) -> None:
    consent.publish(
        actor=None, purpose=rules.CONSENT_PURPOSE, body="第二版同意书：可随时撤回同意。"
    )
    client = client_for(village)
    response = client.post(
        reverse("healthyfamilies:new"), {**form_data(consent_version="1"), "publish_name": "on"}
    )
    html = response.content.decode()
    assert "同意书已更新" in html and not Nomination.objects.exists()
    # the page now offers the current text, unticked; agreeing to it is accepted
    assert "第二版同意书" in html and 'name="consent_version" value="2"' in html
    assert 'id="id_publish_name" class="form-check-input" checked' not in html
    client.post(
        reverse("healthyfamilies:new"), {**form_data(consent_version="2"), "publish_name": "on"}
    )
    agreed = Nomination.objects.get().consent
    assert agreed is not None and agreed.version == 2


def test_the_village_corrects_its_nomination_and_a_stale_form_is_refused(
    client_for: Any, village: Any
) -> None:
    n = nominate(village)
    client = client_for(village)
    edit = reverse("healthyfamilies:edit", args=[n.pk])
    data = form_data(version="1", members_count="6")
    data.pop("association")
    assert client.post(edit, data).status_code == 302
    assert Nomination.objects.get(pk=n.pk).members_count == 6
    response = client.post(edit, {**data, "members_count": "3"})  # version 1 again: stale
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert Nomination.objects.get(pk=n.pk).members_count == 6


# --- deciding on the nomination's page ----------------------------------------------------------


def test_review_and_award_through_the_page(
    client_for: Any, village: Any, township: Any, county: Any
) -> None:
    n = nominate(village)
    detail = reverse("healthyfamilies:detail", args=[n.pk])
    assert 'id="review"' not in page(client_for(village), detail)  # the village cannot decide
    as_township = client_for(township)
    html = page(as_township, detail)
    assert 'id="review"' in html and 'id="award"' not in html
    response = as_township.post(
        reverse("healthyfamilies:review", args=[n.pk]),
        {"recommend": "1", "opinion": "事迹突出", "expected_version": "1"},
    )
    assert "已录入乡镇审核意见" in messages_of(as_township, response)
    assert 'id="award"' not in page(as_township, detail)  # a township does not award
    as_county = client_for(county)
    assert 'id="award"' in page(as_county, detail)
    response = as_county.post(
        reverse("healthyfamilies:award", args=[n.pk]),
        {"award": "1", "document": "永计协〔2026〕5号", "expected_version": "2"},  # noqa: RUF001
    )
    body = messages_of(as_county, response)
    assert "县级已命名" in body and "永计协〔2026〕5号" in body  # noqa: RUF001


def test_refusals_on_the_page_are_messages_and_change_nothing(
    client_for: Any, village: Any, township: Any
) -> None:
    n = recommended(village, township)
    as_township = client_for(township)
    response = as_township.post(reverse("healthyfamilies:award", args=[n.pk]), {"award": "1"})
    assert "命名须由县级或以上计生协决定" in messages_of(as_township, response)
    response = as_township.post(
        reverse("healthyfamilies:review", args=[n.pk]), {"recommend": "0", "opinion": "反悔"}
    )
    assert "只能审核" in messages_of(as_township, response)
    response = as_township.post(reverse("healthyfamilies:review", args=[n.pk]), {"opinion": "x"})
    assert "乡镇审核：这个字段是必填项" in messages_of(as_township, response)
    as_village = client_for(village)
    response = as_village.post(reverse("healthyfamilies:award", args=[n.pk]), {"award": "1"})
    assert response.status_code == 403  # no activity.approve
    assert Nomination.objects.get(pk=n.pk).status == "recommended"


def test_a_stale_decision_on_the_page_is_refused(
    client_for: Any, village: Any, township: Any, county: Any
) -> None:
    n = recommended(village, township)
    services.nomination_set_consent(
        actor=village, nomination=n, publish=True, consent_version=1, note="已签"
    )
    client = client_for(county)
    response = client.post(
        reverse("healthyfamilies:award", args=[n.pk]),
        {"award": "1", "expected_version": "2"},
    )
    assert "已被他人修改" in messages_of(client, response)
    assert Nomination.objects.get(pk=n.pk).status == "recommended"


def test_the_township_reopens_a_declined_nomination_on_its_page(
    client_for: Any, village: Any, township: Any
) -> None:
    n = services.nomination_review(
        actor=township, nomination=nominate(village), recommend=False, opinion="材料不全"
    )
    detail = reverse("healthyfamilies:detail", args=[n.pk])
    assert 'id="reopen"' not in page(client_for(village), detail)
    client = client_for(township)
    assert 'id="reopen"' in page(client, detail)
    response = client.post(reverse("healthyfamilies:reopen", args=[n.pk]), {"reason": ""})
    assert "重新打开的原因：这个字段是必填项" in messages_of(client, response)
    response = client.post(
        reverse("healthyfamilies:reopen", args=[n.pk]),
        {"reason": "已补充材料", "expected_version": "2"},
    )
    body = messages_of(client, response)
    assert "已重新打开提名" in body and "重新打开：已补充材料" in body
    assert Nomination.objects.get(pk=n.pk).status == "nominated"


def test_consent_is_withdrawn_and_given_on_the_page(client_for: Any, village: Any) -> None:
    n = nominate(village, publish_name=True, consent_version=1)
    client = client_for(village)
    url = reverse("healthyfamilies:consent", args=[n.pk])
    response = client.post(url, {"publish": "0", "note": "户主要求不公开"})
    assert "已更新公开户名的同意情况" in messages_of(client, response)
    assert Nomination.objects.get(pk=n.pk).consent is None
    response = client.post(url, {"publish": "1", "consent_version": "1"})
    assert Nomination.objects.get(pk=n.pk).consent_id is not None
    audit = AuditEvent.objects.filter(object_type="healthyfamilies.nomination", action="update")
    assert audit.count() == 2


# --- the list -----------------------------------------------------------------------------------


def test_the_list_filters_by_year_status_area_and_sorts(
    client_for: Any, village: Any, township: Any
) -> None:
    first = nominate(township, HONGLIU, household_name="甲户")
    second = nominate(village, household_name="乙户")
    old = nominate(village, household_name="丙户", year=THIS_YEAR - 1)
    recommended(village, township, household_name="丁户")
    client = client_for(township)
    url = reverse("healthyfamilies:list")
    html = page(client, url)  # this year by default
    assert "甲户" in html and "乙户" in html and "丙户" not in html
    assert "丙户" in page(client, url, year=str(THIS_YEAR - 1))
    assert "丙户" in page(client, url, year="")  # all years
    html = page(client, url, status="recommended")
    assert "丁户" in html and "乙户" not in html
    html = page(client, url, code=HONGLIU)
    assert "甲户" in html and "乙户" not in html
    html = page(client, url, code=SHANGQUAN)  # another township's village: nothing, a message
    assert "不在您的管辖范围内" in html and "甲户" not in html
    html = page(client, url, q="乙")
    assert "乙户" in html and "甲户" not in html
    newest = page(client, url, sort="newest")
    assert newest.index("丁户") < newest.index("乙户") < newest.index("甲户")
    by_village = page(client, url, sort="village")  # 大庄村 (…201) before 红柳村 (…202)
    assert by_village.index("乙户") < by_village.index("丁户") < by_village.index("甲户")
    assert first.pk and second.pk and old.pk
    rows = client.get(url, {"status": "nominated"}, headers={"HX-Request": "true"})
    assert "<h1" not in rows.content.decode() and "乙户" in rows.content.decode()


def test_bad_filters_fall_back_to_this_year(client_for: Any, village: Any) -> None:
    nominate(village, household_name="乙户")
    client = client_for(village)
    for params in ({"year": "abc"}, {"status": "bogus"}, {"sort": "x"}, {"after": "abc"}):
        assert "乙户" in page(client, reverse("healthyfamilies:list"), **params)


def test_list_pages_follow_the_keyset(client_for: Any, village: Any) -> None:
    for _ in range(55):
        nominate(village)
    client = client_for(village)
    first = page(client, reverse("healthyfamilies:list"), sort="village")
    assert first.count("/healthy-families/") >= 50 and 'rel="next"' in first


def test_list_query_count_does_not_grow(
    client_for: Any, village: Any, township: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(township)
    for _ in range(3):
        nominate(village)
    client.get(reverse("healthyfamilies:list"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("healthyfamilies:list"))
    for _ in range(27):
        nominate(township, HONGLIU)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("healthyfamilies:list"))
    assert response.content.decode().count("/healthy-families/") >= 30


# --- counts, the printed list, Excel -----------------------------------------------------------


def test_counts_per_township_on_the_county_page(
    client_for: Any,
    village: Any,
    township: Any,
    township2: Any,
    county: Any,
    django_assert_max_num_queries: Any,
) -> None:
    awarded(village, township, county)
    nominate(village)
    nominate(township2, SHANGQUAN)
    client = client_for(county)
    url = reverse("healthyfamilies:counts")
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        html = page(client, url)
    table = html.split('id="township-counts"', 1)[1]
    assert "刘家峡镇" in table and "盐锅峡镇" in table
    for _ in range(10):
        nominate(township2, SHANGQUAN)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    own = page(client_for(township), url).split('id="township-counts"', 1)[1]
    assert "刘家峡镇" in own and "盐锅峡镇" not in own
    foreign = page(client_for(township), url, code=YANGUOXIA)
    assert "不在您的管辖范围内" in foreign


def test_the_printed_award_list_marks_families_without_consent(
    client_for: Any, village: Any, township: Any, county: Any
) -> None:
    awarded(
        village, township, county, household_name="公开户", publish_name=True, consent_version=1
    )
    awarded(village, township, county, household_name="保密户")
    recommended(village, township, household_name="未命名户")
    html = page(client_for(county), reverse("healthyfamilies:awards"), year=str(THIS_YEAR))
    table = html.split('id="award-list"', 1)[1].split("</table>", 1)[0]
    assert "公开户" in table and "保密户" in table and "未命名户" not in table
    assert table.count("未同意公开") == 1 and "永计协1号" in table
    assert "fpa-signatures" in html and "data-fpa-print" in html


def test_the_export_is_a_workbook_of_the_filtered_list(
    client_for: Any, village: Any, township: Any, county: Any
) -> None:
    awarded(
        village, township, county, household_name="公开户", publish_name=True, consent_version=1
    )
    nominate(village, household_name="提名户")
    nominate(village, household_name="去年户", year=THIS_YEAR - 1)
    client = client_for(township)
    response = client.get(reverse("healthyfamilies:export"), {"year": str(THIS_YEAR)})
    # read back with an independent reader (calamine, as the imports read)
    rows = read_back(content(follow_job(client, response)), "健康家庭提名")
    assert rows[0][:5] == ["年度", "乡镇", "村（社区）编码", "村（社区）", "户名（户主姓名）"]
    by_name = {row[4]: row for row in rows[1:]}
    assert set(by_name) == {"公开户", "提名户"}
    assert by_name["公开户"][8] == "是" and by_name["提名户"][8] == "否"
    assert by_name["公开户"][10] == "县级已命名" and by_name["公开户"][16] == "永计协1号"
    assert by_name["提名户"][2] == DAZHUANG and int(by_name["提名户"][0]) == THIS_YEAR
    response = client.get(reverse("healthyfamilies:export"), {"year": "", "status": "awarded"})
    rows = read_back(content(follow_job(client, response)), "健康家庭提名")
    assert [row[4] for row in rows[1:]] == ["公开户"]


def test_the_export_refuses_a_foreign_area(client_for: Any, village: Any, township: Any) -> None:
    client = client_for(township)
    response = client.get(reverse("healthyfamilies:export"), {"code": SHANGQUAN})
    assert response["Location"] == reverse("healthyfamilies:list")
    assert "不在您的管辖范围内" in client.get(response["Location"]).content.decode()


def test_the_menu_offers_the_module_to_whom_may_see_it(
    client_for: Any, township: Any, finance: Any
) -> None:
    assert 'href="/healthy-families/">健康家庭<' in page(client_for(township), "/")
    assert "健康家庭" not in page(client_for(finance), "/")


def test_the_nomination_page_shows_its_history(
    client_for: Any, village: Any, township: Any
) -> None:
    n = services.nomination_review(
        actor=township, nomination=nominate(village), recommend=False, opinion="材料不全"
    )
    html = page(client_for(village), reverse("healthyfamilies:detail", args=[n.pk]))
    steps = html.split('id="steps"', 1)[1]
    assert "已提名" in steps and "乡镇未推荐" in steps and "材料不全" in steps
    assert timezone.localdate().isoformat() in steps
