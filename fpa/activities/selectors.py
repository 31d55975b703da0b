"""Reads for activities, sites, campaigns and the pool; every one starts from the user's scope.

The figures come from the tallies (`fpa.activities.tallies`), one selector per figure
(`activity_count`, `people_served`, `materials_handed_out`, `media_reports`, `highlights`,
`site_count`, `expert_count`, `peer_club_count`), all reading `figures()`: the reports, the
assessment and the dashboards read the same number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from fpa.activities import tallies
from fpa.activities.models import (
    PARTICIPANT_GROUPS,
    Activity,
    Campaign,
    CampaignTarget,
    Category,
    Expert,
    HealthCase,
    MediaReport,
    PeerClub,
    Site,
    SiteKind,
    Specialty,
    SubtreeTally,
    Tally,
    Theme,
)
from fpa.core.pagination import sorted_page
from fpa.core.scope import path_is_under, scope_path_of
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

DONE = (Activity.Status.HELD, Activity.Status.SUMMARISED)


# --- the configurable lists ---------------------------------------------------------------------


def categories(*, include_retired: bool = False) -> QuerySet[Category]:
    rows = Category.objects.all()
    return rows if include_retired else rows.filter(active=True)


def themes(*, include_retired: bool = False) -> QuerySet[Theme]:
    rows = Theme.objects.all()
    return rows if include_retired else rows.filter(active=True)


def site_kinds(*, include_retired: bool = False) -> QuerySet[SiteKind]:
    rows = SiteKind.objects.all()
    return rows if include_retired else rows.filter(active=True)


def specialties(*, include_retired: bool = False) -> QuerySet[Specialty]:
    rows = Specialty.objects.all()
    return rows if include_retired else rows.filter(active=True)


# --- sites ----------------------------------------------------------------------------------------


def sites(
    *,
    user: User,
    under: Association | None = None,
    kind: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[Site]:
    rows = Site.objects.visible_to(user).select_related("association", "kind")
    if under is not None:
        rows = rows.filter(association__path__under=under.path)
    if kind:
        rows = rows.filter(kind__code=kind)
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return rows


def site_choices(*, user: User, organiser: Association) -> QuerySet[Site]:
    """Sites an activity of `organiser` may be held at: the organiser's own and its ancestors',
    and any in the user's scope; closed sites left out."""
    path = scope_path_of(user) or "//"
    codes = organiser.ancestor_codes()
    return (
        Site.objects.filter(Q(association__path__under=path) | Q(association__code__in=codes))
        .exclude(status=Site.Status.CLOSED)
        .select_related("association", "kind")
        .order_by("association__path", "name")
    )


# --- activities ---------------------------------------------------------------------------------


def activities(
    *,
    user: User,
    under: Association | None = None,
    status: str = "",
    category: str = "",
    theme: str = "",
    year: int | None = None,
    campaign: Campaign | None = None,
    site: Site | None = None,
    highlight: bool = False,
    q: str = "",
) -> QuerySet[Activity]:
    rows = Activity.objects.visible_to(user).select_related("association", "category", "theme")
    if under is not None:
        rows = rows.filter(association__path__under=under.path)
    if status == "done":
        rows = rows.filter(status__in=DONE)
    elif status:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category__code=category)
    if theme:
        rows = rows.filter(theme__code=theme)
    if year:
        start = timezone.make_aware(datetime.datetime(year, 1, 1))
        rows = rows.filter(starts_at__gte=start, starts_at__lt=start.replace(year=year + 1))
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    if site is not None:
        rows = rows.filter(site=site)
    if highlight:
        rows = rows.filter(highlight=True)
    if q:
        rows = rows.filter(title__icontains=q)
    return rows


def activity_detail(*, user: User, pk: int) -> Activity:
    return (
        Activity.objects.visible_to(user)
        .select_related(
            "association",
            "category",
            "theme",
            "campaign",
            "site",
            "volunteer_service",
            "approved_by",
            "created_by",
        )
        .prefetch_related("co_organisers", "experts", "media")
        .get(pk=pk)
    )


def media_of(*, user: User, activity: Activity) -> QuerySet[MediaReport]:
    return MediaReport.objects.visible_to(user).filter(activity=activity)


def pending_approval(*, user: User) -> QuerySet[Activity]:
    """Planned activities below the user's home that wait for its approval (where the rule asks
    it): the approver's to-do."""
    from fpa.activities.models import Policy

    path = scope_path_of(user)
    if path is None:
        return Activity.objects.none()
    rows = (
        Activity.objects.visible_to(user)
        .filter(status=Activity.Status.PLANNED)
        .exclude(association__path=path)
        .select_related("association", "category")
    )
    # Only where a rule of the activity's association or an ancestor asks for approval: without
    # one a planned activity may be held as it is and waits for nobody.
    codes = [part for part in path.strip("/").split("/") if part]
    rules = Policy.objects.filter(approval_required=True).filter(
        Q(association__path__under=path) | Q(association__code__in=codes)
    )
    paths = list(rules.values_list("association__path", flat=True)[:1000])
    if any(path_is_under(path, rule) for rule in paths):
        return rows
    if not paths:
        return rows.none()
    covered = Q()
    for rule in paths:
        # a rule binds the subtree below the association that set it, not that association
        covered |= Q(association__path__under=rule) & ~Q(association__path=rule)
    return rows.filter(covered)


