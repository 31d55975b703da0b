"""Writes of the reform task book and its supervision ladder. Atomic, scoped, audited; the
editable records carry a `version`; each action leaves one `Step` on the task's timeline.

Who may act is decided here, whoever calls (a page, another module, the demo):

- the setting level (`task.manage`, the actor's home association is the one that set the task):
  edits it, accepts or returns a completion, reopens a done task, reminds, issues a 督办单,
  records a 约谈 and decides extension requests;
- the responsible side (`task.report`, the actor's home association is the one the task is
  assigned to): reports progress, marks complete, answers a 督办单, asks for an extension; with
  `task.manage` it also hands parts of the task down to the associations directly below it.

`fpa.core.review` (submit, return, accept) is not used for acceptance: it requires the reviewer
to sit strictly above the item's association, while a county sets tasks for itself as well as
for the townships, and a task needs a reopen of an accepted state, which review does not have.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import events, uploads
from fpa.core.audit import audit_create, audit_update, changed_since, snapshot
from fpa.core.counters import next_number
from fpa.core.errors import Conflict, NotAllowed, ServiceError, check_version, validate, within
from fpa.core.links import link_to
from fpa.core.scope import covering_paths, in_scope, require, require_in_scope
from fpa.core.text import TextError, clean_text
from fpa.organizations.models import Association
from fpa.tasks import rules
from fpa.tasks.models import (
    Evidence,
    Extension,
    Measure,
    NoticeCounter,
    ProgressReport,
    Step,
    Supervision,
    Task,
    due_key,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

VIEW, MANAGE, REPORT = "task.view", "task.manage", "task.report"
Stage = Task.Stage
Kind = Step.Kind
EDITABLE = (
    "measure",
    "title",
    "association",
    "lead_department",
    "co_departments",
    "responsible",
    "start_on",
    "deadline",
    "deliverables",
)
TEXTS = ("title", "lead_department", "co_departments", "deliverables")
NOTICE_NUMBER = "DB-{year}-{sequence:03d}"


# --- who may act ----------------------------------------------------------------------------------


def _home_id(user: User | None) -> int | None:
    home = getattr(user, "home_association_id", None) if user is not None else None
    return int(home) if home is not None else None


def may_manage(user: User | None, task: Task) -> bool:
    """The level that set the task, with `task.manage`."""
    return (
        user is not None
        and user.has_capability(MANAGE)
        and _home_id(user) == task.set_by_id
        and in_scope(user, task.association)
    )


def may_report(user: User | None, task: Task) -> bool:
    """The association the task is assigned to, with `task.report`."""
    return (
        user is not None and user.has_capability(REPORT) and _home_id(user) == task.association_id
    )


def may_delegate(user: User | None, task: Task) -> bool:
    """The responsible side, with `task.manage`, hands parts down while the task is open."""
    return (
        user is not None
        and user.has_capability(MANAGE)
        and _home_id(user) == task.association_id
        and task.stage == Stage.OPEN
    )


def _require_manager(actor: User, task: Task) -> None:
    require(actor, MANAGE)
    require_in_scope(actor, task.association)
    if _home_id(actor) != task.set_by_id:
        raise NotAllowed(gettext("只有下达该任务的单位可以进行此操作。"))


def _require_reporter(actor: User, task: Task) -> None:
    require(actor, REPORT)
    require_in_scope(actor, task.association)
    if _home_id(actor) != task.association_id:
        raise NotAllowed(gettext("只有承担该任务的单位可以进行此操作。"))


def _require_open(task: Task, why: str) -> None:
    if task.stage != Stage.OPEN:
        raise Conflict(why, field="stage")


# --- shared checks --------------------------------------------------------------------------------


def _line(value: Any, *, field: str, limit: int, multiline: bool = False) -> str:
    try:
        cleaned = clean_text(str(value or ""), multiline=multiline)
    except TextError as exc:
        raise ServiceError(str(exc), field=field) from exc
    return within(cleaned, limit, field=field)


def _text(value: Any, *, field: str, missing: str, limit: int = rules.TEXT_MAX) -> str:
    cleaned = _line(value, field=field, limit=limit, multiline=True)
    if len(cleaned) < rules.TEXT_MIN:
        raise ServiceError(missing, field=field)
    return cleaned


def _date(value: Any, *, field: str, missing: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ServiceError(missing, field=field)
    return value


def _not_future(day: datetime.date, *, field: str) -> datetime.date:
    if day > timezone.localdate():
        raise ServiceError(gettext("日期不能晚于今天。"), field=field)
    return day


def check_links(raw: Any) -> list[str]:
    """In-platform links given as evidence: each a path of this site that a page answers to."""
    links = rules.split_links(raw)
    if len(links) > rules.LINKS_MAX:
        raise ServiceError(
            gettext("最多填写%(max)s个链接。") % {"max": rules.LINKS_MAX}, field="links"
        )
    for url in links:
        problem = rules.link_problem(url)
        if problem is None:
            try:
                resolve(urlsplit(url).path)
            except Resolver404:
                problem = gettext("“%(url)s”不是本平台的页面地址。") % {"url": url[:60]}
        if problem:
            raise ServiceError(problem, field="links")
    return links


def _check_responsible(user: User | None, association: Association) -> None:
    if user is None:
        return
    if (
        not user.is_active
        or user.home_association_id != association.pk
        or not user.has_capability(REPORT)
    ):
        raise ServiceError(gettext("责任人须是牵头计生协在用的工作人员账号。"), field="responsible")


def _check_measure(actor: User, measure: Measure | None) -> Measure:
    """A measure of the plan of the actor's association or of one above it."""
    home = actor.home_association
    if measure is None or home is None or measure.association.path not in covering_paths(home.path):
        raise ServiceError(gettext("请选择本级或上级计生协改革方案中的措施。"), field="measure")
    return measure


