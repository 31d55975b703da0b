from __future__ import annotations

import functools
from collections.abc import Iterable
from html import escape as _esc
from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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


# The stylesheets and scripts of every page (base.html), in order: (kind, path, extra attributes).
PAGE_ASSETS = (
    ("css", "vendor/bootstrap/bootstrap.min.css", ""),
    ("css", "fpa/app.css", ""),
    ("css", "fpa/print.css", ' media="print"'),
    ("icon", "fpa/favicon.svg", ' type="image/svg+xml"'),
    ("js", "vendor/htmx/htmx.min.js", ""),
    ("js", "vendor/bootstrap/bootstrap.bundle.min.js", ""),
    ("js", "fpa/app.js", ""),
)


@functools.lru_cache(maxsize=8)
def _page_assets(static_url: str, storage: str) -> SafeString:
    lines = []
    for kind, path, extra in PAGE_ASSETS:
        url = escape(static(path))
        if kind == "js":
            lines.append(f'<script src="{url}"{extra} defer></script>')
        else:
            rel = "icon" if kind == "icon" else "stylesheet"
            lines.append(f'<link rel="{rel}" href="{url}"{extra}>')
    return mark_safe("\n  ".join(lines))  # noqa: S308 - static URLs, escaped


@register.simple_tag
def page_assets() -> SafeString:
    """`{% page_assets %}`: base.html's stylesheets and scripts, their (hashed) addresses looked
    up once per worker and static storage, not seven `{% static %}` per page."""
    return _page_assets(settings.STATIC_URL, str(settings.STORAGES["staticfiles"]))


@register.simple_tag(takes_context=True)
def language_form(context: template.Context) -> SafeString:
    """`{% language_form %}`: the footer's language choice (a form posting to set_language, back
    to this page), written in Python: every page has it, and as template nodes it cost about 600
    function calls a page."""
    request = context["request"]
    token = str(context.get("csrf_token") or get_token(request))  # the page's one token
    current = get_language()
    choices = "".join(
        f'<option value="{code}"{" selected" if code == current else ""}>{escape(name)}</option>'
        for code, name in settings.LANGUAGES
    )
    return mark_safe(  # noqa: S308 - every value below is escaped or a fixed text
        f'<form action="{escape(link("core:set_language"))}" method="post" class="d-inline">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">\n'
        f'    <input name="next" type="hidden" value="{escape(request.get_full_path())}">\n'
        '    <select name="language" class="form-select form-select-sm d-inline-block w-auto" '
        f'data-fpa-autosubmit aria-label="Language">{choices}</select>\n'
        '    <noscript><button class="btn btn-sm btn-outline-secondary">OK</button></noscript>\n'
        "  </form>"
    )


@register.simple_tag
def options(choices: Iterable[Any], selected: Any = "") -> SafeString:
    """`{% options areas area.code %}`: the `<option>`s of a filter, one per entry with `code` and
    `label` (or a (value, label) pair), the one whose value is `selected` marked so. Written in
    Python: a template loop cost ~70 function calls per option, and an area filter has dozens.
    `_esc` is the standard library's escape, which is what django.utils.html.escape calls after
    its lazy-string check (dozens of values per list page)."""
    chosen = "" if selected is None else str(selected)
    parts = []
    for choice in choices:
        value, label = (choice.code, choice.label) if hasattr(choice, "code") else choice
        value = str(value)
        mark = " selected" if value == chosen else ""
        path = getattr(choice, "path", "")
        if path:  # an association picker's option (fpa.organizations.pickers)
            mark += (
                f' data-path="{_esc(str(path))}" data-kind="{_esc(str(choice.kind))}"'
                f' data-search="{_esc(str(choice.search))}"'
            )
        parts.append(f'<option value="{_esc(value)}"{mark}>{_esc(str(label))}</option>')
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
