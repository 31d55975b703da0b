"""The reform task book (任务书) over /api/v1/tasks: the list (filters, keyset pages), the plan's
measures, a task with its timeline; the responsible side's steps (progress report, mark complete,
answer a 督办单, ask for an extension) and the setting level's (accept, return, reopen, remind,
issue a 督办单, record a 约谈, decide an extension), through the same services as the pages.

Who may call: staff holding `task.view` (the tasks of their subtree: a township sees the tasks
assigned to it and those it set for its villages, never another township's). Each write needs
the capability its page needs (`task.report` for the responsible side, `task.manage` for the
setting level: 403 without it), then the task in the caller's scope (404 outside it), then the
services' rules: only the association a task is assigned to reports on it and only the level
that set it accepts, supervises or decides (403), a step from the wrong stage (an accept of an
open task, a second answer) is 409, like a stale `version` (code `conflict`).

The setting level also sets a task (`POST /tasks`), corrects it (`POST /tasks/{id}`, only the
fields sent change) and adds or renames its plan's measures; the responsible side hands a task
down to the associations directly below it (`POST /tasks/{id}/delegate`). Referenced records
in a body (a measure, an association by code, the responsible person) are looked up among the
caller's choices, as the page's form offers them: anything else is a 400 on that field.
Evidence files are uploaded with a progress report or a 督办单's answer as multipart form data
(`.../upload`), checked by the same validator as the page (PDF, JPEG, PNG or WebP; type sniffed,
size limits); the API lists them with the page address that serves them. Errors are the
platform's JSON errors (`fpa.core.api_errors.ERRORS`).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import field_validator

from fpa.accounts.api_auth import BearerToken, Session, capable
from fpa.accounts.requests import signed_in_user
from fpa.core.api_errors import with_errors
from fpa.core.errors import ServiceError
from fpa.core.links import link_to
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.tasks import rules, selectors, services
from fpa.tasks.models import Evidence, Extension, Measure, ProgressReport, Step, Supervision, Task

MAX_ID = 2**63 - 1
VIEW, MANAGE, REPORT = services.VIEW, services.MANAGE, services.REPORT
router = Router(tags=["tasks"], auth=[BearerToken(VIEW), Session(VIEW)])

StatusFilter = Literal["", "not_started", "on_track", "due_soon", "overdue", "done"]
Sort = Literal["deadline", "newest", "oldest"]
VERSION = "读取时的版本号（防止覆盖他人的修改）"


def _check_id(value: int) -> None:
    if not 0 < value <= MAX_ID:
        raise Http404


def _task(request: HttpRequest, pk: int) -> Task:
    _check_id(pk)
    return selectors.task_get(user=signed_in_user(request), pk=pk)


def _actor(request: HttpRequest, capability: str) -> Any:
    """The caller, refused (403) without the capability the page of the step needs."""
    return capable(signed_in_user(request), capability)


# --- schemas ------------------------------------------------------------------------------------


class TaskMeasureOut(Schema):
    id: int
    association_code: str
    number: int
    title: str
    version: int

    @staticmethod
    def resolve_association_code(obj: Measure) -> str:
        return obj.association.code


class ReformTaskOut(Schema):
    id: int
    title: str
    measure_id: int
    measure_number: int
    measure_title: str
    set_by_code: str = Field(description="下达单位代码")
    set_by_name: str
    association_code: str = Field(description="承担（牵头）计生协代码")
    association_name: str
    lead_unit: str = Field(description="牵头单位，如任务书所印")
    lead_department: str
    co_departments: str
    responsible_id: int | None
    responsible_name: str
    start_on: datetime.date
    deadline: datetime.date
    original_deadline: datetime.date
    parent_id: int | None
    stage: str = Field(description="办理阶段：open、completed、accepted")
    stage_label: str
    status: str = Field(
        description="状态（按日期计算）：not_started、on_track、due_soon、overdue、done"
    )
    status_label: str
    progress: int
    last_reported_on: datetime.date | None
    completed_on: datetime.date | None
    accepted_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_measure_number(obj: Task) -> int:
        return obj.measure.number

    @staticmethod
    def resolve_measure_title(obj: Task) -> str:
        return obj.measure.title

    @staticmethod
    def resolve_set_by_code(obj: Task) -> str:
        return obj.set_by.code

    @staticmethod
    def resolve_set_by_name(obj: Task) -> str:
        return obj.set_by.name

    @staticmethod
    def resolve_association_code(obj: Task) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Task) -> str:
        return obj.association.name

    @staticmethod
    def resolve_responsible_name(obj: Task) -> str:
        person = obj.responsible
        return (person.full_name or person.username) if person is not None else ""

    @staticmethod
    def resolve_stage_label(obj: Task) -> str:
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_status(obj: Task) -> str:
        return obj.status_code


class ReformTaskPage(Schema):
    items: list[ReformTaskOut]
    next: str | None
    previous: str | None


class TaskAssociationRef(Schema):
    code: str
    name: str


class TaskChildOut(Schema):
    id: int
    association_code: str
    association_name: str
    stage: str
    status: str
    status_label: str
    progress: int
    version: int

    @staticmethod
    def resolve_association_code(obj: Task) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Task) -> str:
        return obj.association.name

    @staticmethod
    def resolve_status(obj: Task) -> str:
        return obj.status_code


class TaskEvidenceOut(Schema):
    id: int
    format: str = Field(description="pdf、jpeg、png")
    size: int
    url: str = Field(description="下载地址（网页登录后可用）")

    @staticmethod
    def resolve_url(obj: Evidence) -> str:
        return link_to("tasks:evidence", obj.pk)


class TaskProgressOut(Schema):
    id: int
    task_id: int
    reported_on: datetime.date
    percent: int
    text: str
    links: list[str]
    files: list[TaskEvidenceOut]

    @staticmethod
    def resolve_files(obj: ProgressReport) -> list[Evidence]:
        return list(obj.files.all())


class TaskSupervisionOut(Schema):
    id: int
    task_id: int
    kind: str = Field(description="reminder（提醒）、notice（督办单）、interview（约谈）")
    kind_label: str
    issued_on: datetime.date = Field(description="日期（约谈为约谈日期）")
    number: str = Field(description="督办单编号，如 DB-2026-003")
    problem: str = Field(description="提醒内容或督办单的存在问题")
    new_deadline: datetime.date | None = Field(description="督办单的整改时限")
    required_answer: str
    answer: str
    answer_links: list[str]
    answered_on: datetime.date | None
    attendees: str
    conclusions: str
    files: list[TaskEvidenceOut] = Field(description="督办单答复的佐证材料")
    version: int

    @staticmethod
    def resolve_kind_label(obj: Supervision) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_files(obj: Supervision) -> list[Evidence]:
        return list(obj.files.all())


class TaskExtensionOut(Schema):
    id: int
    task_id: int
    status: str = Field(description="pending、approved、refused")
    status_label: str
    old_deadline: datetime.date
    requested_deadline: datetime.date
    reason: str
    requested_on: datetime.date
    decided_on: datetime.date | None
    decision_note: str

    @staticmethod
    def resolve_status_label(obj: Extension) -> str:
        return str(obj.get_status_display())


class TaskStepOut(Schema):
    kind: str
    kind_label: str
    note: str
    by: str
    by_name: str
    recorded_at: datetime.datetime
    on_ladder: bool = Field(description="是否属于督促记录（提醒、督办单、约谈、延期）")
    report: TaskProgressOut | None
    supervision: TaskSupervisionOut | None
    extension: TaskExtensionOut | None

    @staticmethod
    def resolve_kind_label(obj: Step) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_by(obj: Step) -> str:
        return obj.recorded_by.username

    @staticmethod
    def resolve_by_name(obj: Step) -> str:
        return obj.recorded_by.full_name or obj.recorded_by.username


class ReformTaskDetailOut(ReformTaskOut):
    deliverables: str
    co_associations: list[TaskAssociationRef]
    children: list[TaskChildOut] = Field(description="分解下达给下级的任务")
    steps: list[TaskStepOut] = Field(description="任务记录，最早的在前")
    open_notices: list[TaskSupervisionOut] = Field(description="待答复的督办单")
    pending_extension: TaskExtensionOut | None = Field(description="待审批的延期申请")
    may_manage: bool = Field(description="调用者是否为下达单位（验收、退回、督促、审批延期）")
    may_report: bool = Field(description="调用者是否为承担单位（报告进展、报完成、答复、申请延期）")

    @staticmethod
    def resolve_co_associations(obj: Any) -> list[dict[str, str]]:
        return list(obj.co_associations_list)

    @staticmethod
    def resolve_children(obj: Any) -> list[Task]:
        return list(obj.children_list)

    @staticmethod
    def resolve_steps(obj: Any) -> list[Step]:
        return list(obj.steps_list)

    @staticmethod
    def resolve_open_notices(obj: Any) -> list[Supervision]:
        return list(obj.open_notices_list)


class ReformTaskFilters(Schema):
    association: str = Field("", max_length=32, description="承担单位代码（含下级）")
    status: StatusFilter = ""
    measure: int | None = Field(None, gt=0, le=MAX_ID, description="改革措施 id")
    year: int | None = Field(None, ge=2000, le=2100, description="任务期间涉及的年度")
    q: str = Field("", max_length=50, description="任务名称包含")
    sort: Sort = Field("deadline", description="deadline 完成时限近的在前；newest；oldest")
    after: str | None = Field(None, max_length=30)
    before: str | None = Field(None, max_length=30)
    size: int = Field(50, ge=1, le=100)


class TaskProgressIn(Schema):
    reported_on: datetime.date = Field(description="报告日期，不能晚于今天")
    percent: int = Field(..., ge=0, le=100, description="完成进度（%）")
    text: str = Field(..., max_length=rules.TEXT_MAX, description="进展情况")
    links: list[str] = Field(
        default_factory=list,
        max_length=rules.LINKS_MAX,
        description="本平台记录的页面地址（以“/”开头）作为佐证；文件用 reports/upload 上传",
    )


class TaskNoteIn(Schema):
    version: int | None = Field(None, ge=1, description=VERSION)
    note: str = Field("", max_length=rules.NOTE_MAX)


class TaskReasonIn(Schema):
    version: int | None = Field(None, ge=1, description=VERSION)
    reason: str = Field(..., max_length=rules.NOTE_MAX)


class TaskRemindIn(Schema):
    message: str = Field("", max_length=rules.NOTE_MAX, description="提醒内容（可不填）")


class TaskNoticeIn(Schema):
    problem: str = Field(..., max_length=rules.TEXT_MAX, description="存在问题")
    new_deadline: datetime.date = Field(description="整改时限，不能早于今天")
    required_answer: str = Field(..., max_length=rules.TEXT_MAX, description="办理要求")


class TaskAnswerIn(Schema):
    version: int | None = Field(None, ge=1, description=VERSION)
    answer: str = Field(..., max_length=rules.TEXT_MAX, description="办理情况")
    links: list[str] = Field(
        default_factory=list, max_length=rules.LINKS_MAX, description="本平台记录的页面地址"
    )


class TaskInterviewIn(Schema):
    held_on: datetime.date = Field(description="约谈日期，不能晚于今天")
    attendees: str = Field(..., max_length=rules.NOTE_MAX)
    conclusions: str = Field(..., max_length=rules.TEXT_MAX)


class TaskExtensionIn(Schema):
    requested_deadline: datetime.date = Field(description="申请延至，须晚于现在的完成时限")
    reason: str = Field(..., max_length=rules.TEXT_MAX)


class TaskDecideIn(Schema):
    approve: bool = Field(description="true 同意（完成时限改为申请的日期），false 不同意")
    note: str = Field("", max_length=rules.NOTE_MAX, description="审批意见，不同意时必填")


class TaskMeasureIn(Schema):
    number: int = Field(..., ge=1, le=999, description="措施在本级方案中的序号")
    title: str = Field(..., max_length=rules.TITLE_MAX, description="改革措施")


class TaskMeasureUpdateIn(Schema):
    version: int | None = Field(None, ge=1, description=VERSION)
    title: str = Field(..., max_length=rules.TITLE_MAX, description="改革措施")


class TaskIn(Schema):
    measure: int = Field(..., gt=0, le=MAX_ID, description="改革措施 id（本级或上级计生协方案）")
    title: str = Field(..., max_length=rules.TITLE_MAX, description="任务名称")
    association: str = Field(
        ..., max_length=32, description="牵头（承担）计生协代码：本级或管辖范围内在用的计生协"
    )
    responsible: int | None = Field(
        None, gt=0, le=MAX_ID, description="责任人账号 id：牵头计生协可报告进展的在用工作人员"
    )
    co_associations: list[str] = Field(
        default_factory=list, max_length=100, description="配合计生协代码（管辖范围内）"
    )
    lead_department: str = Field("", max_length=rules.UNIT_MAX, description="牵头部门（平台外）")
    co_departments: str = Field("", max_length=rules.UNIT_MAX, description="配合部门（平台外）")
    start_on: datetime.date = Field(description="开始日期")
    deadline: datetime.date = Field(description="完成时限，不早于开始日期")
    deliverables: str = Field(..., max_length=rules.TEXT_MAX, description="成果要求")


class TaskUpdateIn(Schema):
    """Only the fields sent change; `responsible` null removes the person responsible, any other
    field may not be null (422)."""

    version: int | None = Field(None, ge=1, description=VERSION)
    measure: int | None = Field(None, gt=0, le=MAX_ID)
    title: str | None = Field(None, max_length=rules.TITLE_MAX)
    association: str | None = Field(None, max_length=32, description="分解下达后不能更换")
    responsible: int | None = Field(None, gt=0, le=MAX_ID)
    co_associations: list[str] | None = Field(None, max_length=100)
    lead_department: str | None = Field(None, max_length=rules.UNIT_MAX)
    co_departments: str | None = Field(None, max_length=rules.UNIT_MAX)
    start_on: datetime.date | None = None
    deadline: datetime.date | None = Field(
        None, description="仅用于更正；申请延期请走延期申请和审批"
    )
    deliverables: str | None = Field(None, max_length=rules.TEXT_MAX)

    @field_validator(
        "measure",
        "title",
        "association",
        "co_associations",
        "lead_department",
        "co_departments",
        "start_on",
        "deadline",
        "deliverables",
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class TaskDelegateIn(Schema):
    associations: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="下达给的计生协代码：承担单位直属的在用计生协",
    )
    all: bool = Field(False, description="true 下达给全部直属计生协中尚无分解任务的")
    responsible: dict[str, int] = Field(
        default_factory=dict,
        max_length=200,
        description="各分解任务的责任人：计生协代码 → 该计生协可报告进展的在用账号 id（选填）",
    )


class TaskProgressFormIn(Schema):
    reported_on: datetime.date = Field(description="报告日期，不能晚于今天")
    percent: int = Field(..., ge=0, le=100, description="完成进度（%）")
    text: str = Field(..., max_length=rules.TEXT_MAX, description="进展情况")
    links: str = Field(
        "", max_length=rules.LINKS_MAX * (rules.LINK_MAX + 2), description="平台内链接，每行一个"
    )


class TaskAnswerFormIn(Schema):
    version: int | None = Field(None, ge=1, description=VERSION)
    answer: str = Field(..., max_length=rules.TEXT_MAX, description="办理情况")
    links: str = Field(
        "", max_length=rules.LINKS_MAX * (rules.LINK_MAX + 2), description="平台内链接，每行一个"
    )


# --- references in a body, among the caller's choices (as the page's form offers them) ----------


def _measure_choice(user: Any, pk: int) -> Measure:
    found = selectors.measure_get(user=user, pk=pk)
    if found is None:
        raise ServiceError(gettext("请选择本级或上级计生协改革方案中的措施。"), field="measure")
    return found


def _association_choice(user: Any, code: str) -> Association:
    found = org_selectors.association_choices(user=user).filter(code=code.strip()).first()
    if found is None:
        raise ServiceError(gettext("请选择在用的牵头计生协。"), field="association")
    return found


def _co_associations(user: Any, codes: list[str]) -> list[Association]:
    wanted = list(dict.fromkeys(code.strip() for code in codes))
    found = list(org_selectors.association_choices(user=user).filter(code__in=wanted))
    if len(found) != len(wanted):
        raise ServiceError(
            gettext("配合计生协须是您管辖范围内在用的计生协。"), field="co_associations"
        )
    return found


def _responsible(user: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    associations = org_selectors.association_choices(user=user)
    found = selectors.staff_choices(associations=associations).filter(pk=pk).first()
    if found is None:
        raise ServiceError(gettext("责任人须是牵头计生协在用的工作人员账号。"), field="responsible")
    return found


def _detail(request: HttpRequest, pk: int) -> Task:
    """The task with what its page shows attached for the schema."""
    user = signed_in_user(request)
    task = _task(request, pk)
    task.co_associations_list = [  # type: ignore[attr-defined]
        {"code": a.code, "name": a.name} for a in task.co_associations.all()
    ]
    task.children_list = selectors.children(user=user, task=task)  # type: ignore[attr-defined]
    task.steps_list = selectors.timeline(task=task)  # type: ignore[attr-defined]
    task.open_notices_list = selectors.open_notices(task=task)  # type: ignore[attr-defined]
    task.pending_extension = selectors.pending_extension(task=task)  # type: ignore[attr-defined]
    task.may_manage = services.may_manage(user, task)  # type: ignore[attr-defined]
    task.may_report = services.may_report(user, task)  # type: ignore[attr-defined]
    return task


# --- reads --------------------------------------------------------------------------------------


@router.get("/tasks", response=with_errors(ReformTaskPage), summary="任务书列表")
def tasks_list(request: HttpRequest, filters: Query[ReformTaskFilters]) -> dict:
    """The tasks the caller sees, filtered as on the list page, in keyset pages. `association`
    outside the caller's scope is a 404; a `measure` not of the caller's or a higher plan, 400."""
    user = signed_in_user(request)
    area = (
        org_selectors.association_get(user=user, code=filters.association.strip())
        if filters.association
        else None
    )
    measure = None
    if filters.measure is not None:
        measure = selectors.measure_get(user=user, pk=filters.measure)
        if measure is None:
            raise ServiceError(gettext("请选择本级或上级计生协改革方案中的措施。"), field="measure")
    page = selectors.task_list(
        user=user,
        filters=selectors.Filters(
            status=filters.status,
            measure=measure,
            association=area,
            year=filters.year,
            query=filters.q,
        ),
        sort=filters.sort,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/tasks/measures", response=with_errors(list[TaskMeasureOut]), summary="改革措施")
def tasks_measures(request: HttpRequest) -> list[Measure]:
    """The plan measures the caller's tasks may serve: its own association's and those above."""
    return list(selectors.measure_choices(user=signed_in_user(request))[:500])


@router.post(
    "/tasks/measures",
    response=with_errors(TaskMeasureOut, created=True),
    summary="添加改革措施",
    description="""A measure of the plan of the caller's own association (`task.manage`): its
