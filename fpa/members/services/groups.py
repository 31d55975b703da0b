"""Member groups (会员小组) and their leaders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import ServiceError, validate
from fpa.core.scope import require, require_in_scope
from fpa.members.models import (
    Member,
    MemberGroup,
)
from fpa.members.services.common import _lock, _path, _require_holder
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- member groups --------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor: User, association: Association, name: str) -> MemberGroup:
    require(actor, "member.edit")
    require_in_scope(actor, association)
    _require_holder(association)
    group = MemberGroup(association=association, name=(name or "").strip())
    if MemberGroup.objects.filter(association=association, name=group.name).exists():
        raise ServiceError(gettext("本协会已有同名的会员小组。"), field="name")
    validate(group, exclude=["leader"])
    group.save()
    audit_create(actor=actor, obj=group, scope_path=association.path)
    return group


@transaction.atomic
def group_assign(*, actor: User, member: Member, group: MemberGroup | None) -> Member:
    """Put a member in a group of their own association (or take them out: group=None)."""
    require(actor, "member.edit")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    if group is not None:
        if group.association_id != locked.association_id or group.dissolved_on:
            raise ServiceError(gettext("只能加入本协会在用的会员小组。"), field="group")
        if locked.status != Member.Status.ACTIVE:
            raise ServiceError(gettext("只有在册会员可以加入会员小组。"), field="group")
    before = snapshot(locked, ["group"])
    locked.group = group
    locked.save(update_fields=["group", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=_path(locked))
    return locked


@transaction.atomic
def group_set_leader(*, actor: User, group: MemberGroup, leader: Member | None) -> MemberGroup:
    require(actor, "member.edit")
    require_in_scope(actor, group.association)
    if leader is not None and (leader.group_id != group.pk or leader.status != "active"):
        raise ServiceError(gettext("组长须是本小组的在册会员。"), field="leader")
    before = snapshot(group, ["leader"])
    group.leader = leader
    group.save(update_fields=["leader", "updated_at"])
    audit_update(actor=actor, obj=group, before=before, scope_path=group.association.path)
    return group
