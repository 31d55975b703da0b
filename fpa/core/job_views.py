"""The job pages: "我的任务" (the list), one job with its progress bar, the htmx partial that
refreshes it, cancel, and the result file's download. Reads through `fpa.core.jobs` selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from fpa.core import job_files, jobs
from fpa.core.actors import actor_of
from fpa.core.errors import NotAllowed
from fpa.core.models import Job
from fpa.core.pagination import keyset_page
from fpa.core.scope import scoped_view


def _job(request: HttpRequest, pk: int) -> Job:
    job = jobs.job_get(user=request.user, pk=pk)
    if job is None:
        raise Http404
    return job


def _context(request: HttpRequest, job: Job) -> dict[str, object]:
    return {
        "job": job,
        "percent": jobs.percent(job),
        "active": job.status in jobs.ACTIVE,
        # Only the owner downloads (a county admin sees the job of the subtree, not its file).
        "can_download": job.status == Job.Status.DONE
        and job.owner_id == request.user.pk
        and job_files.result_path(job) is not None,
    }


@scoped_view(capability="account.self")
def job_list(request: HttpRequest) -> HttpResponse:
    page = keyset_page(
        jobs.jobs_visible_to(request.user),
        key="id",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=30,
        descending=True,
    )
    return render(request, "core/job_list.html", {"page": page})


@scoped_view(capability="account.self")
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status in jobs.FINISHED:
        view = jobs.result_view_for(job.kind)
        response = view(request, job) if view is not None else None
        if isinstance(response, HttpResponse):
            return response
    return render(request, "core/job_detail.html", _context(request, job))


@scoped_view(capability="account.self")
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status in jobs.FINISHED and getattr(request, "htmx", False):
        return HttpResponseClientRefresh()  # the full page shows the result
    return render(request, "core/_job_progress.html", _context(request, job))


@require_POST
@scoped_view(capability="account.self")
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        jobs.job_cancel(actor=actor_of(request), job=job)
    except NotAllowed as exc:
        messages.error(request, exc.message)
    return redirect(jobs.job_url(job))


@scoped_view(capability="account.self")
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job(request, pk)
    path = job_files.result_path(job) if job.status == Job.Status.DONE else None
    if path is None or job.owner_id != request.user.pk:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name or path.name)
