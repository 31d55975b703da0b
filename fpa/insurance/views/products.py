"""Products and policy years (county), the policy year page with its roster, enrolment by rule,
the premium's grant, the roster export, and the insurance settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action, post_action
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.excel import exports
from fpa.core.jobs import job_enqueue, job_url
from fpa.core.scope import load_in_scope, scoped_view
from fpa.insurance import forms, jobs, selectors, services
from fpa.insurance.excel import ROSTER_SHEET
from fpa.insurance.models import PolicyYear, Product, Settings
from fpa.insurance.views.common import AREA_KINDS, YEAR, area_of, form_page
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association


def _home(user: Any) -> Association:
    """A product is owned by the home association of the county staff who create it."""
    home = user.home_association
    if home is None:
        raise NotAllowed(gettext("您的账号没有所属协会。"))
    home_association: Association = home
    return home_association


@scoped_view(capability="insurance.view")
def products(request: HttpRequest) -> HttpResponse:
    """The products the user's area is served by, each with its policy years."""
    user = signed_in_user(request)
    years = list(selectors.policy_years(user=user))
    by_product: dict[int, list[PolicyYear]] = {}
    for year in years:
        by_product.setdefault(year.product_id, []).append(year)
    items = [
        {"product": p, "years": by_product.get(p.pk, [])} for p in selectors.products(user=user)
    ]
    context = {
        "items": items,
        "can_manage": user.has_capability("insurance.manage"),
        "settings": Settings.current(),
    }
    return render(request, "insurance/products.html", context)


@scoped_view(capability="insurance.manage")
def product_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.ProductForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.product_create(
            actor=user, association=_home(user), **form.values()
        ),
        done=lambda product: gettext("已新增保险产品：%(name)s。") % {"name": product.name},
        then="insurance:products",
        page=lambda: form_page(
            request, form, gettext("新增保险产品"), back=reverse("insurance:products")
        ),
    )


# The county's pages below load their object themselves (`load_in_scope`, a 404 outside the
# scope) instead of declaring it: only county staff hold `insurance.manage`.


@scoped_view(capability="insurance.manage")
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    product: Product = load_in_scope(Product, user, pk=pk)
    initial = {
        **{f: getattr(product, f) for f in services.products.PRODUCT_FIELDS},
        "cover": forms.ProductForm.cover_text(product),
        "version": product.version,
    }
    form = forms.ProductForm(request.POST or None, initial=initial)
    return form_action(
        request,
        form,
        call=lambda form: services.product_update(
            actor=user,
            product=product,
            version=form.cleaned_data.get("version"),
            **form.values(),
        ),
        done=gettext("已保存。"),
        then="insurance:products",
        page=lambda: form_page(
            request,
            form,
            gettext("修改保险产品：%(name)s") % {"name": product.name},
            back=reverse("insurance:products"),
        ),
    )


@scoped_view(capability="insurance.manage")
def year_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    product: Product = load_in_scope(Product, user, pk=pk)
    form = forms.PolicyYearForm(request.POST or None)

    def call(form: forms.PolicyYearForm) -> PolicyYear:
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.policy_year_create(actor=user, product=product, **data)

    return form_action(
        request,
        form,
        call=call,
        done=gettext("已新增保险年度。"),
        then=lambda year: ("insurance:year", year.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("新增保险年度：%(name)s") % {"name": product.name},
            back=reverse("insurance:products"),
            note=gettext("每人保费%(premium)s元；三方承担之和应等于保费。")
            % {"premium": product.premium},
        ),
    )


@scoped_view(capability="insurance.manage")
def year_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    policy_year: PolicyYear = load_in_scope(PolicyYear, user, pk=pk)
    fields = ("year", *services.products.YEAR_FIELDS)
    initial = {f: getattr(policy_year, f) for f in fields} | {"version": policy_year.version}
    form = forms.PolicyYearForm(request.POST or None, initial=initial)

    def call(form: forms.PolicyYearForm) -> PolicyYear:
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("year", "version")}
        return services.policy_year_update(
            actor=user,
            policy_year=policy_year,
            version=form.cleaned_data.get("version"),
            **{k: v for k, v in data.items() if v is not None},
        )

    return form_action(
        request,
        form,
        call=call,
        done=gettext("已保存。"),
        then=("insurance:year", policy_year.pk),
        page=lambda: form_page(
            request,
            form,
            gettext("修改保险年度：%(name)s") % {"name": policy_year},
            back=reverse("insurance:year", args=[policy_year.pk]),
        ),
    )


def _roster_filters(
    request: HttpRequest, form: forms.RosterFilterForm
) -> tuple[selectors.RosterFilters, bool, dict[str, Any]]:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area, foreign = area_of(request)
    filters = selectors.RosterFilters(
        area=area,
        status=data.get("status", ""),
        source=data.get("source", ""),
        id_number=data.get("id_number", ""),
    )
    return filters, foreign, data


