"""The activity pages: the list (filters, sort, keyset pages, Excel), the highlights sent up,
the plan form (new and edit) and an activity's page with the steps the user may take in its
state, and why the others are not offered. The steps post to `views/activity_steps.py`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.activities import jobs, selectors, services
from fpa.activities.excel_activities import ACTIVITY_SHEET
from fpa.activities.forms import activities as forms
from fpa.activities.models import Activity
from fpa.activities.services.funding import may_link
from fpa.activities.views.sites import photo_gallery_context
from fpa.core.actions import form_action
from fpa.core.excel import exports
from fpa.core.jobs import job_url
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest, ObjectLookup
from fpa.core.uploads import ACCEPT_DOCUMENTS
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

ACTIVITY: ObjectLookup = {"model": Activity}
# Who may organise an activity and be chosen in the list's area filter: every kind of
# association but the member groups.
ORGANISERS = tuple(k for k in Association.Kind.values if k != Association.Kind.MEMBER_GROUP)
LIVE = (Activity.Status.PLANNED, Activity.Status.APPROVED)
DONE = (Activity.Status.HELD, Activity.Status.SUMMARISED)


# --- the list -----------------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> forms.FilterForm:
    return forms.FilterForm(
        request.GET or None,
        categories=selectors.categories(include_retired=True),
        themes=selectors.themes(include_retired=True),
    )


def _query(request: HttpRequest, user: User) -> tuple[forms.FilterForm, dict[str, Any], bool]:
    """The list's form, the selector's filters, and whether the area or campaign named in the
    query string lies in the user's scope (otherwise nothing is shown)."""
    form = _filter_form(request)
    values = form.values()
    area, campaign, found = selectors.list_scope(
        user=user, code=request.GET.get("code") or "", campaign=values.pop("campaign")
    )
    values.pop("sort")
    return form, {**values, "under": area, "campaign": campaign}, found


@scoped_view(capability="activity.view")
def activity_list(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form, filters, found = _query(request, user)
    page = selectors.activity_page(
        user=user,
        sort=form.values()["sort"],
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        **filters,
    )
    if not found:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "area": filters["under"],
        "campaign": filters["campaign"],
        "areas": org_selectors.area_options(user=user, kinds=ORGANISERS),
        "foreign": not found,
        "todo": filters["todo"],
        "can_edit": user.has_capability("activity.edit"),
        "query": request.GET.urlencode(),
    }
    template = "activities/activity_rows.html" if request.htmx else "activities/activity_list.html"
    return render(request, template, context)


@require_safe
@scoped_view(capability="activity.view")
def export(request: HttpRequest) -> HttpResponse:
    """The list's rows, in its filters, as a workbook: a background job, whose page offers the
    file."""
    user = signed_in_user(request)
    _form, filters, found = _query(request, user)
    if not found:
        messages.error(request, gettext("所选协会或部署不存在，或不在您的管辖范围内。"))
        return redirect("activities:list")
    area, campaign = filters.pop("under"), filters.pop("campaign")
    job = exports.start_export(
        kind=jobs.EXPORT,
        actor=user,
        title=exports.export_title(ACTIVITY_SHEET),
        params={
            **filters,
            "code": area.code if area is not None else "",
            "campaign": campaign.pk if campaign is not None else None,
        },
    )
    return redirect(job_url(job))


