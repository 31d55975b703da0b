"""The stored log: dense appends inside the caller's transaction, cached subtree hashes that give
the reference proofs, append-only triggers, signed checkpoints."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fpa.transparency import merkle
from fpa.transparency.keys import key_hash, signing_key, verify_signature
from fpa.transparency.models import Checkpoint, LogLeaf, LogNode
from fpa.transparency.services import (
    ProofError,
    append_leaf,
    consistency_proof,
    inclusion_proof,
    latest_checkpoint,
    root_at,
    sign_checkpoint,
    tree_size,
)

pytestmark = pytest.mark.django_db


def leaves(n: int) -> list[bytes]:
    return [f"entry {i}".encode() * (i % 3 + 1) for i in range(n)]


def fill(n: int) -> list[bytes]:
    data = leaves(n)
    for leaf in data:
        append_leaf(leaf)
    return data


def test_appends_are_dense_and_hashed():
    data = fill(21)
    rows = list(LogLeaf.objects.order_by("index"))
    assert [r.index for r in rows] == list(range(21))
    assert [bytes(r.data) for r in rows] == data
    assert all(bytes(r.leaf_hash) == merkle.leaf_hash(bytes(r.data)) for r in rows)
    # One node per complete aligned subtree: 10 + 5 + 2 + 1 for 21 leaves.
    assert LogNode.objects.count() == 10 + 5 + 2 + 1
    assert tree_size() == 21


def test_roots_and_proofs_equal_the_reference_at_every_size():
    data = fill(37)
    for n in range(38):
        assert root_at(n) == merkle.mth(data[:n])
    for n in (1, 2, 7, 8, 9, 16, 31, 37):
        for m in range(n):
            assert inclusion_proof(m, n) == merkle.path(m, data[:n])
        for m in range(1, n + 1):
            expected = [] if m == n else merkle.proof(m, data[:n])
            assert consistency_proof(m, n) == expected


def test_proof_queries_do_not_grow_with_the_tree():
    fill(70)
    with CaptureQueriesContext(connection) as small:
        inclusion_proof(5, 9)
    with CaptureQueriesContext(connection) as large:
        inclusion_proof(33, 70)
        consistency_proof(13, 70)
    assert len(small) == 3  # the size, the leaves, the nodes
    assert len(large) == 6


def test_out_of_range_is_a_proof_error():
    fill(5)
    for call in (
        lambda: inclusion_proof(5, 5),
        lambda: inclusion_proof(-1, 5),
        lambda: inclusion_proof(0, 6),
        lambda: consistency_proof(4, 3),
        lambda: consistency_proof(1, 6),
        lambda: root_at(6),
    ):
        with pytest.raises(ProofError):
            call()


def test_append_rolls_back_with_the_callers_transaction():
    fill(3)
    with pytest.raises(RuntimeError), transaction.atomic():
        append_leaf(b"the journal entry failed after this")
        raise RuntimeError("journal entry refused")
    assert tree_size() == 3
    assert append_leaf(b"next").index == 3


def test_bad_leaves_are_refused():
    with pytest.raises(TypeError):
        append_leaf("text is not bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        append_leaf(b"x" * (64 * 1024 + 1))
    assert tree_size() == 0


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE transparency_logleaf SET data = %s",
        "DELETE FROM transparency_logleaf WHERE index >= 0 OR data = %s",
        "UPDATE transparency_lognode SET hash = %s",
        "DELETE FROM transparency_lognode WHERE level > 0 OR hash = %s",
        "UPDATE transparency_checkpoint SET body = %s",
        "DELETE FROM transparency_checkpoint WHERE id > 0 OR body = %s",
    ],
)
def test_triggers_refuse_update_and_delete(sql):
    fill(4)
    sign_checkpoint()
    quoted = sql.replace("index", connection.ops.quote_name("index"))
    value = "x" if "body" in sql else b"x"
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(quoted, [value])
    assert tree_size() == 4 and LogNode.objects.count() == 3 and Checkpoint.objects.count() == 2


def test_checkpoint_is_a_signed_note():
    data = fill(6)
    checkpoint = sign_checkpoint()
    key = signing_key()
    lines = checkpoint.note.split("\n")
    assert lines[0] == "test.fpa.invalid/care-fund-ledger"
    assert lines[1] == "6"
    assert base64.b64decode(lines[2]) == merkle.mth(data) == bytes(checkpoint.root_hash)
    assert lines[3].startswith("time ") and lines[3].endswith("Z")
    assert lines[4] == ""
    dash, name, blob = lines[5].split(" ")
    assert dash == "\u2014" and name == key.name
    raw = base64.b64decode(blob)
    assert raw[:4] == key_hash(key.name, key.public_bytes) == bytes.fromhex(checkpoint.key_id)
    assert checkpoint.note == checkpoint.body + "\n" + lines[5] + "\n"
    assert verify_signature(key.public_bytes, raw[4:], checkpoint.body.encode())
    assert not verify_signature(
        key.public_bytes, raw[4:], checkpoint.body.replace("6", "7").encode()
    )


def test_latest_checkpoint_signs_when_stale():
    fill(2)
    first = latest_checkpoint()  # none yet: signs
    assert first.tree_size == 2
    fill(1)
    assert latest_checkpoint().pk == first.pk  # grown, but within the interval
    # Checkpoints cannot be edited: store an older one as if signed two hours ago.
    old = timezone.now() - timedelta(hours=2)
    stale = Checkpoint.objects.create(
        tree_size=2,
        root_hash=first.root_hash,
        created_at=old,
        key_name=first.key_name,
        key_id=first.key_id,
        signature=first.signature,
        body=first.body,
        note=first.note,
    )
    fresh = latest_checkpoint()
    assert fresh.pk > stale.pk and fresh.tree_size == 3
    assert latest_checkpoint(sign_if_stale=False).pk == fresh.pk


def test_generate_ledger_key_writes_a_private_pem_once(tmp_path, settings):
    from io import StringIO

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.core.management import call_command

    settings.FPA_LEDGER_KEY_FILE = str(tmp_path / "var" / "ledger-key.pem")
    call_command("generate_ledger_key", stdout=StringIO())
    path = tmp_path / "var" / "ledger-key.pem"
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    assert path.stat().st_mode & 0o777 == 0o600
    before = path.read_bytes()
    out = StringIO()
    call_command("generate_ledger_key", stdout=out)
    assert "exists" in out.getvalue() and path.read_bytes() == before


def test_sign_checkpoint_command():
    from io import StringIO

    from django.core.management import call_command

    fill(3)
    out = StringIO()
    call_command("sign_checkpoint", stdout=out)
    assert "size 3" in out.getvalue()
    assert Checkpoint.objects.order_by("-id").first().tree_size == 3


def test_bulk_nodes_equal_the_appended_ones():
    from fpa.transparency.services import complete_nodes

    data = fill(45)
    stored = {(n.level, n.index): bytes(n.hash) for n in LogNode.objects.all()}
    bulk = {(lv, i): h for lv, i, h in complete_nodes(0, [merkle.leaf_hash(d) for d in data])}
    assert bulk == stored
    with pytest.raises(ValueError):
        list(complete_nodes(3, [merkle.leaf_hash(d) for d in data[:4]]))
