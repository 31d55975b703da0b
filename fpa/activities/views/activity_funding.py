"""An activity's fund link and its media reports' scans.

`fund_link`: link the activity to the care-fund grant (target 活动) that paid for its cost, or
unlink it (fund.apply and activity.edit, in scope of the activity and of the grant).
`media_scan_add`: attach or replace the scan of a media report; `media_scan`: serve a stored
scan, only to staff who may see the activity (the file lies outside every public URL).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.forms import activities as forms
from fpa.activities.models import Activity, MediaReport
from fpa.activities.views.activities import ACTIVITY
from fpa.core import uploads
from fpa.core.actions import form_action, form_errors, post_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view


@scoped_view(capability="fund.apply", **ACTIVITY, as_="activity")
def fund_link(request: HttpRequest, activity: Activity) -> HttpResponse:
    """GET: the form alone; POST: link (or, with no grant chosen, unlink) and back to the
    activity's page. A refusal shows on the form with the service's message."""
    user = signed_in_user(request)
    grants = selectors.linkable_grants(user=user, activity=activity)
    form = forms.FundLinkForm(
        request.POST or None, grants=grants, initial={"grant": activity.fund_grant_id}
    )

    def link(form: forms.FundLinkForm) -> Activity:
        raw = request.POST.get("version") or ""
        version = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        return services.activity_fund_link(
            actor=user, activity=activity, grant=form.cleaned_data["grant"], version=version
        )

    return form_action(
        request,
        form,
        call=link,
        done=lambda a: (
            gettext("已关联生育关怀基金资助。") if a.fund_grant_id else gettext("已取消关联。")
        ),
        then=("activities:detail", activity.pk),
        page=lambda: render(
            request,
            "activities/activity_step.html",
            {
                "activity": activity,
                "form": form,
                "title": gettext("关联经费来源：%(title)s") % {"title": activity.title},
                "note": gettext(
                    "活动经费由生育关怀基金资助支付的，在此关联该笔资助；金额和办理状态以基金的记录为准。"
                ),
            },
        ),
    )


def _report(request: HttpRequest, activity: Activity, pk: int) -> MediaReport:
    try:
        return selectors.media_of(user=signed_in_user(request), activity=activity).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError(gettext("该媒体报道不存在或已删除。"), field="report") from exc


@require_POST
@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def media_scan_add(request: HttpRequest, activity: Activity) -> HttpResponse:
    """Attach (or replace) the scan of one of the activity's media reports."""
    user = signed_in_user(request)
    form = forms.MediaScanForm(request.POST, request.FILES)
    return post_action(
        request,
        form,
        call=lambda f: services.media_scan_set(
            actor=user,
            report=_report(request, activity, f.cleaned_data["report"]),
            upload=f.cleaned_data["scan"],
        ),
        done=gettext("扫描件已上传。"),
        then=("activities:detail", activity.pk),
        invalid=form_errors,
    )


@scoped_view(capability="activity.view", model=MediaReport, as_="report")
@require_safe
def media_scan(request: HttpRequest, report: MediaReport) -> FileResponse:
    """A media report's stored (checked) scan: an image shown inline, a PDF as a download."""
    if not report.scan:
        raise Http404(gettext("文件不存在。"))
    return uploads.file_response(
        report.scan,
        content_type=report.scan_content_type,
        filename=report.scan_download_name,
        inline=report.scan_format != "pdf",
    )
