"""The association tree: loading the division codes, creating, renaming and closing associations."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import (
    audit_create,
    audit_record,
    audit_update,
    snapshot,
)
from fpa.core.errors import ServiceError, check_version, validate
from fpa.core.models import AuditEvent
from fpa.core.names import pinyin_forms
from fpa.core.scope import require, require_in_scope
from fpa.organizations.divisions import DivisionRow, association_name
from fpa.organizations.models import (
    Association,
    AssociationChange,
)
from fpa.organizations.selectors import forget_area_options

if TYPE_CHECKING:
    from fpa.accounts.models import User

BATCH = 5000
LEVEL_KIND = {
    "province": Association.Kind.PROVINCE,
    "prefecture": Association.Kind.PREFECTURE,
    "county": Association.Kind.COUNTY,
    "township": Association.Kind.TOWNSHIP,
    "village": Association.Kind.VILLAGE,
}
NON_TERRITORIAL_PREFIX = {
    Association.Kind.MEMBER_GROUP: "G",
    Association.Kind.ENTERPRISE: "E",
    Association.Kind.PARK: "P",
    Association.Kind.CHAMBER: "C",
    Association.Kind.MIGRANT: "M",
    Association.Kind.PARTY_BRANCH: "B",
    Association.Kind.CHAMBER_JOINT: "J",
}


# --- association tree -------------------------------------------------------------------------


@dataclass
class LoadResult:
    created: int = 0
    renamed: int = 0
    moved: int = 0
    closed: int = 0
    unchanged: int = 0


def divisions_load(
    *,
    rows: list[DivisionRow],
    valid_from: datetime.date,
    actor: User | None = None,
    close_missing: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Create or update the territorial tree from division rows (parents before children).

    New codes are bulk-inserted in batches; a known code with a new name is a rename and a known
    code under a new parent is a move, both kept as history; with `close_missing`, current
    territorial associations under the file's roots that the file no longer lists are closed.
    `on_progress(rows read, rows written)` (a background job's progress) is called after every
    batch; an exception it raises (a cancel) rolls the whole load back.
    """
    result = LoadResult()
    with transaction.atomic():
        existing = {
            a.code: a
            for a in Association.objects.filter(kind__in=Association.TERRITORIAL).only(
                "id", "code", "name", "division_name", "path", "parent_id", "valid_to", "kind"
            )
        }
        paths: dict[str, tuple[int, str]] = {code: (a.id, a.path) for code, a in existing.items()}
        pending: list[Association] = []
        listed: set[str] = set()
        for done, row in enumerate(rows, start=1):
            if on_progress is not None and done % BATCH == 0:
                on_progress(done, result.created - len(pending) + result.renamed + result.moved)
            listed.add(row.code)
            parent = paths.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent is None:
                _flush(pending, paths)
                parent = paths.get(row.parent_code)
                if parent is None:
                    raise ServiceError(
                        gettext("编码“%(code)s”的上级“%(parent)s”不存在。")
                        % {"code": row.code, "parent": row.parent_code}
                    )
            path = (parent[1] if parent else "/") + row.code + "/"
            current = existing.get(row.code)
            if current is None:
                full, initials = pinyin_forms(row.name)
                pending.append(
                    Association(
                        code=row.code,
                        name=association_name(row.name, row.level),
                        division_name=row.name,
                        kind=LEVEL_KIND[row.level],
                        parent_id=parent[0] if parent else None,
                        path=path,
                        depth=path.count("/") - 2,
                        name_pinyin=full,
                        name_initials=initials,
                        valid_from=valid_from,
                    )
                )
                result.created += 1
                if len(pending) >= BATCH:
                    _flush(pending, paths)
                continue
            _update_known(current, row, parent, path, valid_from, actor, result)
        _flush(pending, paths)
        if on_progress is not None:
            on_progress(len(rows), result.created + result.renamed + result.moved)
        if close_missing:
            roots = {r.code for r in rows if r.parent_code not in listed}
            result.closed = _close_unlisted(roots, listed, valid_from, actor, existing)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            object_type="organizations.association",
            object_repr=f"导入行政区划 {len(rows)} 行",
            changes={"summary": [None, result.__dict__]},
        )
    return result


