from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fpa.core import jobs
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.excel.pages import ImportPage, import_page
from fpa.core.scope import scoped_view
from fpa.core.services import protected_reveal
from fpa.organizations import excel, forms, selectors, services
from fpa.organizations import jobs as org_jobs
from fpa.organizations.models import Association, BodySeat, Filing, StaffMember

ASSOCIATION = {"model": Association, "kwarg": "code", "field": "code"}


# --- tree, list, detail -----------------------------------------------------------------------


@scoped_view(capability="org.view")
def tree(request: HttpRequest) -> HttpResponse:
    home = request.user.home_association
    if home is None:
        return render(request, "organizations/tree.html", {"root": None, "children": []})
    children = selectors.association_children(user=request.user, parent=home)
    return render(request, "organizations/tree.html", {"root": home, "children": children})


@scoped_view(capability="org.view", **ASSOCIATION)
def children(request: HttpRequest, code: Association) -> HttpResponse:
    nodes = selectors.association_children(user=request.user, parent=code)
    return render(request, "organizations/_tree_children.html", {"children": nodes})


@scoped_view(capability="org.view")
def association_list(request: HttpRequest) -> HttpResponse:
    form = forms.AssociationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = selectors.association_list(
        user=request.user,
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        include_closed=data.get("include_closed", False),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    template = "organizations/_association_rows.html" if request.htmx else "organizations/list.html"
    return render(request, template, {"form": form, "page": page})


@scoped_view(capability="org.view")
def autocomplete(request: HttpRequest) -> HttpResponse:
    """Association search for pickers: code and name only, inside the scope, at most 20."""
    page = selectors.association_list(user=request.user, query=request.GET.get("q", ""), size=20)
    return JsonResponse(
        {"results": [{"code": a.code, "name": a.name, "kind": a.kind} for a in page.items]}
    )


@scoped_view(capability="org.view", **ASSOCIATION)
def detail(request: HttpRequest, code: Association) -> HttpResponse:
    association = code
    user = request.user
    context: dict[str, Any] = {
        "association": association,
        "ancestors": selectors.association_ancestors(user=user, association=association),
        "children": selectors.association_children(user=user, parent=association),
        "staff": selectors.staff_list(user=user, association=association, size=100).items,
        "filings": selectors.association_filings(user=user, association=association),
        "composition": selectors.composition(user=user, association=association),
        "history": association.changes.all()[:20],
        "can_edit": user.has_capability("org.edit"),
    }
    return render(request, "organizations/detail.html", context)


@scoped_view(capability="org.edit", **ASSOCIATION)
def create_child(request: HttpRequest, code: Association) -> HttpResponse:
    parent = code
    form = forms.AssociationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.association_create(
                actor=request.user,
                parent=parent,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                address=form.cleaned_data["address"],
                valid_from=form.cleaned_data["valid_from"],
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, f"已设立 {child.name}。")
            return redirect("organizations:detail", code=child.code)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"在 {parent.name} 下设立协会", "association": parent},
    )


@scoped_view(capability="org.edit", **ASSOCIATION)
def rename(request: HttpRequest, code: Association) -> HttpResponse:
    association = code
    form = forms.RenameForm(
        request.POST or None,
        initial={"version": association.version, "effective_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.association_rename(
                actor=request.user,
                association=association,
                name=form.cleaned_data["name"],
                effective_date=form.cleaned_data["effective_date"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, "名称已变更，原名称保留在变更记录中。")
            return redirect("organizations:detail", code=association.code)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"更名：{association.name}", "association": association},
    )


@scoped_view(capability="org.edit", **ASSOCIATION)
def close(request: HttpRequest, code: Association) -> HttpResponse:
    association = code
    form = forms.CloseForm(
        request.POST or None,
        associations=selectors.association_choices(user=request.user).exclude(pk=association.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.association_close(
                actor=request.user,
                association=association,
                effective_date=form.cleaned_data["effective_date"],
                merged_into=form.cleaned_data["merged_into"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, "已停用，历史记录保留。")
            return redirect("organizations:detail", code=association.code)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"撤销或合并：{association.name}", "association": association},
    )


# --- staff ------------------------------------------------------------------------------------


@scoped_view(capability="org.view")
def staff_list(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "")[:50]
    current_only = request.GET.get("all") != "1"
    page = selectors.staff_list(
        user=request.user,
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
        f"导入完成：新增{r.created}人，修改{r.updated}人，{r.unchanged}人未变化。"
    ),
)


