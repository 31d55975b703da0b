"""The settings page of the activities (活动设置): the configurable lists (活动类别, 活动主题,
阵地类型, 专长: add, rename, reorder, retire, restore) and the approval rule of the user's own
association.

Who: `activity.approve` and a home association at county level or above
(`services.settings.may_configure`, checked again by every service): the lists are shared by every
association, the rule is the user's own association's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.models import User
from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.forms.sites import ActiveForm, ItemForm, MoveForm, PolicyForm
from fpa.activities.models import Configurable
from fpa.activities.services.settings import LIST_LABELS, may_configure
from fpa.core.actions import form_action, form_errors, post_action
from fpa.core.scope import scoped_view

ITEMS: dict[str, Callable[..., QuerySet[Any]]] = {
    "category": selectors.categories,
    "theme": selectors.themes,
    "site_kind": selectors.site_kinds,
    "specialty": selectors.specialties,
}
BACK = "activities:settings"


def _configurer(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not may_configure(user):
        raise PermissionDenied(gettext("只有县级及以上计生协的管理人员可以修改活动设置。"))
    return user


def _kind(kind: str) -> str:
    if kind not in ITEMS:
        raise Http404(gettext("没有这个列表。"))
    return kind


def _item(kind: str, pk: int) -> Configurable:
    try:
        return ITEMS[_kind(kind)](include_retired=True).get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404(gettext("该项目不存在。")) from exc


@scoped_view(capability="activity.approve")
def settings_page(request: HttpRequest) -> HttpResponse:
    """The lists and the approval rule; POST sets the rule. A township (it approves, but below
    the county) reads the lists and changes nothing."""
    user = signed_in_user(request)
    if request.method == "POST":
        user = _configurer(request)
        return post_action(
            request,
            PolicyForm(request.POST),
            call=lambda form: services.policy_set(actor=user, **form.cleaned_data),
            done=lambda p: (
                gettext("已设置：下级活动须经审批。")
                if p.approval_required
                else gettext("已设置：下级活动无须审批。")
            ),
            then=BACK,
        )
    lists = selectors.settings_lists()
    policy = selectors.policy_of(user=user)
    can_configure = may_configure(user)
    context = {
        "lists": [
            {
                "kind": kind,
                "label": LIST_LABELS[kind],
                "items": items,
                "form": ItemForm(kind=kind, prefix=kind),
            }
            for kind, items in lists.items()
        ],
        "can_configure": can_configure,
        "home": user.home_association,
        "policy_form": PolicyForm(
            initial={"approval_required": bool(policy and policy.approval_required)}
        ),
        "policy_above": selectors.policy_above(user=user),
    }
    return render(request, "activities/settings_page.html", context)


@require_POST
@scoped_view(capability="activity.approve")
def settings_item_add(request: HttpRequest, kind: str) -> HttpResponse:
    user = _configurer(request)
    form = ItemForm(request.POST, kind=_kind(kind), prefix=kind)
    return post_action(
        request,
        form,
        call=lambda form: services.list_item_add(actor=user, kind=kind, **form.cleaned_data),
        done=lambda item: gettext("已添加：%(name)s。") % {"name": item.name},
        then=BACK,
        invalid=form_errors,
    )


@scoped_view(capability="activity.approve")
def settings_item_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _configurer(request)
    item = _item(kind, pk)
    initial: dict[str, Any] = {"name": item.name}
    if kind == "site_kind":
        initial["serves_families"] = getattr(item, "serves_families", False)
    form = ItemForm(request.POST or None, kind=kind, adding=False, initial=initial)
    return form_action(
        request,
        form,
        call=lambda form: services.list_item_update(
            actor=user, kind=kind, pk=item.pk, **form.cleaned_data
        ),
        done=gettext("已保存。"),
        then=BACK,
        page=lambda: render(
            request,
            "activities/settings_form.html",
            {"form": form, "item": item, "label": LIST_LABELS[kind]},
        ),
    )


@require_POST
@scoped_view(capability="activity.approve")
def settings_item_move(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _configurer(request)
    item = _item(kind, pk)
    form = MoveForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.list_item_move(
            actor=user, kind=kind, pk=item.pk, direction=form.cleaned_data["direction"]
        ),
        then=BACK,
        invalid=gettext("无效的移动方向。"),
    )


@require_POST
@scoped_view(capability="activity.approve")
def settings_item_active(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _configurer(request)
    item = _item(kind, pk)
    form = ActiveForm(request.POST)
    return post_action(
        request,
        form,
        call=lambda form: services.list_item_set_active(
            actor=user, kind=kind, pk=item.pk, active=form.cleaned_data["active"]
        ),
        done=lambda i: (
            (gettext("已恢复启用：%(name)s。") if i.active else gettext("已停用：%(name)s。"))
            % {"name": i.name}
        ),
        then=BACK,
    )
