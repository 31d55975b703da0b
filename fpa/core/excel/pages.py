"""The import and export pages, the same for every module.

Import: GET the upload page (or ?download=template); POST a file: safety checks, then the dry run
as a background job; the job page shows its progress and ends on the report, with a confirm button
that posts the upload's token back here: the commit as a second job, which ends on the summary.
Between the two the file waits, encrypted, in `fpa.core.excel.uploads`; its key is kept by the
dry-run job (fpa.core.excel.jobs). Templates extend `core/import.html`.

Export: GET the page; GET ?download=<kind>: the masked workbook as a job; POST reveal=1 with a
reason: the full workbook (personal.reveal only, audited by the job). One template,
`core/export.html`, built from the page's `ExportPage`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext, gettext_noop

from fpa.core import jobs
from fpa.core.actors import Actor, actor_of
from fpa.core.errors import ServiceError
from fpa.core.excel import exports, uploads
from fpa.core.excel.columns import Sheet
from fpa.core.excel.importer import Importer, ImportReport, report_from_json
from fpa.core.excel.reader import Issue
from fpa.core.excel.safety import UnsafeFile, read_upload
from fpa.core.models import Job
from fpa.core.typing_aids import Text

REASON_MAX = 200  # the reason box's maxlength; a longer one is refused, never cut
UPLOAD_EXPIRED = gettext_noop("上传的文件已过期或无效，请重新上传。")
NO_FILE = gettext_noop("请选择要上传的Excel文件（.xlsx）。")
DRY_RUN = "excel.dry_run"
COMMIT = "excel.commit"

PAGES: dict[str, ImportPage] = {}


@dataclass(frozen=True)
class ImportPage:
    kind: str  # binds a stashed upload to this import, e.g. "families.families"
    sheet: Sheet
    importer: type[Importer]
    template: str
    blank: Callable[[], HttpResponseBase]  # the template workbook
    page_url: Text  # where to start again when the upload expired
    done_url: Text  # where to go after a commit
    done_message: Callable[[ImportReport], Text]

    def __post_init__(self) -> None:
        PAGES[self.kind] = self

    @property
    def importer_path(self) -> str:
        return f"{self.importer.__module__}.{self.importer.__qualname__}"


def import_page(request: HttpRequest, page: ImportPage) -> HttpResponseBase:
    context: dict[str, Any] = {"sheet": page.sheet}
    if request.method != "POST":
        if request.GET.get("download") == "template":
            return page.blank()
        return render(request, page.template, context)
    importer = page.importer(actor=actor_of(request))
    token = request.POST.get("token", "")
    if token:
        return _confirm(request, page, token)
    upload = request.FILES.get("file")
    report = ImportReport(title=page.sheet.title)
    if upload is None:
        report.add_issue(Issue(None, None, NO_FILE))
        return render(request, page.template, {**context, "report": report})
    try:
        data = read_upload(upload, importer.limits)
    except UnsafeFile as exc:
        report.add_issue(Issue(None, None, exc.message))
        return render(request, page.template, {**context, "report": report})
    token, key = uploads.seal(page.kind, request.user.pk, data)
    job = jobs.job_enqueue(
        kind=DRY_RUN,
        actor=actor_of(request),
        title=gettext("检查导入文件：%(title)s") % {"title": page.sheet.title},
        params=_params(page, name=upload.name or "", write=False),
        token=token,
        secret=key,
    )
    return redirect(jobs.job_url(job))


def _params(page: ImportPage, *, name: str, write: bool) -> dict[str, Any]:
    return {"page": page.kind, "importer": page.importer_path, "name": name[:200], "write": write}


def _confirm(request: HttpRequest, page: ImportPage, token: str) -> HttpResponse:
    """The confirm button of a dry run: the commit as a job, once per upload, by its owner."""
    dry = (
        Job.objects.filter(
            owner_id=request.user.pk, kind=DRY_RUN, token=token, status=Job.Status.DONE
        )
        .order_by("-id")
        .first()
        if uploads.TOKEN.match(token)
        else None
    )
    usable = dry is not None and (
        dry.params.get("page") == page.kind
        and not Job.objects.filter(kind=COMMIT, token=token).exists()
        and uploads.unseal(page.kind, request.user.pk, token, jobs.job_secret(dry)) is not None
    )
    if not usable or dry is None:
        messages.error(request, gettext(UPLOAD_EXPIRED))
        return redirect(str(page.page_url))
    job = jobs.job_enqueue(
        kind=COMMIT,
        actor=actor_of(request),
        title=gettext("导入：%(title)s") % {"title": page.sheet.title},
        params={**_params(page, name=dry.params.get("name", ""), write=True), "dry_run": dry.pk},
        token=token,
        secret=jobs.job_secret(dry),
    )
    return redirect(jobs.job_url(job))


def import_result(request: HttpRequest, job: Job) -> HttpResponse | None:
    """The result page of a finished import job: the dry-run report (with the confirm button),
    or the commit's summary; None for a job that failed or was cancelled (the job page says)."""
    page = PAGES.get(job.params.get("page", ""))
    if page is None or job.status != Job.Status.DONE or "report" not in job.result:
        return None
    report = report_from_json(job.result["report"])
    context: dict[str, Any] = {"sheet": page.sheet, "report": report, "job": job}
    if job.kind == DRY_RUN:
        context["name"] = job.params.get("name", "")
        if (
            report.ok
            and report.has_changes
            and job.owner_id == request.user.pk
            and not Job.objects.filter(kind=COMMIT, token=job.token).exists()
        ):
            context["token"] = job.token
            # Shown at /jobs/<id>/: the confirm posts to the import page, not to the job page.
            context["import_url"] = resolve_url(page.page_url)
        return render(request, page.template, context)
    if report.committed:
        return render(
            request,
            "core/job_detail.html",
            {
                "job": job,
                "summary": page.done_message(report),
                "done_url": resolve_url(page.done_url),
                "percent": 100,
            },
        )
    return render(request, page.template, context)


