"""Reads of the healthy-family creation. Staff reads start from `visible_to(user)`; the public
reads (`public_*`) load awarded nominations only, and of them only what the public list shows:
the household's name (used only with the family's consent), its village and township, never
the address, the reason or anything else about the family."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from fpa.core import consent
from fpa.core.errors import ServiceError
from fpa.core.models import ConsentText
from fpa.core.pagination import Page, keyset_page
from fpa.healthyfamilies import rules
from fpa.healthyfamilies.models import Nomination, NominationStep
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

Status = Nomination.Status
# The list's orders: (label, keyset key, descending). Each key is unique, so pages follow it.
SORTS: dict[str, tuple[str, str, bool]] = {
    "newest": (gettext_noop("最新提名在前"), "id", True),
    "oldest": (gettext_noop("最早提名在前"), "id", False),
    "village": (gettext_noop("按村（社区）排列"), "place_key", False),
}
LIST_RELATED = ("association", "association__parent")
PUBLIC_LIMIT = 5000  # named families of one county in one year: far more than any county names


def _filtered(
    queryset: QuerySet[Nomination],
    *,
    year: int | None = None,
    association: Association | None = None,
    status: str = "",
    query: str = "",
) -> QuerySet[Nomination]:
    if year:
        queryset = queryset.filter(year=year)
    if association is not None:
        queryset = queryset.filter(association__path__under=association.path)
    if status:
        queryset = queryset.filter(status=status)
    query = " ".join((query or "").split())[:50]
    if query:
        queryset = queryset.filter(Q(household_name__contains=query) | Q(address__contains=query))
    return queryset


def nomination_list(
    *,
    user: User,
    year: int | None = None,
    association: Association | None = None,
    status: str = "",
    query: str = "",
    sort: str = "newest",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    """A page of the nominations the user sees, filtered, in one of `SORTS`."""
    _label, key, descending = SORTS.get(sort) or SORTS["newest"]
    queryset = _filtered(
        Nomination.objects.visible_to(user).select_related(*LIST_RELATED),
        year=year,
        association=association,
        status=status,
        query=query,
    )
    return keyset_page(
        queryset, key=key, after=after, before=before, size=size, descending=descending
    )


def nominations_for_export(
    *,
    user: User,
    year: int | None = None,
    association: Association | None = None,
    status: str = "",
    query: str = "",
) -> QuerySet[Nomination]:
    """The list's rows for the workbook, by village (the export sheet joins what it shows)."""
    return _filtered(
        Nomination.objects.visible_to(user),
        year=year,
        association=association,
        status=status,
        query=query,
    ).order_by("place_key", "id")


def nomination_steps(*, nomination: Nomination) -> list[NominationStep]:
    return list(nomination.steps.select_related("recorded_by").order_by("recorded_at", "id"))


def awaiting_review(*, user: User) -> QuerySet[Nomination]:
    """Nominations waiting for the township's 推荐/不推荐: the to-do of a township's staff (the
    county's is the award)."""
    home = user.home_association
    if home is None or home.kind not in rules.REVIEWERS or home.kind in rules.AWARDERS:
        return Nomination.objects.none()
    return Nomination.objects.visible_to(user).filter(status=Status.NOMINATED)


def awaiting_award(*, user: User) -> QuerySet[Nomination]:
    """Nominations the township recommended, waiting for the county's 命名/不命名."""
    home = user.home_association
    if home is None or home.kind not in rules.AWARDERS:
        return Nomination.objects.none()
    return Nomination.objects.visible_to(user).filter(status=Status.RECOMMENDED)


def awarded_list(
    *, user: User, year: int, association: Association | None = None
) -> list[Nomination]:
    """The named families of `year` in the user's subtree (or `association`'s), by township and
    village: the printed list."""
    queryset = _filtered(
        Nomination.objects.visible_to(user).select_related(*LIST_RELATED),
        year=year,
        association=association,
        status=Status.AWARDED,
    )
    return list(queryset.order_by("place_key")[:PUBLIC_LIMIT])


def nominations_in(
    *, user: User, year: int | None, association: Association | None = None
) -> QuerySet[Nomination]:
    """The nominations of `year` in the user's subtree (or `association`'s): what the counts
    page counts."""
    return _filtered(Nomination.objects.visible_to(user), year=year, association=association)


