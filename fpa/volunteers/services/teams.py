"""Volunteer teams (志愿服务队) and their members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_record, snapshot
from fpa.core.errors import ServiceError, validate
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association
from fpa.volunteers.models import (
    Team,
    Volunteer,
)
from fpa.volunteers.services.common import TEAM_LEVELS

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- teams ----------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, actor: User, association: Association, level: str, name: str) -> Team:
    require(actor, "volunteer.edit")
    require_in_scope(actor, association)
    if level not in TEAM_LEVELS:
        raise ServiceError(gettext("请选择队伍级别。"), field="level")
    if association.kind not in TEAM_LEVELS[level]:
        kinds = "、".join(str(Association.Kind(k).label) for k in TEAM_LEVELS[level])
        label = Team.Level(level).label
        raise ServiceError(
            gettext("%(level)s应设在%(kinds)s。") % {"level": label, "kinds": kinds},
            field="association",
        )
    team = Team(association=association, level=level, name=(name or "").strip())
    validate(team)
    team.save()
    audit_create(actor=actor, obj=team, scope_path=association.path)
    return team


@transaction.atomic
def team_add_member(*, actor: User, team: Team, volunteer: Volunteer, leader: bool = False) -> Team:
    require(actor, "volunteer.edit")
    require_in_scope(actor, team.association)
    require_in_scope(actor, volunteer.association)
    if not volunteer.association.is_under(team.association):
        raise ServiceError(gettext("只能吸收本队所在协会辖区内的志愿者。"), field="volunteer")
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ServiceError(gettext("只有在册服务的志愿者可以加入队伍。"), field="volunteer")
    team.members.add(volunteer)
    before = snapshot(team, ["leader"])
    if leader:
        team.leader = volunteer
        team.save(update_fields=["leader", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=team,
        changes={
            "members": [None, volunteer.pk],
            **({"leader": [before["leader"], volunteer.pk]} if leader else {}),
        },
        scope_path=team.association.path,
    )
    return team
