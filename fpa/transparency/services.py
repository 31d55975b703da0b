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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.actors import Actor
from fpa.core.audit import audit_record
from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from fpa.transparency import cosign, merkle, witness
from fpa.transparency.keys import signing_key, trusted_public_keys, verify_signature
from fpa.transparency.models import Checkpoint, LedgerAlarm, LogLeaf, LogNode, node_key

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


def append_leaf(leaf: bytes, *, appended_at: datetime | None = None) -> LogLeaf:
    """Append ``leaf`` (canonical bytes) as the next entry; return the stored leaf.

    ``appended_at`` (default: now) is stored as the leaf's ``appended_at``: a producer whose
    leaf bytes hold their own append time (the fund's ``fpa-fund-entry/2``) passes that time, so
    the bytes and the log agree.

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
        if index == 0 and not Checkpoint.objects.exists():
            # The genesis checkpoint (size 0): from the first entry on, the log always has a
            # signed history, so "entries but no checkpoint" means rows were deleted.
            _sign_or_alarm(actor=None, operator="", reason="")
        hashed = merkle.leaf_hash(data)
        # The left siblings of the subtrees this leaf completes.
        lefts: list[tuple[int, int]] = []
        j, level = index, 0
        while j & 1:
            lefts.append((level, j - 1))
            j >>= 1
            level += 1
        known = _node_hashes(lefts)
        row = LogLeaf.objects.create(
            index=index,
            data=data,
            leaf_hash=hashed,
            appended_at=appended_at if appended_at is not None else timezone.now(),
        )
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


class SigningRefused(ServiceError):
    """The server will not sign: the ledger is under review (an open ``LedgerAlarm``)."""

    code = "under_review"
    status = 503


@dataclass(frozen=True)
class Problem:
    kind: str  # LedgerAlarm.Kind
    message: str
    details: dict[str, Any]


def signature_ok(cp: Checkpoint) -> bool:
    """The checkpoint's text states its size and root and its signature verifies."""
    keys = trusted_public_keys()
    lines = cp.body.split("\n")
    if len(lines) < 4 or lines[1] != str(cp.tree_size) or lines[2] != b64(bytes(cp.root_hash)):
        return False
    key = keys.get(bytes.fromhex(cp.key_id)) if len(cp.key_id) == 8 else None
    return key is not None and verify_signature(key[1], bytes(cp.signature), cp.body.encode())


def _extends(old_size: int, old_root: bytes, size: int, root: bytes) -> bool:
    """Does the current log of ``size`` entries (root ``root``) extend the signed (old_size,
    old_root)? The RFC 6962 consistency proof is computed over the current log and verified."""
    if old_size > size:
        return False
    try:
        proof = consistency_proof(old_size, size)
    except LogCorrupted:
        return False
    return merkle.verify_consistency(old_size, size, old_root, root, proof)


def check_extension(size: int, root: bytes) -> Problem | None:
    """Why the current tree (size, root) must not be signed, or None.

    It must extend the newest checkpoint in the database (whose signature must verify) and the
    newest head the server remembers signing outside the database (``witness``); a log that
    holds entries needs a checkpoint history to extend.
    """
    newest = Checkpoint.objects.order_by("-id").first()
    try:
        heads = witness.read()
    except witness.WitnessError as error:
        return Problem("invalid", f"the file of signed heads cannot be read: {error}", {})
    remembered = heads[-1] if heads else None
    if newest is None:
        if size > 0:
            return Problem(
                "missing",
                f"the log holds {size} entries but no signed checkpoint",
                {"tree_size": size},
            )
        if remembered is not None:
            return Problem(
                "missing",
                f"the server signed a checkpoint of {remembered.tree_size} entries but the "
                "database holds none",
                {"remembered_size": remembered.tree_size},
            )
        return None
    label = f"checkpoint #{newest.pk} (size {newest.tree_size})"
    if not signature_ok(newest):
        return Problem(
            "invalid",
            f"{label}: its signature or its text does not verify",
            {"checkpoint": newest.pk},
        )
    details = {
        "checkpoint": newest.pk,
        "signed_size": newest.tree_size,
        "signed_root": b64(bytes(newest.root_hash)),
        "tree_size": size,
        "root": b64(root),
    }
    if not _extends(newest.tree_size, bytes(newest.root_hash), size, root):
        return Problem(
            "fork",
            f"the log of {size} entries is not an extension of {label}: the consistency proof "
            "does not verify",
            details,
        )
    if remembered is not None:
        details |= {
            "remembered_size": remembered.tree_size,
            "remembered_root": b64(remembered.root_hash),
        }
        if remembered.tree_size > newest.tree_size:
            return Problem(
                "missing",
                f"the server signed a checkpoint of {remembered.tree_size} entries; the newest "
                f"in the database is {label}: checkpoint rows were deleted",
                details,
            )
        same = (remembered.tree_size, remembered.root_hash) == (
            newest.tree_size,
            bytes(newest.root_hash),
        )
        if not same and not _extends(remembered.tree_size, remembered.root_hash, size, root):
            return Problem(
                "fork",
                f"the log of {size} entries is not an extension of the checkpoint of "
                f"{remembered.tree_size} entries the server remembers signing",
                details,
            )
    return None


def open_alarms() -> list[LedgerAlarm]:
    return list(LedgerAlarm.objects.filter(resolved_at__isnull=True).order_by("id"))


def under_review() -> bool:
    return LedgerAlarm.objects.filter(resolved_at__isnull=True).exists()


