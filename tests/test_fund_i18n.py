"""The care fund and the ledger pages in English (the second UI language): every staff and public
page renders with the key English strings and no Chinese left once the data is taken out (names,
account names of the chart of accounts, the fund's name and rules, donor names, feedback text, the
amount in Chinese capitals on the receipt). Chinese stays the default, the public pages keep their
privacy guarantees in English, a grant of another township is a 404 in English, and the files
(statement workbook, its name) stay Chinese."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fpa.core.masking import mask_name
from fpa.fund import services
from fpa.fund.models import Account, Donation, Feedback, Fund, Grant, JournalEntry, RulesVersion
from fpa.fund.money import chinese_amount
from tests.conftest import DAZHUANG, SHANGQUAN, follow_job, login
from tests.english import (  # noqa: F401 (the autouse fixture)
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)
from tests.fund_helpers import (
    BENEFICIARY,
    BENEFICIARY_ID,
    BENEFICIARY_PHONE,
    TODAY,
    acct,
    county_fund,
    family_in,
    give,
    grant_for,
    paid_grant,
    pay_first,
)
from tests.test_fund_views import COMMENTER_PHONE, DONOR_PHONE, ID_PATTERN, PHONE_PATTERN


@pytest.fixture(autouse=True)
def _clean(db: Any) -> Any:
    cache.clear()
    yield
    translation.deactivate()


def data_values() -> list[str]:
    """The Chinese data a fund page may show: names, accounts, typed text, the 大写 amounts."""
    from fpa.accounts.models import User
    from fpa.families.models import Person
    from fpa.organizations.models import Association

    values: set[str] = set()
    values.update(Association.objects.values_list("name", flat=True))
    values.update(Account.objects.values_list("name", flat=True))
    values.update(Fund.objects.values_list("name", flat=True))
    values.update(Person.objects.values_list("name", flat=True))
    values.update(mask_name(n) for n in Person.objects.values_list("name", flat=True))  # lists
    for donation in Donation.objects.all():
        values.update([donation.donor_name, donation.in_kind_description])
        values.add(chinese_amount(donation.amount))
    for grant in Grant.objects.all():
        values.update([grant.purpose, grant.person_name, grant.activity_name, grant.decision_note])
    for item in Feedback.objects.all():
        values.update([item.text, item.reply])
    for rules in RulesVersion.objects.all():
        values.update([rules.title, rules.body])
    values.update(JournalEntry.objects.values_list("memo", flat=True))
    values.update(v for v in User.objects.values_list("full_name", flat=True) if v)
    values.update(["计生特殊家庭", "永靖县计划生育协会"])  # the footer names the association
    return data_words(values)


def leftover(html: str) -> list[str]:
    """The Chinese left on a page once the data is removed (tests.english)."""
    return chinese_left(html, data_values())


def page(client: Client, url: str, *expected: str, **params: Any) -> str:
    response = client.get(url, params or None)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert 'lang="en"' in html
    for phrase in expected:
        assert phrase in html, (url, phrase)
    assert leftover(html) == [], (url, leftover(html))
    return html


@pytest.fixture
def world(county, finance, village, township, township2) -> dict[str, Any]:
    """The county fund with an anonymous and a named donation (one restricted, one in kind), other
    income, a reversal, a paid grant in notice with an objection, a grant waiting for review,
    a comment with a reply, an overdue one, and two versions of the rules."""
    fund = county_fund(county)
    anonymous = give(
        finance,
        fund,
        "5000",
        donor_name="李四",
        donor_kind="individual",
        publish_name=False,
        donor_phone=DONOR_PHONE,
        restricted_purpose=acct("5101"),
    )
    named = give(finance, fund, "8000.50", donor_name="兰州爱心商贸有限公司")
    give(
        finance,
        fund,
        "600",
        donor_name="王五",
        donor_kind="individual",
        form="in_kind",
        channel="in_kind",
        in_kind_description="大米十袋",
    )
    income = services.income_record(
        actor=finance,
        fund=fund,
        category=acct("4107"),
        asset_account=acct("1002"),
        amount="12.34",
        date=TODAY,
        memo="银行利息",
    )
    services.entry_reverse(actor=finance, entry=income, reason="重复记账")
    family = family_in(township, DAZHUANG)
    pay_first(county, fund)  # a paid grant in its notice, as in the pay-first order
    grant = paid_grant(village, township, county, finance, family)
    waiting = grant_for(township2, family_in(township2, SHANGQUAN, name="受助父亲乙", n=30), "300")
    objection = services.feedback_submit(
        fund=fund, grant=grant, kind="objection", text="请核实", contact_phone=COMMENTER_PHONE
    )
    comment = services.feedback_submit(fund=fund, kind="comment", text="公开透明，点赞", rating=5)
    services.feedback_publish(actor=county, feedback=objection)
    services.feedback_publish(actor=county, feedback=comment)
    services.feedback_reply(actor=county, feedback=comment, reply="谢谢支持")
    services.rules_publish(actor=county, fund=fund, title="基金管理办法", body="第一条 总则")
    services.rules_publish(actor=county, fund=fund, title="基金管理办法", body="第一条 修订")
    return {
        "fund": fund,
        "anonymous": anonymous,
        "named": named,
        "grant": grant,
        "waiting": waiting,
    }


def test_staff_pages_in_english(county, finance, world):
    client = english(county)
    grant = world["grant"]
    page(client, reverse("fund:home"), "Care fund", "Balances", "of which restricted", "This year")
    page(client, reverse("fund:grants"), "Grant applications", "Applied on", "Category")
    page(client, reverse("fund:grants"), "Awaiting township review", status="submitted")
    html = page(
        client,
        reverse("fund:grant_detail", args=[grant.pk]),
        f"Grant {grant.number}",
        "Reason for the application",
        "leaf index",
        "until",
        "Objection",
    )
    assert "Reply by" in html
    page(client, reverse("fund:grant_new"), "Grant target", "Submit")
    page(client, reverse("fund:rules_edit"), "Revise the rules", "Title")
    page(client, reverse("fund:feedback"), "Reply and publish", "Without reply only", "5 points")
    page(client, reverse("fund:report"), "income and expense statement", "Total income", "Surplus")
    page(client, reverse("fund:report"), "Month 5", year=TODAY.year, month=5)
    books = english(finance)
    page(books, reverse("fund:donations"), "Receipt number", "Name published", "Restricted")
    page(books, reverse("fund:entries"), "Entry number", "Dr ", "Cr ", "(reverses ")
    page(books, reverse("fund:donation_new"), "Record a donation", "Form of donation")
    page(books, reverse("fund:income_new"), "Record other income", "Income category")


def test_the_receipt_in_english_keeps_the_legal_amount_in_chinese(finance, world):
    named = world["named"]
    html = page(
        english(finance),
        reverse("fund:receipt", args=[named.pk]),
        "Donation receipt",
        "Amount in words (Chinese capitals)",
        "How to verify",
        "(seal)",
        named.receipt_number,
    )
    assert chinese_amount(named.amount) == "捌仟元伍角整" and "捌仟元伍角整" in html
    assert "兰州爱心商贸有限公司" in html  # the donor's name is data
    assert f"{TODAY.day} {TODAY:%B} {TODAY.year}" in html  # the English date format


def test_public_pages_in_english_identify_nobody(world):
    fund, grant = world["fund"], world["grant"]
    c = fund.association.code
    client = english()
    forbidden = [
        BENEFICIARY,
        "受助父亲乙",
        BENEFICIARY_ID,
        BENEFICIARY_ID[-4:],
        BENEFICIARY_PHONE[-4:],
        DONOR_PHONE[-4:],
        COMMENTER_PHONE[-4:],
        "大庄",
        "住院",
        "家中困难",
        "李四",
    ]
    pages = [
        (
            reverse("fund:public_home", args=[c]),
            ["Current balance", "Restricted to", "Data (JSON)"],
        ),
        (reverse("fund:public_donations", args=[c]), ["A kind-hearted donor", "Verify"]),
        (
            reverse("fund:public_receipt", args=[c, world["anonymous"].receipt_number]),
            ["This receipt is recorded in the books.", "A kind-hearted donor"],
        ),
        (reverse("fund:public_grants", args=[c]), ["To protect the people helped", "Township"]),
        (
            reverse("fund:public_grant", args=[c, grant.number]),
            ["Raise an objection", "in public notice: objections welcome", "Objection"],
        ),
        (reverse("fund:public_notices", args=[c]), ["The public notice lasts 7 days"]),
        (reverse("fund:public_feedback", args=[c]), ["Comments and replies", "5 points"]),
        (reverse("fund:public_rules", args=[c]), ["Version 2", "All versions"]),
        (reverse("fund:public_report", args=[c]), ["Assets at the start", "Whole year"]),
    ]
    for url, expected in pages:
        html = page(client, url, *expected)
        for marker in forbidden:
            assert marker not in html, (url, marker)
        assert not ID_PATTERN.search(html), url
        assert not PHONE_PATTERN.search(html), url
    data = client.get(reverse("fund:public_data", args=[c]))
    assert data.status_code == 200 and "李四" not in data.content.decode()


def test_overdue_and_messages_in_english(county, world):
    fund = world["fund"]
    c = fund.association.code
    client = english()
    with __import__("time_machine").travel(TODAY + datetime.timedelta(days=10)):
        page(client, reverse("fund:public_home", args=[c]), "Overdue feedback without a reply")
        page(english(county), reverse("fund:feedback"), "(overdue)")
    response = client.post(
        reverse("fund:public_feedback", args=[c]), {"c-rating": "9", "c-text": ""}
    )
    assert response.status_code == 200 and not Feedback.objects.filter(rating=9).exists()
    assert leftover(response.content.decode()) == []
    response = client.post(
        reverse("fund:public_feedback", args=[c]),
        {"c-rating": "4", "c-text": "very good"},
        follow=True,
    )
    assert "Your comment will be published after review" in response.content.decode()


def test_form_errors_and_service_errors_in_english(finance, county, world):
    client = english(finance)
    url = reverse("fund:donation_new")
    bad = {"donor_name": "x", "donor_kind": "individual", "form": "cash", "channel": "bank"}
    before = Donation.objects.count()
    for amount, message in [
        ("\uff11\uff12\uff13", "Write the amount with the digits 0-9"),
        ("12.345", "at most two decimals"),
        ("1e6", "The amount is not a number"),
        ("", "Please enter the amount."),
    ]:
        response = client.post(url, dict(bad, amount=amount, received_on=TODAY.isoformat()))
        html = response.content.decode()
        assert response.status_code == 200 and message in html, (amount, html[-3000:])
        assert leftover(html) == []
    assert Donation.objects.count() == before
    response = client.post(
        url, dict(bad, form="in_kind", amount="10", received_on=TODAY.isoformat())
    )
    assert "For a donation in kind, enter the goods and quantity." in response.content.decode()
    response = client.post(
        reverse("fund:entry_reverse", args=[world["named"].entry.pk]), {"reason": "错"}, follow=True
    )
    assert "Reversed; reversing entry number" in response.content.decode()
    response = client.post(
        reverse("fund:entry_reverse", args=[world["named"].entry.pk]), {"reason": "再"}, follow=True
    )
    assert "This entry has already been reversed." in response.content.decode()


def test_chinese_stays_the_default(county, world):
    client = login(Client(), county)
    html = client.get(reverse("fund:home")).content.decode()
    assert 'lang="zh-hans"' in html and "资金余额" in html and "Balances" not in html
    c = world["fund"].association.code
    html = Client().get(reverse("fund:public_donations", args=[c])).content.decode()
    assert "爱心人士" in html and "A kind-hearted donor" not in html
    receipt = login(Client(), county).get(reverse("fund:receipt", args=[world["named"].pk]))
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in receipt.content.decode()


def test_another_townships_grant_is_404_in_english(township2, world):
    client = english(township2)
    response = client.get(reverse("fund:grant_detail", args=[world["grant"].pk]))
    assert response.status_code == 404
    assert 'lang="en"' in response.content.decode()
    assert world["grant"].number not in response.content.decode()
    response = english().get(reverse("fund:public_receipt", args=["622923", "YJ-2099-999999"]))
    assert response.status_code == 404


def test_the_statement_workbook_stays_chinese_in_english(finance, world):
    client = english(finance)
    response = follow_job(
        client, client.get(reverse("fund:report"), {"download": "xlsx", "year": TODAY.year})
    )
    assert response.status_code == 200
    assert "%E6%94%B6%E6%94%AF%E8%A1%A8" in response["Content-Disposition"]  # 收支表
    body = b"".join(response.streaming_content)
    from tests.test_families_i18n import _shared_strings

    strings = _shared_strings(body)
    assert "期初资产".encode() in strings and "科目名称".encode() in strings
    assert b"Assets at the start" not in strings


def test_the_ledger_page_and_api_messages_in_english(world):
    client = english()
    page(client, reverse("transparency:home"), "The verifiable ledger: how to check it yourself")
    response = client.get(reverse("transparency:leaves"), {"limit": "abc"})
    assert response.status_code == 400
    assert "must be an unsigned integer" in response.json()["error"]["message"]
    assert "Accept-Language" in response["Vary"]  # a cache never serves one language for both
    assert response.json()["error"]["code"] == "invalid"  # the machine-oriented keys do not change
    response = Client().get(reverse("transparency:leaves"), {"limit": "abc"})
    assert "必须是不带符号的整数" in response.json()["error"]["message"]
