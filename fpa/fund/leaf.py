"""The canonical leaf bytes of a journal entry in the public transparency log (versions 1 and 2).

Pure and deterministic: UTF-8 JSON with keys sorted, no whitespace, non-ASCII characters kept as
they are; amounts are strings in yuan with exactly two decimals; account codes as strings. No
personal data: no donor or beneficiary name, no free-text memo. The exact layout is documented in
docs/fund-ledger-entries.md; change it only by adding a new version string.

Version 2 (``fpa-fund-entry/2``) is version 1 plus the key ``appended``: the UTC second the entry
was appended to the log (``LogLeaf.appended_at``), inside the signed bytes, so that a back-dated
booking date is visible to anyone. Entries posted before version 2 keep their version 1 leaf
(``JournalEntry.appended_at`` is null for them) and are recomputed as version 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

VERSION_1 = "fpa-fund-entry/1"
VERSION_2 = "fpa-fund-entry/2"
VERSION = VERSION_2  # what new entries get
TWO_PLACES = Decimal("0.01")

if TYPE_CHECKING:
    from fpa.fund.models import JournalEntry


@dataclass(frozen=True)
class LeafLine:
    account: str
    debit: Decimal
    credit: Decimal
    restriction: str | None


def money(value: Decimal) -> str:
    return str(Decimal(value).quantize(TWO_PLACES))


def appended_stamp(when: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC, truncated to the second (the v2 ``appended`` value)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode(
    *,
    fund: str,
    number: int,
    date: str,
    kind: str,
    category: str,
    township: str,
    receipt: str,
    grant: str,
    reverses: int | None,
    lines: Iterable[LeafLine],
    appended: datetime | None = None,
) -> bytes:
    """Version 2 when ``appended`` is given (the time of the append), else version 1."""
    document: dict[str, object] = {
        "v": VERSION_1 if appended is None else VERSION_2,
        "fund": fund,
        "number": number,
        "date": date,
        "kind": kind,
        "category": category,
        "township": township,
        "receipt": receipt,
        "grant": grant,
        "reverses": reverses,
        "lines": [
            {
                "account": line.account,
                "debit": money(line.debit),
                "credit": money(line.credit),
                "restriction": line.restriction,
            }
            for line in lines
        ],
    }
    if appended is not None:
        document["appended"] = appended_stamp(appended)
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def entry_leaf(entry: JournalEntry) -> bytes:
    """The leaf of a stored entry (its lines in id order), as verify_ledger recomputes it: in the
    entry's own version (2 when it records its append time, 1 for the entries posted before)."""
    lines = [
        LeafLine(
            account=line.account.code,
            debit=line.debit,
            credit=line.credit,
            restriction=line.restriction.code if line.restriction is not None else None,
        )
        for line in sorted(entry.lines.all(), key=lambda line: line.pk)
    ]
    reverses = entry.reverses
    return encode(
        fund=entry.fund.association.code,
        number=entry.number,
        date=entry.date.isoformat(),
        kind=entry.kind,
        category=entry.category.code,
        township=entry.township_code,
        receipt=entry.receipt_number,
        grant=entry.grant_number,
        reverses=reverses.number if reverses is not None else None,
        lines=lines,
        appended=entry.appended_at,
    )
