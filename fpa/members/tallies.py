"""Member counts per association, kept by the services and summed over a subtree at read time.

Why counters and not COUNT(*) over the subtree: with 10 million members a province-level count
would read millions of rows per request, whatever the index. A `MemberTally` row holds the active
members of one association by type and sex; every service that changes whether a member counts
(approval, status change, transfer, an edit of type or ID number) calls `move` inside its own
transaction, so the counter and the membership commit or roll back together. A township's figures
read its ~15 associations' few tally rows; the national root reads at most (associations x 8) rows.

`move` writes through `fpa.core.tallies.add`, the one upsert of every module's counters:
concurrent changes to the same association serialise on the row and none is lost.
`recount` rebuilds the tallies from the member table (operations: `manage.py check_member_tallies`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, QuerySet, Sum

from fpa.core import tallies as core_tallies
from fpa.members.models import Member, MemberTally

Key = tuple[int, str, str]  # association id, kind, sex
KEY_FIELDS = ("association", "kind", "sex")


def key_of(member: Member) -> Key | None:
    """The tally a member counts in, or None when it counts nowhere (not active)."""
    if member.status != Member.Status.ACTIVE:
        return None
    return (member.association_id, member.kind, member.sex or "")


def move(before: Key | None, after: Key | None) -> None:
    """A member left the tally `before` and joined `after` (either may be None)."""
    if before == after:
        return
    if before is not None:
        _add(before, -1)
    if after is not None:
        _add(after, 1)


def _add(key: Key, delta: int) -> None:
    core_tallies.add(MemberTally, dict(zip(KEY_FIELDS, key, strict=True)), delta, value="count")


def actual() -> dict[Key, int]:
    """The counts as the member table has them (a full scan: for checks, not for pages)."""
    rows = (
        Member.objects.filter(status=Member.Status.ACTIVE)
        .values("association_id", "kind", "sex")
        .annotate(n=Count("id"))
    )
    return {(r["association_id"], r["kind"], r["sex"] or ""): r["n"] for r in rows}


def stored() -> dict[Key, int]:
    return {
        (t.association_id, t.kind, t.sex): t.count
        for t in MemberTally.objects.exclude(count=0).iterator()
    }


def differences() -> dict[Key, tuple[int, int]]:
    """(stored, actual) for every tally that disagrees with the member table."""
    have, want = stored(), actual()
    return {
        key: (have.get(key, 0), want.get(key, 0))
        for key in set(have) | set(want)
        if have.get(key, 0) != want.get(key, 0)
    }


@transaction.atomic
def recount() -> int:
    """Rebuild the tallies from the member table; returns how many rows were rewritten."""
    want = actual()
    MemberTally.objects.all().delete()
    MemberTally.objects.bulk_create(
        [MemberTally(association_id=a, kind=k, sex=s, count=n) for (a, k, s), n in want.items()],
        batch_size=2000,
    )
    return len(want)


def summary(tallies: QuerySet[MemberTally]) -> dict[str, int]:
    """Totals from a queryset of tallies (already filtered to a subtree and scope)."""
    out = {"total": 0, "male": 0, "female": 0, **{kind: 0 for kind in Member.Kind.values}}
    for row in tallies.values("kind", "sex").annotate(n=Sum("count")):
        n = row["n"] or 0
        out["total"] += n
        out[row["kind"]] = out.get(row["kind"], 0) + n
        if row["sex"] == "M":
            out["male"] += n
        elif row["sex"] == "F":
            out["female"] += n
    return out
