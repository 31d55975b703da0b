"""The care fund's writes: double entry, append-only journal, balances, restricted money,
receipts, the grant workflow with separation of duties, supervision and rules."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.fund import selectors, services
from fpa.fund.models import Balance, Donation, Feedback, Grant, JournalEntry, JournalLine
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.fund_helpers import (
    TODAY,
    acct,
    county_fund,
    family_in,
    give,
    grant_for,
    money,
    notice_over,
    paid_grant,
    pay_first,
)


@pytest.fixture
def fund(county):
    return county_fund(county)


def balance(fund, code):
    row = Balance.objects.filter(fund=fund, account__code=code).first()
    return row.amount if row else money("0")


def test_a_donation_posts_a_balanced_entry_with_a_receipt_number(fund, finance):
    donation = give(finance, fund, "1200.50")
    entry = donation.entry
    lines = list(entry.lines.order_by("pk"))
    assert [(line.account.code, line.debit, line.credit) for line in lines] == [
        ("1002", money("1200.50"), money("0")),
        ("4103", money("0"), money("1200.50")),
    ]
    assert donation.receipt_number == f"YJ-{TODAY.year}-000001"
    assert entry.receipt_number == donation.receipt_number
    assert balance(fund, "1002") == money("1200.50")
    assert balance(fund, "4103") == money("1200.50")
    assert AuditEvent.objects.filter(object_type="fund.donation").count() == 1


def test_receipt_numbers_are_gap_free_per_year(fund, finance):
    last_year = TODAY.replace(year=TODAY.year - 1, month=6, day=1)
    numbers = [
        give(finance, fund, "1").receipt_number,
        give(finance, fund, "1", received_on=last_year).receipt_number,
        give(finance, fund, "1").receipt_number,
    ]
    assert numbers == [
        f"YJ-{TODAY.year}-000001",
        f"YJ-{last_year.year}-000001",
        f"YJ-{TODAY.year}-000002",
    ]


def test_a_refused_donation_does_not_use_up_a_receipt_number(fund, finance):
    with pytest.raises(ServiceError):
        give(finance, fund, "1", form="in_kind", in_kind_description="")
    assert give(finance, fund, "1").receipt_number.endswith("-000001")


def test_in_kind_donation_is_valued_into_goods(fund, finance):
    give(
        finance,
        fund,
        "300",
        form="in_kind",
        in_kind_description="大米 20 袋",
        donor_kind="individual",
    )
    assert balance(fund, "1301") == money("300")
    assert balance(fund, "4104") == money("300")


def test_posted_entries_and_lines_cannot_be_updated_or_deleted(fund, finance):
    entry = give(finance, fund, "100").entry
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(memo="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalLine.objects.filter(entry=entry).update(debit=money("1"))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM fund_journalline WHERE entry_id = %s", [entry.pk])
    assert JournalLine.objects.filter(entry=entry).count() == 2


def test_a_correction_is_a_reversing_entry(fund, finance):
    entry = give(finance, fund, "100").entry
    reversal = services.entry_reverse(actor=finance, entry=entry, reason="金额录错")
    assert reversal.reverses == entry
    assert reversal.number == entry.number + 1
    assert balance(fund, "1002") == money("0")
    with pytest.raises(Conflict):
        services.entry_reverse(actor=finance, entry=entry, reason="再来一次")
    with pytest.raises(ServiceError):
        services.entry_reverse(actor=finance, entry=reversal, reason="冲销冲销")


def test_no_balance_goes_negative(fund, finance, county, township, village, yongjing):
    give(finance, fund, "500")
    grant = grant_for(village, family_in(township, DAZHUANG), amount="800")
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    grant = notice_over(services.grant_approve(actor=county, grant=grant, approve=True))
    with pytest.raises(ServiceError, match="余额不足"):
        services.grant_pay(actor=finance, grant=grant, source_account=acct("1002"))
    grant.refresh_from_db()
    assert grant.status == Grant.Status.NOTICE
    assert balance(fund, "1002") == money("500")
    assert JournalEntry.objects.filter(kind="grant").count() == 0


def test_restricted_money_is_spent_only_on_its_purpose(fund, finance, county, township, village):
    give(finance, fund, "1000", restricted_purpose=acct("5104"))  # 心理服务 only
    family = family_in(township, DAZHUANG)
    grant = grant_for(village, family, amount="600", code="5101")  # 慰问救助
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    grant = notice_over(services.grant_approve(actor=county, grant=grant, approve=True))
    with pytest.raises(ServiceError, match="限定用途"):
        services.grant_pay(actor=finance, grant=grant, source_account=acct("1002"))
    # The same amount on the restricted purpose is paid out of the pool.
    other = grant_for(village, family, amount="600", code="5104")
    other = services.grant_review(actor=township, grant=other, approve=True)
    other = notice_over(services.grant_approve(actor=county, grant=other, approve=True))
    other = services.grant_pay(actor=finance, grant=other, source_account=acct("1002"))
    assert selectors.pool_of(fund, acct("5104")) == money("400")
    restricted = other.entry.lines.get(debit__gt=0)
    assert restricted.restriction.code == "5104"


def test_reversing_a_restricted_donation_already_spent_is_refused(
    fund, finance, county, township, village
):
    donation = give(finance, fund, "500", restricted_purpose=acct("5104"))
    grant = grant_for(village, family_in(township, DAZHUANG), amount="400", code="5104")
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    grant = notice_over(services.grant_approve(actor=county, grant=grant, approve=True))
    services.grant_pay(actor=finance, grant=grant, source_account=acct("1002"))
    with pytest.raises(ServiceError):
        services.entry_reverse(actor=finance, entry=donation.entry, reason="退回")
    assert not JournalEntry.objects.filter(kind="reversal").exists()


def test_the_pay_first_workflow_opens_a_notice_and_closes_after_it(
    fund, finance, county, township, village
):
    pay_first(county, fund)
    give(finance, fund)
    grant = paid_grant(village, township, county, finance, family_in(township, DAZHUANG))
    assert grant.status == Grant.Status.PAID
    assert grant.notice_until == TODAY + datetime.timedelta(days=7)
    assert grant.entry.township_code == "622923100"
    assert grant.in_notice()
    with pytest.raises(ServiceError, match="公示期"):
        services.grant_close(actor=county, grant=grant)
    objection = services.feedback_submit(
        fund=fund, grant=grant, kind=Feedback.Kind.OBJECTION, text="情况不属实"
    )
    assert objection.owner == county
    with time_machine.travel(TODAY + datetime.timedelta(days=8)):
        with pytest.raises(ServiceError, match="异议"):
            services.grant_close(actor=county, grant=grant)
        services.feedback_reply(actor=county, feedback=objection, reply="经核实，情况属实。")
        grant = services.grant_close(actor=county, grant=grant)
    assert grant.status == Grant.Status.CLOSED


def test_nobody_reviews_approves_or_pays_their_own(fund, finance, county, township, village):
    give(finance, fund)
    family = family_in(township, DAZHUANG)
    own = grant_for(township, family)
    with pytest.raises(NotAllowed, match="职责分离"):
        services.grant_review(actor=township, grant=own, approve=True)
    by_county = grant_for(county, family)
    by_county = services.grant_review(actor=township, grant=by_county, approve=True)
    with pytest.raises(NotAllowed, match="职责分离"):
        services.grant_approve(actor=county, grant=by_county, approve=True)


def test_finance_pays_only_approved_grants_and_only_once(fund, finance, county, township, village):
    give(finance, fund)
    grant = grant_for(village, family_in(township, DAZHUANG))
    with pytest.raises(Conflict):
        services.grant_pay(actor=finance, grant=grant, source_account=acct("1002"))
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    with pytest.raises(NotAllowed):
        services.grant_pay(actor=township, grant=grant, source_account=acct("1002"))
    grant = notice_over(services.grant_approve(actor=county, grant=grant, approve=True))
    services.grant_pay(actor=finance, grant=grant, source_account=acct("1002"))
    with pytest.raises(Conflict):
        services.grant_pay(actor=finance, grant=grant, source_account=acct("1002"))
    assert JournalEntry.objects.filter(kind="grant").count() == 1


def test_a_stale_version_is_refused(fund, finance, county, township, village):
    grant = grant_for(village, family_in(township, DAZHUANG))
    with pytest.raises(Conflict):
        services.grant_review(actor=township, grant=grant, approve=True, version=grant.version + 1)


def test_other_township_cannot_review(fund, township, township2, village):
    grant = grant_for(village, family_in(township, DAZHUANG))
    with pytest.raises(NotAllowed):
        services.grant_review(actor=township2, grant=grant, approve=True)
    with pytest.raises(NotAllowed):
        grant_for(township2, family_in(township, DAZHUANG, name="另一家", n=26))


def test_grant_in_other_township_is_shown_under_its_township(fund, township2):
    grant = grant_for(township2, family_in(township2, SHANGQUAN, n=28))
    assert grant.township.code == "622923101"


@pytest.mark.parametrize(
    "raw",
    [
        "1e6",
        "NaN",
        "Infinity",
        "-0",
        "0",
        "1.234",
        "\uff11\uff12\uff13",
        "",
        "9" * 30,
        "-5",
        " ",
        "1,000",
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(fund, finance, raw):
    before = (Donation.objects.count(), JournalEntry.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ServiceError) as info:
        give(finance, fund, raw)
    assert info.value.field == "amount"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)
    assert (
        Donation.objects.count(),
        JournalEntry.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_only_finance_records_donations(fund, county, township):
    for actor in (county, township):
        with pytest.raises(NotAllowed):
            give(actor, fund)


def test_rules_are_versioned(fund, county, township):
    services.rules_publish(actor=county, fund=fund, title="管理办法", body="第一条")
    second = services.rules_publish(
        actor=county, fund=fund, title="管理办法", body="第一条（修订）"
    )
    assert second.number == 2
    with pytest.raises(NotAllowed):
        services.rules_publish(actor=township, fund=fund, title="x", body="y")


def test_feedback_needs_a_rating_and_objections_need_a_notice(
    fund, finance, county, township, village
):
    with pytest.raises(ServiceError):
        services.feedback_submit(fund=fund, kind=Feedback.Kind.COMMENT, text="好")
    grant = grant_for(village, family_in(township, DAZHUANG))
    with pytest.raises(ServiceError, match="公示期"):
        services.feedback_submit(fund=fund, grant=grant, kind=Feedback.Kind.OBJECTION, text="异议")
    comment = services.feedback_submit(
        fund=fund,
        kind=Feedback.Kind.COMMENT,
        text="公开透明",
        rating=5,
        contact_phone="13912345678",
    )
    assert comment.owner == county
    assert comment.reply_due == TODAY + datetime.timedelta(days=7)
    assert str(comment.contact_phone) == "139****5678"


def test_the_receipt_prefix_is_the_place_names_initials_never_another_countys(county):
    """The county's fund reads YJ (永靖县计生协), a township's its own initials (刘家峡镇计生协:
    LJX); an explicit prefix is used as given; a bad or taken prefix is refused with nothing
    written."""
    from fpa.organizations.models import Association

    assert county_fund(county).receipt_prefix == "YJ"
    liujiaxia = Association.objects.get(code="622923100")
    assert services.default_receipt_prefix(liujiaxia) == "LJX"
    before = AuditEvent.objects.count()
    for bad, message in (
        ("yj", "已被其他基金使用"),
        ("1AB", "以字母开头"),
        ("\uff21-\uff22", "大写字母"),
    ):
        with pytest.raises(ServiceError, match=message) as caught:
            services.fund_create(
                actor=county, association=liujiaxia, name="刘家峡镇基金", receipt_prefix=bad
            )
        assert caught.value.field == "receipt_prefix"
    assert AuditEvent.objects.count() == before
    own = services.fund_create(
        actor=county, association=liujiaxia, name="刘家峡镇基金", receipt_prefix="lj2"
    )
    assert own.receipt_prefix == "LJ2"