def to_hold(*, user: User) -> QuerySet[Activity]:
    """Activities that have started but are not yet marked held: the organiser's to-do."""
    return Activity.objects.visible_to(user).filter(
        status__in=(Activity.Status.PLANNED, Activity.Status.APPROVED),
        starts_at__lte=timezone.now(),
    )


def public_upcoming(*, county: Association | None = None, days: int = 60) -> QuerySet[Activity]:
    """Public activities that have not ended (the public calendar: no personal data)."""
    now = timezone.now()
    rows = Activity.objects.filter(
        public=True,
        ends_at__gte=now,
        starts_at__lte=now + datetime.timedelta(days=days),
        status__in=(Activity.Status.PLANNED, Activity.Status.APPROVED, Activity.Status.HELD),
    ).select_related("association", "category", "theme", "site")
    if county is not None:
        rows = rows.filter(association__path__under=county.path)
    return rows.order_by("starts_at", "id")


# --- health follow-ups (sensitive) -------------------------------------------------------------


def health_cases(*, user: User, status: str = "") -> QuerySet[HealthCase]:
    """The sensitive follow-ups the user may see (their own; their subtree's with
    `health.sensitive`); values stay masked until revealed."""
    rows = HealthCase.objects.visible_to(user).select_related("association", "activity")
    if status:
        rows = rows.filter(status=status)
    return rows


def health_follow_ups_due(*, user: User) -> QuerySet[HealthCase]:
    """Open follow-ups that are due (the recorder's to-do)."""
    return health_cases(user=user, status=HealthCase.Status.OPEN).filter(
        follow_up_on__lte=timezone.localdate()
    )


# --- the activity pages -------------------------------------------------------------------------
# (Imports are local: additions to this module go above the "campaigns" marker only.)

# The sorts of the activity list: key -> (field or annotation, descending).
ACTIVITY_SORTS: dict[str, tuple[str, bool]] = {
    "newest": ("starts_at", True),
    "oldest": ("starts_at", False),
    "title": ("title", False),
    "participants": ("participants_total", True),
}


def _with_participants(rows: QuerySet[Activity]) -> QuerySet[Activity]:
    """`participants_total`: the sum of the groups, in SQL (the list sorts by it)."""
    from django.db.models import F
    from django.db.models.expressions import Combinable

    names = [name for name, _label in PARTICIPANT_GROUPS]
    total: Combinable = F(names[0])
    for name in names[1:]:
        total = total + F(name)
    return rows.annotate(participants_total=total)


def _todo(user: User, rows: QuerySet[Activity], todo: str) -> QuerySet[Activity]:
    if todo == "approval":
        return rows.filter(pk__in=pending_approval(user=user).values("pk"))
    if todo == "hold":
        return rows.filter(pk__in=to_hold(user=user).values("pk"))
    return rows


def activity_page(
    *,
    user: User,
    sort: str = "newest",
    todo: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    **filters: Any,
) -> Any:
    """One page of the activity list (`activities()`'s filters), sorted by date, title or
    participants, with keyset cursors: the cost of a page does not grow with the table.
    `todo` narrows it to a to-do's activities: "approval" (`pending_approval`) or "hold"
    (`to_hold`)."""
    key, descending = ACTIVITY_SORTS.get(sort) or ACTIVITY_SORTS["newest"]
    rows = _with_participants(_todo(user, activities(user=user, **filters), todo))
    return sorted_page(rows, key=key, descending=descending, after=after, before=before, size=size)


def activities_for_export(*, user: User, todo: str = "", **filters: Any) -> QuerySet[Activity]:
    """The list's rows for the workbook, newest first, with what each row names (the export
    reads them in chunks: no query per row)."""
    return (
        _todo(user, activities(user=user, **filters), todo)
        .select_related("campaign", "site")
        .annotate(media_count=Count("media"))
        .order_by("-starts_at", "-id")
    )


def highlights_sent_up(
    *, user: User, after: str | None = None, before: str | None = None, size: int = 30
) -> Any:
    """The highlights (亮点) summarised below the user's home association, newest first."""
    path = scope_path_of(user) or "//"
    rows = (
        activities(user=user, status="done", highlight=True)
        .exclude(association__path=path)
        .select_related("site")
    )
    return sorted_page(
        rows, key="starts_at", descending=True, after=after, before=before, size=size
    )


