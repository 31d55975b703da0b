"""Activities from plan to summary: planned, approved where the association's rule asks it,
held (participants by group, materials, health services as counts), summarised, a highlight sent
upward; media reports; volunteers through the volunteers module; phone sign-in opened and closed.

Every change that alters what an activity counts for moves its tallies in the same transaction
(`fpa.activities.tallies`): the figures of every level read those counters, never the records.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.activities import tallies
from fpa.activities.models import PARTICIPANT_GROUPS, Activity, Category, Expert, MediaReport
from fpa.activities.services import media_scans
from fpa.activities.services.common import MAX_DAYS, above, approval_required, count
from fpa.core import codes
from fpa.core.audit import audit_create, audit_record, audit_update, changed_since, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate, within
from fpa.core.models import AuditEvent
from fpa.core.scope import in_scope, require, require_in_scope
from fpa.organizations.models import Association
from fpa.volunteers import services as volunteer_services

if TYPE_CHECKING:
    from fpa.accounts.models import User

PLAN_FIELDS = (
    "title",
    "category",
    "theme",
    "setting",
    "campaign",
    "starts_at",
    "ends_at",
    "site",
    "place",
    "partners",
    "target_groups",
    "public",
    "risky",
    "cost",
)
COUNT_FIELDS = (
    *(name for name, _label in PARTICIPANT_GROUPS),
    "materials",
    "consultations",
    "checks",
    "referrals",
)
MAX_COST = Decimal("100000000")
LIVE = (Activity.Status.PLANNED, Activity.Status.APPROVED)
DONE = (Activity.Status.HELD, Activity.Status.SUMMARISED)


def _lock(activity: Activity) -> Activity:
    """The activity's row locked (only its own row: PostgreSQL locks no outer-joined row, and
    the theme, campaign and site are optional), with what the checks read joined."""
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("association", "category", "theme", "campaign", "site")
        .get(pk=activity.pk)
    )


def _counted(activity: Activity) -> tallies.Counts:
    return tallies.of_activity(activity, tallies.media_of(activity) if activity.counts else [])


def _cost(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        cost = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(gettext("经费应填写数字。"), field="cost") from exc
    if not cost.is_finite() or cost < 0:
        raise ServiceError(gettext("经费不能为负数。"), field="cost")
    if cost >= MAX_COST:
        raise ServiceError(gettext("经费数额过大。"), field="cost")
    return cost.quantize(Decimal("0.01"))


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _check_plan(
    actor: User,
    activity: Activity,
    co_organisers: list[Association] | None,
    experts: list[Expert] | None,
    *,
    new: bool,
) -> None:
    organiser = activity.association
    if activity.starts_at is None or activity.ends_at is None:
        raise ServiceError(gettext("请填写开始和结束时间。"), field="starts_at")
    if activity.ends_at < activity.starts_at:
        raise ServiceError(gettext("结束时间不能早于开始时间。"), field="ends_at")
    if activity.ends_at - activity.starts_at > datetime.timedelta(days=MAX_DAYS):
        raise ServiceError(
            gettext("一次活动最长%(days)s天；更长的工作请作为活动部署。") % {"days": MAX_DAYS},
            field="ends_at",
        )
    if new and not activity.category.active:
        raise ServiceError(gettext("该活动类别已停用。"), field="category")
    if activity.site_id:
        site = activity.site
        assert site is not None
        if not (organiser.is_under(site.association) or in_scope(actor, site.association)):
            raise ServiceError(
                gettext("只能选择本协会、上级协会或管辖范围内的阵地。"), field="site"
            )
        if site.status == site.Status.CLOSED and new:
            raise ServiceError(gettext("该阵地已关闭。"), field="site")
    if not activity.site_id and not activity.place and activity.setting != Activity.Setting.ONLINE:
        raise ServiceError(gettext("请选择阵地或填写地点。"), field="place")
    if activity.campaign_id:
        campaign = activity.campaign
        assert campaign is not None
        if not organiser.is_under(campaign.association):
            raise ServiceError(gettext("该活动部署不是本协会或上级协会发起的。"), field="campaign")
        day = _local_day(activity.starts_at)
        if not campaign.starts_on <= day <= campaign.ends_on:
            raise ServiceError(
                gettext("活动日期不在该部署的时间（%(start)s 至 %(end)s）内。")
                % {"start": campaign.starts_on, "end": campaign.ends_on},
                field="starts_at",
            )
    activity.cost = _cost(activity.cost)
    for other in co_organisers or []:
        if other.pk == organiser.pk:
            raise ServiceError(gettext("协办协会不能是主办协会本身。"), field="co_organisers")
        if not other.is_current:
            raise ServiceError(gettext("协办协会已停用。"), field="co_organisers")
    for expert in experts or []:
        if not (organiser.is_under(expert.association) or in_scope(actor, expert.association)):
            raise ServiceError(
                gettext("只能选择本协会、上级协会或管辖范围内的专家和师资。"), field="experts"
            )
        if not expert.active and new:
            raise ServiceError(gettext("该专家已不在库。"), field="experts")
    validate(activity, exclude=["co_organisers", "experts"])


def _unknown(data: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ServiceError(gettext("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})


@transaction.atomic
def activity_plan(
    *,
    actor: User,
    association: Association,
    category: Category,
    co_organisers: Iterable[Association] = (),
    experts: Iterable[Expert] = (),
    **data: Any,
) -> Activity:
    """Plan an activity of `association` (in the actor's scope)."""
    require(actor, "activity.edit")
    require_in_scope(actor, association)
    _unknown(data, PLAN_FIELDS)
    activity = Activity(association=association, category=category, created_by=actor, **data)
    partners, pool = list(co_organisers), list(experts)
    _check_plan(actor, activity, partners, pool, new=True)
    activity.save()
    activity.co_organisers.set(partners)
    activity.experts.set(pool)
    audit_create(actor=actor, obj=activity, scope_path=association.path)
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: User,
    activity: Activity,
    version: int | None = None,
    co_organisers: Iterable[Association] | None = None,
    experts: Iterable[Expert] | None = None,
    **data: Any,
) -> Activity:
    """Edit the plan of an activity (any status but cancelled). An approved activity whose time
    changes goes back to planned where approval is required; a held one moves its figures."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    check_version(activity.version, version, changed_since(activity, version or 0))
    if activity.status == Activity.Status.CANCELLED:
        raise ServiceError(gettext("已取消的活动不能修改。"), code="state")
    _unknown(data, PLAN_FIELDS)
    before = snapshot(activity, [*PLAN_FIELDS, "status", "version"])
    counted = _counted(activity)
    times = (activity.starts_at, activity.ends_at)
    for name, value in data.items():
        setattr(activity, name, value)
    partners = None if co_organisers is None else list(co_organisers)
    pool = None if experts is None else list(experts)
    _check_plan(actor, activity, partners, pool, new=False)
    if (
        activity.status == Activity.Status.APPROVED
        and (activity.starts_at, activity.ends_at) != times
        and approval_required(activity.association)
    ):
        activity.status = Activity.Status.PLANNED
        activity.approved_by, activity.approved_at = None, None
    activity.version += 1
    activity.save()
    if partners is not None:
        activity.co_organisers.set(partners)
    if pool is not None:
        activity.experts.set(pool)
    tallies.move(counted, _counted(activity))
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity


@transaction.atomic
def activity_approve(*, actor: User, activity: Activity, version: int | None = None) -> Activity:
    """A superior association approves a planned activity (never the organiser itself)."""
    require(actor, "activity.approve")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    check_version(activity.version, version)
    if not above(actor, activity.association):
        raise NotAllowed(gettext("活动须由上级协会审批，不能审批本协会的活动。"))
    if activity.status != Activity.Status.PLANNED:
        raise ServiceError(gettext("只有计划中的活动可以审批。"), code="state")
    before = snapshot(activity, ["status", "version"])
    activity.status = Activity.Status.APPROVED
    activity.approved_by, activity.approved_at = actor, timezone.now()
    activity.version += 1
    activity.save()
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity


def _set_counts(activity: Activity, values: dict[str, Any]) -> None:
    _unknown(values, COUNT_FIELDS)
    for name in COUNT_FIELDS:
        if name in values:
            setattr(activity, name, count(values[name], field=name))
    if activity.participants <= 0:
        raise ServiceError(gettext("请填写参加人数（至少一个人群）。"), field="members")


@transaction.atomic
def activity_hold(
    *,
    actor: User,
    activity: Activity,
    version: int | None = None,
    insurance_confirmed: bool = False,
    insurance_note: str = "",
    **counts: Any,
) -> Activity:
    """Mark an activity held, with its participants by group and what was handed out. Refused
    before it starts, before its approval where one is required, and, for an activity with
    physical risk, until the accident insurance is confirmed (志愿服务条例)."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    check_version(activity.version, version)
    if activity.status not in LIVE:
        raise ServiceError(gettext("该活动已开展或已取消。"), code="state")
    if activity.starts_at > timezone.now():
        raise ServiceError(gettext("活动尚未开始，不能标记为已开展。"), code="not_started")
    if activity.status != Activity.Status.APPROVED and approval_required(activity.association):
        raise ServiceError(gettext("本活动须经上级审批后才能开展。"), code="unapproved")
    before = snapshot(activity, [*COUNT_FIELDS, "status", "version", "insurance_note"])
    if activity.risky:
        note = (insurance_note or "").strip()
        if not insurance_confirmed or len(note) < 2:
            raise ServiceError(
                gettext("本活动有人身风险，请确认已为参加人员投保意外险，并填写保单号或说明。"),
                field="insurance_note",
                code="uninsured",
            )
        activity.insurance_note = within(note, 200, field="insurance_note")
        activity.insurance_confirmed_by = actor
    _set_counts(activity, counts)
    activity.status = Activity.Status.HELD
    activity.version += 1
    activity.save()
    tallies.move({}, _counted(activity))
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity


