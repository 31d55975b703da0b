"""The care fund's pages: staff pages refused outside role and scope, the workflow through the
web, bad input, the public pages (and that no beneficiary can be identified from any of them),
supervision forms, reports and query bounds."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import python_calamine
import time_machine
from django.core.cache import cache
from django.urls import reverse

from fpa.fund import services
from fpa.fund.models import Donation, Feedback, Grant, JournalEntry
from tests.conftest import DAZHUANG, SHANGQUAN, content, follow_job
from tests.fund_helpers import (
    BENEFICIARY,
    BENEFICIARY_ID,
    BENEFICIARY_PHONE,
    TODAY,
    acct,
    approved_grant,
    county_fund,
    family_in,
    give,
    grant_for,
    paid_grant,
)

ID_PATTERN = re.compile(r"\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx]")
PHONE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|1[3-9]\d\*{4}\d{4}")
DONOR_PHONE = "13700001111"
COMMENTER_PHONE = "13600002222"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()


@pytest.fixture
def fund(county):
    return county_fund(county)


def code(fund):
    return fund.association.code


# --- refused cases -----------------------------------------------------------------------------


STAFF_PAGES = [
    "fund:home",
    "fund:donations",
    "fund:entries",
    "fund:grants",
    "fund:feedback",
    "fund:report",
]


def test_anonymous_is_sent_to_sign_in_on_staff_pages(client, fund):
    for name in [*STAFF_PAGES, "fund:donation_new", "fund:grant_new", "fund:rules_edit"]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/")


def test_a_role_without_the_capability_is_refused(fund, volunteer, township, client_for):
    for name in STAFF_PAGES:
        assert client_for(volunteer).get(reverse(name)).status_code == 403, name
    township_client = client_for(township)
    for name in ("fund:donation_new", "fund:income_new", "fund:rules_edit"):
        assert township_client.get(reverse(name)).status_code == 403, name


def test_other_township_cannot_open_or_act_on_a_grant(
    fund, finance, village, township, township2, client_for
):
    give(finance, fund)
    grant = grant_for(village, family_in(township, DAZHUANG))
    other = client_for(township2)
    assert other.get(reverse("fund:grant_detail", args=[grant.pk])).status_code == 404
    response = other.post(
        reverse("fund:grant_review", args=[grant.pk]), {"decision": "approve", "version": "1"}
    )
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.status == Grant.Status.SUBMITTED
    assert BENEFICIARY not in other.get(reverse("fund:grants")).content.decode()


def test_township_staff_cannot_pay(fund, finance, village, township, county, client_for):
    give(finance, fund)
    grant = grant_for(village, family_in(township, DAZHUANG))
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    grant = services.grant_approve(actor=county, grant=grant, approve=True)
    response = client_for(township).post(
        reverse("fund:grant_pay", args=[grant.pk]),
        {"source_account": acct("1002").pk, "paid_on": TODAY.isoformat(), "version": grant.version},
        follow=True,
    )
    assert "您的角色无权进行此操作" in response.content.decode()
    assert not JournalEntry.objects.filter(kind="grant").exists()


# --- raising through the web -------------------------------------------------------------------


def donation_form(**overrides):
    data = {
        "donor_name": "张三",
        "donor_kind": "individual",
        "form": "cash",
        "channel": "bank",
        "amount": "1200.50",
        "received_on": TODAY.isoformat(),
        "donor_phone": DONOR_PHONE,
    }
    data.update(overrides)
    return data


def test_finance_records_a_donation_and_gets_its_receipt(fund, finance, client_for):
    client = client_for(finance)
    response = client.post(reverse("fund:donation_new"), donation_form(), follow=True)
    donation = Donation.objects.get()
    assert response.redirect_chain[-1][0] == reverse("fund:receipt", args=[donation.pk])
    page = response.content.decode()
    assert donation.receipt_number in page
    assert "壹仟贰佰元伍角整" in page
    assert reverse("fund:public_receipt", args=[code(fund), donation.receipt_number]) in page
    assert f">{donation.entry.leaf_index}<" in page
    assert donation.donor_phone.reveal_unchecked() == DONOR_PHONE


@pytest.mark.parametrize(
    "raw",
    ["1e6", "NaN", "Infinity", "-0", "1.234", "\uff11\uff12\uff13", "", "9" * 25, "12abc"],
)
def test_bad_amounts_in_the_form_get_a_chinese_message_and_change_nothing(
    fund, finance, client_for, raw
):
    response = client_for(finance).post(reverse("fund:donation_new"), donation_form(amount=raw))
    assert response.status_code == 200
    errors = response.context["form"].errors["amount"]
    assert errors and re.search(r"[\u4e00-\u9fff]", errors[0])
    assert not Donation.objects.exists()
    assert not JournalEntry.objects.exists()


def test_a_bad_phone_gets_a_message_and_changes_nothing(fund, finance, client_for):
    response = client_for(finance).post(
        reverse("fund:donation_new"), donation_form(donor_phone="12345")
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Donation.objects.exists()


# --- using through the web ---------------------------------------------------------------------


def test_the_workflow_through_the_pages(fund, finance, village, township, county, client_for):
    give(finance, fund)
    family = family_in(township, DAZHUANG)
    response = client_for(village).post(
        reverse("fund:grant_new"),
        {
            "target": "family",
            "family": family.pk,
            "category": acct("5101").pk,
            "amount": "600",
            "purpose": "住院慰问",
        },
    )
    grant = Grant.objects.get()
    assert response.status_code == 302
    for user, name in ((township, "fund:grant_review"), (county, "fund:grant_approve")):
        client_for(user).post(
            reverse(name, args=[grant.pk]), {"decision": "approve", "version": grant.version}
        )
        grant.refresh_from_db()
    assert grant.status == Grant.Status.NOTICE  # notice first: paid after the notice period
    after_notice = grant.notice_until + datetime.timedelta(days=1)
    pay = {
        "source_account": acct("1002").pk,
        "paid_on": after_notice.isoformat(),
        "version": grant.version,
    }
    with time_machine.travel(after_notice):
        payer = client_for(finance)  # signed in on that day (sessions expire when idle)
        payer.post(reverse("fund:grant_pay", args=[grant.pk]), pay)
        second = payer.post(reverse("fund:grant_pay", args=[grant.pk]), pay, follow=True)
    assert "不能重复办理" in second.content.decode() or "已被他人修改" in second.content.decode()
    grant.refresh_from_db()
    assert grant.status == Grant.Status.PAID
    assert JournalEntry.objects.filter(kind="grant").count() == 1


def test_reversal_through_the_journal_page(fund, finance, client_for):
    entry = give(finance, fund).entry
    client = client_for(finance)
    client.post(reverse("fund:entry_reverse", args=[entry.pk]), {"reason": "录错"})
    client.post(reverse("fund:entry_reverse", args=[entry.pk]), {"reason": "再冲一次"})
    assert JournalEntry.objects.filter(reverses=entry).count() == 1


# --- public pages and privacy -------------------------------------------------------------------


@pytest.fixture
def disclosed(fund, finance, village, township, township2, county):
    """Donations (one anonymous), a grant in its notice before payment with an objection, a
    paid one, one not yet public, feedback and rules."""
    give(
        finance,
        fund,
        "5000",
        donor_name="李四",
        donor_kind="individual",
        publish_name=False,
        donor_phone=DONOR_PHONE,
    )
    give(finance, fund, "8000", donor_name="兰州爱心商贸有限公司", publish_name=True)
    family = family_in(township, DAZHUANG)
    grant = approved_grant(village, township, county, family)
    paid_grant(village, township, county, finance, family)
    other_family = family_in(township2, SHANGQUAN, name="受助父亲乙", n=30)
    grant_for(township2, other_family, amount="300", code="5103")  # not yet public
    services.feedback_submit(
        fund=fund, grant=grant, kind="objection", text="请核实", contact_phone=COMMENTER_PHONE
    )
    services.feedback_submit(
        fund=fund, kind="comment", text="公开透明，点赞", rating=5, contact_phone=COMMENTER_PHONE
    )
    services.rules_publish(
        actor=county, fund=fund, title="永靖县生育关怀基金管理办法", body="第一条 为规范……"
    )
    return {"grant": grant, "family": family}


def public_urls(fund, grant, donation):
    c = code(fund)
    return [
        reverse("fund:public_home", args=[c]),
        reverse("fund:public_data", args=[c]),
        reverse("fund:public_donations", args=[c]),
        reverse("fund:public_receipt", args=[c, donation.receipt_number]),
        reverse("fund:public_grants", args=[c]),
        reverse("fund:public_grant", args=[c, grant.number]),
        reverse("fund:public_notices", args=[c]),
        reverse("fund:public_feedback", args=[c]),
        reverse("fund:public_rules", args=[c]),
        reverse("fund:public_report", args=[c]),
    ]


def test_every_public_page_works_without_sign_in_and_identifies_nobody(client, fund, disclosed):
    grant = disclosed["grant"]
    urls = public_urls(fund, grant, Donation.objects.first())
    assert client.get(reverse("fund:public_root")).status_code == 302
    forbidden = [
        BENEFICIARY,
        "受助父亲乙",
        BENEFICIARY_ID,
        BENEFICIARY_ID[-4:],
        BENEFICIARY_PHONE,
        BENEFICIARY_PHONE[-4:],
        DONOR_PHONE[-4:],
        COMMENTER_PHONE[-4:],
        "大庄",  # the village
        "住院",  # the application's reason
        "家中困难",  # the family's notes
        "李四",  # a donor who did not consent
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for marker in forbidden:
            assert marker not in body, (url, marker)
        assert not ID_PATTERN.search(body), url
        assert not PHONE_PATTERN.search(body), url
    donations = client.get(urls[2]).content.decode()
    assert "爱心人士" in donations and "兰州爱心商贸有限公司" in donations
    grants = client.get(urls[4]).content.decode()
    assert grant.number in grants and "刘家峡镇" in grants and "慰问救助" in grants


def test_public_receipt_lookup_shows_the_entry_and_its_leaf(client, fund, finance):
    donation = give(finance, fund, "88.00")
    response = client.get(
        reverse("fund:public_donations", args=[code(fund)]),
        {"receipt": donation.receipt_number},
        follow=True,
    )
    body = response.content.decode()
    assert "该票据已入账" in body
    assert str(donation.entry.leaf_index) in body
    assert (
        client.get(reverse("fund:public_receipt", args=[code(fund), "YJ-0000-999999"])).status_code
        == 404
    )


def test_public_overview_shows_balances_and_month_totals(client, fund, finance):
    give(finance, fund, "1000.00")
    give(finance, fund, "250.00", channel="cash", donor_kind="individual")
    data = client.get(reverse("fund:public_data", args=[code(fund)])).json()
    assert data["total"] == "1250.00"
    this_month = TODAY.strftime("%Y-%m")
    assert data["months"][-1] == this_month
    enterprise = next(s for s in data["income"] if s["name"] == "企业捐赠")
    assert enterprise["data"][-1] == 1000.0


def test_unknown_fund_code_is_404(client, fund):
    assert client.get(reverse("fund:public_home", args=["999999"])).status_code == 404


# --- supervision -------------------------------------------------------------------------------


def test_a_comment_is_published_without_its_contact_and_with_digits_masked(client, fund, county):
    url = reverse("fund:public_feedback", args=[code(fund)])
    response = client.post(
        url,
        {"c-rating": "4", "c-text": "电话18912345678请回访", "c-contact_phone": COMMENTER_PHONE},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.contact_phone.reveal_unchecked() == COMMENTER_PHONE
    assert feedback.text == "电话189****5678请回访"  # masked before it is stored
    services.feedback_publish(actor=county, feedback=feedback)
    body = client.get(url).content.decode()
    assert "请回访" in body and "18912345678" not in body and COMMENTER_PHONE[-4:] not in body


def test_the_honeypot_stores_nothing(client, fund):
    url = reverse("fund:public_feedback", args=[code(fund)])
    response = client.post(url, {"c-rating": "5", "c-text": "广告", "c-website": "http://spam"})
    assert response.status_code == 302
    assert not Feedback.objects.exists()


def test_feedback_is_rate_limited_per_address(client, fund, settings):
    settings.FPA_FUND_FEEDBACK_LIMIT = 3
    url = reverse("fund:public_feedback", args=[code(fund)])
    statuses = [
        client.post(url, {"c-rating": "5", "c-text": f"第{i}条"}).status_code for i in range(5)
    ]
    assert statuses == [302, 302, 302, 200, 200]
    assert Feedback.objects.count() == 3


def test_bad_feedback_gets_a_message(client, fund):
    url = reverse("fund:public_feedback", args=[code(fund)])
    response = client.post(url, {"c-rating": "9", "c-text": ""})
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_an_objection_during_the_notice_and_not_after(
    client, fund, finance, village, township, county
):
    give(finance, fund)
    grant = approved_grant(village, township, county, family_in(township, DAZHUANG))
    url = reverse("fund:public_grant", args=[code(fund), grant.number])
    assert "提出异议" in client.get(url).content.decode()
    assert client.post(url, {"kind": "objection", "o-text": "有异议"}).status_code == 302
    assert Feedback.objects.get().kind == Feedback.Kind.OBJECTION
    with time_machine.travel(TODAY + datetime.timedelta(days=30)):
        page = client.get(url).content.decode()
        assert "提出异议" not in page
        client.post(url, {"kind": "objection", "o-text": "过期异议"})
        assert Feedback.objects.filter(kind="objection").count() == 1


def test_overdue_replies_show_on_the_county_page_and_replies_beside_the_item(
    client, fund, county, client_for
):
    item = services.feedback_submit(fund=fund, kind="comment", text="何时公开年报？", rating=3)
    services.feedback_publish(actor=county, feedback=item)
    home = reverse("fund:public_home", args=[code(fund)])
    with time_machine.travel(TODAY + datetime.timedelta(days=10)):
        assert "逾期未答复" in client.get(home).content.decode()
        staff = client_for(county)
        assert "已逾期" in staff.get(reverse("fund:feedback")).content.decode()
        staff.post(reverse("fund:feedback_reply", args=[item.pk]), {"reply": "已于本月公开。"})
        assert "逾期未答复" not in client.get(home).content.decode()
    page = client.get(reverse("fund:public_feedback", args=[code(fund)])).content.decode()
    assert "已于本月公开。" in page


def test_rules_are_edited_by_the_county_and_versioned(client, fund, county, township, client_for):
    staff = client_for(county)
    staff.post(reverse("fund:rules_edit"), {"title": "管理办法", "body": "第一版正文"})
    staff.post(reverse("fund:rules_edit"), {"title": "管理办法", "body": "第二版正文"})
    page = client.get(reverse("fund:public_rules", args=[code(fund)])).content.decode()
    assert "第二版正文" in page and "第 2 版" in page
    old = client.get(reverse("fund:public_rules", args=[code(fund)]), {"v": "1"}).content.decode()
    assert "第一版正文" in old
    assert (
        client_for(township)
        .post(reverse("fund:rules_edit"), {"title": "x", "body": "y"})
        .status_code
        == 403
    )


# --- reports -----------------------------------------------------------------------------------


def test_the_statement_as_a_real_workbook(fund, finance, village, township, county, client_for):
    give(finance, fund, "1000")
    paid_grant(village, township, county, finance, family_in(township, DAZHUANG))
    client = client_for(finance)
    response = follow_job(
        client, client.get(reverse("fund:report"), {"download": "xlsx", "year": TODAY.year})
    )
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content(response)))
    table = book.get_sheet_by_name("基金收支表").to_python()
    assert table[0] == ["项目", "科目代码", "科目名称", "金额（元）"]
    rows = {(r[0], r[2]): r[3] for r in table[1:]}
    assert rows[("收入", "企业捐赠")] == 1000
    assert rows[("支出", "慰问救助")] == 800
    assert rows[("收支结余", "")] == 200
    assert rows[("期末资产", "")] == 200


def test_monthly_statement_page(client, fund, finance):
    give(finance, fund, "321.00")
    page = client.get(
        reverse("fund:public_report", args=[code(fund)]), {"year": TODAY.year, "month": TODAY.month}
    ).content.decode()
    assert "321.00" in page
    bad = client.get(
        reverse("fund:public_report", args=[code(fund)]), {"year": "\uff11e9", "month": "13"}
    )
    assert bad.status_code == 200


# --- query bounds ------------------------------------------------------------------------------


def fill(fund, finance, n):
    for i in range(n):
        give(finance, fund, "10", donor_name=f"捐赠人{i}", publish_name=bool(i % 2))


@pytest.mark.parametrize(
    "name",
    ["fund:public_donations", "fund:public_home", "fund:public_grants", "fund:public_notices"],
)
def test_public_pages_do_not_grow_queries_with_rows(
    client, fund, finance, django_assert_max_num_queries, name
):
    url = reverse(name, args=[code(fund)])
    fill(fund, finance, 3)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    fill(fund, finance, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("name", ["fund:donations", "fund:entries", "fund:grants", "fund:home"])
def test_staff_lists_do_not_grow_queries_with_rows(
    fund, finance, client_for, django_assert_max_num_queries, name
):
    client = client_for(finance)
    fill(fund, finance, 3)
    client.get(reverse(name))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse(name))
    fill(fund, finance, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(name))


def test_the_nav_has_the_fund_for_staff(fund, county, client_for):
    assert reverse("fund:home") in client_for(county).get(reverse("fund:home")).content.decode()


def test_county_without_a_fund_can_create_one(yongjing, county, client_for):
    client = client_for(county)
    assert "设立基金" in client.get(reverse("fund:home")).content.decode()
    client.post(reverse("fund:create"), {"name": "永靖县生育关怀基金", "notice_days": "7"})
    assert client.get(reverse("fund:public_root")).status_code == 302


def test_township_sees_its_own_grants_only(fund, village, township, township2, client_for):
    grant_for(village, family_in(township, DAZHUANG))
    grant_for(township2, family_in(township2, SHANGQUAN, name="外镇", n=32))
    body = client_for(township).get(reverse("fund:grants")).content.decode()
    assert "大庄村" in body
    assert body.count("YJZ-") == 1


def test_staff_can_take_a_comment_off_the_public_page(client, fund, county, township2, client_for):
    item = services.feedback_submit(fund=fund, kind="comment", text="某某家其实不困难", rating=1)
    services.feedback_publish(actor=county, feedback=item)
    url = reverse("fund:public_feedback", args=[code(fund)])
    review = reverse("fund:feedback_review", args=[item.pk])
    assert "某某家" in client.get(url).content.decode()
    refused = client_for(township2).post(review, {"action": "take_down", "reason": "x"})
    assert refused.status_code == 404
    client_for(county).post(review, {"action": "take_down", "reason": ""})
    assert "某某家" in client.get(url).content.decode()  # a reason is required
    client_for(county).post(review, {"action": "take_down", "reason": "含他人信息"})
    assert "某某家" not in client.get(url).content.decode()
    item.refresh_from_db()
    assert item.status == "taken_down" and item.overdue(TODAY + datetime.timedelta(days=30))


def test_a_reversed_grant_payment_says_so_in_public(
    client, fund, finance, village, township, county
):
    give(finance, fund)
    grant = paid_grant(village, township, county, finance, family_in(township, DAZHUANG))
    services.entry_reverse(actor=finance, entry=grant.entry, reason="重复支付")
    page = client.get(reverse("fund:public_grant", args=[code(fund), grant.number]))
    assert "该笔支付已冲销" in page.content.decode()
