"""Pages of the care fund: staff pages (scoped, by capability) and public disclosure pages.

Public pages (`@public_view`) read through the public selectors only, which never load a
beneficiary, a staff note or a contact. Staff pages that act on one object load it inside the
user's subtree (`model=`); each action checks its own capability again in the service, so the
page for one step is refused to anyone who may not take it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from fpa.core import jobs, ratelimit
from fpa.core.errors import ServiceError
from fpa.core.scope import public_view, scoped_view
from fpa.families.models import Family
from fpa.fund import forms, ledger_hook, selectors, services
from fpa.fund import jobs as fund_jobs
from fpa.fund.models import Donation, Feedback, Fund, Grant, JournalEntry
from fpa.fund.money import chinese_amount
from fpa.organizations.models import Association

FEEDBACK_LIMIT = 5  # per IP address and hour
FEEDBACK_WINDOW = 3600


def _fund_or_404(user: Any) -> Fund:
    fund = selectors.fund_for_user(user=user)
    if fund is None:
        raise Http404(gettext("尚未设立生育关怀基金。"))
    return fund


def _back(grant: Grant) -> HttpResponse:
    return redirect("fund:grant_detail", pk=grant.pk)


# --- staff: home, fund -------------------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    fund = selectors.fund_for_user(user=user)
    context: dict[str, Any] = {"fund": fund, "fund_form": forms.FundForm()}
    if fund is not None:
        context["overview"] = selectors.overview(fund)
        context["waiting"] = selectors.waiting_for(user=user)
        context["overdue"] = selectors.overdue_feedback(fund, limit=20)
    return render(request, "fund/home.html", context)


@scoped_view(capability="fund.rules")
@require_POST
def fund_create(request: HttpRequest) -> HttpResponse:
    form = forms.FundForm(request.POST)
    if form.is_valid():
        try:
            services.fund_create(
                actor=request.user, association=request.user.home_association, **form.cleaned_data
            )
            messages.success(request, gettext("基金已设立。"))
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, gettext("请检查基金名称与公示天数。"))
    return redirect("fund:home")


@scoped_view(capability="fund.rules")
def rules_edit(request: HttpRequest) -> HttpResponse:
    fund = _fund_or_404(request.user)
    current = selectors.rules_current(fund)
    initial = (
        {"title": current.title, "body": current.body}
        if current
        else {"title": "生育关怀基金管理办法"}
    )
    form = forms.RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rules = services.rules_publish(actor=request.user, fund=fund, **form.cleaned_data)
            messages.success(
                request, gettext("管理办法第 %(number)s 版已发布。") % {"number": rules.number}
            )
            return redirect("fund:public_rules", code=fund.code)
        except ServiceError as exc:
            exc.add_to(form)
    return render(
        request, "fund/form.html", {"form": form, "title": gettext("修订管理办法"), "fund": fund}
    )


# --- staff: raising ----------------------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def donation_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    page = selectors.donation_list(
        user=request.user,
        query=query,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(request, "fund/donations.html", {"page": page, "q": query})


@scoped_view(capability="fund.record")
def donation_new(request: HttpRequest) -> HttpResponse:
    fund = _fund_or_404(request.user)
    form = forms.DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            donation = services.donation_record(actor=request.user, fund=fund, **form.cleaned_data)
            messages.success(
                request,
                gettext("已登记，票据号 %(number)s。") % {"number": donation.receipt_number},
            )
            return redirect("fund:receipt", pk=donation.pk)
        except ServiceError as exc:
            exc.add_to(form)
    return render(
        request, "fund/form.html", {"form": form, "title": gettext("登记捐赠"), "fund": fund}
    )


@scoped_view(capability="fund.view", model=Donation)
@require_safe
def receipt(request: HttpRequest, pk: Donation) -> HttpResponse:
    donation = pk
    return render(request, "fund/receipt.html", _receipt_context(request, donation))


def _receipt_context(request: HttpRequest, donation: Donation) -> dict[str, Any]:
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
    }


# --- staff: journal ----------------------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def entry_list(request: HttpRequest) -> HttpResponse:
    page = selectors.entry_list(
        user=request.user, after=request.GET.get("after"), before=request.GET.get("before")
    )
    can_record = request.user.has_capability("fund.record")
    return render(request, "fund/entries.html", {"page": page, "can_record": can_record})


@scoped_view(capability="fund.record")
def income_new(request: HttpRequest) -> HttpResponse:
    fund = _fund_or_404(request.user)
    form = forms.IncomeForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.income_record(actor=request.user, fund=fund, **form.cleaned_data)
            messages.success(
                request, gettext("已记账，凭证号 %(number)s。") % {"number": entry.number}
            )
            return redirect("fund:entries")
        except ServiceError as exc:
            exc.add_to(form)
    return render(
        request, "fund/form.html", {"form": form, "title": gettext("登记其他收入"), "fund": fund}
    )


@scoped_view(capability="fund.view", model=JournalEntry)
@require_POST
def entry_reverse(request: HttpRequest, pk: JournalEntry) -> HttpResponse:
    form = forms.ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写冲销原因。"))
        return redirect("fund:entries")
    try:
        reversal = services.entry_reverse(actor=request.user, entry=pk, **form.cleaned_data)
        messages.success(
            request, gettext("已冲销，冲销凭证号 %(number)s。") % {"number": reversal.number}
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("fund:entries")


# --- staff: using ------------------------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def grant_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Grant.Status.values else ""
    page = selectors.grant_list(
        user=request.user,
        status=status,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {"page": page, "status": status, "statuses": Grant.Status.choices}
    return render(request, "fund/grants.html", context)


@scoped_view(capability="fund.apply")
def grant_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    families = (
        Family.objects.visible_to(user)
        .filter(status=Family.Status.ACTIVE)
        .select_related("association")
        .order_by("association__code", "pk")
    )
    areas = Association.objects.visible_to(user).order_by("path")
    form = forms.GrantForm(request.POST or None, families=families, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        association = data.pop("association") or user.home_association
        try:
            grant = services.grant_apply(actor=user, association=association, **data)
            messages.success(
                request, gettext("申请已提交，编号 %(number)s。") % {"number": grant.number}
            )
            return redirect("fund:grant_detail", pk=grant.pk)
        except ServiceError as exc:
            exc.add_to(form)
    return render(request, "fund/form.html", {"form": form, "title": gettext("资助申请")})


@scoped_view(capability="fund.view", model=Grant)
@require_safe
def grant_detail(request: HttpRequest, pk: Grant) -> HttpResponse:
    grant = pk
    user = request.user
    version = {"version": grant.version}
    context = {
        "grant": grant,
        "feedback": grant.feedback.select_related("owner").order_by("-id")[:50],
        "can_review": user.has_capability("fund.review") and grant.status == Grant.Status.SUBMITTED,
        "can_approve": user.has_capability("fund.approve")
        and grant.status == Grant.Status.REVIEWED,
        "can_pay": user.has_capability("fund.pay") and grant.status == Grant.Status.APPROVED,
        "can_close": user.has_capability("fund.approve") and grant.status == Grant.Status.PAID,
        "decision_form": forms.DecisionForm(initial=version),
        "pay_form": forms.PayForm(
            initial={
                **version,
                "paid_on": timezone.localdate(),
                "source_account": services.account(services.BANK),
            }
        ),
        "close_form": forms.CloseForm(initial=version),
    }
    return render(request, "fund/grant_detail.html", context)


def _decide(request: HttpRequest, grant: Grant, service: Any, done: str) -> HttpResponse:
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择同意或不同意。"))
        return _back(grant)
    data = form.cleaned_data
    try:
        service(
            actor=request.user,
            grant=grant,
            approve=data["decision"] == "approve",
            note=data["note"],
            version=data["version"],
        )
        messages.success(request, done)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(grant)


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_review(request: HttpRequest, pk: Grant) -> HttpResponse:
    return _decide(request, pk, services.grant_review, gettext("已审核。"))


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_approve(request: HttpRequest, pk: Grant) -> HttpResponse:
    return _decide(request, pk, services.grant_approve, gettext("已审批。"))


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_pay(request: HttpRequest, pk: Grant) -> HttpResponse:
    form = forms.PayForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择付款账户并填写支付日期。"))
        return _back(pk)
    try:
        services.grant_pay(actor=request.user, grant=pk, **form.cleaned_data)
        messages.success(request, gettext("已支付，公示已开始。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(pk)


@scoped_view(capability="fund.view", model=Grant)
@require_POST
def grant_close(request: HttpRequest, pk: Grant) -> HttpResponse:
    form = forms.CloseForm(request.POST)
    try:
        version = form.cleaned_data["version"] if form.is_valid() else None
        services.grant_close(actor=request.user, grant=pk, version=version)
        messages.success(request, gettext("已办结。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(pk)


# --- staff: supervision, reports ---------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def feedback_list(request: HttpRequest) -> HttpResponse:
    open_only = request.GET.get("open") == "1"
    held_only = request.GET.get("held") == "1"
    page = selectors.feedback_list(
        user=request.user,
        open_only=open_only,
        held_only=held_only,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    held = [f for f in page.items if f.status == Feedback.Status.HELD]
    context = {
        "page": page,
        "open_only": open_only,
        "held_only": held_only,
        "warnings": selectors.feedback_warnings(user=request.user, items=held),
        "today": timezone.localdate(),
        "form": forms.ReplyForm(),
    }
    return render(request, "fund/feedback.html", context)


@scoped_view(capability="fund.view", model=Feedback)
@require_POST
def feedback_reply(request: HttpRequest, pk: Feedback) -> HttpResponse:
    form = forms.ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_reply(actor=request.user, feedback=pk, **form.cleaned_data)
            messages.success(request, gettext("已答复，答复将在公开页显示。"))
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, gettext("请填写答复内容（不超过 1000 字）。"))
    return redirect("fund:feedback")


REVIEW_ACTIONS = {
    "publish": (services.feedback_publish, _("已公开。")),
    "refuse": (services.feedback_refuse, _("已设为未通过，提交人可看到原因。")),
    "take_down": (services.feedback_take_down, _("已从公开页撤下，提交人可看到原因。")),
}


@scoped_view(capability="fund.view", model=Feedback)
@require_POST
def feedback_review(request: HttpRequest, pk: Feedback) -> HttpResponse:
    action = REVIEW_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, gettext("未知的审核操作。"))
        return redirect("fund:feedback")
    service, done = action
    try:
        service(actor=request.user, feedback=pk, reason=request.POST.get("reason", "")[:300])
        messages.success(request, str(done))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("fund:feedback")


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


@scoped_view(capability="fund.view")
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    fund = _fund_or_404(request.user)
    start, end, year, month = _period(request)
    if request.GET.get("download") == "xlsx":  # the workbook is built by a background job
        period = (
            gettext("%(year)s年%(month)s月") % {"year": year, "month": month}
            if month
            else (gettext("%(year)s年度") % {"year": year})
        )
        job = jobs.job_enqueue(
            kind=fund_jobs.STATEMENT,
            actor=request.user,
            title=gettext("收支表：%(fund)s %(period)s") % {"fund": fund.name, "period": period},
            params={"fund": fund.pk, "year": year, "month": month},
        )
        return redirect(jobs.job_url(job))
    statement = selectors.statement(fund, start, end)
    context = {
        "fund": fund,
        "statement": statement,
        "year": year,
        "month": month,
        "staff": True,
        "months": range(1, 13),
    }
    return render(request, "fund/report.html", context)


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


def _submit(request: HttpRequest, fund: Fund, form: Any, **fields: Any) -> bool:
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
            **fields,
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


def _mine(request: HttpRequest, fund: Fund) -> list[Any]:
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
