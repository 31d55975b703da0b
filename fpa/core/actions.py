"""The form view idioms, once: "form → service → message → redirect" (`form_action`, a form page)
and its inline variant on a list or a record's page (`post_action`, errors as messages).

    return form_action(
        request,
        form,
        call=lambda form: services.family_change_status(actor=request.user, family=family,
                                                         **form.cleaned_data),
        done=gettext("状态已变更，变更记录已保存。"),
        then=("families:detail", family.pk),
        page=lambda: _form_page(request, form, title, family),
    )

A POST with a valid form calls the service with the form. A `ServiceError` it raises goes onto
the form (on its field when the form has one, `ServiceError.add_to`) and the page is shown again;
otherwise the success message is added and the browser is redirected. A GET, an invalid form or a
refused call shows the page (`page` is called only then).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from fpa.core.errors import ServiceError

T = TypeVar("T")
Form = TypeVar("Form", bound=forms.BaseForm)

# Where to go after success: a URL or URL name, a (URL name, *args) tuple, or a function of the
# service's result returning either.
Target = str | tuple[Any, ...] | Callable[[Any], "str | tuple[Any, ...]"]


def form_action(
    request: HttpRequest,
    form: Form,
    *,
    call: Callable[[Form], T],
    done: str | Callable[[T], str],
    then: Target,
    page: Callable[[], HttpResponse],
    on_error: Callable[[Form, ServiceError], None] | None = None,
) -> HttpResponse:
    """Run `call(form)` for a valid POST; message and redirect on success, else `page()`.

    `on_error(form, exc)` replaces the default `exc.add_to(form)` where a view shows a service's
    refusal differently (e.g. with a link to the record that holds a duplicate number)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = call(form)
        except ServiceError as exc:
            (on_error or _add_to)(form, exc)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return _redirect(then(result) if callable(then) else then)
    return page()


def _add_to(form: forms.BaseForm, exc: ServiceError) -> None:
    exc.add_to(form)


def _redirect(target: str | tuple[Any, ...]) -> HttpResponse:
    if isinstance(target, tuple):
        return redirect(target[0], *target[1:])
    return redirect(target)


def post_action(
    request: HttpRequest,
    form: Form,
    *,
    call: Callable[[Form], T],
    done: str | Callable[[T], str] = "",
    then: str | tuple[Any, ...],
    invalid: str | Callable[[Form], str] = "",
) -> HttpResponse:
    """The inline form of a list or a record's page (a POST-only view): run `call(form)` for a
    valid form; the outcome is a message (`done` on success, the service's refusal, or `invalid`
    for a form that does not validate), and the browser always goes back to `then`."""
    if form.is_valid():
        try:
            result = call(form)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            message = done(result) if callable(done) else done
            if message:
                messages.success(request, message)
    else:
        message = invalid(form) if callable(invalid) else invalid
        if message:
            messages.error(request, message)
    return _redirect(then)


def form_errors(form: forms.BaseForm) -> str:
    """Every error of a form in one line, for a message."""
    return "；".join(str(e) for errors in form.errors.values() for e in errors)
