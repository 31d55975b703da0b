"""The expert and trainer pool (专家和师资队伍) and the 青春健康同伴社 of schools."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext

from fpa.activities import tallies
from fpa.activities.models import Expert, PeerClub, Specialty
from fpa.activities.services.common import count
from fpa.core.audit import audit_create, audit_update, changed_since, snapshot
from fpa.core.errors import ServiceError, check_version, not_future, validate
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

EXPERT_FIELDS = ("name", "organisation", "title", "qualifications", "phone", "active")
CLUB_FIELDS = ("school", "site", "members", "founded_on", "active")


def _codes(expert: Expert) -> list[str]:
    return list(expert.specialties.values_list("code", flat=True))


def _unknown(data: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ServiceError(gettext("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})


@transaction.atomic
def expert_add(
    *, actor: User, association: Association, specialties: Iterable[Specialty], **data: Any
) -> Expert:
    require(actor, "activity.edit")
    require_in_scope(actor, association)
    _unknown(data, EXPERT_FIELDS)
    chosen = list(specialties)
    if not chosen:
        raise ServiceError(gettext("请至少选择一项专长。"), field="specialties")
    expert = Expert(association=association, **data)
    validate(expert, exclude=["specialties"])
    expert.save()
    expert.specialties.set(chosen)
    tallies.move({}, tallies.of_expert(expert, [s.code for s in chosen]))
    audit_create(actor=actor, obj=expert, scope_path=association.path)
    return expert


@transaction.atomic
def expert_update(
    *,
    actor: User,
    expert: Expert,
    version: int | None = None,
    specialties: Iterable[Specialty] | None = None,
    **data: Any,
) -> Expert:
    require(actor, "activity.edit")
    expert = Expert.objects.select_for_update().select_related("association").get(pk=expert.pk)
    require_in_scope(actor, expert.association)
    check_version(expert.version, version, changed_since(expert, version or 0))
    _unknown(data, EXPERT_FIELDS)
    before = snapshot(expert, [*EXPERT_FIELDS, "version"])
    counted = tallies.of_expert(expert, _codes(expert))
    for name, value in data.items():
        setattr(expert, name, value)
    validate(expert, exclude=["specialties"])
    expert.version += 1
    expert.save()
    if specialties is not None:
        chosen = list(specialties)
        if not chosen:
            raise ServiceError(gettext("请至少选择一项专长。"), field="specialties")
        expert.specialties.set(chosen)
    tallies.move(counted, tallies.of_expert(expert, _codes(expert)))
    audit_update(actor=actor, obj=expert, before=before, scope_path=expert.association.path)
    return expert


def _check_club(actor: User, club: PeerClub) -> None:
    club.members = count(club.members, field="members")
    not_future(club.founded_on, field="founded_on")
    if club.site_id:
        site = club.site
        assert site is not None
        if not (
            club.association.is_under(site.association)
            or site.association.is_under(club.association)
        ):
            raise ServiceError(gettext("阵地不属于该协会或其上级。"), field="site")
    validate(club)


@transaction.atomic
def peer_club_add(*, actor: User, association: Association, **data: Any) -> PeerClub:
    require(actor, "activity.edit")
    require_in_scope(actor, association)
    _unknown(data, CLUB_FIELDS)
    club = PeerClub(association=association, **data)
    _check_club(actor, club)
    club.save()
    tallies.move({}, tallies.of_peer_club(club))
    audit_create(actor=actor, obj=club, scope_path=association.path)
    return club


@transaction.atomic
def peer_club_update(
    *, actor: User, club: PeerClub, version: int | None = None, **data: Any
) -> PeerClub:
    require(actor, "activity.edit")
    club = PeerClub.objects.select_for_update().select_related("association").get(pk=club.pk)
    require_in_scope(actor, club.association)
    check_version(club.version, version, changed_since(club, version or 0))
    _unknown(data, CLUB_FIELDS)
    before = snapshot(club, [*CLUB_FIELDS, "version"])
    counted = tallies.of_peer_club(club)
    for name, value in data.items():
        setattr(club, name, value)
    _check_club(actor, club)
    club.version += 1
    club.save()
    tallies.move(counted, tallies.of_peer_club(club))
    audit_update(actor=actor, obj=club, before=before, scope_path=club.association.path)
    return club
