"""The pages of a transfer between associations (`fpa.core.transfers`), the same for every module:
the lists (incoming, outgoing, recently decided), a transfer's page with the receiver's accept or
decline and the sender's withdrawal, and the offer form. A module declares a `TransferPages` and
calls `lists_page`, `detail_page` and `offer_page` from its own scoped views; the templates are
`core/transfers.html`, `core/transfer_detail.html`, `core/transfer_offer.html`.

The receiving side reads only `pages.summary(transfer, sending)` before it accepts: what it needs
to decide, never ID or phone numbers.

The list filters (direction, status, requested and decided dates, the association at the other
end), sorts (whitelisted keys of `engine.SORTS`, ties broken on the id), pages (keyset, the filters
kept in the links) and exports (?export=xlsx, the list's rows in its order, the subject's name
masked, audited). Up to EXPORT_INLINE_LIMIT rows the workbook is the response; above, it is a
background job (`engine.EXPORT_JOB`, run by `run_export_job` as the user who asked). A bad filter
value is named in a warning and ignored; the export refuses while one is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import get_resolver
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from fpa.core import excel
from fpa.core import transfers as engine
from fpa.core.actors import Actor, actor_of
from fpa.core.audit import audit_record
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.excel.writer import XLSX, export_file
from fpa.core.forms import DateInput
from fpa.core.jobs import JobFailed, Progress, job_url
from fpa.core.masking import mask_name, mask_numbers_in_text
from fpa.core.models import AuditEvent, Job
from fpa.core.scope import in_scope, scope_path_of

# Above this many possible receivers the offer form asks for the association's code instead of
# offering a list (a province or the whole country: hundreds of thousands of villages).
PICKER_LIMIT = 3000
# Up to this many rows a list's export is written during the request; above, by a background job.
EXPORT_INLINE_LIMIT = 2000
PAGE_SIZE = 50
# The module's pages by their list's URL name: how a background export finds them again.
_PAGES: dict[str, TransferPages] = {}


@dataclass(frozen=True)
class TransferPages:
    """What a module's transfer pages say and link to."""

    kind: engine.TransferKind[Any, Any]
    title: Any  # lazy: "特殊家庭移交"
    intro: Any  # lazy: who sees what before accepting
    subject_label: Any  # lazy: "家庭"
    list_url: str  # "families:transfers"
    detail_url: str  # "families:transfer_detail"
    subject_url: str  # "families:detail"
    # Rows (label, value) of what the page shows; the receiving side before it accepts reads
    # these only. `sending` says whether the viewer is on the sending side.
    summary: Callable[[Any, bool], list[tuple[str, Any]]]
    accepted: Callable[[Any, Any], str]  # the message after accepting (transfer, result)
    # Where the receiving side goes after accepting: (url name, pk) of the record it now holds.
    after_accept: Callable[[Any, Any], tuple[str, int]]
    # The capability of the list (its export job checks it again); by default "<module>.view"
    # of the kind's accept capability ("family.edit" -> "family.view").
    view_capability: str = ""

    def __post_init__(self) -> None:
        _PAGES[self.list_url] = self

    @property
    def capability(self) -> str:
        return self.view_capability or self.kind.accept_capability.split(".")[0] + ".view"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("接收")), ("refuse", _("拒绝"))])
    reason = forms.CharField(label=_("拒绝原因"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "refuse" and len((data.get("reason") or "").strip()) < 2:
            self.add_error("reason", _("请填写拒绝接收的原因。"))
        return data


class TransferOfferForm(forms.Form):
    """The receiving association and the reason. `receivers` are the associations the record may
    go to (anywhere in the deployment); `picker` builds the module's association picker over
    them. With more than PICKER_LIMIT of them, the form asks for the code instead."""

    reason = forms.CharField(label=_("移交原因"), max_length=300, min_length=2)

    def __init__(
        self,
        *args: Any,
        receivers: QuerySet[Any],
        picker: Callable[[QuerySet[Any]], forms.Field],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.receivers = receivers
        many = len(receivers.values_list("pk", flat=True)[: PICKER_LIMIT + 1]) > PICKER_LIMIT
        if many:
            field: forms.Field = forms.CharField(
                label=_("接收协会编码"),
                max_length=32,
                help_text=_("接收协会的编码，可在“协会网络”中查到；可以是其他乡镇、其他县的协会"),
            )
        else:
            field = picker(receivers)
            field.label = _("接收协会")
            field.help_text = _("可以选择其他乡镇的协会；输入名称或拼音首字母可筛选")
        self.fields = {"to_association": field, **self.fields}
        self.by_code = many

    def clean_to_association(self) -> Any:
        value = self.cleaned_data["to_association"]
        if not self.by_code:
            return value
        code = str(value).strip()
        if not (code.isascii() and code.isdigit()):
            raise ValidationError(_("协会编码应为数字。"))
        found = self.receivers.filter(code=code).first()
        if found is None:
            raise ValidationError(_("没有这个编码、可以接收的在用协会。"))
        return found


class TransferFilterForm(forms.Form):
    """The list's GET filters. A value that does not validate is named and ignored; the others
    apply."""

    direction = forms.ChoiceField(
        label=_("方向"),
        required=False,
        choices=[
            ("", _("全部")),
            (engine.INCOMING, _("转入本协会")),
            (engine.OUTGOING, _("本协会转出")),
        ],
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *engine.TransferStatus.choices]
    )
    requested_from = forms.DateField(label=_("申请日期从"), required=False, widget=DateInput)
    requested_to = forms.DateField(label=_("申请日期至"), required=False, widget=DateInput)
    decided_from = forms.DateField(label=_("处理日期从"), required=False, widget=DateInput)
    decided_to = forms.DateField(label=_("处理日期至"), required=False, widget=DateInput)
    other = forms.CharField(
        label=_("对方协会编码"),
        required=False,
        max_length=32,
        help_text=_("转出或转入的另一方协会的编码"),
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(key, label) for key, (label, _column, _desc) in engine.SORTS.items()],
    )

    # "declined" is what the other modules' lists and the brief call a refusal.
    ALIASES = {"status": {"declined": engine.TransferStatus.REFUSED}}

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            for name, aliases in self.ALIASES.items():
                value = data.get(name)
                if value in aliases:
                    data[name] = aliases[value]
        super().__init__(data, **kwargs)

    def clean_other(self) -> str:
        code = (self.cleaned_data.get("other") or "").strip()
        if code and not (code.isascii() and code.isdigit()):
            raise ValidationError(_("协会编码应为数字。"))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in (("requested_from", "requested_to"), ("decided_from", "decided_to")):
            first, last = data.get(start), data.get(end)
            if first and last and first > last:
                self.add_error(end, _("结束日期不能早于开始日期。"))
        return data

    def values(self) -> tuple[engine.TransferFilters, str]:
        """The filters and the sort key of the fields that validated (the others are ignored)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        filters = engine.TransferFilters(
            direction=data.get("direction") or "",
            status=data.get("status") or "",
            requested_from=data.get("requested_from"),
            requested_to=data.get("requested_to"),
            decided_from=data.get("decided_from"),
            decided_to=data.get("decided_to"),
            other=data.get("other") or "",
        )
        return filters, data.get("sort") or engine.DEFAULT_SORT

    @property
    def invalid(self) -> bool:
        return self.is_bound and not self.is_valid()


def lists_page(request: HttpRequest, pages: TransferPages) -> HttpResponseBase:
    """The module's transfers seen from the user's subtree, both directions, filtered, sorted,
    paged; ?export=xlsx the same rows as a workbook."""
    user = actor_of(request)
    form = TransferFilterForm(request.GET or None)
    filters, sort = form.values()
    if request.GET.get("export") == "xlsx":
        if form.invalid:
            messages.error(request, gettext("筛选条件有误，未导出。"))
            return redirect(pages.list_url)
        return _export(request, pages, user, filters, sort)
    page = engine.transfer_page(
        pages.kind,
        user=user,
        filters=filters,
        sort=sort,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    context = {
        "pages": pages,
        "form": form,
        "invalid": form.invalid,
        "page": page,
        "waiting": engine.incoming_count(pages.kind, user=user),
        "filtered": any(filters.as_params().values()),
    }
    return render(request, "core/transfers.html", context)


# --- the export ----------------------------------------------------------------------------------


def _subject(transfer: Any) -> str:
    """The record as the list names it, masked as a name: no full name leaves in a workbook."""
    name = str(transfer.subject_name or "")
    return "" if name in ("", "—") else mask_name(name)


def _free_text(value: Any) -> str:
    return mask_numbers_in_text(str(value or ""))


def export_sheet(pages: TransferPages) -> excel.Sheet:
    """The workbook of a module's transfer list (headers in Chinese, whatever the language)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = str(pages.title)
    return excel.Sheet(
        title=title,
        columns=(
            excel.Column("移交对象", "subject", export=_subject, width=14),
            excel.Column(
                "转出协会编码", "from_code", export=lambda t: t.from_association.code, width=16
            ),
            excel.Column(
                "转出协会", "from_name", export=lambda t: t.from_association.name, width=22
            ),
            excel.Column(
                "转入协会编码", "to_code", export=lambda t: t.to_association.code, width=16
            ),
            excel.Column("转入协会", "to_name", export=lambda t: t.to_association.name, width=22),
            excel.Column("移交原因", "reason", export=lambda t: _free_text(t.reason), width=28),
            excel.Column("申请日期", "requested_on", kind=excel.DATE, width=12),
            excel.Column("状态", "status", export=lambda t: t.get_status_display(), width=10),
            excel.Column("处理日期", "decided_on", kind=excel.DATE, width=12),
            excel.Column(
                "拒绝或撤回原因",
                "refusal_reason",
                export=lambda t: _free_text(t.refusal_reason),
                width=28,
            ),
        ),
        key=(),
        notes=("本表为导出，供汇总和核对使用；移交对象的姓名已打码，不含身份证号码和联系电话。",),
    )


def _audit_export(
    user: Actor, pages: TransferPages, filters: engine.TransferFilters, sort: str, count: int
) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = str(pages.title)
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        object_type=pages.kind.model._meta.label_lower,
        object_repr=f"导出{title}{count}条（姓名打码）",
        changes={"rows": count, "filters": filters.as_params(), "sort": sort},
        scope_path=scope_path_of(user) or "",
    )