def list_scope(
    *, user: User, code: str = "", campaign: int | None = None
) -> tuple[Association | None, Campaign | None, bool]:
    """The area (`code`) and the campaign (its id) an activity list is narrowed to, inside the
    user's scope, and whether everything named was found there (False: show nothing). With a
    campaign, an area may be a target above the user's home (a village follows its township's
    line of the campaign and sees its own activities in it: `campaign_area`)."""
    found: Campaign | None = None
    if campaign is not None:
        found = campaigns(user=user).filter(pk=campaign).first()
        if found is None:
            return None, None, False
    code = (code or "").strip()[:32]
    if not code:
        return None, found, True
    if found is not None:
        area = campaign_area(user=user, campaign=found, code=code)
    else:
        area = org_selectors.association_choices(user=user).filter(code=code).first()
    return area, found, area is not None


def plan_sites(
    *, user: User, organiser: Association, keep: Activity | None = None
) -> QuerySet[Site]:
    """The sites a plan form offers (`site_choices`), and the activity's own even if closed."""
    chosen = Q(pk__in=site_choices(user=user, organiser=organiser).values("pk"))
    if keep is not None and keep.site_id:
        chosen |= Q(pk=keep.site_id)
    return (
        Site.objects.filter(chosen)
        .select_related("association", "kind")
        .order_by("association__path", "name")
    )


def plan_experts(
    *, user: User, organiser: Association, keep: Activity | None = None
) -> QuerySet[Expert]:
    """The experts a plan form offers (`expert_choices`), and the activity's own even if they
    left the pool."""
    chosen = Q(pk__in=expert_choices(user=user, organiser=organiser).values("pk"))
    if keep is not None:
        chosen |= Q(pk__in=keep.experts.values("pk"))
    return Expert.objects.filter(chosen).select_related("association").order_by("name", "id")


def plan_campaigns(*, user: User, keep: Activity | None = None) -> QuerySet[Campaign]:
    """The campaigns a plan form offers: those of `campaigns()` not ended over a year ago, and
    the activity's own."""
    since = timezone.localdate() - datetime.timedelta(days=366)
    chosen = Q(ends_on__gte=since)
    if keep is not None and keep.campaign_id:
        chosen |= Q(pk=keep.campaign_id)
    return campaigns(user=user).filter(chosen)


def co_organiser_choices(*, user: User) -> QuerySet[Association]:
    """The associations an activity may name as co-organisers: those of the user's subtree and
    its ancestors, current; member groups left out, and villages too for a county or above
    (the list stays short enough for one form)."""
    path = scope_path_of(user)
    if path is None:
        return Association.objects.none()
    codes = [part for part in path.strip("/").split("/") if part]
    rows = (
        Association.objects.current()
        .filter(Q(path__under=path) | Q(code__in=codes))
        .exclude(kind=Association.Kind.MEMBER_GROUP)
    )
    home = user.home_association
    if home is not None and home.kind in (
        Association.Kind.PROVINCE,
        Association.Kind.PREFECTURE,
        Association.Kind.COUNTY,
    ):
        rows = rows.exclude(kind=Association.Kind.VILLAGE)
    return rows.order_by("path")


# --- campaigns ----------------------------------------------------------------------------------


def campaigns(*, user: User) -> QuerySet[Campaign]:
    """Campaigns the user set or sees (in its subtree) and those set above it for its subtree."""
    path = scope_path_of(user)
    if path is None:
        return Campaign.objects.none()
    codes = [part for part in path.strip("/").split("/") if part]
    return (
        Campaign.objects.filter(Q(association__path__under=path) | Q(association__code__in=codes))
        .select_related("association", "theme")
        .order_by("-starts_on", "-id")
    )


def campaign_get(*, user: User, pk: int) -> Campaign:
    return campaigns(user=user).get(pk=pk)


@dataclass
class TargetProgress:
    association: Association
    wanted: int
    held: int
    planned: int

    @property
    def done(self) -> bool:
        return self.held >= self.wanted

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.held / self.wanted)) if self.wanted else 100


def campaign_progress(*, user: User, campaign: Campaign) -> list[TargetProgress]:
    """Each target the user may see (its subtree, or its own line and above), with the held and
    planned activities of the campaign in the target's subtree: two queries."""
    path = scope_path_of(user) or "//"
    targets = [
        t
        for t in CampaignTarget.objects.filter(campaign=campaign).select_related("association")
        if path_is_under(t.association.path, path) or path_is_under(path, t.association.path)
    ]
    rows = (
        Activity.objects.filter(campaign=campaign)
        .exclude(status=Activity.Status.CANCELLED)
        .values("association__path", "status")
        .annotate(n=Count("id"))
    )
    out = [TargetProgress(t.association, t.activities, 0, 0) for t in targets]
    by_path = {p.association.path: p for p in out}
    for row in rows:
        parts = row["association__path"].strip("/").split("/")
        for depth in range(len(parts), 0, -1):  # the nearest target above the row (targets nest)
            progress = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if progress is not None:
                if row["status"] in DONE:
                    progress.held += row["n"]
                else:
                    progress.planned += row["n"]
                break
    return out


