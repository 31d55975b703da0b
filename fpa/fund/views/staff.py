"""Staff pages: the fund's home, creating it and its rules, donations and receipts, the journal."""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action, post_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.fund import forms, selectors, services
from fpa.fund.models import Donation, Fund, JournalEntry
from fpa.fund.views.common import _fund_or_404, _receipt_context

# --- staff: home, fund -------------------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    fund = selectors.fund_for_user(user=user)
    context: dict[str, object] = {"fund": fund, "fund_form": forms.FundForm()}
    if fund is not None:
        context["overview"] = selectors.overview(fund)
        context["waiting"] = selectors.waiting_for(user=user)
        context["overdue"] = selectors.overdue_feedback(fund, limit=20)
    return render(request, "fund/home.html", context)


@scoped_view(capability="fund.rules")
@require_POST
def fund_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)

    def create(form: forms.FundForm) -> Fund:
        if user.home_association is None:
            raise ServiceError(gettext("您的账号没有所属协会，不能设立基金。"))
        return services.fund_create(
            actor=user, association=user.home_association, **form.cleaned_data
        )

    return post_action(
        request,
        forms.FundForm(request.POST),
        call=create,
        done=gettext("基金已设立。"),
        then="fund:home",
        invalid=gettext("请检查基金名称、公示天数与票据编号前缀。"),
    )


@scoped_view(capability="fund.rules")
def fund_settings(request: HttpRequest) -> HttpResponse:
    """The county's settings of its fund: the order of a grant's last steps, the notice period
    and the reply deadline (audited by `services.fund_settings_update`)."""
    user = signed_in_user(request)
    fund = _fund_or_404(user)
    initial = {
        "grant_order": fund.grant_order,
        "notice_days": fund.notice_days,
        "reply_days": fund.reply_days,
    }
    form = forms.FundSettingsForm(request.POST or None, initial=initial)
    return form_action(
        request,
        form,
        call=lambda form: services.fund_settings_update(actor=user, fund=fund, **form.cleaned_data),
        done=gettext("基金设置已保存。"),
        then="fund:home",
        page=lambda: _form_page(request, form, gettext("基金设置"), fund),
    )


@scoped_view(capability="fund.rules")
def rules_edit(request: HttpRequest) -> HttpResponse:
    fund = _fund_or_404(signed_in_user(request))
    current = selectors.rules_current(fund)
    initial = (
        {"title": current.title, "body": current.body}
        if current
        else {"title": "生育关怀基金管理办法"}
    )
    form = forms.RulesForm(request.POST or None, initial=initial)
    return form_action(
        request,
        form,
        call=lambda form: services.rules_publish(
            actor=signed_in_user(request), fund=fund, **form.cleaned_data
        ),
        done=lambda rules: gettext("管理办法第 %(number)s 版已发布。") % {"number": rules.number},
        then=("fund:public_rules", fund.code),
        page=lambda: _form_page(request, form, gettext("修订管理办法"), fund),
    )


def _form_page(request: HttpRequest, form: Form, title: str, fund: Fund) -> HttpResponse:
    return render(request, "fund/form.html", {"form": form, "title": title, "fund": fund})


# --- staff: raising ----------------------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def donation_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    page = selectors.donation_list(
        user=signed_in_user(request),
        query=query,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(request, "fund/donations.html", {"page": page, "q": query})


@scoped_view(capability="fund.record")
def donation_new(request: HttpRequest) -> HttpResponse:
    fund = _fund_or_404(signed_in_user(request))
    form = forms.DonationForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.donation_record(
            actor=signed_in_user(request), fund=fund, **form.cleaned_data
        ),
        done=lambda donation: (
            gettext("已登记，票据号 %(number)s。") % {"number": donation.receipt_number}
        ),
        then=lambda donation: ("fund:receipt", donation.pk),
        page=lambda: _form_page(request, form, gettext("登记捐赠"), fund),
    )


@scoped_view(capability="fund.view", model=Donation, as_="donation")
@require_safe
def receipt(request: HttpRequest, donation: Donation) -> HttpResponse:
    return render(request, "fund/receipt.html", _receipt_context(request, donation))


# --- staff: journal ----------------------------------------------------------------------------


@scoped_view(capability="fund.view")
@require_safe
def entry_list(request: HttpRequest) -> HttpResponse:
    page = selectors.entry_list(
        user=signed_in_user(request),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    can_record = signed_in_user(request).has_capability("fund.record")
    return render(request, "fund/entries.html", {"page": page, "can_record": can_record})


@scoped_view(capability="fund.record")
def income_new(request: HttpRequest) -> HttpResponse:
    fund = _fund_or_404(signed_in_user(request))
    form = forms.IncomeForm(request.POST or None, initial={"date": timezone.localdate()})
    return form_action(
        request,
        form,
        call=lambda form: services.income_record(
            actor=signed_in_user(request), fund=fund, **form.cleaned_data
        ),
        done=lambda entry: gettext("已记账，凭证号 %(number)s。") % {"number": entry.number},
        then="fund:entries",
        page=lambda: _form_page(request, form, gettext("登记其他收入"), fund),
    )


@scoped_view(capability="fund.view", model=JournalEntry)
@require_POST
def entry_reverse(request: HttpRequest, pk: JournalEntry) -> HttpResponse:
    form = forms.ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写冲销原因。"))
        return redirect("fund:entries")
    try:
        reversal = services.entry_reverse(
            actor=signed_in_user(request), entry=pk, **form.cleaned_data
        )
        messages.success(
            request, gettext("已冲销，冲销凭证号 %(number)s。") % {"number": reversal.number}
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("fund:entries")
