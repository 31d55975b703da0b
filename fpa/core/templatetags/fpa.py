from __future__ import annotations

from typing import Any

from django import template

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
