"""The import page flow, the same for every module: GET the upload page (or ?download=template);
POST a file: safety checks and the dry run; POST the token the dry run handed out: the commit.
Between the two the file waits, encrypted and bound to the user, in `fpa.core.excel.uploads`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_noop

from fpa.core.excel import uploads
from fpa.core.excel.columns import Sheet
from fpa.core.excel.importer import Importer, ImportReport
from fpa.core.excel.reader import Issue
from fpa.core.excel.safety import UnsafeFile, read_upload

UPLOAD_EXPIRED = gettext_noop("上传的文件已过期或无效，请重新上传。")
NO_FILE = gettext_noop("请选择要上传的Excel文件（.xlsx）。")


@dataclass(frozen=True)
class ImportPage:
    kind: str  # binds a stashed upload to this import, e.g. "families.families"
    sheet: Sheet
    importer: type[Importer]
    template: str
    blank: Callable[[], HttpResponse]  # the template workbook
    page_url: str  # where to start again when the upload expired
    done_url: str  # where to go after a commit
    done_message: Callable[[ImportReport], str]


def import_page(request: HttpRequest, page: ImportPage) -> HttpResponse:
    context: dict[str, Any] = {"sheet": page.sheet}
    if request.method != "POST":
        if request.GET.get("download") == "template":
            return page.blank()
        return render(request, page.template, context)
    importer = page.importer(actor=request.user)
    token = request.POST.get("token", "")
    if token:
        data = uploads.load(request, page.kind, token)
        if data is None:
            messages.error(request, gettext(UPLOAD_EXPIRED))
            return redirect(page.page_url)
        report = importer.commit(data)
        uploads.discard(request, token)
        if report.committed:
            messages.success(request, page.done_message(report))
            return redirect(page.done_url)
        return render(request, page.template, {**context, "report": report})
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
    report = importer.dry_run(data)
    context.update(report=report, name=upload.name)
    if report.ok and report.has_changes:
        context["token"] = uploads.stash(request, page.kind, data)
    return render(request, page.template, context)