number in the plan (1-999, once per plan: 400 `duplicate` on `number`) and its text.""",
)
def tasks_measure_create(request: HttpRequest, payload: TaskMeasureIn) -> Status[Measure]:
    user = _actor(request, MANAGE)
    made = services.measure_create(actor=user, number=payload.number, title=payload.title)
    found = selectors.measure_get(user=user, pk=made.pk)
    assert found is not None
    return Status(201, found)


@router.post(
    "/tasks/measures/{measure_id}",
    response=with_errors(TaskMeasureOut),
    summary="修改改革措施",
    description="""Correct the text of a measure of the caller's own plan; a measure of a plan
above (visible, not the caller's): 403; any other id: 404; a stale `version`: 409.""",
)
def tasks_measure_update(
    request: HttpRequest, measure_id: int, payload: TaskMeasureUpdateIn
) -> Measure:
    user = _actor(request, MANAGE)
    _check_id(measure_id)
    found = selectors.measure_get(user=user, pk=measure_id)
    if found is None:
        raise Http404
    services.measure_update(
        actor=user, measure=found, title=payload.title, expected_version=payload.version
    )
    updated = selectors.measure_get(user=user, pk=measure_id)
    assert updated is not None
    return updated


@router.get("/tasks/{task_id}", response=with_errors(ReformTaskDetailOut), summary="任务详情")
def tasks_detail(request: HttpRequest, task_id: int) -> Task:
    return _detail(request, task_id)


