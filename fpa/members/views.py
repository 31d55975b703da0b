"""The member pages (会员): register, applications and council approval, the member's file,
groups, transfers, re-registration, counts rolled up the tree and the composition report.

Staff pages need `member.view` / `member.edit` / `member.approve` in scope. A transfer is loaded
through `Transfer.objects.visible_to`, which admits both the sending and the receiving subtree;
the receiving side sees only `selectors.transfer_summary` until it accepts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.core import jobs
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.excel.pages import ImportPage, import_page
from fpa.core.scope import scope_path_of, scoped_view
from fpa.core.services import protected_reveal
from fpa.members import composition as member_composition
from fpa.members import excel as member_excel
from fpa.members import forms, selectors, services
from fpa.members import jobs as member_jobs
from fpa.members.models import Member, MemberGroup, Reregistration, Transfer
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

MEMBER = {"model": Member}
AREA_KINDS = (Association.Kind.COUNTY, Association.Kind.TOWNSHIP, *services.MEMBER_HOLDERS)


def _area(request: HttpRequest) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope (or the user's own), and whether a code
    was given that is not in the scope."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return request.user.home_association, False
    found = org_selectors.association_choices(user=request.user).filter(code=code).first()
    return found, found is None


def _holders(user: Any) -> QuerySet:
    return org_selectors.association_choices(user=user, kinds=services.MEMBER_HOLDERS)


def _in_scope(user: Any, association: Association) -> bool:
    path = scope_path_of(user)
    return path is not None and association.path.startswith(path)


def _may_decide(user: Any, association: Association) -> bool:
    home = user.home_association
    return (
        user.has_capability("member.approve")
        and home is not None
        and home.pk in (association.pk, association.parent_id)
    )


# --- the register -----------------------------------------------------------------------------


@scoped_view(capability="member.view")
def member_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.MemberFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area, foreign = _area(request)
    code_given = bool(request.GET.get("code"))
    status = data.get("status", "") if "status" in request.GET else Member.Status.ACTIVE
    page = selectors.member_list(
        user=user,
        association=area if code_given else None,
        status=status,
        kind=data.get("kind", ""),
        query=data.get("q", ""),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "area": area if code_given else None,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "foreign": foreign,
        "status": status,
        "can_edit": user.has_capability("member.edit"),
        "can_approve": user.has_capability("member.approve"),
    }
    template = "members/_rows.html" if request.htmx else "members/list.html"
    return render(request, template, context)


@scoped_view(capability="member.edit")
def apply(request: HttpRequest) -> HttpResponse:
    form = forms.ApplyForm(request.POST or None, associations=_holders(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_apply(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(
                request,
                gettext("已登记 %(name)s 的入会申请，等待理事会审批。") % {"name": member.name},
            )
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "title": gettext("入会申请")})


@scoped_view(capability="member.approve")
def pending(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = [
        {"member": m, "may_decide": _may_decide(user, m.association)}
        for m in selectors.pending_list(user=user)
    ]
    return render(request, "members/pending.html", {"rows": rows})


@scoped_view(capability="member.view", **MEMBER)
def detail(request: HttpRequest, pk: Member) -> HttpResponse:
    member, user = pk, request.user
    context = {
        "member": member,
        **selectors.member_detail(user=user, member=member),
        "can_edit": user.has_capability("member.edit") and member.status in Member.LIVE,
        "can_decide": member.status == Member.Status.PENDING
        and _may_decide(user, member.association),
        "can_reveal": user.has_capability("personal.reveal"),
        "reject_form": forms.RejectForm(),
    }
    return render(request, "members/detail.html", context)


def _form_page(request: HttpRequest, form: Any, title: str, member: Member, **extra: Any) -> Any:
    context = {"form": form, "title": title, "member": member, **extra}
    return render(request, "members/form.html", context)


@scoped_view(capability="member.edit", **MEMBER)
def edit(request: HttpRequest, pk: Member) -> HttpResponse:
    member = pk
    form = forms.EditForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                actor=request.user,
                member=member,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("members:detail", pk=member.pk)
    return _form_page(
        request, form, gettext("修改会员信息：%(name)s") % {"name": member.name}, member
    )


@require_POST
@scoped_view(capability="member.approve", **MEMBER)
def approve(request: HttpRequest, pk: Member) -> HttpResponse:
    try:
        member = services.member_approve(actor=request.user, member=pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, gettext("已批准入会，会员证号 %(card)s。") % {"card": member.card_number}
        )
    return redirect("members:detail", pk=pk.pk)


@scoped_view(capability="member.approve", **MEMBER)
def reject(request: HttpRequest, pk: Member) -> HttpResponse:
    member = pk
    form = forms.RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_reject(actor=request.user, member=member, **form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("已记录不予批准及原因。"))
            return redirect("members:detail", pk=member.pk)
    return _form_page(request, form, gettext("不予批准：%(name)s") % {"name": member.name}, member)


@scoped_view(capability="member.edit", **MEMBER)
def status(request: HttpRequest, pk: Member) -> HttpResponse:
    member = pk
    form = forms.StatusForm(request.POST or None, initial={"effective_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_change_status(actor=request.user, member=member, **form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("状态已变更，变更记录已保存。"))
            return redirect("members:detail", pk=member.pk)
    note = gettext("当前状态：%(status)s。转会请使用“转会”。") % {
        "status": member.get_status_display()
    }
    return _form_page(
        request, form, gettext("变更会员状态：%(name)s") % {"name": member.name}, member, note=note
    )


@scoped_view(capability="member.edit", **MEMBER)
def transfer(request: HttpRequest, pk: Member) -> HttpResponse:
    member = pk
    form = forms.TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.transfer_request(
                actor=request.user,
                member=member,
                to_association=form.cleaned_data["to_code"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            exc.add_to(form, {"to_association": "to_code"})
        else:
            messages.success(
                request,
                gettext("已向%(association)s发出转会申请，等待对方接收。")
                % {"association": item.to_association.name},
            )
            return redirect("members:transfer_detail", pk=item.pk)
    note = gettext(
        "对方协会接收前，会员仍属本协会；对方只能看到姓名、性别、出生年份、会员类型和转会原因。"
    )
    return _form_page(
        request, form, gettext("转会：%(name)s") % {"name": member.name}, member, note=note
    )


@scoped_view(capability="member.edit", **MEMBER)
def group(request: HttpRequest, pk: Member) -> HttpResponse:
    member = pk
    groups = MemberGroup.objects.visible_to(request.user).filter(
        association=member.association, dissolved_on__isnull=True
    )
    form = forms.GroupAssignForm(
        request.POST or None, groups=groups, initial={"group": member.group_id}
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["group"]
        try:
            services.group_assign(actor=request.user, member=member, group=chosen)
            if chosen is not None and form.cleaned_data["leader"]:
                member.refresh_from_db()
                services.group_set_leader(actor=request.user, group=chosen, leader=member)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("members:detail", pk=member.pk)
    return _form_page(request, form, gettext("会员小组：%(name)s") % {"name": member.name}, member)


@require_POST
@scoped_view(capability="member.view", **MEMBER)
def reveal(request: HttpRequest, pk: Member, field: str) -> HttpResponse:
    if field not in ("id_number", "phone"):
        return HttpResponse(gettext("字段不存在。"), status=404)
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(gettext("请填写查看原因。"), status=400)
    try:
        value = protected_reveal(
            actor=request.user,
            obj=pk,
            field=field,
            reason=form.cleaned_data["reason"],
            scope_path=pk.association.path,
        )
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "families/_revealed.html", {"value": value})


# --- transfers --------------------------------------------------------------------------------


@scoped_view(capability="member.view")
def transfers(request: HttpRequest) -> HttpResponse:
    lists = selectors.transfer_lists(user=request.user)
    return render(request, "members/transfers.html", lists)


@scoped_view(capability="member.view", model=Transfer)
def transfer_detail(request: HttpRequest, pk: Transfer) -> HttpResponse:
    item, user = pk, request.user
    receiving = _in_scope(user, item.to_association)
    sending = _in_scope(user, item.from_association)
    open_ = item.status == Transfer.Status.REQUESTED
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST":
        if not open_:
            messages.error(request, gettext("该转会申请已处理。"))
            return redirect("members:transfer_detail", pk=item.pk)
        action = request.POST.get("decision")
        if action == "cancel" and sending and user.has_capability("member.edit"):
            try:
                services.transfer_cancel(
                    actor=user, transfer=item, reason=request.POST.get("reason") or "撤回"
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            return redirect("members:transfer_detail", pk=item.pk)
        if not (receiving and user.has_capability("member.approve")):
            raise PermissionDenied(gettext("只有转入协会可以接收或拒绝。"))
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    new = services.transfer_accept(actor=user, transfer=item)
                    messages.success(
                        request,
                        gettext("已接收，新会员证号 %(card)s。") % {"card": new.card_number},
                    )
                    return redirect("members:detail", pk=new.pk)
                services.transfer_refuse(
                    actor=user, transfer=item, reason=form.cleaned_data["reason"]
                )
                messages.success(request, gettext("已拒绝接收。"))
                return redirect("members:transfer_detail", pk=item.pk)
            except ServiceError as exc:
                exc.add_to(form)
    context = {
        "transfer": item,
        "summary": selectors.transfer_summary(item),
        "sending": sending,
        "receiving": receiving,
        "can_decide": open_ and receiving and user.has_capability("member.approve"),
        "can_cancel": open_ and sending and user.has_capability("member.edit"),
        "form": form,
    }
    return render(request, "members/transfer_detail.html", context)


# --- counts, groups, re-registration ----------------------------------------------------------


@scoped_view(capability="member.view")
def counts(request: HttpRequest) -> HttpResponse:
    user = request.user
    area, foreign = _area(request)
    context: dict[str, Any] = {"area": area, "foreign": foreign}
    if area is not None:
        context["total"] = selectors.counts(user=user, association=area)
        context["rows"] = selectors.counts_by_child(user=user, association=area)
        context["kinds"] = Member.Kind.choices
    return render(request, "members/counts.html", context)


@scoped_view(capability="member.view")
def groups(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_edit = user.has_capability("member.edit")
    form = forms.GroupForm(request.POST or None, associations=_holders(user)) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        if form.is_valid():
            try:
                created = services.group_create(actor=user, **form.cleaned_data)
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(
                    request, gettext("已建立会员小组「%(name)s」。") % {"name": created.name}
                )
                return redirect("members:groups")
    context = {"groups": selectors.group_list(user=user), "form": form}
    return render(request, "members/groups.html", context)


@scoped_view(capability="member.view")
def campaigns(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_edit = user.has_capability("member.edit")
    associations = org_selectors.association_choices(user=user, kinds=AREA_KINDS)
    form = forms.CampaignForm(request.POST or None, associations=associations) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        if form.is_valid():
            try:
                campaign = services.reregistration_start(actor=user, **form.cleaned_data)
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(request, gettext("已发起「%(name)s」。") % {"name": campaign.name})
                return redirect("members:campaign_detail", pk=campaign.pk)
    context = {"campaigns": selectors.campaign_list(user=user), "form": form}
    return render(request, "members/campaigns.html", context)


@scoped_view(capability="member.view", model=Reregistration)
def campaign_detail(request: HttpRequest, pk: Reregistration) -> HttpResponse:
    campaign, user = pk, request.user
    if request.method == "POST":
        if not user.has_capability("member.edit"):
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        try:
            if request.POST.get("action") == "close":
                lapsed = services.reregistration_close(actor=user, campaign=campaign)
                messages.success(
                    request,
                    gettext("重新登记已结束，%(count)s名未确认的会员已失效。") % {"count": lapsed},
                )
            else:
                card = (request.POST.get("card_number") or "").strip()[:40]
                member = (
                    Member.objects.visible_to(user)
                    .select_related("association")
                    .filter(card_number=card)
                    .first()
                )
                if member is None:
                    raise ServiceError(gettext("会员证号不存在或不在您的管辖范围内。"))
                services.reregistration_confirm(actor=user, campaign=campaign, member=member)
                messages.success(
                    request, gettext("%(name)s 已确认重新登记。") % {"name": member.name}
                )
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("members:campaign_detail", pk=campaign.pk)
    context = {
        "campaign": campaign,
        "rows": selectors.campaign_progress(user=user, campaign=campaign),
        "can_edit": user.has_capability("member.edit") and not campaign.closed_on,
        "can_close": _in_scope(user, campaign.association)
        and not campaign.closed_on
        and timezone.localdate() > campaign.end_date,
    }
    return render(request, "members/campaign_detail.html", context)


# --- composition (measure 14) -----------------------------------------------------------------


@scoped_view(capability="org.view")
def composition(request: HttpRequest) -> HttpResponse:
    """代表与理事构成（逐年）: ?code= an association in scope, ?year=; ?download=xlsx."""
    user = request.user
    area, foreign = _area(request)
    today = timezone.localdate()
    error, report = "", None
    try:
        year = member_composition.parse_year((request.GET.get("year") or "")[:10], today=today)
    except ValueError as exc:
        year, error = today.year, str(exc)
    if area is not None and not error:
        if request.GET.get("download") == "xlsx":  # built by a background job, in Chinese
            job = jobs.job_enqueue(
                kind=member_jobs.COMPOSITION,
                actor=user,
                title=gettext("代表与理事构成：%(name)s %(year)s年")
                % {"name": area.name, "year": year},
                params={"code": area.code, "year": year},
            )
            return redirect(jobs.job_url(job))
        report = member_composition.composition_report(user=user, root=area, year=year)
    context = {
        "area": area,
        "foreign": foreign,
        "error": error,
        "report": report,
        "year": year,
        "bodies": member_composition.BODIES,
        "sources": [(s.value, s.label) for s in member_composition.SOURCES],
        "areas": org_selectors.area_options(
            user=user, kinds=(Association.Kind.COUNTY, Association.Kind.TOWNSHIP)
        ),
    }
    return render(request, "members/composition.html", context)


# --- Excel ------------------------------------------------------------------------------------

MEMBER_IMPORT = ImportPage(
    kind="members.members",
    sheet=member_excel.MEMBER_SHEET,
    importer=member_excel.MemberImporter,
    template="members/import.html",
    blank=member_excel.members_template,
    page_url="members:import",
    done_url="members:list",
    done_message=lambda r: (
        gettext("导入完成：新登记%(created)s名会员，修改%(updated)s名，%(unchanged)s名未变化。")
        % {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
    ),
)


@scoped_view(capability="member.edit")
def import_members(request: HttpRequest) -> HttpResponse:
    return import_page(request, MEMBER_IMPORT)


@scoped_view(capability="member.view")
def export_members(request: HttpRequest) -> HttpResponse:
    """GET: the export page; GET ?download=1: the masked workbook; POST with reveal=1 and a
    reason: the full workbook (personal.reveal only, audited)."""
    source = request.POST if request.method == "POST" else request.GET
    can_reveal = request.user.has_capability("personal.reveal")
    if request.method == "POST" or source.get("download") == "1":
        reveal = request.method == "POST" and source.get("reveal") == "1"
        if reveal and not can_reveal:
            raise PermissionDenied(gettext("您没有导出完整个人信息的权限。"))
        try:
            job = exports.start_export(
                kind=member_jobs.EXPORT,
                actor=request.user,
                title=exports.export_title(member_excel.MEMBER_SHEET, reveal=reveal),
                params={"all": source.get("all") == "1"},
                reveal=reveal,
                reason=(source.get("reason") or "")[:500],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(jobs.job_url(job))
    context = {"can_reveal": can_reveal, "can_import": request.user.has_capability("member.edit")}
    return render(request, "members/export.html", context)
