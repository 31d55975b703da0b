"""tools/verify_ledger.py checks the money and receipt promises: the tool (loaded from its file,
no project imports) runs against this server's real views through an in-process transport (its
`fetch` answered by the Django test client), on a fund posted through the services; a leaf that
is unbalanced, out of number, a reversal of nothing, or totals that differ from data.json make it
fail and name the entry; a receipt's signed promise verifies and a forged one does not."""

from __future__ import annotations

import html
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest
from django.db import transaction

from fpa.fund import services
from fpa.fund.models import Donation, JournalEntry
from fpa.transparency.keys import signing_key
from fpa.transparency.services import append_leaf, sign_checkpoint
from tests.conftest import DAZHUANG
from tests.fund_helpers import TODAY, acct, county_fund, family_in, give, paid_grant

pytestmark = pytest.mark.django_db
TOOL = Path(__file__).resolve().parent.parent / "tools" / "verify_ledger.py"
BASE = "http://testserver/ledger/"


@pytest.fixture
def tool(client, monkeypatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_ledger_under_test", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def fetch(url: str) -> bytes:
        path = url.removeprefix("http://testserver")
        response = client.get(path)
        if response.status_code != 200:
            raise module.Failure(f"{url}: HTTP {response.status_code} {response.content[:200]!r}")
        if hasattr(response, "streaming_content"):
            return b"".join(response.streaming_content)
        return response.content

    monkeypatch.setattr(module, "fetch", fetch)
    return module


@pytest.fixture
def books(county, finance, village, township):
    fund = county_fund(county)
    give(finance, fund, "300.50", donor_kind="individual", restricted_purpose=acct("5101"))
    services.income_record(
        actor=finance,
        fund=fund,
        category=acct("4101"),
        amount="5000.00",
        asset_account=acct("1002"),
        date=TODAY,
    )
    paid_grant(village, township, county, finance, family_in(township, DAZHUANG))
    second = give(finance, fund, "100.00")
    services.entry_reverse(actor=finance, entry=second.entry, reason="重复登记")
    sign_checkpoint()
    return fund


def run(tool: ModuleType, capsys, *args: str) -> tuple[int, str]:
    code = tool.main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_money_of_every_entry_verifies(tool, books, capsys):
    code, out = run(tool, capsys, BASE, "--fund", "622923")
    assert code == 0, out
    assert "decoded 5 fund entries (622923: 5)" in out
    assert "fund 622923: the totals per account equal the published data.json" in out
    grant = JournalEntry.objects.get(kind="grant")
    lines = [
        (line.account.code, str(line.debit), line.restriction_id) for line in grant.lines.all()
    ]
    # The grant used the 300.50 restricted to its purpose first, then unrestricted money.
    assert lines[0][:2] == ("5101", "300.50") and lines[1][:2] == ("5101", "499.50")


def bad_leaf(position: int, **changes) -> bytes:
    doc = {
        "v": "fpa-fund-entry/2",
        "appended": "2026-01-01T00:00:00Z",
        "fund": "622923",
        "number": position,
        "date": "2026-01-01",
        "kind": "income",
        "category": "4107",
        "township": "",
        "receipt": "",
        "grant": "",
        "reverses": None,
        "lines": [
            {"account": "1002", "debit": "1.00", "credit": "0.00", "restriction": None},
            {"account": "4107", "debit": "0.00", "credit": "1.00", "restriction": None},
        ],
    }
    doc.update(changes)
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


UNBALANCED = [
    {"account": "1002", "debit": "1.00", "credit": "0.00", "restriction": None},
    {"account": "4107", "debit": "0.00", "credit": "2.00", "restriction": None},
]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lines": UNBALANCED}, "fund 622923 entry 6 (index 5): debits 1.00 != credits 2.00"),
        ({"number": 8}, "fund 622923 entry 8 (index 5): expected entry number 6"),
        ({"kind": "reversal", "reverses": 9}, "entry 6 (index 5): reverses 9, which is no earlier"),
        ({"kind": "reversal", "reverses": 1}, "entry 6 (index 5): its lines do not mirror entry 1"),
    ],
)
def test_a_bad_entry_in_the_log_is_named(tool, books, capsys, changes, message):
    with transaction.atomic():
        append_leaf(bad_leaf(6, **changes))
    sign_checkpoint()
    code, out = run(tool, capsys, BASE)
    assert code == 1 and message in out, out


def test_totals_that_differ_from_data_json_fail(tool, books, capsys):
    """A balanced, well numbered entry in the log that the journal (data.json) does not hold."""
    with transaction.atomic():
        append_leaf(bad_leaf(6))
    sign_checkpoint()
    code, out = run(tool, capsys, BASE)
    assert code == 0, out  # the leaves alone are fine
    code, out = run(tool, capsys, BASE, "--fund", "622923")
    assert code == 1 and "data.json counts 5 entries, the log holds 6" in out, out


def test_a_receipt_promise_verifies_alone_and_against_the_log(
    tool, books, client, capsys, tmp_path
):
    donation = Donation.objects.order_by("pk").first()
    page = client.get(f"/fund/public/622923/receipts/{donation.receipt_number}/")
    note = html.unescape(
        re.search(r'id="promise-note">(.*?)</pre>', page.content.decode(), re.S)[1]
    )
    assert note.startswith("fpa-fund-receipt/1\n")
    lines = note.split("\n")
    assert lines[2] == donation.receipt_number and lines[3] == str(donation.entry.leaf_index)
    saved = tmp_path / "promise.txt"
    saved.write_text(note, encoding="utf-8")
    vkey = signing_key().vkey
    code, out = run(tool, capsys, "--receipt", str(saved), "--public-key", vkey)
    assert code == 0 and f"OK: the receipt promise for {donation.receipt_number}" in out, out
    code, out = run(tool, capsys, BASE, "--receipt", str(saved), "--public-key", vkey)
    assert code == 0 and "is in the log as promised" in out, out
    # A forged promise (another receipt number under the same signature) fails.
    forged = tmp_path / "forged.txt"
    forged.write_text(note.replace(donation.receipt_number, "YJ-1999-000001"), encoding="utf-8")
    code, out = run(tool, capsys, "--receipt", str(forged), "--public-key", vkey)
    assert code == 1 and "signature does not verify" in out, out
    # The same promise twice is the same text (Ed25519 is deterministic).
    again = client.get(f"/fund/public/622923/receipts/{donation.receipt_number}/")
    assert note in html.unescape(again.content.decode())
