"""The assessment's background job: freezing a round's computed indicators, township by
township with progress (a county of many townships, or indicators that read much, takes longer
than a page should wait). The page then opens the round again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_noop

from fpa.assessment import selectors, services
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register, result_view
from fpa.core.models import Job

FREEZE = "assessment.freeze"
STAGE_FREEZING = gettext_noop("正在按截止日期计算各乡镇的计算指标")


@register(FREEZE)
def freeze(job: Job, progress: Progress) -> dict[str, Any]:
    """The round's freeze as its owner; the service checks everything again (a round advanced
    or changed since the job was started is refused) and runs in one transaction, so a
    cancelled or failed job leaves the previous values."""
    user = exports.job_owner(job, "assessment.manage")
    round_ = selectors.round_get(user=user, pk=int(job.params.get("round") or 0))
    if round_ is None:
        raise JobFailed(exports.OUT_OF_SCOPE)
    townships = len(services.townships_of(round_.scheme.county))
    progress.stage(STAGE_FREEZING, total=townships)

    def on_township(done: int) -> None:
        progress.advance(read=done, written=done)
        progress.check()

    try:
        frozen = services.round_freeze(
            actor=user, round_=round_, version=job.params.get("version"), on_township=on_township
        )
    except ServiceError as exc:
        raise JobFailed(exc.message) from exc
    progress.advance(read=townships, written=townships, force=True)
    return {"round": frozen.pk, "townships": townships}


@result_view(FREEZE)
def freeze_done(request: HttpRequest, job: Job) -> HttpResponse | None:
    """Done: back to the round with the message; failed or cancelled: the job page says why."""
    if job.status != Job.Status.DONE or not job.params.get("round"):
        return None
    messages.success(request, gettext("计算指标已按截止日期冻结。"))
    return redirect("assessment:round", int(job.params["round"]))
