"""Public comments and objections: what the public sees, what waits for staff, the writer's own
submissions, and the reviewer's warnings of names and addresses from the registries."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.pagination import Page, keyset_page
from fpa.families.models import Family
from fpa.fund.models import (
    Feedback,
    Fund,
    Grant,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User


def public_feedback(
    fund: Fund, *, grant: Grant | None = None, after: str | None = None, before: str | None = None
) -> Page:
    rows = Feedback.objects.filter(fund=fund, status=Feedback.Status.PUBLISHED).only(
        "id", "kind", "rating", "text", "reply", "replied_at", "reply_due", "created_at", "grant_id"
    )
    rows = rows.filter(grant=grant) if grant is not None else rows.filter(grant__isnull=True)
    return keyset_page(rows, key="id", after=after, before=before, descending=True, size=20)


def overdue_feedback(
    fund: Fund, today: datetime.date | None = None, limit: int = 100
) -> list[Feedback]:
    today = today or timezone.localdate()
    return list(
        Feedback.objects.filter(fund=fund, replied_at__isnull=True, reply_due__lt=today)
        .select_related("grant")
        .only("id", "kind", "reply_due", "created_at", "grant__number")
        .order_by("reply_due", "id")[:limit]
    )


class RatingSummary(TypedDict):
    average: float | None
    count: int


def rating_summary(fund: Fund, grant: Grant | None = None) -> RatingSummary:
    from django.db.models import Avg, Count

    rows = Feedback.objects.filter(
        fund=fund, kind=Feedback.Kind.COMMENT, status=Feedback.Status.PUBLISHED
    )
    rows = rows.filter(grant=grant) if grant is not None else rows.filter(grant__isnull=True)
    totals = rows.aggregate(average=Avg("rating"), count=Count("id"))
    return {"average": totals["average"], "count": totals["count"]}


HELD = Q(status=Feedback.Status.HELD)
# Waiting for a reply: held or published (a refused or taken-down text is not answered).
UNANSWERED = Q(
    replied_at__isnull=True, status__in=[Feedback.Status.HELD, Feedback.Status.PUBLISHED]
)


def feedback_list(
    *,
    user: User,
    open_only: bool = False,
    held_only: bool = False,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    rows = Feedback.objects.visible_to(user).select_related("grant", "owner", "reviewed_by")
    if open_only:
        rows = rows.filter(UNANSWERED)
    if held_only:
        rows = rows.filter(HELD)
    return keyset_page(rows, key="id", after=after, before=before, descending=True)


def feedback_waiting(*, user: User) -> dict[str, int]:
    """Public feedback in scope waiting for staff: held for review before publication, and
    without a reply yet (the feedback page's two filters, counted). One query."""
    totals = Feedback.objects.visible_to(user).aggregate(
        held=Count("id", filter=HELD), unanswered=Count("id", filter=UNANSWERED)
    )
    return {"held": totals["held"] or 0, "unanswered": totals["unanswered"] or 0}


def feedback_by_receipt(fund: Fund, receipts: Iterable[str]) -> list[Feedback]:
    """The writer's own submissions, found by the receipt codes they hold (from the link they
    were given, or the session that submitted them): status and reason, never anyone else's."""
    codes = [c for c in receipts if isinstance(c, str) and 0 < len(c) <= 32][:20]
    if not codes:
        return []
    return list(
        Feedback.objects.filter(fund=fund, receipt__in=codes)
        .only("id", "kind", "text", "status", "review_reason", "created_at", "reply", "grant_id")
        .order_by("-id")
    )


NAME_BATCH = 5000

# Chinese personal names are two to five characters; addresses end in a house, group or lane
# number (大庄村2号, 新城路12号): the two characters before 村/路/社 and the number are matched.
_HAN_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]{2,}")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{2}(?:村|社区|街|路|巷|组|社)\s*[0-9\uff10-\uff19一二三四五六七八九十]+\s*(?:号|组|社|栋)?"
)


def _name_candidates(text: str) -> set[str]:
    found: set[str] = set()
    for run in _HAN_RUN.findall(text):
        for size in (2, 3, 4, 5):
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    return found


def feedback_warnings(*, user: User, items: Iterable[Feedback]) -> dict[int, list[str]]:
    """For the reviewer: which held texts contain the name or the address of a person in the
    registries (special families' people, members, volunteers) that `user` may see. Reads only
    through each registry's `visible_to(user)`, answers only with the words already in the text
    and which registry matched, and is never shown to the writer. Three queries for names and
    three for addresses, whatever the number of items."""
    from fpa.families.models import Person
    from fpa.members.models import Member
    from fpa.volunteers.models import Volunteer

    items = list(items)
    names = {item.pk: _name_candidates(item.text) for item in items}
    addresses = {
        item.pk: {" ".join(m.split()) for m in _ADDRESS.findall(item.text)} for item in items
    }
    every_name = set().union(*names.values()) if names else set()
    every_address = set().union(*addresses.values()) if addresses else set()
    registries = (
        (gettext("特殊家庭成员"), Person, Family),
        (gettext("会员"), Member, Member),
        (gettext("志愿者"), Volunteer, Volunteer),
    )
    name_hits: dict[str, set[str]] = {}
    address_hits: dict[str, set[str]] = {}
    for label, people, homes in registries:
        ordered = sorted(every_name)
        for start in range(0, len(ordered), NAME_BATCH):  # within SQLite's variable limit
            batch = ordered[start : start + NAME_BATCH]
            found = people.objects.visible_to(user).filter(name__in=batch)
            for name in found.values_list("name", flat=True).distinct()[:200]:
                name_hits.setdefault(name, set()).add(label)
        if every_address:
            condition = Q()
            for fragment in list(every_address)[:20]:
                condition |= Q(address__contains=fragment)
            stored = (
                homes.objects.visible_to(user)
                .filter(condition)
                .values_list("address", flat=True)[:200]
            )
            for address in stored:
                for fragment in every_address:
                    if fragment in address:
                        address_hits.setdefault(fragment, set()).add(label)
    warnings: dict[int, list[str]] = {}
    for item in items:
        lines = [
            gettext("内容含有姓名“%(name)s”，与%(where)s登记的姓名相同。")
            % {"name": name, "where": "、".join(sorted(name_hits[name]))}
            for name in sorted(names[item.pk] & name_hits.keys())
        ]
        lines += [
            gettext("内容含有住址“%(address)s”，与%(where)s登记的住址相符。")
            % {"address": fragment, "where": "、".join(sorted(address_hits[fragment]))}
            for fragment in sorted(addresses[item.pk] & address_hits.keys())
        ]
        if lines:
            warnings[item.pk] = lines
    return warnings