def _check_association(actor: User, association: Association | None) -> Association:
    if association is None or not association.is_current:
        raise ServiceError(gettext("请选择在用的牵头计生协。"), field="association")
    require_in_scope(actor, association)
    return association


def _check_co_associations(actor: User, items: Iterable[Association]) -> list[Association]:
    found = list(dict.fromkeys(items))
    for item in found:
        if not in_scope(actor, item) or not item.is_current:
            raise ServiceError(
                gettext("配合计生协须是您管辖范围内在用的计生协。"), field="co_associations"
            )
    return found


def _check_task(task: Task) -> None:
    problem = rules.dates_problem(task.start_on, task.deadline)
    if problem:
        raise ServiceError(problem, field="deadline")
    if len(task.title.strip()) < rules.TEXT_MIN:
        raise ServiceError(gettext("请填写任务名称。"), field="title")
    if len(task.deliverables.strip()) < rules.TEXT_MIN:
        raise ServiceError(gettext("请填写成果要求。"), field="deliverables")


def _lock(task: Task) -> Task:
    return (
        Task.objects.select_for_update()
        .select_related("association", "set_by", "measure", "measure__association")
        .get(pk=task.pk)
    )


def _check_version(locked: Task, expected: int | None) -> None:
    if expected is not None and int(expected) != locked.version:
        check_version(locked.version, expected, changed_since(locked, int(expected)))


def _step(actor: User, task: Task, kind: str, note: str = "", **records: Any) -> Step:
    return Step.objects.create(
        task=task, kind=kind, note=note[: rules.NOTE_MAX], recorded_by=actor, **records
    )


def _save(
    actor: User, task: Task, before: dict[str, Any], fields: Sequence[str], note: str
) -> Task:
    """Save the changed `fields` of a locked task with a new version and one audit row."""
    task.version += 1
    task.save(update_fields=[*fields, "version", "updated_at"])
    audit_update(
        actor=actor, obj=task, before=before, scope_path=task.association.path, reason=note
    )
    return task


def _tell(kind: str, task: Task, recipients: Iterable[int], title: str, reason: str = "") -> None:
    events.publish(
        kind,
        recipients=recipients,
        title=title,
        url=link_to("tasks:detail", task.pk),
        reason=reason[:200],
    )


def responsible_side(task: Task) -> list[int]:
    """Who hears of the task on the responsible side: its responsible person, or else every
    active user of the assigned association who may report on it."""
    if task.responsible_id is not None:
        return [task.responsible_id]
    return holders_of(REPORT, task.association)


