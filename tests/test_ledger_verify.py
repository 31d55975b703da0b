"""`manage.py verify_ledger` catches tampering done with raw SQL by someone who first drops the
append-only triggers (a database superuser), and names the index."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fpa.transparency import sources
from fpa.transparency.services import append_leaf, sign_checkpoint
from fpa.transparency.verify import verify_log

pytestmark = pytest.mark.django_db

N = 20
TABLES = ["transparency_logleaf", "transparency_lognode", "transparency_checkpoint"]


def canonical(i: int) -> bytes:
    return f'{{"entry":{i},"amount":"{100 + i}.00"}}'.encode()


@pytest.fixture
def books():
    """What the producer recomputes from its own data (a list it controls, not the log).

    The only source while the test runs: the app's own (the fund's) are set aside and restored."""
    others = sources.registered()
    for name in others:
        sources.unregister(name)
    rows = [canonical(i) for i in range(N)]
    for i, data in enumerate(rows):
        append_leaf(data)
        if i in (4, 11, N - 1):
            sign_checkpoint()
    sources.register("test-books", lambda: iter(list(enumerate(rows))))
    yield rows
    sources.unregister("test-books")
    for name, produce in others.items():
        sources.register(name, produce)


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def attacker(*statements: tuple[str, list]) -> None:
    """Drop the triggers (rolled back with the test's transaction) and run raw SQL."""
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER {table}_no_update")
                cursor.execute(f"DROP TRIGGER {table}_no_delete")
        for sql, params in statements:
            cursor.execute(sql.replace("[index]", q("index")), params)


def sha_leaf(data: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(b"\x00" + data).digest()


def first(report):
    assert not report.ok
    return report.findings[0]


def test_a_clean_ledger_verifies(books):
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    # The genesis checkpoint (size 0) and the three signed by the fixture.
    assert f"OK: {N} entries, 4 checkpoints, sources test-books" in out.getvalue()


def test_edited_data_fails_its_leaf_hash(books):
    attacker(("UPDATE transparency_logleaf SET data = %s WHERE [index] = 7", [b"forged"]))
    finding = first(verify_log())
    assert (finding.index, finding.kind) == (7, "edited")
    with pytest.raises(CommandError, match="at index 7"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())


def test_edited_data_with_a_matching_hash_is_caught_by_the_source(books):
    forged = canonical(7).replace(b"107.00", b"907.00")
    attacker(
        (
            "UPDATE transparency_logleaf SET data = %s, leaf_hash = %s WHERE [index] = 7",
            [forged, sha_leaf(forged)],
        )
    )
    finding = first(verify_log())
    assert (finding.index, finding.kind) == (7, "edited")
    assert "entry 7 (test-books)" in finding.message


def test_edited_everywhere_but_the_books_still_fails_the_signed_root(books):
    """Without a source, an edit that also rewrites the cached node is still caught at the
    covering subtree or the signed checkpoint."""
    sources.unregister("test-books")
    forged = b"forged"
    attacker(
        (
            "UPDATE transparency_logleaf SET data = %s, leaf_hash = %s WHERE [index] = 7",
            [forged, sha_leaf(forged)],
        )
    )
    finding = first(verify_log())
    assert finding.kind == "node" and finding.index == 6  # subtree 1/3 covers entries 6..7
    assert "entries 6..7" in finding.message


def test_removed_entry_leaves_a_gap(books):
    attacker(("DELETE FROM transparency_logleaf WHERE [index] = 9", []))
    finding = first(verify_log())
    assert (finding.index, finding.kind) == (9, "removed")


def test_removed_entry_with_later_ones_renumbered(books):
    attacker(
        ("DELETE FROM transparency_logleaf WHERE [index] = 9", []),
        ("UPDATE transparency_logleaf SET [index] = [index] - 1 WHERE [index] > 9", []),
    )
    finding = first(verify_log())
    assert (finding.index, finding.kind) == (9, "removed")


def test_reordered_entries(books):
    a, b = canonical(12), canonical(13)
    attacker(
        (
            "UPDATE transparency_logleaf SET data = %s, leaf_hash = %s WHERE [index] = 12",
            [b, sha_leaf(b)],
        ),
        (
            "UPDATE transparency_logleaf SET data = %s, leaf_hash = %s WHERE [index] = 13",
            [a, sha_leaf(a)],
        ),
    )
    finding = first(verify_log())
    assert (finding.index, finding.kind) == (12, "reordered")


def test_added_entry(books):
    extra = b'{"entry":"not in the books"}'
    attacker(
        (
            "INSERT INTO transparency_logleaf ([index], data, leaf_hash, appended_at) "
            "VALUES (%s, %s, %s, CURRENT_TIMESTAMP)",
            [N, extra, sha_leaf(extra)],
        )
    )
    finding = first(verify_log())
    assert (finding.index, finding.kind) == (N, "added")


def test_added_entry_in_the_middle(books):
    extra = b'{"entry":"slipped in"}'
    attacker(
        ("UPDATE transparency_logleaf SET [index] = [index] + 1000 WHERE [index] >= 5", []),
        ("UPDATE transparency_logleaf SET [index] = [index] - 999 WHERE [index] >= 1005", []),
        (
            "INSERT INTO transparency_logleaf ([index], data, leaf_hash, appended_at) "
            "VALUES (5, %s, %s, CURRENT_TIMESTAMP)",
            [extra, sha_leaf(extra)],
        ),
    )
    finding = first(verify_log())
    assert (finding.index, finding.kind) == (5, "added")


def test_tampered_node_cache(books):
    attacker(
        (
            "UPDATE transparency_lognode SET hash = %s WHERE level = 2 AND %s = 1",
            [b"\x00" * 32, 1],
        )
    )
    finding = first(verify_log())
    assert finding.kind == "node" and finding.index == 0  # subtree 2/0 (entries 0..3)


def test_forged_checkpoint_root(books):
    attacker(
        (
            "UPDATE transparency_checkpoint SET root_hash = %s WHERE tree_size = 12",
            [b"\x01" * 32],
        )
    )
    report = verify_log()
    assert any("size 12" in str(f) and f.kind == "checkpoint" for f in report.findings)


def test_forged_checkpoint_signature(books):
    attacker(
        (
            "UPDATE transparency_checkpoint SET signature = %s WHERE tree_size = 5",
            [b"\x02" * 64],
        )
    )
    report = verify_log()
    assert [str(f) for f in report.findings] == [
        next(str(f) for f in report.findings if "signature does not verify" in str(f))
    ]
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())


def test_a_source_missing_an_entry(books):
    """The producer's books lost entry 3 (e.g. a journal row deleted): the log still has it."""
    rows = [(i, canonical(i)) for i in range(N) if i != 3]
    sources.register("test-books", lambda: iter(rows))
    finding = first(verify_log())
    assert finding.index == 3