# --- the setting level sets and corrects tasks --------------------------------------------------


@router.post(
    "/tasks",
    response=with_errors(ReformTaskDetailOut, created=True),
    summary="下达任务",
    description="""The caller's association (`task.manage`) sets a task for itself or an
association of its subtree, serving a measure of its plan or one above: the same fields and
rules as the page's form. A measure, association, co-association or responsible person outside
the caller's choices: 400 on that field; a deadline before the start, an empty title or
deliverables: 400; a date that is not a date: 422.""",
)
def tasks_create(request: HttpRequest, payload: TaskIn) -> Status[Task]:
    user = _actor(request, MANAGE)
    task = services.task_create(
        actor=user,
        measure=_measure_choice(user, payload.measure),
        title=payload.title,
        association=_association_choice(user, payload.association),
        responsible=_responsible(user, payload.responsible),
        co_associations=_co_associations(user, payload.co_associations),
        lead_department=payload.lead_department,
        co_departments=payload.co_departments,
        start_on=payload.start_on,
        deadline=payload.deadline,
        deliverables=payload.deliverables,
    )
    return Status(201, _detail(request, task.pk))


@router.post(
    "/tasks/{task_id}",
    response=with_errors(ReformTaskDetailOut),
    summary="修改任务",
    description="""The level that set the task corrects it (only the fields sent change),
while it is not accepted (409). The deadline is changed here only to correct a mistake; a later
deadline goes through an extension request. The responsible association cannot change once the
task is handed down (400). Any other level: 403; a stale `version`: 409 `conflict`.""",
)
def tasks_update(request: HttpRequest, task_id: int, payload: TaskUpdateIn) -> Task:
    user = _actor(request, MANAGE)
    task = _task(request, task_id)
    sent = payload.dict(exclude_unset=True, exclude={"version"})
    data: dict[str, Any] = {
        key: value
        for key, value in sent.items()
        if key not in ("measure", "association", "responsible", "co_associations")
    }
    if "measure" in sent:
        data["measure"] = _measure_choice(user, sent["measure"])
    if "association" in sent:
        data["association"] = _association_choice(user, sent["association"])
    if "responsible" in sent:
        data["responsible"] = _responsible(user, sent["responsible"])
    if "co_associations" in sent:
        data["co_associations"] = _co_associations(user, sent["co_associations"])
    services.task_update(actor=user, task=task, expected_version=payload.version, **data)
    return _detail(request, task_id)


