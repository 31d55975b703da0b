"""Filings (备案): list, missing, submit, review."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.organizations import forms, selectors, services
from fpa.organizations.models import Association, Filing
from fpa.organizations.views.common import ASSOCIATION, _form_page

# --- filings ----------------------------------------------------------------------------------


# Words people type in a shared link for the same filter (?status=pending is ?status=submitted).
STATUS_WORDS = {"pending": Filing.Status.SUBMITTED, "filed": Filing.Status.ACCEPTED}


@scoped_view(capability="org.view")
def filing_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = STATUS_WORDS.get(status, status)
    status = status if status in Filing.Status.values else ""
    to_review = request.GET.get("to_review") == "1"
    page = selectors.filing_list(
        user=signed_in_user(request),
        status=status,
        to_review=to_review,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(
        request,
        "organizations/filing_list.html",
        {"page": page, "status": status, "to_review": to_review, "statuses": Filing.Status.choices},
    )


@scoped_view(capability="org.view")
def filing_missing(request: HttpRequest) -> HttpResponse:
    page = selectors.filings_missing(
        user=signed_in_user(request),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(request, "organizations/filing_missing.html", {"page": page})


@scoped_view(capability="filing.submit", **ASSOCIATION, as_="association")
def filing_submit(request: HttpRequest, association: Association) -> HttpResponse:
    people = selectors.filing_candidates(user=signed_in_user(request), association=association)
    form = forms.FilingForm(request.POST or None, people=people)
    title = gettext("报送备案：%(name)s") % {"name": association.name}
    return form_action(
        request,
        form,
        call=lambda form: services.filing_submit(
            actor=signed_in_user(request),
            association=association,
            person=form.cleaned_data["person"],
            note=form.cleaned_data["note"],
        ),
        done=gettext("备案已报送上级协会。"),
        then=("organizations:detail", association.code),
        page=lambda: _form_page(request, form, title, association),
    )


@scoped_view(capability="filing.review", model=Filing, as_="filing")
def filing_review(request: HttpRequest, filing: Filing) -> HttpResponse:
    form = forms.FilingReviewForm(request.POST or None)

    def decide(form: forms.FilingReviewForm) -> Filing:
        if form.cleaned_data["decision"] == "accept":
            return services.filing_accept(actor=signed_in_user(request), filing=filing)
        return services.filing_return(
            actor=signed_in_user(request), filing=filing, reason=form.cleaned_data["return_reason"]
        )

    def refused(form: forms.FilingReviewForm, exc: ServiceError) -> None:
        exc.add_to(form)
        if filing.status != Filing.Status.SUBMITTED:  # the page no longer shows the form
            messages.error(request, exc.message)

    return form_action(
        request,
        form,
        call=decide,
        done=gettext("审核结果已保存。"),
        then="organizations:filing_list",
        page=lambda: render(
            request, "organizations/filing_review.html", {"form": form, "filing": filing}
        ),
        on_error=refused,
    )