def _export(
    request: HttpRequest,
    pages: TransferPages,
    user: Actor,
    filters: engine.TransferFilters,
    sort: str,
) -> HttpResponseBase:
    rows = engine.transfers_for_export(pages.kind, user=user, filters=filters, sort=sort)
    if len(rows.values_list("pk", flat=True)[: EXPORT_INLINE_LIMIT + 1]) > EXPORT_INLINE_LIMIT:
        sheet = export_sheet(pages)
        job = exports.start_export(
            kind=engine.EXPORT_JOB,
            actor=user,
            title=exports.export_title(sheet),
            params={"list": pages.list_url, "filters": filters.as_params(), "sort": sort},
        )
        return redirect(job_url(job))
    with translation.override(settings.LANGUAGE_CODE):
        handle, name, count = export_file(export_sheet(pages), rows, actor=user)
        _audit_export(user, pages, filters, sort, count)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


UNKNOWN_LIST = gettext_noop("该移交列表已不存在，无法导出。")


def _pages_named(list_url: str) -> TransferPages | None:
    """The pages a module declared for this list; loading the URL configuration imports every
    module's views (a worker process may not have yet)."""
    if list_url not in _PAGES:
        get_resolver().url_patterns  # noqa: B018 - imports the views, which declare their pages
    return _PAGES.get(list_url)