@router.post(
    "/tasks/{task_id}/delegate",
    response=with_errors(ReformTaskDetailOut, created=True),
    summary="分解下达",
    description="""The responsible side (`task.manage`, the association the task is assigned
to) hands the task down: each chosen association directly below it (a county's townships, by
code) gets its own copy to fulfil, linked by `parent_id`; `all` chooses every one of them
without a copy yet; `responsible` names each copy's person responsible (by association code, a
reporting account of that association: else 400 on `responsible`). A code that is not directly
below, or one that has a copy already: 400 on `associations`; a task not open: 409; any other
level: 403. Answers the task with its `children`.""",
)
def tasks_delegate(request: HttpRequest, task_id: int, payload: TaskDelegateIn) -> Status[Task]:
    user = _actor(request, MANAGE)
    task = _task(request, task_id)
    below = org_selectors.association_choices(user=user).filter(parent_id=task.association_id)
    if payload.all:
        handed = {child.association_id for child in selectors.children(user=user, task=task)}
        chosen = [item for item in below if item.pk not in handed]
    else:
        codes = list(dict.fromkeys(code.strip() for code in payload.associations))
        chosen = list(below.filter(code__in=codes))
        unknown = sorted(set(codes) - {item.code for item in chosen})
        if unknown:
            raise ServiceError(
                gettext("只能下达给本级直属的在用计生协：%(name)s不是。") % {"name": unknown[0]},
                field="associations",
            )
    by_code = {item.code: item.pk for item in chosen}
    people = {}
    for code, person in payload.responsible.items():
        if code.strip() not in by_code:
            raise ServiceError(
                gettext("责任人须是牵头计生协在用的工作人员账号。"), field="responsible"
            )
        people[by_code[code.strip()]] = _responsible(user, person)
    services.task_delegate(actor=user, task=task, associations=chosen, responsible=people)
    return Status(201, _detail(request, task_id))


