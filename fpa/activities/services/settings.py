"""The configurable lists (活动类别, 活动主题, 阵地类型, 专长) and an association's approval rule.

Who: holders of `activity.approve` whose home association is a county or above (`may_configure`):
the lists are shared by every association of the deployment (each record keeps its item, and the
figures are kept by the item's code), so townships and villages use them and do not change them.

An item is added, renamed, moved up or down, retired and restored; never deleted, and its code
never changes (old records, the tallies and the API keep it).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import TYPE_CHECKING, Literal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext, gettext_lazy

from fpa.activities.models import Category, Configurable, Policy, Site, SiteKind, Specialty, Theme
from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, validate
from fpa.core.scope import require
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# The lists by the key the pages and the URLs use.
LISTS: dict[str, type[Configurable]] = {
    "category": Category,
    "theme": Theme,
    "site_kind": SiteKind,
    "specialty": Specialty,
}
LIST_LABELS = {
    "category": gettext_lazy("活动类别"),
    "theme": gettext_lazy("活动主题"),
    "site_kind": gettext_lazy("阵地类型"),
    "specialty": gettext_lazy("专长"),
}
CONFIGURERS = (Association.Kind.PROVINCE, Association.Kind.PREFECTURE, Association.Kind.COUNTY)
MAX_NAME = 50
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")


def may_configure(actor: User) -> bool:
    """The settings page: `activity.approve` and a home association at county level or above."""
    home = actor.home_association
    return (
        actor.has_capability("activity.approve")
        and home is not None
        and home.kind in CONFIGURERS
        and home.valid_to is None
    )


def _require_configure(actor: User) -> Association:
    require(actor, "activity.approve")
    if not may_configure(actor):
        raise NotAllowed(gettext("只有县级及以上计生协的管理人员可以修改活动设置。"))
    home = actor.home_association
    assert home is not None  # may_configure
    return home


def model_of(kind: str) -> type[Configurable]:
    try:
        return LISTS[kind]
    except KeyError as exc:
        raise ServiceError(gettext("没有这个列表。"), field="kind") from exc


def _name(model: type[Configurable], name: str, *, exclude: int | None = None) -> str:
    name = unicodedata.normalize("NFKC", name or "").strip()
    name = " ".join(name.split())
    if not name:
        raise ServiceError(gettext("请填写名称。"), field="name")
    if len(name) > MAX_NAME:
        raise ServiceError(
            gettext("名称不能超过%(limit)s个字符。") % {"limit": MAX_NAME}, field="name"
        )
    same = model._default_manager.filter(name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    found = same.first()
    if found is not None:
        message = (
            gettext("已有同名的项目。")
            if found.active
            else gettext("已有同名的停用项目，请恢复启用它，不要重复添加。")
        )
        raise ServiceError(message, field="name", code="duplicate")
    return name


def _code(model: type[Configurable], code: str) -> str:
    """The code an API or a workbook uses: given (lower-case letters, digits, "_"), or made up."""
    code = unicodedata.normalize("NFKC", code or "").strip().lower()
    if not code:
        while True:
            code = f"x{secrets.token_hex(4)}"
            if not model._default_manager.filter(code=code).exists():
                return code
    if not _CODE.fullmatch(code):
        raise ServiceError(
            gettext("代码只能包含小写字母、数字和下划线，以字母开头，2至30位。"), field="code"
        )
    if model._default_manager.filter(code=code).exists():
        raise ServiceError(gettext("该代码已被使用。"), field="code", code="duplicate")
    return code


def _path(home: Association) -> str:
    return home.path


@transaction.atomic
def list_item_add(
    *, actor: User, kind: str, name: str, code: str = "", serves_families: bool = False
) -> Configurable:
    """A new item at the end of its list."""
    home = _require_configure(actor)
    model = model_of(kind)
    last = model._default_manager.aggregate(n=Max("sort"))["n"] or 0
    item = model(name=_name(model, name), code=_code(model, code), sort=min(last + 10, 32000))
    if isinstance(item, SiteKind):
        item.serves_families = bool(serves_families)
    validate(item)
    item.save()
    audit_create(actor=actor, obj=item, scope_path=_path(home))
    return item


def _locked(kind: str, pk: int) -> Configurable:
    model = model_of(kind)
    try:
        return model._default_manager.select_for_update().get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError(gettext("该项目不存在。"), field="item", code="not_found") from exc


@transaction.atomic
def list_item_update(
    *, actor: User, kind: str, pk: int, name: str, serves_families: bool | None = None
) -> Configurable:
    """Rename an item (records keep it: they show the new name); for a site kind, whether it
    serves special families (turned off only when no site of the kind lists any)."""
    home = _require_configure(actor)
    item = _locked(kind, pk)
    fields = ["name", *(["serves_families"] if isinstance(item, SiteKind) else [])]
    before = snapshot(item, fields)
    item.name = _name(type(item), name, exclude=item.pk)
    if isinstance(item, SiteKind) and serves_families is not None:
        if item.serves_families and not serves_families:
            listed = Site.families.through.objects.filter(site__kind=item).exists()
            if listed:
                raise ServiceError(
                    gettext("该类型的阵地已登记服务家庭，不能取消“服务计生特殊家庭”。"),
                    field="serves_families",
                )
        item.serves_families = serves_families
    validate(item)
    item.save(update_fields=fields)
    audit_update(actor=actor, obj=item, before=before, scope_path=_path(home))
    return item


def _renumber(model: type[Configurable]) -> tuple[list[Configurable], dict[int, int]]:
    """Every item of the list in its order with sorts made 10, 20, 30 … (equal sorts told
    apart), and the sorts they had."""
    rows = list(model._default_manager.select_for_update().order_by("sort", "id"))
    before = {row.pk: row.sort for row in rows}
    for index, row in enumerate(rows, start=1):
        row.sort = index * 10
    return rows, before


@transaction.atomic
def list_item_move(
    *, actor: User, kind: str, pk: int, direction: Literal["up", "down"]
) -> Configurable:
    """Move an item one place up or down its list (forms and reports show the list in order)."""
    home = _require_configure(actor)
    if direction not in ("up", "down"):
        raise ServiceError(gettext("无效的移动方向。"), field="direction")
    model = model_of(kind)
    rows, before = _renumber(model)
    index = next((i for i, row in enumerate(rows) if row.pk == pk), None)
    if index is None:
        raise ServiceError(gettext("该项目不存在。"), field="item", code="not_found")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index].sort, rows[other].sort = rows[other].sort, rows[index].sort
    changed = [row for row in rows if before.get(row.pk) != row.sort]
    model._default_manager.bulk_update(changed, ["sort"])
    item = rows[index]
    if before.get(item.pk) != item.sort:
        audit_update(
            actor=actor, obj=item, before={"sort": before[item.pk]}, scope_path=_path(home)
        )
    return item


@transaction.atomic
def list_item_set_active(*, actor: User, kind: str, pk: int, active: bool) -> Configurable:
    """Retire an item (no longer offered for new records; old records keep it) or restore it.
    The last active item of a list stays: the forms need one."""
    home = _require_configure(actor)
    item = _locked(kind, pk)
    before = snapshot(item, ["active"])
    if not active and item.active:
        others = type(item)._default_manager.filter(active=True).exclude(pk=item.pk)
        if not others.exists():
            raise ServiceError(gettext("这是列表中最后一个启用的项目，不能停用。"), field="item")
    item.active = active
    item.save(update_fields=["active"])
    audit_update(actor=actor, obj=item, before=before, scope_path=_path(home))
    return item


@transaction.atomic
def policy_set(*, actor: User, approval_required: bool) -> Policy:
    """The approval rule of the actor's own association: whether its subtree's planned activities
    must be approved before they are held."""
    home = _require_configure(actor)
    policy = Policy.objects.select_for_update().filter(association=home).first()
    if policy is None:
        policy = Policy(association=home, approval_required=bool(approval_required))
        policy.save()
        audit_create(actor=actor, obj=policy, scope_path=home.path)
        return policy
    before = snapshot(policy, ["approval_required"])
    policy.approval_required = bool(approval_required)
    policy.save(update_fields=["approval_required"])
    audit_update(actor=actor, obj=policy, before=before, scope_path=home.path)
    return policy