@scoped_view(capability="staff.edit")
def staff_import(request: HttpRequest) -> HttpResponse:
    return import_page(request, STAFF_IMPORT)


@scoped_view(capability="org.view")
def staff_export(request: HttpRequest) -> HttpResponse:
    """GET: the export page; GET ?download=1: the masked workbook; POST with reveal=1 and a
    reason: the full workbook (personal.reveal only, audited)."""
    source = request.POST if request.method == "POST" else request.GET
    can_reveal = request.user.has_capability("personal.reveal")
    if request.method == "POST" or source.get("download") == "1":
        reveal = request.method == "POST" and source.get("reveal") == "1"
        if reveal and not can_reveal:
            raise PermissionDenied("您没有导出完整个人信息的权限。")
        try:
            job = exports.start_export(
                kind=org_jobs.STAFF_EXPORT,
                actor=request.user,
                title=exports.export_title(excel.STAFF_SHEET, reveal=reveal),
                params={"all": source.get("all") == "1"},
                reveal=reveal,
                reason=(source.get("reason") or "")[:500],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(jobs.job_url(job))
    return render(
        request,
        "organizations/staff_export.html",
        {"can_reveal": can_reveal, "can_import": request.user.has_capability("staff.edit")},
    )


def _staff_data(form: forms.StaffForm) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    data["id_number"] = data.get("id_number") or None
    data["phone"] = data.get("phone") or None
    return data


@scoped_view(capability="staff.edit", **ASSOCIATION)
def staff_create(request: HttpRequest, code: Association) -> HttpResponse:
    association = code
    form = forms.StaffForm(request.POST or None, initial={"term_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            staff = services.staff_create(
                actor=request.user, association=association, **_staff_data(form)
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, f"已登记 {staff.name}。")
            return redirect("organizations:staff_detail", pk=staff.pk)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"登记工作人员：{association.name}", "association": association},
    )


@scoped_view(capability="org.view", model=StaffMember)
def staff_detail(request: HttpRequest, pk: StaffMember) -> HttpResponse:
    return render(
        request,
        "organizations/staff_detail.html",
        {
            "staff": pk,
            "trainings": pk.trainings.all()[:50],
            "reveal_form": forms.RevealForm(),
            "can_edit": request.user.has_capability("staff.edit"),
            "can_reveal": request.user.has_capability("personal.reveal"),
        },
    )


@scoped_view(capability="staff.edit", model=StaffMember)
def staff_edit(request: HttpRequest, pk: StaffMember) -> HttpResponse:
    staff = pk
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
    form.fields["id_number"].help_text = f"当前：{staff.id_number or '未填写'}；留空则不修改"
    form.fields["phone"].help_text = f"当前：{staff.phone or '未填写'}；留空则不修改"
    if request.method == "POST" and form.is_valid():
        data = _staff_data(form)
        for key in ("id_number", "phone"):
            if data[key] is None:
                data.pop(key)
        try:
            services.staff_update(
                actor=request.user,
                staff=staff,
                expected_version=form.cleaned_data["version"],
                **data,
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, "已保存。")
            return redirect("organizations:staff_detail", pk=staff.pk)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"修改：{staff.name}", "association": staff.association},
    )


@scoped_view(capability="staff.edit", model=StaffMember)
def staff_end(request: HttpRequest, pk: StaffMember) -> HttpResponse:
    staff = pk
    form = forms.EndTermForm(request.POST or None, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_end_term(
                actor=request.user,
                staff=staff,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, f"{staff.name} 已离任。")
            return redirect("organizations:staff_detail", pk=staff.pk)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"离任：{staff.name}", "association": staff.association},
    )


@require_POST
@scoped_view(capability="personal.reveal", model=StaffMember)
def staff_reveal(request: HttpRequest, pk: StaffMember, field: str) -> HttpResponse:
    """Show one protected value in full, with a reason; the read is audited."""
    form = forms.RevealForm(request.POST)
    if field not in {"id_number", "phone"}:
        return HttpResponse("字段不存在。", status=404)
    if not form.is_valid():
        return HttpResponse("请填写查看原因。", status=400)
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
    return render(request, "organizations/_revealed.html", {"value": value})