# --- the site, pool and settings pages ----------------------------------------------------------
# (Model imports are local: additions to this module go above the "the pool" marker only.)

# The sorts of the site list: key -> (field, descending); ties by id in the same direction.
SITE_SORTS: dict[str, tuple[str, bool]] = {
    "area": ("association__path", False),
    "name": ("name", False),
    "newest": ("created_at", True),
}


def site_page(
    *,
    user: User,
    sort: str = "area",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    **filters: Any,
) -> Any:
    """One page of the site list (`sites()`'s filters), sorted by area, name or newest, with
    keyset cursors."""
    key, descending = SITE_SORTS.get(sort) or SITE_SORTS["area"]
    rows: Any = sites(user=user, **filters)
    return sorted_page(rows, key=key, descending=descending, after=after, before=before, size=size)


def sites_for_export(*, user: User, **filters: Any) -> QuerySet[Site]:
    """The list's rows for the workbook, in tree order (read in chunks: no query per row)."""
    return sites(user=user, **filters).order_by("association__path", "kind__sort", "name", "id")


def site_counts(*, user: User, association: Association) -> dict[str, int]:
    """`site_count` of every kind at once: the open sites of the subtree by kind code, from the
    same tallies, one grouped query."""
    rows = (
        _tally_rows(user, association, tallies.STOCK)
        .filter(figure="sites")
        .values("dimension")
        .annotate(n=Sum("value"))
    )
    return {row["dimension"]: int(row["n"]) for row in rows if row["n"]}


def site_detail(*, user: User, pk: int) -> Site:
    return Site.objects.visible_to(user).select_related("association", "kind").get(pk=pk)


def site_activity_page(
    *, user: User, site: Site, after: str | None = None, before: str | None = None, size: int = 20
) -> Any:
    """The activities held at a site (planned ones too), newest first, a keyset page."""
    rows: Any = activities(user=user, site=site)
    return sorted_page(
        rows, key="starts_at", descending=True, after=after, before=before, size=size
    )


def site_families(*, user: User, site: Site) -> QuerySet[Any]:
    """The special families a 暖心家园 serves, those the user may see."""
    from fpa.families.models import Family

    served = site.families.through.objects.filter(site=site).values("family_id")
    return (
        Family.objects.visible_to(user)
        .filter(pk__in=served)
        .select_related("association")
        .order_by("association__path", "head_name", "id")
    )


def site_family_choices(*, user: User, site: Site, limit: int = 500) -> list[Any]:
    """The families the site's form offers: the active families of the site's subtree the user
    may see (the families module's `area_families`), at most `limit + 1` (the page says when it
    was cut)."""
    from fpa.families import selectors as family_selectors

    return family_selectors.area_families(
        user=user,
        area=site.association,
        limit=limit,
        order=("association__path", "head_name", "id"),
    )


def photos_of(*, user: User, owner: Site | Activity) -> QuerySet[Any]:
    """The photos of a site or an activity, oldest first."""
    from fpa.activities.models import ActivityPhoto, SitePhoto

    if isinstance(owner, Site):
        return SitePhoto.objects.visible_to(user).filter(site=owner).order_by("id")
    return ActivityPhoto.objects.visible_to(user).filter(activity=owner).order_by("id")


def photo_get(*, user: User, kind: str, pk: int) -> Any:
    """A photo of a site (`kind` "site") or an activity ("activity") in the user's scope; raises
    DoesNotExist otherwise (a forged kind or id, another township's photo)."""
    from django.core.exceptions import ObjectDoesNotExist

    from fpa.activities.models import ActivityPhoto, SitePhoto

    if kind == "site":
        return SitePhoto.objects.visible_to(user).select_related("site__association").get(pk=pk)
    if kind == "activity":
        return (
            ActivityPhoto.objects.visible_to(user)
            .select_related("activity__association")
            .get(pk=pk)
        )
    raise ObjectDoesNotExist(kind)


EXPERT_SORTS: dict[str, tuple[str, bool]] = {
    "name": ("name", False),
    "area": ("association__path", False),
    "taught": ("taught", True),
}


def expert_page(
    *,
    user: User,
    sort: str = "name",
    state: str = "active",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    **filters: Any,
) -> Any:
    """One page of the expert pool (`experts()`'s filters; `state` "active", "inactive" or "" for
    both), sorted by name, area or the activities taught."""
    key, descending = EXPERT_SORTS.get(sort) or EXPERT_SORTS["name"]
    rows: Any = experts(user=user, **filters)
    if state in ("active", "inactive"):
        rows = rows.filter(active=state == "active")
    return sorted_page(rows, key=key, descending=descending, after=after, before=before, size=size)


def expert_detail(*, user: User, pk: int) -> Expert:
    return (
        Expert.objects.visible_to(user)
        .select_related("association")
        .prefetch_related("specialties")
        .get(pk=pk)
    )


