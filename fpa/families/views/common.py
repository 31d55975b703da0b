"""Helpers the family pages share: the chosen area, the accounts and owners a form may offer, the
form page of one family."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import pgettext_lazy

from fpa.accounts.requests import signed_in_user
from fpa.core.typing_aids import ObjectLookup
from fpa.families.models import (
    Family,
    Person,
)
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

FAMILY: ObjectLookup = {"model": Family}
LIST_LIMIT = 500  # overdue, roster and campaign lists: bounded, with a note when cut
AREA_KINDS = (
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
    Association.Kind.MIGRANT,
)
# measure -> (label of the families that have it, label of those that do not)
MEASURES = {
    "with_contacts": (
        pgettext_lazy("measure", "已落实联系人"),
        pgettext_lazy("measure", "未落实联系人"),
    ),
    "with_doctor": (
        pgettext_lazy("measure", "已签约家庭医生"),
        pgettext_lazy("measure", "未签约家庭医生"),
    ),
    "with_green_channel": (
        pgettext_lazy("measure", "已开通就医绿色通道"),
        pgettext_lazy("measure", "未开通就医绿色通道"),
    ),
    "insured": (pgettext_lazy("measure", "已参加保险"), pgettext_lazy("measure", "未参加保险")),
    "on_schedule": (
        pgettext_lazy("measure", "按计划联系走访"),
        pgettext_lazy("measure", "未按计划联系走访"),
    ),
    "open_needs": (
        pgettext_lazy("measure", "有未办结诉求"),
        pgettext_lazy("measure", "无未办结诉求"),
    ),
}
ROLE_ORDER = {Person.Role.MOTHER: 0, Person.Role.FATHER: 1, Person.Role.CHILD: 2}


# --- helpers ----------------------------------------------------------------------------------


def _area(request: HttpRequest) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope (or the user's own), and whether a code
    was given that is not in the scope."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return signed_in_user(request).home_association, False
    found = (
        org_selectors.association_choices(user=signed_in_user(request)).filter(code=code).first()
    )
    return found, found is None


def _areas(user: User) -> org_selectors.AreaOptions:
    return org_selectors.area_options(user=user, kinds=AREA_KINDS)


def _form_page(
    request: HttpRequest, form: forms.Form, title: str, family: Family, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "family": family, **extra}
    return render(request, "families/form.html", context)
