"""The in-browser verifier's page (docs/ledger.md, "Verifying in a browser").

The page only carries the script (fpa/static/fpa/ledger/) and its translated messages; every check
runs in the visitor's browser on the public JSON of /ledger/ and the fund's data.json. The chart of
accounts (code -> name, the names data.json uses) is rendered into the page so the totals can be
matched by category; the fund's URL is resolved by name so the ledger does not import the fund.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from fpa.core.scope import public_view

_INDEX = re.compile(r"[0-9]{1,15}")
DATA_URL_PLACEHOLDER = "__code__"


def chart_of_accounts() -> dict[str, dict[str, str]]:
    """code -> {name, kind} of the care fund's accounts, empty when the fund app is absent."""
    try:
        account = apps.get_model("fund", "Account")
    except LookupError:
        return {}
    return {
        code: {"name": name, "kind": kind}
        for code, name, kind in account.objects.order_by("code").values_list("code", "name", "kind")
    }


def fund_data_url() -> str:
    """The fund's public data.json with a placeholder for the fund code, or "" without a fund."""
    try:
        return reverse("fund:public_data", kwargs={"code": DATA_URL_PLACEHOLDER})
    except NoReverseMatch:
        return ""


@public_view
@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    given = request.GET.get("entry", "").strip()
    entry = int(given) if _INDEX.fullmatch(given) else None
    context: dict[str, Any] = {
        "leaf_index": entry,
        "entry_given": given,
        "bad_entry": bool(given) and entry is None,
        "chart": chart_of_accounts(),
        "data_url": fund_data_url(),
    }
    return render(request, "transparency/verify.html", context)
