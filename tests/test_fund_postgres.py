"""What only PostgreSQL shows for the care fund: two approvals or two payments racing on separate
connections give exactly one effect; concurrent donations get gap-free receipt numbers; the
append-only triggers are installed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fpa.accounts.roles import Role
from fpa.core.errors import Conflict
from fpa.core.models import AuditEvent
from fpa.fund import services
from fpa.fund.chart import ensure_chart
from fpa.fund.models import Donation, Grant, JournalEntry
from tests.conftest import DAZHUANG, make_user, race, require_postgres
from tests.fund_helpers import TODAY, acct, county_fund, family_in, give, grant_for, notice_over


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    require_postgres()
    ensure_chart()  # a transactional test flushes the accounts the migration seeded


@pytest.fixture
def reviewed(county, finance, township, village):
    fund = county_fund(county)
    give(finance, fund, "5000")
    grant = grant_for(village, family_in(township, DAZHUANG))
    return fund, services.grant_review(actor=township, grant=grant, approve=True)


def test_two_approvals_racing_give_one(reviewed, county):
    _, grant = reviewed
    other = make_user("county-b", "622923", Role.COUNTY_ADMIN)
    calls = [
        lambda user=user: services.grant_approve(
            actor=user, grant=grant, approve=True, version=grant.version
        )
        for user in (county, other)
    ]
    results, errors = race(calls)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    grant.refresh_from_db()
    assert grant.status == Grant.Status.NOTICE  # notice first (the default order)
    assert grant.version == 3
    approvals = AuditEvent.objects.filter(
        object_type="fund.grant", object_id=str(grant.pk), action="update"
    )
    assert approvals.count() == 2  # the review and one approval


def test_two_payments_racing_give_one_entry(reviewed, county, finance):
    fund, grant = reviewed
    grant = notice_over(services.grant_approve(actor=county, grant=grant, approve=True))
    other = make_user("finance-b", "622923", Role.FINANCE)
    # Different versions seen are not what stops the second: both saw the same one.
    calls = [
        lambda user=user: services.grant_pay(
            actor=user, grant=grant, source_account=acct("1002"), version=grant.version
        )
        for user in (finance, other)
    ]
    results, errors = race(calls)
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    assert JournalEntry.objects.filter(kind="grant").count() == 1
    balance = fund.balances.get(account__code="1002").amount
    assert balance == 5000 - grant.amount


def test_concurrent_donations_get_gap_free_receipts_and_entry_numbers(county, finance):
    fund = county_fund(county)
    calls = [lambda n=n: give(finance, fund, f"{n + 1}.00") for n in range(8)]
    _, errors = race(calls)
    assert not errors, errors
    numbers = sorted(Donation.objects.values_list("receipt_number", flat=True))
    assert numbers == [f"YJ-{TODAY.year}-{n:06d}" for n in range(1, 9)]
    entries = sorted(JournalEntry.objects.values_list("number", flat=True))
    assert entries == list(range(1, 9))
    leaves = sorted(JournalEntry.objects.values_list("leaf_index", flat=True))
    assert leaves == list(range(8))


def test_fund_triggers_are_installed_and_refuse_changes(county, finance):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'fund_%%'")
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == {"fund_journalentry", "fund_journalline", "fund_rulesversion"}
    entry = give(finance, county_fund(county), "10").entry
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(date=TODAY.replace(year=2000))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.lines.all().delete()
