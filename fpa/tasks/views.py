"""Pages of the reform task book: the list (filters, sort, Excel), the roadmap, the printable
task book, the plan's measures, a task's page with its timeline and the actions of both sides
(progress, completion, acceptance, the supervision ladder, extensions), and the evidence
files. Views validate input and call a service or a selector; who may act is the service's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core import uploads
from fpa.core.actions import form_action, post_action
from fpa.core.excel import exports
from fpa.core.jobs import job_url
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest, ObjectLookup
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.tasks import excel as task_excel
from fpa.tasks import forms, rules, selectors, services
from fpa.tasks import jobs as task_jobs
from fpa.tasks.models import Evidence, Extension, Supervision, Task

TASK: ObjectLookup = {"model": Task}
AREA_KINDS = (
    Association.Kind.PROVINCE,
    Association.Kind.PREFECTURE,
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
)
VIEW, MANAGE, REPORT = services.VIEW, services.MANAGE, services.REPORT


def _area(request: HttpRequest, user: User) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the user's subtree, and whether a code was given
    that is not in it (a forged or foreign code shows nothing, with a message)."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return None, False
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    return found, found is None


def _filters(
    request: HttpRequest, user: User
) -> tuple[forms.FilterForm, selectors.Filters, str, bool]:
    """The list's filters (also the roadmap's, the book's and the export's)."""
    form = forms.FilterForm(request.GET or None, measures=selectors.measure_choices(user=user))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area, foreign = _area(request, user)
    filters = selectors.Filters(
        status=data.get("status") or "",
        measure=data.get("measure"),
        association=area,
        year=data.get("year"),
        query=data.get("q") or "",
        ladder=data.get("ladder") or "",
    )
    return form, filters, data.get("sort") or "deadline", foreign


# --- the list, the roadmap, the book --------------------------------------------------------------


@scoped_view(capability=VIEW)
@require_safe
def task_list(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form, filters, sort, foreign = _filters(request, user)
    page = selectors.task_list(
        user=user,
        filters=filters,
        sort=sort,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "area": filters.association,
        "foreign": foreign,
        "can_manage": user.has_capability(MANAGE),
        "query": request.GET.urlencode(),
    }
    template = "tasks/_rows.html" if request.htmx else "tasks/list.html"
    return render(request, template, context)


@scoped_view(capability=VIEW)
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The list's rows as a workbook (a background job, then its page offers the file)."""
    user = signed_in_user(request)
    _form, filters, _sort, foreign = _filters(request, user)
    if foreign:
        messages.error(request, gettext("所选协会不存在或不在您的管辖范围内。"))
        return redirect("tasks:list")
    job = exports.start_export(
        kind=task_jobs.EXPORT,
        actor=user,
        title=exports.export_title(task_excel.TASK_SHEET),
        params={
            "status": filters.status,
            "measure": filters.measure.pk if filters.measure else None,
            "code": filters.association.code if filters.association else "",
            "year": filters.year,
            "q": filters.query,
        },
    )
    return redirect(job_url(job))


@scoped_view(capability=VIEW)
@require_safe
def roadmap(request: HttpRequest) -> HttpResponse:
    """Per measure, a bar per task from its start to its deadline, coloured by status."""
    user = signed_in_user(request)
    form, filters, _sort, foreign = _filters(request, user)
    data = selectors.roadmap(user=user, filters=filters)
    if foreign:
        data["bars"], data["measures"] = [], []
    context = {
        "form": form,
        "chart": data,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "area": filters.association,
        "foreign": foreign,
        "query": request.GET.urlencode(),
        "counts": [
            (rules.status_label(code), rules.STATUS_BADGES[code], n)
            for code, n in sorted(
                selectors.status_counts(user=user, filters=filters).items(),
                key=lambda item: list(rules.STATUS_LABELS).index(item[0]),
            )
        ]
        if not foreign
        else [],
    }
    return render(request, "tasks/roadmap.html", context)


@scoped_view(capability=VIEW)
@require_safe
def book(request: HttpRequest) -> HttpResponse:
    """The printable task book (A4): the tasks by measure, with their lead and co-units."""
    user = signed_in_user(request)
    _form, filters, _sort, foreign = _filters(request, user)
    context = {
        "groups": [] if foreign else selectors.task_book(user=user, filters=filters),
        "scope": filters.association or user.home_association,
        "foreign": foreign,
        "year": filters.year,
        "today": timezone.localdate(),
    }
    return render(request, "tasks/book.html", context)


# --- the plan's measures --------------------------------------------------------------------------


