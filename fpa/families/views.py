"""The special-family pages (计生特殊家庭, 暖心行动): registry, people, contacts, care log, needs,
supports, coverage, campaigns and rates.

Staff pages need `family.view`/`family.edit`/`family.rates` in scope. The pages a contact person
opens for the families they look after are declared with `account.self` and `model=...`: the
family's queryset (`visible_to`) already admits staff in scope and the family's current contacts,
and nobody else. The family kind (失独/伤残) is shown on the family's own page only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from fpa.accounts.models import User
from fpa.accounts.roles import CAPABILITIES
from fpa.core import jobs
from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.excel.exports import export_title
from fpa.core.excel.pages import ImportPage, import_page
from fpa.core.scope import scope_path_of, scoped_view
from fpa.core.services import protected_reveal
from fpa.families import excel as family_excel
from fpa.families import forms, selectors, services
from fpa.families import jobs as family_jobs
from fpa.families import photos as photo_rules
from fpa.families import reports as family_reports
from fpa.families.models import (
    FIVE_CARES,
    FOUR_SERVICES,
    Campaign,
    CareKind,
    CarePhoto,
    CareRecord,
    Contact,
    Family,
    Need,
    PaymentRate,
    Person,
)
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

FAMILY = {"model": Family}
LIST_LIMIT = 500  # overdue, roster and campaign lists: bounded, with a note when cut
AREA_KINDS = (
    Association.Kind.COUNTY,
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
    Association.Kind.MIGRANT,
)
# measure -> (label of the families that have it, label of those that do not)
MEASURES = {
    "with_contacts": (
        pgettext_lazy("measure", "已落实联系人"),
        pgettext_lazy("measure", "未落实联系人"),
    ),
    "with_doctor": (
        pgettext_lazy("measure", "已签约家庭医生"),
        pgettext_lazy("measure", "未签约家庭医生"),
    ),
    "with_green_channel": (
        pgettext_lazy("measure", "已开通就医绿色通道"),
        pgettext_lazy("measure", "未开通就医绿色通道"),
    ),
    "insured": (pgettext_lazy("measure", "已参加保险"), pgettext_lazy("measure", "未参加保险")),
    "on_schedule": (
        pgettext_lazy("measure", "按计划联系走访"),
        pgettext_lazy("measure", "未按计划联系走访"),
    ),
    "open_needs": (
        pgettext_lazy("measure", "有未办结诉求"),
        pgettext_lazy("measure", "无未办结诉求"),
    ),
}
PERSON_PLAIN = ("health_notes", "death_cause", "disability_type")
PERSON_PROTECTED = ("id_number", "phone")
ROLE_ORDER = {Person.Role.MOTHER: 0, Person.Role.FATHER: 1, Person.Role.CHILD: 2}
EDIT_ROLES = [role for role, caps in CAPABILITIES.items() if "family.edit" in caps]


# --- helpers ----------------------------------------------------------------------------------


def _in_scope(user: Any, family: Family) -> bool:
    path = scope_path_of(user)
    return path is not None and family.association.path.startswith(path)


def _is_contact(user: Any, family: Family) -> bool:
    return Contact.objects.filter(family=family, user=user, end_date__isnull=True).exists()


def _area(request: HttpRequest) -> tuple[Association | None, bool]:
    """The association named by ?code= inside the scope (or the user's own), and whether a code
    was given that is not in the scope."""
    code = (request.GET.get("code") or "").strip()[:32]
    if not code:
        return request.user.home_association, False
    found = org_selectors.association_choices(user=request.user).filter(code=code).first()
    return found, found is None


def _areas(user: Any) -> list[org_selectors.AreaOption]:
    return org_selectors.area_options(user=user, kinds=AREA_KINDS)


def _accounts(user: Any) -> QuerySet:
    """Active accounts of the user's subtree: who may be made a contact or a successor."""
    return (
        User.objects.visible_to(user)
        .filter(is_active=True)
        .order_by("home_association__path", "pk")
    )


def _owners(user: Any, family: Family) -> QuerySet:
    """Staff of the user's subtree whose own scope holds the family: who may own a need."""
    parts = family.association.path.strip("/").split("/")
    covering = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    return (
        _accounts(user)
        .filter(home_association__path__in=covering, roles__role__in=EDIT_ROLES)
        .distinct()
    )


def _current_contacts() -> Prefetch:
    return Prefetch(
        "contacts",
        queryset=Contact.objects.filter(end_date__isnull=True)
        .select_related("role")
        .order_by("role__sort", "pk"),
        to_attr="current_contacts",
    )


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyRow:
    """One line of the family list, every value ready to print (the list's cost is per row)."""

    url: str
    head: str
    area: str
    active: bool
    status: str
    registered: str


def _rows(families: list[Family]) -> list[FamilyRow]:
    statuses = {value: str(label) for value, label in Family.Status.choices}
    unnamed = gettext("（未填写）")
    return [
        FamilyRow(
            url=reverse("families:detail", args=[family.pk]),
            head=family.head_name or unnamed,
            area=family.association.name,
            active=family.status == Family.Status.ACTIVE,
            status=statuses.get(family.status, family.status),
            registered=family.registered_on.isoformat() if family.registered_on else "",
        )
        for family in families
    ]


@scoped_view(capability="family.view")
def family_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.FamilyFilterForm(request.GET or None)
    query = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    area, foreign = _area(request)
    code_given = bool(request.GET.get("code"))
    measure = request.GET.get("measure", "")
    has = request.GET.get("has") != "0"
    ids = None
    if measure in MEASURES and area is not None:
        ids = selectors.coverage_family_ids(user=user, root=area, measure=measure, has=has)
    page = selectors.family_list(
        user=user,
        query=query,
        status=form.status_value(),
        association=area if code_given else None,
        ids=[] if foreign else ids,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        fields=selectors.LIST_FIELDS,
    )
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.items),
        "area": area if code_given else None,
        "areas": _areas(user),
        "foreign": foreign,
        "measure_label": MEASURES[measure][0 if has else 1] if ids is not None else "",
        "can_edit": user.has_capability("family.edit"),
    }
    template = "families/_family_rows.html" if request.htmx else "families/list.html"
    return render(request, template, context)


