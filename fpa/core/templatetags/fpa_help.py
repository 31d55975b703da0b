"""`{% load fpa_help %}`: the navbar's help link and the forms' "怎么做" hint, both found from the
page's URL name (fpa.core.help)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from fpa.core import help

register = template.Library()


def _page(context: template.Context) -> tuple[str | None, bool]:
    """(URL name of the page, signed in): nothing on an error page that has no match."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    return (match.view_name if match else None), bool(user and user.is_authenticated)


@register.simple_tag(takes_context=True)
def help_url(context: template.Context) -> str:
    """`{% help_url %}`: the guide's section for this page, or the whole guide."""
    view_name, signed_in = _page(context)
    return help.help_url(view_name, signed_in=signed_in)


@register.inclusion_tag("includes/howto.html", takes_context=True)
def howto(context: template.Context, key: str = "") -> dict[str, Any]:
    """`{% howto %}` at the top of a form: the short hint registered for this page (or for
    `key`), ending with a link to its section of the guide; nothing when there is none."""
    view_name, signed_in = _page(context)
    name = key or view_name
    hint = help.howto_hints().get(name or "")
    if hint is None:
        return {"hint": None}
    heading = help.heading_for(name, signed_in=signed_in)
    # The guide is in Chinese only: its section's title is named on Chinese pages only.
    chinese = (get_language() or "zh").startswith("zh")
    return {
        "hint": hint,
        "url": heading.url if heading is not None else help.help_url(None, signed_in=signed_in),
        "title": heading.title if heading is not None and chinese else "",
    }
