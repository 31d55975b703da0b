"""Re-derive the whole log and check it (``manage.py verify_ledger``, docs/ledger.md).

1. Every stored leaf: indexes are 0..n-1 without gaps, and ``leaf_hash == SHA-256(0x00 || data)``.
2. Every registered source (``fpa.transparency.sources``): the leaf bytes it recomputes from its
   own tables equal the stored leaves, index by index; the first difference is named and
   classified as edited, removed, reordered or added.
3. The tree is rebuilt level by level from the leaves; every cached subtree hash must match.
   2b. The journal the sources recompute gives every signed root (checkpoint rows and the heads
   remembered outside the database), even if the log table was rewritten to match it; the first
   changed entry is named (between the last agreeing and the first disagreeing signed size).
4. Every checkpoint: its size and root equal the rebuilt tree's at that size, its text says so,
   its signature verifies under a trusted key; consecutive checkpoints never shrink and are
   consistent (an RFC 9162 consistency proof from the verified cache verifies between them).
   A log with entries and no checkpoint fails; so does a remembered head newer than every row.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from fpa.transparency import merkle, witness
from fpa.transparency.keys import trusted_public_keys, verify_signature
from fpa.transparency.models import Checkpoint, LogLeaf, LogNode
from fpa.transparency.sources import registered

CHUNK = 20_000


@dataclass(frozen=True)
class Finding:
    index: int | None  # the leaf index concerned (None: not about one leaf)
    kind: str  # edited | removed | reordered | added | hash | node | checkpoint
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Report:
    leaves: int = 0
    checkpoints: int = 0
    sources: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, index: int | None, kind: str, message: str) -> None:
        self.findings.append(Finding(index, kind, message))


def stored_leaves() -> Iterator[tuple[int, bytes, bytes]]:
    rows = LogLeaf.objects.order_by("index").values_list("index", "data", "leaf_hash")
    for index, data, digest in rows.iterator(chunk_size=CHUNK):
        yield index, bytes(data), bytes(digest)


def check_leaves(report: Report) -> list[bytes]:
    """Step 1; returns the recomputed leaf hashes in index order (what the tree is built from)."""
    sha = hashlib.sha256
    hashes: list[bytes] = []
    expected = 0
    for index, data, stored_hash in stored_leaves():
        if index != expected:
            report.add(
                expected,
                "removed",
                f"entry {expected} is missing from the log (the next stored entry is {index}): "
                "an entry was removed",
            )
            return hashes
        computed = sha(b"\x00" + data).digest()
        if computed != bytes(stored_hash):
            report.add(
                index,
                "edited",
                f"entry {index}: its stored leaf hash is not SHA-256(0x00 || data): "
                "the entry was edited",
            )
        hashes.append(computed)
        expected += 1
    report.leaves = expected
    return hashes


def classify(recomputed: list[bytes], stored: list[bytes], i: int) -> tuple[str, str]:
    """Why the two sequences of leaf hashes first differ at position i."""
    if i >= len(stored):
        return "removed", "is missing from the log (removed)"
    if i >= len(recomputed):
        return "added", "is in the log but the source has no such entry (added)"
    later_r = set(recomputed[i + 1 :])
    later_s = set(stored[i + 1 :])
    if stored[i] in later_r and recomputed[i] in later_s:
        return "reordered", "holds another entry of the log (entries were reordered)"
    if stored[i] in later_r:
        return "removed", "was removed from the log (later entries moved up)"
    if recomputed[i] in later_s:
        return "added", "is an entry the source does not have (an entry was added)"
    return "edited", "differs from what the source recomputes (the entry was edited)"


def check_sources(report: Report, leaf_hashes: list[bytes]) -> list[bytes] | None:
    """Step 2; returns the journal the sources recompute (leaf hashes for indexes 0, 1, ... as
    far as the sources produce them without a gap), or None when no source is registered."""
    sources = registered()
    report.sources = sorted(sources)
    claimed = bytearray(len(leaf_hashes))
    journal: dict[int, bytes] = {}
    for name in report.sources:
        sha = hashlib.sha256
        indexes: list[int] = []
        recomputed: list[bytes] = []
        for index, data in sources[name]():
            indexes.append(index)
            recomputed.append(sha(b"\x00" + data).digest())
            journal.setdefault(index, recomputed[-1])
        if indexes != sorted(set(indexes)):
            report.add(None, "source", f"source {name!r} does not yield its indexes in order")
            continue
        stored = [leaf_hashes[i] for i in indexes if 0 <= i < len(leaf_hashes)]
        for position, index in enumerate(indexes):
            if 0 <= index < len(claimed):
                claimed[index] = 1
            if position >= len(stored) or stored[position] != recomputed[position]:
                kind, why = classify(recomputed, stored, position)
                report.add(index, kind, f"entry {index} ({name}) {why}")
                break
    if sources:
        for index, flag in enumerate(claimed):
            if not flag:
                report.add(
                    index,
                    "added",
                    f"entry {index} is in the log but no source produced it (added)",
                )
                break
    if not sources:
        return None
    dense: list[bytes] = []
    while len(dense) in journal:
        dense.append(journal[len(dense)])
    return dense


def check_tree(report: Report, leaf_hashes: list[bytes], sizes: set[int]) -> dict[int, bytes]:
    """Step 3; returns the recomputed root at every signed size."""

    def check_nodes(level: int, hashes: list[bytes]) -> None:
        stored = LogNode.objects.filter(level=level).order_by("index").values_list("index", "hash")
        for expected, (index, value) in enumerate(stored.iterator(chunk_size=CHUNK)):
            if index != expected or index >= len(hashes) or bytes(value) != hashes[index]:
                first = index << level
                report.add(
                    first,
                    "node",
                    f"the cached hash of subtree {level}/{index} (entries {first}.."
                    f"{first + (1 << level) - 1}) does not match the entries",
                )
                return
        count = stored.count() if hashes else 0
        if count != len(hashes):
            first = count << level
            report.add(first, "node", f"the cached subtree {level}/{count} is missing")

    roots = roots_at(leaf_hashes, sizes, on_level=check_nodes)
    roots[0] = merkle.EMPTY_ROOT
    return roots


@dataclass(frozen=True)
class SignedHead:
    tree_size: int
    root_hash: bytes
    label: str


def signed_heads(report: Report) -> list[SignedHead]:
    """Every (size, root) the server signed: the checkpoint rows and the heads it remembers
    outside the database (``witness``); a remembered head newer than every row is a finding."""
    from fpa.transparency.services import signature_ok

    # Rows whose signature does not verify are not signed heads (step 4 reports them).
    heads = [
        SignedHead(cp.tree_size, bytes(cp.root_hash), f"checkpoint #{cp.pk} (size {cp.tree_size})")
        for cp in Checkpoint.objects.order_by("id")
        if signature_ok(cp)
    ]
    newest_row = max((h.tree_size for h in heads), default=None)
    try:
        remembered = witness.read()
    except witness.WitnessError as error:
        report.add(None, "checkpoint", f"the file of signed heads cannot be read: {error}")
        remembered = []
    for head in remembered:
        heads.append(
            SignedHead(
                head.tree_size,
                head.root_hash,
                f"the signed head of size {head.tree_size} kept in {witness.path()}",
            )
        )
    if remembered and (newest_row is None or remembered[-1].tree_size > newest_row):
        report.add(
            None,
            "checkpoint",
            f"the server signed a checkpoint of {remembered[-1].tree_size} entries (kept in "
            f"{witness.path()}) but the newest checkpoint in the database has "
            f"{'none' if newest_row is None else newest_row}: checkpoint rows were deleted",
        )
    return heads


def roots_at(
    leaf_hashes: list[bytes],
    sizes: set[int],
    on_level: Callable[[int, list[bytes]], None] | None = None,
) -> dict[int, bytes]:
    """MTH of the first m leaf hashes for every m in ``sizes`` (m <= len), in one pass;
    ``on_level(level, hashes)`` sees every level above the leaves (then all are built)."""
    n = len(leaf_hashes)
    covers: dict[int, list[bytes]] = {m: [] for m in sizes if 0 < m <= n}
    level, hashes = 0, leaf_hashes
    sha = hashlib.sha256
    while covers or on_level is not None:
        for m, cover in covers.items():
            if m >> level & 1:
                cover.append(hashes[(m >> level) - 1])
        if len(hashes) < 2:
            break
        hashes = [
            sha(b"\x01" + hashes[i] + hashes[i + 1]).digest() for i in range(0, len(hashes) - 1, 2)
        ]
        level += 1
        if on_level is not None:
            on_level(level, hashes)
    roots = {m: merkle.fold_cover(cover[::-1]) for m, cover in covers.items()}
    if 0 in sizes:
        roots[0] = merkle.EMPTY_ROOT
    return roots


def check_journal_against_signed(
    report: Report, journal: list[bytes], heads: list[SignedHead]
) -> None:
    """Step 2b: the journal the sources recompute must give every signed root, whatever the log
    table says (the log and the sources' tables may have been rewritten together). The first
    signed size whose recomputed root disagrees bounds the first changed entry: it lies between
    the largest agreeing signed size below it and that size."""
    sizes = {h.tree_size for h in heads if h.tree_size <= len(journal)}
    roots = roots_at(journal, sizes)
    bad = [h for h in heads if h.tree_size in roots and roots[h.tree_size] != h.root_hash]
    if not bad:
        return
    first_bad = min(bad, key=lambda h: h.tree_size)
    agreeing = [
        h.tree_size
        for h in heads
        if h.tree_size < first_bad.tree_size
        and h.tree_size in roots
        and roots[h.tree_size] == h.root_hash
    ]
    good = max(agreeing, default=0)
    where = (
        f"entry {good}"
        if first_bad.tree_size - good == 1
        else f"one of entries {good}..{first_bad.tree_size - 1} (no signed head between them)"
    )
    report.findings.insert(
        0,
        Finding(
            good,
            "signed",
            f"the journal recomputed from the sources first differs from what was signed at "
            f"{where}: its first {first_bad.tree_size} entries do not give the root of "
            f"{first_bad.label}; its first {good} entries give every signed root up to there",
        ),
    )


def check_remembered(report: Report, roots: dict[int, bytes], heads: list[SignedHead]) -> None:
    """Step 4b: every head remembered outside the database equals the rebuilt tree's."""
    for head in heads:
        if head.label.startswith("checkpoint #"):
            continue
        if head.tree_size > report.leaves:
            report.add(report.leaves, "removed", f"{head.label} covers entries beyond the log")
        elif roots.get(head.tree_size) != head.root_hash:
            report.add(
                head.tree_size - 1 if head.tree_size else None,
                "checkpoint",
                f"{head.label}: the root of the first {head.tree_size} entries is not the "
                "signed root",
            )


def check_checkpoints(report: Report, roots: dict[int, bytes], size: int) -> None:
    """Step 4."""
    from fpa.transparency.services import consistency_proof

    keys = trusted_public_keys()
    previous: Checkpoint | None = None
    for cp in Checkpoint.objects.order_by("id").iterator():
        report.checkpoints += 1
        label = f"checkpoint #{cp.pk} (size {cp.tree_size})"
        lines = cp.body.split("\n")
        signed_root = bytes(cp.root_hash)
        if (
            len(lines) < 4
            or lines[1] != str(cp.tree_size)
            or lines[2] != base64.b64encode(signed_root).decode()
        ):
            report.add(None, "checkpoint", f"{label}: its text does not say its size and root")
        if cp.tree_size > size:
            report.add(size, "removed", f"{label} covers entries beyond the log's end ({size})")
        elif roots.get(cp.tree_size) != signed_root:
            report.add(
                cp.tree_size - 1 if cp.tree_size else None,
                "checkpoint",
                f"{label}: the root of the first {cp.tree_size} entries is not the signed root",
            )
        key = keys.get(bytes.fromhex(cp.key_id))
        signature_line = cp.note[len(cp.body) :].strip("\n")
        if key is None:
            report.add(None, "checkpoint", f"{label}: signed by an unknown key {cp.key_id}")
        elif not verify_signature(key[1], bytes(cp.signature), cp.body.encode()):
            report.add(None, "checkpoint", f"{label}: the signature does not verify")
        elif not cp.note.startswith(cp.body + "\n") or signature_line != (
            f"\u2014 {key[0]} "
            + base64.b64encode(bytes.fromhex(cp.key_id) + bytes(cp.signature)).decode()
        ):
            report.add(None, "checkpoint", f"{label}: the published note is not the signed one")
        if previous is not None:
            if cp.tree_size < previous.tree_size:
                report.add(None, "checkpoint", f"{label} is smaller than the one before it")
            elif cp.tree_size <= size:
                proof = consistency_proof(previous.tree_size, cp.tree_size)
                if not merkle.verify_consistency(
                    previous.tree_size,
                    cp.tree_size,
                    bytes(previous.root_hash),
                    signed_root,
                    proof,
                ):
                    report.add(
                        None,
                        "checkpoint",
                        f"{label} is not consistent with checkpoint #{previous.pk}",
                    )
        previous = cp


def verify_log() -> Report:
    report = Report()
    leaf_hashes = check_leaves(report)
    journal = check_sources(report, leaf_hashes)
    structure_ok = report.ok  # the leaves and the sources agree: the tree can be rebuilt
    heads = signed_heads(report)
    if journal is not None:
        check_journal_against_signed(report, journal, heads)
    if report.leaves and not Checkpoint.objects.exists():
        report.add(
            None,
            "checkpoint",
            f"the log holds {report.leaves} entries but no signed checkpoint: the checkpoint "
            "history is missing",
        )
    if structure_ok:
        before = len(report.findings)
        roots = check_tree(report, leaf_hashes, {h.tree_size for h in heads})
        if len(report.findings) == before:
            check_checkpoints(report, roots, len(leaf_hashes))
            check_remembered(report, roots, heads)
    return report
