"""What only PostgreSQL shows for the ledger: concurrent appends from several connections give
dense, unique indexes in commit order, and the triggers are installed."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from fpa.transparency import merkle
from fpa.transparency.models import LogLeaf
from fpa.transparency.services import append_leaf, root_at, tree_size
from tests.conftest import race, require_postgres


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    require_postgres()


def test_ledger_triggers_are_installed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'transparency_%%'"
        )
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == {
        "transparency_logleaf",
        "transparency_lognode",
        "transparency_checkpoint",
        "transparency_cosignature",
    }


def test_concurrent_appends_are_dense_unique_and_in_commit_order():
    threads, per_thread = 6, 15
    commit_order: list[int] = []
    order_lock = threading.Lock()

    def worker(number: int) -> None:
        for i in range(per_thread):
            with transaction.atomic():
                row = append_leaf(f"t{number}-{i}".encode())
                # The caller's own write in the same transaction, after the append.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.001)")
                with order_lock:
                    pending = row.index
            with order_lock:
                commit_order.append(pending)

    _, errors = race([lambda n=n: worker(n) for n in range(threads)])
    assert not errors, errors
    total = threads * per_thread
    assert sorted(commit_order) == list(range(total))
    rows = list(LogLeaf.objects.order_by("index").values_list("index", "data"))
    assert [index for index, _ in rows] == list(range(total))
    data = [bytes(d) for _, d in rows]
    assert len(set(data)) == total
    # Each thread's own entries appear in the order it made them.
    for n in range(threads):
        mine = [d for d in data if d.startswith(f"t{n}-".encode())]
        assert mine == [f"t{n}-{i}".encode() for i in range(per_thread)]
    assert tree_size() == total
    assert root_at(total) == merkle.mth(data)


def test_rolled_back_append_leaves_no_gap():
    append_leaf(b"a")
    with pytest.raises(RuntimeError), transaction.atomic():
        append_leaf(b"b")
        raise RuntimeError("caller failed")
    assert append_leaf(b"c").index == 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogLeaf.objects.filter(index=0).update(data=b"z")