def _register_error(form: forms.RegisterForm, exc: ServiceError) -> None:
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
        return
    if exc.code == "duplicate":
        for prefix in ("mother", "father", "child"):
            number = form.cleaned_data.get(f"{prefix}_id_number")
            if number and services.duplicate_of(number) is not None:
                form.add_error(f"{prefix}_id_number", exc.message)
                return
    if exc.field in forms.CHILD_ONLY:
        form.add_error(f"child_{exc.field}", exc.message)
        return
    form.add_error(None, exc.message)


@scoped_view(capability="family.edit")
def register(request: HttpRequest) -> HttpResponse:
    holders = org_selectors.association_choices(user=request.user, kinds=services.FAMILY_HOLDERS)
    form = forms.RegisterForm(request.POST or None, associations=holders)
    if request.method == "POST" and form.is_valid():
        try:
            family = services.family_register(
                actor=request.user,
                association=form.cleaned_data["association"],
                people=form.people(),
                **form.family_data(),
            )
        except ServiceError as exc:
            _register_error(form, exc)
        else:
            messages.success(
                request, gettext("已登记 %(name)s 家庭。") % {"name": family.head_name}
            )
            return redirect("families:detail", pk=family.pk)
    return render(request, "families/register.html", {"form": form})


@scoped_view(capability="account.self", **FAMILY)
def detail(request: HttpRequest, pk: Family) -> HttpResponse:
    family, user = pk, request.user
    data = selectors.family_detail(user=user, family=family)
    today = timezone.localdate()
    for support in data["supports"]:
        support.current = support.is_current_on(today)
    contacts = data["contacts"]
    is_contact = any(c.user_id == user.pk and c.end_date is None for c in contacts)
    can_edit = user.has_capability("family.edit") and _in_scope(user, family)
    context = {
        "family": family,
        **data,
        "people": sorted(data["people"], key=lambda p: (ROLE_ORDER.get(p.role, 9), p.pk)),
        "current_contacts": [c for c in contacts if c.end_date is None],
        "past_contacts": [c for c in contacts if c.end_date is not None],
        "open_needs": [n for n in data["needs"] if n.is_open],
        "done_needs": [n for n in data["needs"] if not n.is_open],
        "can_edit": can_edit,
        "can_log": can_edit or is_contact,
        "can_reveal": is_contact or user.has_capability("personal.reveal"),
        "is_contact": is_contact,
        "today": today,
        "service_labels": dict(FOUR_SERVICES),
        "care_labels": dict(FIVE_CARES),
        "need_statuses": Need.Status.choices,
        "photo_limit": photo_rules.MAX_PER_RECORD,
    }
    return render(request, "families/detail.html", context)


