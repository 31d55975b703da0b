"""Service sites (阵地): registered, edited, opened and closed; the families a 暖心家园 serves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext

from fpa.activities import tallies
from fpa.activities.models import Site, SiteKind
from fpa.core.audit import audit_create, audit_record, audit_update, changed_since, snapshot
from fpa.core.errors import ServiceError, check_version, not_future, validate
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.families.models import Family

SITE_FIELDS = (
    "kind",
    "name",
    "address",
    "facilities",
    "opening_hours",
    "contact_name",
    "contact_phone",
    "status",
    "opened_on",
    "closed_on",
)


def _check(site: Site) -> None:
    if not site.kind.active and site.pk is None:
        raise ServiceError(gettext("该阵地类型已停用。"), field="kind")
    not_future(site.opened_on, field="opened_on")
    not_future(site.closed_on, field="closed_on")
    if site.status == Site.Status.OPEN and site.opened_on is None:
        raise ServiceError(gettext("运行中的阵地请填写启用日期。"), field="opened_on")
    if site.status == Site.Status.CLOSED and site.closed_on is None:
        raise ServiceError(gettext("已关闭的阵地请填写关闭日期。"), field="closed_on")
    if site.status != Site.Status.CLOSED and site.closed_on is not None:
        raise ServiceError(gettext("只有已关闭的阵地才有关闭日期。"), field="closed_on")
    if site.opened_on and site.closed_on and site.closed_on < site.opened_on:
        raise ServiceError(gettext("关闭日期不能早于启用日期。"), field="closed_on")
    validate(site, exclude=["families"])


@transaction.atomic
def site_create(*, actor: User, association: Association, kind: SiteKind, **data: Any) -> Site:
    require(actor, "activity.edit")
    require_in_scope(actor, association)
    unknown = set(data) - set(SITE_FIELDS)
    if unknown:
        raise ServiceError(gettext("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    site = Site(association=association, kind=kind, **data)
    _check(site)
    site.save()
    tallies.move({}, tallies.of_site(site))
    audit_create(actor=actor, obj=site, scope_path=association.path)
    return site


@transaction.atomic
def site_update(*, actor: User, site: Site, version: int | None = None, **data: Any) -> Site:
    require(actor, "activity.edit")
    site = Site.objects.select_for_update().select_related("association", "kind").get(pk=site.pk)
    require_in_scope(actor, site.association)
    check_version(site.version, version, changed_since(site, version or 0))
    unknown = set(data) - set(SITE_FIELDS)
    if unknown:
        raise ServiceError(gettext("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    before = snapshot(site, [*SITE_FIELDS, "version"])
    counted = tallies.of_site(site)
    for name, value in data.items():
        setattr(site, name, value)
    _check(site)
    site.version += 1
    site.save()
    tallies.move(counted, tallies.of_site(site))
    audit_update(actor=actor, obj=site, before=before, scope_path=site.association.path)
    return site


@transaction.atomic
def site_set_families(*, actor: User, site: Site, families: Iterable[Family]) -> Site:
    """The special families a 暖心家园 serves: families in the actor's scope and in the subtree of
    the site's association."""
    require(actor, "activity.edit")
    require(actor, "family.view")
    require_in_scope(actor, site.association)
    if not site.kind.serves_families:
        raise ServiceError(gettext("该类型的阵地不登记服务家庭。"), field="families")
    chosen = list(families)
    for family in chosen:
        require_in_scope(actor, family.association)
        if not family.association.is_under(site.association):
            raise ServiceError(gettext("家庭不在该阵地所属协会的范围内。"), field="families")
    before = {"families": sorted(site.families.values_list("pk", flat=True))}
    site.families.set(chosen)
    after = {"families": sorted(f.pk for f in chosen)}
    if before != after:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=site,
            changes={"families": [before["families"], after["families"]]},
            scope_path=site.association.path,
        )
    return site
