"""One person's enrolment (enrol, remove, report a claim), a family's insurance, the claims list
(filters, overdue, export) and a claim's page with its steps and documents."""

from __future__ import annotations

import datetime
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
from fpa.core import uploads
from fpa.core.actions import form_action, post_action
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.jobs import job_url
from fpa.core.reveal import reveal_response
from fpa.core.scope import load_in_scope, scoped_view
from fpa.families.models import Family
from fpa.insurance import forms, jobs, selectors, services
from fpa.insurance.excel import CLAIM_SHEET
from fpa.insurance.models import Claim, ClaimDocument, Enrolment, PolicyYear
from fpa.insurance.views.common import (
    AREA_KINDS,
    CLAIM,
    DOCUMENT,
    ENROLMENT,
    YEAR,
    area_of,
    form_page,
)
from fpa.organizations import selectors as org_selectors


def _subject(user: Any, source: str, id_number: str) -> dict[str, Any]:
    """The registry's person with this ID number inside the user's scope, or a refusal."""
    found = selectors.registry_person(user=user, source=source, id_number=id_number)
    if found is None:
        raise ServiceError(
            gettext("在您的管辖范围内没有找到该身份证号码的人员。"), field="id_number"
        )
    return found


@scoped_view(capability="insurance.edit", **YEAR, as_="policy_year")
def enrol(request: HttpRequest, policy_year: PolicyYear) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.EnrolForm(request.POST or None)

    def call(form: forms.EnrolForm) -> Enrolment:
        data = form.cleaned_data
        return services.enrolment_add(
            actor=user,
            policy_year=policy_year,
            covered_from=data.get("covered_from"),
            **_subject(user, data["source"], data["id_number"]),
        )

    return form_action(
        request,
        form,
        call=call,
        done=gettext("已参保。"),
        then=lambda enrolment: ("insurance:enrolment", enrolment.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("逐人参保：%(year)s") % {"year": policy_year},
            back=reverse("insurance:year", args=[policy_year.pk]),
        ),
    )


@scoped_view(capability="insurance.view", **ENROLMENT, as_="enrolment")
def enrolment(request: HttpRequest, enrolment: Enrolment) -> HttpResponse:
    user = signed_in_user(request)
    today = timezone.localdate()
    context = {
        "enrolment": enrolment,
        "claims": list(enrolment.claims.order_by("-event_on", "-id")),
        "in_force": enrolment.in_force_on(today),
        "can_edit": user.has_capability("insurance.edit"),
        "can_reveal": user.has_capability("personal.reveal"),
        "remove_form": forms.RemoveForm(
            initial={"removed_on": today, "version": enrolment.version}
        ),
    }
    return render(request, "insurance/enrolment.html", context)


@require_POST
@scoped_view(capability="insurance.edit", **ENROLMENT, as_="enrolment")
def remove(request: HttpRequest, enrolment: Enrolment) -> HttpResponse:
    form = forms.RemoveForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.enrolment_remove(
            actor=signed_in_user(request), enrolment=enrolment, **form.cleaned_data
        ),
        done=gettext("已退保。"),
        then=("insurance:enrolment", enrolment.pk),
        invalid=gettext("请填写退保日期和原因。"),
    )


