"""Reads of the association network, always through the user's scope."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fpa.core.names import is_ascii_query, normalize_query
from fpa.core.pagination import Page, keyset_page
from fpa.core.scope import scope_path_of
from fpa.organizations.models import Association, BodySeat, Filing, StaffMember
from fpa.organizations.pickers import PICKER_VALUES, area_label, search_key

if TYPE_CHECKING:
    from fpa.accounts.models import User


def association_search(queryset: QuerySet[Association], query: str) -> QuerySet[Association]:
    """Names by Chinese substring, by full pinyin prefix or by initials (ljxz → 刘家峡镇)."""
    query = normalize_query(query)
    if not query:
        return queryset
    if is_ascii_query(query):
        key = query.replace(" ", "").lower()
        return queryset.filter(Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key))
    if query.isdigit():
        return queryset.filter(code__startswith=query)
    return queryset.filter(name__contains=query)


def association_list(
    *,
    user: User,
    query: str = "",
    kind: str = "",
    include_closed: bool = False,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    queryset = Association.objects.visible_to(user).select_related("parent")
    if not include_closed:
        queryset = queryset.current()
    if kind:
        queryset = queryset.filter(kind=kind)
    found = association_search(queryset, query)
    return keyset_page(found, key="path", after=after, before=before, size=size)


def association_get(*, user: User, code: str) -> Association:
    """One association by code, inside the user's scope (raises DoesNotExist otherwise)."""
    return Association.objects.visible_to(user).select_related("parent", "successor").get(code=code)


def association_children(
    *, user: User, parent: Association, include_closed: bool = False
) -> list[Association]:
    """The children of a node, with how many children each has (one grouped query)."""
    queryset = Association.objects.visible_to(user).filter(parent=parent)
    if not include_closed:
        queryset = queryset.current()
    child_filter = Q(children__valid_to__isnull=True) if not include_closed else Q()
    return list(
        queryset.annotate(child_count=Count("children", filter=child_filter)).order_by("code")[
            :2000
        ]
    )


def association_ancestors(*, user: User, association: Association) -> list[Association]:
    """The breadcrumb from the user's home association down to `association`."""
    codes = association.ancestor_codes()
    by_code = {
        a.code: a
        for a in Association.objects.visible_to(user)
        .filter(code__in=codes)
        .only("code", "name", "path")
    }
    return [by_code[c] for c in codes if c in by_code]


@dataclass(frozen=True)
class AreaOption:
    """One entry of an area filter: a village or other unit below a township reads
    "乡镇 · 村" so that two villages of the same name stay apart; `path` and `search` feed the
    picker's township cascade and search (fpa.organizations.pickers)."""

    code: str
    label: str
    path: str = ""
    search: str = ""
    kind: str = ""


# area_options per worker: (scope path, kinds) -> (time read, options). Cleared in this worker
# when an association is saved or deleted (fpa.organizations.apps); the other workers read the
# tree again within settings.FPA_AREA_OPTIONS_SECONDS.
_AREA_OPTIONS: dict[tuple[str, tuple[str, ...]], tuple[float, tuple[AreaOption, ...]]] = {}
_AREA_OPTIONS_MAX = 512


def forget_area_options(**_: Any) -> None:
    _AREA_OPTIONS.clear()


class AreaOptions(list[AreaOption]):
    """The options of an area filter, with `stamp`: the scope path and when this worker read them
    (None when they are not kept), for a template fragment built from them to be kept exactly
    as long (e.g. families/list.html)."""

    stamp: str | None = None


def area_options(*, user: User, kinds: tuple[str, ...]) -> AreaOptions:
    """The `<option>`s of an area filter (includes/area_options.html): current associations of
    these kinds inside the scope, in tree order. One query, no model instances; then kept for
    the same scope and kinds for `FPA_AREA_OPTIONS_SECONDS` (the filter on every list page read
    the tree each time: ~2 ms of a ~7 ms list request). What a user may choose is still checked
    on the chosen code in scope (`_area` in each module's views), whatever the options say."""
    path = scope_path_of(user)
    seconds = settings.FPA_AREA_OPTIONS_SECONDS
    key = (path or "", kinds)
    now = time.monotonic()
    if seconds and path:
        hit = _AREA_OPTIONS.get(key)
        if hit is not None and now - hit[0] < seconds:
            return _stamped(hit[1], f"{path}|{','.join(kinds)}|{hit[0]!r}")
    rows = association_choices(user=user, kinds=kinds).values(*PICKER_VALUES).iterator()
    options = tuple(
        AreaOption(
            row["code"],
            area_label(row["name"], row["kind"], row["parent__name"]),
            row["path"],
            search_key(row),
            row["kind"],
        )
        for row in rows
    )
    if seconds and path:
        if len(_AREA_OPTIONS) >= _AREA_OPTIONS_MAX:
            _AREA_OPTIONS.clear()
        _AREA_OPTIONS[key] = (now, options)
        return _stamped(options, f"{path}|{','.join(kinds)}|{now!r}")
    return AreaOptions(options)


