"""The public journal (公开账目): a page per journal entry of every kind showing every field of its
leaf in the public log, the list of entries, the code tables (townships, accounts) and the lookup
by receipt number, grant number or leaf hash. No sign-in; nothing personal is loaded."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from fpa.core.scope import public_view
from fpa.fund import ledger_hook
from fpa.fund.models import JournalEntry
from fpa.fund.selectors import entries as journal
from fpa.fund.views.public import _public_fund

KINDS = [value for value, _label in JournalEntry.Kind.choices]


@public_view
@require_safe
def public_entries(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        kind = ""
    page = journal.public_entries(
        fund, kind=kind, after=request.GET.get("after"), before=request.GET.get("before")
    )
    facts = journal.entry_facts(fund, page.items)
    rows = [(entry, facts[entry.number], journal.entry_amount(entry)) for entry in page.items]
    context = {
        "fund": fund,
        "page": page,
        "rows": rows,
        "kind": kind,
        "kinds": JournalEntry.Kind.choices,
        "extra": f"kind={kind}" if kind else "",
    }
    return render(request, "fund/public/entries.html", context)


def _links(fund_code: str, entry: JournalEntry) -> dict[str, str]:
    """The public pages an entry links to: its receipt, its grant (once public)."""
    links = {}
    if entry.receipt_number:
        links["receipt"] = reverse("fund:public_receipt", args=[fund_code, entry.receipt_number])
    if journal.grant_is_public(entry):
        links["grant"] = reverse("fund:public_grant", args=[fund_code, entry.grant_number])
    return links


@public_view
@require_safe
def public_entry(request: HttpRequest, code: str, number: str) -> HttpResponse:
    fund = _public_fund(code)
    entry = None
    if number.isascii() and number.isdigit() and len(number) < 10:
        entry = journal.public_entry(fund, int(number))
    if entry is None:
        return render(
            request,
            "fund/public/entry_missing.html",
            {
                "fund": fund,
                "message": gettext("未找到凭证号为 %(number)s 的记账凭证。")
                % {"number": number[:20]},
            },
            status=404,
        )
    facts = journal.entry_facts(fund, [entry])[entry.number]
    townships = journal.township_names([entry.township_code])
    reversed_by = getattr(entry, "reversed_by", None)
    context: dict[str, Any] = {
        "fund": fund,
        "entry": entry,
        "facts": facts,
        "lines": list(entry.lines.all()),
        "amount": journal.entry_amount(entry),
        "township_name": townships.get(entry.township_code, ""),
        "links": _links(fund.code, entry),
        "reversed_by": reversed_by,
        "leaf_index": entry.leaf_index,
        "proof_url": ledger_hook.proof_url(request, entry.leaf_index),
    }
    return render(request, "fund/public/entry.html", context)


@public_view
@require_safe
def public_codes(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    context = {
        "fund": fund,
        "townships": journal.township_table(fund),
        "accounts": journal.account_chart(),
    }
    return render(request, "fund/public/codes.html", context)


@public_view
@require_safe
def public_lookup(request: HttpRequest, code: str) -> HttpResponse:
    fund = _public_fund(code)
    query = request.GET.get("q", "")
    if "q" not in request.GET:
        return render(request, "fund/public/lookup.html", {"fund": fund, "query": ""})
    found = journal.lookup(fund, query)
    if found.entry is not None:
        return redirect("fund:public_entry", code=fund.code, number=found.entry.number)
    if found.error == "invalid":
        message = gettext("请输入票据号、资助编号、凭证号或条目哈希（64 位十六进制或 Base64）。")
        status = 400
    else:
        message = gettext("没有找到与“%(query)s”对应的记账凭证，请核对后重新输入。") % {
            "query": query.strip()[:100]
        }
        status = 404
    context = {"fund": fund, "query": query[:100], "message": message}
    return render(request, "fund/public/lookup.html", context, status=status)