@require_POST
@scoped_view(capability="insurance.view")
def enrolment_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The insured's full name or ID number: with a reason, audited. Loads its own object (its
    URL carries the field too)."""
    enrolment: Enrolment = load_in_scope(Enrolment, signed_in_user(request), pk=pk)
    return reveal_response(
        request,
        enrolment,
        field,
        allowed=("name", "id_number"),
        scope_path=enrolment.association.path,
    )


@scoped_view(capability="insurance.edit", **ENROLMENT, as_="enrolment")
def claim_new(request: HttpRequest, enrolment: Enrolment) -> HttpResponse:
    form = forms.ClaimForm(request.POST or None, initial={"event_on": timezone.localdate()})
    return form_action(
        request,
        form,
        call=lambda form: services.claim_report(
            actor=signed_in_user(request), enrolment=enrolment, **form.cleaned_data
        ),
        done=gettext("已报案。"),
        then=lambda claim: ("insurance:claim", claim.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("报案：%(name)s") % {"name": enrolment.name},
            back=reverse("insurance:enrolment", args=[enrolment.pk]),
            note=gettext("出险日期须在该人员的保障期间（%(start)s至%(end)s）内。")
            % {"start": enrolment.covered_from, "end": enrolment.covered_to},
        ),
    )


@scoped_view(capability="insurance.view", model=Family, as_="family")
def family(request: HttpRequest, family: Family) -> HttpResponse:
    """A special family's enrolments (every year) and claims, reached from the family's people."""
    user = signed_in_user(request)
    rows = list(selectors.enrolments_of(user=user, family_id=family.pk))
    claims = list(selectors.claims_of_family(user=user, family_id=family.pk))
    today = timezone.localdate()
    context = {
        "family": family,
        "rows": [{"enrolment": e, "in_force": e.in_force_on(today)} for e in rows],
        "claims": claims,
    }
    return render(request, "insurance/family.html", context)


def _claim_filters(request: HttpRequest) -> tuple[forms.ClaimFilterForm, Any, bool, str]:
    form = forms.ClaimFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area, foreign = area_of(request)
    figure, first, last = _figure_filter(request)
    filters = selectors.ClaimFilters(
        area=area,
        state=data.get("state") or "open",
        kind=data.get("kind", ""),
        year=data.get("year"),
        figure=figure,
        first=first,
        last=last,
    )
    return form, filters, foreign, data.get("sort", "")


def _figure_filter(request: HttpRequest) -> tuple[str, datetime.date | None, datetime.date | None]:
    """?figure=cases|amount&from=&to=: the claims behind a 暖心行动 report figure (click-through);
    ignored when malformed."""
    figure = request.GET.get("figure") or ""
    try:
        first = datetime.date.fromisoformat((request.GET.get("from") or "")[:10])
        last = datetime.date.fromisoformat((request.GET.get("to") or "")[:10])
    except ValueError:
        return "", None, None
    if figure not in ("cases", "amount") or first > last:
        return "", None, None
    return figure, first, last


@scoped_view(capability="insurance.view")
def claims(request: HttpRequest) -> HttpResponseBase:
    """The claims of the scope: state (open, overdue, ...), kind, year, area; sort; keyset pages;
    ?export=xlsx the same rows as a workbook job."""
    user = signed_in_user(request)
    form, filters, foreign, sort = _claim_filters(request)
    if request.GET.get("export") == "xlsx":
        if foreign:
            messages.error(request, gettext("所选协会不存在或不在您的管辖范围内。"))
            return redirect("insurance:claims")
        job = exports.start_export(
            kind=jobs.CLAIMS_EXPORT,
            actor=user,
            title=exports.export_title(CLAIM_SHEET),
            params={
                "code": filters.area.code if filters.area else "",
                "state": filters.state,
                "kind": filters.kind,
                "year": filters.year,
                "figure": filters.figure,
                "from": filters.first.isoformat() if filters.first else "",
                "to": filters.last.isoformat() if filters.last else "",
            },
        )
        return redirect(job_url(job))
    page = selectors.claim_page(
        user=user,
        filters=filters,
        sort=sort,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    days = selectors.overdue_days()
    today = timezone.localdate()
    context = {
        "form": form,
        "page": page,
        "area": filters.area,
        "foreign": foreign,
        "figure_filter": filters if filters.figure else None,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "overdue_days": days,
        "can_edit": user.has_capability("insurance.edit"),
        "today": today,
    }
    return render(request, "insurance/claims.html", context)


@scoped_view(capability="insurance.view", **CLAIM, as_="claim")
def claim(request: HttpRequest, claim: Claim) -> HttpResponse:
    user = signed_in_user(request)
    today = timezone.localdate()
    context = {
        "claim": claim,
        "enrolment": claim.enrolment,
        "documents": list(selectors.claim_documents(user=user, claim=claim)),
        "overdue": selectors.is_overdue(claim),
        "can_edit": user.has_capability("insurance.edit"),
        "can_reveal": user.has_capability("personal.reveal"),
        "submit_form": forms.SubmitForm(initial={"submitted_on": today, "version": claim.version}),
        "decide_form": forms.DecideForm(initial={"decided_on": today, "version": claim.version}),
        "close_form": forms.CloseForm(initial={"version": claim.version}),
        "document_form": forms.DocumentForm(),
        "accept": uploads.ACCEPT_DOCUMENTS,
    }
    return render(request, "insurance/claim.html", context)


def _step(request: HttpRequest, claim: Claim, form: Any, call: Any, done: str) -> HttpResponse:
    return post_action(
        request,
        form,
        call=call,
        done=done,
        then=("insurance:claim", claim.pk),
        invalid=gettext("请检查填写的内容。"),
    )


@require_POST
@scoped_view(capability="insurance.edit", **CLAIM, as_="claim")
def claim_submit(request: HttpRequest, claim: Claim) -> HttpResponse:
    user = signed_in_user(request)
    return _step(
        request,
        claim,
        forms.SubmitForm(request.POST),
        lambda form: services.claim_submit(actor=user, claim=claim, **form.cleaned_data),
        gettext("已登记提交保险公司。"),
    )


@require_POST
@scoped_view(capability="insurance.edit", **CLAIM, as_="claim")
def claim_decide(request: HttpRequest, claim: Claim) -> HttpResponse:
    user = signed_in_user(request)
    return _step(
        request,
        claim,
        forms.DecideForm(request.POST),
        lambda form: services.claim_decide(actor=user, claim=claim, **form.cleaned_data),
        gettext("已登记保险公司的答复。"),
    )


@require_POST
@scoped_view(capability="insurance.edit", **CLAIM, as_="claim")
def claim_close(request: HttpRequest, claim: Claim) -> HttpResponse:
    user = signed_in_user(request)
    return _step(
        request,
        claim,
        forms.CloseForm(request.POST),
        lambda form: services.claim_close(actor=user, claim=claim, **form.cleaned_data),
        gettext("已结案。"),
    )


@require_POST
@scoped_view(capability="insurance.edit", **CLAIM, as_="claim")
def document_add(request: HttpRequest, claim: Claim) -> HttpResponse:
    user = signed_in_user(request)
    return _step(
        request,
        claim,
        forms.DocumentForm(request.POST, request.FILES),
        lambda form: services.claim_document_add(
            actor=user, claim=claim, upload=form.cleaned_data["file"]
        ),
        gettext("已上传材料。"),
    )


@scoped_view(capability="insurance.view", **DOCUMENT, as_="document")
def document(request: HttpRequest, document: ClaimDocument) -> HttpResponseBase:
    """A claim's file, only in the claim's scope, as a download."""
    return uploads.file_response(
        document.file, content_type=document.content_type, filename=f"claim-{document.pk}"
    )


@require_POST
@scoped_view(capability="insurance.view")
def claim_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The claim's description (sensitive): with a reason, audited."""
    claim: Claim = load_in_scope(Claim, signed_in_user(request), pk=pk)
    return reveal_response(
        request, claim, field, allowed=("description",), scope_path=claim.association.path
    )
