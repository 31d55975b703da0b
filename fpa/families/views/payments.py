"""特别扶助金发放花名册: the special-assistance payment roster of an area and a month, printed on
A4, exported to Excel by a background job."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core import jobs
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.excel import exports
from fpa.core.masking import mask_name
from fpa.core.scope import scoped_view
from fpa.families import jobs as family_jobs
from fpa.families import payment_roster as roster_book
from fpa.families import reports as family_reports
from fpa.families import selectors, services
from fpa.families.views.common import _area, _areas
from fpa.organizations.models import Association

TEMPLATE = "families/payment_roster.html"
# Payees on one page: a township's roster (Yongjing's largest has a few hundred) prints whole; a
# county's or a province's is read per township, or in full from the Excel export.
PAYEE_LIMIT = 1000


def _export(
    user: User,
    area: Association,
    month: family_reports.Month,
    *,
    reveal: bool,
    reason: str = "",
) -> HttpResponse:
    """Start the workbook job (a full one refused at once without the right or a reason)."""
    title = gettext("特别扶助金发放花名册：%(name)s %(month)s") % {
        "name": area.name,
        "month": month.param,
    }
    if reveal:
        title += gettext("（完整姓名）")
    job = exports.start_export(
        kind=family_jobs.PAYMENT_ROSTER,
        actor=user,
        title=title,
        params={"code": area.code, "month": month.param},
        reveal=reveal,
        reason=reason,
    )
    return redirect(jobs.job_url(job))


def _rows(roster: selectors.PaymentRoster, *, revealed: bool) -> list[dict[str, Any]]:
    return [
        {"payee": payee, "name": roster_book.shown_name(payee, reveal=revealed)}
        for payee in roster.payees
    ]


@scoped_view(capability="family.view")
def payment_roster(request: HttpRequest) -> HttpResponse:
    """?code= an association in scope (default the user's own), ?month=2026-10 (default this
    month); ?download=xlsx the masked workbook. POST with a reason: reveal=1 shows the full
    names (audited), download=xlsx starts the full workbook (audited by the job). An area outside
    the scope is a 404 with the message; a bad month is a message."""
    user = signed_in_user(request)
    source = request.POST if request.method == "POST" else request.GET
    area, foreign = _area(request)
    month_text = (source.get("month") or request.GET.get("month") or "")[:40]
    error = ""
    try:
        month: family_reports.Month | None = family_reports.parse_month(
            month_text, today=timezone.localdate()
        )
    except ValueError as exc:
        month, error = None, gettext(str(exc))
    roster = None
    revealed = False
    reveal_error = ""
    status = 404 if foreign else 200
    if area is not None and month is not None:
        try:
            if request.method == "POST" and source.get("download") == "xlsx":
                return _export(user, area, month, reveal=True, reason=source.get("reason", ""))
            if request.method == "GET" and source.get("download") == "xlsx":
                return _export(user, area, month, reveal=False)
            roster = selectors.payment_roster_for(user=user, area=area, month=month)
            if request.method == "POST":
                services.payment_roster_reveal(
                    actor=user, roster=roster, reason=source.get("reason", "")
                )
                revealed = True
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except ServiceError as exc:
            reveal_error, status = exc.message, 400
            if roster is None:
                roster = selectors.payment_roster_for(user=user, area=area, month=month)
    context = {
        "area": area,
        "areas": _areas(user),
        "foreign": foreign,
        "error": error,
        "reveal_error": reveal_error,
        "roster": roster,
        "rows": _rows(roster, revealed=revealed)[:PAYEE_LIMIT] if roster else [],
        "people": len(roster.payees) if roster else 0,
        "cut": bool(roster and len(roster.payees) > PAYEE_LIMIT),
        "limit": PAYEE_LIMIT,
        "unpaid": [
            {"unpaid": u, "name": u.head_name if revealed else mask_name(u.head_name)}
            for u in (roster.unpaid if roster else [])
        ],
        "revealed": revealed,
        "can_reveal": user.has_capability("personal.reveal"),
        "month_label": (
            gettext("%(year)s年%(month)s月")
            % {"year": month.first.year, "month": month.first.month}
            if month
            else ""
        ),
        "month_value": month.param if month else month_text,
        "latest": f"{timezone.localdate():%Y-%m}",
        "today": timezone.localdate(),
    }
    return render(request, TEMPLATE, context, status=status)
