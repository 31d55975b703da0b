"""The activities' figures as tallies (`fpa.core.tallies`, the member tallies' mechanism): what
each record counts for, by key, so a service can move a record's counts in its own transaction.

A key is (association id, year, figure, dimension). Yearly figures (year of the activity's start,
local time) of a held or summarised activity:

- `activities`, `people`, `materials`, `highlights`, `consultations`, `checks`, `referrals` by
  category code (活动次数, 服务人次, 发放资料, 亮点, health services as counts);
- `theme_activities`, `theme_people` by theme code; `setting_activities` by setting (进学校 …);
- `group_people` by participant group (会员, 青少年 …);
- `media` by outlet (电视, 报纸, 微信公众号 …): the activity's media reports.

Stock figures (year 0): `sites` by site kind code (open sites), `experts` by specialty code and
under "" (active experts, each once), `peer_clubs` and `peer_members` under "".

Every key is kept twice: in `Tally` for the record's own association, and in `SubtreeTally` for
each county, prefecture and province above it (and the record's association itself when it is
one of those), so a figure of a whole county or province is read from its own rows. Moving an
association in the tree leaves the subtree rows of its old ancestors stale until
`check_activity_tallies --fix` (`recount`) rebuilds them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from fpa.activities.models import (
    PARTICIPANT_GROUPS,
    Activity,
    Expert,
    MediaReport,
    PeerClub,
    Site,
    SubtreeTally,
    Tally,
)
from fpa.core import tallies as core_tallies
from fpa.organizations.models import Association

Key = tuple[int, int, str, str]  # association id, year, figure, dimension
Counts = dict[Key, int]
FIELDS = ("association", "year", "figure", "dimension")
STOCK = 0  # the year of stock figures
PER_CATEGORY = ("activities", "people", "materials", "highlights")
HEALTH = ("consultations", "checks", "referrals")
# Where subtree totals are kept (a township's figures sum its ~15 associations' own rows).
ROLLUP_KINDS = (
    Association.Kind.COUNTY,
    Association.Kind.PREFECTURE,
    Association.Kind.PROVINCE,
)


def _put(out: Counts, key: Key, value: int) -> None:
    if value:
        out[key] = out.get(key, 0) + value


def of_activity(activity: Activity, media: Iterable[str] = ()) -> Counts:
    """What an activity counts for; `media` is the outlet of each of its media reports."""
    if not activity.counts:
        return {}
    a = activity.association_id
    year = timezone.localtime(activity.starts_at).year
    category = activity.category.code
    people = activity.participants
    out: Counts = {}
    _put(out, (a, year, "activities", category), 1)
    _put(out, (a, year, "people", category), people)
    _put(out, (a, year, "materials", category), activity.materials)
    _put(out, (a, year, "highlights", category), int(activity.highlight))
    for name in HEALTH:
        _put(out, (a, year, name, category), getattr(activity, name))
    if activity.theme_id:
        theme = activity.theme.code  # type: ignore[union-attr]
        _put(out, (a, year, "theme_activities", theme), 1)
        _put(out, (a, year, "theme_people", theme), people)
    _put(out, (a, year, "setting_activities", activity.setting), 1)
    for group, _label in PARTICIPANT_GROUPS:
        _put(out, (a, year, "group_people", group), getattr(activity, group))
    for outlet in media:
        _put(out, (a, year, "media", outlet), 1)
    return out


def media_of(activity: Activity) -> list[str]:
    return list(MediaReport.objects.filter(activity=activity).values_list("outlet", flat=True))


def of_site(site: Site) -> Counts:
    if site.status != Site.Status.OPEN:
        return {}
    return {(site.association_id, STOCK, "sites", site.kind.code): 1}


def of_expert(expert: Expert, specialties: Iterable[str]) -> Counts:
    if not expert.active:
        return {}
    a = expert.association_id
    out: Counts = {(a, STOCK, "experts", ""): 1}
    for code in specialties:
        out[(a, STOCK, "experts", code)] = 1
    return out


def of_peer_club(club: PeerClub) -> Counts:
    if not club.active:
        return {}
    out: Counts = {(club.association_id, STOCK, "peer_clubs", ""): 1}
    _put(out, (club.association_id, STOCK, "peer_members", ""), club.members)
    return out


def move(before: Counts, after: Counts) -> None:
    """A record counted `before` and now counts `after`; call inside the record's transaction.
    The own tallies and the subtree tallies of every county, prefecture and province above move
    together."""
    deltas = {k: after.get(k, 0) - before.get(k, 0) for k in set(before) | set(after)}
    deltas = {k: d for k, d in deltas.items() if d}
    if not deltas:
        return
    core_tallies.move(Tally, FIELDS, before, after, value="value")
    for key, delta in sorted(_rolled_up(deltas).items(), key=repr):
        core_tallies.add(SubtreeTally, dict(zip(FIELDS, key, strict=True)), delta, value="value")


def rollup_ancestors(association_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each association, the ids of the counties, prefectures and provinces on its path
    (itself included when it is one): two queries."""
    paths = dict(Association.objects.filter(pk__in=set(association_ids)).values_list("pk", "path"))
    codes = {code for path in paths.values() for code in path.strip("/").split("/")}
    rollups = dict(
        Association.objects.filter(code__in=codes, kind__in=ROLLUP_KINDS).values_list("code", "pk")
    )
    return {
        pk: [rollups[c] for c in path.strip("/").split("/") if c in rollups]
        for pk, path in paths.items()
    }


