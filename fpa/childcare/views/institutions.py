"""The registry of institutions: the list (filters, sort, figures per area, Excel), a new
institution, its page, changes, status, the contact's phone, recommendations and their outcome."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.childcare import excel, forms, selectors, services
from fpa.childcare.models import Institution, Recommendation
from fpa.childcare.views.common import (
    AREA_KINDS,
    INSTITUTION,
    RECOMMENDATION,
    area_of,
    form_page,
    holders,
)
from fpa.core.actions import form_action
from fpa.core.reveal import reveal_response
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest
from fpa.organizations import selectors as org_selectors

YES_NO = {"1": True, "0": False}


@scoped_view(capability="childcare.view")
def institution_list(request: HtmxHttpRequest) -> HttpResponseBase:
    """The list: filters, sort, keyset pages, the figures of the area in the header;
    ?export=xlsx the same rows as a workbook."""
    user = signed_in_user(request)
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area, foreign = area_of(request)
    filters = selectors.InstitutionFilters(
        association=area,
        status=data.get("status", ""),
        inclusive=YES_NO.get(data.get("inclusive", "")),
        with_problems=data.get("problems") == "open",
        kind=data.get("kind", ""),
        query=data.get("q", ""),
    )
    if request.GET.get("export") == "xlsx":
        if foreign:
            messages.error(request, gettext("所选协会不存在或不在您的管辖范围内。"))
            return redirect("childcare:list")
        return excel.institutions_export(user=user, filters=filters)
    page = selectors.institution_list(
        user=user,
        filters=filters,
        sort=data.get("sort", ""),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "figures": None if foreign else selectors.area_figures(user=user, association=area),
        "can_edit": user.has_capability("childcare.edit"),
        "today": timezone.localdate(),
    }
    template = "childcare/_rows.html" if request.htmx else "childcare/list.html"
    return render(request, template, context)


@scoped_view(capability="childcare.edit")
def institution_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.RegisterForm(request.POST or None, associations=holders(user))
    return form_action(
        request,
        form,
        call=lambda form: services.institution_register(actor=user, **form.cleaned_data),
        done=lambda institution: gettext("已登记托育机构：%(name)s。") % {"name": institution},
        then=lambda institution: ("childcare:detail", institution.pk),
        page=lambda: form_page(
            request, form, gettext("登记托育机构"), back=reverse("childcare:list")
        ),
    )


@scoped_view(capability="childcare.view", **INSTITUTION)
def detail(request: HttpRequest, pk: Institution) -> HttpResponse:
    institution, user = pk, signed_in_user(request)
    data = selectors.institution_detail(institution=institution)
    today = timezone.localdate()
    can_edit = user.has_capability("childcare.edit")
    problems = [
        {
            "problem": problem,
            "overdue": problem.is_overdue(today),
            "may_verify": problem.status == problem.Status.SUBMITTED
            and services.may_verify(user, problem),
        }
        for problem in data.pop("problems")
    ]
    context = {
        "institution": institution,
        **data,
        "problems": problems,
        "today": today,
        "can_edit": can_edit,
        "can_inspect": can_edit
        and user.home_association is not None
        and user.home_association.kind in services.INSPECTORS
        and institution.status != Institution.Status.CLOSED,
        "can_reveal": user.has_capability("personal.reveal"),
        "close_form": forms.CloseForm(initial={"on": today}),
        "return_form": forms.ReturnForm(),
    }
    return render(request, "childcare/detail.html", context)


@require_POST
@scoped_view(capability="childcare.view", **INSTITUTION, as_="institution")
def reveal(request: HttpRequest, institution: Institution, field: str) -> HttpResponse:
    """The contact's full phone number: with a reason, audited."""
    return reveal_response(
        request, institution, field, allowed=("phone",), scope_path=institution.association.path
    )


@scoped_view(capability="childcare.edit", **INSTITUTION, as_="institution")
def edit(request: HttpRequest, institution: Institution) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.EditForm(request.POST or None, associations=holders(user), institution=institution)
    return form_action(
        request,
        form,
        call=lambda form: services.institution_update(
            actor=user,
            institution=institution,
            version=form.cleaned_data["version"],
            **form.changes(),
        ),
        done=gettext("已保存。"),
        then=("childcare:detail", institution.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("修改托育机构：%(name)s") % {"name": institution.name},
            back=reverse("childcare:detail", args=[institution.pk]),
        ),
    )


@scoped_view(capability="childcare.edit", **INSTITUTION, as_="institution")
def status(request: HttpRequest, institution: Institution) -> HttpResponse:
    form = forms.StatusForm(request.POST or None, institution=institution)
    return form_action(
        request,
        form,
        call=lambda form: services.institution_change_status(
            actor=signed_in_user(request), institution=institution, **form.cleaned_data
        ),
        done=gettext("已变更状态。"),
        then=("childcare:detail", institution.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("变更状态：%(name)s") % {"name": institution.name},
            back=reverse("childcare:detail", args=[institution.pk]),
            note=gettext("现为“%(status)s”。") % {"status": institution.get_status_display()},
        ),
    )


@scoped_view(capability="childcare.edit", **INSTITUTION, as_="institution")
def recommend(request: HttpRequest, institution: Institution) -> HttpResponse:
    form = forms.RecommendForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.recommendation_create(
            actor=signed_in_user(request), institution=institution, **form.cleaned_data
        ),
        done=gettext("已登记示范推荐。"),
        then=("childcare:detail", institution.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("推荐参加示范托育机构评审：%(name)s") % {"name": institution.name},
            back=reverse("childcare:detail", args=[institution.pk]),
            note=gettext("同一机构同一年度同一级别只能有一条待评审的推荐。"),
        ),
    )


@scoped_view(capability="childcare.edit", **RECOMMENDATION, as_="recommendation")
def outcome(request: HttpRequest, recommendation: Recommendation) -> HttpResponse:
    form = forms.OutcomeForm(request.POST or None, initial={"version": recommendation.version})
    institution = recommendation.institution
    return form_action(
        request,
        form,
        call=lambda form: services.recommendation_decide(
            actor=signed_in_user(request), recommendation=recommendation, **form.cleaned_data
        ),
        done=gettext("已登记评审结果。"),
        then=("childcare:detail", institution.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("登记评审结果：%(name)s %(year)s年%(level)s示范")
            % {
                "name": institution.name,
                "year": recommendation.year,
                "level": recommendation.get_level_display(),
            },
            back=reverse("childcare:detail", args=[institution.pk]),
            confirm=gettext("评审结果只能登记一次，登记后不能修改。确定登记吗？"),
        ),
    )
