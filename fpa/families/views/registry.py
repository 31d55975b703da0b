"""The registry's pages: the list, registering a family, a family's page, its fields, status and
people, and the audited reveal of a protected field."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action
from fpa.core.errors import ServiceError
from fpa.core.links import link_to
from fpa.core.reveal import reveal_response
from fpa.core.scope import in_scope, scoped_view
from fpa.core.typing_aids import HtmxHttpRequest
from fpa.families import forms, selectors, services
from fpa.families import photos as photo_rules
from fpa.families.models import (
    FIVE_CARES,
    FOUR_SERVICES,
    CareRecord,
    Contact,
    Family,
    Need,
    Person,
)
from fpa.families.views.common import (
    FAMILY,
    MEASURES,
    ROLE_ORDER,
    _area,
    _areas,
    _form_page,
)
from fpa.organizations import selectors as org_selectors

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


def _rows(families: list[selectors.FamilyListItem]) -> list[FamilyRow]:
    statuses = {value: str(label) for value, label in Family.Status.choices}
    unnamed = gettext("（未填写）")
    return [
        FamilyRow(
            url=link_to("families:detail", family.pk),
            head=family.head_name or unnamed,
            area=family.association_name,
            active=family.status == Family.Status.ACTIVE,
            status=statuses.get(family.status, family.status),
            registered=family.registered_on.isoformat() if family.registered_on else "",
        )
        for family in families
    ]


def _care_filter(request: HttpRequest) -> tuple[str, datetime.date, datetime.date] | None:
    """?care=<care kind>&from=&to=: the households with such a care record in the dates (the
    暖心行动 report's figures click through here); None when absent or malformed."""
    code = (request.GET.get("care") or "")[:40]
    if code not in selectors.WARMTH_CARE_KINDS:
        return None
    try:
        first = datetime.date.fromisoformat((request.GET.get("from") or "")[:10])
        last = datetime.date.fromisoformat((request.GET.get("to") or "")[:10])
    except ValueError:
        return None
    return (code, first, last) if first <= last else None


@scoped_view(capability="family.view")
def family_list(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.FamilyFilterForm(request.GET or None)
    query = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    area, foreign = _area(request)
    code_given = bool(request.GET.get("code"))
    measure = request.GET.get("measure", "")
    has = request.GET.get("has") != "0"
    ids, label = None, ""
    if measure in MEASURES and area is not None:
        ids = selectors.coverage_family_ids(user=user, root=area, measure=measure, has=has)
        label = str(MEASURES[measure][0 if has else 1])
    care = _care_filter(request)
    if care is not None and area is not None:
        code, first, last = care
        ids = selectors.care_served_family_ids(
            user=user, area=area, code=code, first=first, last=last
        )
        kind = selectors.care_kind(code)
        label = gettext("%(first)s至%(last)s有“%(kind)s”记录") % {
            "first": first.isoformat(),
            "last": last.isoformat(),
            "kind": kind.name if kind is not None else code,
        }
    page = selectors.family_list_rows(
        user=user,
        query=query,
        status=form.status_value(),
        association=area if code_given else None,
        ids=[] if foreign else ids,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.items),
        "area": area if code_given else None,
        "areas": _areas(user),
        "foreign": foreign,
        "measure_label": label if ids is not None else "",
        "can_edit": user.has_capability("family.edit"),
    }
    template = "families/_family_rows.html" if request.htmx else "families/list.html"
    return render(request, template, context)


def _register_error(form: forms.RegisterForm, exc: ServiceError) -> None:
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
        return
    if exc.code == "duplicate" and f"{exc.about}_id_number" in form.fields:
        form.add_error(f"{exc.about}_id_number", exc.message)  # the person whose number it is
        return
    if exc.field in forms.CHILD_ONLY:
        form.add_error(f"child_{exc.field}", exc.message)
        return
    form.add_error(None, exc.message)


@scoped_view(capability="family.edit")
def register(request: HttpRequest) -> HttpResponse:
    holders = org_selectors.association_choices(
        user=signed_in_user(request), kinds=services.FAMILY_HOLDERS
    )
    form = forms.RegisterForm(request.POST or None, associations=holders)
    return form_action(
        request,
        form,
        call=lambda form: services.family_register(
            actor=signed_in_user(request),
            association=form.cleaned_data["association"],
            people=form.people(),
            **form.family_data(),
        ),
        done=lambda family: gettext("已登记 %(name)s 家庭。") % {"name": family.head_name},
        then=lambda family: ("families:detail", family.pk),
        page=lambda: render(request, "families/register.html", {"form": form}),
        on_error=_register_error,
    )


@scoped_view(capability="account.self", **FAMILY)
def detail(request: HttpRequest, pk: Family) -> HttpResponse:
    family, user = pk, signed_in_user(request)
    data = selectors.family_detail(user=user, family=family)
    today = timezone.localdate()
    for support in data["supports"]:
        support.current = support.is_current_on(today)
    contacts = data["contacts"]
    is_contact = any(c.user_id == user.pk and c.end_date is None for c in contacts)
    can_edit = user.has_capability("family.edit") and in_scope(user, family.association)
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
        "can_reveal": selectors.may_reveal(user, is_contact=is_contact),
        "is_contact": is_contact,
        "today": today,
        "service_labels": dict(FOUR_SERVICES),
        "care_labels": dict(FIVE_CARES),
        "need_statuses": Need.Status.choices,
        "photo_limit": photo_rules.MAX_PER_RECORD,
        # The family's records in other modules: its insurance enrolments and its rights cases.
        "can_insurance": user.has_capability("insurance.view"),
        "can_rights": user.has_capability("rights.view"),
    }
    return render(request, "families/detail.html", context)