def expert_activity_page(
    *,
    user: User,
    expert: Expert,
    after: str | None = None,
    before: str | None = None,
    size: int = 20,
) -> Any:
    """The activities an expert taught (those the user may see), newest first."""
    rows: Any = activities(user=user).filter(experts=expert).select_related("site")
    return sorted_page(
        rows, key="starts_at", descending=True, after=after, before=before, size=size
    )


def peer_club_page(
    *,
    user: User,
    under: Association | None = None,
    q: str = "",
    state: str = "active",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Any:
    """One page of the 青春健康同伴社, by school."""
    rows: Any = peer_clubs(user=user, under=under)
    if q:
        rows = rows.filter(school__icontains=q)
    if state in ("active", "inactive"):
        rows = rows.filter(active=state == "active")
    return sorted_page(rows, key="school", descending=False, after=after, before=before, size=size)


def peer_club_detail(*, user: User, pk: int) -> PeerClub:
    return (
        PeerClub.objects.visible_to(user)
        .select_related("association", "site__association")
        .get(pk=pk)
    )


def club_site_choices(*, user: User) -> QuerySet[Site]:
    """The sites a club may name: those of the user's subtree and of the associations above it
    (the service checks the club's association against the chosen site's)."""
    home = user.home_association
    if home is None:
        return Site.objects.none()
    return site_choices(user=user, organiser=home)


def settings_lists() -> dict[str, list[Any]]:
    """Every item of the four configurable lists, retired ones too, in order."""
    return {
        "category": list(categories(include_retired=True)),
        "theme": list(themes(include_retired=True)),
        "site_kind": list(site_kinds(include_retired=True)),
        "specialty": list(specialties(include_retired=True)),
    }


def policy_of(*, user: User) -> Any:
    """The approval rule of the user's home association (None: never set, no approval asked by
    it)."""
    from fpa.activities.models import Policy

    home = user.home_association
    if home is None:
        return None
    return Policy.objects.filter(association=home).first()


def policy_above(*, user: User) -> Association | None:
    """The nearest association above the user's home whose rule asks for approval, if any."""
    from fpa.activities.models import Policy

    home = user.home_association
    if home is None:
        return None
    codes = home.ancestor_codes()[:-1]
    found = (
        Policy.objects.filter(association__code__in=codes, approval_required=True)
        .select_related("association")
        .order_by("-association__path")
        .first()
    )
    return found.association if found is not None else None


# --- the pool -----------------------------------------------------------------------------------


def experts(
    *, user: User, under: Association | None = None, specialty: str = "", q: str = ""
) -> QuerySet[Expert]:
    rows = (
        Expert.objects.visible_to(user)
        .select_related("association")
        .prefetch_related("specialties")
        .annotate(taught=Count("activities", distinct=True))
    )
    if under is not None:
        rows = rows.filter(association__path__under=under.path)
    if specialty:
        rows = rows.filter(specialties__code=specialty)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(organisation__icontains=q))
    return rows


def expert_choices(*, user: User, organiser: Association) -> QuerySet[Expert]:
    path = scope_path_of(user) or "//"
    return (
        Expert.objects.filter(
            Q(association__path__under=path) | Q(association__code__in=organiser.ancestor_codes()),
            active=True,
        )
        .select_related("association")
        .order_by("name")
    )


def peer_clubs(*, user: User, under: Association | None = None) -> QuerySet[PeerClub]:
    rows = PeerClub.objects.visible_to(user).select_related("association", "site")
    if under is not None:
        rows = rows.filter(association__path__under=under.path)
    return rows


def peer_club_activities(*, user: User, club: PeerClub) -> QuerySet[Activity]:
    """The club's activities: those held at its site."""
    if club.site_id is None:
        return Activity.objects.none()
    return activities(user=user, site=club.site)


# --- the fund grant that paid for an activity ---------------------------------------------------


def linkable_grants(*, user: User, activity: Activity) -> Any:
    """The grants the user may link to `activity`: grants for an activity (target 活动), not
    refused, of the fund covering the activity's association, visible to the user and on the
    activity's line of the tree; newest first (the service checks each again)."""
    from fpa.core.errors import ServiceError
    from fpa.fund import selectors as fund_selectors
    from fpa.fund.models import Grant

    try:
        fund = fund_selectors.fund_of(activity.association)
    except ServiceError:
        return Grant.objects.none()
    path = activity.association.path
    codes = activity.association.ancestor_codes()
    return (
        Grant.objects.visible_to(user)
        .filter(fund=fund, target=Grant.Target.ACTIVITY)
        .filter(Q(association__path__under=path) | Q(association__code__in=codes))
        .exclude(status=Grant.Status.REJECTED)
        .select_related("association")
        .order_by("-id")
    )


