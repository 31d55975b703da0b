from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fpa.core.links import link
from fpa.core.masking import mask_name

register = template.Library()


@register.filter
def bs(field: Any) -> str:
    """Render a form field's widget with Bootstrap's classes (and the invalid state)."""
    css = "form-select" if field.widget_type == "select" else "form-control"
    if field.errors:
        css += " is-invalid"
    return str(field.as_widget(attrs={"class": css}))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag(name="link")
def link_tag(name: str) -> str:
    """`{% link "families:list" %}`: `{% url %}` for a URL without arguments, reversed once per
    worker (fpa.core.links)."""
    return link(name)


@register.simple_tag
def options(choices: Iterable[Any], selected: Any = "") -> SafeString:
    """`{% options areas area.code %}`: the `<option>`s of a filter, one per entry with `code` and
    `label` (or a (value, label) pair), the one whose value is `selected` marked so. Written in
    Python: a template loop cost ~70 function calls per option, and an area filter has dozens."""
    chosen = "" if selected is None else str(selected)
    parts = []
    for choice in choices:
        value, label = (choice.code, choice.label) if hasattr(choice, "code") else choice
        value = str(value)
        mark = " selected" if value == chosen else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


@register.filter
def masked_name(value: str | None) -> str:
    """A person's name as a list may show it beside a decision: 马秀英 -> 马** (the family's page,
    in scope, has the full name)."""
    return mask_name(value or "")
