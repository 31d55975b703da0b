"""Pages of the healthy-family creation: the list by year (filters, sort, Excel), a nomination's
page with the review, award, reopen and consent actions, the counts per township, the printed
award list, and the public list of named families (no sign-in)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action, post_action
from fpa.core.excel import exports
from fpa.core.jobs import job_url
from fpa.core.scope import public_view, scoped_view
from fpa.core.typing_aids import HtmxHttpRequest, ObjectLookup
from fpa.healthyfamilies import excel as healthy_excel
from fpa.healthyfamilies import forms, rules, selectors, services
from fpa.healthyfamilies import jobs as healthy_jobs
from fpa.healthyfamilies.models import Nomination
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

NOMINATION: ObjectLookup = {"model": Nomination}
AREA_KINDS = (
    Association.Kind.PROVINCE,
    Association.Kind.PREFECTURE,
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
)
Status = Nomination.Status


def _area(request: HttpRequest, user: User) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the user's subtree, and whether a code was given
    that is not in it (a forged or foreign code shows nothing, with a message)."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return None, False
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    return found, found is None


def _filters(request: HttpRequest) -> tuple[forms.FilterForm, dict[str, Any]]:
    """The list's filters; the year is this year until the user picks another (or all)."""
    params = request.GET.copy()
    if "year" not in params:
        params["year"] = str(timezone.localdate().year)
    form = forms.FilterForm(params)
    data = form.cleaned_data if form.is_valid() else {"year": timezone.localdate().year}
    return form, {
        "year": data.get("year"),
        "status": data.get("status") or "",
        "query": data.get("q") or "",
        "sort": data.get("sort") or "newest",
    }


def _year(request: HttpRequest) -> int:
    """?year= for the counts and the award list: one of the list's years, else this year."""
    this = timezone.localdate().year
    raw = (request.GET.get("year") or "").strip()
    return int(raw) if raw.isdigit() and int(raw) in rules.list_years(this) else this


# --- the list -------------------------------------------------------------------------------------