def visible_grant(*, user: User, pk: int) -> Any:
    """The care-fund grant `pk` if it is in the user's scope, else None (the link's service
    then says why a visible grant cannot be linked)."""
    from fpa.fund.models import Grant

    return Grant.objects.visible_to(user).filter(pk=pk).first()


def fund_grant_of(*, user: User, activity: Activity) -> Any:
    """The grant linked to `activity` if the user may open it (fund.view, in scope), else None
    (the page then says only that a grant is linked)."""
    from fpa.fund.models import Grant

    if activity.fund_grant_id is None or not user.has_capability("fund.view"):
        return None
    return (
        Grant.objects.visible_to(user)
        .select_related("fund", "association")
        .filter(pk=activity.fund_grant_id)
        .first()
    )


def activities_of_grant(*, user: User, grant: Any) -> QuerySet[Activity]:
    """The activities paid by `grant` that the user may see (the grant's page lists them)."""
    if not user.has_capability("activity.view"):
        return Activity.objects.none()
    return (
        Activity.objects.visible_to(user)
        .filter(fund_grant=grant)
        .select_related("association")
        .order_by("-starts_at", "-id")
    )


# --- sign-in, the public calendar and the public summaries --------------------------------------
# (Model imports are local: additions to this module go above the "figures" marker only.)


def signin_activity(code: str) -> Activity | None:
    """The activity a sign-in QR code opens (the public page: no user), or None for a forged,
    mistyped or unknown code (refused before any query when it cannot be a code)."""
    from fpa.core.codes import normalise_code

    normalised = normalise_code(code)
    if not normalised:
        return None
    return (
        Activity.objects.select_related("association", "site")
        .filter(signin_code=normalised)
        .first()
    )


def signins(*, user: User, activity: Activity) -> QuerySet[Any]:
    """The sign-ins of an activity in the user's scope, newest first (phones stay masked)."""
    from fpa.activities.models import SignIn

    return SignIn.objects.visible_to(user).filter(activity=activity).order_by("-created_at", "-id")


def signin_split(activity: Activity) -> dict[str, int]:
    """How the phone sign-ins count when the activity is marked held: a sign-in matched to a
    member as 会员 (`members`), the others as 其他 (`others`). The hold form's default; one
    query."""
    from fpa.activities.models import SignIn

    row = SignIn.objects.filter(activity=activity).aggregate(
        members=Count("id", filter=Q(member__isnull=False)),
        others=Count("id", filter=Q(member__isnull=True)),
    )
    return {"members": int(row["members"] or 0), "others": int(row["others"] or 0)}


@dataclass
class ParticipationRow:
    activity: Activity
    signed_at: datetime.datetime
    in_scope: bool  # the user may open the activity's page


@dataclass
class Participation:
    rows: list[ParticipationRow]
    total: int


def member_participation(*, user: User, member: Any, size: int = 20) -> Participation:
    """The activities a member signed in at (their participation record), newest first: shown to
    whoever may see the member, with a link where the user may also open the activity."""
    from fpa.activities.models import SignIn
    from fpa.members.models import Member

    visible = Member.objects.visible_to(user).filter(pk=member.pk)
    rows = SignIn.objects.filter(member__in=visible)
    found = list(rows.select_related("activity__association").order_by("-created_at", "-id")[:size])
    total = len(found) if len(found) < size else rows.count()
    path = scope_path_of(user) or "//"
    return Participation(
        rows=[
            ParticipationRow(
                activity=s.activity,
                signed_at=s.created_at,
                in_scope=path_is_under(s.activity.association.path, path),
            )
            for s in found
        ],
        total=total,
    )


@dataclass
class CalendarGroup:
    """The upcoming public activities of one township (or of an organiser above the townships)."""

    area: Association
    rows: list[Activity] = field(default_factory=list)


@dataclass
class PublicCalendar:
    groups: list[CalendarGroup]
    townships: list[Association]  # the filter's choices: townships with upcoming activities
    chosen: Association | None
    truncated: bool


def _townships(paths: set[str]) -> dict[str, Association]:
    """The township association of each code on `paths` that is one: one query."""
    codes = {code for path in paths for code in path.strip("/").split("/") if code}
    rows = Association.objects.filter(code__in=codes, kind=Association.Kind.TOWNSHIP)
    return {a.code: a for a in rows.order_by("path")}


def _township_of(path: str, townships: dict[str, Association]) -> Association | None:
    for code in path.strip("/").split("/"):
        if code in townships:
            return townships[code]
    return None


def public_calendar(*, township: str = "", limit: int = 300) -> PublicCalendar:
    """The public calendar: upcoming public activities (`public_upcoming`) grouped by township,
    optionally of one township; no personal data is read. Four queries whatever the rows."""
    upcoming = public_upcoming()
    paths = set(upcoming.values_list("association__path", flat=True).distinct())
    townships = _townships(paths)
    chosen = next((t for t in townships.values() if t.code == township), None)
    rows = upcoming.filter(association__path__under=chosen.path) if chosen else upcoming
    found = list(rows[: limit + 1])
    groups: dict[int, CalendarGroup] = {}
    for activity in found[:limit]:
        area = _township_of(activity.association.path, townships) or activity.association
        groups.setdefault(area.pk, CalendarGroup(area=area)).rows.append(activity)
    ordered = sorted(groups.values(), key=lambda g: g.area.path)
    return PublicCalendar(
        groups=ordered,
        townships=list(townships.values()),
        chosen=chosen,
        truncated=len(found) > limit,
    )