# --- the responsible side -----------------------------------------------------------------------


@router.post(
    "/tasks/{task_id}/reports",
    response=with_errors(TaskProgressOut, created=True),
    summary="报告进展",
    description="""The responsible side (`task.report`, the association the task is assigned
to) reports progress: the date (not after today), the percentage and what was done, with links
to records of this platform as evidence (files on the task's page). The task's progress and
last report date follow. A task marked complete or accepted takes no report: 409.""",
)
def tasks_report_add(
    request: HttpRequest, task_id: int, payload: TaskProgressIn
) -> Status[ProgressReport]:
    return _report(request, task_id, payload)


def _report(
    request: HttpRequest, task_id: int, payload: Any, files: list[UploadedFile] | None = None
) -> Status[ProgressReport]:
    """A progress report through `report_add`, with its evidence files when sent (multipart)."""
    report = services.report_add(
        actor=_actor(request, REPORT),
        task=_task(request, task_id),
        reported_on=payload.reported_on,
        text=payload.text,
        percent=payload.percent,
        links=payload.links,
        files=files or (),
    )
    return Status(201, report)


@router.post(
    "/tasks/{task_id}/reports/upload",
    response=with_errors(TaskProgressOut, created=True),
    summary="报告进展（附佐证文件）",
    description="""The same progress report as `POST /tasks/{task_id}/reports`, sent as
multipart form data with its evidence files (`files`, one to five): PDF up to 10 MB, JPEG, PNG
or WebP up to 5 MB, checked by content whatever the name says (images are re-encoded without
their location data). `links` holds the platform's page addresses, one per line. A file that is
refused (its type, its size): 400 on `files`, and nothing is kept.""",
)
def tasks_report_upload(
    request: HttpRequest,
    task_id: int,
    payload: Form[TaskProgressFormIn],
    files: File[list[UploadedFile]],
) -> Status[ProgressReport]:
    return _report(request, task_id, payload, files)


