"""Counts up the tree, groups, re-registration campaigns, the composition report, Excel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from fpa.accounts.requests import signed_in_user
from fpa.core import jobs
from fpa.core.actions import form_action
from fpa.core.errors import ServiceError
from fpa.core.excel.pages import ExportKind, ExportPage, ImportPage, export_page, import_page
from fpa.core.scope import in_scope, scoped_view
from fpa.members import composition as member_composition
from fpa.members import excel as member_excel
from fpa.members import forms, selectors, services
from fpa.members import jobs as member_jobs
from fpa.members.models import Member, Reregistration
from fpa.members.views.common import AREA_KINDS, _area, _holders
from fpa.migrants import selectors as migrant_selectors
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

# --- counts, groups, re-registration ----------------------------------------------------------


@scoped_view(capability="member.view")
def counts(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    area, foreign = _area(request)
    context: dict[str, Any] = {"area": area, "foreign": foreign}
    if area is not None:
        context["total"] = selectors.counts(user=user, association=area)
        context["rows"] = selectors.counts_by_child(user=user, association=area)
        context["kinds"] = Member.Kind.choices
        if user.has_capability("migrant.view"):
            # Beside the migrant members: the migrants in the register (流动人口登记), from the
            # migrants' one selector, per row's association.
            registered = migrant_selectors.migrant_counts(user=user, root=area)
            by_code = {row.code: row.total for row in registered.rows if not row.own}
            by_code[area.code] = sum(row.total for row in registered.rows if row.own)
            for row in context["rows"]:
                code = row.association.code if row.association else None
                row.registered_migrants = by_code.get(code, 0) if code else None
            context["registered_migrants"] = registered.total.total
    return render(request, "members/counts.html", context)


@scoped_view(capability="member.view")
def groups(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    can_edit = user.has_capability("member.edit")
    form = forms.GroupForm(request.POST or None, associations=_holders(user)) if can_edit else None

    def page() -> HttpResponse:
        context = {"groups": selectors.group_list(user=user), "form": form}
        return render(request, "members/groups.html", context)

    if form is None:
        if request.method == "POST":
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        return page()
    return form_action(
        request,
        form,
        call=lambda form: services.group_create(actor=user, **form.cleaned_data),
        done=lambda created: gettext("已建立会员小组「%(name)s」。") % {"name": created.name},
        then="members:groups",
        page=page,
    )


@scoped_view(capability="member.view")
def campaigns(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    can_edit = user.has_capability("member.edit")
    associations = org_selectors.association_choices(user=user, kinds=AREA_KINDS)
    form = forms.CampaignForm(request.POST or None, associations=associations) if can_edit else None

    def page() -> HttpResponse:
        context = {"campaigns": selectors.campaign_list(user=user), "form": form}
        return render(request, "members/campaigns.html", context)

    if form is None:
        if request.method == "POST":
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        return page()
    return form_action(
        request,
        form,
        call=lambda form: services.reregistration_start(actor=user, **form.cleaned_data),
        done=lambda campaign: gettext("已发起「%(name)s」。") % {"name": campaign.name},
        then=lambda campaign: ("members:campaign_detail", campaign.pk),
        page=page,
    )


@scoped_view(capability="member.view", model=Reregistration)
def campaign_detail(request: HttpRequest, pk: Reregistration) -> HttpResponse:
    campaign, user = pk, signed_in_user(request)
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
                member = selectors.member_by_card(user=user, card_number=card)
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
        "can_close": in_scope(user, campaign.association)
        and not campaign.closed_on
        and timezone.localdate() > campaign.end_date,
    }
    return render(request, "members/campaign_detail.html", context)


# --- composition (measure 14) -----------------------------------------------------------------


@scoped_view(capability="org.view")
def composition(request: HttpRequest) -> HttpResponse:
    """代表与理事构成（逐年）: ?code= an association in scope, ?year=; ?download=xlsx."""
    user = signed_in_user(request)
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
def import_members(request: HttpRequest) -> HttpResponseBase:
    return import_page(request, MEMBER_IMPORT)


MEMBER_EXPORT = ExportPage(
    title=gettext_lazy("导出会员"),
    intro=gettext_lazy(
        "导出您管辖范围内的个人会员，每人一行，格式与导入模板相同。默认打码：身份证号码和联系电话打码。"
    ),
    full_intro=gettext_lazy(
        "含完整的身份证号码和联系电话，可修改后重新导入。导出将记入审计日志，请妥善保管文件。"
    ),
    kinds=(
        ExportKind(
            key="1",
            job_kind=member_jobs.EXPORT,
            sheet=member_excel.MEMBER_SHEET,
            label=gettext_lazy("导出（打码）"),
            all_label=gettext_lazy("含待审批、失效、转出、退会、已故的会员"),
        ),
    ),
    import_capability="member.edit",
    imports=(("members:import", gettext_lazy("从Excel批量登记或修改会员")),),
)


@scoped_view(capability="member.view")
def export_members(request: HttpRequest) -> HttpResponse:
    """The page; ?download=1 the masked workbook; POST reveal=1 with a reason the full one."""
    return export_page(request, MEMBER_EXPORT)