def _published() -> QuerySet[Activity]:
    return Activity.objects.filter(summary_published=True, status__in=DONE).select_related(
        "association", "category", "theme", "site"
    )


def public_news(*, after: str | None = None, before: str | None = None) -> Any:
    """The published summaries (活动简讯), newest first, a keyset page of 20."""
    from fpa.core.pagination import keyset_page

    return keyset_page(_published(), key="id", after=after, before=before, size=20, descending=True)


def public_news_item(pk: Any) -> Activity | None:
    """A published summary, or None (never published, withdrawn, a forged id)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    return _published().filter(pk=number).first()


def public_photos(activity: Activity) -> QuerySet[Any]:
    """The photos a published summary shows: chosen public, and with faces only with consent."""
    from fpa.activities.models import ActivityPhoto

    if not activity.summary_published:
        return ActivityPhoto.objects.none()
    return ActivityPhoto.objects.filter(activity=activity, public=True).filter(
        Q(faces=False) | Q(faces_consent=True)
    )


def public_photo(activity: Activity, pk: Any) -> Any:
    """One photo of a published summary, or None."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    return public_photos(activity).filter(pk=number).first()


def news_photo_choices(*, user: User, activity: Activity) -> QuerySet[Any]:
    """The activity's photos the staff may choose for its public summary."""
    from fpa.activities.models import ActivityPhoto

    return ActivityPhoto.objects.visible_to(user).filter(activity=activity).order_by("id")


# --- figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The figures of one subtree: yearly ones for `year`, stock ones (year 0) as they stand."""

    association: Association
    year: int
    values: dict[tuple[str, str], int] = field(default_factory=dict)

    def get(self, figure: str, dimension: str | None = None) -> int:
        if dimension is not None:
            return self.values.get((figure, dimension), 0)
        return sum(v for (f, _d), v in self.values.items() if f == figure)

    def by(self, figure: str) -> dict[str, int]:
        return {d: v for (f, d), v in self.values.items() if f == figure}


def _tally_rows(user: User, association: Association, year: int) -> QuerySet[Any]:
    """The tally rows whose sum is the subtree's figures: a county's, prefecture's or
    province's own subtree totals, or the own rows of every association below a township."""
    if association.kind in tallies.ROLLUP_KINDS:
        rows: QuerySet[Any] = SubtreeTally.objects.visible_to(user).filter(association=association)
    else:
        rows = Tally.objects.visible_to(user).filter(association__path__under=association.path)
    return rows.filter(year__in=(year, tallies.STOCK))


def figures(*, user: User, association: Association, year: int) -> Figures:
    """Every figure of a subtree for a year, from the tallies: one grouped query."""
    values = tallies.summed(_tally_rows(user, association, year))
    return Figures(association=association, year=year, values=values)


def figures_by_child(*, user: User, association: Association, year: int) -> list[Figures]:
    """The same figures for each child of `association` over its subtree, and a line for the
    association's own records when it has any; one grouped query over the tallies."""
    children = org_selectors.association_children(user=user, parent=association)
    base = association.path
    out: dict[str, Figures] = {c.path: Figures(association=c, year=year) for c in children}
    own = Figures(association=association, year=year)
    years = (year, tallies.STOCK)
    rows: QuerySet[Any]
    if children and all(c.kind in tallies.ROLLUP_KINDS for c in children):
        # Each child keeps its subtree's totals; the parent's own records are its own rows.
        rows = (
            SubtreeTally.objects.visible_to(user)
            .filter(association__in=children, year__in=years)
            .values("association__path", "figure", "dimension")
            .annotate(n=Sum("value"))
            .union(
                Tally.objects.visible_to(user)
                .filter(association=association, year__in=years)
                .values("association__path", "figure", "dimension")
                .annotate(n=Sum("value")),
                all=True,
            )
        )
    else:
        rows = (
            Tally.objects.visible_to(user)
            .filter(association__path__under=association.path, year__in=years)
            .values("association__path", "figure", "dimension")
            .annotate(n=Sum("value"))
        )
    for row in rows:
        path = row["association__path"]
        if path == base:
            bucket = own
        else:
            child = base + path[len(base) :].split("/", 1)[0] + "/"
            if child not in out:
                continue  # a closed child: counted in the total, not listed
            bucket = out[child]
        key = (row["figure"], row["dimension"])
        bucket.values[key] = bucket.values.get(key, 0) + int(row["n"] or 0)
    lines = list(out.values())
    if own.values:
        lines.insert(0, own)
    return lines