@scoped_view(capability=VIEW)
def measures(request: HttpRequest) -> HttpResponse:
    """The plan's measures the user's tasks serve; the user's own association adds its own."""
    user = signed_in_user(request)
    can_add = user.has_capability(MANAGE)
    form = forms.MeasureForm(request.POST or None) if can_add else None
    if request.method == "POST" and form is None:
        messages.error(request, gettext("您的角色无权进行此操作。"))
        return redirect("tasks:measures")
    page = lambda: render(  # noqa: E731
        request,
        "tasks/measures.html",
        {"measures": selectors.measure_choices(user=user), "form": form},
    )
    if form is None:
        return page()
    return form_action(
        request,
        form,
        call=lambda form: services.measure_create(actor=user, **form.cleaned_data),
        done=gettext("已添加改革措施。"),
        then="tasks:measures",
        page=page,
    )


# --- set and edit ---------------------------------------------------------------------------------


def _task_form(request: HttpRequest, user: User, **kwargs: Any) -> forms.TaskForm:
    associations = org_selectors.association_choices(user=user)
    return forms.TaskForm(
        request.POST or None,
        measures=selectors.measure_choices(user=user),
        associations=associations,
        users=selectors.staff_choices(associations=associations),
        **kwargs,
    )


def _form_page(
    request: HttpRequest, form: Any, title: str, task: Task | None = None
) -> HttpResponse:
    return render(request, "tasks/form.html", {"form": form, "title": title, "task": task})


@scoped_view(capability=MANAGE)
def task_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = _task_form(request, user)

    def save(form: forms.TaskForm) -> Task:
        data = dict(form.cleaned_data)
        data.pop("version", None)
        return services.task_create(actor=user, **data)

    return form_action(
        request,
        form,
        call=save,
        done=gettext("已下达任务。"),
        then=lambda task: ("tasks:detail", task.pk),
        page=lambda: _form_page(request, form, gettext("下达改革任务")),
    )


