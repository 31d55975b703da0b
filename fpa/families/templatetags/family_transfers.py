"""`{% family_transfers family %}`: the family page's panel of its transfers between associations
(one query), as the signed-in user may see them (both ends of each transfer)."""

from __future__ import annotations

from typing import Any

from django import template

from fpa.core import transfers as engine
from fpa.families.models import Family
from fpa.families.services.transfers import FAMILIES

register = template.Library()


@register.inclusion_tag("core/_transfer_history.html", takes_context=True)
def family_transfers(context: template.Context, family: Family) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    found = engine.transfer_history(FAMILIES, user=user, subject=family) if user else []
    return {"transfers": found, "detail_url": "families:transfer_detail"}