def _rolled_up(counts: Counts) -> Counts:
    ancestors = rollup_ancestors(a for a, _y, _f, _d in counts)
    out: Counts = {}
    for (a, y, f, d), n in counts.items():
        for above in ancestors.get(a, []):
            _put(out, (above, y, f, d), n)
    return out


# --- checks (operations: manage.py check_activity_tallies) -------------------------------------


def actual() -> Counts:
    """The figures as the records have them (full scans: for checks, never for pages)."""
    out: Counter[Key] = Counter()
    activities = Activity.objects.filter(
        status__in=(Activity.Status.HELD, Activity.Status.SUMMARISED)
    ).select_related("category", "theme")
    media: dict[int, list[str]] = {}
    for activity_id, outlet in MediaReport.objects.values_list("activity_id", "outlet"):
        media.setdefault(activity_id, []).append(outlet)
    for activity in activities.iterator(chunk_size=2000):
        out.update(of_activity(activity, media.get(activity.pk, [])))
    for site in Site.objects.filter(status=Site.Status.OPEN).select_related("kind"):
        out.update(of_site(site))
    specialties: dict[int, list[str]] = {}
    for expert_id, code in Expert.specialties.through.objects.values_list(
        "expert_id", "specialty__code"
    ):
        specialties.setdefault(expert_id, []).append(code)
    for expert in Expert.objects.filter(active=True):
        out.update(of_expert(expert, specialties.get(expert.pk, [])))
    for club in PeerClub.objects.filter(active=True):
        out.update(of_peer_club(club))
    return {key: n for key, n in out.items() if n}


def stored() -> Counts:
    return {
        (t.association_id, t.year, t.figure, t.dimension): t.value
        for t in Tally.objects.exclude(value=0).iterator()
    }


def stored_subtree() -> Counts:
    return {
        (t.association_id, t.year, t.figure, t.dimension): t.value
        for t in SubtreeTally.objects.exclude(value=0).iterator()
    }


def _diff(have: Counts, want: Counts) -> dict[Key, tuple[int, int]]:
    return {
        key: (have.get(key, 0), want.get(key, 0))
        for key in set(have) | set(want)
        if have.get(key, 0) != want.get(key, 0)
    }


def differences() -> dict[Key, tuple[int, int]]:
    """(stored, actual) for every key where the tallies (own, then subtree totals) and the
    records disagree; the subtree keys are marked with a negative association id."""
    want = actual()
    out = _diff(stored(), want)
    for (a, y, f, d), pair in _diff(stored_subtree(), _rolled_up(want)).items():
        out[(-a, y, f, d)] = pair
    return out


@transaction.atomic
def recount() -> int:
    """Rebuild the tallies (own and subtree) from the records; returns how many rows were
    written."""
    want = actual()
    subtree = _rolled_up(want)
    Tally.objects.all().delete()
    SubtreeTally.objects.all().delete()
    Tally.objects.bulk_create(
        [
            Tally(association_id=a, year=y, figure=f, dimension=d, value=n)
            for (a, y, f, d), n in want.items()
        ],
        batch_size=2000,
    )
    SubtreeTally.objects.bulk_create(
        [
            SubtreeTally(association_id=a, year=y, figure=f, dimension=d, value=n)
            for (a, y, f, d), n in subtree.items()
        ],
        batch_size=2000,
    )
    return len(want) + len(subtree)


def summed(rows: QuerySet[Any]) -> dict[tuple[str, str], int]:
    """(figure, dimension) → total over a queryset of tallies (already scoped and filtered)."""
    out: dict[tuple[str, str], int] = {}
    for row in rows.values("figure", "dimension").annotate(n=Sum("value")):
        out[(row["figure"], row["dimension"])] = int(row["n"] or 0)
    return out
