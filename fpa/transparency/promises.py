"""Receipts that prove themselves: the operator's signed promise of inclusion (docs/ledger.md,
"Receipt promises").

A promise is a C2SP signed note made with the ledger's own key (same key name as the
checkpoints). Its body is seven lines, each ending with a newline:

    fpa-fund-receipt/1
    <origin>
    <receipt number>
    <leaf index>
    <leaf hash, base64>
    <tree size of the first checkpoint that included the leaf>
    <root hash of that checkpoint, base64>

then an empty line and the signature line ``— <key name> base64(key id ‖ Ed25519 signature)``.
The first line differs from every checkpoint's (a checkpoint starts with the origin), so a
promise can never be mistaken for a checkpoint or the reverse. Ed25519 is deterministic: the same
receipt, leaf and checkpoint always give the same note, so printing it twice gives one text.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpa.transparency.keys import signing_key
from fpa.transparency.models import Checkpoint, LogLeaf
from fpa.transparency.services import b64, latest_checkpoint

HEADER = "fpa-fund-receipt/1"


@dataclass(frozen=True)
class Promise:
    receipt: str
    index: int
    leaf_hash: bytes
    tree_size: int
    root: bytes
    checkpoint_id: int
    body: str
    note: str

    @property
    def leaf_hash_hex(self) -> str:
        return self.leaf_hash.hex()

    @property
    def leaf_hash_b64(self) -> str:
        return b64(self.leaf_hash)

    @property
    def root_b64(self) -> str:
        return b64(self.root)


def promise_body(
    origin: str, receipt: str, index: int, leaf_hash: bytes, size: int, root: bytes
) -> str:
    return f"{HEADER}\n{origin}\n{receipt}\n{index}\n{b64(leaf_hash)}\n{size}\n{b64(root)}\n"


def first_checkpoint(index: int) -> Checkpoint | None:
    """The first checkpoint whose tree includes entry ``index``; one is signed on demand when
    none does yet (or None when the ledger is under review and nothing can be signed)."""
    found = Checkpoint.objects.filter(tree_size__gt=index).order_by("id").first()
    if found is not None:
        return found
    latest = latest_checkpoint(covering=index + 1)
    return latest if latest is not None and latest.tree_size > index else None


def receipt_promise(receipt: str, index: int) -> Promise | None:
    """The signed promise that the leaf at ``index`` (receipt ``receipt``) is in the log, pinned
    to the first checkpoint that included it; None when there is no such leaf or checkpoint."""
    hashed = LogLeaf.objects.filter(index=index).values_list("leaf_hash", flat=True).first()
    if hashed is None:
        return None
    checkpoint = first_checkpoint(index)
    if checkpoint is None:
        return None
    key = signing_key()
    root = bytes(checkpoint.root_hash)
    body = promise_body(key.name, receipt, index, bytes(hashed), checkpoint.tree_size, root)
    signature = key.sign(body.encode())
    note = f"{body}\n\u2014 {key.name} {b64(key.key_id + signature)}\n"
    return Promise(
        receipt=receipt,
        index=index,
        leaf_hash=bytes(hashed),
        tree_size=checkpoint.tree_size,
        root=root,
        checkpoint_id=checkpoint.pk,
        body=body,
        note=note,
    )
