"""The cases: the list (filters, sort, overdue, Excel), receiving one, its page and its receipt,
corrections, and each step (refer, follow up, close, satisfaction, reopen)."""

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

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action
from fpa.core.errors import ServiceError
from fpa.core.reveal import reveal_response
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest
from fpa.families.models import Family
from fpa.organizations import selectors as org_selectors
from fpa.rights import excel, forms, selectors, services
from fpa.rights.models import Case
from fpa.rights.views.common import AREA_KINDS, CASE, area_of, form_page, receivers

YES_NO = {"1": True, "0": False}
REVEALABLE = ("person_name", "phone", "id_number", "claim")


def _filters(request: HttpRequest, data: dict[str, Any], area: Any) -> selectors.CaseFilters:
    user = signed_in_user(request)
    return selectors.CaseFilters(
        association=area,
        here=user.home_association if data.get("here") == "1" else None,
        status=data.get("status", ""),
        kind=data.get("kind", ""),
        overdue=data.get("overdue") == "1",
        received_from=data.get("received_from"),
        received_to=data.get("received_to"),
        closed_from=data.get("closed_from"),
        closed_to=data.get("closed_to"),
        on_time=YES_NO.get(data.get("on_time", "")),
        satisfaction=data.get("satisfaction", ""),
        family=data.get("family"),
    )


@scoped_view(capability="rights.view")
def case_list(request: HtmxHttpRequest) -> HttpResponseBase:
    """The list: filters, sort, keyset pages; ?export=xlsx the same rows as a workbook."""
    user = signed_in_user(request)
    form = forms.FilterForm(request.GET or None, kinds=selectors.kinds())
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    invalid = form.is_bound and not form.is_valid()
    area, foreign = area_of(request)
    filters = _filters(request, data, area)
    if request.GET.get("export") == "xlsx":
        if foreign or invalid:
            messages.error(request, gettext("筛选条件有误，未导出。"))
            return redirect("rights:list")
        return excel.cases_export(user=user, filters=filters)
    page = selectors.case_list(
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
        "invalid": invalid,
        "page": page,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "can_edit": user.has_capability("rights.edit"),
        "today": timezone.localdate(),
    }
    template = "rights/_rows.html" if request.htmx else "rights/list.html"
    return render(request, template, context)


def _family_from(request: HttpRequest, value: Any) -> Family | None:
    """The family of the ?family= or the posted number, inside the scope (None if not)."""
    return selectors.family_in_scope(user=signed_in_user(request), pk=value)


@scoped_view(capability="rights.edit")
def receive(request: HttpRequest) -> HttpResponse:
    """受理: the form; a family's cases page opens it with ?family= filled in."""
    user = signed_in_user(request)
    family = _family_from(request, request.GET.get("family"))
    initial: dict[str, Any] = {"association": user.home_association_id}
    if family is not None:
        initial.update(family=family.pk, person_name="")
    form = forms.ReceiveForm(
        request.POST or None,
        initial=initial,
        associations=receivers(user),
        kinds=selectors.kinds(active_only=True),
    )

    def call(form: forms.ReceiveForm) -> Case:
        data = dict(form.cleaned_data)
        number = data.pop("family")
        found = _family_from(request, number) if number else None
        if number and found is None:
            raise ServiceError(
                gettext("该家庭不存在或不在您的管辖范围内。"), field="family", code="forbidden"
            )
        return services.case_receive(actor=user, family=found, **data)

    return form_action(
        request,
        form,
        call=call,
        done=lambda case: gettext("已受理，案件编号 %(number)s。") % {"number": case.number},
        then=lambda case: ("rights:detail", case.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("受理权益维护诉求"),
            back=reverse("rights:list"),
            note=gettext("为计生特殊家庭“%(family)s”受理。") % {"family": family}
            if family is not None
            else "",
        ),
    )


@scoped_view(capability="rights.view", **CASE, as_="case")
def detail(request: HttpRequest, case: Case) -> HttpResponse:
    user = signed_in_user(request)
    today = timezone.localdate()
    can_edit = user.has_capability("rights.edit")
    context = {
        "case": case,
        "steps": selectors.case_steps(case=case),
        "today": today,
        "overdue": case.is_overdue(today),
        "can_edit": can_edit,
        "can_reveal": user.has_capability("personal.reveal"),
        "follow_up_form": forms.FollowUpForm(initial={"version": case.version}),
        "rate_form": forms.RateForm(initial={"version": case.version}),
    }
    return render(request, "rights/detail.html", context)