def _stamped(options: tuple[AreaOption, ...], stamp: str) -> AreaOptions:
    found = AreaOptions(options)
    found.stamp = stamp
    return found


def association_choices(
    *, user: User, kinds: tuple[str, ...] | None = None
) -> QuerySet[Association]:
    """For form fields and autocomplete: only current associations inside the scope."""
    queryset = Association.objects.visible_to(user).current()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return queryset.order_by("path")


def staff_list(
    *,
    user: User,
    association: Association | None = None,
    query: str = "",
    current_only: bool = True,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    queryset = StaffMember.objects.visible_to(user).select_related("association")
    if association is not None:
        queryset = queryset.filter(association=association)
    if current_only:
        today = timezone.localdate()
        queryset = queryset.filter(Q(left_on__isnull=True) | Q(left_on__gt=today)).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=today)
        )
    query = normalize_query(query)
    if query:
        if is_ascii_query(query):
            key = query.replace(" ", "").lower()
            queryset = queryset.filter(
                Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key)
            )
        else:
            queryset = queryset.filter(name__contains=query)
    return keyset_page(queryset, key="id", after=after, before=before, size=size)


def filing_list(
    *,
    user: User,
    status: str = "",
    to_review: bool = False,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    """Filings in scope; `to_review` narrows to those this user's association must review."""
    if to_review:
        queryset = filings_to_review(user=user).select_related("association", "person")
    else:
        queryset = Filing.objects.visible_to(user).select_related("association", "person")
    if status:
        queryset = queryset.filter(status=status)
    return keyset_page(queryset, key="id", after=after, before=before, size=size)


def public_contacts() -> list[Association]:
    """The current county- and township-level associations with their public address and office
    phone, in tree order, for the public front door (no person's data)."""
    kinds = (Association.Kind.COUNTY, Association.Kind.TOWNSHIP)
    return list(
        Association.objects.current()
        .filter(kind__in=kinds)
        .only("code", "name", "kind", "address", "public_phone", "path")
        .order_by("path")[:200]
    )


def filings_to_review(*, user: User) -> QuerySet[Filing]:
    """Filings submitted by the associations directly under the user's own, waiting for it."""
    home = user.home_association
    if home is None:
        return Filing.objects.none()
    return Filing.objects.visible_to(user).filter(
        association__parent=home, status=Filing.Status.SUBMITTED
    )


def filings_returned_to(*, user: User, size: int = 5) -> list[Filing]:
    """Filings this user submitted that were returned and not yet filed again (no later filing
    of the same association), newest first, with the reason."""
    later = Filing.objects.filter(association=OuterRef("association"), pk__gt=OuterRef("pk"))
    return list(
        Filing.objects.visible_to(user)
        .filter(submitted_by=user, status=Filing.Status.RETURNED)
        .exclude(Exists(later))
        .select_related("association", "person")
        .order_by("-reviewed_at", "-id")[:size]
    )


def association_filings(*, user: User, association: Association) -> list[Filing]:
    return list(
        Filing.objects.visible_to(user)
        .filter(association=association)
        .select_related("person", "reviewed_by")[:10]
    )


# The kinds that do not file (备案) with a parent: member groups (their association answers for
# them) and the province.
NOT_FILING = (Association.Kind.MEMBER_GROUP, Association.Kind.PROVINCE)


def _filing_in_force(day: datetime.date) -> QuerySet[Filing]:
    """The filing of the association at `OuterRef("pk")` in force on `day`: accepted by then
    (the last one accepted by then; accepting a new filing supersedes the one before, so a
    filing superseded only later was still in force), its person still in post that day. For
    `Exists`: the one rule of `filings_missing` and `filings_current`."""
    accepted = (Filing.Status.ACCEPTED, Filing.Status.SUPERSEDED)
    later = Filing.objects.filter(
        association=OuterRef("association"),
        status__in=accepted,
        reviewed_at__date__lte=day,
        reviewed_at__gt=OuterRef("reviewed_at"),
    )
    return (
        Filing.objects.filter(
            association=OuterRef("pk"), status__in=accepted, reviewed_at__date__lte=day
        )
        .filter(Q(person__left_on__isnull=True) | Q(person__left_on__gt=day))
        .filter(Q(person__term_end__isnull=True) | Q(person__term_end__gte=day))
        .exclude(Exists(later))
    )


def filings_missing(
    *, user: User, after: str | None = None, before: str | None = None, size: int = 50
) -> Page:
    """Associations with no filing in force today (none accepted, or its person no longer in
    post: missing or stale)."""
    today = timezone.localdate()
    stale_filing = Filing.objects.filter(association=OuterRef("pk"), status=Filing.Status.ACCEPTED)
    pending = Filing.objects.filter(association=OuterRef("pk"), status=Filing.Status.SUBMITTED)
    queryset = (
        Association.objects.visible_to(user)
        .current()
        .filter(parent__isnull=False)
        .exclude(kind__in=NOT_FILING)
        .annotate(has_stale=Exists(stale_filing), has_pending=Exists(pending))
        .filter(~Exists(_filing_in_force(today)))
        .select_related("parent")
    )
    return keyset_page(queryset, key="path", after=after, before=before, size=size)


def filings_current(*, user: User, root: Association, on: datetime.date) -> tuple[int, int]:
    """(with a filing in force, that file) for the associations of `root`'s subtree (`root`
    included) as `user` sees them, on day `on`: those that existed that day (created on or
    before it, not stopped by then) and file with a parent (not member groups), and among them
    those whose filing was in force that day (`_filing_in_force`, the rule `filings_missing`
    lists the others by today). The key-work assessment's "current filings" figure
    (`fpa.organizations.indicators`). One query."""
    found = (
        Association.objects.visible_to(user)
        .filter(path__under=root.path, parent__isnull=False, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .exclude(kind__in=NOT_FILING)
        .aggregate(due=Count("pk"), filed=Count("pk", filter=Exists(_filing_in_force(on))))
    )
    return found["filed"], found["due"]


@dataclass
class BodyComposition:
    body: str
    label: str
    total: int
    by_source: dict[str, int]

    @property
    def grassroots(self) -> int:
        return sum(self.by_source.get(s, 0) for s in BodySeat.GRASSROOTS_SOURCES)

    @property
    def grassroots_share(self) -> float | None:
        return round(100 * self.grassroots / self.total, 1) if self.total else None

    def share(self, source: str) -> float | None:
        return round(100 * self.by_source.get(source, 0) / self.total, 1) if self.total else None


# The associations the annual work report counts by kind: 村（社区） and 企业、流动人口计生协.
REPORT_KINDS = {
    "villages": (Association.Kind.VILLAGE,),
    "enterprises": (
        Association.Kind.ENTERPRISE,
        Association.Kind.PARK,
        Association.Kind.CHAMBER,
        Association.Kind.CHAMBER_JOINT,
        Association.Kind.MIGRANT,
    ),
}


def associations_below(*, user: User, association: Association, figure: str) -> QuerySet[Any]:
    """The current associations below `association` of one `REPORT_KINDS` group (the reports
    up the chain count them and keep their ids)."""
    return (
        Association.objects.visible_to(user)
        .current()
        .filter(path__startswith=association.path, kind__in=REPORT_KINDS.get(figure, ()))
        .exclude(pk=association.pk)
    )


def composition(
    *, user: User, association: Association, subtree: bool = False
) -> list[BodyComposition]:
    """Current seats by body and source for one association (or its whole subtree), one query."""
    queryset = BodySeat.objects.visible_to(user).filter(ended_on__isnull=True)
    if subtree:
        queryset = queryset.filter(association__path__under=association.path)
    else:
        queryset = queryset.filter(association=association)
    counts: dict[str, dict[str, int]] = {}
    for row in queryset.values("body", "source").annotate(n=Count("id")):
        counts.setdefault(row["body"], {})[row["source"]] = row["n"]
    return [
        BodyComposition(
            body=body.value,
            label=str(body.label),
            total=sum(counts.get(body.value, {}).values()),
            by_source=counts.get(body.value, {}),
        )
        for body in BodySeat.Body
    ]


def composition_by_child(*, user: User, association: Association) -> list[dict[str, Any]]:
    """Per child association: seats and grassroots share per body, in one grouped query."""
    children = association_children(user=user, parent=association)
    rows = (
        BodySeat.objects.visible_to(user)
        .filter(ended_on__isnull=True, association__path__under=association.path)
        .exclude(association=association)
        .values("association__path", "body", "source")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, dict[str, int]]] = {c.path: {} for c in children}
    for row in rows:
        child_path = _child_path(association.path, row["association__path"])
        if child_path in table:
            bucket = table[child_path].setdefault(row["body"], {})
            bucket[row["source"]] = bucket.get(row["source"], 0) + row["n"]
    out = []
    for child in children:
        bodies = {
            body.value: BodyComposition(
                body=body.value,
                label=str(body.label),
                total=sum(table[child.path].get(body.value, {}).values()),
                by_source=table[child.path].get(body.value, {}),
            )
            for body in BodySeat.Body
        }
        out.append({"association": child, "bodies": bodies})
    return out


def _child_path(root: str, path: str) -> str:
    rest = path[len(root) :]
    return root + rest.split("/", 1)[0] + "/"


def seat_list(*, user: User, association: Association) -> QuerySet[BodySeat]:
    return (
        BodySeat.objects.visible_to(user)
        .filter(association=association)
        .order_by("body", "ended_on", "name")
    )


def filing_candidates(*, user: User, association: Association) -> QuerySet[StaffMember]:
    """The current staff of the association who may be filed as the one who runs it."""
    people = staff_list(user=user, association=association, size=100).items
    return StaffMember.objects.visible_to(user).filter(pk__in=[p.pk for p in people])