@scoped_view(capability="activity.view")
def highlights(request: HttpRequest) -> HttpResponse:
    """The highlights (亮点) sent up from the user's subtree, newest first."""
    user = signed_in_user(request)
    page = selectors.highlights_sent_up(
        user=user, after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(request, "activities/activity_highlights.html", {"page": page})


# --- the plan -----------------------------------------------------------------------------------


def _home(user: User) -> Association:
    home = user.home_association
    assert home is not None  # scoped_view: a user holding activity.edit has a home association
    return home


def _plan_form(
    request: HttpRequest, user: User, activity: Activity | None = None, **kwargs: Any
) -> forms.PlanForm:
    organiser = activity.association if activity is not None else _home(user)
    return forms.PlanForm(
        request.POST or None,
        associations=org_selectors.association_choices(user=user, kinds=ORGANISERS),
        categories=selectors.categories(include_retired=activity is not None),
        themes=selectors.themes(include_retired=activity is not None),
        campaigns=selectors.plan_campaigns(user=user, keep=activity),
        sites=selectors.plan_sites(user=user, organiser=organiser, keep=activity),
        co_organisers=selectors.co_organiser_choices(user=user),
        experts=selectors.plan_experts(user=user, organiser=organiser, keep=activity),
        **kwargs,
    )


def _form_page(
    request: HttpRequest,
    form: forms.PlanForm,
    title: str,
    activity: Activity | None = None,
) -> HttpResponse:
    context = {"form": form, "title": title, "activity": activity}
    return render(request, "activities/activity_form.html", context)


@scoped_view(capability="activity.edit")
def activity_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    start += datetime.timedelta(days=1)
    form = _plan_form(
        request,
        user,
        initial={
            "association": _home(user).pk,
            "starts_at": start.replace(hour=9),
            "ends_at": start.replace(hour=11),
            "setting": Activity.Setting.COMMUNITY,
        },
    )

    def plan(form: forms.PlanForm) -> Activity:
        data = form.plan_values()
        return services.activity_plan(
            actor=user, association=form.cleaned_data["association"], **data
        )

    return form_action(
        request,
        form,
        call=plan,
        done=lambda a: gettext("已登记活动计划：%(title)s。") % {"title": a.title},
        then=lambda a: ("activities:detail", a.pk),
        page=lambda: _form_page(request, form, gettext("登记活动计划")),
    )


def _initial(activity: Activity) -> dict[str, Any]:
    return {
        "association": activity.association_id,
        "title": activity.title,
        "category": activity.category_id,
        "theme": activity.theme_id,
        "setting": activity.setting,
        "campaign": activity.campaign_id,
        "starts_at": timezone.localtime(activity.starts_at),
        "ends_at": timezone.localtime(activity.ends_at),
        "site": activity.site_id,
        "place": activity.place,
        "co_organisers": list(activity.co_organisers.all()),
        "partners": activity.partners,
        "target_groups": activity.target_groups,
        "experts": list(activity.experts.all()),
        "public": activity.public,
        "risky": activity.risky,
        "cost": activity.cost,
    }


@scoped_view(capability="activity.edit", **ACTIVITY, as_="activity")
def activity_edit(request: HttpRequest, activity: Activity) -> HttpResponse:
    user = signed_in_user(request)
    form = _plan_form(request, user, activity, initial=_initial(activity))
    # The organiser is not changed here: another association's activity is a new plan.
    form.fields["association"].disabled = True
    version = _version(request)

    def save(form: forms.PlanForm) -> Activity:
        return services.activity_update(
            actor=user, activity=activity, version=version, **form.plan_values()
        )

    title = gettext("修改活动计划：%(title)s") % {"title": activity.title}
    return form_action(
        request,
        form,
        call=save,
        done=gettext("已保存。"),
        then=("activities:detail", activity.pk),
        page=lambda: _form_page(request, form, title, activity),
    )


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version") or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


# --- an activity's page -------------------------------------------------------------------------


@dataclass
class Steps:
    """What the user may do with an activity in its state, and why the rest is not offered."""

    edit: bool = False
    approve: bool = False
    hold: bool = False
    counts: bool = False
    summarise: bool = False
    cancel: bool = False
    media: bool = False
    volunteers: bool = False
    signin_open: bool = False
    signin_close: bool = False
    fund_link: bool = False
    waiting: str = ""  # why the activity cannot be held yet
    later: str = ""  # why the summary, counts and media wait
    signin_note: str = ""

    @property
    def any(self) -> bool:
        return any(
            (
                self.edit,
                self.approve,
                self.hold,
                self.counts,
                self.summarise,
                self.cancel,
                self.media,
                self.volunteers,
                self.signin_open,
                self.signin_close,
                self.fund_link,
            )
        )


def steps_for(user: User, activity: Activity, now: datetime.datetime | None = None) -> Steps:
    now = now or timezone.now()
    edit = user.has_capability("activity.edit")
    status = activity.status
    steps = Steps()
    steps.approve = (
        status == Activity.Status.PLANNED
        and user.has_capability("activity.approve")
        and services.above(user, activity.association)
    )
    if status == Activity.Status.CANCELLED:
        steps.waiting = gettext("活动已取消。")
        return steps
    steps.edit = edit
    steps.fund_link = may_link(user)
    if status in LIVE:
        needs_approval = status == Activity.Status.PLANNED and services.approval_required(
            activity.association
        )
        if needs_approval:
            steps.waiting = gettext("须经上级审批后才能开展。")
        elif activity.starts_at > now:
            steps.waiting = gettext("活动尚未开始，开始后才能登记开展情况。")
        steps.hold = edit and not steps.waiting
        steps.cancel = edit
        steps.later = gettext("活动开展后才能登记参加人数、写总结和登记媒体报道。")
    else:
        steps.counts = steps.summarise = steps.media = edit
    steps.volunteers = (
        edit and user.has_capability("volunteer.edit") and not activity.volunteer_service_id
    )
    if activity.signin_open:
        steps.signin_close = edit
    elif activity.ends_at < now:
        steps.signin_note = gettext("活动已结束，不能再开放签到。")
    else:
        steps.signin_open = edit
    return steps


def hold_initial(activity: Activity) -> dict[str, int]:
    """The hold form's default: the phone sign-ins, members as 会员 and the rest as 其他."""
    if not activity.signins_count:
        return {}
    return {k: v for k, v in selectors.signin_split(activity).items() if v}


@scoped_view(capability="activity.view", **ACTIVITY, as_="activity")
def activity_detail(request: HttpRequest, activity: Activity) -> HttpResponse:
    user = signed_in_user(request)
    activity = selectors.activity_detail(user=user, pk=activity.pk)
    steps = steps_for(user, activity)
    counts = {name: getattr(activity, name) for name in forms.COUNTS}
    context = {
        "activity": activity,
        "steps": steps,
        "hold_form": forms.HoldForm(risky=activity.risky, initial=hold_initial(activity))
        if steps.hold
        else None,
        "counts_form": forms.CountsForm(initial=counts) if steps.counts else None,
        "summary_form": forms.SummaryForm(
            initial={"summary": activity.summary, "highlight": activity.highlight}
        )
        if steps.summarise
        else None,
        "cancel_form": forms.CancelForm() if steps.cancel else None,
        "media_form": forms.MediaForm(initial={"published_on": timezone.localdate()})
        if steps.media
        else None,
        "volunteers_form": forms.VolunteersForm() if steps.volunteers else None,
        "fund_grant": selectors.fund_grant_of(user=user, activity=activity),
        "fund_form": forms.FundLinkForm(
            grants=selectors.linkable_grants(user=user, activity=activity),
            initial={"grant": activity.fund_grant_id},
        )
        if steps.fund_link
        else None,
        "scan_form": steps.media,
        "scan_accept": ACCEPT_DOCUMENTS,
        "groups": [(label, getattr(activity, name)) for name, label in forms.PARTICIPANT_GROUPS],
        "can_see_volunteers": user.has_capability("volunteer.view"),
        "can_edit": user.has_capability("activity.edit"),
        **photo_gallery_context(request, activity),
    }
    return render(request, "activities/activity_detail.html", context)