def holders_of(capability: str, association: Association) -> list[int]:
    from fpa.accounts.models import User
    from fpa.accounts.roles import roles_granting

    return list(
        User.objects.filter(
            home_association=association,
            is_active=True,
            roles__role__in=roles_granting(capability),
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def _store(actor: User, task: Task, uploads_: Sequence[Any], **owner: Any) -> list[str]:
    """Check every file first (all or nothing), then store them; returns the storage names so
    that a failure later removes them."""
    if len(uploads_) > rules.FILES_MAX:
        raise ServiceError(
            gettext("每次最多上传%(max)s个文件。") % {"max": rules.FILES_MAX}, field="files"
        )
    checked = []
    for upload in uploads_:
        try:
            checked.append(uploads.clean_document(upload))
        except uploads.UploadError as exc:
            name = uploads.display_name(getattr(upload, "name", ""))
            raise ServiceError(f"{name}{exc}", field="files") from exc
    stored: list[str] = []
    try:
        for item in checked:
            name = default_storage.save(
                uploads.random_name(f"tasks/{task.pk}", item.extension), ContentFile(item.data)
            )
            stored.append(name)
            evidence = Evidence.objects.create(
                task=task,
                file=name,
                format=item.format,
                size=len(item.data),
                uploaded_by=actor,
                **owner,
            )
            audit_create(actor=actor, obj=evidence, scope_path=task.association.path)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return stored


# --- measures -------------------------------------------------------------------------------------


@transaction.atomic
def measure_create(*, actor: User, number: int, title: str) -> Measure:
    """A measure of the plan of the actor's own association (a county's plan)."""
    require(actor, MANAGE)
    home = actor.home_association
    if home is None:
        raise NotAllowed(gettext("您的账号未设置所属计生协。"))
    if not isinstance(number, int) or not 1 <= number <= 999:
        raise ServiceError(gettext("序号应在1至999之间。"), field="number")
    measure = Measure(association=home, number=number, title=title or "")
    validate(measure, unique=False)
    if len(measure.title) < rules.TEXT_MIN:
        raise ServiceError(gettext("请填写改革措施。"), field="title")
    if Measure.objects.filter(association=home, number=number).exists():
        raise ServiceError(gettext("该序号的措施已存在。"), field="number", code="duplicate")
    try:
        with transaction.atomic():
            measure.save()
    except IntegrityError as exc:
        raise ServiceError(gettext("该序号的措施已存在。"), field="number") from exc
    audit_create(actor=actor, obj=measure, scope_path=home.path)
    return measure


@transaction.atomic
def measure_update(
    *, actor: User, measure: Measure, title: str, expected_version: int | None = None
) -> Measure:
    require(actor, MANAGE)
    locked = Measure.objects.select_for_update().select_related("association").get(pk=measure.pk)
    if _home_id(actor) != locked.association_id:
        raise NotAllowed(gettext("只能修改本级计生协的改革措施。"))
    if expected_version is not None:
        check_version(locked.version, expected_version)
    before = snapshot(locked, ["title", "version"])
    locked.title = title or ""
    validate(locked, unique=False)
    if len(locked.title) < rules.TEXT_MIN:
        raise ServiceError(gettext("请填写改革措施。"), field="title")
    if locked.title == before["title"]:
        return locked
    locked.version += 1
    locked.save(update_fields=["title", "version", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


# --- tasks ----------------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: User,
    measure: Measure,
    title: str,
    association: Association,
    start_on: datetime.date,
    deadline: datetime.date,
    deliverables: str,
    responsible: User | None = None,
    lead_department: str = "",
    co_associations: Iterable[Association] = (),
    co_departments: str = "",
    parent: Task | None = None,
    note: str = "",
) -> Task:
    """Set a task for `association` (the actor's own or one in its subtree), serving `measure`
    of the plan of the actor's association or one above it. The actor's association is the
    setting level. Callable from other modules (a cadre's finding becomes a task); `note` says
    where the task came from on its timeline."""
    require(actor, MANAGE)
    home = actor.home_association
    if home is None:
        raise NotAllowed(gettext("您的账号未设置所属计生协。"))
    task = Task(
        measure=_check_measure(actor, measure),
        title=title or "",
        set_by=home,
        association=_check_association(actor, association),
        lead_department=lead_department or "",
        co_departments=co_departments or "",
        responsible=responsible,
        start_on=_date(start_on, field="start_on", missing=gettext("请填写开始日期。")),
        deadline=_date(deadline, field="deadline", missing=gettext("请填写完成时限。")),
        original_deadline=deadline,
        deliverables=deliverables or "",
        parent=parent,
    )
    _check_task(task)
    validate(task, exclude=["due_key"], unique=False)
    _check_task(task)
    _check_responsible(responsible, association)
    co = _check_co_associations(actor, co_associations)
    task.save()
    task.due_key = due_key(task.deadline, task.pk)
    task.save(update_fields=["due_key"])
    if co:
        task.co_associations.set(co)
    _step(actor, task, Kind.CREATED, _line(note, field="note", limit=rules.NOTE_MAX))
    audit_create(actor=actor, obj=task, scope_path=association.path)
    _tell(
        "tasks.assigned",
        task,
        responsible_side(task) if association.pk != home.pk else [],
        gettext("新的改革任务：%(title)s") % {"title": task.title},
    )
    return task


@transaction.atomic
def task_update(
    *, actor: User, task: Task, expected_version: int | None = None, **data: Any
) -> Task:
    """Correct a task the actor's association set, while it is not accepted. The deadline is
    changed here only to correct a mistake; a later deadline asked for by the responsible side
    goes through `extension_request` / `extension_decide`."""
    locked = _lock(task)
    _require_manager(actor, locked)
    _check_version(locked, expected_version)
    if locked.stage == Stage.ACCEPTED:
        raise Conflict(gettext("任务已验收，不能修改；如需继续推进，请先重新打开。"), field="stage")
    before = snapshot(locked, (*EDITABLE, "original_deadline", "due_key", "version"))
    co_before = sorted(locked.co_associations.values_list("pk", flat=True))
    for key in EDITABLE:
        if key in data:
            value = data[key]
            setattr(locked, key, "" if value is None and key in TEXTS else value)
    if locked.association_id != before["association"] and locked.children.exists():
        raise ServiceError(gettext("任务已分解下达，不能更换牵头计生协。"), field="association")
    _check_association(actor, locked.association)
    _check_measure(actor, locked.measure)
    _check_task(locked)
    validate(locked, exclude=["due_key"], unique=False)
    _check_task(locked)
    _check_responsible(locked.responsible, locked.association)
    co = _check_co_associations(actor, data.get("co_associations", ()) or ())
    co_changed = "co_associations" in data and sorted(c.pk for c in co) != co_before
    if str(locked.deadline) != before["deadline"]:
        # A corrected deadline is the original one until an extension has moved it.
        if not locked.extensions.filter(status=Extension.Status.APPROVED).exists():
            locked.original_deadline = locked.deadline
        locked.due_key = due_key(locked.deadline, locked.pk)
    if co_changed:
        locked.co_associations.set(co)
    fields = [*EDITABLE, "original_deadline", "due_key"]
    if snapshot(locked, before.keys()) == before and not co_changed:
        return locked
    _save(actor, locked, before, fields, gettext("修改任务"))
    _step(actor, locked, Kind.EDITED)
    return locked


@transaction.atomic
def task_delegate(
    *,
    actor: User,
    task: Task,
    associations: Iterable[Association],
    responsible: dict[int, User] | None = None,
) -> list[Task]:
    """Hand a task down: each chosen association directly below the actor's own (a county's
    townships, a township's villages) gets its own copy, linked to `task` by `parent`, to fulfil;
    the actor's association is the copies' setting level. An association that already has a
    copy is refused."""
    locked = _lock(task)
    require(actor, MANAGE)
    require_in_scope(actor, locked.association)
    if _home_id(actor) != locked.association_id:
        raise NotAllowed(gettext("只有承担该任务的单位可以分解下达。"))
    _require_open(locked, gettext("只有推进中的任务可以分解下达。"))
    chosen = list(dict.fromkeys(associations))
    if not chosen:
        raise ServiceError(gettext("请选择要下达的单位。"), field="associations")
    existing = set(locked.children.values_list("association_id", flat=True))
    for item in chosen:
        if item.parent_id != locked.association_id or not item.is_current:
            raise ServiceError(
                gettext("只能下达给本级直属的在用计生协：%(name)s不是。") % {"name": item.name},
                field="associations",
            )
        if item.pk in existing:
            raise ServiceError(
                gettext("%(name)s已有该任务的分解任务。") % {"name": item.name},
                field="associations",
            )
    copies = [
        task_create(
            actor=actor,
            measure=locked.measure,
            title=locked.title,
            association=item,
            start_on=locked.start_on,
            deadline=locked.deadline,
            deliverables=locked.deliverables,
            responsible=(responsible or {}).get(item.pk),
            parent=locked,
            note=gettext("由“%(title)s”分解下达") % {"title": locked.title},
        )
        for item in chosen
    ]
    names = "、".join(item.division_name or item.name for item in chosen)
    _step(actor, locked, Kind.DELEGATED, names)
    return copies


# --- the responsible side -------------------------------------------------------------------------


@transaction.atomic
def report_add(
    *,
    actor: User,
    task: Task,
    reported_on: datetime.date,
    text: str,
    percent: int,
    links: Any = "",
    files: Sequence[Any] = (),
) -> ProgressReport:
    """A progress report by the responsible side: the date (not in the future), what was done,
    how far (0-100 %), evidence files (checked: PDF or image) and links to records of this
    platform. The task's progress and last report date follow it."""
    locked = _lock(task)
    _require_reporter(actor, locked)
    _require_open(locked, gettext("任务已报完成或已验收，不能再报告进展。"))
    day = _not_future(
        _date(reported_on, field="reported_on", missing=gettext("请填写报告日期。")),
        field="reported_on",
    )
    if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
        raise ServiceError(gettext("完成进度应在0至100之间。"), field="percent")
    report = ProgressReport(
        task=locked,
        reported_on=day,
        text=_text(text, field="text", missing=gettext("请填写进展情况。")),
        percent=percent,
        links=check_links(links),
        reported_by=actor,
    )
    report.save()
    _store(actor, locked, files, report=report)
    audit_create(actor=actor, obj=report, scope_path=locked.association.path)
    before = snapshot(locked, ["progress", "last_reported_on", "version"])
    locked.progress = percent
    if locked.last_reported_on is None or day >= locked.last_reported_on:
        locked.last_reported_on = day
    _save(actor, locked, before, ["progress", "last_reported_on"], gettext("报告进展"))
    _step(actor, locked, Kind.REPORTED, f"{percent}%", report=report)
    return report


@transaction.atomic
def task_complete(
    *, actor: User, task: Task, note: str = "", expected_version: int | None = None
) -> Task:
    """The responsible side marks the task complete; it waits for the setting level's
    acceptance (the clock stops today, `rules.status`)."""
    locked = _lock(task)
    _require_reporter(actor, locked)
    _check_version(locked, expected_version)
    _require_open(locked, gettext("只有推进中的任务可以报完成。"))
    open_children = locked.children.exclude(stage=Stage.ACCEPTED).count()
    if open_children:
        raise ServiceError(
            gettext("还有%(count)s项分解任务未验收，不能报完成。") % {"count": open_children},
            field="stage",
        )
    note = _line(note, field="note", limit=rules.NOTE_MAX)
    before = snapshot(locked, ["stage", "progress", "completed_on", "completed_by", "version"])
    locked.stage = Stage.COMPLETED
    locked.progress = 100
    locked.completed_on = timezone.localdate()
    locked.completed_by = actor
    fields = ["stage", "progress", "completed_on", "completed_by"]
    _save(actor, locked, before, fields, gettext("报完成"))
    _step(actor, locked, Kind.COMPLETED, note)
    _tell(
        "tasks.completed",
        locked,
        holders_of(MANAGE, locked.set_by),
        gettext("任务已报完成，待验收：%(title)s") % {"title": locked.title},
    )
    return locked


# --- the setting level ----------------------------------------------------------------------------


@transaction.atomic
def task_accept(
    *, actor: User, task: Task, note: str = "", expected_version: int | None = None
) -> Task:
    """The setting level accepts a completed task: it is done. When a level set a task for
    itself, who accepts is not who marked it complete (separation of duties)."""
    locked = _lock(task)
    _require_manager(actor, locked)
    _check_version(locked, expected_version)
    if locked.stage != Stage.COMPLETED:
        raise Conflict(gettext("只能验收已报完成的任务。"), field="stage")
    if locked.completed_by_id == actor.pk:
        raise NotAllowed(gettext("不能验收自己报完成的任务，请由本级其他人员验收。"))
    before = snapshot(locked, ["stage", "accepted_on", "accepted_by", "version"])
    locked.stage = Stage.ACCEPTED
    locked.accepted_on = timezone.localdate()
    locked.accepted_by = actor
    note = _line(note, field="note", limit=rules.NOTE_MAX)
    _save(actor, locked, before, ["stage", "accepted_on", "accepted_by"], gettext("验收通过"))
    _step(actor, locked, Kind.ACCEPTED, note)
    return locked


def _reason(reason: Any, missing: str) -> str:
    cleaned = _line(reason, field="reason", limit=rules.NOTE_MAX)
    if len(cleaned) < rules.TEXT_MIN:
        raise ServiceError(missing, field="reason")
    return cleaned


def _back_to_open(actor: User, locked: Task, kind: str, reason: str) -> Task:
    before = snapshot(
        locked, ["stage", "completed_on", "completed_by", "accepted_on", "accepted_by", "version"]
    )
    locked.stage = Stage.OPEN
    locked.completed_on = locked.accepted_on = None
    locked.completed_by = locked.accepted_by = None
    fields = ["stage", "completed_on", "completed_by", "accepted_on", "accepted_by"]
    _save(actor, locked, before, fields, reason)
    _step(actor, locked, kind, reason)
    _tell(
        "tasks.returned",
        locked,
        responsible_side(locked),
        gettext("任务被退回或重新打开：%(title)s") % {"title": locked.title},
        reason,
    )
    return locked


@transaction.atomic
def task_return(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> Task:
    """The setting level returns a completion with the reason: the task is open again."""
    locked = _lock(task)
    _require_manager(actor, locked)
    _check_version(locked, expected_version)
    if locked.stage != Stage.COMPLETED:
        raise Conflict(gettext("只能退回已报完成的任务。"), field="stage")
    return _back_to_open(actor, locked, Kind.RETURNED, _reason(reason, gettext("请填写退回原因。")))


@transaction.atomic
def task_reopen(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> Task:
    """The setting level reopens a done task with the reason (work found lacking later)."""
    locked = _lock(task)
    _require_manager(actor, locked)
    _check_version(locked, expected_version)
    if locked.stage != Stage.ACCEPTED:
        raise Conflict(gettext("只有已验收的任务可以重新打开。"), field="stage")
    return _back_to_open(
        actor, locked, Kind.REOPENED, _reason(reason, gettext("请填写重新打开的原因。"))
    )


# --- the supervision ladder -----------------------------------------------------------------------


def _supervisable(actor: User, task: Task) -> Task:
    locked = _lock(task)
    _require_manager(actor, locked)
    if locked.stage == Stage.ACCEPTED:
        raise Conflict(gettext("任务已验收，无需督促。"), field="stage")
    return locked


@transaction.atomic
def task_remind(*, actor: User, task: Task, message: str = "") -> Supervision:
    """The first rung: a reminder, sent as a notification to the responsible side."""
    locked = _supervisable(actor, task)
    text = _line(message, field="message", limit=rules.NOTE_MAX)
    item = Supervision.objects.create(
        task=locked,
        kind=Supervision.Kind.REMINDER,
        issued_on=timezone.localdate(),
        issued_by=actor,
        problem=text,
    )
    audit_create(actor=actor, obj=item, scope_path=locked.association.path)
    _step(actor, locked, Kind.REMINDED, text, supervision=item)
    _tell(
        "tasks.reminder",
        locked,
        responsible_side(locked),
        gettext("任务督促提醒：%(title)s") % {"title": locked.title},
        text,
    )
    return item


def notice_counter_owner(association: Association) -> Association:
    """Whose sequence a 督办单 number is counted in: the county at or above `association` (the
    association itself when none is)."""
    county = (
        Association.objects.filter(
            path__in=covering_paths(association.path), kind=Association.Kind.COUNTY
        )
        .order_by("-depth")
        .first()
    )
    return county or association


@transaction.atomic
def notice_issue(
    *,
    actor: User,
    task: Task,
    problem: str,
    new_deadline: datetime.date,
    required_answer: str,
) -> Supervision:
    """A 督办单: the problem, a new deadline to put it right and the answer required. Its number
    (DB-<year>-<nnn>) is the next of the county's sequence for the year, without gaps."""
    locked = _supervisable(actor, task)
    today = timezone.localdate()
    day = _date(new_deadline, field="new_deadline", missing=gettext("请填写整改时限。"))
    if day < today:
        raise ServiceError(gettext("整改时限不能早于今天。"), field="new_deadline")
    item = Supervision(
        task=locked,
        kind=Supervision.Kind.NOTICE,
        issued_on=today,
        issued_by=actor,
        problem=_text(problem, field="problem", missing=gettext("请填写存在问题。")),
        new_deadline=day,
        required_answer=_text(
            required_answer, field="required_answer", missing=gettext("请填写办理要求。")
        ),
    )
    owner = notice_counter_owner(locked.set_by)
    sequence = next_number(NoticeCounter, "last", association=owner, year=today.year)
    item.counter, item.year, item.sequence = owner, today.year, sequence
    item.number = NOTICE_NUMBER.format(year=today.year, sequence=sequence)
    item.save()
    audit_create(actor=actor, obj=item, scope_path=locked.association.path)
    _step(actor, locked, Kind.NOTICE, item.number, supervision=item)
    _tell(
        "tasks.notice",
        locked,
        responsible_side(locked),
        gettext("督办单%(number)s：%(title)s") % {"number": item.number, "title": locked.title},
        gettext("请于%(day)s前在平台答复。") % {"day": day.isoformat()},
    )
    return item


@transaction.atomic
def notice_answer(
    *,
    actor: User,
    notice: Supervision,
    answer: str,
    links: Any = "",
    files: Sequence[Any] = (),
    expected_version: int | None = None,
) -> Supervision:
    """The responsible side answers a 督办单 in the platform: what was done, with evidence."""
    locked = (
        Supervision.objects.select_for_update()
        .select_related("task", "task__association", "task__set_by")
        .get(pk=notice.pk)
    )
    task = locked.task
    _require_reporter(actor, task)
    if locked.kind != Supervision.Kind.NOTICE:
        raise ServiceError(gettext("只有督办单需要答复。"), field="answer")
    if expected_version is not None:
        check_version(locked.version, expected_version)
    if locked.answered:
        raise Conflict(gettext("该督办单已答复。"), field="answer")
    before = snapshot(locked, ["answer", "answer_links", "answered_on", "answered_by", "version"])
    locked.answer = _text(answer, field="answer", missing=gettext("请填写办理情况。"))
    locked.answer_links = check_links(links)
    locked.answered_on = timezone.localdate()
    locked.answered_by = actor
    locked.version += 1
    _store(actor, task, files, supervision=locked)
    locked.save(
        update_fields=[
            "answer",
            "answer_links",
            "answered_on",
            "answered_by",
            "version",
            "updated_at",
        ]
    )
    audit_update(actor=actor, obj=locked, before=before, scope_path=task.association.path)
    _step(actor, task, Kind.ANSWERED, locked.number, supervision=locked)
    _tell(
        "tasks.answered",
        task,
        [locked.issued_by_id],
        gettext("督办单%(number)s已答复：%(title)s")
        % {"number": locked.number, "title": task.title},
    )
    return locked


@transaction.atomic
def interview_record(
    *,
    actor: User,
    task: Task,
    held_on: datetime.date,
    attendees: str,
    conclusions: str,
) -> Supervision:
    """A 约谈 held about the task: the date, who attended, what was concluded."""
    locked = _supervisable(actor, task)
    day = _not_future(
        _date(held_on, field="held_on", missing=gettext("请填写约谈日期。")), field="held_on"
    )
    people = _line(attendees, field="attendees", limit=rules.NOTE_MAX)
    if len(people) < rules.TEXT_MIN:
        raise ServiceError(gettext("请填写参加人员。"), field="attendees")
    item = Supervision.objects.create(
        task=locked,
        kind=Supervision.Kind.INTERVIEW,
        issued_on=day,
        issued_by=actor,
        attendees=people,
        conclusions=_text(conclusions, field="conclusions", missing=gettext("请填写约谈结论。")),
    )
    audit_create(actor=actor, obj=item, scope_path=locked.association.path)
    _step(actor, locked, Kind.INTERVIEW, people, supervision=item)
    return item


# --- extensions -----------------------------------------------------------------------------------


@transaction.atomic
def extension_request(
    *, actor: User, task: Task, requested_deadline: datetime.date, reason: str
) -> Extension:
    """The responsible side asks the setting level for a later deadline, with the reason."""
    locked = _lock(task)
    _require_reporter(actor, locked)
    _require_open(locked, gettext("只有推进中的任务可以申请延期。"))
    day = _date(
        requested_deadline, field="requested_deadline", missing=gettext("请填写申请延至的日期。")
    )
    if day <= locked.deadline:
        raise ServiceError(
            gettext("申请延至的日期须晚于现在的完成时限（%(day)s）。")
            % {"day": locked.deadline.isoformat()},
            field="requested_deadline",
        )
    if locked.extensions.filter(status=Extension.Status.PENDING).exists():
        raise Conflict(gettext("已有一份延期申请待审批。"), field="requested_deadline")
    item = Extension(
        task=locked,
        old_deadline=locked.deadline,
        requested_deadline=day,
        reason=_text(reason, field="reason", missing=gettext("请填写延期理由。")),
        requested_by=actor,
        requested_on=timezone.localdate(),
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise Conflict(gettext("已有一份延期申请待审批。"), field="requested_deadline") from exc
    audit_create(actor=actor, obj=item, scope_path=locked.association.path)
    _step(actor, locked, Kind.EXTENSION_ASKED, day.isoformat(), extension=item)
    _tell(
        "tasks.extension_asked",
        locked,
        holders_of(MANAGE, locked.set_by),
        gettext("延期申请待审批：%(title)s") % {"title": locked.title},
    )
    return item


@transaction.atomic
def extension_decide(
    *, actor: User, extension: Extension, approve: bool, note: str = ""
) -> Extension:
    """The setting level approves (the task's deadline moves to the requested date; the old one
    stays on the request and in the audit trail) or refuses (the reason is required)."""
    item = Extension.objects.select_for_update().get(pk=extension.pk)
    locked = _lock(item.task)
    _require_manager(actor, locked)
    if item.status != Extension.Status.PENDING:
        raise Conflict(gettext("该延期申请已审批。"), field="approve")
    note = _line(note, field="note", limit=rules.NOTE_MAX)
    if not approve and len(note) < rules.TEXT_MIN:
        raise ServiceError(gettext("不同意延期须填写理由。"), field="note")
    before = snapshot(item, ["status", "decided_by", "decided_on", "decision_note", "old_deadline"])
    item.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    item.decided_by, item.decided_on, item.decision_note = actor, timezone.localdate(), note
    if approve:
        item.old_deadline = locked.deadline
    item.save(update_fields=["status", "decided_by", "decided_on", "decision_note", "old_deadline"])
    audit_update(actor=actor, obj=item, before=before, scope_path=locked.association.path)
    if approve:
        task_before = snapshot(locked, ["deadline", "due_key", "version"])
        locked.deadline = item.requested_deadline
        locked.due_key = due_key(locked.deadline, locked.pk)
        _save(actor, locked, task_before, ["deadline", "due_key"], gettext("同意延期"))
    kind = Kind.EXTENSION_APPROVED if approve else Kind.EXTENSION_REFUSED
    summary = f"{item.old_deadline.isoformat()} → {item.requested_deadline.isoformat()}"
    _step(actor, locked, kind, f"{summary}{'：' + note if note else ''}", extension=item)
    _tell(
        "tasks.extension_decided",
        locked,
        [item.requested_by_id],
        (gettext("延期申请已同意：%(title)s") if approve else gettext("延期申请未同意：%(title)s"))
        % {"title": locked.title},
        note,
    )
    return item
