"""Helpers the rights pages share: the object lookups, the area of a filter, the form page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fpa.accounts.requests import signed_in_user
from fpa.core.typing_aids import ObjectLookup
from fpa.families.models import Family
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.rights import services
from fpa.rights.models import Case

if TYPE_CHECKING:
    from fpa.accounts.models import User

CASE: ObjectLookup = {"model": Case}
FAMILY: ObjectLookup = {"model": Family}
AREA_KINDS = services.RECEIVERS


def receivers(user: User) -> QuerySet[Association]:
    return org_selectors.association_choices(user=user, kinds=services.RECEIVERS)


def area_of(request: HttpRequest) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope (None without one), and whether a code
    was given that is not in the scope (the page then shows nothing and says so)."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return None, False
    found = (
        org_selectors.association_choices(user=signed_in_user(request)).filter(code=code).first()
    )
    return found, found is None


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    title: str,
    *,
    back: str,
    **extra: Any,
) -> HttpResponse:
    """The one form page of the module: the form, a note, and where 取消 goes."""
    context = {"form": form, "title": title, "back": back, **extra}
    return render(request, "rights/form.html", context)
