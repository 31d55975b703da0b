"""The public member pages (no sign-in): the online application (入会申请) with its receipt and
status page, and the check that a member card's QR code opens.

Each is rate-limited per address (fpa.core.ratelimit); the application carries a honeypot field
and the current consent text, whose version it records. Nothing on them identifies a person
beyond a masked name."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from fpa.core import consent, ratelimit
from fpa.core.errors import ServiceError
from fpa.core.scope import public_view
from fpa.members import forms, rules, selectors, services

APPLY_LIMIT = 5  # applications per address per hour
APPLY_WINDOW = 3600
CHECK_LIMIT = 30  # status and card checks per address per 10 minutes
CHECK_WINDOW = 600


def _consent_or_none() -> Any:
    try:
        return consent.current(rules.CONSENT_PURPOSE)
    except ServiceError:
        return None


@public_view
def join(request: HttpRequest) -> HttpResponse:
    """入会申请: a citizen applies to a village association; the application joins the pending
    queue of that association (marked as sent online) and the applicant gets a reference code."""
    text = _consent_or_none()
    form = forms.OnlineApplyForm(
        request.POST or None,
        associations=selectors.online_villages(),
        initial={"consent_version": text.version if text else None},
    )
    context: dict[str, Any] = {"form": form, "consent": text}
    if request.method == "POST" and text is not None:
        if ratelimit.exceeded("member-apply", limit=APPLY_LIMIT, window=APPLY_WINDOW):
            return render(request, "members/join.html", {**context, "limited": True}, status=429)
        if form.is_bot():  # answered like a success (a code that finds nothing), stored nowhere
            return render(request, "members/joined.html", {"reference": rules.new_code()})
        if form.is_valid():
            data = dict(form.cleaned_data)
            for key in ("agree", "website"):
                data.pop(key)
            try:
                member = services.member_apply_online(**data)
            except ServiceError as exc:
                exc.add_to(form, {"consent": "agree"})
            else:
                return render(
                    request,
                    "members/joined.html",
                    {
                        "reference": member.reference,
                        "name": member.name,
                        "association": member.association,
                    },
                )
    return render(request, "members/join.html", context)


@public_view
def join_status(request: HttpRequest) -> HttpResponse:
    """The status of an online application by its reference code: a masked name, the association,
    the dates and 待审批 / 已批准 / 未批准, nothing else."""
    code = (request.GET.get("code") or "")[:64]
    context: dict[str, Any] = {"code": code}
    if code:
        if ratelimit.exceeded("member-status", limit=CHECK_LIMIT, window=CHECK_WINDOW):
            return render(request, "members/join_status.html", {"limited": True}, status=429)
        context.update(checked=True, found=selectors.application_status(code))
    return render(request, "members/join_status.html", context)


@public_view
def check(request: HttpRequest, code: str) -> HttpResponse:
    """The public check of a member card (its QR code): valid or not, the masked name, the
    association and the member's status. An unknown or forged code is a 404."""
    if ratelimit.exceeded("member-check", limit=CHECK_LIMIT, window=CHECK_WINDOW):
        return render(request, "members/check.html", {"limited": True}, status=429)
    found = selectors.card_check(code)
    if found is None:
        raise Http404(gettext("没有这张会员证。"))
    return render(request, "members/check.html", {"found": found})