@scoped_view(capability="activity.view")
def nomination_list(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form, data = _filters(request)
    area, foreign = _area(request, user)
    page = selectors.nomination_list(
        user=user,
        association=area,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        **data,
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "year": data["year"],
        "can_edit": user.has_capability("activity.edit"),
    }
    template = "healthyfamilies/_rows.html" if request.htmx else "healthyfamilies/list.html"
    return render(request, template, context)


@scoped_view(capability="activity.view")
def export(request: HttpRequest) -> HttpResponse:
    """The list's rows as a workbook (a background job, then its page offers the file)."""
    user = signed_in_user(request)
    _form, data = _filters(request)
    area, foreign = _area(request, user)
    if foreign:
        messages.error(request, gettext("所选协会不存在或不在您的管辖范围内。"))
        return redirect("healthyfamilies:list")
    job = exports.start_export(
        kind=healthy_jobs.EXPORT,
        actor=user,
        title=exports.export_title(healthy_excel.NOMINATION_SHEET),
        params={
            "year": data["year"],
            "code": area.code if area is not None else "",
            "status": data["status"],
            "q": data["query"],
        },
    )
    return redirect(job_url(job))


@scoped_view(capability="activity.edit")
def nomination_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    villages = org_selectors.association_choices(user=user, kinds=(Association.Kind.VILLAGE,))
    text = selectors.current_consent()
    form = forms.NominationForm(
        request.POST or None,
        villages=villages,
        initial={"year": timezone.localdate().year, "consent_version": text and text.version},
    )
    return form_action(
        request,
        form,
        call=lambda form: services.nomination_create(actor=user, **form.cleaned_data),
        done=lambda n: gettext("已提名：%(name)s。") % {"name": n.household_name},
        then=lambda n: ("healthyfamilies:detail", n.pk),
        page=lambda: render(
            request,
            "healthyfamilies/form.html",
            {
                "form": _current_consent(form, text),
                "title": gettext("提名健康家庭"),
                "consent": text,
            },
        ),
    )


def _current_consent(form: forms.NominationForm, text: Any) -> forms.NominationForm:
    """A form sent back with a consent version that is no longer current offers the current
    text, unticked: the family must agree to that one (the service refused the old one)."""
    if form.is_bound and text is not None and form.data.get("consent_version") != str(text.version):
        data = QueryDict(mutable=True)
        data.update(form.data)
        data["consent_version"] = str(text.version)
        data.pop("publish_name", None)
        form.data = data
    return form


# --- one nomination -------------------------------------------------------------------------------


@scoped_view(capability="activity.view", **NOMINATION, as_="nomination")
def detail(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    user = signed_in_user(request)
    status = nomination.status
    can_edit = user.has_capability("activity.edit")
    context = {
        "n": nomination,
        "steps": selectors.nomination_steps(nomination=nomination),
        "can_edit": can_edit and status == Status.NOMINATED,
        "can_consent": can_edit,
        "consent_text": selectors.current_consent() if can_edit else None,
        "can_review": status == Status.NOMINATED
        and services.may_review(user, nomination.association),
        "can_award": status == Status.RECOMMENDED
        and services.may_award(user, nomination.association),
        "can_reopen": status == Status.NOT_RECOMMENDED
        and services.may_review(user, nomination.association),
    }
    return render(request, "healthyfamilies/detail.html", context)


@scoped_view(capability="activity.edit", **NOMINATION, as_="nomination")
def edit(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    initial = {
        "year": nomination.year,
        "household_name": nomination.household_name,
        "members_count": nomination.members_count,
        "address": nomination.address,
        "reason": nomination.reason,
        "version": nomination.version,
    }
    form = forms.EditForm(request.POST or None, initial=initial)
    user = signed_in_user(request)

    def save(form: forms.EditForm) -> Nomination:
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return services.nomination_update(
            actor=user, nomination=nomination, expected_version=version, **data
        )

    return form_action(
        request,
        form,
        call=save,
        done=gettext("已保存。"),
        then=("healthyfamilies:detail", nomination.pk),
        page=lambda: render(
            request,
            "healthyfamilies/form.html",
            {
                "form": form,
                "title": gettext("修改提名：%(name)s") % {"name": nomination.household_name},
                "nomination": nomination,
            },
        ),
    )


def _labelled_errors(form: Any) -> str:
    """A form's errors in one message, each after its field's label ("乡镇意见：…")."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}：" if field is not None and field.label else ""
        parts += [f"{label}{error}" for error in errors]
    return "；".join(parts)


def _inline(
    request: HttpRequest, nomination: Nomination, form: Any, call: Any, done: str
) -> HttpResponse:
    """An action form on the nomination's page: its outcome as a message, back to the page."""
    return post_action(
        request,
        form,
        call=call,
        done=done,
        then=("healthyfamilies:detail", nomination.pk),
        invalid=_labelled_errors,
    )


@require_POST
@scoped_view(capability="activity.approve", **NOMINATION, as_="nomination")
def review(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        nomination,
        forms.ReviewForm(request.POST),
        lambda form: services.nomination_review(
            actor=user, nomination=nomination, **form.cleaned_data
        ),
        gettext("已录入乡镇审核意见。"),
    )


@require_POST
@scoped_view(capability="activity.approve", **NOMINATION, as_="nomination")
def award(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        nomination,
        forms.AwardForm(request.POST),
        lambda form: services.nomination_award(
            actor=user, nomination=nomination, **form.cleaned_data
        ),
        gettext("已录入县级命名决定。"),
    )


@require_POST
@scoped_view(capability="activity.approve", **NOMINATION, as_="nomination")
def reopen(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        nomination,
        forms.ReopenForm(request.POST),
        lambda form: services.nomination_reopen(
            actor=user, nomination=nomination, **form.cleaned_data
        ),
        gettext("已重新打开提名，提名回到“已提名”，等待乡镇重新审核。"),
    )


@require_POST
@scoped_view(capability="activity.edit", **NOMINATION, as_="nomination")
def consent(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    user = signed_in_user(request)
    return _inline(
        request,
        nomination,
        forms.ConsentForm(request.POST),
        lambda form: services.nomination_set_consent(
            actor=user, nomination=nomination, **form.cleaned_data
        ),
        gettext("已更新公开户名的同意情况。"),
    )


# --- counts and the printed list ------------------------------------------------------------------


@scoped_view(capability="activity.view")
def counts(request: HttpRequest) -> HttpResponse:
    """Per township: the year's nominations by status (one grouped query)."""
    user = signed_in_user(request)
    year = _year(request)
    area, foreign = _area(request, user)
    table = selectors.township_counts(
        selectors.nominations_in(user=user, year=year, association=area)
    )
    if foreign:
        table = selectors.TownshipCounts(rows=[], totals={})
    context = {
        "year": year,
        "years": rules.list_years(timezone.localdate().year),
        "table": table,
        "statuses": Status.choices,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS[:-1]),
        "foreign": foreign,
    }
    return render(request, "healthyfamilies/counts.html", context)


@scoped_view(capability="activity.view")
def awards(request: HttpRequest) -> HttpResponse:
    """The year's named families, for printing on A4 (the names of families that did not agree
    to publication are marked: the list is for the office, not for the notice board)."""
    user = signed_in_user(request)
    year = _year(request)
    area, foreign = _area(request, user)
    rows = [] if foreign else selectors.awarded_list(user=user, year=year, association=area)
    context = {
        "year": year,
        "years": rules.list_years(timezone.localdate().year),
        "rows": rows,
        "area": area,
        "scope": area or user.home_association,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS[:-1]),
        "foreign": foreign,
    }
    return render(request, "healthyfamilies/awards.html", context)


# --- public ---------------------------------------------------------------------------------------


@public_view
@require_safe
def public_index(request: HttpRequest) -> HttpResponse:
    """The published lists: each county's years with named families."""
    return render(request, "healthyfamilies/public_index.html", {"lists": selectors.public_years()})


@public_view
@require_safe
def public_list(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """A county's named families of one year, with the count per township; a household's name
    only with its consent, and nothing about a family beyond its village."""
    county = selectors.public_county(code)
    if county is None or year not in rules.list_years(timezone.localdate().year):
        raise Http404(gettext("没有这份命名名单。"))
    context = {
        "county": county,
        "year": year,
        "entries": selectors.public_list(county=county, year=year),
        "table": selectors.township_counts(selectors.public_awarded(county=county, year=year)),
    }
    return render(request, "healthyfamilies/public_list.html", context)
