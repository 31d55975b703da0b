"""Reads of the public ledger: checkpoints and leaves, as the public pages and the JSON API show
them (the ledger is public: no scope; nothing here reads what the leaves stand for)."""

from __future__ import annotations

import datetime

from fpa.transparency.models import Checkpoint, LogLeaf, Witness


def checkpoints_before(*, before: int | None, limit: int) -> list[Checkpoint]:
    """Newest first, below the id `before` when given: at most `limit + 1` (one more says that
    an older page exists)."""
    rows = Checkpoint.objects.order_by("-id").prefetch_related("cosignatures__witness")
    if before is not None:
        rows = rows.filter(id__lt=before)
    return list(rows[: limit + 1])


def leaves(*, start: int, limit: int) -> list[tuple[int, bytes, bytes]]:
    """(index, data, leaf hash) of the leaves from `start`, at most `limit`, in order."""
    rows = (
        LogLeaf.objects.filter(index__gte=start, index__lt=start + limit)
        .order_by("index")
        .values_list("index", "data", "leaf_hash")
    )
    return [(index, bytes(data), bytes(digest)) for index, data, digest in rows]


def leaf(index: int) -> tuple[bytes, bytes, datetime.datetime]:
    """(data, leaf hash, appended at) of one leaf (LogLeaf.DoesNotExist when there is none)."""
    data, digest, appended_at = LogLeaf.objects.values_list("data", "leaf_hash", "appended_at").get(
        index=index
    )
    return bytes(data), bytes(digest), appended_at


def active_witnesses() -> list[Witness]:
    return list(Witness.objects.filter(active=True).order_by("id"))


def all_witnesses() -> list[Witness]:
    """Active first, then the removed ones (kept with their reason)."""
    return list(Witness.objects.order_by("-active", "id"))


def newest_checkpoint_head() -> Checkpoint | None:
    """The newest checkpoint's id and size (the public page's "covers the latest" mark)."""
    return Checkpoint.objects.order_by("-id").only("id", "tree_size").first()