def _flush(pending: list[Association], paths: dict[str, tuple[int, str]]) -> None:
    if not pending:
        return
    Association.objects.bulk_create(pending, batch_size=1000)
    _tree_changed()
    if not all(a.pk for a in pending):  # SQLite < 3.35 and some backends return no ids
        ids = dict(
            Association.objects.filter(code__in=[a.code for a in pending]).values_list("code", "id")
        )
        for a in pending:
            a.pk = a.id = ids[a.code]
    AssociationChange.objects.bulk_create(
        AssociationChange(
            association_id=a.pk,
            kind=AssociationChange.Kind.CREATE,
            effective_date=a.valid_from,
            after={"name": a.name, "parent": a.path},
        )
        for a in pending
    )
    for a in pending:
        paths[a.code] = (a.pk, a.path)
    pending.clear()


def _update_known(
    current: Association,
    row: DivisionRow,
    parent: tuple[int, str] | None,
    path: str,
    effective: datetime.date,
    actor: User | None,
    result: LoadResult,
) -> None:
    changed = False
    if current.division_name != row.name:
        _rename(current, association_name(row.name, row.level), row.name, effective, actor)
        result.renamed += 1
        changed = True
    if current.path != path:
        _move(current, parent, path, effective, actor)
        result.moved += 1
        changed = True
    if current.valid_to is not None:
        AssociationChange.objects.create(
            association=current, kind="reopen", effective_date=effective, recorded_by=actor
        )
        Association.objects.filter(pk=current.pk).update(valid_to=None)
        _tree_changed()
        changed = True
    if not changed:
        result.unchanged += 1


