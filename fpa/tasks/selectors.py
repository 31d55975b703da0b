"""Reads of the reform task book. Every read of tasks starts from `visible_to(user)`: a task is
in the subtree of the association it is assigned to, so a township sees the tasks assigned to
it and the ones it set for its villages, never another township's; the county sees them all.

`tasks_done_on_time` is the figure the township assessment (fpa.assessment) reads.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core.links import link_to
from fpa.core.pagination import Page, keyset_page
from fpa.core.scope import covering_paths, scope_path_of
from fpa.organizations.models import Association
from fpa.tasks import rules
from fpa.tasks.models import Evidence, Extension, Measure, Step, Supervision, Task

if TYPE_CHECKING:
    from fpa.accounts.models import User

# The list's orders: (label, keyset key, descending). Each key is unique, so pages follow it.
SORTS: dict[str, tuple[str, str, bool]] = {
    "deadline": (gettext_noop("完成时限近的在前"), "due_key", False),
    "newest": (gettext_noop("最新下达在前"), "id", True),
    "oldest": (gettext_noop("最早下达在前"), "id", False),
}
LIST_RELATED = ("measure", "association", "set_by", "responsible")
ROADMAP_LIMIT = 500  # bars on one roadmap: far more than a county's plan has
PRINT_LIMIT = 1000
# The annotation of `TaskQuerySet.with_status` (named through a variable: the type checker's
# plugin knows fields, not annotations).
STATUS: str = "computed_status"


@dataclass(frozen=True)
class Filters:
    status: str = ""
    measure: Measure | None = None
    association: Association | None = None  # the tasks in its subtree
    year: int | None = None  # the tasks whose period touches the year
    query: str = ""
    ladder: str = ""  # one of LADDER: tasks with such a supervision step (in `year` if given)


# The supervision steps a list can be filtered by (the evaluation's figures click through).
LADDER: dict[str, str] = {
    "reminder": gettext_noop("发过提醒"),
    "notice": gettext_noop("下发过督办单"),
    "notice_open": gettext_noop("督办单未答复"),
    "interview": gettext_noop("约谈过"),
    "extension": gettext_noop("申请过延期"),
}


def _ladder_q(ladder: str, year: int | None) -> Q:
    """Tasks with a supervision step of the kind `ladder`, dated in `year` when given."""
    if ladder == "extension":
        found = Extension.objects.all()
        if year:
            found = found.filter(requested_on__year=year)
        return Q(pk__in=found.values("task_id"))
    kind = Supervision.Kind.NOTICE if ladder == "notice_open" else ladder
    steps = Supervision.objects.filter(kind=kind)
    if ladder == "notice_open":
        steps = steps.filter(answered_on__isnull=True)
    if year:
        steps = steps.filter(issued_on__year=year)
    return Q(pk__in=steps.values("task_id"))


# A subtree of at most this many associations (a township and its villages, a county) is read
# by its ids; a larger one only through the scope's path condition.
SUBTREE_IDS = 500


def _subtree_ids(path: str) -> list[int] | None:
    """The ids of the associations under `path`, or None when there are more than SUBTREE_IDS.
    One indexed query. The scope's condition (`visible_to`) stays on every read; the ids are
    added so that PostgreSQL reads a township's tasks by the association index: from the path
    prefix alone it expects several times a township's associations (a province's path
    histogram is coarse) and scans every task of the province instead."""
    ids = list(
        Association.objects.filter(path__under=path).values_list("pk", flat=True)[: SUBTREE_IDS + 1]
    )
    return ids if len(ids) <= SUBTREE_IDS else None


def _narrowed(queryset: QuerySet[Task], path: str | None) -> QuerySet[Task]:
    ids = _subtree_ids(path) if path else None
    return queryset if ids is None else queryset.filter(association_id__in=ids)


def _filtered(queryset: QuerySet[Task], filters: Filters, today: datetime.date) -> QuerySet[Task]:
    queryset = queryset.with_status(today)  # type: ignore[attr-defined]
    if filters.status:
        queryset = queryset.filter(**{"computed_status": filters.status})
    if filters.measure is not None:
        queryset = queryset.filter(measure=filters.measure)
    if filters.association is not None:
        queryset = queryset.filter(association__path__under=filters.association.path)
    if filters.year:
        queryset = queryset.filter(
            start_on__year__lte=filters.year, deadline__year__gte=filters.year
        )
    query = " ".join((filters.query or "").split())[:50]
    if query:
        queryset = queryset.filter(title__contains=query)
    if filters.ladder in LADDER:
        queryset = queryset.filter(_ladder_q(filters.ladder, filters.year))
    return queryset


def task_list(
    *,
    user: User,
    filters: Filters,
    sort: str = "deadline",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    """A page of the tasks the user sees, filtered, with their status, in one of `SORTS`."""
    _label, key, descending = SORTS.get(sort) or SORTS["deadline"]
    queryset = _filtered(
        Task.objects.visible_to(user).select_related(*LIST_RELATED),
        filters,
        timezone.localdate(),
    )
    area = filters.association.path if filters.association else scope_path_of(user)
    queryset = _narrowed(queryset, area)
    return keyset_page(
        queryset, key=key, after=after, before=before, size=size, descending=descending
    )


def tasks_for_export(*, user: User, filters: Filters) -> QuerySet[Task]:
    """The list's rows for the workbook and the printed task book: by measure, then deadline."""
    return (
        _filtered(Task.objects.visible_to(user), filters, timezone.localdate())
        .select_related(*LIST_RELATED, "measure__association", "parent")
        .prefetch_related("co_associations")
        .order_by("measure__number", "due_key")
    )


