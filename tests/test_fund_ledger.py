"""The fund's journal in the public log: each posted entry's canonical leaf is appended in the
posting transaction, the leaf carries no personal data, the documented encoding is exact, and
`manage.py verify_ledger` names the index of a journal entry edited, removed or reordered with
raw SQL after dropping the triggers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from fpa.core.errors import ServiceError
from fpa.fund import leaf, services
from fpa.fund.models import JournalEntry
from fpa.transparency.models import LogLeaf
from tests.conftest import DAZHUANG
from tests.fund_helpers import (
    BENEFICIARY,
    BENEFICIARY_PHONE,
    acct,
    county_fund,
    family_in,
    give,
    paid_grant,
)

FUND_TABLES = ["fund_journalentry", "fund_journalline"]


@pytest.fixture
def books(county, finance, village, township):
    """Four entries: two donations (one restricted), a grant payment and a reversal."""
    fund = county_fund(county)
    give(finance, fund, "1000.00", donor_phone="13700001111")
    give(
        finance,
        fund,
        "300.50",
        donor_kind="individual",
        donor_name="王五",
        restricted_purpose=acct("5104"),
    )
    paid_grant(village, township, county, finance, family_in(township, DAZHUANG))
    second = JournalEntry.objects.get(number=2)
    services.entry_reverse(actor=finance, entry=second, reason="重复登记")
    return fund


def attacker(sql: str, params: list) -> None:
    """Drop the fund's triggers (rolled back with the test) and run raw SQL."""
    with connection.cursor() as cursor:
        for table in FUND_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER {table}_no_update")
                cursor.execute(f"DROP TRIGGER {table}_no_delete")
        cursor.execute(sql, params)


def test_every_entry_is_a_leaf_at_its_index(books):
    entries = list(JournalEntry.objects.order_by("number"))
    assert [e.leaf_index for e in entries] == [0, 1, 2, 3]
    for entry in entries:
        stored = bytes(LogLeaf.objects.get(index=entry.leaf_index).data)
        assert stored == leaf.entry_leaf(entry)


def test_leaves_carry_no_personal_data(books):
    for data in LogLeaf.objects.values_list("data", flat=True):
        text = bytes(data).decode()
        for marker in (
            BENEFICIARY,
            BENEFICIARY_PHONE,
            "王五",
            "爱心企业",
            "1111",
            "大庄",
            "重复登记",
        ):
            assert marker not in text


def test_the_leaf_encoding_is_the_documented_one(books):
    grant_entry = JournalEntry.objects.get(kind="grant")
    document = json.loads(leaf.entry_leaf(grant_entry))
    stamp = LogLeaf.objects.get(index=grant_entry.leaf_index).appended_at
    assert grant_entry.appended_at == stamp and stamp.microsecond == 0
    assert document == {
        "v": "fpa-fund-entry/2",
        "appended": stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fund": "622923",
        "number": 3,
        "date": grant_entry.date.isoformat(),
        "kind": "grant",
        "category": "5101",
        "township": "622923100",
        "receipt": "",
        "grant": grant_entry.grant_number,
        "reverses": None,
        "lines": [
            {"account": "5101", "debit": "800.00", "credit": "0.00", "restriction": None},
            {"account": "1002", "debit": "0.00", "credit": "800.00", "restriction": None},
        ],
    }
    raw = leaf.entry_leaf(grant_entry)
    assert (
        raw
        == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    reversal = json.loads(leaf.entry_leaf(JournalEntry.objects.get(kind="reversal")))
    assert reversal["reverses"] == 2


def test_entries_posted_before_version_2_stay_version_1(county, finance, monkeypatch, client):
    """An entry posted before fpa-fund-entry/2 (no append time recorded) keeps its v1 leaf;
    verify_ledger recomputes each entry in its own version, and the append time of a v2 entry
    is signed: editing it in the journal is caught."""
    from fpa.fund.services import ledger as posting

    fund = county_fund(county)
    with monkeypatch.context() as patched:
        patched.setattr(posting, "_append_time", lambda: None)
        give(finance, fund, "10.00")
    give(finance, fund, "20.00")
    old, new = JournalEntry.objects.order_by("number")
    assert old.appended_at is None and new.appended_at is not None
    old_doc = json.loads(bytes(LogLeaf.objects.get(index=old.leaf_index).data))
    new_doc = json.loads(bytes(LogLeaf.objects.get(index=new.leaf_index).data))
    assert old_doc["v"] == "fpa-fund-entry/1" and "appended" not in old_doc
    assert new_doc["v"] == "fpa-fund-entry/2" and new_doc["appended"].endswith("Z")
    for entry in (old, new):
        assert leaf.entry_leaf(entry) == bytes(LogLeaf.objects.get(index=entry.leaf_index).data)
    call_command("verify_ledger", stdout=StringIO())
    # The public page shows each in its own version: v1 with the log's (unsigned) time only.
    old_page = client.get(f"/fund/public/622923/entries/{old.number}/").content.decode()
    assert '<code data-field="v">fpa-fund-entry/1</code>' in old_page
    assert 'data-field="appended"' not in old_page and 'id="log-appended"' in old_page
    new_page = client.get(f"/fund/public/622923/entries/{new.number}/").content.decode()
    assert f'<code data-field="appended">{new_doc["appended"]}</code>' in new_page
    attacker(
        "UPDATE fund_journalentry SET appended_at = %s WHERE id = %s",
        ["2020-01-01 00:00:00", new.pk],
    )
    with pytest.raises(CommandError) as caught:
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())
    assert str(new.leaf_index) in str(caught.value)