def _one(
    user: User, association: Association, year: int, figure: str, dimension: str | None
) -> int:
    rows = _tally_rows(user, association, year).filter(figure=figure)
    if dimension is not None:
        rows = rows.filter(dimension=dimension)
    return int(rows.aggregate(n=Sum("value"))["n"] or 0)


def activity_count(
    *, user: User, association: Association, year: int, category: str | None = None
) -> int:
    """活动次数: held activities of the subtree in the year (of a category)."""
    return _one(user, association, year, "activities", category)


def people_served(
    *, user: User, association: Association, year: int, category: str | None = None
) -> int:
    """服务人次: participants of the held activities."""
    return _one(user, association, year, "people", category)


def materials_handed_out(
    *, user: User, association: Association, year: int, category: str | None = None
) -> int:
    return _one(user, association, year, "materials", category)


def media_reports(
    *, user: User, association: Association, year: int, outlet: str | None = None
) -> int:
    return _one(user, association, year, "media", outlet)


def highlights(*, user: User, association: Association, year: int) -> int:
    return _one(user, association, year, "highlights", None)


def site_count(*, user: User, association: Association, kind: str | None = None) -> int:
    """Open sites (阵地) of the subtree, of a kind."""
    return _one(user, association, tallies.STOCK, "sites", kind)


def expert_count(*, user: User, association: Association, specialty: str = "") -> int:
    """Active experts and trainers (each once; of a specialty when given)."""
    return _one(user, association, tallies.STOCK, "experts", specialty)


def peer_club_count(*, user: User, association: Association) -> int:
    return _one(user, association, tallies.STOCK, "peer_clubs", "")


def records_of_figure(
    *, user: User, association: Association, year: int, figure: str, dimension: str = ""
) -> QuerySet[Any]:
    """The records behind a figure (every figure clicks through to its records)."""
    if figure == "sites":
        rows: QuerySet[Any] = sites(user=user, under=association, status=Site.Status.OPEN)
        return rows.filter(kind__code=dimension) if dimension else rows
    if figure == "experts":
        return experts(user=user, under=association, specialty=dimension).filter(active=True)
    if figure in ("peer_clubs", "peer_members"):
        return peer_clubs(user=user, under=association).filter(active=True)
    rows = activities(user=user, under=association, year=year, status="done")
    if figure == "media":
        return (
            rows.filter(media__outlet=dimension).distinct()
            if dimension
            else rows.filter(media__isnull=False).distinct()
        )
    if figure == "highlights":
        rows = rows.filter(highlight=True)
    if figure in ("materials", *tallies.HEALTH):  # only the activities that count for it
        rows = rows.filter(**{f"{figure}__gt": 0})
    if figure in ("theme_activities", "theme_people"):
        return rows.filter(theme__code=dimension) if dimension else rows.filter(theme__isnull=False)
    if figure == "setting_activities" and dimension:
        return rows.filter(setting=dimension)
    if figure == "group_people" and dimension in dict(PARTICIPANT_GROUPS):
        return rows.filter(**{f"{dimension}__gt": 0})
    if dimension:
        rows = rows.filter(category__code=dimension)
    return rows


# --- the campaign and figures pages -------------------------------------------------------------


def campaign_list(
    *, user: User, year: int | None = None, theme: str = "", q: str = "", state: str = ""
) -> QuerySet[Campaign]:
    """The campaigns of `campaigns()`, filtered: the year they start in, a theme code, words of
    the title, and `state` ("upcoming", "running", "ended" on today's date)."""
    rows = campaigns(user=user)
    if year:
        rows = rows.filter(starts_on__year=year)
    if theme:
        rows = rows.filter(theme__code=theme)
    if q:
        rows = rows.filter(title__icontains=q)
    today = timezone.localdate()
    if state == "upcoming":
        rows = rows.filter(starts_on__gt=today)
    elif state == "running":
        rows = rows.filter(starts_on__lte=today, ends_on__gte=today)
    elif state == "ended":
        rows = rows.filter(ends_on__lt=today)
    return rows


def campaign_targets(*, user: User, campaign: Campaign) -> QuerySet[CampaignTarget]:
    """Every target of a campaign set in the user's subtree (what its edit form shows)."""
    return (
        CampaignTarget.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("association")
        .order_by("association__path")
    )


def campaign_area(*, user: User, campaign: Campaign, code: str) -> Association | None:
    """The association `code` names for a campaign's click-through: one in the user's subtree, or
    a target of the campaign above the user's home (a village follows its township's line and
    sees its own activities in it). None for anything else."""
    path = scope_path_of(user)
    if path is None or not code:
        return None
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    if found is not None:
        return found
    target = (
        CampaignTarget.objects.filter(campaign=campaign, association__code=code)
        .select_related("association")
        .first()
    )
    if target is not None and path_is_under(path, target.association.path):
        return target.association
    return None
