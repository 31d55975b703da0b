"""The migrant and enterprise pages: the list (filters, sort, counts, Excel export as a job), a
migrant's page (masked values with the audited reveal, family members, services, needs), the
forms, the import, the counts page; the enterprise-type associations' list, profile page, profile
form and 示范点 evaluations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core import transfers as transfer_engine
from fpa.core.actions import form_action, post_action
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.excel.pages import import_page
from fpa.core.jobs import job_url
from fpa.core.reveal import reveal_response
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest, ObjectLookup
from fpa.migrants import excel, forms, jobs, places, selectors, services
from fpa.migrants.models import PROFILE_KINDS, FamilyMember, Migrant, Need
from fpa.migrants.services.transfers import MIGRANTS
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

MIGRANT: ObjectLookup = {"model": Migrant}
REVEALABLE = ("name", "id_number", "phone", "address")
AREA_KINDS = (Association.Kind.TOWNSHIP, Association.Kind.VILLAGE, *PROFILE_KINDS)


def _area(request: HttpRequest, user: User) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope, and whether a foreign one was given."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return None, False
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    return found, found is None


def _filters(request: HttpRequest, user: User) -> tuple[Any, selectors.MigrantFilters, bool]:
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area, foreign = _area(request, user)
    employer_code = (data.get("employer") or "").strip()
    employer = None
    if employer_code:
        employer = selectors.employer_choices(user=user).filter(code=employer_code).first()
        foreign = foreign or employer is None
    status = data.get("status") or Migrant.Status.ACTIVE
    filters = selectors.MigrantFilters(
        association=area,
        direction=data.get("direction", ""),
        status="" if status == "all" else status,
        origin_province=data.get("origin", ""),
        arrived_from=data.get("arrived_from"),
        arrived_to=data.get("arrived_to"),
        employer=employer,
        id_number=(data.get("id_number") or "").strip(),
        departure_passed=data.get("departure") == "passed",
    )
    return form, filters, foreign


def _form_page(
    request: HttpRequest, form: Any, title: str, *, back: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, **extra}
    return render(request, "migrants/form.html", context)


def _back(migrant: Migrant) -> str:
    return reverse("migrants:detail", args=[migrant.pk])


# --- the list -------------------------------------------------------------------------------


@scoped_view(capability="migrant.view")
def migrant_list(request: HtmxHttpRequest) -> HttpResponseBase:
    """The list: filters, sort, keyset pages, the area's counts; ?export=xlsx the same rows as a
    masked workbook (a background job; POST with a reason: in full, audited)."""
    user = signed_in_user(request)
    form, filters, foreign = _filters(request, user)
    if request.GET.get("export") == "xlsx" or request.method == "POST":
        if foreign:
            messages.error(request, gettext("所选协会不存在或不在您的管辖范围内。"))
            return redirect("migrants:list")
        return _export(request, user, filters)
    sort = form.cleaned_data.get("sort", "") if form.is_bound and form.is_valid() else ""
    page = selectors.migrant_list(
        user=user,
        filters=filters,
        sort=sort,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    for migrant in page.items:
        migrant.origin_name = places.name_of(migrant.origin_code)
        migrant.destination_name = places.name_of(migrant.destination_code)
    context = {
        "form": form,
        "page": page,
        "foreign": foreign,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "counts": None
        if foreign
        else selectors.migrant_counts(user=user, root=filters.association),
        "can_edit": user.has_capability("migrant.edit"),
        "can_reveal": user.has_capability("personal.reveal"),
        "today": timezone.localdate(),
    }
    template = "migrants/_rows.html" if request.htmx else "migrants/list.html"
    return render(request, template, context)


def _export(request: HttpRequest, user: User, filters: selectors.MigrantFilters) -> HttpResponse:
    reveal, reason = False, ""
    if request.method == "POST":
        form = forms.RevealExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("请填写导出完整信息的原因。"))
            return redirect("migrants:list")
        reveal, reason = True, form.cleaned_data["reason"]
    try:
        job = exports.start_export(
            kind=jobs.EXPORT,
            actor=user,
            title=exports.export_title(excel.SHEET, reveal=reveal),
            params=jobs.filters_to_params(filters),
            reveal=reveal,
            reason=reason,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("migrants:list")
    return redirect(job_url(job))


@scoped_view(capability="migrant.view")
def counts(request: HttpRequest) -> HttpResponse:
    """In-register inflow and outflow per association of the area (?code=), each clicking
    through to the list."""
    user = signed_in_user(request)
    area, foreign = _area(request, user)
    context = {
        "area": area or user.home_association,
        "foreign": foreign,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "counts": None if foreign else selectors.migrant_counts(user=user, root=area),
    }
    return render(request, "migrants/counts.html", context)


# --- a migrant ------------------------------------------------------------------------------


@scoped_view(capability="migrant.edit")
def migrant_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.MigrantForm(
        request.POST or None,
        associations=selectors.holders(user=user),
        employers=selectors.employer_choices(user=user),
    )
    return form_action(
        request,
        form,
        call=lambda form: services.migrant_register(
            actor=user, association=form.cleaned_data["association"], **form.changes()
        ),
        done=gettext("已登记流动人口。"),
        then=lambda migrant: ("migrants:detail", migrant.pk),
        page=lambda: _form_page(
            request, form, gettext("登记流动人口"), back=reverse("migrants:list")
        ),
    )


@scoped_view(capability="migrant.view", **MIGRANT)
def detail(request: HttpRequest, pk: Migrant) -> HttpResponse:
    migrant, user = pk, signed_in_user(request)
    today = timezone.localdate()
    context = {
        "migrant": migrant,
        **selectors.migrant_detail(user=user, migrant=migrant),
        "origin_name": places.name_of(migrant.origin_code),
        "destination_name": places.name_of(migrant.destination_code),
        "departure_passed": migrant.departure_passed(today),
        "can_edit": user.has_capability("migrant.edit"),
        "can_reveal": user.has_capability("personal.reveal"),
        "need_form": forms.NeedUpdateForm(),
        "today": today,
        "transfers": transfer_engine.transfer_history(MIGRANTS, user=user, subject=migrant),
    }
    return render(request, "migrants/detail.html", context)


@require_POST
@scoped_view(capability="migrant.view", **MIGRANT, as_="migrant")
def reveal(request: HttpRequest, migrant: Migrant, field: str) -> HttpResponse:
    """One personal value in full, with a reason; audited (fpa.core.reveal)."""
    return reveal_response(
        request, migrant, field, allowed=REVEALABLE, scope_path=migrant.association.path
    )


@scoped_view(capability="migrant.edit", **MIGRANT, as_="migrant")
def edit(request: HttpRequest, migrant: Migrant) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.MigrantForm(
        request.POST or None,
        associations=selectors.holders(user=user),
        employers=selectors.employer_choices(user=user),
        migrant=migrant,
    )
    return form_action(
        request,
        form,
        call=lambda form: services.migrant_update(
            actor=user,
            migrant=migrant,
            version=form.cleaned_data["version"],
            association=form.cleaned_data["association"],
            **form.changes(),
        ),
        done=gettext("已保存。"),
        then=("migrants:detail", migrant.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("修改流动人口：%(name)s") % {"name": migrant.name},
            back=_back(migrant),
        ),
    )


@scoped_view(capability="migrant.edit", **MIGRANT, as_="migrant")
def status(request: HttpRequest, migrant: Migrant) -> HttpResponse:
    targets = tuple(services.TRANSITIONS.get(migrant.status, ()))
    form = forms.StatusForm(request.POST or None, migrant=migrant, targets=targets)
    return form_action(
        request,
        form,
        call=lambda form: services.migrant_change_status(
            actor=signed_in_user(request), migrant=migrant, **form.cleaned_data
        ),
        done=gettext("已变更状态。"),
        then=("migrants:detail", migrant.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("变更状态：%(name)s") % {"name": migrant.name},
            back=_back(migrant),
            note=gettext("现为“%(status)s”。离开须填写离开日期，注销须填写原因。")
            % {"status": migrant.get_status_display()},
        ),
    )


@scoped_view(capability="migrant.edit", **MIGRANT, as_="migrant")
def family_add(request: HttpRequest, migrant: Migrant) -> HttpResponse:
    form = forms.FamilyMemberForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.family_member_add(
            actor=signed_in_user(request), migrant=migrant, **form.cleaned_data
        ),
        done=gettext("已添加家庭成员。"),
        then=("migrants:detail", migrant.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("添加家庭成员：%(name)s") % {"name": migrant.name},
            back=_back(migrant),
        ),
    )


@require_POST
@scoped_view(capability="migrant.edit", model=FamilyMember, as_="member")
def family_remove(request: HttpRequest, member: FamilyMember) -> HttpResponse:
    migrant_id = member.migrant_id
    try:
        services.family_member_remove(actor=signed_in_user(request), member=member)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已删除家庭成员。"))
    return redirect("migrants:detail", migrant_id)


@scoped_view(capability="migrant.edit", **MIGRANT, as_="migrant")
def service_add(request: HttpRequest, migrant: Migrant) -> HttpResponse:
    form = forms.ServiceForm(request.POST or None, kinds=selectors.service_kinds())
    return form_action(
        request,
        form,
        call=lambda form: services.service_record(
            actor=signed_in_user(request), migrant=migrant, **form.cleaned_data
        ),
        done=gettext("已登记服务。"),
        then=("migrants:detail", migrant.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("登记服务：%(name)s") % {"name": migrant.name},
            back=_back(migrant),
        ),
    )


@scoped_view(capability="migrant.edit", **MIGRANT, as_="migrant")
def need_add(request: HttpRequest, migrant: Migrant) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.NeedForm(request.POST or None, owners=selectors.need_owners(user, migrant))
    return form_action(
        request,
        form,
        call=lambda form: services.need_raise(actor=user, migrant=migrant, **form.cleaned_data),
        done=gettext("已登记诉求。"),
        then=("migrants:detail", migrant.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("登记诉求：%(name)s") % {"name": migrant.name},
            back=_back(migrant),
        ),
    )


@require_POST
@scoped_view(capability="migrant.edit", model=Need, as_="need")
def need_update(request: HttpRequest, need: Need) -> HttpResponse:
    form = forms.NeedUpdateForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.need_update(
            actor=signed_in_user(request), need=need, **form.cleaned_data
        ),
        done=gettext("诉求状态已更新。"),
        then=("migrants:detail", need.migrant_id),
        invalid=gettext("请选择状态。"),
    )


@scoped_view(capability="migrant.edit")
def import_migrants(request: HttpRequest) -> HttpResponseBase:
    """GET the page (?download=template the blank workbook); POST a file: the dry run as a job;
    POST the token of a dry run: the commit as a job (all or nothing)."""
    return import_page(request, excel.IMPORT_PAGE)


# --- enterprise-type associations -----------------------------------------------------------


@scoped_view(capability="migrant.view")
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    demonstration = request.GET.get("demonstration") == "1"
    query = (request.GET.get("q") or "").strip()[:50]
    rows = list(
        selectors.profiled_associations(user=user, demonstration=demonstration, query=query)[:500]
    )
    context = {"rows": rows, "demonstration": demonstration, "q": query}
    return render(request, "migrants/enterprises.html", context)


@scoped_view(capability="migrant.view", model=Association, as_="association")
def enterprise_detail(request: HttpRequest, association: Association) -> HttpResponse:
    """An enterprise-type association's profile and figures. Any association in scope opens
    (its members, activities and migrants working there); only the enterprise types have a
    profile."""
    user = signed_in_user(request)
    profiled = association.kind in PROFILE_KINDS
    context = {
        "association": association,
        "profiled": profiled,
        "profile": selectors.profile_of(association) if profiled else None,
        "figures": selectors.profile_figures(user=user, association=association),
        "can_edit": profiled and user.has_capability("migrant.edit"),
    }
    return render(request, "migrants/enterprise.html", context)


@scoped_view(capability="migrant.edit", model=Association, as_="association")
def profile_edit(request: HttpRequest, association: Association) -> HttpResponse:
    user = signed_in_user(request)
    profile = selectors.profile_of(association)
    form = forms.ProfileForm(
        request.POST or None,
        branches=selectors.party_branch_choices(user=user),
        profile=profile,
    )

    def save(form: forms.ProfileForm) -> Any:
        if profile is None:
            return services.profile_create(
                actor=user, association=association, **form.data_for_service()
            )
        return services.profile_update(
            actor=user,
            profile=profile,
            version=form.cleaned_data["version"],
            **form.data_for_service(),
        )

    back = reverse("migrants:enterprise", args=[association.pk])
    return form_action(
        request,
        form,
        call=save,
        done=gettext("档案已保存。"),
        then=("migrants:enterprise", association.pk),
        page=lambda: _form_page(
            request, form, gettext("企业协会档案：%(name)s") % {"name": association.name}, back=back
        ),
    )


@scoped_view(capability="migrant.edit", model=Association, as_="association")
def evaluation_add(request: HttpRequest, association: Association) -> HttpResponse:
    profile = selectors.profile_of(association)
    form = forms.EvaluationForm(request.POST or None)

    def record(form: forms.EvaluationForm) -> Any:
        if profile is None:
            raise ServiceError(gettext("请先建立该协会的档案，并标记为流动人口示范点。"))
        return services.evaluation_record(
            actor=signed_in_user(request), profile=profile, **form.cleaned_data
        )

    return form_action(
        request,
        form,
        call=record,
        done=gettext("已登记示范点评估。"),
        then=("migrants:enterprise", association.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("登记示范点评估：%(name)s") % {"name": association.name},
            back=reverse("migrants:enterprise", args=[association.pk]),
            note=gettext("同一年度同一级别只登记一次。"),
        ),
    )