def test_documented_worked_example_matches_the_code():
    """docs/fund-ledger-entries.md shows these exact bytes and this hash (version 2)."""
    from datetime import datetime

    raw = leaf.encode(
        fund="622923",
        number=7,
        date="2026-03-08",
        kind="donation",
        category="4103",
        township="",
        receipt="YJ-2019-000042",
        grant="",
        reverses=None,
        lines=[
            leaf.LeafLine(
                account="1002",
                debit=leaf.Decimal("1200.5"),
                credit=leaf.Decimal("0"),
                restriction="5104",
            ),
            leaf.LeafLine(
                account="4103",
                debit=leaf.Decimal("0"),
                credit=leaf.Decimal("1200.50"),
                restriction="5104",
            ),
        ],
        appended=datetime(2026, 3, 9, 2, 15, 7, 900000, tzinfo=UTC),
    )
    expected = (
        '{"appended":"2026-03-09T02:15:07Z","category":"4103","date":"2026-03-08",'
        '"fund":"622923","grant":"","kind":"donation",'
        '"lines":[{"account":"1002","credit":"0.00","debit":"1200.50","restriction":"5104"},'
        '{"account":"4103","credit":"1200.50","debit":"0.00","restriction":"5104"}],'
        '"number":7,"receipt":"YJ-2019-000042","reverses":null,"township":"","v":"fpa-fund-entry/2"}'
    )
    assert raw == expected.encode()
    digest = hashlib.sha256(b"\x00" + raw).hexdigest()
    with open("docs/fund-ledger-entries.md", encoding="utf-8") as doc:
        text = doc.read()
    assert expected in text
    assert digest in text
    assert f"{len(raw)} bytes" in text


def test_a_clean_journal_verifies(books):
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "OK: 4 entries" in out.getvalue()
    assert "fund" in out.getvalue()


def test_an_edited_amount_fails_at_its_index(books):
    entry = JournalEntry.objects.get(number=2)
    attacker(
        "UPDATE fund_journalline SET credit = 30.50 WHERE entry_id = %s AND credit > 0", [entry.pk]
    )
    with pytest.raises(CommandError, match=f"at index {entry.leaf_index}"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())


def test_an_edited_date_fails_at_its_index(books):
    entry = JournalEntry.objects.get(kind="grant")
    attacker("UPDATE fund_journalentry SET date = '2001-01-01' WHERE id = %s", [entry.pk])
    with pytest.raises(CommandError, match=f"at index {entry.leaf_index}"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())


def test_reordered_entries_fail(books):
    a, b = JournalEntry.objects.filter(number__in=[1, 2]).order_by("number")
    attacker(
        "UPDATE fund_journalentry SET leaf_index = CASE id WHEN %s THEN 101 ELSE 100 END"
        " WHERE id IN (%s, %s)",
        [a.pk, a.pk, b.pk],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE fund_journalentry SET leaf_index = leaf_index - 100 WHERE leaf_index >= 100"
        )
    with pytest.raises(CommandError, match="at index 0"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())


def test_a_removed_entry_fails_at_its_index(books):
    entry = JournalEntry.objects.get(kind="reversal")
    attacker("DELETE FROM fund_journalline WHERE entry_id = %s", [entry.pk])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM fund_journalentry WHERE id = %s", [entry.pk])
    with pytest.raises(CommandError, match=f"at index {entry.leaf_index}"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())


def test_a_failed_posting_appends_no_leaf(county, finance):
    fund = county_fund(county)
    give(finance, fund, "10")
    with pytest.raises(ServiceError):
        give(finance, fund, "10", form="in_kind", in_kind_description="")
    assert LogLeaf.objects.count() == 1


def test_the_receipt_proof_link_answers_with_an_inclusion_proof(books, client):
    from fpa.fund.models import Donation
    from fpa.transparency import merkle

    donation = Donation.objects.order_by("pk").last()
    index = donation.entry.leaf_index
    page = client.get(reverse("fund:public_receipt", args=["622923", donation.receipt_number]))
    proof_url = reverse("transparency:leaf", kwargs={"index": str(index)})
    assert proof_url in page.content.decode()
    proof = client.get(proof_url).json()
    import base64

    data = base64.b64decode(proof["data"])
    assert data == leaf.entry_leaf(donation.entry)
    path = [base64.b64decode(h) for h in proof["inclusion_proof"]]
    root = base64.b64decode(proof["root_hash"])
    assert merkle.verify_inclusion(index, proof["tree_size"], merkle.leaf_hash(data), path, root)
