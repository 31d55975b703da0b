"""Phone sign-in (签到): the organiser's QR page (the A4 poster, the live count, the masked list)
and the public sign-in page that the QR code opens (no account, rate-limited per address, with a
honeypot field and the consent text).

A forged or unknown code is a 404 page in Chinese; a closed or ended sign-in says so and counts
nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.forms.signin import SigninForm
from fpa.activities.models import Activity
from fpa.activities.services.signins import CONSENT_PURPOSE, closed_message
from fpa.core import consent, ratelimit
from fpa.core.errors import ServiceError
from fpa.core.pagination import keyset_page
from fpa.core.scope import public_view, scoped_view

# Sign-ins per address: phones at one venue often share one address (the venue's Wi-Fi, a
# carrier's NAT), so the limit is generous; an operator may change it in the settings.
SIGNIN_LIMIT = 60
SIGNIN_WINDOW = 300
ACTIVITY: dict[str, Any] = {"model": Activity, "as_": "activity"}


def _limit() -> tuple[int, int]:
    limit = getattr(settings, "FPA_SIGNIN_RATE_LIMIT", (SIGNIN_LIMIT, SIGNIN_WINDOW))
    return int(limit[0]), int(limit[1])


# --- the organiser's page -------------------------------------------------------------------------


@scoped_view(capability="activity.edit", **ACTIVITY)
@require_safe
def signin_qr(request: HttpRequest, activity: Activity) -> HttpResponse:
    """The QR poster (printable on A4), the live count and the sign-ins, names and phones
    masked: the page may be shown to the room."""
    user = signed_in_user(request)
    page = keyset_page(
        selectors.signins(user=user, activity=activity),
        key="id",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=100,
        descending=True,
    )
    path = reverse("activities:signin", args=[activity.signin_code]) if activity.signin_code else ""
    context: dict[str, Any] = {
        "activity": activity,
        "accepting": activity.signin_accepting(),
        "ended": activity.ends_at < timezone.now(),
        "signin_path": path,
        "signin_url": request.build_absolute_uri(path) if path else "",
        "page": page,
        "split": selectors.signin_split(activity),
    }
    return render(request, "activities/signin_qr.html", context)


@scoped_view(capability="activity.edit", **ACTIVITY)
@require_safe
def signin_count(request: HttpRequest, activity: Activity) -> HttpResponse:
    """The count, polled by the QR page every 5 seconds while sign-in is open."""
    context = {"activity": activity, "accepting": activity.signin_accepting()}
    return render(request, "activities/signin_count.html", context)


# --- the public sign-in -------------------------------------------------------------------------


def _consent_or_none() -> Any:
    try:
        return consent.current(CONSENT_PURPOSE)
    except ServiceError:
        return None


def _form_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "activities/signin_form.html", context, status=status)


def _unknown(request: HttpRequest) -> HttpResponse:
    return render(request, "activities/signin_unknown.html", status=404)


@public_view
def signin(request: HttpRequest, code: str) -> HttpResponse:
    """The page a participant's phone opens from the QR code: the activity's title, time and
    place (no personal data), and the sign-in form."""
    activity = selectors.signin_activity(code)
    if activity is None:
        return _unknown(request)
    text = _consent_or_none()
    form = SigninForm(
        request.POST or None, initial={"consent_version": text.version if text else None}
    )
    context: dict[str, Any] = {"activity": activity, "form": form, "consent": text}
    if not activity.signin_accepting():
        context["closed"] = closed_message(activity)
    if request.method != "POST" or text is None:
        return _form_page(request, context)
    limit, window = _limit()
    if ratelimit.exceeded("activity-signin", limit=limit, window=window):
        return _form_page(request, {**context, "limited": True}, status=429)
    if "closed" in context:
        return _form_page(request, context, status=409)
    if form.is_bot():  # answered like a success, stored nowhere
        return render(request, "activities/signin_done.html", {"activity": activity})
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.signin_submit(
                code=code,
                name=data["name"],
                phone=data["phone"],
                card=data["card"],
                consent_version=data["consent_version"],
            )
        except ServiceError as exc:
            if exc.code == "unknown":
                return _unknown(request)
            if exc.code == "closed":
                return _form_page(request, {**context, "closed": exc.message}, status=409)
            exc.add_to(form, {"consent": "agree"})
        else:
            done = {"activity": activity, "already": result.already, "name": data["name"]}
            return render(request, "activities/signin_done.html", done)
    return _form_page(request, context)
