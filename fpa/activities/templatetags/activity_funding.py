"""`{% grant_activities grant as rows %}`: the activities paid by a care-fund grant that the
signed-in user may see, for the grant's page (`activities/grant_activities.html`)."""

from __future__ import annotations

from typing import Any

from django import template

from fpa.activities import selectors

register = template.Library()
LIMIT = 50


@register.simple_tag(takes_context=True)
def grant_activities(context: template.Context, grant: Any) -> list[Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(selectors.activities_of_grant(user=user, grant=grant)[:LIMIT])