@router.post(
    "/tasks/{task_id}/complete",
    response=with_errors(ReformTaskDetailOut),
    summary="报完成",
    description="""The responsible side marks the task complete (it then waits for the setting
level's acceptance). Only an open task whose handed-down copies are all accepted: otherwise
409 or 400; a stale `version`: 409 `conflict`.""",
)
def tasks_complete(request: HttpRequest, task_id: int, payload: TaskNoteIn) -> Task:
    user = _actor(request, REPORT)
    services.task_complete(
        actor=user,
        task=_task(request, task_id),
        note=payload.note,
        expected_version=payload.version,
    )
    return _detail(request, task_id)


@router.post(
    "/tasks/notices/{notice_id}/answer",
    response=with_errors(TaskSupervisionOut),
    summary="答复督办单",
    description="""The responsible side answers a 督办单 once (what was done, links as
evidence). A second answer: 409; a reminder or 约谈 takes no answer: 400; a stale `version` of
the 督办单: 409 `conflict`.""",
)
def tasks_notice_answer(request: HttpRequest, notice_id: int, payload: TaskAnswerIn) -> Supervision:
    user = _actor(request, REPORT)
    _check_id(notice_id)
    return services.notice_answer(
        actor=user,
        notice=selectors.supervision_get(user=user, pk=notice_id),
        answer=payload.answer,
        links=payload.links,
        expected_version=payload.version,
    )


