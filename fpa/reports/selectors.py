"""Reads of the reports up the chain, scoped to the user: the kinds, one report's sheet (figures
stored, derived live, typed; the previous period; the subordinates' accepted sums; the checks),
the 下级上报 of a level, the archive, the recipients of the workflow's events.

Bounded in queries: a report's sheet reads its values, the previous period's, the accepted
subordinates' sums (one grouped query) and each module's figures once (`one_reading`); the
下级上报 list reads the children, their reports for the period and their submitters in three.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.models import User
from fpa.accounts.roles import roles_granting
from fpa.core.pagination import Page, sorted_page
from fpa.core.review import Status
from fpa.core.scope import covering_paths
from fpa.core.todo import one_reading
from fpa.organizations.models import Association
from fpa.reports import checks
from fpa.reports.fields import MONTH, Figure, Period, ReportField, parse_period, period_containing
from fpa.reports.kinds import BUILT_IN, Kind, Section
from fpa.reports.models import CustomKind, DueDate, Report, ReportEvidence, ReportStep, ReportValue

# Who files reports: the territorial levels (a member group or an enterprise association
# reports through the association it hangs under).
FILERS = (
    Association.Kind.VILLAGE,
    Association.Kind.TOWNSHIP,
    Association.Kind.COUNTY,
    Association.Kind.PREFECTURE,
    Association.Kind.PROVINCE,
)
NOT_STARTED = "not_started"
CUSTOM_PREFIX = "custom."
SORTS: dict[str, tuple[str, str, bool]] = {
    "recent": (gettext_noop("最近填报"), "id", True),
    "period": (gettext_noop("报告期（新→旧）"), "period", True),
    "area": (gettext_noop("填报单位"), "association__path", False),
    "due": (gettext_noop("截止日期"), "due_on", False),
}


# --- kinds ----------------------------------------------------------------------------------


def _custom(kind: CustomKind) -> Kind:
    hand = {
        f"{CUSTOM_PREFIX}{kind.code}.{f.pk}": ReportField(
            key=f"{CUSTOM_PREFIX}{kind.code}.{f.pk}", label=f.label, unit=f.unit
        )
        for f in kind.fields.all()
    }
    return Kind(
        key=f"{CUSTOM_PREFIX}{kind.code}",
        label=kind.name,
        periodicity=kind.periodicity,
        sections=(Section(kind.name, tuple(hand)),),
        custom=True,
        hand=hand,
    )


def _custom_for(user: User) -> QuerySet[CustomKind]:
    """The custom kinds that apply to the user: set by their association or one above it (a
    county's kinds are its own subtree's, never another county's)."""
    home = user.home_association
    if home is None:
        return CustomKind.objects.none()
    return CustomKind.objects.filter(association__path__in=covering_paths(home.path))


def kinds(user: User) -> list[Kind]:
    """The built-in kinds, then the active custom kinds that apply to the user."""
    custom = _custom_for(user).filter(active=True).prefetch_related("fields").order_by("code")
    return [*BUILT_IN.values(), *(_custom(k) for k in custom)]


def kind_get(key: str, user: User | None = None) -> Kind | None:
    """The kind of `key`. With `user` (a key the user chose), only a kind offered to them: a
    built-in one, or an active custom kind that applies to them; without (the kind of a report
    already read through the scope), any kind, retired ones too."""
    if key in BUILT_IN:
        return BUILT_IN[key]
    if key.startswith(CUSTOM_PREFIX):
        rows = CustomKind.objects.all() if user is None else _custom_for(user).filter(active=True)
        found = rows.filter(code=key[len(CUSTOM_PREFIX) :][:30]).prefetch_related("fields").first()
        return _custom(found) if found is not None else None
    return None


def custom_kinds_set_by(user: User) -> QuerySet[CustomKind]:
    """The custom kinds the user's association set, retired ones too (the kinds page)."""
    home = user.home_association
    if home is None:
        return CustomKind.objects.none()
    return CustomKind.objects.filter(association=home).prefetch_related("fields").order_by("code")


def kind_labels() -> dict[str, str]:
    """Every kind's label by key, translated (custom kinds as their county named them, any
    county's: a label is no secret, and the archive lists the reports of the levels below)."""
    custom = CustomKind.objects.values_list("code", "name")
    return {
        **{k.key: gettext(k.label) for k in BUILT_IN.values()},
        **{f"{CUSTOM_PREFIX}{code}": name for code, name in custom},
    }


def kind_label(key: str) -> str:
    kind = BUILT_IN.get(key)
    if kind is not None:
        return gettext(kind.label)
    found = kind_get(key)
    return found.label if found is not None else key


def period_of(kind: Kind, text: str | None, today: datetime.date | None = None) -> Period:
    """The period named by `text` for `kind` (ValueError with the message otherwise)."""
    return parse_period(kind.periodicity, text, today=today or timezone.localdate())


# --- one report -----------------------------------------------------------------------------


def due_dates(
    association: Association, wanted: Sequence[tuple[Kind, Period]]
) -> dict[tuple[str, str], datetime.date]:
    """Each (kind, period)'s due date for `association`: the one set by the nearest association
    on its path (one query for all of them), else the kind's rule."""
    rows = (
        DueDate.objects.filter(
            association__path__in=covering_paths(association.path),
            kind__in={kind.key for kind, _p in wanted},
            period__in={period.key for _k, period in wanted},
        )
        .order_by("association__depth")
        .values_list("kind", "period", "due_on")
    )
    found = {(kind, period): due_on for kind, period, due_on in rows}  # the nearest comes last
    return {
        (kind.key, period.key): found.get((kind.key, period.key), period.default_due())
        for kind, period in wanted
    }


def due_for(association: Association, kind: Kind, period: Period) -> datetime.date:
    """The due date set by an association above (the nearest), else the kind's rule."""
    return due_dates(association, [(kind, period)])[(kind.key, period.key)]


def report_find(*, user: User, association: Association, kind: str, period: str) -> Report | None:
    return (
        Report.objects.visible_to(user)
        .filter(association=association, kind=kind, period=period)
        .select_related("association", "submitted_by", "decided_by")
        .first()
    )


def reports_of(
    *, user: User, association: Association, wanted: Sequence[tuple[Kind, Period]]
) -> dict[tuple[str, str], Report]:
    """The association's reports of each (kind, period), in one query."""
    keys = {(kind.key, period.key) for kind, period in wanted}
    found = (
        Report.objects.visible_to(user)
        .filter(
            association=association,
            kind__in={kind for kind, _p in keys},
            period__in={period for _k, period in keys},
        )
        .select_related("association", "submitted_by", "decided_by")
    )
    return {(r.kind, r.period): r for r in found if (r.kind, r.period) in keys}


def report_get(*, user: User, pk: Any) -> Report:
    text = str(pk or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Http404
    found = (
        Report.objects.visible_to(user)
        .select_related("association", "submitted_by", "decided_by")
        .filter(pk=int(text))
        .first()
    )
    if found is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。"))
    return found


def derived_figures(
    *, user: User, kind: Kind, association: Association, period: Period
) -> dict[str, Figure]:
    """Each derived field's figure for the association's subtree, every module read once."""
    out: dict[str, Figure] = {}
    with one_reading():
        for key in kind.keys:
            declared = kind.field(key)
            if declared.derive is not None:
                out[key] = declared.derive(user, association, period)
    return out


def stored_values(report: Report | None) -> dict[str, ReportValue]:
    if report is None:
        return {}
    return {v.key: v for v in ReportValue.objects.filter(report=report)}


def previous_values(association: Association, kind: Kind, period: Period) -> dict[str, Decimal]:
    """The figures of the previous period's accepted report of the association, if any."""
    rows = ReportValue.objects.filter(
        report__association=association,
        report__kind=kind.key,
        report__period=period.previous().key,
        report__status=Status.ACCEPTED,
    )
    return {key: value for key, value in rows.values_list("key", "value")}


def subordinate_sums(
    *, user: User, association: Association, kind: Kind, period: Period
) -> dict[str, Decimal]:
    """The sums of the accepted reports of the associations directly below (one grouped query)."""
    rows = (
        ReportValue.objects.visible_to(user)
        .filter(
            report__association__parent=association,
            report__kind=kind.key,
            report__period=period.key,
            report__status=Status.ACCEPTED,
        )
        .values("key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {row["key"]: row["total"] for row in rows}


@dataclass
class Line:
    """One field of a report as shown: the figure to file, where it comes from, and beside it
    the previous period, the subordinates' accepted sum and (for a frozen report) the live
    figure now."""

    key: str
    label: str
    unit: str
    derived: bool
    value: Decimal | None
    url: str = ""
    previous: Decimal | None = None
    below: Decimal | None = None
    live: Decimal | None = None
    records: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.live is not None and self.value is not None and self.live != self.value

    @property
    def shown(self) -> str:
        return checks.number(self.value)


@dataclass
class Sheet:
    kind: Kind
    association: Association
    period: Period
    report: Report | None
    sections: list[tuple[str, list[Line]]]
    problems: list[checks.Problem]
    due_on: datetime.date
    frozen: bool

    @property
    def lines(self) -> list[Line]:
        return [line for _title, lines in self.sections for line in lines]

    @property
    def blocking(self) -> list[checks.Problem]:
        return [p for p in self.problems if p.blocking]


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def sheet(
    *,
    user: User,
    kind: Kind,
    association: Association,
    period: Period,
    report: Report | None,
    typed: dict[str, Decimal | None] | None = None,
    live: bool = False,
) -> Sheet:
    """A report's figures: a frozen (submitted or accepted) report shows its stored values, and
    with `live` the figures the records would give now; an editable one derives its figures
    now and shows the typed ones (`typed`, else stored, else the subordinates' accepted sum)."""
    frozen = report is not None and not report.editable
    stored = stored_values(report)
    previous = previous_values(association, kind, period)
    below = subordinate_sums(user=user, association=association, kind=kind, period=period)
    derived = (
        derived_figures(user=user, kind=kind, association=association, period=period)
        if not frozen or live
        else {}
    )
    evidence = {}
    if frozen and report is not None:
        evidence = {e.key: e for e in ReportEvidence.objects.filter(report=report)}
    values: dict[str, Decimal | None] = {}
    sections = []
    for section in kind.sections:
        lines = []
        for key in section.keys:
            declared = kind.field(key)
            figure = derived.get(key)
            line = Line(
                key=key,
                label=gettext(declared.label),
                unit=gettext(declared.unit),
                derived=declared.derived,
                value=None,
                previous=previous.get(key),
                below=below.get(key),
            )
            if frozen:
                kept = stored.get(key)
                line.value = kept.value if kept is not None else None
                line.derived = kept is not None and kept.source == ReportValue.Source.DERIVED
                proof = evidence.get(key)
                line.url = proof.url if proof is not None else ""
                line.records = len(proof.record_ids) if proof is not None else None
                line.live = _dec(figure.value) if figure is not None else None
            elif figure is not None:
                line.value, line.url = _dec(figure.value), figure.url
            elif typed is not None and key in typed:
                line.value = typed[key]
            elif key in stored:
                line.value = stored[key].value
            else:
                line.value = below.get(key)
            values[key] = line.value
            lines.append(line)
        sections.append((gettext(section.title), lines))
    problems = checks.check(
        kind,
        values,
        derived={line.key for _t, ls in sections for line in ls if line.derived},
        previous=previous,
        same_year=period.previous().first.year == period.first.year,
        below=below,
    )
    by_key: dict[str, list[str]] = {}
    for problem in problems if not frozen else []:
        by_key.setdefault(problem.key, []).append(problem.message)
    for _title, lines in sections:
        for line in lines:
            line.problems = by_key.get(line.key, [])
    return Sheet(
        kind=kind,
        association=association,
        period=period,
        report=report,
        sections=sections,
        problems=problems if not frozen else [],
        due_on=report.due_on if report is not None else due_for(association, kind, period),
        frozen=frozen,
    )


def steps(report: Report) -> list[ReportStep]:
    return list(report.steps.select_related("by", "by_association").order_by("at", "id"))


# --- 下级上报 ---------------------------------------------------------------------------------


@dataclass
class SubordinateRow:
    association: Association
    report: Report | None
    due_on: datetime.date
    late: bool

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else NOT_STARTED

    @property
    def status_label(self) -> str:
        if self.report is None:
            return gettext("未开始")
        return str(self.report.get_status_display())


def subordinates(
    *,
    user: User,
    association: Association,
    kind: Kind,
    period: Period,
    today: datetime.date | None = None,
) -> list[SubordinateRow]:
    """The associations directly below that file reports, with their report for the period (or
    none), the due date and whether they are late (due passed, not submitted or accepted)."""
    today = today or timezone.localdate()
    children = list(
        Association.objects.visible_to(user)
        .current()
        .filter(parent=association, kind__in=FILERS)
        .order_by("code")[:2000]
    )
    reports = {
        r.association_id: r
        for r in Report.objects.visible_to(user)
        .filter(association__parent=association, kind=kind.key, period=period.key)
        .select_related("submitted_by")
    }
    due = due_for(association, kind, period)  # children inherit the date set above them
    rows = []
    for child in children:
        report = reports.get(child.pk)
        due_on = report.due_on if report is not None else due
        done = report is not None and report.status in (Status.SUBMITTED, Status.ACCEPTED)
        rows.append(SubordinateRow(child, report, due_on, late=not done and due_on < today))
    return rows


def monthly_reports_on_time(
    *, user: User, association: Association, year: int, until: datetime.date | None = None
) -> tuple[int, int]:
    """(submitted by the due date, due) for the built-in monthly reports of the associations that
    file in `association`'s subtree (itself included) as `user` sees them, whose due date falls in
    `year` (and on or before `until`, an assessment round's cut-off date): the key-work
    assessment's "monthly reports submitted on time" figure (`fpa.reports.indicators`).

    "Due" counts, for each filer that existed on the due date, each monthly period whose due
    date -- the report's own, else the one set above the association (as `subordinates` reads
    it) -- falls there, whether a report was opened or not; "submitted by the due date" those
    whose report is submitted or accepted and was (last) submitted on or before it: a report
    returned and submitted again after its due date is late. Three queries."""
    last = min(until or datetime.date(year, 12, 31), datetime.date(year, 12, 31))
    kinds = [kind for kind in BUILT_IN.values() if kind.periodicity == MONTH]
    # December of the year before is due in January (by default).
    periods = [period_containing(MONTH, datetime.date(year - 1, 12, 1))] + [
        period_containing(MONTH, datetime.date(year, month, 1)) for month in range(1, 13)
    ]
    wanted = [(kind, period) for kind in kinds for period in periods]
    if not wanted or last < datetime.date(year, 1, 1):
        return 0, 0
    dues = due_dates(association, wanted)  # children inherit the date set above them
    filers = list(
        Association.objects.visible_to(user)
        .filter(path__under=association.path, kind__in=FILERS)
        .values_list("pk", "valid_from", "valid_to")
    )
    reports = {
        (r.association_id, r.kind, r.period): r
        for r in Report.objects.visible_to(user).filter(
            association__path__under=association.path,
            kind__in=[kind.key for kind in kinds],
            period__in=[period.key for period in periods],
        )
    }
    done = due = 0
    for pk, valid_from, valid_to in filers:
        for kind, period in wanted:
            report = reports.get((pk, kind.key, period.key))
            due_on = report.due_on if report is not None else dues[(kind.key, period.key)]
            if due_on.year != year or due_on > last:
                continue
            if valid_from > due_on or (valid_to is not None and valid_to <= due_on):
                continue
            due += 1
            if (
                report is not None
                and report.status in (Status.SUBMITTED, Status.ACCEPTED)
                and report.submitted_at is not None
                and timezone.localdate(report.submitted_at) <= due_on
            ):
                done += 1
    return done, due


def live_units(*, user: User, association: Association) -> list[Association]:
    """The associations a live roll-up lists, in tree order: those directly below that file
    reports and, above county level, every county beneath them too (a province's annual report
    goes county by county). Bounded: at most 2,000."""
    below = Association.objects.visible_to(user).current().filter(kind__in=FILERS)
    direct = below.filter(parent=association)
    if association.kind in (Association.Kind.PROVINCE, Association.Kind.PREFECTURE):
        counties = below.filter(
            kind=Association.Kind.COUNTY, path__startswith=association.path
        ).exclude(pk=association.pk)
        direct = direct | counties
    return list(direct.order_by("path")[:2000])


def live_figures(
    *,
    user: User,
    association: Association,
    kind: Kind,
    period: Period,
    on_unit: Any = None,
) -> tuple[list[tuple[Association, dict[str, Decimal]]], dict[str, Decimal]]:
    """Each listed unit's derived figures now (`live_units`) and the association's own subtree's
    figures as the total; hand fields stay empty (only a filed report knows them). `on_unit(n)`
    is called after each unit (a job's progress)."""
    rows: list[tuple[Association, dict[str, Decimal]]] = []
    for count, unit in enumerate(live_units(user=user, association=association), start=1):
        figures = derived_figures(user=user, kind=kind, association=unit, period=period)
        rows.append((unit, {key: Decimal(f.value) for key, f in figures.items()}))
        if on_unit is not None:
            on_unit(count)
    total = derived_figures(user=user, kind=kind, association=association, period=period)
    return rows, {key: Decimal(f.value) for key, f in total.items()}


# --- the archive ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveFilters:
    kind: str = ""
    period: str = ""
    association: Association | None = None
    status: str = ""


def _archive(user: User, filters: ArchiveFilters) -> QuerySet[Report]:
    rows = Report.objects.visible_to(user)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.period:
        rows = rows.filter(period=filters.period)
    if filters.association is not None:
        rows = rows.filter(association__path__under=filters.association.path)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.select_related("association", "submitted_by", "decided_by")


def archive(
    *,
    user: User,
    filters: ArchiveFilters,
    sort: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    _label, key, descending = SORTS.get(sort) or SORTS["recent"]
    return sorted_page(
        _archive(user, filters),
        key=key,
        descending=descending,
        after=after,
        before=before,
        size=size,
    )


def archive_for_export(*, user: User, filters: ArchiveFilters) -> QuerySet[Report]:
    return _archive(user, filters).order_by("kind", "-period", "association__path", "id")


def values_of(reports: Iterable[Report]) -> dict[int, dict[str, Decimal]]:
    """The stored figures of many reports (one query)."""
    out: dict[int, dict[str, Decimal]] = {}
    ids = [r.pk for r in reports]
    for report_id, key, value in ReportValue.objects.filter(report_id__in=ids).values_list(
        "report_id", "key", "value"
    ):
        out.setdefault(report_id, {})[key] = value
    return out


# --- for the to-dos and the events ------------------------------------------------------------


def holders_of(capability: str, association: Association) -> list[int]:
    """The active users of `association` holding `capability` (the recipients of an event)."""
    return list(
        User.objects.filter(
            home_association=association,
            is_active=True,
            roles__role__in=roles_granting(capability),
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def to_review(*, user: User) -> QuerySet[Report]:
    """Submitted reports of the associations directly below the user's home."""
    home = user.home_association
    if home is None:
        return Report.objects.none()
    return (
        Report.objects.visible_to(user)
        .filter(association__parent=home, status=Status.SUBMITTED)
        .exclude(submitted_by=user)
    )


def returned_to(*, user: User, size: int = 5) -> list[Report]:
    home = user.home_association
    if home is None:
        return []
    return list(
        Report.objects.visible_to(user)
        .filter(association=home, status=Status.RETURNED)
        .order_by("-decided_at")[:size]
    )


def to_submit(*, user: User, today: datetime.date | None = None, within: int = 3) -> list[Any]:
    """(kind, period, due date, late) of the built-in kinds' last complete period that the
    user's home association has not submitted and is due within `within` days or late."""
    home = user.home_association
    if home is None or home.kind not in FILERS:
        return []
    today = today or timezone.localdate()
    from fpa.reports.fields import last_complete

    wanted = [(kind, last_complete(kind.periodicity, today)) for kind in BUILT_IN.values()]
    done = set(
        Report.objects.filter(
            association=home,
            status__in=(Status.SUBMITTED, Status.ACCEPTED),
            kind__in=[k.key for k, _p in wanted],
        ).values_list("kind", "period")
    )
    out = []
    dues = due_dates(home, wanted)
    for kind, period in wanted:
        if (kind.key, period.key) in done:
            continue
        due = dues[(kind.key, period.key)]
        if due <= today + datetime.timedelta(days=within):
            out.append((kind, period, due, due < today))
    return out