jobs.result_view(DRY_RUN)(import_result)
jobs.result_view(COMMIT)(import_result)


@dataclass(frozen=True)
class ExportKind:
    """One workbook a page offers: `?download=<key>` asks for it masked."""

    key: str
    job_kind: str  # the export job registered in the module's jobs.py
    sheet: Sheet
    label: Text  # the masked download button
    all_label: Text = ""  # when set, a checkbox with this label asks for ended records (?all=1)
    full: bool = True  # also offered in full to holders of personal.reveal


@dataclass(frozen=True)
class ExportPage:
    title: Text
    intro: Text  # what is exported and how it is masked
    full_intro: Text  # what the full workbook holds
    kinds: tuple[ExportKind, ...]
    import_capability: str
    imports: tuple[tuple[str, Text], ...] = ()  # (URL name, label) of the module's import pages

    def kind(self, key: str) -> ExportKind | None:
        return next((kind for kind in self.kinds if kind.key == key), None)


def export_page(request: HttpRequest, page: ExportPage) -> HttpResponse:
    """The page; a download or a full export starts its job and redirects to the job page."""
    user = actor_of(request)
    source = request.POST if request.method == "POST" else request.GET
    can_reveal = user.has_capability("personal.reveal")
    kind = page.kind(source.get("download", ""))
    if request.method == "POST" and kind is None:
        kind = page.kinds[0]
    if kind is not None:
        reveal = request.method == "POST" and source.get("reveal") == "1"
        if reveal and not can_reveal:
            raise PermissionDenied(gettext("您没有导出完整个人信息的权限。"))
        try:
            job = _start(user, kind, source, reveal=reveal and kind.full)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(jobs.job_url(job))
    context = {
        "page": page,
        "can_reveal": can_reveal,
        "full_kinds": [kind for kind in page.kinds if kind.full],
        "can_import": user.has_capability(page.import_capability),
    }
    return render(request, "core/export.html", context)


def _start(user: Actor, kind: ExportKind, source: Any, *, reveal: bool) -> Job:
    reason = source.get("reason") or ""
    if len(reason) > REASON_MAX:
        raise ServiceError(
            gettext("导出原因不能超过%(max)d个字。") % {"max": REASON_MAX}, field="reason"
        )
    return exports.start_export(
        kind=kind.job_kind,
        actor=user,
        title=exports.export_title(kind.sheet, reveal=reveal),
        params={"all": source.get("all") == "1"} if kind.all_label else None,
        reveal=reveal,
        reason=reason if reveal else "",
    )