@scoped_view(capability="rights.view", **CASE, as_="case")
def receipt(request: HttpRequest, case: Case) -> HttpResponse:
    """受理回执: one A4 page for the person, with the case number and the deadline; the claim
    itself is not printed (sensitive)."""
    return render(request, "rights/receipt.html", {"case": case, "today": timezone.localdate()})


@require_POST
@scoped_view(capability="rights.view", **CASE, as_="case")
def reveal(request: HttpRequest, case: Case, field: str) -> HttpResponse:
    """A protected value in full: with a reason, audited."""
    return reveal_response(
        request, case, field, allowed=REVEALABLE, scope_path=case.association.path
    )


@scoped_view(capability="rights.edit", **CASE, as_="case")
def edit(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.EditForm(request.POST or None, case=case)
    return form_action(
        request,
        form,
        call=lambda form: services.case_update(
            actor=signed_in_user(request),
            case=case,
            version=form.cleaned_data["version"],
            **form.changes(),
        ),
        done=gettext("已保存。"),
        then=("rights:detail", case.pk),
        page=lambda: _step_page(request, case, form, gettext("修改案件")),
    )


def _step_page(
    request: HttpRequest, case: Case, form: Any, title: str, note: str = "", confirm: str = ""
) -> Any:
    """A step's form page; `confirm`: what the browser asks before a step that cannot be undone."""
    if case.is_closed and not isinstance(form, forms.RateForm | forms.ReopenForm):
        messages.info(request, gettext("已办结的案件不能修改；当事人不满意的，可以重新办理。"))
    return form_page(
        request,
        form,
        f"{title}：{case.number}",
        back=reverse("rights:detail", args=[case.pk]),
        note=note,
        case=case,
        confirm=confirm,
    )


@scoped_view(capability="rights.edit", **CASE, as_="case")
def refer(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.ReferForm(request.POST or None, initial={"version": case.version})
    return form_action(
        request,
        form,
        call=lambda form: services.case_refer(
            actor=signed_in_user(request), case=case, **form.cleaned_data
        ),
        done=gettext("已登记转办。"),
        then=("rights:detail", case.pk),
        page=lambda: _step_page(request, case, form, gettext("转办")),
    )


@scoped_view(capability="rights.edit", **CASE, as_="case")
def follow_up(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.FollowUpForm(request.POST or None, initial={"version": case.version})
    return form_action(
        request,
        form,
        call=lambda form: services.case_follow_up(
            actor=signed_in_user(request), case=case, **form.cleaned_data
        ),
        done=gettext("已登记跟进情况。"),
        then=("rights:detail", case.pk),
        page=lambda: _step_page(request, case, form, gettext("登记跟进")),
    )


@scoped_view(capability="rights.edit", **CASE, as_="case")
def close(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.CloseForm(request.POST or None, initial={"version": case.version})
    return form_action(
        request,
        form,
        call=lambda form: services.case_close(
            actor=signed_in_user(request), case=case, **form.cleaned_data
        ),
        done=gettext("已办结。请回访当事人并登记满意度。"),
        then=("rights:detail", case.pk),
        page=lambda: _step_page(
            request,
            case,
            form,
            gettext("办结"),
            gettext("办理期限 %(day)s。") % {"day": case.deadline.isoformat()},
            confirm=gettext(
                "办结后案件不能再修改或转办；请随后回访当事人并登记满意度，"
                "当事人不满意的可以重新办理。确定办结吗？"
            ),
        ),
    )


@scoped_view(capability="rights.edit", **CASE, as_="case")
def rate(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.RateForm(request.POST or None, initial={"version": case.version})
    return form_action(
        request,
        form,
        call=lambda form: services.case_rate(
            actor=signed_in_user(request), case=case, **form.cleaned_data
        ),
        done=gettext("已登记满意度。"),
        then=("rights:detail", case.pk),
        page=lambda: _step_page(request, case, form, gettext("满意度回访")),
    )


@scoped_view(capability="rights.edit", **CASE, as_="case")
def reopen(request: HttpRequest, case: Case) -> HttpResponse:
    form = forms.ReopenForm(request.POST or None, initial={"version": case.version})
    return form_action(
        request,
        form,
        call=lambda form: services.case_reopen(
            actor=signed_in_user(request), case=case, **form.cleaned_data
        ),
        done=gettext("已重新办理。"),
        then=("rights:detail", case.pk),
        page=lambda: _step_page(
            request,
            case,
            form,
            gettext("重新办理"),
            confirm=gettext(
                "重新办理后案件回到办理中，原办理结果和满意度清空（保留在办理过程和审计记录中），"
                "并按新的期限办理。确定重新办理吗？"
            ),
        ),
    )
