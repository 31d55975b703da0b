from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fpa.core.forms import PICKER_ATTRS
from fpa.core.links import link
from fpa.core.masking import mask_name
from fpa.core.qr import qr_data_uri

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
        path = getattr(choice, "path", "")
        if path:  # an association picker's option (fpa.organizations.pickers)
            mark += (
                f' data-path="{escape(path)}" data-kind="{escape(choice.kind)}"'
                f' data-search="{escape(choice.search)}"'
            )
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


@register.simple_tag
def picker_attrs() -> SafeString:
    """`<select name="code" {% picker_attrs %}>`: the attributes that make a filter's <select>
    the association picker (fpa.core.forms.PICKER_ATTRS, app.js)."""
    parts = []
    for name, value in PICKER_ATTRS.items():
        parts.append(name if value is True else f'{name}="{escape(value)}"')
    return mark_safe(" ".join(parts))  # noqa: S308 (escaped above)


@register.filter
def masked_name(value: str | None) -> str:
    """A person's name as a list may show it beside a decision: 马秀英 -> 马** (the family's page,
    in scope, has the full name)."""
    return mask_name(value or "")


@register.simple_tag(takes_context=True)
def qr_src(context: template.Context, path: str) -> str:
    """`<img src="{% qr_src check_url %}">`: a QR code of this server's absolute URL for `path`
    (a printed paper's public check), as an inline SVG data URI (fpa.core.qr)."""
    request = context.get("request")
    url = request.build_absolute_uri(path) if request is not None else path
    return qr_data_uri(url)
