"""Types shared by every module's annotations (no behaviour here).

- `Text`: a label given as a plain string or a lazy translation (`gettext_lazy`), as the page
  declarations (ExportPage, ImportPage, to-do kinds) take them at import time.
- `HtmxHttpRequest`: a request as django-htmx's middleware leaves it (`request.htmx`), for the
  views that answer htmx requests with a fragment.
- `ObjectLookup`: the keyword arguments of `scoped_view` that name how a view's object is loaded
  (`**FAMILY`-style constants of a views module).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db import models
from django.http import HttpRequest
from django.utils.functional import Promise
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:  # django-stubs names the lazy string type; at runtime it is a Promise
    from django.utils.functional import _StrPromise

    Text = str | _StrPromise
else:
    Text = str | Promise


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class ObjectLookup(TypedDict, total=False):
    model: type[models.Model]
    kwarg: str
    field: str