@router.post(
    "/tasks/notices/{notice_id}/answer/upload",
    response=with_errors(TaskSupervisionOut),
    summary="答复督办单（附佐证文件）",
    description="""The same answer as `POST /tasks/notices/{notice_id}/answer`, sent as
multipart form data with its evidence files (`files`, checked as for a progress report).""",
)
def tasks_notice_answer_upload(
    request: HttpRequest,
    notice_id: int,
    payload: Form[TaskAnswerFormIn],
    files: File[list[UploadedFile]],
) -> Supervision:
    user = _actor(request, REPORT)
    _check_id(notice_id)
    return services.notice_answer(
        actor=user,
        notice=selectors.supervision_get(user=user, pk=notice_id),
        answer=payload.answer,
        links=payload.links,
        files=files,
        expected_version=payload.version,
    )


@router.post(
    "/tasks/{task_id}/extensions",
    response=with_errors(TaskExtensionOut, created=True),
    summary="申请延期",
    description="""The responsible side asks the setting level for a later deadline (after the
one in force) with the reason. One pending request per task and an open task only: 409.""",
)
def tasks_extension_request(
    request: HttpRequest, task_id: int, payload: TaskExtensionIn
) -> Status[Extension]:
    user = _actor(request, REPORT)
    item = services.extension_request(
        actor=user,
        task=_task(request, task_id),
        requested_deadline=payload.requested_deadline,
        reason=payload.reason,
    )
    return Status(201, item)


