"""What the network's pages share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fpa.core.typing_aids import ObjectLookup
from fpa.organizations.models import Association

ASSOCIATION: ObjectLookup = {"model": Association, "kwarg": "code", "field": "code"}


def _form_page(
    request: HttpRequest, form: Any, title: str, association: Association, confirm: str = ""
) -> HttpResponse:
    """The form page of the network's actions (organizations/form.html); `confirm` asks before a
    decision that cannot be taken back."""
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": title, "association": association, "confirm": confirm},
    )
