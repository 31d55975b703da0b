"""Helpers the volunteer pages share: the holders a form offers, the scoped list, one action."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fpa.core.actions import form_action
from fpa.core.typing_aids import ObjectLookup
from fpa.organizations import selectors as org_selectors
from fpa.volunteers import services
from fpa.volunteers.models import (
    Volunteer,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.organizations.models import Association

VOLUNTEER: ObjectLookup = {"model": Volunteer}
APPLY_LIMIT = 5  # applications per address per hour
APPLY_WINDOW = 3600
VERIFY_LIMIT = 30  # code checks per address per 10 minutes
VERIFY_WINDOW = 600
PROTECTED = ("id_number", "phone", "guardian_phone")


def _holders(user: User) -> QuerySet[Association]:
    return org_selectors.association_choices(user=user, kinds=services.HOLDERS)


def _may_reopen(user: User) -> bool:
    """Whether the user's level may reopen a refused vetting (the service checks it again)."""
    home = user.home_association
    return (
        user.has_capability("volunteer.edit")
        and home is not None
        and home.kind in services.REOPENERS
    )


def _page(
    request: HttpRequest,
    form: forms.BaseForm,
    title: str,
    volunteer: Volunteer | None = None,
    **extra: Any,
) -> HttpResponse:
    context = {"form": form, "title": title, "volunteer": volunteer, **extra}
    return render(request, "volunteers/form.html", context)


def _action(
    request: HttpRequest,
    volunteer: Volunteer,
    form: forms.BaseForm,
    title: str,
    call: Callable[[dict[str, Any]], object],
    done: str,
    note: str = "",
) -> HttpResponse:
    """One step of a volunteer's record on its own page (fpa.core.actions.form_action)."""
    return form_action(
        request,
        form,
        call=lambda form: call(form.cleaned_data),
        done=done,
        then=("volunteers:detail", volunteer.pk),
        page=lambda: _page(request, form, title, volunteer, note=note),
    )