@scoped_view(capability=MANAGE, **TASK, as_="task")
def edit(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    initial = {
        "measure": task.measure_id,
        "title": task.title,
        "association": task.association_id,
        "responsible": task.responsible_id,
        "co_associations": list(task.co_associations.values_list("pk", flat=True)),
        "lead_department": task.lead_department,
        "co_departments": task.co_departments,
        "start_on": task.start_on,
        "deadline": task.deadline,
        "deliverables": task.deliverables,
        "version": task.version,
    }
    form = _task_form(request, user, initial=initial)

    def save(form: forms.TaskForm) -> Task:
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return services.task_update(actor=user, task=task, expected_version=version, **data)

    return form_action(
        request,
        form,
        call=save,
        done=gettext("已保存。"),
        then=("tasks:detail", task.pk),
        page=lambda: _form_page(
            request, form, gettext("修改任务：%(title)s") % {"title": task.title}, task
        ),
    )


@scoped_view(capability=MANAGE, **TASK, as_="task")
def delegate(request: HttpRequest, task: Task) -> HttpResponse:
    """Hand the task down to associations directly below the responsible one."""
    user = signed_in_user(request)
    below = org_selectors.association_choices(user=user).filter(parent_id=task.association_id)
    form = forms.DelegateForm(request.POST or None, below=below)
    return form_action(
        request,
        form,
        call=lambda form: services.task_delegate(
            actor=user, task=task, associations=form.cleaned_data["associations"]
        ),
        done=lambda copies: gettext("已分解下达给%(count)s个单位。") % {"count": len(copies)},
        then=("tasks:detail", task.pk),
        page=lambda: _form_page(
            request, form, gettext("分解下达：%(title)s") % {"title": task.title}, task
        ),
    )


# --- one task -------------------------------------------------------------------------------------


@scoped_view(capability=VIEW, **TASK, as_="task")
@require_safe
def detail(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    manage, report = services.may_manage(user, task), services.may_report(user, task)
    stage = task.stage
    steps = selectors.timeline(task=task)
    context = {
        "task": task,
        "steps": steps,
        "ladder": [s for s in steps if s.on_ladder],
        "children": selectors.children(user=user, task=task),
        "parent_visible": selectors.parent_visible(user=user, task=task),
        "notices": selectors.open_notices(task=task),
        "pending": selectors.pending_extension(task=task),
        "co_associations": list(task.co_associations.all()),
        "manage": manage,
        "report": report,
        "is_open": stage == Task.Stage.OPEN,
        "is_completed": stage == Task.Stage.COMPLETED,
        "is_accepted": stage == Task.Stage.ACCEPTED,
        "can_delegate": services.may_delegate(user, task),
    }
    return render(request, "tasks/detail.html", context)


def _labelled_errors(form: Any) -> str:
    """A form's errors in one message, each after its field's label ("退回原因：…")."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}：" if field is not None and field.label else ""
        parts += [f"{label}{error}" for error in errors]
    return "；".join(parts)


def _inline(request: HttpRequest, task: Task, form: Any, call: Any, done: str) -> HttpResponse:
    return post_action(
        request,
        form,
        call=call,
        done=done,
        then=("tasks:detail", task.pk),
        invalid=_labelled_errors,
    )


def _form_then_back(
    request: HttpRequest, task: Task, form: Any, call: Any, done: str, title: str
) -> HttpResponse:
    return form_action(
        request,
        form,
        call=call,
        done=done,
        then=("tasks:detail", task.pk),
        page=lambda: _form_page(request, form, title, task),
    )


def _with_files(form: Any) -> dict[str, Any]:
    """The form's data for a service that takes evidence `files`."""
    data = dict(form.cleaned_data)
    data["files"] = data.pop("evidence_files", [])
    return data


@scoped_view(capability=REPORT, **TASK, as_="task")
def report(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.ReportForm(request.POST or None, request.FILES or None)
    return _form_then_back(
        request,
        task,
        form,
        lambda form: services.report_add(actor=user, task=task, **_with_files(form)),
        gettext("已报告进展。"),
        gettext("报告进展：%(title)s") % {"title": task.title},
    )


@require_POST
@scoped_view(capability=REPORT, **TASK, as_="task")
def complete(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        task,
        forms.NoteForm(request.POST),
        lambda form: services.task_complete(actor=user, task=task, **form.cleaned_data),
        gettext("已报完成，等待下达单位验收。"),
    )


@require_POST
@scoped_view(capability=MANAGE, **TASK, as_="task")
def accept(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        task,
        forms.NoteForm(request.POST),
        lambda form: services.task_accept(actor=user, task=task, **form.cleaned_data),
        gettext("已验收，任务完成。"),
    )


@require_POST
@scoped_view(capability=MANAGE, **TASK, as_="task")
def return_(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        task,
        forms.ReasonForm(request.POST),
        lambda form: services.task_return(actor=user, task=task, **form.cleaned_data),
        gettext("已退回，任务回到推进中。"),
    )


@require_POST
@scoped_view(capability=MANAGE, **TASK, as_="task")
def reopen(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        task,
        forms.ReopenForm(request.POST),
        lambda form: services.task_reopen(actor=user, task=task, **form.cleaned_data),
        gettext("已重新打开任务。"),
    )


# --- the supervision ladder -----------------------------------------------------------------------


@require_POST
@scoped_view(capability=MANAGE, **TASK, as_="task")
def remind(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        task,
        forms.RemindForm(request.POST),
        lambda form: services.task_remind(actor=user, task=task, **form.cleaned_data),
        gettext("已发送提醒。"),
    )


@scoped_view(capability=MANAGE, **TASK, as_="task")
def notice(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.NoticeForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.notice_issue(actor=user, task=task, **form.cleaned_data),
        done=lambda item: gettext("已下发督办单%(number)s。") % {"number": item.number},
        then=("tasks:detail", task.pk),
        page=lambda: _form_page(
            request, form, gettext("下发督办单：%(title)s") % {"title": task.title}, task
        ),
    )


@scoped_view(capability=REPORT, model=Supervision, as_="item")
def answer(request: HttpRequest, item: Supervision) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.AnswerForm(
        request.POST or None, request.FILES or None, initial={"expected_version": item.version}
    )
    return form_action(
        request,
        form,
        call=lambda form: services.notice_answer(actor=user, notice=item, **_with_files(form)),
        done=gettext("已答复督办单。"),
        then=("tasks:detail", item.task_id),
        page=lambda: render(
            request, "tasks/answer.html", {"form": form, "item": item, "task": item.task}
        ),
    )


@scoped_view(capability=MANAGE, **TASK, as_="task")
def interview(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.InterviewForm(request.POST or None, initial={"held_on": timezone.localdate()})
    return _form_then_back(
        request,
        task,
        form,
        lambda form: services.interview_record(actor=user, task=task, **form.cleaned_data),
        gettext("已记录约谈。"),
        gettext("记录约谈：%(title)s") % {"title": task.title},
    )


@scoped_view(capability=REPORT, **TASK, as_="task")
def extension(request: HttpRequest, task: Task) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.ExtensionForm(request.POST or None)
    return _form_then_back(
        request,
        task,
        form,
        lambda form: services.extension_request(actor=user, task=task, **form.cleaned_data),
        gettext("已提交延期申请，等待下达单位审批。"),
        gettext("申请延期：%(title)s") % {"title": task.title},
    )


@require_POST
@scoped_view(capability=MANAGE, model=Extension, as_="item")
def decide(request: HttpRequest, item: Extension) -> HttpResponse:
    user = signed_in_user(request)
    return post_action(
        request,
        forms.DecideForm(request.POST),
        call=lambda form: services.extension_decide(
            actor=user, extension=item, **form.cleaned_data
        ),
        done=lambda done: (
            gettext("已同意延期，完成时限已调整。")
            if done.status == Extension.Status.APPROVED
            else gettext("已答复：不同意延期。")
        ),
        then=("tasks:detail", item.task_id),
        invalid=_labelled_errors,
    )


@scoped_view(capability=VIEW, model=Evidence, as_="item")
@require_safe
def evidence(request: HttpRequest, item: Evidence) -> FileResponse:
    """A stored (checked) evidence file, as a download."""
    return uploads.file_response(
        item.file, content_type=item.content_type, filename=item.download_name
    )