def task_book(*, user: User, filters: Filters) -> list[tuple[Measure, list[Task]]]:
    """The printed task book: the tasks grouped by measure, in plan order."""
    groups: dict[int, tuple[Measure, list[Task]]] = {}
    for task in tasks_for_export(user=user, filters=filters)[:PRINT_LIMIT]:
        groups.setdefault(task.measure_id, (task.measure, []))[1].append(task)
    return list(groups.values())


def timeline(*, task: Task) -> list[Step]:
    """The task's timeline, oldest first, with each step's record and its files."""
    files = Evidence.objects.order_by("id")
    return list(
        task.steps.select_related(
            "recorded_by", "report", "supervision", "supervision__answered_by", "extension"
        )
        .prefetch_related(
            Prefetch("report__files", queryset=files),
            Prefetch("supervision__files", queryset=files),
        )
        .order_by("recorded_at", "id")
    )


def open_notices(*, task: Task) -> list[Supervision]:
    return list(
        task.supervisions.filter(kind=Supervision.Kind.NOTICE, answered_on__isnull=True).order_by(
            "id"
        )
    )


def pending_extension(*, task: Task) -> Extension | None:
    return task.extensions.filter(status=Extension.Status.PENDING).first()


def parent_visible(*, user: User, task: Task) -> bool:
    """Whether the user may open the task `task` was handed down from (a township does not see
    its county's task, only its own copy)."""
    return task.parent_id is not None and (
        Task.objects.visible_to(user).filter(pk=task.parent_id).exists()
    )


def children(*, user: User, task: Task) -> list[Task]:
    """The copies handed down from `task` that the user sees, by association."""
    today = timezone.localdate()
    return list(
        Task.objects.visible_to(user)
        .filter(parent=task)
        .with_status(today)
        .select_related("association", "responsible")
        .order_by("association__code")
    )


# --- measures -------------------------------------------------------------------------------------


def measure_choices(*, user: User) -> QuerySet[Measure]:
    """The measures a user's tasks may serve: the plans of the user's association and of the
    associations above it (a township works to its county's plan)."""
    path = scope_path_of(user)
    if path is None:
        return Measure.objects.none()
    return (
        Measure.objects.filter(association__path__in=covering_paths(path))
        .select_related("association")
        .order_by("association__depth", "number")
    )


def own_measures(*, user: User) -> QuerySet[Measure]:
    """The measures of the plan of the user's own association (editable by it)."""
    home = getattr(user, "home_association_id", None)
    if home is None:
        return Measure.objects.none()
    return Measure.objects.filter(association_id=home).order_by("number")


def staff_choices(*, associations: QuerySet[Association]) -> QuerySet[User]:
    """Who may be a task's person responsible: active staff of `associations` (already scoped
    by the caller) who may report progress."""
    from fpa.accounts.models import User
    from fpa.accounts.roles import roles_granting

    return (
        User.objects.filter(
            is_active=True,
            home_association__in=associations,
            roles__role__in=roles_granting("task.report"),
        )
        .distinct()
        .order_by("home_association__path", "username")
    )


# --- to-dos ---------------------------------------------------------------------------------------


def _home(user: User) -> int | None:
    return getattr(user, "home_association_id", None)


