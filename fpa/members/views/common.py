"""Helpers the member pages share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fpa.accounts.requests import signed_in_user
from fpa.core.typing_aids import ObjectLookup
from fpa.members import services
from fpa.members.models import Member
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

MEMBER: ObjectLookup = {"model": Member}
AREA_KINDS = (Association.Kind.COUNTY, Association.Kind.TOWNSHIP, *services.MEMBER_HOLDERS)


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


def _holders(user: User) -> QuerySet[Association]:
    return org_selectors.association_choices(user=user, kinds=services.MEMBER_HOLDERS)


def _may_decide(user: User, association: Association) -> bool:
    home = user.home_association
    return (
        user.has_capability("member.approve")
        and home is not None
        and home.pk in (association.pk, association.parent_id)
    )


def _may_reopen(user: User) -> bool:
    """Whether the user's level may reopen a refused application (the service checks again)."""
    home = user.home_association
    return (
        user.has_capability("member.approve")
        and home is not None
        and home.kind in services.REOPENERS
    )


def _form_page(
    request: HttpRequest, form: forms.Form, title: str, member: Member, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "member": member, **extra}
    return render(request, "members/form.html", context)