@transaction.atomic
def activity_record_counts(
    *, actor: User, activity: Activity, version: int | None = None, **counts: Any
) -> Activity:
    """Correct the participants and counts of a held or summarised activity."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    check_version(activity.version, version, changed_since(activity, version or 0))
    if activity.status not in DONE:
        raise ServiceError(gettext("活动开展后才能登记参加人数。"), code="state")
    before = snapshot(activity, [*COUNT_FIELDS, "version"])
    counted = _counted(activity)
    _set_counts(activity, counts)
    activity.version += 1
    activity.save()
    tallies.move(counted, _counted(activity))
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity


@transaction.atomic
def activity_summarise(
    *,
    actor: User,
    activity: Activity,
    summary: str,
    highlight: bool = False,
    version: int | None = None,
) -> Activity:
    """Write the summary of a held activity; a highlight is sent upward (亮点)."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    check_version(activity.version, version, changed_since(activity, version or 0))
    if activity.status not in DONE:
        raise ServiceError(gettext("活动开展后才能写总结。"), code="state")
    text = (summary or "").strip()
    if len(text) < 10:
        raise ServiceError(gettext("总结至少写10个字。"), field="summary")
    before = snapshot(activity, ["summary", "highlight", "status", "version"])
    counted = _counted(activity)
    activity.summary = within(text, 5000, field="summary")
    activity.highlight = bool(highlight)
    activity.status = Activity.Status.SUMMARISED
    activity.version += 1
    activity.save()
    tallies.move(counted, _counted(activity))
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity


