"""The public disclosure pages (公开): no beneficiary, staff note or contact is ever loaded."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from fpa.core import ratelimit
from fpa.core.errors import ServiceError
from fpa.core.scope import public_view
from fpa.fund import forms, ledger_hook, selectors, services
from fpa.fund.models import Feedback, Fund, Grant
from fpa.fund.selectors.entries import ledger_totals
from fpa.fund.views.common import FEEDBACK_LIMIT, FEEDBACK_WINDOW, _period

# --- public ------------------------------------------------------------------------------------


def _public_fund(code: str) -> Fund:
    fund = selectors.fund_public(code)
    if fund is None:
        raise Http404(gettext("基金不存在。"))
    return fund


@public_view
@require_safe
def public_root(request: HttpRequest) -> HttpResponse:
    fund = selectors.fund_public()
    if fund is None:
        raise Http404(gettext("尚未设立生育关怀基金。"))
    return redirect("fund:public_home", code=fund.code)


@public_view
@require_safe
def public_home(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    context = {
        "fund": fund,
        "overview": selectors.overview(fund),
        "notices": selectors.public_notices(fund)[:5],
        "overdue": selectors.overdue_feedback(fund, limit=20),
        "rating": selectors.rating_summary(fund),
    }
    return render(request, "fund/public/home.html", context)


@public_view
@require_safe
def public_data(request: HttpRequest, code: str) -> HttpResponse:
    """The overview as JSON (the charts and anyone's own analysis): aggregates only."""
    fund = _public_fund(code)
    data = selectors.overview(fund)
    return JsonResponse(
        {
            "fund": fund.name,
            "assets": [{"name": n, "amount": str(a)} for n, a in data.assets],
            "total": str(data.total),
            "restricted": [{"purpose": n, "amount": str(a)} for n, a in data.pools],
            "income_year": str(data.income_year),
            "expense_year": str(data.expense_year),
            "months": data.months,
            "income": data.income_series,
            "expense": data.expense_series,
            "ledger_totals": ledger_totals(fund),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@public_view
@require_safe
def public_donations(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    page = selectors.public_donations(
        fund, after=request.GET.get("after"), before=request.GET.get("before")
    )
    number = request.GET.get("receipt", "").strip()
    if number:
        return redirect("fund:public_receipt", code=fund.code, number=number[:24])
    return render(request, "fund/public/donations.html", {"fund": fund, "page": page})


@public_view
@require_safe
def public_receipt(request: HttpRequest, code: str, number: str) -> HttpResponse:
    fund = _public_fund(code)
    donation = selectors.public_donation(fund, number)
    if donation is None:
        raise Http404(gettext("未找到该票据号。"))
    context = {
        "fund": fund,
        "donation": donation,
        "entry": donation.entry,
        "proof_url": ledger_hook.proof_url(request, donation.entry.leaf_index),
        "promise": ledger_hook.receipt_promise(donation.receipt_number, donation.entry.leaf_index),
    }
    return render(request, "fund/public/receipt.html", context)


@public_view
@require_safe
def public_grants(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    page = selectors.public_grants(
        fund, after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(
        request,
        "fund/public/grants.html",
        {"fund": fund, "page": page, "today": timezone.localdate()},
    )


@public_view
@require_safe
def public_notices(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    context = {
        "fund": fund,
        "notices": selectors.public_notices(fund),
        "form": forms.ObjectionForm(),
    }
    return render(request, "fund/public/notices.html", context)


def _throttled(request: HttpRequest) -> bool:
    """At most FEEDBACK_LIMIT submissions per address and hour, across all workers."""
    limit = getattr(settings, "FPA_FUND_FEEDBACK_LIMIT", FEEDBACK_LIMIT)
    return ratelimit.exceeded("fund-feedback", limit=limit, window=FEEDBACK_WINDOW)


def _submit(
    request: HttpRequest,
    fund: Fund,
    form: forms.FeedbackForm | forms.ObjectionForm,
    *,
    kind: str,
    grant: Grant | None = None,
) -> bool:
    """Validate and store a public submission. True when the page should redirect."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if data.get("website"):
        return True  # a bot filled the honeypot: thank it and store nothing
    if _throttled(request):
        form.add_error(None, gettext("提交过于频繁，请一小时后再试。"))
        return False
    try:
        feedback = services.feedback_submit(
            fund=fund,
            text=data["text"],
            contact_phone=data.get("contact_phone") or None,
            rating=data.get("rating"),
            kind=kind,
            grant=grant,
        )
    except ServiceError as exc:
        exc.add_to(form)
        return False
    receipts = [feedback.receipt, *request.session.get(RECEIPTS_KEY, [])][:RECEIPTS_KEPT]
    request.session[RECEIPTS_KEY] = receipts
    status_url = reverse("fund:public_feedback_status", args=[fund.code, feedback.receipt])
    messages.success(
        request,
        gettext(
            "感谢您的监督。您的意见将在审核后公开，我们会在答复期限内答复。"
            "请保存此链接查看处理状态：%(url)s"
        )
        % {"url": request.build_absolute_uri(status_url)},
    )
    return True


RECEIPTS_KEY = "fund_feedback_receipts"
RECEIPTS_KEPT = 10


def _mine(request: HttpRequest, fund: Fund) -> list[Feedback]:
    """The submissions of this browser (their receipt codes are kept in its session)."""
    return selectors.feedback_by_receipt(fund, request.session.get(RECEIPTS_KEY, []))


@public_view
@require_safe
def public_feedback_status(request: HttpRequest, code: str, receipt: str) -> HttpResponse:
    """The writer's receipt page: the status of one submission, found by its receipt code."""
    fund = _public_fund(code)
    found = selectors.feedback_by_receipt(fund, [receipt])
    if not found:
        raise Http404(gettext("未找到该回执。"))
    return render(request, "fund/public/feedback_status.html", {"fund": fund, "mine": found})


@public_view
def public_grant(request: HttpRequest, code: str, number: str) -> HttpResponse:
    fund = _public_fund(code)
    grant = selectors.public_grant(fund, number)
    if grant is None:
        raise Http404(gettext("未找到该资助。"))
    in_notice = grant.in_notice(timezone.localdate())
    form = forms.FeedbackForm(prefix="c")
    objection = forms.ObjectionForm(prefix="o")
    if request.method == "POST":
        if request.POST.get("kind") == "objection" and in_notice:
            objection = forms.ObjectionForm(request.POST, prefix="o")
            done = _submit(request, fund, objection, grant=grant, kind=Feedback.Kind.OBJECTION)
        else:
            form = forms.FeedbackForm(request.POST, prefix="c")
            done = _submit(request, fund, form, grant=grant, kind=Feedback.Kind.COMMENT)
        if done:
            return redirect("fund:public_grant", code=fund.code, number=grant.number)
    context = {
        "fund": fund,
        "grant": grant,
        "in_notice": in_notice,
        "form": form,
        "objection_form": objection,
        "feedback": selectors.public_feedback(fund, grant=grant, after=request.GET.get("after")),
        "mine": _mine(request, fund),
        "rating": selectors.rating_summary(fund, grant),
        "proof_url": ledger_hook.proof_url(
            request, grant.entry.leaf_index if grant.entry else None
        ),
        "today": timezone.localdate(),
    }
    return render(request, "fund/public/grant.html", context)


@public_view
def public_feedback(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    form = forms.FeedbackForm(request.POST or None, prefix="c")
    if request.method == "POST" and _submit(request, fund, form, kind=Feedback.Kind.COMMENT):
        return redirect("fund:public_feedback", code=fund.code)
    context = {
        "fund": fund,
        "form": form,
        "feedback": selectors.public_feedback(fund, after=request.GET.get("after")),
        "mine": _mine(request, fund),
        "rating": selectors.rating_summary(fund),
        "overdue": selectors.overdue_feedback(fund),
        "today": timezone.localdate(),
    }
    return render(request, "fund/public/feedback.html", context)


@public_view
@require_safe
def public_rules(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    version = request.GET.get("v", "")
    rules = selectors.rules_current(fund)
    if version.isascii() and version.isdigit() and len(version) < 6:
        rules = fund.rulesversion_set.filter(number=int(version)).first() or rules
    context = {"fund": fund, "rules": rules, "history": selectors.rules_history(fund)}
    return render(request, "fund/public/rules.html", context)


@public_view
@require_safe
def public_report(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    start, end, year, month = _period(request)
    context = {
        "fund": fund,
        "statement": selectors.statement(fund, start, end),
        "year": year,
        "month": month,
        "months": range(1, 13),
    }
    return render(request, "fund/report.html", context)
