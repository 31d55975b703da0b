"""What the insurance pages share: object lookups, the area of a filter, the form page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fpa.accounts.requests import signed_in_user
from fpa.core.typing_aids import ObjectLookup
from fpa.insurance.models import Claim, ClaimDocument, Enrolment, PolicyYear, Product
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

PRODUCT: ObjectLookup = {"model": Product}
YEAR: ObjectLookup = {"model": PolicyYear}
ENROLMENT: ObjectLookup = {"model": Enrolment}
CLAIM: ObjectLookup = {"model": Claim}
DOCUMENT: ObjectLookup = {"model": ClaimDocument}
AREA_KINDS = (Association.Kind.COUNTY, Association.Kind.TOWNSHIP, Association.Kind.VILLAGE)


def area_of(request: HttpRequest) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope (None without one), and whether a code
    was given that is not in the scope (the page then shows nothing and says so)."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return None, False
    user = signed_in_user(request)
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    return found, found is None


def form_page(
    request: HttpRequest, form: forms.BaseForm, title: str, *, back: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, **extra}
    return render(request, "insurance/form.html", context)