@scoped_view(capability="staff.edit", model=StaffMember)
def training_add(request: HttpRequest, pk: StaffMember) -> HttpResponse:
    staff = pk
    form = forms.TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_record(actor=request.user, staff=staff, **form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, "培训记录已添加。")
            return redirect("organizations:staff_detail", pk=staff.pk)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"培训记录：{staff.name}", "association": staff.association},
    )


# --- filings ----------------------------------------------------------------------------------


@scoped_view(capability="org.view")
def filing_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Filing.Status.values else ""
    to_review = request.GET.get("to_review") == "1"
    page = selectors.filing_list(
        user=request.user,
        status=status,
        to_review=to_review,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(
        request,
        "organizations/filing_list.html",
        {"page": page, "status": status, "to_review": to_review, "statuses": Filing.Status.choices},
    )


@scoped_view(capability="org.view")
def filing_missing(request: HttpRequest) -> HttpResponse:
    page = selectors.filings_missing(
        user=request.user, after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(request, "organizations/filing_missing.html", {"page": page})


@scoped_view(capability="filing.submit", **ASSOCIATION)
def filing_submit(request: HttpRequest, code: Association) -> HttpResponse:
    association = code
    people = selectors.staff_list(user=request.user, association=association, size=100).items
    queryset = StaffMember.objects.visible_to(request.user).filter(pk__in=[p.pk for p in people])
    form = forms.FilingForm(request.POST or None, people=queryset)
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_submit(
                actor=request.user,
                association=association,
                person=form.cleaned_data["person"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, "备案已报送上级协会。")
            return redirect("organizations:detail", code=association.code)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"报送备案：{association.name}", "association": association},
    )


@scoped_view(capability="filing.review", model=Filing)
def filing_review(request: HttpRequest, pk: Filing) -> HttpResponse:
    filing = pk
    form = forms.FilingReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "accept":
                services.filing_accept(actor=request.user, filing=filing)
            else:
                services.filing_return(
                    actor=request.user, filing=filing, reason=form.cleaned_data["return_reason"]
                )
        except ServiceError as exc:
            exc.add_to(form)
            if filing.status != Filing.Status.SUBMITTED:  # the page no longer shows the form
                messages.error(request, exc.message)
        else:
            messages.success(request, "审核结果已保存。")
            return redirect("organizations:filing_list")
    return render(request, "organizations/filing_review.html", {"form": form, "filing": filing})


# --- composition (measure 14) -----------------------------------------------------------------


@scoped_view(capability="org.view")
def composition(request: HttpRequest) -> HttpResponse:
    home = request.user.home_association
    code = (request.GET.get("code") or "")[:32]
    association = home
    if code:
        association = selectors.association_choices(user=request.user).filter(code=code).first()
    if association is None:
        return render(request, "organizations/composition.html", {"association": None})
    return render(
        request,
        "organizations/composition.html",
        {
            "association": association,
            "own": selectors.composition(user=request.user, association=association),
            "subtree": selectors.composition(
                user=request.user, association=association, subtree=True
            ),
            "rows": selectors.composition_by_child(user=request.user, association=association),
            "sources": BodySeat.Source.choices,
        },
    )


@scoped_view(capability="org.view", **ASSOCIATION)
def seats(request: HttpRequest, code: Association) -> HttpResponse:
    association = code
    form = forms.SeatForm(request.POST or None, initial={"term_year": timezone.localdate().year})
    if request.method == "POST":
        if not request.user.has_capability("body.edit"):
            return HttpResponse("无权修改。", status=403)
        if form.is_valid():
            try:
                services.seat_add(actor=request.user, association=association, **form.cleaned_data)
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(request, "已添加。")
                return redirect("organizations:seats", code=association.code)
    return render(
        request,
        "organizations/seats.html",
        {
            "association": association,
            "seats": selectors.seat_list(user=request.user, association=association)[:500],
            "form": form,
            "can_edit": request.user.has_capability("body.edit"),
        },
    )


@require_POST
@scoped_view(capability="body.edit", model=BodySeat)
def seat_end(request: HttpRequest, pk: BodySeat) -> HttpResponse:
    form = forms.SeatEndForm(request.POST)
    if form.is_valid():
        try:
            services.seat_end(actor=request.user, seat=pk, ended_on=form.cleaned_data["ended_on"])
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "请填写有效的卸任日期。")
    return redirect("organizations:seats", code=pk.association.code)
