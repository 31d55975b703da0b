"""The canonical leaf bytes of a journal entry in the public transparency log (version 1).

Pure and deterministic: UTF-8 JSON with keys sorted, no whitespace, non-ASCII characters kept as
they are; amounts are strings in yuan with exactly two decimals; account codes as strings. No
personal data: no donor or beneficiary name, no free-text memo. The exact layout is documented in
docs/fund-ledger-entries.md; change it only by adding a new version string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

VERSION = "fpa-fund-entry/1"
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
) -> bytes:
    document = {
        "v": VERSION,
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
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def entry_leaf(entry: JournalEntry) -> bytes:
    """The leaf of a stored entry (its lines in id order), as verify_ledger recomputes it."""
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
    )
