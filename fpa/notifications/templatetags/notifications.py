"""`{% unread_messages %}`: the navbar's unread figure (one indexed count; nothing for anonymous
visitors)."""

from __future__ import annotations

from typing import Any

from django import template

from fpa.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user=user)