@scoped_view(capability="insurance.view", **YEAR, as_="policy_year")
def year(request: HttpRequest, policy_year: PolicyYear) -> HttpResponseBase:
    """A policy year: shares, the premium's grant and its status, counts, and the roster
    (filters, sort, keyset pages; the masked or full export as a job)."""
    user = signed_in_user(request)
    form = forms.RosterFilterForm(request.GET or None)
    filters, foreign, data = _roster_filters(request, form)
    page = selectors.roster_page(
        user=user,
        policy_year=policy_year,
        filters=filters,
        sort=data.get("sort", ""),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "policy_year": policy_year,
        "product": policy_year.product,
        "form": form,
        "page": page,
        "area": filters.area,
        "foreign": foreign,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "counts": selectors.year_counts(user=user, policy_year=policy_year),
        "can_manage": user.has_capability("insurance.manage"),
        "can_edit": user.has_capability("insurance.edit"),
        "can_reveal": user.has_capability("personal.reveal"),
        "export_form": forms.ExportForm(),
    }
    return render(request, "insurance/year.html", context)


@require_POST
@scoped_view(capability="insurance.view", **YEAR, as_="policy_year")
def roster_export(request: HttpRequest, policy_year: PolicyYear) -> HttpResponseBase:
    """The roster in the insurer's layout, as a job: masked, or in full with the reveal right
    and a reason (the job writes the export's audit row)."""
    user = signed_in_user(request)
    form = forms.ExportForm(request.POST)
    back = reverse("insurance:year", args=[policy_year.pk])
    if not form.is_valid():
        messages.error(request, gettext("请检查导出选项。"))
        return redirect(back)
    reveal = bool(form.cleaned_data["reveal"])
    try:
        job = exports.start_export(
            kind=jobs.ROSTER_EXPORT,
            actor=user,
            title=exports.export_title(ROSTER_SHEET, reveal=reveal, suffix=f" {policy_year}"),
            params={
                "policy_year": policy_year.pk,
                "code": request.POST.get("code", "")[:32],
                "status": request.POST.get("status", "")[:16],
                "source": request.POST.get("source", "")[:16],
            },
            reveal=reveal,
            reason=form.cleaned_data.get("reason") or "",
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return redirect(job_url(job))


@scoped_view(capability="insurance.manage")
def rule(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Enrolment by rule: GET with the rule shows the preview (counts, reasons, one page of one
    group); POST confirms it as a background job."""
    user = signed_in_user(request)
    policy_year: PolicyYear = load_in_scope(PolicyYear, user, pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    form = forms.RuleForm(source if "source" in source else None)
    area, foreign = area_of(request) if request.method == "GET" else (None, False)
    code = (source.get("code") or "").strip()[:32]
    preview = None
    if form.is_bound and form.is_valid() and not foreign:
        rule_ = form.rule(code)
        try:
            if request.method == "POST":
                return _confirm(request, policy_year, rule_)
            preview = services.rule_preview(
                actor=user,
                policy_year=policy_year,
                rule=rule_,
                group=request.GET.get("group", "added"),
                page=_int(request.GET.get("page")),
            )
        except ServiceError as exc:
            exc.add_to(form)
    context = {
        "policy_year": policy_year,
        "form": form,
        "preview": preview,
        "foreign": foreign,
        "area": area,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "reasons": services.by_rule.rules.LEFT_OUT,
        "groups": (
            ("added", gettext("将新增")),
            ("already", gettext("已参保")),
            ("left_out", gettext("不纳入")),
        ),
    }
    return render(request, "insurance/rule.html", context)


def _int(value: Any) -> int:
    try:
        return max(1, min(int(value or 1), 100_000_000))
    except (TypeError, ValueError):
        return 1


def _confirm(request: HttpRequest, policy_year: PolicyYear, rule_: Any) -> HttpResponseBase:
    user = signed_in_user(request)
    services.rule_check(actor=user, policy_year=policy_year, rule=rule_)
    job = job_enqueue(
        kind=jobs.ENROL_BY_RULE,
        actor=user,
        title=gettext("按规则参保：%(year)s") % {"year": policy_year},
        params={
            "policy_year": policy_year.pk,
            "rule": rule_.as_params(),
            "expected": _int(request.POST.get("expected"))
            if request.POST.get("expected")
            else None,
        },
    )
    return redirect(job_url(job))


@require_POST
@scoped_view(capability="insurance.manage")
def premium(request: HttpRequest, pk: int) -> HttpResponse:
    policy_year: PolicyYear = load_in_scope(PolicyYear, signed_in_user(request), pk=pk)
    form = forms.CloseForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.premium_post(
            actor=signed_in_user(request),
            policy_year=policy_year,
            version=form.cleaned_data.get("version"),
        ),
        done=lambda grant: (
            gettext("已提交基金资助申请%(number)s，金额%(amount)s元。")
            % {"number": grant.number, "amount": grant.amount}
        ),
        then=("insurance:year", policy_year.pk),
    )


@scoped_view(capability="insurance.manage")
def settings_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    current = Settings.current()
    form = forms.SettingsForm(
        request.POST or None,
        initial={"overdue_days": current.overdue_days, "version": current.version},
    )
    return form_action(
        request,
        form,
        call=lambda form: services.settings_update(
            actor=user,
            overdue_days=form.cleaned_data["overdue_days"],
            version=form.cleaned_data.get("version"),
        ),
        done=gettext("已保存。"),
        then="insurance:products",
        page=lambda: form_page(
            request, form, gettext("保险设置"), back=reverse("insurance:products")
        ),
    )