@scoped_view(capability="family.edit", **FAMILY, as_="family")
def edit(request: HttpRequest, family: Family) -> HttpResponse:
    form = forms.FamilyForm(request.POST or None, family=family)
    title = gettext("修改家庭信息：%(name)s") % {"name": family.head_name}
    return form_action(
        request,
        form,
        call=lambda form: services.family_update(
            actor=signed_in_user(request),
            family=family,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        done=gettext("已保存。"),
        then=("families:detail", family.pk),
        page=lambda: _form_page(request, form, title, family),
    )


@scoped_view(capability="family.edit", **FAMILY, as_="family")
def status(request: HttpRequest, family: Family) -> HttpResponse:
    form = forms.StatusForm(request.POST or None, initial={"effective_date": timezone.localdate()})
    note = gettext("当前状态：%(status)s。迁出、注销或亡故时，现任联系人同时结束。") % {
        "status": family.get_status_display()
    }
    title = gettext("变更状态：%(name)s") % {"name": family.head_name}
    return form_action(
        request,
        form,
        call=lambda form: services.family_change_status(
            actor=signed_in_user(request), family=family, **form.cleaned_data
        ),
        done=gettext("状态已变更，变更记录已保存。"),
        then=("families:detail", family.pk),
        page=lambda: _form_page(request, form, title, family, note=note),
    )


# --- people -----------------------------------------------------------------------------------


@scoped_view(capability="family.edit", **FAMILY, as_="family")
def person_add(request: HttpRequest, family: Family) -> HttpResponse:
    form = forms.PersonForm(request.POST or None, family=family)
    title = gettext("添加家庭成员：%(name)s") % {"name": family.head_name}
    return form_action(
        request,
        form,
        call=lambda form: services.person_add(
            actor=signed_in_user(request), family=family, **form.changes()
        ),
        done=lambda person: gettext("已添加 %(name)s。") % {"name": person.name},
        then=("families:detail", family.pk),
        page=lambda: _form_page(request, form, title, family),
    )


@scoped_view(capability="family.edit", model=Person, as_="person")
def person_edit(request: HttpRequest, person: Person) -> HttpResponse:
    family = person.family
    form = forms.PersonForm(request.POST or None, family=family, person=person)
    title = gettext("修改%(role)s信息：%(name)s") % {
        "role": person.get_role_display(),
        "name": person.name,
    }
    return form_action(
        request,
        form,
        call=lambda form: services.person_update(
            actor=signed_in_user(request),
            person=person,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        done=gettext("已保存。"),
        then=("families:detail", family.pk),
        page=lambda: _form_page(request, form, title, family),
    )


# --- reveal (audited) -------------------------------------------------------------------------


def _reveal(request: HttpRequest, obj: models.Model, field: str, family: Family) -> HttpResponse:
    """The record's revealable values (`selectors.REVEALABLE`); a family's contact person may see
    what they need to reach the family (`selectors.reveal_terms`, the field app's rule too)."""
    offered = selectors.REVEALABLE[type(obj)]
    return reveal_response(
        request,
        obj,
        field,
        allowed=offered.fields,
        plain=offered.plain,
        **selectors.reveal_terms(signed_in_user(request), family),
    )


@require_POST
@scoped_view(capability="account.self", model=Person)
def person_reveal(request: HttpRequest, pk: Person, field: str) -> HttpResponse:
    return _reveal(request, pk, field, pk.family)


@require_POST
@scoped_view(capability="account.self", **FAMILY)
def family_reveal(request: HttpRequest, pk: Family) -> HttpResponse:
    return _reveal(request, pk, "notes", pk)


@require_POST
@scoped_view(capability="account.self", model=CareRecord)
def care_reveal(request: HttpRequest, pk: CareRecord) -> HttpResponse:
    return _reveal(request, pk, "notes", pk.family)


@require_POST
@scoped_view(capability="account.self", model=Contact)
def contact_reveal(request: HttpRequest, pk: Contact, field: str) -> HttpResponse:
    return _reveal(request, pk, field, pk.family)


@scoped_view(capability="family.view")
def rates(request: HttpRequest) -> HttpResponse:
    can_set = signed_in_user(request).has_capability("family.rates")
    form = forms.RateForm(request.POST or None)
    if request.method == "POST" and not can_set:
        raise PermissionDenied(gettext("您的角色无权进行此操作。"))
    return form_action(
        request,
        form,
        call=lambda form: services.rate_set(actor=signed_in_user(request), **form.cleaned_data),
        done=gettext("特别扶助金标准已保存。"),
        then="families:rates",
        page=lambda: render(
            request,
            "families/rates.html",
            {"form": form, "rates": selectors.payment_rates(), "can_set": can_set},
        ),
    )
