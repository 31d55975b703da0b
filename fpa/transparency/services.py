"""Writing to and reading from the append-only Merkle log (docs/ledger.md).

``append_leaf`` runs inside the caller's transaction: the fund posts a journal entry and appends
its canonical bytes in one atomic block, and if either fails both roll back. Appends are
serialised by a transaction-scoped lock (PostgreSQL: an advisory xact lock; SQLite: the
database's single writer, as every transaction starts IMMEDIATE in our settings), so indexes are
dense, unique and in commit order.

Every complete aligned subtree's hash is stored once (``LogNode``) when its last leaf arrives, so
a root or proof at any size is a fold over O(log² n) stored hashes fetched in two queries.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.errors import ServiceError
from fpa.transparency import merkle
from fpa.transparency.keys import signing_key
from fpa.transparency.models import Checkpoint, LogLeaf, LogNode, node_key

MAX_LEAF_BYTES = 64 * 1024
# pg_advisory_xact_lock key of the log: "fpa_log" in ASCII.
ADVISORY_LOCK_KEY = int.from_bytes(b"fpa_log", "big")
MAX_STALENESS = timedelta(days=1)


class ProofError(ServiceError):
    code = "out_of_range"


class LogCorrupted(Exception):
    """A stored node or leaf that must exist is missing: the tables were tampered with."""


# --- Appending ---------------------------------------------------------------------------------


def _lock_log() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite: BEGIN IMMEDIATE (settings) already holds the database's one write lock.


def tree_size() -> int:
    last = LogLeaf.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def append_leaf(leaf: bytes) -> LogLeaf:
    """Append ``leaf`` (canonical bytes) as the next entry; return the stored leaf.

    Call it inside your own ``transaction.atomic()`` block together with the write the leaf
    records; it nests (a savepoint) and holds the log's lock until your transaction ends.
    """
    if not isinstance(leaf, bytes | bytearray | memoryview):
        raise TypeError("a leaf is bytes")
    data = bytes(leaf)
    if len(data) > MAX_LEAF_BYTES:
        raise ValueError(f"a leaf is at most {MAX_LEAF_BYTES} bytes")
    with transaction.atomic():
        _lock_log()
        index = tree_size()
        hashed = merkle.leaf_hash(data)
        # The left siblings of the subtrees this leaf completes.
        lefts: list[tuple[int, int]] = []
        j, level = index, 0
        while j & 1:
            lefts.append((level, j - 1))
            j >>= 1
            level += 1
        known = _node_hashes(lefts)
        row = LogLeaf.objects.create(index=index, data=data, leaf_hash=hashed)
        nodes, right, j, level = [], hashed, index, 0
        while j & 1:
            right = merkle.node_hash(known[(level, j - 1)], right)
            j >>= 1
            level += 1
            nodes.append(LogNode(key=node_key(level, j), level=level, index=j, hash=right))
        if nodes:
            LogNode.objects.bulk_create(nodes)
    return row


def complete_nodes(start: int, leaf_hashes: list[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """(level, index, hash) of every complete aligned subtree inside leaves [start, start +
    len(leaf_hashes)), level >= 1: the same nodes ``append_leaf`` stores one by one, for a bulk
    load (the bench). ``start`` must be a multiple of a power of two at least the batch."""
    level_hashes, level, first = leaf_hashes, 0, start
    while len(level_hashes) > 1:
        if first % 2:
            raise ValueError("start is not aligned to the batch")
        level_hashes = [
            merkle.node_hash(level_hashes[i], level_hashes[i + 1])
            for i in range(0, len(level_hashes) - 1, 2)
        ]
        level += 1
        first //= 2
        for i, h in enumerate(level_hashes):
            yield level, first + i, h


# --- Reading -----------------------------------------------------------------------------------


def _node_hashes(wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    wanted = set(wanted)
    leaves = [index for level, index in wanted if level == 0]
    keys = [node_key(level, index) for level, index in wanted if level > 0]
    found: dict[tuple[int, int], bytes] = {}
    if leaves:
        for index, h in LogLeaf.objects.filter(index__in=leaves).values_list("index", "leaf_hash"):
            found[(0, index)] = bytes(h)
    if keys:
        rows = LogNode.objects.filter(key__in=keys).values_list("level", "index", "hash")
        for level, index, h in rows:
            found[(level, index)] = bytes(h)
    missing = wanted - found.keys()
    if missing:
        raise LogCorrupted(f"the log is missing stored hashes {sorted(missing)[:5]}")
    return found


def _range_hashes(ranges: list[tuple[int, int]]) -> list[bytes]:
    covers = [merkle.aligned_cover(a, b) for a, b in ranges]
    known = _node_hashes(node for cover in covers for node in cover)
    return [merkle.fold_cover([known[node] for node in cover]) for cover in covers]


def _check_size(size: int, *, current: int | None = None) -> int:
    current = tree_size() if current is None else current
    if size < 0 or size > current:
        raise ProofError(
            gettext("树的大小必须在 0 到 %(max)s 之间。") % {"max": current}, field="tree_size"
        )
    return current


def root_at(size: int) -> bytes:
    """MTH of the first ``size`` leaves."""
    _check_size(size)
    if size == 0:
        return merkle.EMPTY_ROOT
    return _range_hashes([(0, size)])[0]


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """PATH(index, D[size])."""
    _check_size(size)
    if not 0 <= index < size:
        raise ProofError(
            gettext("条目序号必须在 0 到 %(max)s 之间。") % {"max": size - 1}, field="index"
        )
    return _range_hashes(merkle.inclusion_ranges(index, size))


def consistency_proof(first: int, second: int) -> list[bytes]:
    """PROOF(first, D[second]); empty when first == second or first == 0."""
    _check_size(second)
    if not 0 <= first <= second:
        raise ProofError(
            gettext("第一个大小必须在 0 到 %(max)s 之间。") % {"max": second}, field="first"
        )
    if first in (0, second):
        return []
    return _range_hashes(merkle.consistency_ranges(first, second))


# --- Checkpoints -------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def checkpoint_body(origin: str, size: int, root: bytes, when: datetime) -> str:
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{origin}\n{size}\n{b64(root)}\ntime {stamp}\n"


def sign_checkpoint() -> Checkpoint:
    """Sign the current tree head (a C2SP tlog-checkpoint signed note) and store it."""
    key = signing_key()
    size = tree_size()
    root = root_at(size)
    now = timezone.now().replace(microsecond=0)
    body = checkpoint_body(key.name, size, root, now)
    signature = key.sign(body.encode())
    note = f"{body}\n\u2014 {key.name} {b64(key.key_id + signature)}\n"
    return Checkpoint.objects.create(
        tree_size=size,
        root_hash=root,
        created_at=now,
        key_name=key.name,
        key_id=key.key_id.hex(),
        signature=signature,
        body=body,
        note=note,
    )


def latest_checkpoint(*, sign_if_stale: bool = True, covering: int = 0) -> Checkpoint | None:
    """The newest checkpoint; a new one is signed first when the newest is stale: the tree grew
    and it is older than FPA_LEDGER_CHECKPOINT_INTERVAL, or it is older than a day, or there is
    none. This keeps "signed at least daily" true for anyone who looks, without a timer.

    ``covering``: also sign when the newest checkpoint has fewer than this many entries and the
    tree has them (a donor asking for the proof of an entry appended a minute ago). Anonymous
    callers cannot append, so this signs at most once per append.
    """
    newest = Checkpoint.objects.order_by("-id").first()
    if not sign_if_stale:
        return newest
    if newest is None:
        return sign_checkpoint()
    age = timezone.now() - newest.created_at
    interval = timedelta(seconds=settings.FPA_LEDGER_CHECKPOINT_INTERVAL)
    if age >= MAX_STALENESS:
        return sign_checkpoint()
    if covering > newest.tree_size or age >= interval:
        size = tree_size()
        if size > newest.tree_size and (age >= interval or size >= covering):
            return sign_checkpoint()
    return newest
