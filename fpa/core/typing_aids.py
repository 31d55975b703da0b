"""Types shared by every module's annotations (no behaviour here).

- `Text`: a label given as a plain string or a lazy translation (`gettext_lazy`), as the page
  declarations (ExportPage, ImportPage, to-do kinds) take them at import time.
- `HtmxHttpRequest`: a request as django-htmx's middleware leaves it (`request.htmx`), for the
  views that answer htmx requests with a fragment.
- `CharFieldBase`, `TextFieldBase`: the bases of the project's own model fields.
- `ObjectLookup`: the keyword arguments of `scoped_view` that name how a view's object is loaded
  (`**FAMILY`-style constants of a views module).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models
from django.http import HttpRequest
from django.utils.functional import Promise
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:  # django-stubs names the lazy string type; at runtime it is a Promise
    from django.utils.functional import _StrPromise

    Text = str | _StrPromise
else:
    Text = str | Promise


# Bases for the project's own model fields: django-stubs types fields by (set, get) value, at
# runtime they are the plain classes.
if TYPE_CHECKING:
    CharFieldBase = models.CharField[Any, Any]
    TextFieldBase = models.TextField[Any, Any]
else:
    CharFieldBase = models.CharField
    TextFieldBase = models.TextField


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class ObjectLookup(TypedDict, total=False):
    model: type[models.Model]
    kwarg: str
    field: str