def _raise_alarm(problem: Problem, size: int) -> LedgerAlarm:
    alarm = LedgerAlarm.objects.create(
        kind=problem.kind, message=problem.message, details=problem.details, tree_size=size
    )
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,  # object_type transparency.ledgeralarm
        obj=alarm,
        changes={"kind": problem.kind, **problem.details},
        reason=problem.message,
    )
    return alarm


def _resolve(alarms: list[LedgerAlarm], *, actor: Actor | None, operator: str, reason: str) -> None:
    now = timezone.now()
    for alarm in alarms:
        LedgerAlarm.objects.filter(pk=alarm.pk).update(
            resolved_at=now, resolved_by=operator[:150], resolution=reason
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,  # the alarm, resolved
            obj=alarm,
            changes={"kind": alarm.kind},
            reason=reason,
            username=operator,
        )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ServiceError(gettext("请写明原因（至少 5 个字）。"), field="reason")
    return reason


@transaction.atomic
def resolve_alarms(*, actor: Actor | None, operator: str = "", reason: str) -> int:
    """An operator closes every open alarm after looking, with a stated reason (audited)."""
    reason = _require_reason(reason)
    alarms = open_alarms()
    _resolve(alarms, actor=actor, operator=operator or _who(actor), reason=reason)
    return len(alarms)


def _who(actor: Actor | None) -> str:
    return (actor.username if actor is not None else "") or "operator"


def _sign(size: int, root: bytes) -> Checkpoint:
    key = signing_key()
    now = timezone.now().replace(microsecond=0)
    body = checkpoint_body(key.name, size, root, now)
    signature = key.sign(body.encode())
    note = f"{body}\n\u2014 {key.name} {b64(key.key_id + signature)}\n"
    checkpoint = Checkpoint.objects.create(
        tree_size=size,
        root_hash=root,
        created_at=now,
        key_name=key.name,
        key_id=key.key_id.hex(),
        signature=signature,
        body=body,
        note=note,
    )
    # Still under the log's lock and before the commit: a commit that then fails leaves the
    # file ahead of the database, which raises a "missing" alarm (fail closed).
    witness.remember(size, root, note)
    cosign.enqueue_submission(checkpoint.pk)  # to the outside witnesses, once committed
    return checkpoint


@transaction.atomic
def _sign_or_alarm(*, actor: Actor | None, operator: str, reason: str) -> Checkpoint | LedgerAlarm:
    _lock_log()
    size = tree_size()
    root = root_at(size)
    if not reason:
        alarms = open_alarms()
        if alarms:
            return alarms[0]
    problem = check_extension(size, root)
    if not reason:
        if problem is not None:
            return _raise_alarm(problem, size)
        return _sign(size, root)
    _resolve(open_alarms(), actor=actor, operator=operator, reason=reason)
    checkpoint = _sign(size, root)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,  # object_type transparency.checkpoint
        obj=checkpoint,
        changes={
            "tree_size": size,
            "root": b64(root),
            "check": problem.message if problem else "ok",
        },
        reason=reason,
        username=operator,
    )
    return checkpoint


def sign_checkpoint(
    *, actor: Actor | None = None, operator: str = "", reason: str = ""
) -> Checkpoint:
    """Sign the current tree head (a C2SP tlog-checkpoint signed note) and store it.

    Without a reason (the daily timer, an anonymous request): only when the tree extends what
    was signed before (``check_extension``) and no alarm is open; otherwise an alarm is raised
    (audited, shown on the public page) and ``SigningRefused`` is raised. With a reason (an
    operator, after looking): open alarms are resolved and the tree is signed whatever the check
    says; both are audited with the reason and what the check found.
    """
    if reason:
        reason = _require_reason(reason)
        operator = operator or _who(actor)
    result = _sign_or_alarm(actor=actor, operator=operator, reason=reason)
    if isinstance(result, LedgerAlarm):
        raise SigningRefused(
            gettext("账本正在审查中，暂停签署新的检查点。") + f" ({result.kind}: {result.message})"
        )
    return result


def _wants_signature(newest: Checkpoint | None, covering: int) -> bool:
    if newest is None:
        return True
    age = timezone.now() - newest.created_at
    interval = timedelta(seconds=settings.FPA_LEDGER_CHECKPOINT_INTERVAL)
    if age >= MAX_STALENESS:
        return True
    if newest.tree_size == 0:  # the genesis checkpoint does not hold back the first real one
        return tree_size() > 0
    if covering > newest.tree_size or age >= interval:
        size = tree_size()
        if size > newest.tree_size and (age >= interval or size >= covering):
            return True
    return False


def latest_checkpoint(*, sign_if_stale: bool = True, covering: int = 0) -> Checkpoint | None:
    """The newest checkpoint; a new one is signed first when the newest is stale: the tree grew
    and it is older than FPA_LEDGER_CHECKPOINT_INTERVAL, or it is older than a day, or there is
    none. This keeps "signed at least daily" true for anyone who looks, without a timer.

    ``covering``: also sign when the newest checkpoint has fewer than this many entries and the
    tree has them (a donor asking for the proof of an entry appended a minute ago). Anonymous
    callers cannot append, so this signs at most once per append.

    A signature is only made when the tree extends what was signed (``sign_checkpoint``); when
    it is refused, or the ledger is under review, the newest stored checkpoint (or None) is
    returned as it is and nothing is signed.
    """
    newest = Checkpoint.objects.order_by("-id").first()
    if not sign_if_stale or not _wants_signature(newest, covering) or under_review():
        return newest
    try:
        return sign_checkpoint()
    except SigningRefused:
        return Checkpoint.objects.order_by("-id").first()
