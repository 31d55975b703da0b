"""The reveal view, once: one protected value in full, with a reason, the read audited.

Every module's reveal URL is `POST <record>/reveal/<field>/` answered by htmx with a fragment that
replaces the masked value. The module's view loads the record inside the user's scope
(`scoped_view(model=...)`), names the fields it allows, and calls `reveal_response`:

    return reveal_response(request, member, field, allowed=("id_number", "phone"),
                           scope_path=member.association.path)
"""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core.actors import actor_of
from fpa.core.errors import ServiceError
from fpa.core.services import protected_reveal


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看原因"), min_length=2, max_length=200)


def reveal_response(
    request: HttpRequest,
    obj: models.Model,
    field: str,
    *,
    allowed: Collection[str],
    scope_path: str,
    plain: Collection[str] = (),
    entitled: bool = False,
) -> HttpResponse:
    """The fragment with the full value, or a short refusal with its status (404 for a field that
    is not offered, 400 without a reason, 403 without the right). `plain` and `entitled` are
    passed to `protected_reveal`."""
    if field not in allowed:
        return HttpResponse(gettext("字段不存在。"), status=404)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(gettext("请填写查看原因。"), status=400)
    try:
        value = protected_reveal(
            actor=actor_of(request),
            obj=obj,
            field=field,
            reason=form.cleaned_data["reason"],
            scope_path=scope_path,
            plain_fields=tuple(plain),
            entitled=entitled,
        )
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "core/_revealed.html", {"value": value})