@transaction.atomic
def activity_cancel(
    *, actor: User, activity: Activity, reason: str, version: int | None = None
) -> Activity:
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    check_version(activity.version, version)
    if activity.status not in LIVE:
        raise ServiceError(gettext("只有未开展的活动可以取消。"), code="state")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写原因。"), field="reason")
    before = snapshot(activity, ["status", "signin_open", "version"])
    activity.status = Activity.Status.CANCELLED
    activity.signin_open = False
    activity.version += 1
    activity.save()
    audit_update(
        actor=actor,
        obj=activity,
        before=before,
        scope_path=activity.association.path,
        reason=within(reason, 300, field="reason"),
    )
    return activity


# --- media reports ----------------------------------------------------------------------------


@transaction.atomic
def media_add(
    *,
    actor: User,
    activity: Activity,
    outlet: str,
    name: str,
    published_on: datetime.date,
    title: str = "",
    url: str = "",
    scan: Any = None,
) -> MediaReport:
    """Record a media report of a held activity, with an optional scan (`scan`: an uploaded
    image or PDF, checked by `media_scans.check`; refused with nothing stored otherwise)."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    if activity.status not in DONE:
        raise ServiceError(gettext("活动开展后才能登记媒体报道。"), code="state")
    if published_on > timezone.localdate():
        raise ServiceError(gettext("日期不能晚于今天。"), field="published_on")
    if published_on < _local_day(activity.starts_at):
        raise ServiceError(gettext("报道日期不能早于活动日期。"), field="published_on")
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ServiceError(gettext("链接须以 http:// 或 https:// 开头。"), field="url")
    counted = _counted(activity)
    report = MediaReport(
        activity=activity,
        outlet=outlet,
        name=(name or "").strip(),
        title=(title or "").strip(),
        url=url,
        published_on=published_on,
    )
    validate(report)
    checked = media_scans.check(scan) if scan else None
    stored = media_scans.store(report, checked) if checked else ""
    try:
        report.save()
        tallies.move(counted, _counted(activity))
        audit_create(actor=actor, obj=report, scope_path=activity.association.path)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return report


@transaction.atomic
def media_remove(*, actor: User, report: MediaReport, reason: str = "") -> None:
    require(actor, "activity.edit")
    activity = _lock(report.activity)
    require_in_scope(actor, activity.association)
    counted = _counted(activity)
    before = snapshot(report)
    scan = report.scan
    report.delete()
    if scan:
        transaction.on_commit(lambda: default_storage.delete(scan))
    tallies.move(counted, _counted(activity))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        object_type="activities.mediareport",
        object_repr=str(before.get("name", "")),
        changes={k: [v, None] for k, v in before.items()},
        scope_path=activity.association.path,
        reason=reason,
    )


# --- volunteers and sign-in ---------------------------------------------------------------------


@transaction.atomic
def activity_request_volunteers(
    *, actor: User, activity: Activity, hours: Any, description: str = ""
) -> Activity:
    """Create the volunteers module's service for this activity (once): volunteers are assigned
    and their hours recorded and confirmed there, the only way hours are kept."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    if activity.volunteer_service_id:
        raise ServiceError(gettext("本活动已安排志愿服务。"), code="state")
    if activity.status == Activity.Status.CANCELLED:
        raise ServiceError(gettext("已取消的活动不能安排志愿服务。"), code="state")
    service = volunteer_services.service_create(
        actor=actor,
        association=activity.association,
        title=activity.title,
        date=_local_day(activity.starts_at),
        hours=hours,
        risky=activity.risky,
        description=(description or "").strip(),
    )
    before = snapshot(activity, ["volunteer_service", "version"])
    activity.volunteer_service = service
    activity.version += 1
    activity.save(update_fields=["volunteer_service", "version", "updated_at"])
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity


@transaction.atomic
def signin_open(*, actor: User, activity: Activity) -> Activity:
    """Open the phone sign-in (a fresh unguessable code for the QR link the first time)."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    if activity.status not in (*LIVE, Activity.Status.HELD):
        raise ServiceError(gettext("该活动不能再签到。"), code="state")
    if activity.ends_at < timezone.now():
        raise ServiceError(gettext("活动已结束，不能再开放签到。"), code="ended")
    before = snapshot(activity, ["signin_open", "signin_code"])
    for _attempt in range(3):
        if activity.signin_code:
            break
        candidate = codes.new_code()
        try:
            with transaction.atomic():
                Activity.objects.filter(pk=activity.pk).update(signin_code=candidate)
        except IntegrityError:
            continue
        activity.signin_code = candidate
    activity.signin_open = True
    activity.save(update_fields=["signin_open", "signin_code", "updated_at"])
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity


@transaction.atomic
def signin_close(*, actor: User, activity: Activity) -> Activity:
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    before = snapshot(activity, ["signin_open"])
    activity.signin_open = False
    activity.save(update_fields=["signin_open", "updated_at"])
    audit_update(actor=actor, obj=activity, before=before, scope_path=activity.association.path)
    return activity