# --- the setting level --------------------------------------------------------------------------


@router.post(
    "/tasks/{task_id}/accept",
    response=with_errors(ReformTaskDetailOut),
    summary="验收通过",
    description="""The level that set the task (`task.manage`) accepts a completion; not who
marked it complete (403). A task not marked complete: 409; a stale `version`: 409
`conflict`.""",
)
def tasks_accept(request: HttpRequest, task_id: int, payload: TaskNoteIn) -> Task:
    user = _actor(request, MANAGE)
    services.task_accept(
        actor=user,
        task=_task(request, task_id),
        note=payload.note,
        expected_version=payload.version,
    )
    return _detail(request, task_id)


@router.post(
    "/tasks/{task_id}/return",
    response=with_errors(ReformTaskDetailOut),
    summary="退回",
    description="""The setting level returns a completion with the reason (two characters at
least): the task is open again. A task not marked complete: 409.""",
)
def tasks_return(request: HttpRequest, task_id: int, payload: TaskReasonIn) -> Task:
    user = _actor(request, MANAGE)
    services.task_return(
        actor=user,
        task=_task(request, task_id),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _detail(request, task_id)


@router.post(
    "/tasks/{task_id}/reopen",
    response=with_errors(ReformTaskDetailOut),
    summary="重新打开",
    description="""The setting level reopens an accepted task with the reason. A task not
accepted: 409.""",
)
def tasks_reopen(request: HttpRequest, task_id: int, payload: TaskReasonIn) -> Task:
    user = _actor(request, MANAGE)
    services.task_reopen(
        actor=user,
        task=_task(request, task_id),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _detail(request, task_id)


@router.post(
    "/tasks/{task_id}/reminders",
    response=with_errors(TaskSupervisionOut, created=True),
    summary="督促：提醒",
    description="""The first rung of the ladder: a message to the responsible side. Not on an
accepted task: 409.""",
)
def tasks_remind(request: HttpRequest, task_id: int, payload: TaskRemindIn) -> Status[Supervision]:
    user = _actor(request, MANAGE)
    item = services.task_remind(actor=user, task=_task(request, task_id), message=payload.message)
    return Status(201, item)


@router.post(
    "/tasks/{task_id}/notices",
    response=with_errors(TaskSupervisionOut, created=True),
    summary="督促：下发督办单",
    description="""A 督办单: the problem, a deadline to put it right (not before today) and
the answer required; numbered DB-<year>-<nnn> in the county's sequence without gaps.""",
)
def tasks_notice_issue(
    request: HttpRequest, task_id: int, payload: TaskNoticeIn
) -> Status[Supervision]:
    user = _actor(request, MANAGE)
    item = services.notice_issue(
        actor=user,
        task=_task(request, task_id),
        problem=payload.problem,
        new_deadline=payload.new_deadline,
        required_answer=payload.required_answer,
    )
    return Status(201, item)


@router.post(
    "/tasks/{task_id}/interviews",
    response=with_errors(TaskSupervisionOut, created=True),
    summary="督促：记录约谈",
    description="""A 约谈 held about the task: the date (not after today), who attended and
what was concluded.""",
)
def tasks_interview(
    request: HttpRequest, task_id: int, payload: TaskInterviewIn
) -> Status[Supervision]:
    user = _actor(request, MANAGE)
    item = services.interview_record(
        actor=user,
        task=_task(request, task_id),
        held_on=payload.held_on,
        attendees=payload.attendees,
        conclusions=payload.conclusions,
    )
    return Status(201, item)


@router.post(
    "/tasks/extensions/{extension_id}/decide",
    response=with_errors(TaskExtensionOut),
    summary="审批延期申请",
    description="""The level that set the task decides a pending extension request: approved,
the task's deadline moves to the requested date (the old one kept on the request); refused,
the note is required (400). Decided already: 409. Any other level: 403.""",
)
def tasks_extension_decide(
    request: HttpRequest, extension_id: int, payload: TaskDecideIn
) -> Extension:
    user = _actor(request, MANAGE)
    _check_id(extension_id)
    return services.extension_decide(
        actor=user,
        extension=selectors.extension_get(user=user, pk=extension_id),
        approve=payload.approve,
        note=payload.note,
    )
