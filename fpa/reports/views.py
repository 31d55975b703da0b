"""The report pages: 本级上报 (the user's association's reports: open one, fill, submit), one
report (its figures with click-through, checks, history; review buttons for the level above; the
live figures beside a frozen report), 下级上报 (each subordinate's status for a kind and period),
归档 (every report, filtered, sorted, exported), and the county's custom kinds and due dates."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core import jobs, review
from fpa.core.errors import Conflict, ServiceError
from fpa.core.forms import DateInput
from fpa.core.scope import scoped_view
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.reports import excel, selectors, services
from fpa.reports import jobs as report_jobs
from fpa.reports.fields import Period, last_complete
from fpa.reports.kinds import Kind
from fpa.reports.models import CustomKind, Report

VIEW = "report.view"
LARGE_ROLLUP = 40  # more subordinates than this: the roll-up workbook is a background job
LARGE_EXPORT = 200  # more reports than this: the archive workbook is a background job


def _kind_and_period(
    request: HttpRequest, kinds: list[Kind], data: Any = None
) -> tuple[Kind, Period | None, str]:
    """?kind= (default the first) and ?period= (default its last complete period)."""
    data = request.GET if data is None else data
    wanted = (data.get("kind") or "")[:40]
    kind = next((k for k in kinds if k.key == wanted), kinds[0])
    try:
        return kind, selectors.period_of(kind, data.get("period")), ""
    except ValueError as exc:
        return kind, None, str(exc)


def _area(
    request: HttpRequest, name: str = "code", data: Any = None
) -> tuple[Association | None, bool]:
    code = ((request.GET if data is None else data).get(name) or "").strip()[:32]
    if not code:
        return None, False
    user = signed_in_user(request)
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    return found, found is None


# --- 本级上报 ---------------------------------------------------------------------------------


@scoped_view(capability=VIEW)
def own(request: HttpRequest) -> HttpResponse:
    """The kinds with the home association's report for each one's last complete period, and
    its filed reports (上报记录)."""
    user = signed_in_user(request)
    home = user.home_association
    today = timezone.localdate()
    rows = []
    if home is not None:
        wanted = [(kind, last_complete(kind.periodicity, today)) for kind in selectors.kinds(user)]
        reports = selectors.reports_of(user=user, association=home, wanted=wanted)
        dues = selectors.due_dates(home, wanted)
        for kind, period in wanted:
            report = reports.get((kind.key, period.key))
            rows.append(
                {
                    "kind": kind,
                    "period": period,
                    "report": report,
                    "due_on": report.due_on if report else dues[(kind.key, period.key)],
                }
            )
    history = (
        selectors.archive(
            user=user, filters=selectors.ArchiveFilters(association=home), sort="recent", size=20
        )
        if home is not None
        else None
    )
    context = {
        "home": home,
        "rows": rows,
        "history": history,
        "today": today,
        "can_submit": user.has_capability(services.SUBMIT)
        and home is not None
        and home.kind in selectors.FILERS,
        "kinds": selectors.kinds(user),
        "labels": selectors.kind_labels(),
    }
    return render(request, "reports/own.html", context)


@scoped_view(capability=services.SUBMIT)
def open_report(request: HttpRequest) -> HttpResponse:
    """POST: open the home association's report for a kind and period (GET: the own page)."""
    if request.method != "POST":
        return redirect("reports:own")
    user = signed_in_user(request)
    kind = selectors.kind_get((request.POST.get("kind") or "")[:40], user)
    if kind is None or user.home_association is None:
        messages.error(request, gettext("请选择报表。"))
        return redirect("reports:own")
    try:
        period = selectors.period_of(kind, request.POST.get("period"))
        report = services.report_open(
            actor=user, association=user.home_association, kind=kind, period=period
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("reports:own")
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("reports:own")
    return redirect("reports:detail", report.pk)


# --- one report -------------------------------------------------------------------------------


def _sheet_of(
    request: HttpRequest, report: Report, typed: dict[str, Any] | None = None, live: bool = False
) -> selectors.Sheet | None:
    kind = selectors.kind_get(report.kind)
    if kind is None:
        return None
    return selectors.sheet(
        user=signed_in_user(request),
        kind=kind,
        association=report.association,
        period=selectors.period_of(kind, report.period),
        report=report,
        typed=typed,
        live=live,
    )


def _detail_page(
    request: HttpRequest, report: Report, *, typed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    live = request.GET.get("live") == "1"
    sheet = _sheet_of(request, report, typed=typed, live=live)
    own_report = user.home_association_id == report.association_id
    context = {
        "report": report,
        "sheet": sheet,
        "steps": selectors.steps(report),
        "live": live,
        "typed": typed or {},
        "can_edit": report.editable and own_report and user.has_capability(services.SUBMIT),
        "can_review": review.may_review(user, report, services.REVIEW)
        and report.association.parent_id == user.home_association_id,
        "compare": live and not report.editable,
        "kind_label": selectors.kind_label(report.kind),
    }
    return render(request, "reports/detail.html", context, status=status)


@scoped_view(capability=VIEW, model=Report, as_="report")
def detail(request: HttpRequest, report: Report) -> HttpResponse:
    return _detail_page(request, report)


def _typed(request: HttpRequest) -> dict[str, str]:
    return {
        key[2:]: str(value)[:30]
        for key, value in request.POST.items()
        if key.startswith("f:") and len(key) < 90
    }


@require_POST
@scoped_view(capability=services.SUBMIT, model=Report, as_="report")
def save(request: HttpRequest, report: Report) -> HttpResponse:
    """保存草稿 or 上报 (the button pressed), with the typed figures."""
    user = signed_in_user(request)
    typed = _typed(request)
    version = _version(request)
    try:
        if request.POST.get("action") == "submit":
            services.report_submit(actor=user, report=report, values=typed, version=version)
            messages.success(request, gettext("已上报，等待上级审核。"))
        else:
            services.report_save(actor=user, report=report, values=typed, version=version)
            messages.success(request, gettext("草稿已保存。"))
    except Conflict as exc:  # submitted meanwhile, or a stale page: the report as it is now
        messages.error(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _detail_page(request, report, typed=_parsed_or_raw(report, typed), status=400)
    return redirect("reports:detail", report.pk)


def _parsed_or_raw(report: Report, typed: dict[str, str]) -> dict[str, Any]:
    """What the user typed, as numbers where they are numbers (shown again on the form)."""
    out: dict[str, Any] = {}
    for key, text in typed.items():
        try:
            out[key] = services.parse_value(text, key=key, label=key, money=True)
        except ServiceError:
            out[key] = None
    return out


def _version(request: HttpRequest) -> int | None:
    text = (request.POST.get("version") or "")[:9]
    return int(text) if text.isdigit() else None


@require_POST
@scoped_view(capability=services.REVIEW, model=Report, as_="report")
def accept(request: HttpRequest, report: Report) -> HttpResponse:
    try:
        services.report_accept(
            actor=signed_in_user(request), report=report, version=_version(request)
        )
        messages.success(request, gettext("已审核通过，报表已归档。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("reports:detail", report.pk)


@require_POST
@scoped_view(capability=services.REVIEW, model=Report, as_="report")
def send_back(request: HttpRequest, report: Report) -> HttpResponse:
    try:
        services.report_return(
            actor=signed_in_user(request),
            report=report,
            reason=(request.POST.get("reason") or "")[:600],
            version=_version(request),
        )
        messages.success(request, gettext("已退回，并通知填报单位。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("reports:detail", report.pk)


@scoped_view(capability=VIEW, model=Report, as_="report")
def export(request: HttpRequest, report: Report) -> HttpResponseBase:
    sheet = _sheet_of(request, report)
    if sheet is None:
        messages.error(request, gettext("该报表已停用。"))
        return redirect("reports:detail", report.pk)
    return excel.sheet_response(sheet)


# --- 下级上报 ---------------------------------------------------------------------------------


@scoped_view(capability=VIEW)
def below(request: HttpRequest) -> HttpResponseBase:
    """Each direct subordinate's report for a kind and period (?code= a level in the scope,
    default the user's own), late ones flagged; ?download=xlsx the roll-up workbook of the
    accepted reports (`live` below: the figures the records give now)."""
    user = signed_in_user(request)
    all_kinds = selectors.kinds(user)
    kind, period, error = _kind_and_period(request, all_kinds)
    area, foreign = _area(request)
    area = area or (None if foreign else user.home_association)
    rows: list[selectors.SubordinateRow] = []
    if area is not None and period is not None:
        rows = selectors.subordinates(user=user, association=area, kind=kind, period=period)
        if request.GET.get("download") == "xlsx":
            if len(rows) > LARGE_ROLLUP:
                title = gettext("汇总表：%(name)s %(kind)s %(period)s")
                return _enqueue(user, report_jobs.ROLLUP, title, area, kind, period)
            return excel.rollup_response(
                excel.rollup(user=user, association=area, kind=kind, period=period, rows=rows)
            )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    context = {
        "kinds": all_kinds,
        "kind": kind,
        "period": period,
        "period_text": request.GET.get("period") or (period.key if period else ""),
        "error": error,
        "area": area,
        "foreign": foreign,
        "rows": rows,
        "late": sum(1 for row in rows if row.late),
        "areas": org_selectors.area_options(user=user, kinds=selectors.FILERS),
        "counts": counts,
        "query": urlencode(
            {"kind": kind.key, "period": period.key if period else "", "code": area.code}
        )
        if area is not None
        else "",
    }
    return render(request, "reports/below.html", context)


@require_POST
@scoped_view(capability=VIEW)
def live(request: HttpRequest) -> HttpResponseBase:
    """The figures the records give now for each unit below the chosen level (kind, period and
    code posted from 下级上报): a derivation per unit, so a background job, whatever the size."""
    user = signed_in_user(request)
    kind, period, error = _kind_and_period(request, selectors.kinds(user), request.POST)
    area, foreign = _area(request, data=request.POST)
    area = area or (None if foreign else user.home_association)
    if period is None or area is None:
        messages.error(request, error or gettext("所选协会不存在或不在您的管辖范围内。"))
        return redirect("reports:below")
    title = gettext("实时数据：%(name)s %(kind)s %(period)s")
    return _enqueue(user, report_jobs.LIVE, title, area, kind, period)


def _enqueue(
    user: Any, job_kind: str, title: str, area: Association, kind: Kind, period: Period
) -> HttpResponseBase:
    """Start a roll-up job of `area` for `kind` and `period`; to its progress page."""
    label = kind.label if kind.custom else gettext(kind.label)
    job = jobs.job_enqueue(
        kind=job_kind,
        actor=user,
        title=title % {"name": area.name, "kind": label, "period": period.key},
        params={"code": area.code, "kind": kind.key, "period": period.key},
    )
    return redirect(jobs.job_url(job))


# --- 归档 -------------------------------------------------------------------------------------


class ArchiveForm(forms.Form):
    kind = forms.ChoiceField(label=_("报表"), required=False)
    period = forms.CharField(label=_("报告期"), required=False, max_length=10)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *review.Status.choices]
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(key, _(label)) for key, (label, _f, _d) in selectors.SORTS.items()],
    )

    def __init__(self, *args: Any, kinds: list[Kind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("全部")), *((k.key, _(k.label)) for k in kinds)]
        self.fields["kind"].choices = choices  # type: ignore[attr-defined]


@scoped_view(capability=VIEW)
def archive(request: HttpRequest) -> HttpResponseBase:
    user = signed_in_user(request)
    form = ArchiveForm(request.GET or None, kinds=selectors.kinds(user))
    area, foreign = _area(request)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ArchiveFilters(
        kind=data.get("kind") or "",
        period=(data.get("period") or "").strip(),
        association=area,
        status=data.get("status") or "",
    )
    if request.GET.get("download") == "xlsx" and not foreign:
        rows = selectors.archive_for_export(user=user, filters=filters)
        if rows[: LARGE_EXPORT + 1].count() > LARGE_EXPORT:
            job = jobs.job_enqueue(
                kind=report_jobs.ARCHIVE,
                actor=user,
                title=gettext("上报归档导出"),
                params={
                    "kind": filters.kind,
                    "period": filters.period,
                    "code": area.code if area else "",
                    "status": filters.status,
                },
            )
            return redirect(jobs.job_url(job))
        return excel.archive_response(rows)
    page = (
        None
        if foreign
        else selectors.archive(
            user=user,
            filters=filters,
            sort=data.get("sort") or "",
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    )
    query = request.GET.copy()
    for name in ("after", "before", "download"):
        query.pop(name, None)
    context = {
        "form": form,
        "page": page,
        "area": area,
        "foreign": foreign,
        "query": query.urlencode(),
        "labels": selectors.kind_labels(),
        "areas": org_selectors.area_options(user=user, kinds=selectors.FILERS),
    }
    return render(request, "reports/archive.html", context)


# --- the county's settings --------------------------------------------------------------------


class CustomKindForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=30, help_text=_("小写字母、数字、下划线"))
    name = forms.CharField(label=_("报表名称"), max_length=60)
    periodicity = forms.ChoiceField(label=_("周期"), choices=CustomKind.Periodicity.choices)
    fields_text = forms.CharField(
        label=_("指标"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        # The bar is a placeholder: the translations' source files use "|" as their separator.
        help_text=format_lazy(
            _("每行一个指标，指标名称与单位之间用竖线{bar}分隔，如：入户宣传{bar}户"), bar=" | "
        ),
    )

    def rows(self) -> list[tuple[str, str]]:
        out = []
        for line in self.cleaned_data["fields_text"].splitlines():
            label, _sep, unit = line.replace("\uff5c", "|").partition("|")
            out.append((label.strip(), unit.strip()))
        return out


class DueForm(forms.Form):
    kind = forms.ChoiceField(label=_("报表"))
    period = forms.CharField(label=_("报告期"), max_length=10)
    due_on = forms.DateField(label=_("截止日期"), widget=DateInput())

    def __init__(self, *args: Any, kinds: list[Kind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, _(k.label)) for k in kinds]  # type: ignore[attr-defined]


@scoped_view(capability="report.kinds")
def kinds(request: HttpRequest) -> HttpResponse:
    """The county's custom kinds (add one) and due dates (set one)."""
    user = signed_in_user(request)
    all_kinds = selectors.kinds(user)
    which = request.POST.get("form") if request.method == "POST" else ""
    kind_form = CustomKindForm(request.POST if which == "kind" else None, prefix="k")
    due_form = DueForm(request.POST if which == "due" else None, kinds=all_kinds, prefix="d")
    if which == "kind" and kind_form.is_valid():
        try:
            services.custom_kind_create(
                actor=user,
                code=kind_form.cleaned_data["code"],
                name=kind_form.cleaned_data["name"],
                periodicity=kind_form.cleaned_data["periodicity"],
                fields=kind_form.rows(),
            )
        except ServiceError as exc:
            exc.add_to(kind_form, {"fields": "fields_text"})
        else:
            messages.success(request, gettext("已新增自定义报表。"))
            return redirect("reports:kinds")
    if which == "active":
        return _set_active(request)
    if which == "due" and due_form.is_valid():
        chosen = selectors.kind_get(due_form.cleaned_data["kind"], user)
        try:
            if chosen is None:
                raise ServiceError(gettext("请选择报表。"), field="kind")
            try:
                period = selectors.period_of(chosen, due_form.cleaned_data["period"])
            except ValueError as exc:
                raise ServiceError(str(exc), field="period") from exc
            services.due_date_set(
                actor=user, kind=chosen, period=period, due_on=due_form.cleaned_data["due_on"]
            )
        except ServiceError as exc:
            exc.add_to(due_form)
        else:
            messages.success(request, gettext("已设置截止日期。"))
            return redirect("reports:kinds")
    status = 400 if which and request.method == "POST" else 200
    context = {
        "kinds": all_kinds,
        "own_kinds": selectors.custom_kinds_set_by(user),
        "kind_form": kind_form,
        "due_form": due_form,
        "today": timezone.localdate(),
    }
    return render(request, "reports/kinds.html", context, status=status)


def _set_active(request: HttpRequest) -> HttpResponse:
    """POST form=active: retire (active=0) or bring back (active=1) a custom kind set here."""
    user = signed_in_user(request)
    code = (request.POST.get("code") or "")[:30]
    found = selectors.custom_kinds_set_by(user).filter(code=code).first()
    if found is None:
        messages.error(request, gettext("记录不存在或不在您的管辖范围内。"))
        return redirect("reports:kinds")
    active = request.POST.get("active") == "1"
    try:
        services.custom_kind_set_active(actor=user, kind=found, active=active)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已启用。") if active else gettext("已停用。"))
    return redirect("reports:kinds")