@exports.in_chinese
def run_export_job(job: Job, progress: Progress) -> dict[str, Any]:
    """A large export, read again as the user who asked with the list's filters and order."""
    params = job.params
    pages = _pages_named(str(params.get("list") or ""))
    if pages is None:
        raise JobFailed(UNKNOWN_LIST)
    user = exports.job_owner(job, pages.capability)
    try:
        filters = engine.TransferFilters.from_params(params.get("filters") or {})
    except (TypeError, ValueError) as exc:
        raise JobFailed(UNKNOWN_LIST) from exc
    sort = str(params.get("sort") or engine.DEFAULT_SORT)
    rows = engine.transfers_for_export(pages.kind, user=user, filters=filters, sort=sort)
    result = exports.export_to_job(progress, export_sheet(pages), rows, actor=user)
    _audit_export(user, pages, filters, sort, int(result["rows"]))
    return result


def detail_page(request: HttpRequest, pages: TransferPages, transfer: Any) -> HttpResponse:
    """A transfer's page; POST decision=accept|refuse (receiving side) or cancel (sending)."""
    user, kind = actor_of(request), pages.kind
    receiving = in_scope(user, transfer.to_association)
    sending = in_scope(user, transfer.from_association)
    open_ = transfer.is_open
    accepted = transfer.status == engine.TransferStatus.ACCEPTED
    may_decide = open_ and receiving and user.has_capability(kind.accept_capability)
    may_cancel = open_ and sending and user.has_capability(kind.offer_capability)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not open_:
            messages.error(request, gettext(kind.texts.decided))
            return redirect(pages.detail_url, pk=transfer.pk)
        if request.POST.get("decision") == "cancel" and may_cancel:
            try:
                engine.cancel(
                    kind,
                    actor=user,
                    transfer=transfer,
                    reason=request.POST.get("reason") or gettext("转出协会撤回"),
                )
                messages.success(request, gettext("已撤回移交申请。"))
            except ServiceError as exc:
                messages.error(request, exc.message)
            return redirect(pages.detail_url, pk=transfer.pk)
        if not may_decide:
            raise PermissionDenied(gettext("只有接收协会可以接收或拒绝。"))
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    result = engine.accept(kind, actor=user, transfer=transfer)
                    transfer.refresh_from_db()  # what the acceptance wrote on it
                    messages.success(request, pages.accepted(transfer, result))
                    name, pk = pages.after_accept(transfer, result)
                    return redirect(name, pk=pk)
                engine.decline(
                    kind, actor=user, transfer=transfer, reason=form.cleaned_data["reason"]
                )
                messages.success(request, gettext("已拒绝接收，记录仍留在转出协会。"))
                return redirect(pages.detail_url, pk=transfer.pk)
            except ServiceError as exc:
                exc.add_to(form)
    context = {
        "pages": pages,
        "transfer": transfer,
        "summary": pages.summary(transfer, sending),
        "sending": sending,
        "receiving": receiving,
        # The record is readable on the sending side until it moves, on the receiving side after.
        "subject_link": (sending and not accepted) or (receiving and accepted),
        "subject_id": kind.subject_id(transfer),
        "can_decide": may_decide,
        "can_cancel": may_cancel,
        "form": form,
    }
    return render(request, "core/transfer_detail.html", context)


def offer_page(
    request: HttpRequest,
    pages: TransferPages,
    form: forms.Form,
    *,
    subject: Any,
    subject_name: str,
    call: Callable[[forms.Form], Any],
    note: str,
) -> HttpResponse:
    """The offer form of one record: on success, the new transfer's page."""
    if request.method == "POST" and form.is_valid():
        try:
            transfer = call(form)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(
                request,
                gettext("已向%(association)s发出移交申请，等待对方接收。")
                % {"association": transfer.to_association.name},
            )
            return redirect(pages.detail_url, pk=transfer.pk)
    context = {
        "pages": pages,
        "form": form,
        "subject": subject,
        "title": gettext("移交：%(name)s") % {"name": subject_name},
        "note": note,
    }
    return render(request, "core/transfer_offer.html", context)
