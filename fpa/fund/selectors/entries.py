"""The public journal: every posted entry of every kind with every field its leaf holds
(docs/fund-ledger-entries.md), the code -> name tables a citizen needs to rebuild a leaf, and the
lookup by receipt number, grant number or leaf hash. Entries hold no personal data: no donor or
beneficiary name, no memo (the memo is internal and never loaded here)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from fpa.core.pagination import Page, keyset_page
from fpa.fund import leaf, ledger_hook
from fpa.fund.models import ZERO, Account, Fund, JournalEntry, JournalLine
from fpa.organizations.models import Association

ENTRY_PAGE = 50
_HEX = re.compile(r"[0-9a-fA-F]{64}")
_B64 = re.compile(r"[A-Za-z0-9+/]{43}=")
_NUMBER = re.compile(r"[0-9]{1,9}")


def _entries(fund: Fund) -> QuerySet[JournalEntry]:
    lines = JournalLine.objects.select_related("account", "restriction").order_by("pk")
    return (
        JournalEntry.objects.filter(fund=fund)
        .select_related("category", "reverses", "reversed_by")
        .defer("memo", "posted_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


def public_entries(
    fund: Fund, *, kind: str = "", after: str | None = None, before: str | None = None
) -> Page:
    rows = _entries(fund)
    if kind:
        rows = rows.filter(kind=kind)
    return keyset_page(
        rows, key="number", after=after, before=before, size=ENTRY_PAGE, descending=True
    )


def public_entry(fund: Fund, number: int) -> JournalEntry | None:
    return _entries(fund).filter(number=number).first()


@dataclass(frozen=True)
class EntryFacts:
    """What the log holds about an entry besides the journal: its leaf hash and append time."""

    version: str
    leaf_hash: bytes | None
    appended_at: datetime | None  # UTC
    signed_append: bool  # the append time is inside the signed leaf bytes (version 2)
    back_dated: bool  # booked earlier than the entry before it
    previous_date: date | None

    @property
    def leaf_hash_hex(self) -> str:
        return self.leaf_hash.hex() if self.leaf_hash else ""

    @property
    def leaf_hash_b64(self) -> str:
        return base64.b64encode(self.leaf_hash).decode() if self.leaf_hash else ""

    @property
    def appended(self) -> str:
        return leaf.appended_stamp(self.appended_at) if self.appended_at else ""


def entry_facts(fund: Fund, entries: list[JournalEntry]) -> dict[int, EntryFacts]:
    """number -> EntryFacts for these entries (two queries whatever their count)."""
    indexes = [e.leaf_index for e in entries if e.leaf_index is not None]
    logged = ledger_hook.leaf_facts(indexes)
    previous = dict(
        JournalEntry.objects.filter(
            fund=fund, number__in=[e.number - 1 for e in entries if e.number > 1]
        ).values_list("number", "date")
    )
    facts = {}
    for entry in entries:
        hashed: bytes | None = None
        when: datetime | None = None
        if entry.leaf_index is not None and entry.leaf_index in logged:
            hashed, when = logged[entry.leaf_index]
        if entry.appended_at is not None:
            when = entry.appended_at
        before = previous.get(entry.number - 1)
        facts[entry.number] = EntryFacts(
            version=leaf.VERSION_2 if entry.appended_at is not None else leaf.VERSION_1,
            leaf_hash=hashed,
            appended_at=when.astimezone(UTC) if when else None,
            signed_append=entry.appended_at is not None,
            back_dated=before is not None and entry.date < before,
            previous_date=before,
        )
    return facts


def entry_amount(entry: JournalEntry) -> Decimal:
    return sum((line.debit for line in entry.lines.all()), ZERO)


def township_names(codes: list[str]) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(Association.objects.filter(code__in=codes).values_list("code", "name"))


def township_table(fund: Fund) -> list[tuple[str, str, str]]:
    """(code, name, division name) of every township under the fund's association, and of any
    township code an entry of the fund holds (a township merged since keeps its row)."""
    used = set(
        JournalEntry.objects.filter(fund=fund)
        .exclude(township_code="")
        .values_list("township_code", flat=True)
    )
    under = Association.objects.filter(
        kind=Association.Kind.TOWNSHIP, path__startswith=fund.association.path
    ).values_list("code", flat=True)
    rows = Association.objects.filter(code__in=used | set(under)).order_by("code")
    return [(a.code, a.name, a.division_name) for a in rows]


def account_chart() -> list[Account]:
    return list(Account.objects.order_by("code"))


@dataclass(frozen=True)
class Lookup:
    entry: JournalEntry | None
    error: str  # "" when found; "invalid" or "unknown"


def lookup(fund: Fund, query: str) -> Lookup:
    """By receipt number, grant number, leaf hash (hex or base64) or entry number."""
    q = (query or "").strip()
    if not q or len(q) > 100:
        return Lookup(None, "invalid")
    entries = JournalEntry.objects.filter(fund=fund).exclude(kind=JournalEntry.Kind.REVERSAL)
    found = entries.filter(receipt_number=q.upper()).order_by("number").first()
    found = found or entries.filter(grant_number=q.upper()).order_by("number").first()
    if found is not None:
        return Lookup(found, "")
    hashed: bytes | None = None
    if _HEX.fullmatch(q):
        hashed = bytes.fromhex(q)
    elif _B64.fullmatch(q):
        try:
            hashed = base64.b64decode(q, validate=True)
        except (binascii.Error, ValueError):
            hashed = None
    if hashed is not None:
        index = ledger_hook.index_of_hash(hashed)
        entry = (
            JournalEntry.objects.filter(fund=fund, leaf_index=index).first()
            if index is not None
            else None
        )
        return Lookup(entry, "" if entry else "unknown")
    if _NUMBER.fullmatch(q):
        entry = JournalEntry.objects.filter(fund=fund, number=int(q)).first()
        return Lookup(entry, "" if entry else "unknown")
    return Lookup(None, "unknown")


def ledger_totals(fund: Fund) -> dict[str, object]:
    """The sums of every line of every entry of the fund, per account (data.json's
    ``ledger_totals``): what a verifier recomputes from the leaves (docs/ledger.md)."""
    from django.db.models import Sum

    rows = (
        JournalLine.objects.filter(entry__fund=fund)
        .values("account__code", "account__name", "account__kind")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("account__code")
    )
    return {
        "entries": JournalEntry.objects.filter(fund=fund).count(),
        "accounts": [
            {
                "code": row["account__code"],
                "name": row["account__name"],
                "kind": row["account__kind"],
                "debit": leaf.money(row["debit"] or ZERO),
                "credit": leaf.money(row["credit"] or ZERO),
            }
            for row in rows
        ],
    }


def grant_is_public(entry: JournalEntry) -> bool:
    """Whether the entry's grant has a public page (its status is public)."""
    from fpa.fund.models import Grant
    from fpa.fund.selectors.public import PUBLIC_GRANT_STATUSES

    return (
        bool(entry.grant_number)
        and Grant.objects.filter(
            fund_id=entry.fund_id, number=entry.grant_number, status__in=PUBLIC_GRANT_STATUSES
        ).exists()
    )
