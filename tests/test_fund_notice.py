"""Notice first, pay after (公示期满无异议后支付, issue 12 item 7): the fund's default order. County
approval opens the public notice; finance can pay only after `notice_until`, and an objection
raised during the notice holds the payment until it is answered; the grant may be closed as soon
as it is paid. The pay-first order (a county setting, audited, county only) keeps the old steps.
The to-do counts, the lists and the public pages agree with these states; the grant page offers
only the step the user can take and otherwise says why and who can; the demo's single county
administrator is never stuck. The clock moves with time-machine, nothing of the project is
mocked."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.fund import selectors, services
from fpa.fund.models import Feedback, Fund, Grant, JournalEntry
from tests.conftest import DAZHUANG, login, make_user
from tests.fund_helpers import (
    TODAY,
    acct,
    approved_grant,
    county_fund,
    family_in,
    give,
    pay_first,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def fund(county: Any, finance: Any) -> Fund:
    fund = county_fund(county)
    give(finance, fund)
    return fund


@pytest.fixture
def noticed(fund: Fund, village: Any, township: Any, county: Any) -> Grant:
    """A grant the county approved today, in the default order."""
    return approved_grant(village, township, county, family_in(township, DAZHUANG))


def pay(finance: Any, grant: Grant, **extra: Any) -> Grant:
    grant.refresh_from_db()
    return services.grant_pay(actor=finance, grant=grant, source_account=acct("1002"), **extra)


def signed_in(user: Any) -> Client:
    return login(Client(), user)


def page_of(client: Client, grant: Grant) -> str:
    response = client.get(reverse("fund:grant_detail", args=[grant.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- the default order ----------------------------------------------------------------------------


def test_notice_first_is_the_default_and_approval_opens_the_notice(fund: Fund, noticed: Grant):
    assert fund.grant_order == Fund.GrantOrder.NOTICE_FIRST
    assert noticed.status == Grant.Status.NOTICE
    assert noticed.notice_until == TODAY + datetime.timedelta(days=fund.notice_days)
    assert noticed.entry is None and noticed.paid_on is None  # nothing paid yet
    assert noticed.in_notice(TODAY)
    audit = AuditEvent.objects.filter(object_type="fund.grant", object_id=str(noticed.pk))
    approval = audit.order_by("-pk").first()
    assert approval is not None and approval.changes["status"] == ["reviewed", "notice"]
    assert approval.changes["notice_until"][1] == f"{noticed.notice_until:%Y-%m-%d}"


def test_pay_is_refused_before_the_notice_ends_with_a_clear_message(
    fund: Fund, noticed: Grant, finance: Any
):
    entries = JournalEntry.objects.count()
    for day in (TODAY, noticed.notice_until):
        with time_machine.travel(day), pytest.raises(ServiceError) as refused:
            pay(finance, noticed)
        assert refused.value.message == (
            f"公示期至 {noticed.notice_until:%Y-%m-%d} 结束，公示期满后方可支付。"
        )
    noticed.refresh_from_db()
    assert noticed.status == Grant.Status.NOTICE and JournalEntry.objects.count() == entries


def test_an_objection_holds_the_payment_until_it_is_answered(
    fund: Fund, noticed: Grant, finance: Any, county: Any
):
    objection = services.feedback_submit(
        fund=fund, grant=noticed, kind=Feedback.Kind.OBJECTION, text="该户情况不属实"
    )
    after = noticed.notice_until + DAY
    with time_machine.travel(after):
        # The notice is over, but the objection raised during it is not answered yet.
        with pytest.raises(ServiceError, match="异议尚未答复，答复后方可支付"):
            pay(finance, noticed)
        assert not selectors.grants_at_my_step(user=finance).filter(pk=noticed.pk).exists()
        assert selectors.waiting_for(user=finance) == {"pay": 0}
        # Refusing to publish the objection (moderation) does not answer it.
        services.feedback_refuse(actor=county, feedback=objection, reason="含个人信息")
        with pytest.raises(ServiceError, match="异议尚未答复"):
            pay(finance, noticed)
        services.feedback_reply(actor=county, feedback=objection, reply="经核实，符合条件。")
        assert selectors.waiting_for(user=finance) == {"pay": 1}
        with pytest.raises(ServiceError, match="支付日期须在公示期满") as early:
            pay(finance, noticed, paid_on=noticed.notice_until)
        assert early.value.field == "paid_on"
        grant = pay(finance, noticed)
        assert grant.status == Grant.Status.PAID and grant.paid_on == after
        assert grant.notice_until == noticed.notice_until  # the notice that ran stays on record
        assert not grant.in_notice(after)
        # The notice already ran: the grant is closed at once.
        grant = services.grant_close(actor=county, grant=grant)
    assert grant.status == Grant.Status.CLOSED


def test_after_the_notice_an_objection_can_no_longer_be_raised(fund: Fund, noticed: Grant):
    with time_machine.travel(noticed.notice_until + DAY), pytest.raises(ServiceError):
        services.feedback_submit(
            fund=fund, grant=noticed, kind=Feedback.Kind.OBJECTION, text="迟到的异议"
        )


def test_a_grant_in_notice_is_public_as_noticed_and_waiting_for_payment(
    client: Client, fund: Fund, noticed: Grant
):
    code = fund.association.code
    listed = client.get(reverse("fund:public_grants", args=[code])).content.decode()
    assert noticed.number in listed and "公示中（待支付）" in listed
    notices = client.get(reverse("fund:public_notices", args=[code])).content.decode()
    assert noticed.number in notices and "待支付" in notices
    assert "公示期满、异议均已答复后再支付" in notices
    page = client.get(reverse("fund:public_grant", args=[code, noticed.number])).content.decode()
    assert "待支付" in page and "提出异议" in page
    assert "账本条目序号" not in page  # nothing is in the ledger before the payment
    home = client.get(reverse("fund:public_home", args=[code])).content.decode()
    assert noticed.number in home and "（待支付）" in home
    with time_machine.travel(noticed.notice_until + DAY):
        listed = client.get(reverse("fund:public_grants", args=[code])).content.decode()
        assert "公示期满，待支付" in listed
        page = client.get(reverse("fund:public_grant", args=[code, noticed.number]))
        assert "提出异议" not in page.content.decode()


def test_finance_sees_a_grant_to_pay_only_when_it_can_be_paid(
    fund: Fund, noticed: Grant, finance: Any, county: Any
):
    assert selectors.waiting_for(user=finance) == {"pay": 0}
    client = signed_in(finance)
    assert "fund.grants_approved" not in client.get("/").content.decode()
    listed = client.get(reverse("fund:grants"), {"mine": "1", "step": "pay"}).content.decode()
    assert noticed.number not in listed
    assert noticed.number in client.get(reverse("fund:grants"), {"step": "pay"}).content.decode()
    page = page_of(client, noticed)
    assert reverse("fund:grant_pay", args=[noticed.pk]) not in page  # no button it cannot use
    assert "公示期满后方可支付" in page
    with time_machine.travel(noticed.notice_until + DAY):
        client = signed_in(finance)
        assert selectors.waiting_for(user=finance) == {"pay": 1}
        home = client.get("/").content.decode()
        found = re.search(r'data-todo="fund.grants_approved"><a href="([^"]+)"', home)
        assert found is not None
        listed = client.get(found.group(1).replace("&amp;", "&")).content.decode()
        assert noticed.number in listed and "公示期满，待支付" in listed
        page = page_of(client, noticed)
        assert reverse("fund:grant_pay", args=[noticed.pk]) in page
        assert "公示期已满，支付后即可办结" in page  # the confirmation says what will happen
        # The county (which approved it) has no payment to make.
        assert "pay" not in selectors.waiting_for(user=county)


def test_the_approval_confirmation_says_what_will_happen(
    fund: Fund, village: Any, township: Any, county: Any
):
    grant = services.grant_review(actor=township, grant=_submitted(village, township), approve=True)
    page = page_of(signed_in(county), grant)
    assert "批准则本申请立即在公开页公示 7 天" in page
    assert "公示期满且异议均已答复后由财务支付" in page
    pay_first(county, fund)
    page = page_of(signed_in(county), grant)
    assert "批准则转财务支付，支付后在公开页公示 7 天" in page


def _submitted(village: Any, township: Any) -> Grant:
    from tests.fund_helpers import grant_for

    return grant_for(village, family_in(township, DAZHUANG))


def test_the_grant_page_shows_the_history_of_its_steps_with_dates(
    fund: Fund, noticed: Grant, finance: Any, county: Any, township: Any
):
    after = noticed.notice_until + DAY
    with time_machine.travel(after):
        pay(finance, noticed)
        page = page_of(signed_in(county), noticed)
    history = page[page.index("data-grant-history") :]
    steps = re.findall(r"<tr><td>([^<]+)</td><td>([^<]*)</td>", history)
    labels = [label for label, _when in steps]
    assert labels == ["提交申请", "乡镇审核", "县级审批", "公示", "财务支付"]
    dates = dict(steps)
    assert dates["公示"] == f"{TODAY:%Y-%m-%d}" and dates["财务支付"] == f"{after:%Y-%m-%d}"
    assert dates["乡镇审核"].startswith(f"{TODAY:%Y-%m-%d} ")  # date and time
    assert f"至 {noticed.notice_until:%Y-%m-%d}" in history
    assert str(township) in history and str(finance) in history


# --- the pay-first order --------------------------------------------------------------------------


def test_pay_first_keeps_the_old_order(
    fund: Fund, village: Any, township: Any, county: Any, finance: Any
):
    pay_first(county, fund)
    grant = approved_grant(village, township, county, family_in(township, DAZHUANG))
    assert grant.status == Grant.Status.APPROVED and grant.notice_until is None
    assert selectors.waiting_for(user=finance) == {"pay": 1}
    client = Client()
    code = fund.association.code
    assert (
        grant.number not in client.get(reverse("fund:public_grants", args=[code])).content.decode()
    )
    grant = pay(finance, grant)  # at once
    assert grant.status == Grant.Status.PAID
    assert grant.notice_until == TODAY + datetime.timedelta(days=fund.notice_days)
    assert grant.in_notice(TODAY)
    with pytest.raises(ServiceError, match="期满后方可办结"):
        services.grant_close(actor=county, grant=grant)


def test_changing_the_order_leaves_grants_already_approved_as_they_were(
    fund: Fund, noticed: Grant, county: Any, finance: Any
):
    pay_first(county, fund)
    with pytest.raises(ServiceError, match="公示期满后方可支付"):
        pay(finance, noticed)
    noticed.refresh_from_db()
    assert noticed.status == Grant.Status.NOTICE


# --- the setting: county only, audited ------------------------------------------------------------


def test_the_setting_is_audited_and_county_only(
    fund: Fund, county: Any, township: Any, client_for: Any
):
    url = reverse("fund:settings")
    data = {"grant_order": "pay_first", "notice_days": "10", "reply_days": "5"}
    # A township user is refused, by the page and by the service; nothing changes.
    assert client_for(township).get(url).status_code == 403
    assert client_for(township).post(url, data).status_code == 403
    with pytest.raises(NotAllowed):
        services.fund_settings_update(
            actor=township, fund=fund, notice_days=10, reply_days=5, grant_order="pay_first"
        )
    assert Client().get(url).status_code == 302  # anonymous: sign in first
    fund.refresh_from_db()
    assert (fund.grant_order, fund.notice_days) == ("notice_first", 7)
    # The county's page shows the current values; a bad value changes nothing.
    staff = client_for(county)
    form = staff.get(url).content.decode()
    assert 'value="notice_first"' in form and "checked" in form and 'value="7"' in form
    bad = staff.post(url, {**data, "grant_order": "later", "notice_days": "0"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"grant_order", "notice_days"}
    fund.refresh_from_db()
    assert fund.grant_order == "notice_first"
    before = AuditEvent.objects.filter(object_type="fund.fund").count()
    done = staff.post(url, data)
    assert done.status_code == 302
    fund.refresh_from_db()
    assert (fund.grant_order, fund.notice_days, fund.reply_days) == ("pay_first", 10, 5)
    row = AuditEvent.objects.filter(object_type="fund.fund").order_by("-pk").first()
    assert AuditEvent.objects.filter(object_type="fund.fund").count() == before + 1
    assert row is not None and row.actor_id == county.pk
    assert row.changes["grant_order"] == ["notice_first", "pay_first"]
    assert row.changes["notice_days"] == [7, 10]
    home = staff.get(reverse("fund:home")).content.decode()
    assert "先支付后公示" in home and reverse("fund:settings") in home


# --- who can act: the page never offers a step the user cannot take -------------------------------


def test_a_reviewer_cannot_approve_and_the_page_says_who_can(
    fund: Fund, village: Any, township: Any, county: Any, yongjing: Any
):
    grant = _submitted(village, township)
    grant = services.grant_review(
        actor=county, grant=grant, approve=True
    )  # in the township's place
    with pytest.raises(NotAllowed, match="职责分离"):
        services.grant_approve(actor=county, grant=grant, approve=True)
    page = page_of(signed_in(county), grant)
    assert reverse("fund:grant_approve", args=[grant.pk]) not in page
    assert "您是本申请的审核人，按职责分离不能再审批" in page
    assert "目前没有其他可以办理的人员" in page  # nobody else yet
    vice = make_user("vicechair", "622923", "county_admin")
    page = page_of(signed_in(county), grant)
    assert f"可以办理的人员：{vice}" in page
    vice_page = page_of(signed_in(vice), grant)
    assert reverse("fund:grant_approve", args=[grant.pk]) in vice_page
    assert services.grant_approve(actor=vice, grant=grant, approve=True).status == "notice"


def test_the_demo_county_administrator_is_never_stuck(db: Any, settings: Any, tmp_path: Any):
    """The demo has a grant the county administrator reviewed in place of the township, and a
    second person (the vice-chair, 副会长) who may approve it."""
    from django.core.management import call_command

    from fpa.accounts.models import User

    settings.VAR_DIR = str(tmp_path)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with (tmp_path / "out.txt").open("w") as out:
        call_command("seed_demo", stdout=out)
    county = User.objects.get(username="demo-county")
    vice = User.objects.get(username="demo-vicechair")
    grant = Grant.objects.get(status=Grant.Status.REVIEWED, reviewed_by=county)
    assert vice.has_capability("fund.approve") and vice.pk != grant.applicant_id
    step = selectors.next_step(user=county, grant=grant)
    assert not step.allowed and str(vice) in step.others
    assert selectors.next_step(user=vice, grant=grant).allowed
    assert grant in selectors.grants_at_my_step(user=vice)
    assert grant not in selectors.grants_at_my_step(user=county)
    with pytest.raises(NotAllowed):
        services.grant_approve(actor=county, grant=grant, approve=True)
    approved = services.grant_approve(actor=vice, grant=grant, approve=True)
    assert approved.status == Grant.Status.NOTICE and approved.approved_by == vice
    # The demo also shows every state of the order: in notice, ready to pay, paid, closed.
    statuses = set(Grant.objects.values_list("status", flat=True))
    assert {"submitted", "reviewed", "notice", "paid", "closed"} <= statuses
    finance = User.objects.get(username="demo-finance")
    assert selectors.waiting_for(user=finance)["pay"] >= 1
    held = Feedback.objects.get(kind=Feedback.Kind.OBJECTION)
    assert held.grant is not None and held.grant.status == Grant.Status.NOTICE
