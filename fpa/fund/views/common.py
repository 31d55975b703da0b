"""Helpers the fund pages share."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from fpa.fund import forms, ledger_hook, selectors
from fpa.fund.models import Donation, Fund, Grant
from fpa.fund.money import chinese_amount

if TYPE_CHECKING:
    from fpa.accounts.models import User

FEEDBACK_LIMIT = 5  # per IP address and hour
FEEDBACK_WINDOW = 3600


def _fund_or_404(user: User) -> Fund:
    fund = selectors.fund_for_user(user=user)
    if fund is None:
        raise Http404(gettext("尚未设立生育关怀基金。"))
    return fund


def _back(grant: Grant) -> HttpResponse:
    return redirect("fund:grant_detail", pk=grant.pk)


def _receipt_context(request: HttpRequest, donation: Donation) -> dict[str, object]:
    entry = donation.entry
    code = donation.fund.association.code
    verify = reverse(
        "fund:public_receipt", kwargs={"code": code, "number": donation.receipt_number}
    )
    return {
        "donation": donation,
        "entry": entry,
        "verify_url": request.build_absolute_uri(verify),
        "proof_url": ledger_hook.proof_url(request, entry.leaf_index),
        "upper": chinese_amount(donation.amount),
        "promise": ledger_hook.receipt_promise(donation.receipt_number, entry.leaf_index),
        "entry_path": reverse("fund:public_entry", kwargs={"code": code, "number": entry.number}),
    }


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date, int, int | None]:
    today = timezone.localdate()
    form = forms.ReportForm(request.GET or None)
    year, month = today.year, None
    if form.is_bound and form.is_valid():
        year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    if month:
        start = datetime.date(year, month, 1)
        return start, start, year, month
    return datetime.date(year, 1, 1), datetime.date(year, 12, 1), year, None