# --- counts per township --------------------------------------------------------------------------


@dataclass
class TownshipCount:
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def of(self, status: str) -> int:
        return self.counts.get(status, 0)


@dataclass
class TownshipCounts:
    rows: list[TownshipCount]
    totals: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def township_counts(nominations: QuerySet[Nomination]) -> TownshipCounts:
    """Counts by township (each village's parent) and status of `nominations` (already scoped
    by the caller: a user's subtree, or the public awarded list): one grouped query."""
    grouped = (
        nominations.order_by()
        .values(
            "association__parent__code",
            "association__parent__name",
            "association__parent__division_name",
            "status",
        )
        .annotate(n=Count("id"))
    )
    rows: dict[str, TownshipCount] = {}
    totals: dict[str, int] = {}
    for item in grouped:
        code = item["association__parent__code"] or ""
        name = item["association__parent__division_name"] or item["association__parent__name"]
        row = rows.setdefault(code, TownshipCount(code=code, name=name or ""))
        row.counts[item["status"]] = row.counts.get(item["status"], 0) + item["n"]
        totals[item["status"]] = totals.get(item["status"], 0) + item["n"]
    return TownshipCounts(rows=[rows[code] for code in sorted(rows)], totals=totals)


# --- consent ----------------------------------------------------------------------------------


def current_consent() -> ConsentText | None:
    """The publication consent text in effect, or None when none is set."""
    try:
        return consent.current(rules.CONSENT_PURPOSE)
    except ServiceError:
        return None


# --- public -------------------------------------------------------------------------------------


def public_county(code: str) -> Association | None:
    """A county association by its code (the public list's address)."""
    code = (code or "").strip()[:32]
    if not code:
        return None
    return (
        Association.objects.filter(code=code, kind=Association.Kind.COUNTY)
        .only("code", "name", "division_name", "path", "kind")
        .first()
    )


def public_awarded(*, county: Association, year: int) -> QuerySet[Nomination]:
    """The named families of `county` in `year`: nothing that is not (yet) named."""
    return Nomination.objects.filter(
        status=Status.AWARDED, year=year, association__path__under=county.path
    )


@dataclass(frozen=True)
class PublicEntry:
    township: str
    village: str
    household: str


def public_list(*, county: Association, year: int) -> list[PublicEntry]:
    """The public list's lines, by township and village: only the place names and the
    household's name, which is shown only when the family agreed (else "某户（未公开姓名）")."""
    rows = (
        public_awarded(county=county, year=year)
        .order_by("association__parent__code", "place_key")
        .values(
            "household_name",
            "consent_id",
            "association__name",
            "association__division_name",
            "association__parent__name",
            "association__parent__division_name",
        )[:PUBLIC_LIMIT]
    )
    return [
        PublicEntry(
            township=row["association__parent__division_name"] or row["association__parent__name"],
            village=row["association__division_name"] or row["association__name"],
            household=rules.public_name(row["household_name"], row["consent_id"] is not None),
        )
        for row in rows
    ]


def public_years() -> list[dict[str, Any]]:
    """(county code, county name, year, named families) for every county and year with a
    published list, newest year first: the public index. One grouped query."""
    grouped = (
        Nomination.objects.filter(status=Status.AWARDED)
        .order_by()
        .values(
            "association__parent__parent__code",
            "association__parent__parent__name",
            "association__parent__parent__division_name",
            "association__parent__parent__kind",
            "year",
        )
        .annotate(n=Count("id"))
    )
    found = [
        {
            "code": row["association__parent__parent__code"],
            "name": row["association__parent__parent__division_name"]
            or row["association__parent__parent__name"],
            "year": row["year"],
            "count": row["n"],
        }
        for row in grouped[:1000]
        if row["association__parent__parent__kind"] == Association.Kind.COUNTY
    ]
    return sorted(found, key=lambda row: (-row["year"], row["code"]))


def sort_choices() -> list[tuple[str, str]]:
    return [(key, gettext(label)) for key, (label, _key, _desc) in SORTS.items()]
