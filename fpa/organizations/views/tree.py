"""The tree, lists, autocomplete, one association and its changes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest
from fpa.organizations import forms, selectors, services
from fpa.organizations.models import Association
from fpa.organizations.views.common import ASSOCIATION, _form_page

# --- tree, list, detail -----------------------------------------------------------------------


@scoped_view(capability="org.view")
def tree(request: HttpRequest) -> HttpResponse:
    home = signed_in_user(request).home_association
    if home is None:
        return render(request, "organizations/tree.html", {"root": None, "children": []})
    children = selectors.association_children(user=signed_in_user(request), parent=home)
    return render(request, "organizations/tree.html", {"root": home, "children": children})


@scoped_view(capability="org.view", **ASSOCIATION)
def children(request: HttpRequest, code: Association) -> HttpResponse:
    nodes = selectors.association_children(user=signed_in_user(request), parent=code)
    return render(request, "organizations/_tree_children.html", {"children": nodes})


@scoped_view(capability="org.view")
def association_list(request: HtmxHttpRequest) -> HttpResponse:
    form = forms.AssociationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = selectors.association_list(
        user=signed_in_user(request),
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
    page = selectors.association_list(
        user=signed_in_user(request), query=request.GET.get("q", ""), size=20
    )
    return JsonResponse(
        {"results": [{"code": a.code, "name": a.name, "kind": a.kind} for a in page.items]}
    )


@scoped_view(capability="org.view", **ASSOCIATION)
def detail(request: HttpRequest, code: Association) -> HttpResponse:
    association = code
    user = signed_in_user(request)
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


@scoped_view(capability="org.edit", **ASSOCIATION, as_="parent")
def create_child(request: HttpRequest, parent: Association) -> HttpResponse:
    form = forms.AssociationCreateForm(request.POST or None)
    title = gettext("在 %(name)s 下设立协会") % {"name": parent.name}
    return form_action(
        request,
        form,
        call=lambda form: services.association_create(
            actor=signed_in_user(request),
            parent=parent,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            address=form.cleaned_data["address"],
            valid_from=form.cleaned_data["valid_from"],
        ),
        done=lambda child: gettext("已设立 %(name)s。") % {"name": child.name},
        then=lambda child: ("organizations:detail", child.code),
        page=lambda: _form_page(request, form, title, parent),
    )


@scoped_view(capability="org.edit", **ASSOCIATION, as_="association")
def contact(request: HttpRequest, association: Association) -> HttpResponse:
    initial = {
        "address": association.address,
        "public_phone": association.public_phone,
        "version": association.version,
    }
    form = forms.ContactForm(request.POST or None, initial=initial)
    title = gettext("联系方式：%(name)s") % {"name": association.name}
    return form_action(
        request,
        form,
        call=lambda form: services.association_set_contact(
            actor=signed_in_user(request),
            association=association,
            address=form.cleaned_data["address"],
            public_phone=form.cleaned_data["public_phone"],
            expected_version=form.cleaned_data["version"],
        ),
        done=gettext("联系方式已保存。"),
        then=("organizations:detail", association.code),
        page=lambda: _form_page(request, form, title, association),
    )


@scoped_view(capability="org.edit", **ASSOCIATION, as_="association")
def rename(request: HttpRequest, association: Association) -> HttpResponse:
    form = forms.RenameForm(
        request.POST or None,
        initial={"version": association.version, "effective_date": timezone.localdate()},
    )
    title = gettext("更名：%(name)s") % {"name": association.name}
    return form_action(
        request,
        form,
        call=lambda form: services.association_rename(
            actor=signed_in_user(request),
            association=association,
            name=form.cleaned_data["name"],
            effective_date=form.cleaned_data["effective_date"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        ),
        done=gettext("名称已变更，原名称保留在变更记录中。"),
        then=("organizations:detail", association.code),
        page=lambda: _form_page(request, form, title, association),
    )


@scoped_view(capability="org.edit", **ASSOCIATION, as_="association")
def close(request: HttpRequest, association: Association) -> HttpResponse:
    form = forms.CloseForm(
        request.POST or None,
        associations=selectors.association_choices(user=signed_in_user(request)).exclude(
            pk=association.pk
        ),
    )
    title = gettext("撤销或合并：%(name)s") % {"name": association.name}
    return form_action(
        request,
        form,
        call=lambda form: services.association_close(
            actor=signed_in_user(request),
            association=association,
            effective_date=form.cleaned_data["effective_date"],
            merged_into=form.cleaned_data["merged_into"],
            note=form.cleaned_data["note"],
        ),
        done=gettext("已停用，历史记录保留。"),
        then=("organizations:detail", association.code),
        page=lambda: _form_page(
            request,
            form,
            title,
            association,
            confirm=gettext("撤销或合并后，该协会停止使用，不能恢复。确定吗？"),
        ),
    )