def overdue_mine(*, user: User) -> QuerySet[Task]:
    """Open tasks past their deadline assigned to the user's association: the responsible
    side's to-do (a late completion waiting for acceptance is the setting level's move)."""
    home = _home(user)
    if home is None:
        return Task.objects.none()
    return Task.objects.visible_to(user).filter(
        association_id=home, stage=Task.Stage.OPEN, deadline__lt=timezone.localdate()
    )


def notices_unanswered(*, user: User) -> QuerySet[Supervision]:
    """督办单 waiting for the answer of the user's association."""
    home = _home(user)
    if home is None:
        return Supervision.objects.none()
    return Supervision.objects.visible_to(user).filter(
        task__association_id=home, kind=Supervision.Kind.NOTICE, answered_on__isnull=True
    )


def awaiting_acceptance(*, user: User) -> QuerySet[Task]:
    """Completions waiting for the acceptance of the user's association (the setting level)."""
    home = _home(user)
    if home is None:
        return Task.objects.none()
    return Task.objects.visible_to(user).filter(set_by_id=home, stage=Task.Stage.COMPLETED)


def extensions_waiting(*, user: User) -> QuerySet[Extension]:
    """Extension requests waiting for the decision of the user's association."""
    home = _home(user)
    if home is None:
        return Extension.objects.none()
    return Extension.objects.visible_to(user).filter(
        task__set_by_id=home, status=Extension.Status.PENDING
    )


def todo_counts(*, user: User) -> dict[str, int]:
    """The four to-do counts of the user's association in one query: overdue tasks and
    unanswered 督办单 (the responsible side), completions to accept and extension requests to
    decide (the setting level). The same rows as the four selectors above."""
    home = _home(user)
    if home is None:
        return {"overdue": 0, "notices": 0, "acceptance": 0, "extensions": 0}
    mine, theirs = Q(association_id=home), Q(set_by_id=home)
    found = Task.objects.visible_to(user).aggregate(
        overdue=Count(
            "id",
            filter=mine & Q(stage=Task.Stage.OPEN, deadline__lt=timezone.localdate()),
            distinct=True,
        ),
        acceptance=Count("id", filter=theirs & Q(stage=Task.Stage.COMPLETED), distinct=True),
        notices=Count(
            "supervisions",
            filter=mine
            & Q(
                supervisions__kind=Supervision.Kind.NOTICE,
                supervisions__answered_on__isnull=True,
            ),
            distinct=True,
        ),
        extensions=Count(
            "extensions",
            filter=theirs & Q(extensions__status=Extension.Status.PENDING),
            distinct=True,
        ),
    )
    return {key: int(value or 0) for key, value in found.items()}


# --- the roadmap ----------------------------------------------------------------------------------


def roadmap(*, user: User, filters: Filters) -> dict[str, Any]:
    """The roadmap's data: one row per measure that has tasks, one bar per task from its start
    to its deadline, coloured by status (ECharts custom series, fpa/static/fpa/tasks-roadmap.js).
    Plain values only: the page embeds it as JSON."""
    today = timezone.localdate()
    rows = (
        _filtered(Task.objects.visible_to(user), filters, today)
        .order_by("measure__number", "start_on", "id")
        .values(
            "pk",
            "title",
            "start_on",
            "deadline",
            "progress",
            STATUS,
            "measure__number",
            "measure__title",
            "association__name",
            "association__division_name",
        )[:ROADMAP_LIMIT]
    )
    measures: list[str] = []
    bars = []
    for row in rows:
        label = f"{row['measure__number']}. {row['measure__title']}"
        if label not in measures:
            measures.append(label)
        bars.append(
            {
                "row": measures.index(label),
                "id": row["pk"],
                "url": link_to("tasks:detail", row["pk"]),
                "title": row["title"],
                "unit": row["association__division_name"] or row["association__name"],
                "start": row["start_on"].isoformat(),
                "end": row["deadline"].isoformat(),
                "progress": row["progress"],
                "status": rules.status_label(row[STATUS]),
                "colour": rules.STATUS_COLOURS[row[STATUS]],
            }
        )
    return {
        "measures": measures,
        "bars": bars,
        "today": today.isoformat(),
        "legend": [
            {"label": rules.status_label(code), "colour": colour}
            for code, colour in rules.STATUS_COLOURS.items()
        ],
    }


def status_counts(*, user: User, filters: Filters) -> dict[str, int]:
    """How many of the filtered tasks are in each status (one grouped query)."""
    today = timezone.localdate()
    rows = (
        _filtered(
            Task.objects.visible_to(user), Filters(**{**filters.__dict__, "status": ""}), today
        )
        .order_by()
        .values_list(STATUS, flat=True)
    )
    return dict(Counter(rows))


