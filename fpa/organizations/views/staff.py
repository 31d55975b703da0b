"""Staff: list, Excel, one staff member, reveal, trainings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action
from fpa.core.excel.pages import ExportKind, ExportPage, ImportPage, export_page, import_page
from fpa.core.reveal import RevealForm, reveal_response
from fpa.core.scope import scoped_view
from fpa.organizations import excel, forms, selectors, services
from fpa.organizations import jobs as org_jobs
from fpa.organizations.models import Association, StaffMember
from fpa.organizations.views.common import ASSOCIATION, _form_page

# --- staff ------------------------------------------------------------------------------------


@scoped_view(capability="org.view")
def staff_list(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "")[:50]
    current_only = request.GET.get("all") != "1"
    page = selectors.staff_list(
        user=signed_in_user(request),
        query=query,
        current_only=current_only,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(
        request,
        "organizations/staff_list.html",
        {"page": page, "q": query, "current_only": current_only},
    )


STAFF_IMPORT = ImportPage(
    kind="organizations.staff",
    sheet=excel.STAFF_SHEET,
    importer=excel.StaffImporter,
    template="organizations/staff_import.html",
    blank=excel.staff_template,
    page_url="organizations:staff_import",
    done_url="organizations:staff_list",
    done_message=lambda r: (
        gettext("导入完成：新增%(created)s人，修改%(updated)s人，%(unchanged)s人未变化。")
        % {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
    ),
)


@scoped_view(capability="staff.edit")
def staff_import(request: HttpRequest) -> HttpResponseBase:
    return import_page(request, STAFF_IMPORT)


STAFF_EXPORT = ExportPage(
    title=gettext_lazy("导出工作人员"),
    intro=gettext_lazy(
        "导出您管辖范围内的工作人员，格式与导入模板相同。身份证号码和联系电话默认打码。"
    ),
    full_intro=gettext_lazy(
        "含完整的身份证号码和联系电话，可修改后重新导入。导出将记入审计日志，请妥善保管文件。"
    ),
    kinds=(
        ExportKind(
            key="1",
            job_kind=org_jobs.STAFF_EXPORT,
            sheet=excel.STAFF_SHEET,
            label=gettext_lazy("导出（打码）"),
            all_label=gettext_lazy("含已离任"),
        ),
    ),
    import_capability="staff.edit",
    imports=(("organizations:staff_import", gettext_lazy("从Excel导入或批量修改工作人员")),),
)


@scoped_view(capability="org.view")
def staff_export(request: HttpRequest) -> HttpResponse:
    """The page; ?download=1 the masked workbook; POST reveal=1 with a reason the full one."""
    return export_page(request, STAFF_EXPORT)


def _staff_data(form: forms.StaffForm) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    data["id_number"] = data.get("id_number") or None
    data["phone"] = data.get("phone") or None
    return data


@scoped_view(capability="staff.edit", **ASSOCIATION, as_="association")
def staff_create(request: HttpRequest, association: Association) -> HttpResponse:
    form = forms.StaffForm(request.POST or None, initial={"term_start": timezone.localdate()})
    title = gettext("登记工作人员：%(name)s") % {"name": association.name}
    return form_action(
        request,
        form,
        call=lambda form: services.staff_create(
            actor=signed_in_user(request), association=association, **_staff_data(form)
        ),
        done=lambda staff: gettext("已登记 %(name)s。") % {"name": staff.name},
        then=lambda staff: ("organizations:staff_detail", staff.pk),
        page=lambda: _form_page(request, form, title, association),
    )


@scoped_view(capability="org.view", model=StaffMember)
def staff_detail(request: HttpRequest, pk: StaffMember) -> HttpResponse:
    return render(
        request,
        "organizations/staff_detail.html",
        {
            "staff": pk,
            "trainings": pk.trainings.all()[:50],
            "reveal_form": RevealForm(),
            "can_edit": signed_in_user(request).has_capability("staff.edit"),
            "can_reveal": signed_in_user(request).has_capability("personal.reveal"),
        },
    )


@scoped_view(capability="staff.edit", model=StaffMember, as_="staff")
def staff_edit(request: HttpRequest, staff: StaffMember) -> HttpResponse:
    initial = {
        "name": staff.name,
        "sex": staff.sex,
        "post": staff.post,
        "employment": staff.employment,
        "presides_daily_work": staff.presides_daily_work,
        "term_start": staff.term_start,
        "term_end": staff.term_end,
        "version": staff.version,
    }
    form = forms.StaffForm(request.POST or None, initial=initial)
    for name in ("id_number", "phone"):
        current = getattr(staff, name) or gettext("未填写")
        form.fields[name].help_text = gettext("当前：%(value)s；留空则不修改") % {"value": current}

    def changes(form: forms.StaffForm) -> dict[str, Any]:
        """An empty ID number or phone keeps the stored one."""
        data = _staff_data(form)
        return {k: v for k, v in data.items() if not (k in ("id_number", "phone") and v is None)}

    return form_action(
        request,
        form,
        call=lambda form: services.staff_update(
            actor=signed_in_user(request),
            staff=staff,
            expected_version=form.cleaned_data["version"],
            **changes(form),
        ),
        done=gettext("已保存。"),
        then=("organizations:staff_detail", staff.pk),
        page=lambda: _form_page(
            request, form, gettext("修改：%(name)s") % {"name": staff.name}, staff.association
        ),
    )


@scoped_view(capability="staff.edit", model=StaffMember, as_="staff")
def staff_end(request: HttpRequest, staff: StaffMember) -> HttpResponse:
    form = forms.EndTermForm(request.POST or None, initial={"left_on": timezone.localdate()})
    return form_action(
        request,
        form,
        call=lambda form: services.staff_end_term(
            actor=signed_in_user(request),
            staff=staff,
            left_on=form.cleaned_data["left_on"],
            reason=form.cleaned_data["reason"],
        ),
        done=gettext("%(name)s 已离任。") % {"name": staff.name},
        then=("organizations:staff_detail", staff.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("离任：%(name)s") % {"name": staff.name},
            staff.association,
            confirm=gettext(
                "离任后此人不再计入本协会在任人员，也不再主持日常工作，不能撤销"
                "（需要时重新登记任职）。确定登记离任吗？"
            ),
        ),
    )


@require_POST
@scoped_view(capability="personal.reveal", model=StaffMember)
def staff_reveal(request: HttpRequest, pk: StaffMember, field: str) -> HttpResponse:
    """Show one protected value in full, with a reason; the read is audited."""
    return reveal_response(
        request, pk, field, allowed=("id_number", "phone"), scope_path=pk.association.path
    )


@scoped_view(capability="staff.edit", model=StaffMember, as_="staff")
def training_add(request: HttpRequest, staff: StaffMember) -> HttpResponse:
    form = forms.TrainingForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.training_record(
            actor=signed_in_user(request), staff=staff, **form.cleaned_data
        ),
        done=gettext("培训记录已添加。"),
        then=("organizations:staff_detail", staff.pk),
        page=lambda: _form_page(
            request, form, gettext("培训记录：%(name)s") % {"name": staff.name}, staff.association
        ),
    )
