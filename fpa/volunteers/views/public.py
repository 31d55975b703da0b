"""The public application with its code check, and the volunteer's own portal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from fpa.accounts.requests import signed_in_user
from fpa.core import ratelimit
from fpa.core.errors import ServiceError
from fpa.core.scope import public_view, scoped_view
from fpa.volunteers import forms, rules, selectors, services
from fpa.volunteers.views.common import APPLY_LIMIT, APPLY_WINDOW, VERIFY_LIMIT, VERIFY_WINDOW

# --- public ---------------------------------------------------------------------------------------


@public_view
def apply(request: HttpRequest) -> HttpResponse:
    """报名: no sign-in. Rate-limited per address, with a honeypot field, and the consent text
    in its current version, which the application records."""
    consent = selectors.current_consent()
    public = selectors.public_holders(services.HOLDERS)
    form = forms.ApplicationForm(
        request.POST or None, associations=public, initial={"consent_version": consent.version}
    )
    if request.method == "POST":
        if ratelimit.exceeded("volunteer-apply", limit=APPLY_LIMIT, window=APPLY_WINDOW):
            return render(
                request,
                "volunteers/apply.html",
                {"form": form, "consent": consent, "limited": True},
                status=429,
            )
        if form.is_bot():  # answered like a success, stored nowhere
            return render(request, "volunteers/applied.html", {"name": ""})
        if form.is_valid():
            data = dict(form.cleaned_data)
            for key in ("agree", "website"):
                data.pop(key)
            try:
                volunteer = services.volunteer_apply(actor=None, **data)
            except ServiceError as exc:
                exc.add_to(form, {"consent": "agree"})
            else:
                return render(
                    request,
                    "volunteers/applied.html",
                    {"name": volunteer.display_name, "association": volunteer.association},
                )
    return render(request, "volunteers/apply.html", {"form": form, "consent": consent})


@public_view
def verify(request: HttpRequest) -> HttpResponse:
    """The public check of a certificate: name, hours, star level and issuer, nothing else."""
    code = (request.GET.get("code") or "")[:64]
    context: dict[str, Any] = {"code": code}
    if code:
        if ratelimit.exceeded("volunteer-verify", limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
            return render(request, "volunteers/verify.html", {"limited": True}, status=429)
        found = selectors.certificate_verify(code)
        context.update(checked=True, found=found)
        if found:
            context["star_label"] = rules.star_label(found.stars)
    return render(request, "volunteers/verify.html", context)


# --- the volunteer's portal -----------------------------------------------------------------------


@scoped_view(capability="volunteer.portal")
def portal(request: HttpRequest) -> HttpResponse:
    data = selectors.portal(user=signed_in_user(request))
    volunteer = data["volunteer"]
    form = None
    if volunteer is not None:
        open_tasks = selectors.assignments_due(
            [a.pk for a in data["open_tasks"] if a.service.date <= data["today"]]
        )
        form = forms.SubmitHoursForm(request.POST or None, assignments=open_tasks)
        if request.method == "POST" and form.is_valid():
            try:
                services.hours_submit(
                    actor=signed_in_user(request),
                    assignment=form.cleaned_data["assignment"],
                    hours=form.cleaned_data["hours"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(request, gettext("已提交，待组织单位确认。"))
                return redirect("volunteers:portal")
    context = {**data, "form": form, "star_label": rules.star_label(data.get("stars", 0))}
    return render(request, "volunteers/portal.html", context)