def _rename(
    association: Association,
    name: str,
    division_name: str,
    effective: datetime.date,
    actor: User | None,
    note: str = "",
) -> None:
    AssociationChange.objects.create(
        association=association,
        kind=AssociationChange.Kind.RENAME,
        effective_date=effective,
        before={"name": association.name, "division_name": association.division_name},
        after={"name": name, "division_name": division_name},
        note=note,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    full, initials = pinyin_forms(division_name or name)
    Association.objects.filter(pk=association.pk).update(
        name=name,
        division_name=division_name,
        name_pinyin=full,
        name_initials=initials,
        version=association.version + 1,
    )
    _tree_changed()
    association.name, association.division_name = name, division_name


def _move(
    association: Association,
    parent: tuple[int, str] | None,
    path: str,
    effective: datetime.date,
    actor: User | None,
) -> None:
    """Re-hang a subtree: every descendant's path is rewritten in one statement per level."""
    old = association.path
    AssociationChange.objects.create(
        association=association,
        kind=AssociationChange.Kind.MOVE,
        effective_date=effective,
        before={"path": old},
        after={"path": path},
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    descendants = list(Association.objects.filter(path__under=old).only("id", "path"))
    for node in descendants:
        node.path = path + node.path[len(old) :]
        node.depth = node.path.count("/") - 2
    # Two passes so that the unique index never sees two rows with the same path mid-update.
    for node in descendants:
        Association.objects.filter(pk=node.pk).update(path=f"~moving~{node.pk}/")
    for node in descendants:
        Association.objects.filter(pk=node.pk).update(path=node.path, depth=node.depth)
    Association.objects.filter(pk=association.pk).update(parent_id=parent[0] if parent else None)
    _tree_changed()
    association.path = path


def _close_unlisted(
    roots: set[str],
    listed: set[str],
    effective: datetime.date,
    actor: User | None,
    existing: dict[str, Association],
) -> int:
    closed = 0
    for code, association in existing.items():
        if code in listed or association.valid_to is not None:
            continue
        if not any(f"/{root}/" in association.path for root in roots):
            continue
        AssociationChange.objects.create(
            association=association, kind=AssociationChange.Kind.CLOSE, effective_date=effective
        )
        Association.objects.filter(pk=association.pk).update(valid_to=effective)
        _tree_changed()
        closed += 1
    return closed


def _tree_changed() -> None:
    """The area filters' options kept per worker are read again once this transaction commits
    (selectors.area_options; the tree's writes here are bulk and queryset updates, which send
    no model signal)."""
    transaction.on_commit(forget_area_options)


@transaction.atomic
def association_create(
    *,
    actor: User,
    parent: Association,
    kind: str,
    name: str,
    address: str = "",
    valid_from: datetime.date | None = None,
) -> Association:
    """A non-territorial association (enterprise, park, chamber, migrant, member group, the
    "党支部+计生协" and "商会+计生协" forms) under a township, village or the county."""
    require(actor, "org.edit")
    require_in_scope(actor, parent)
    allowed = Association.ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise ServiceError(gettext("行政区划协会由区划文件导入，不能手工新增。"), field="kind")
    if parent.kind not in allowed or not parent.is_current:
        raise ServiceError(
            gettext("%(kind)s不能设在%(parent)s之下。")
            % {"kind": Association.Kind(kind).label, "parent": parent.get_kind_display()},
            field="parent",
        )
    name = (name or "").strip()
    if not name:
        raise ServiceError(gettext("请填写协会名称。"), field="name")
    prefix = parent.code + "-" + NON_TERRITORIAL_PREFIX[Association.Kind(kind)]
    taken = Association.objects.filter(code__startswith=prefix).count()
    code = f"{prefix}{taken + 1:03d}"
    full, initials = pinyin_forms(name)
    association = Association(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=f"{parent.path}{code}/",
        depth=parent.depth + 1,
        name_pinyin=full,
        name_initials=initials,
        address=address.strip(),
        valid_from=valid_from or timezone.localdate(),
    )
    validate(association)
    association.save()
    AssociationChange.objects.create(
        association=association,
        kind=AssociationChange.Kind.CREATE,
        effective_date=association.valid_from,
        after={"name": name, "parent": parent.code},
        recorded_by=actor,
    )
    audit_create(actor=actor, obj=association, scope_path=association.path)
    return association


@transaction.atomic
def association_rename(
    *,
    actor: User,
    association: Association,
    name: str,
    effective_date: datetime.date,
    note: str = "",
    expected_version: int | None = None,
) -> Association:
    require(actor, "org.edit")
    require_in_scope(actor, association)
    locked = Association.objects.select_for_update().get(pk=association.pk)
    check_version(locked.version, expected_version, [gettext("名称")])
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError(gettext("名称不能为空，且不超过100个字符。"), field="name")
    if name == locked.name:
        raise ServiceError(gettext("新名称与原名称相同。"), field="name")
    before = snapshot(locked, ["name", "division_name"])
    division = locked.division_name
    if locked.is_territorial and name.endswith("计生协"):
        division = name.removesuffix("计生协")
    _rename(locked, name, division, effective_date, actor, note)
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.path, reason=note)
    return locked


PUBLIC_PHONE = re.compile(r"^[0-9][0-9 \-]{5,30}$")


@transaction.atomic
def association_set_contact(
    *,
    actor: User,
    association: Association,
    address: str,
    public_phone: str,
    expected_version: int | None = None,
) -> Association:
    """The association's public address and office phone (shown on the public front door)."""
    require(actor, "org.edit")
    require_in_scope(actor, association)
    locked = Association.objects.select_for_update().get(pk=association.pk)
    check_version(locked.version, expected_version, [gettext("联系方式")])
    phone = " ".join((public_phone or "").split())
    if phone and not PUBLIC_PHONE.match(phone):
        raise ServiceError(
            gettext("办公电话只能包含数字、空格和“-”，如 0930-8812345。"), field="public_phone"
        )
    before = snapshot(locked, ["address", "public_phone", "version"])
    locked.address = address
    locked.public_phone = phone
    locked.version += 1
    validate(locked)
    locked.save(update_fields=["address", "public_phone", "version", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.path)
    return locked


@transaction.atomic
def association_close(
    *,
    actor: User,
    association: Association,
    effective_date: datetime.date,
    merged_into: Association | None = None,
    note: str = "",
) -> Association:
    """Close (撤销) an association, or merge it into another; its records keep pointing at it."""
    require(actor, "org.edit")
    require_in_scope(actor, association)
    if merged_into is not None:
        require_in_scope(actor, merged_into)
        if merged_into.is_under(association):  # itself or one of its own
            raise ServiceError(gettext("不能并入自身或其下级协会。"), field="merged_into")
    if association.valid_to is not None:
        raise ServiceError(gettext("该协会已停用。"))
    if Association.objects.current().filter(parent=association).exists():
        raise ServiceError(gettext("该协会还有在用的下级协会，请先调整或撤销下级。"))
    before = snapshot(association, ["valid_to", "successor"])
    association.valid_to = effective_date
    association.successor = merged_into
    association.version += 1
    association.save(update_fields=["valid_to", "successor", "version", "updated_at"])
    AssociationChange.objects.create(
        association=association,
        kind=AssociationChange.Kind.MERGE if merged_into else AssociationChange.Kind.CLOSE,
        effective_date=effective_date,
        related_codes=[merged_into.code] if merged_into else [],
        note=note,
        recorded_by=actor,
    )
    audit_update(actor=actor, obj=association, before=before, scope_path=association.path)
    return association