@dataclass
class MeasureRow:
    """A measure's tasks by status, for the evaluation (fpa.dashboard.evaluation)."""

    measure: Measure
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status_by_measure(*, user: User, filters: Filters) -> list[MeasureRow]:
    """The filtered tasks by measure and status (one grouped query), measures in plan order."""
    today = timezone.localdate()
    rows = (
        _filtered(Task.objects.visible_to(user), filters, today)
        .order_by()
        .values("measure_id", STATUS)
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["measure_id"], {})[row[STATUS]] = row["n"]
    measures = Measure.objects.filter(pk__in=counts).order_by("association__depth", "number")
    return [MeasureRow(m, counts[m.pk]) for m in measures]


def ladder_counts(*, user: User, filters: Filters) -> dict[str, int]:
    """How many of the filtered tasks had each kind of supervision step (in the filters' year):
    the same sets the list shows with `?ladder=`. Steps, not tasks, are counted under
    "steps_*": a task reminded twice is one task and two reminders."""
    today = timezone.localdate()
    tasks = _filtered(Task.objects.visible_to(user), filters, today).values("pk")
    found = {
        key: _filtered(
            Task.objects.visible_to(user), Filters(**{**filters.__dict__, "ladder": key}), today
        )
        .order_by()
        .count()
        for key in LADDER
    }
    steps = Supervision.objects.filter(task__in=tasks)
    extensions = Extension.objects.filter(task__in=tasks)
    if filters.year:
        steps = steps.filter(issued_on__year=filters.year)
        extensions = extensions.filter(requested_on__year=filters.year)
    for kind, n in steps.order_by().values_list("kind").annotate(n=Count("id")):
        found[f"steps_{kind}"] = n
    for status, n in extensions.order_by().values_list("status").annotate(n=Count("id")):
        found[f"extensions_{status}"] = n
    return found


# --- for other modules ----------------------------------------------------------------------------


def tasks_done_on_time(
    *, association: Association, year: int, until: datetime.date | None = None
) -> tuple[int, int]:
    """(done by the deadline, due) for the tasks assigned to `association` whose deadline falls in
    `year` (and on or before `until`, an assessment round's cut-off date): the key-work
    assessment's "tasks done on time" figure (fpa.assessment, `fpa.tasks.indicators`).

    "Due" counts every task assigned to the association with its deadline in force (after any
    approved extension) in `year`; "done by the deadline" those of them accepted by the level
    that set them and marked complete on or before that deadline. Not scoped to a user: the
    caller (the assessment's service) has checked who may see the association's figures."""
    rows = Task.objects.filter(association=association, deadline__year=year)
    if until is not None:
        rows = rows.filter(deadline__lte=until)
    due = done = 0
    for stage, completed_on, deadline in rows.values_list("stage", "completed_on", "deadline"):
        due += 1
        if rules.done_on_time(
            accepted=stage == rules.ACCEPTED, completed_on=completed_on, deadline=deadline
        ):
            done += 1
    return done, due


def sort_choices() -> list[tuple[str, str]]:
    return [(key, gettext(label)) for key, (label, _key, _desc) in SORTS.items()]


def ladder_open(*, task: Task) -> bool:
    """Whether the task has a 督办单 not yet answered."""
    return task.supervisions.filter(
        Q(kind=Supervision.Kind.NOTICE) & Q(answered_on__isnull=True)
    ).exists()


# --- one record, for the API ----------------------------------------------------------------------


def task_get(*, user: User, pk: int) -> Task:
    """One task the user sees, with its status and the list's related rows; a task outside the
    user's subtree raises Task.DoesNotExist exactly like one that does not exist."""
    return (
        Task.objects.visible_to(user)
        .with_status(timezone.localdate())
        .select_related(*LIST_RELATED)
        .get(pk=pk)
    )


def supervision_get(*, user: User, pk: int) -> Supervision:
    """One rung of a task's supervision ladder (a 督办单 to answer) in the user's subtree."""
    return Supervision.objects.visible_to(user).select_related("task").get(pk=pk)


def extension_get(*, user: User, pk: int) -> Extension:
    """One extension request of a task in the user's subtree."""
    return Extension.objects.visible_to(user).select_related("task").get(pk=pk)


def measure_get(*, user: User, pk: int) -> Measure | None:
    """One of `measure_choices` (None for any other id)."""
    return measure_choices(user=user).filter(pk=pk).first()
