"""The seam to the transparency log (fpa.transparency). Every posted entry's leaf is appended in
the posting transaction; `register_source` lets verify_ledger recompute the leaves from the
journal and name the index of an edited, removed or reordered entry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from django.http import HttpRequest


def available() -> bool:
    return apps.is_installed("fpa.transparency")


def append(leaf: bytes, appended_at: datetime | None = None) -> int | None:
    """Append the leaf to the public log (stamped ``appended_at``, the time a version 2 leaf
    holds); its index, or None when no log is installed."""
    if not available():
        return None
    from fpa.transparency.services import append_leaf

    return int(append_leaf(leaf, appended_at=appended_at).index)


def rows() -> Iterator[tuple[int, bytes]]:
    """(leaf index, leaf bytes recomputed from the journal), in index order."""
    from fpa.fund.leaf import entry_leaf
    from fpa.fund.models import JournalEntry

    entries = (
        JournalEntry.objects.filter(leaf_index__isnull=False)
        .select_related("fund__association", "category", "reverses")
        .prefetch_related("lines__account", "lines__restriction")
        .order_by("leaf_index")
    )
    for entry in entries.iterator(chunk_size=2000):
        assert entry.leaf_index is not None  # filtered above
        yield entry.leaf_index, entry_leaf(entry)


def register_source() -> None:
    if not available():
        return
    from fpa.transparency.sources import register

    register("fund", rows)


def proof_url(request: HttpRequest, index: int | None) -> str | None:
    """Where anyone checks the entry's inclusion proof, when the public log is installed."""
    if index is None or not available():
        return None
    from django.urls import NoReverseMatch, reverse

    try:
        return request.build_absolute_uri(
            reverse("transparency:leaf", kwargs={"index": str(index)})
        )
    except NoReverseMatch:
        return None


def leaf_facts(indexes: list[int]) -> dict[int, tuple[bytes, datetime]]:
    """index -> (leaf hash, time the log appended it), for the public entry pages."""
    if not indexes or not available():
        return {}
    from fpa.transparency.models import LogLeaf

    rows = LogLeaf.objects.filter(index__in=indexes).values_list(
        "index", "leaf_hash", "appended_at"
    )
    return {index: (bytes(hashed), when) for index, hashed, when in rows}


def index_of_hash(leaf_hash: bytes) -> int | None:
    """The log index of the leaf whose RFC 6962 hash is ``leaf_hash``, or None."""
    if len(leaf_hash) != 32 or not available():
        return None
    from fpa.transparency.models import LogLeaf

    found = LogLeaf.objects.filter(leaf_hash=leaf_hash).values_list("index", flat=True).first()
    return None if found is None else int(found)


def receipt_promise(receipt: str, index: int | None) -> Any:
    """The operator's signed promise of inclusion for a receipt's leaf
    (fpa.transparency.promises.Promise), or None."""
    if index is None or not available():
        return None
    from fpa.transparency.promises import receipt_promise as promise

    return promise(receipt, index)
