"""The 三留守 pages: the list (filters, sort, counts per association, Excel), a person's page
(contacts, care log, needs, masked values with the audited reveal), the forms, a contact
person's own list, the import.

Children's records (kind 留守儿童 or under 14) are loaded through `visible_to`, which hides them
from staff without `leftbehind.children` unless they are the child's contact person: for
everyone else a child's page is a 404, like a record that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action, post_action
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.excel.pages import import_page
from fpa.core.jobs import job_url
from fpa.core.reveal import reveal_response
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest, ObjectLookup
from fpa.families.selectors import assignable_accounts
from fpa.leftbehind import excel, forms, jobs, selectors, services
from fpa.leftbehind.care import PERSON_CARE
from fpa.leftbehind.models import (
    LeftBehindContact,
    LeftBehindNeed,
    LeftBehindPerson,
)
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

PERSON: ObjectLookup = {"model": LeftBehindPerson}
REVEALABLE = (
    "name",
    "id_number",
    "phone",
    "address",
    "guardian_name",
    "guardian_phone",
    "notes",
)
AREA_KINDS = (Association.Kind.TOWNSHIP, Association.Kind.VILLAGE)


def _area(request: HttpRequest, user: User) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope, and whether a foreign one was given."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return None, False
    found = org_selectors.association_choices(user=user).filter(code=code).first()
    return found, found is None


def _filters(request: HttpRequest, user: User) -> tuple[Any, selectors.PersonFilters, bool]:
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area, foreign = _area(request, user)
    status = data.get("status") or LeftBehindPerson.Status.ACTIVE
    filters = selectors.PersonFilters(
        association=area,
        kind=data.get("kind", ""),
        risk=data.get("risk", ""),
        status="" if status == "all" else status,
        overdue=data.get("overdue") == "1",
        id_number=(data.get("id_number") or "").strip().upper(),
    )
    return form, filters, foreign


def _holders(user: User) -> Any:
    return org_selectors.association_choices(user=user, kinds=services.HOLDERS)


def _form_page(
    request: HttpRequest, form: Any, title: str, *, back: str, **extra: Any
) -> HttpResponse:
    return render(
        request, "leftbehind/form.html", {"form": form, "title": title, "back": back, **extra}
    )


def _back(person: LeftBehindPerson) -> str:
    return reverse("leftbehind:detail", args=[person.pk])


# --- the list -------------------------------------------------------------------------------


@scoped_view(capability="leftbehind.view")
def person_list(request: HtmxHttpRequest) -> HttpResponseBase:
    """The list: filters, sort, keyset pages, counts per association; ?export=xlsx the same rows
    as a masked workbook, ?export=care their care records (POST with a reason: in full,
    audited); a large export runs as a background job (`_export`)."""
    user = signed_in_user(request)
    form, filters, foreign = _filters(request, user)
    if request.GET.get("export") in ("xlsx", "care") or request.method == "POST":
        if foreign:
            messages.error(request, gettext("所选协会不存在或不在您的管辖范围内。"))
            return redirect("leftbehind:list")
        return _export(request, user, filters)
    page = selectors.person_list(
        user=user,
        filters=filters,
        sort=form.cleaned_data.get("sort", "") if form.is_bound and form.is_valid() else "",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    if foreign:
        page.items, page.next_cursor, page.prev_cursor = [], None, None
    context = {
        "form": form,
        "page": page,
        "foreign": foreign,
        "areas": org_selectors.area_options(user=user, kinds=AREA_KINDS),
        "counts": []
        if foreign
        else selectors.counts_per_association(user=user, root=filters.association),
        "can_edit": user.has_capability("leftbehind.edit"),
        "can_reveal": user.has_capability("personal.reveal"),
        "sees_children": user.has_capability("leftbehind.children"),
        "reveal_form": forms.RevealExportForm(),
    }
    template = "leftbehind/_rows.html" if request.htmx else "leftbehind/list.html"
    return render(request, template, context)


def _export(request: HttpRequest, user: User, filters: selectors.PersonFilters) -> HttpResponseBase:
    """?export=xlsx the people, ?export=care their care records (POST: `sheet`, with a reason:
    in full, audited). Up to `excel.EXPORT_INLINE_ROWS` rows the workbook is streamed; above,
    it is a background job whose page shows the progress and then offers the file."""
    reveal, reason = False, ""
    which = request.GET.get("export") or ""
    if request.method == "POST":
        form = forms.RevealExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("请填写导出完整信息的原因。"))
            return redirect("leftbehind:list")
        reveal, reason = True, form.cleaned_data["reason"]
        which = request.POST.get("sheet") or which
    which = "care" if which == "care" else "people"
    try:
        if filters.id_number or not excel.export_is_large(user=user, filters=filters, which=which):
            return excel.people_export(
                user=user, filters=filters, reveal=reveal, reason=reason, which=which
            )
        job = exports.start_export(
            kind=jobs.KINDS[which],
            actor=user,
            title=exports.export_title(excel.SHEETS[which], reveal=reveal),
            params=jobs.filters_to_params(filters),
            reveal=reveal,
            reason=reason,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("leftbehind:list")
    return redirect(job_url(job))


# --- a person -------------------------------------------------------------------------------


@scoped_view(capability="leftbehind.edit")
def person_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.PersonForm(request.POST or None, associations=_holders(user))
    return form_action(
        request,
        form,
        call=lambda form: services.person_register(
            actor=user, association=form.cleaned_data["association"], **form.changes()
        ),
        done=gettext("已登记。"),
        then=lambda person: ("leftbehind:detail", person.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("登记三留守人员"),
            back=reverse("leftbehind:list"),
            note=gettext("留守儿童（或未满14周岁者）的信息须有“留守儿童信息”权限才能登记和查看。"),
        ),
    )


@scoped_view(capability="account.self", **PERSON)
def detail(request: HttpRequest, pk: LeftBehindPerson) -> HttpResponse:
    """A person's page: for staff holding `leftbehind.view` in scope, or a current contact
    person (who may hold no 三留守 capability at all)."""
    person, user = pk, signed_in_user(request)
    data = selectors.person_detail(user=user, person=person)
    staff = services.staff_may_edit(user, person)
    today = timezone.localdate()
    context = {
        "person": person,
        **data,
        "is_child": person.is_child(today),
        "can_edit": staff,
        "can_log": staff or data["is_contact"],
        "can_reveal": selectors.may_reveal(user, person),
        "contact_end_form": forms.ContactEndForm(initial={"end_date": today}),
        "today": today,
    }
    return render(request, "leftbehind/detail.html", context)


@require_POST
@scoped_view(capability="account.self", **PERSON, as_="person")
def reveal(request: HttpRequest, person: LeftBehindPerson, field: str) -> HttpResponse:
    """One personal value in full, with a reason; audited (fpa.core.reveal). A current contact
    person may see the values of the person they look after."""
    user = signed_in_user(request)
    return reveal_response(
        request,
        person,
        field,
        allowed=REVEALABLE,
        scope_path=person.association.path,
        entitled=selectors.is_contact(user, person),
    )


@scoped_view(capability="leftbehind.edit", **PERSON, as_="person")
def edit(request: HttpRequest, person: LeftBehindPerson) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.PersonForm(request.POST or None, associations=_holders(user), person=person)
    return form_action(
        request,
        form,
        call=lambda form: services.person_update(
            actor=user,
            person=person,
            version=form.cleaned_data["version"],
            association=form.cleaned_data["association"],
            **form.changes(),
        ),
        done=gettext("已保存。"),
        then=("leftbehind:detail", person.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("修改：%(name)s") % {"name": person.shown_name},
            back=_back(person),
        ),
    )


@scoped_view(capability="leftbehind.edit", **PERSON, as_="person")
def end(request: HttpRequest, person: LeftBehindPerson) -> HttpResponse:
    form = forms.EndForm(request.POST or None)
    return form_action(
        request,
        form,
        call=lambda form: services.person_end(
            actor=signed_in_user(request), person=person, **form.cleaned_data
        ),
        done=gettext("记录已结束。"),
        then=("leftbehind:detail", person.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("结束记录：%(name)s") % {"name": person.shown_name},
            back=_back(person),
            note=gettext("结束后，该人员的联系人同日结束；记录和关爱历史保留。"),
            confirm=gettext(
                "结束后该记录转为已结束状态，联系人同日结束，不能撤销；记录和关爱历史保留。"
                "确定结束这条记录吗？"
            ),
        ),
    )


# --- contacts, care, needs ------------------------------------------------------------------


@scoped_view(capability="leftbehind.edit", **PERSON, as_="person")
def contact_add(request: HttpRequest, person: LeftBehindPerson) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.ContactForm(request.POST or None, accounts=assignable_accounts(user))
    return form_action(
        request,
        form,
        call=lambda form: services.contact_assign(actor=user, person=person, **form.cleaned_data),
        done=gettext("已指定联系人。"),
        then=("leftbehind:detail", person.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("指定联系人：%(name)s") % {"name": person.shown_name},
            back=_back(person),
        ),
    )


@require_POST
@scoped_view(capability="leftbehind.edit", model=LeftBehindContact, as_="contact")
def contact_end(request: HttpRequest, contact: LeftBehindContact) -> HttpResponse:
    form = forms.ContactEndForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.contact_end(
            actor=signed_in_user(request), contact=contact, **form.cleaned_data
        ),
        done=gettext("联系人已结束。"),
        then=("leftbehind:detail", contact.person_id),
        invalid=gettext("请填写结束日期。"),
    )


@scoped_view(capability="account.self", **PERSON, as_="person")
def care_add(request: HttpRequest, person: LeftBehindPerson) -> HttpResponse:
    """Log a visit or a call (staff in scope or a contact person), with a need it raised."""
    user = signed_in_user(request)
    form = forms.CareForm(request.POST or None, owners=selectors.need_owners(user, person))
    return form_action(
        request,
        form,
        call=lambda form: services.care_log_with_need(
            actor=user, person=person, **form.cleaned_data
        ),
        done=gettext("关爱记录已保存。"),
        then=("leftbehind:detail", person.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("记录关爱：%(name)s") % {"name": person.shown_name},
            back=_back(person),
        ),
        on_error=lambda form, exc: exc.add_to(form, NEED_ALIASES),
    )


NEED_ALIASES = {
    "description": "need_description",
    "owner": "need_owner",
    "due_date": "need_due_date",
}


@scoped_view(capability="account.self", model=LeftBehindNeed, as_="need")
def need_update(request: HttpRequest, need: LeftBehindNeed) -> HttpResponse:
    form = forms.NeedUpdateForm(
        request.POST or None, initial={"status": need.status, "result": need.result}
    )
    person = need.person
    return form_action(
        request,
        form,
        call=lambda form: services.need_update(
            actor=signed_in_user(request), need=need, **form.cleaned_data
        ),
        done=gettext("诉求状态已更新。"),
        then=("leftbehind:detail", person.pk),
        page=lambda: _form_page(
            request,
            form,
            gettext("办理诉求：%(name)s") % {"name": person.shown_name},
            back=_back(person),
            note=gettext("诉求：%(description)s") % {"description": need.description},
        ),
    )


@scoped_view(capability="account.self")
def mine(request: HttpRequest) -> HttpResponse:
    """The people the user looks after, the most overdue first."""
    due = selectors.my_due(user=signed_in_user(request))
    return render(request, "leftbehind/mine.html", {"due": due})


@scoped_view(capability="leftbehind.edit")
def handover(request: HttpRequest) -> HttpResponse:
    """联系人交接: the form; a valid POST shows how many people would move (the preview); the
    preview's button (confirm=1) moves them all in one transaction."""
    user = signed_in_user(request)
    form = forms.HandoverForm(
        request.POST or None,
        leaving=selectors.accounts_with_people(user),
        successors=assignable_accounts(user),
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirm") == "1":
            try:
                moved = services.contacts_hand_over(
                    actor=user,
                    from_user=data["from_user"],
                    to_user=data["to_user"],
                    on=data["on"],
                    reason=data["reason"],
                    to_name=data["to_name"],
                )
            except ServiceError as exc:
                exc.add_to(form)
            else:
                old, new = data["from_user"], data["to_user"]
                messages.success(
                    request,
                    gettext("已将 %(old)s 联系的 %(count)s 名三留守人员移交给 %(new)s。")
                    % {
                        "old": old.full_name or old.username,
                        "count": len(moved),
                        "new": data["to_name"] or (new.full_name or new.username if new else ""),
                    },
                )
                return redirect("leftbehind:list")
        else:
            preview = selectors.handover_preview(user=user, from_user=data["from_user"])
            if not preview.people:
                form.add_error("from_user", gettext(PERSON_CARE.nothing_to_hand_over))
                preview = None
            elif not preview.allowed:
                form.add_error(None, gettext(PERSON_CARE.staff_may_not))
                preview = None
    return render(request, "leftbehind/handover.html", {"form": form, "preview": preview})


@scoped_view(capability="leftbehind.edit")
def import_people(request: HttpRequest) -> HttpResponseBase:
    """GET the page (?download=template the blank workbook); POST a file: the dry run as a job;
    POST the token of a dry run: the commit as a job (all or nothing)."""
    return import_page(request, excel.IMPORT_PAGE)