def _form_page(request: HttpRequest, form: Any, title: str, family: Family, **extra: Any) -> Any:
    context = {"form": form, "title": title, "family": family, **extra}
    return render(request, "families/form.html", context)


@scoped_view(capability="family.edit", **FAMILY)
def edit(request: HttpRequest, pk: Family) -> HttpResponse:
    family = pk
    form = forms.FamilyForm(request.POST or None, family=family)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_update(
                actor=request.user,
                family=family,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("families:detail", pk=family.pk)
    return _form_page(
        request, form, gettext("修改家庭信息：%(name)s") % {"name": family.head_name}, family
    )


@scoped_view(capability="family.edit", **FAMILY)
def status(request: HttpRequest, pk: Family) -> HttpResponse:
    family = pk
    form = forms.StatusForm(request.POST or None, initial={"effective_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.family_change_status(actor=request.user, family=family, **form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("状态已变更，变更记录已保存。"))
            return redirect("families:detail", pk=family.pk)
    note = gettext("当前状态：%(status)s。迁出、注销或亡故时，现任联系人同时结束。") % {
        "status": family.get_status_display()
    }
    return _form_page(
        request, form, gettext("变更状态：%(name)s") % {"name": family.head_name}, family, note=note
    )


# --- people -----------------------------------------------------------------------------------


@scoped_view(capability="family.edit", **FAMILY)
def person_add(request: HttpRequest, pk: Family) -> HttpResponse:
    family = pk
    form = forms.PersonForm(request.POST or None, family=family)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_add(actor=request.user, family=family, **form.changes())
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("已添加 %(name)s。") % {"name": person.name})
            return redirect("families:detail", pk=family.pk)
    return _form_page(
        request, form, gettext("添加家庭成员：%(name)s") % {"name": family.head_name}, family
    )


@scoped_view(capability="family.edit", model=Person)
def person_edit(request: HttpRequest, pk: Person) -> HttpResponse:
    person = pk
    family = person.family
    form = forms.PersonForm(request.POST or None, family=family, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("families:detail", pk=family.pk)
    title = gettext("修改%(role)s信息：%(name)s") % {
        "role": person.get_role_display(),
        "name": person.name,
    }
    return _form_page(request, form, title, family)


# --- reveal (audited) -------------------------------------------------------------------------


def _reveal(
    request: HttpRequest, obj: Any, field: str, family: Family, plain: tuple[str, ...]
) -> HttpResponse:
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(gettext("请填写查看原因。"), status=400)
    try:
        value = protected_reveal(
            actor=request.user,
            obj=obj,
            field=field,
            reason=form.cleaned_data["reason"],
            scope_path=family.association.path,
            plain_fields=plain,
            entitled=_is_contact(request.user, family),
        )
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "families/_revealed.html", {"value": value})


@require_POST
@scoped_view(capability="account.self", model=Person)
def person_reveal(request: HttpRequest, pk: Person, field: str) -> HttpResponse:
    if field not in (*PERSON_PROTECTED, *PERSON_PLAIN):
        return HttpResponse(gettext("字段不存在。"), status=404)
    return _reveal(request, pk, field, pk.family, PERSON_PLAIN)


@require_POST
@scoped_view(capability="account.self", **FAMILY)
def family_reveal(request: HttpRequest, pk: Family) -> HttpResponse:
    return _reveal(request, pk, "notes", pk, ("notes",))


@require_POST
@scoped_view(capability="account.self", model=CareRecord)
def care_reveal(request: HttpRequest, pk: CareRecord) -> HttpResponse:
    return _reveal(request, pk, "notes", pk.family, ("notes",))


@require_POST
@scoped_view(capability="account.self", model=Contact)
def contact_reveal(request: HttpRequest, pk: Contact, field: str) -> HttpResponse:
    if field != "phone":
        return HttpResponse(gettext("字段不存在。"), status=404)
    return _reveal(request, pk, field, pk.family, ())


# --- contacts ---------------------------------------------------------------------------------


@scoped_view(capability="family.edit", **FAMILY)
def contact_add(request: HttpRequest, pk: Family) -> HttpResponse:
    family = pk
    form = forms.ContactForm(request.POST or None, accounts=_accounts(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact = services.contact_assign(
                actor=request.user,
                family=family,
                role=data["role"],
                name=data["name"],
                start_date=data["start_date"],
                user=data["user"],
                phone=data["phone"] or None,
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(
                request,
                gettext("已指定联系人 %(name)s（%(role)s）。")
                % {"name": contact.name, "role": contact.role.name},
            )
            return redirect("families:detail", pk=family.pk)
    return _form_page(
        request, form, gettext("指定联系人：%(name)s") % {"name": family.head_name}, family
    )


@require_POST
@scoped_view(capability="family.edit", model=Contact)
def contact_end(request: HttpRequest, pk: Contact) -> HttpResponse:
    contact = pk
    form = forms.ContactEndForm(request.POST)
    if form.is_valid():
        try:
            services.contact_end(
                actor=request.user, contact=contact, end_date=form.cleaned_data["end_date"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, gettext("%(name)s 的联系工作已结束。") % {"name": contact.name}
            )
    else:
        messages.error(request, gettext("请填写有效的结束日期。"))
    return redirect("families:detail", pk=contact.family_id)


@scoped_view(capability="family.edit")
def reassign(request: HttpRequest) -> HttpResponse:
    user = request.user
    leaving = (
        User.objects.visible_to(user)
        .filter(Exists(Contact.objects.filter(user=OuterRef("pk"), end_date__isnull=True)))
        .order_by("home_association__path", "pk")
    )
    form = forms.ReassignForm(request.POST or None, leaving=leaving, successors=_accounts(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.contacts_reassign(
                actor=user,
                from_user=data["from_user"],
                to_user=data["to_user"],
                on=data["on"],
                to_name=data["to_name"],
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            old = data["from_user"].full_name or data["from_user"].username
            new = data["to_name"] or data["to_user"].full_name or data["to_user"].username
            messages.success(
                request,
                gettext("已将 %(old)s 联系的 %(count)s 户家庭移交给 %(new)s。")
                % {"old": old, "count": moved, "new": new},
            )
            return redirect("families:reassign")
    return render(request, "families/reassign.html", {"form": form})


@scoped_view(capability="family.view")
def roster(request: HttpRequest) -> HttpResponse:
    area, foreign = _area(request)
    families: list[Family] = []
    if area is not None:
        families = list(
            Family.objects.visible_to(request.user)
            .active()
            .filter(association__path__under=area.path)
            .select_related("association")
            .prefetch_related(_current_contacts())
            .order_by("association__path", "head_pinyin", "pk")[: LIST_LIMIT + 1]
        )
    context = {
        "area": area,
        "areas": _areas(request.user),
        "foreign": foreign,
        "families": families[:LIST_LIMIT],
        "cut": len(families) > LIST_LIMIT,
        "limit": LIST_LIMIT,
        "today": timezone.localdate(),
    }
    return render(request, "families/roster.html", context)


# --- care log, needs, supports ----------------------------------------------------------------

NEED_ALIASES = {
    "description": "need_description",
    "owner": "need_owner",
    "due_date": "need_due_date",
}


@scoped_view(capability="account.self", **FAMILY)
def care_add(request: HttpRequest, pk: Family) -> HttpResponse:
    family, user = pk, request.user
    form = forms.CareForm(request.POST or None, request.FILES or None, owners=_owners(user, family))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # the record and the need it raises, or neither
                record = services.care_log(
                    actor=user,
                    family=family,
                    kind=data["kind"],
                    occurred_on=data["occurred_on"],
                    services=data["services"],
                    cares=data["cares"],
                    notes=data["notes"],
                )
                if data["need_description"]:
                    services.need_raise(
                        actor=user,
                        family=family,
                        description=data["need_description"],
                        owner=data["need_owner"],
                        due_date=data["need_due_date"],
                        raised_in=record,
                    )
                if data["photos"]:
                    services.care_photos_add(actor=user, record=record, photos=data["photos"])
        except ServiceError as exc:
            exc.add_to(form, NEED_ALIASES)
        else:
            messages.success(request, gettext("帮扶记录已保存。"))
            return redirect("families:detail", pk=family.pk)
    return _form_page(
        request, form, gettext("记录帮扶：%(name)s") % {"name": family.head_name}, family
    )


@scoped_view(capability="account.self", model=Need)
def need_update(request: HttpRequest, pk: Need) -> HttpResponse:
    need = pk
    family = need.family
    form = forms.NeedUpdateForm(
        request.POST or None, initial={"status": need.status, "result": need.result}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(actor=request.user, need=need, **form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("诉求状态已更新。"))
            return redirect("families:detail", pk=family.pk)
    note = gettext("诉求：%(description)s") % {"description": need.description}
    return _form_page(
        request, form, gettext("办理诉求：%(name)s") % {"name": family.head_name}, family, note=note
    )


@scoped_view(capability="family.edit", **FAMILY)
def support_add(request: HttpRequest, pk: Family) -> HttpResponse:
    family = pk
    form = forms.SupportForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            support = services.support_add(actor=request.user, family=family, **form.cleaned_data)
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(
                request, gettext("已添加%(kind)s。") % {"kind": support.get_kind_display()}
            )
            return redirect("families:detail", pk=family.pk)
    return _form_page(
        request, form, gettext("添加保障：%(name)s") % {"name": family.head_name}, family
    )


# --- a contact person's work, and what is overdue ----------------------------------------------


@scoped_view(capability="account.self")
def mine(request: HttpRequest) -> HttpResponse:
    due = selectors.my_due(user=request.user)
    return render(request, "families/mine.html", {"due": due})


@scoped_view(capability="family.view")
def overdue(request: HttpRequest) -> HttpResponse:
    area, foreign = _area(request)
    families: list[Family] = []
    if area is not None:
        families = list(
            Family.objects.visible_to(request.user)
            .active()
            .filter(association__path__under=area.path)
            .select_related("association__parent")
            .prefetch_related(_current_contacts())
            .order_by("association__path", "pk")[: LIST_LIMIT + 1]
        )
    due = [d for d in selectors.schedule(families=families[:LIST_LIMIT]) if d.overdue]
    for item in due:  # grouped by township (a village's parent), in path order
        where = item.family.association
        below = where.kind in (Association.Kind.VILLAGE, Association.Kind.MIGRANT)
        item.township = where.parent if below and where.parent else where
    context = {
        "area": area,
        "areas": _areas(request.user),
        "foreign": foreign,
        "due": due,
        "checked": min(len(families), LIST_LIMIT),
        "cut": len(families) > LIST_LIMIT,
        "limit": LIST_LIMIT,
    }
    return render(request, "families/overdue.html", context)


# --- coverage ---------------------------------------------------------------------------------


def _coverage_row(row: selectors.Coverage) -> dict[str, Any]:
    code = row.association.code
    cells = []
    for measure in selectors.COVERAGE_MEASURES:
        count = getattr(row, measure)
        cells.append(
            {
                "measure": measure,
                "count": count,
                "missing": row.families - count,
                "share": row.share(count) if measure != "open_needs" else None,
                "code": code,
            }
        )
    return {"coverage": row, "code": code, "cells": cells}


@scoped_view(capability="family.view")
def coverage(request: HttpRequest) -> HttpResponse:
    area, foreign = _area(request)
    if area is None:
        return render(
            request,
            "families/coverage.html",
            {"area": None, "foreign": foreign, "areas": _areas(request.user)},
        )
    total, children = selectors.coverage(user=request.user, root=area)
    rows = [r for r in children if r.families] or [total]
    chart = {
        "labels": [r.association.name.removesuffix("计生协") for r in rows],
        "series": [
            {"name": gettext("联系人"), "data": [r.contacts_share for r in rows]},
            {"name": gettext("家庭医生"), "data": [r.doctor_share for r in rows]},
            {"name": gettext("绿色通道"), "data": [r.green_share for r in rows]},
            {"name": gettext("保险"), "data": [r.insured_share for r in rows]},
            {"name": gettext("按时走访"), "data": [r.schedule_share for r in rows]},
        ],
    }
    context = {
        "area": area,
        "areas": _areas(request.user),
        "total": _coverage_row(total),
        "rows": [_coverage_row(r) for r in children],
        "chart": chart,
        "measures": MEASURES,
    }
    return render(request, "families/coverage.html", context)


# --- campaigns and rates ----------------------------------------------------------------------

VISITS = (CareKind.Mode.HOME_VISIT, CareKind.Mode.MEETING)


@scoped_view(capability="family.view")
def campaigns(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_edit = user.has_capability("family.edit")
    form = forms.CampaignForm(
        request.POST or None, associations=org_selectors.association_choices(user=user)
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        if form.is_valid():
            try:
                campaign = services.campaign_create(actor=user, **form.cleaned_data)
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(
                    request, gettext("已创建活动：%(name)s。") % {"name": campaign.name}
                )
                return redirect("families:campaign_detail", pk=campaign.pk)
    items = (
        Campaign.objects.visible_to(user)
        .select_related("association")
        .order_by("-start_date", "-pk")[:100]
    )
    return render(
        request, "families/campaigns.html", {"form": form, "items": items, "can_edit": can_edit}
    )


@scoped_view(capability="family.view", model=Campaign)
def campaign_detail(request: HttpRequest, pk: Campaign) -> HttpResponse:
    campaign = pk
    visited = Exists(
        CareRecord.objects.filter(
            family=OuterRef("pk"),
            kind__mode__in=VISITS,
            occurred_on__gte=campaign.start_date,
            occurred_on__lte=campaign.end_date,
        )
    )
    families = (
        Family.objects.visible_to(request.user)
        .active()
        .filter(association__path__under=campaign.association.path)
        .annotate(visited=visited)
    )
    counts = families.aggregate(total=Count("pk"), done=Count("pk", filter=Q(visited=True)))
    todo = list(
        families.filter(visited=False)
        .select_related("association")
        .prefetch_related(_current_contacts())
        .order_by("association__path", "pk")[: LIST_LIMIT + 1]
    )
    total, done = counts["total"], counts["done"]
    context = {
        "campaign": campaign,
        "total": total,
        "done": done,
        "share": round(100 * done / total, 1) if total else None,
        "todo": todo[:LIST_LIMIT],
        "cut": len(todo) > LIST_LIMIT,
        "limit": LIST_LIMIT,
    }
    return render(request, "families/campaign_detail.html", context)


@scoped_view(capability="family.view")
def rates(request: HttpRequest) -> HttpResponse:
    can_set = request.user.has_capability("family.rates")
    form = forms.RateForm(request.POST or None)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied(gettext("您的角色无权进行此操作。"))
        if form.is_valid():
            try:
                services.rate_set(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                exc.add_to(form)
            else:
                messages.success(request, gettext("特别扶助金标准已保存。"))
                return redirect("families:rates")
    table = PaymentRate.objects.all()
    return render(
        request, "families/rates.html", {"form": form, "rates": table, "can_set": can_set}
    )


# --- care photos ------------------------------------------------------------------------------
# Served only here, to whoever may open the family (staff in scope, its current contacts): the
# files are in MEDIA_ROOT under VAR_DIR, which no URL and no static-file server exposes.


@scoped_view(capability="account.self", model=CareRecord)
def care_photos_add(request: HttpRequest, pk: CareRecord) -> HttpResponse:
    record, user = pk, request.user
    family = record.family
    if not (
        (user.has_capability("family.edit") and _in_scope(user, family))
        or _is_contact(user, family)
    ):
        raise PermissionDenied(gettext("只有管辖范围内的工作人员或该家庭的联系人可以上传照片。"))
    already = record.photos.count()
    form = forms.CarePhotoForm(request.POST or None, request.FILES or None, already=already)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.care_photos_add(
                actor=user, record=record, photos=form.cleaned_data["photos"]
            )
        except ServiceError as exc:
            exc.add_to(form)
        else:
            messages.success(request, gettext("已上传 %(count)s 张照片。") % {"count": len(added)})
            return redirect(reverse("families:detail", args=[family.pk]) + f"#care-{record.pk}")
    note = gettext("%(date)s %(kind)s，已有 %(count)s 张照片。") % {
        "date": f"{record.occurred_on:%Y-%m-%d}",
        "kind": record.kind.name,
        "count": already,
    }
    title = gettext("上传帮扶照片：%(name)s") % {"name": family.head_name}
    return _form_page(request, form, title, family, note=note)


@scoped_view(capability="account.self", model=CarePhoto)
@require_safe
def care_photo(request: HttpRequest, pk: CarePhoto) -> HttpResponse:
    """The stored (re-encoded) photo, or its thumbnail with ?size=thumb."""
    photo = pk
    thumb = request.GET.get("size") == "thumb"
    name = photo.thumb_name if thumb else photo.file_name
    content_type = "image/jpeg" if thumb else photo.content_type
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404(gettext("照片文件不存在。")) from exc
    response = FileResponse(handle, content_type=content_type)
    stem = f"care-photo-{photo.pk}" + ("-thumb" if thumb else "")
    extension = "png" if content_type == "image/png" else "jpg"
    response["Content-Disposition"] = f'inline; filename="{stem}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Excel import and export, the monthly report ----------------------------------------------

FAMILY_IMPORT = ImportPage(
    kind="families.families",
    sheet=family_excel.FAMILY_SHEET,
    importer=family_excel.FamilyImporter,
    template="families/import.html",
    blank=family_excel.families_template,
    page_url="families:import",
    done_url="families:list",
    done_message=lambda r: (
        gettext("导入完成：新登记%(created)s户，修改%(updated)s户，%(unchanged)s户未变化。")
        % {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
    ),
)


@scoped_view(capability="family.edit")
def import_families(request: HttpRequest) -> HttpResponse:
    return import_page(request, FAMILY_IMPORT)


@scoped_view(capability="family.view")
def export_families(request: HttpRequest) -> HttpResponse:
    """GET: the export page; GET ?download=1: the masked workbook (the kind hidden); POST with
    reveal=1 and a reason: the full workbook (personal.reveal only, audited)."""
    source = request.POST if request.method == "POST" else request.GET
    can_reveal = request.user.has_capability("personal.reveal")
    if request.method == "POST" or source.get("download") == "1":
        reveal = request.method == "POST" and source.get("reveal") == "1"
        if reveal and not can_reveal:
            raise PermissionDenied(gettext("您没有导出完整个人信息的权限。"))
        try:
            job = exports.start_export(
                kind=family_jobs.EXPORT,
                actor=request.user,
                title=export_title(family_excel.FAMILY_SHEET, reveal=reveal),
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
        "families/export.html",
        {"can_reveal": can_reveal, "can_import": request.user.has_capability("family.edit")},
    )


def _report_groups() -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for group, header, _name in family_reports.COLUMNS:
        if group and groups and groups[-1]["name"] == group:
            groups[-1]["columns"].append(gettext(header))
            groups[-1]["span"] += 1
        else:
            groups.append(
                {
                    "name": group,
                    "label": gettext(group) if group else "",
                    "columns": [gettext(header)],
                    "span": 1,
                }
            )
    return groups


def _report_row_name(row: family_reports.ReportRow) -> str:
    """The row's name on the page: the own row and the "other" row are labels, not data."""
    if row.own and row.association is not None:
        return gettext("%(name)s（本级）") % {"name": row.association.name}
    if row.association is None and not row.code:
        return gettext("其他")
    return row.name


def _report_values(row: family_reports.ReportRow) -> list[int]:
    return [getattr(row, name) for _group, _header, name in family_reports.COLUMNS]


@scoped_view(capability="family.view")
def monthly_report(request: HttpRequest) -> HttpResponse:
    """计生特殊家庭月报: ?month=2026-10 (default this month), ?code= an association in scope
    (default the user's own); ?download=xlsx for the workbook. A bad month is a message."""
    user = request.user
    area, foreign = _area(request)
    today = timezone.localdate()
    month_text = (request.GET.get("month") or "")[:40]
    error = ""
    try:
        month: family_reports.Month | None = family_reports.parse_month(month_text, today=today)
    except ValueError as exc:
        month, error = None, gettext(str(exc))
    report = None
    if area is not None and month is not None:
        if request.GET.get("download") == "xlsx":  # the workbook is built by a background job
            job = jobs.job_enqueue(
                kind=family_jobs.MONTHLY_REPORT,
                actor=user,
                title=gettext("计生特殊家庭月报：%(name)s %(month)s")
                % {"name": area.name, "month": month.param},
                params={"code": area.code, "month": month.param},
            )
            return redirect(jobs.job_url(job))
        report = family_jobs.monthly_report_for(user=user, area=area, month=month)
    table = []
    if report is not None:
        for row in report.rows:
            child = row.association
            link = (
                not row.own
                and child is not None
                and child.is_current
                and child.kind in AREA_KINDS
                and child.pk != area.pk
            )
            table.append(
                {
                    "name": _report_row_name(row),
                    "code": row.code,
                    "link": link,
                    "values": _report_values(row),
                }
            )
    context = {
        "area": area,
        "areas": _areas(user),
        "foreign": foreign,
        "error": error,
        "report": report,
        "table": table,
        "total": _report_values(report.total) if report and report.total else [],
        "groups": _report_groups(),
        "width": 1 + len(family_reports.COLUMNS),
        "notes": [gettext(note) for note in family_reports.NOTES],
        "month_label": (
            gettext("%(year)s年%(month)s月")
            % {"year": month.first.year, "month": month.first.month}
            if month
            else ""
        ),
        "month_value": month.param if month else month_text,
        "latest": f"{today:%Y-%m}",
        "today": today,
    }
    return render(request, "families/monthly_report.html", context)
