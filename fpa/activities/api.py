"""Activities, sites, campaigns, the expert pool and the figures over /api/v1/activities.

Who may call: staff holding `activity.view` (their subtree, and the campaigns set above them);
writes need `activity.edit` or `activity.approve`, checked again by the services. Every other
signed-in role is refused (403). What is never sent: phone numbers in clear (masked), sign-ins.
Errors are the platform's JSON errors (`fpa.core.api_errors.ERRORS`, documented on every
operation).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.activities import selectors, services
from fpa.activities.models import (
    PARTICIPANT_GROUPS,
    Activity,
    Campaign,
    Expert,
    PeerClub,
    Site,
    Specialty,
)
from fpa.core.api_errors import with_errors
from fpa.core.errors import ServiceError
from fpa.core.pagination import keyset_page
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

MAX_ID = 2**63 - 1
router = Router(tags=["activities"], auth=[BearerToken("activity.view"), Session("activity.view")])
GROUPS = [name for name, _label in PARTICIPANT_GROUPS]


def _check_id(value: int) -> None:
    if not 0 < value <= MAX_ID:
        raise Http404


def _area(request: HttpRequest, code: str) -> Association | None:
    """The association named by `code` in the caller's scope (None for ""); 404 outside it."""
    if not code:
        return None
    return org_selectors.association_get(user=signed_in_user(request), code=code.strip()[:32])


def _activity(request: HttpRequest, pk: int) -> Activity:
    _check_id(pk)
    return selectors.activity_detail(user=signed_in_user(request), pk=pk)


def _by_code(rows: Any, code: str, field: str) -> Any:
    if not code:
        return None
    found = rows.filter(code=code).first()
    if found is None:
        raise ServiceError("没有这个代码。", field=field, code="invalid")
    return found


# --- schemas ------------------------------------------------------------------------------------


class MediaOut(Schema):
    id: int
    outlet: str
    name: str
    title: str
    url: str
    published_on: datetime.date
    scan_format: str = Field(..., description="扫描件格式：pdf、jpeg、png；无扫描件为空")


class ActivityOut(Schema):
    id: int
    association_code: str
    association_name: str
    title: str
    category: str
    category_name: str
    theme: str | None
    setting: str
    campaign_id: int | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    site_id: int | None
    place: str
    status: str
    status_label: str
    participants: dict[str, int]
    participants_total: int
    materials: int
    consultations: int
    checks: int
    referrals: int
    cost: Decimal
    public: bool
    risky: bool
    highlight: bool
    summary: str
    signins_count: int
    version: int

    @staticmethod
    def resolve_association_code(obj: Activity) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Activity) -> str:
        return obj.association.name

    @staticmethod
    def resolve_category(obj: Activity) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Activity) -> str:
        return obj.category.name

    @staticmethod
    def resolve_theme(obj: Activity) -> str | None:
        return obj.theme.code if obj.theme else None

    @staticmethod
    def resolve_status_label(obj: Activity) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_participants(obj: Activity) -> dict[str, int]:
        return {name: getattr(obj, name) for name in GROUPS}

    @staticmethod
    def resolve_participants_total(obj: Activity) -> int:
        return obj.participants


class ActivityDetailOut(ActivityOut):
    media: list[MediaOut]
    co_organisers: list[str]
    experts: list[int]
    volunteer_service_id: int | None
    fund_grant_id: int | None = Field(
        ..., description="支付本活动经费的生育关怀基金资助（资助对象为活动）的编号 id"
    )

    @staticmethod
    def resolve_media(obj: Activity) -> list[Any]:
        return list(obj.media.all())

    @staticmethod
    def resolve_co_organisers(obj: Activity) -> list[str]:
        return [a.code for a in obj.co_organisers.all()]

    @staticmethod
    def resolve_experts(obj: Activity) -> list[int]:
        return [e.pk for e in obj.experts.all()]


class ActivityPage(Schema):
    items: list[ActivityOut]
    next: str | None
    previous: str | None


StatusFilter = Literal["", "planned", "approved", "held", "summarised", "cancelled", "done"]
Setting = Literal["school", "enterprise", "community", "family", "online", "other"]


class ActivityFilters(Schema):
    association: str = Field("", max_length=32)
    status: StatusFilter = ""
    category: str = Field("", max_length=30)
    theme: str = Field("", max_length=30)
    year: int | None = Field(None, ge=2000, le=2100)
    campaign: int | None = Field(None, gt=0, le=MAX_ID)
    highlight: bool = False
    q: str = Field("", max_length=50)
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(50, ge=1, le=100)


class ActivityIn(Schema):
    association: str = Field(..., max_length=32, description="主办协会代码")
    title: str = Field(..., min_length=1, max_length=100)
    category: str = Field(..., max_length=30, description="活动类别代码，如 publicity")
    theme: str = Field("", max_length=30)
    setting: Setting = "community"
    campaign_id: int | None = Field(None, gt=0, le=MAX_ID)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    site_id: int | None = Field(None, gt=0, le=MAX_ID)
    place: str = Field("", max_length=200)
    partners: str = Field("", max_length=200)
    target_groups: str = Field("", max_length=200)
    public: bool = False
    risky: bool = False
    cost: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)


class HoldIn(Schema):
    version: int | None = Field(None, ge=1)
    participants: dict[str, int] = Field(
        ..., description="各人群参加人次，键为 " + "、".join(GROUPS)
    )
    materials: int = Field(0, ge=0, le=1_000_000)
    consultations: int = Field(0, ge=0, le=1_000_000)
    checks: int = Field(0, ge=0, le=1_000_000)
    referrals: int = Field(0, ge=0, le=1_000_000)
    insurance_confirmed: bool = False
    insurance_note: str = Field("", max_length=200)


class SummaryIn(Schema):
    version: int | None = Field(None, ge=1)
    summary: str = Field(..., max_length=5000)
    highlight: bool = False


class VersionIn(Schema):
    version: int | None = Field(None, ge=1)


class CancelIn(Schema):
    version: int | None = Field(None, ge=1)
    reason: str = Field(..., max_length=300)


class SiteOut(Schema):
    id: int
    association_code: str
    kind: str
    kind_name: str
    name: str
    address: str
    opening_hours: str
    contact_name: str
    contact_phone: str
    status: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_association_code(obj: Site) -> str:
        return obj.association.code

    @staticmethod
    def resolve_kind(obj: Site) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: Site) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_contact_phone(obj: Site) -> str:
        return obj.contact_phone.masked if obj.contact_phone else ""


class SitePage(Schema):
    items: list[SiteOut]
    next: str | None
    previous: str | None


class SiteFilters(Schema):
    association: str = Field("", max_length=32)
    kind: str = Field("", max_length=30)
    status: Literal["", "planned", "open", "closed"] = ""
    q: str = Field("", max_length=50)
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(50, ge=1, le=100)


class SiteIn(Schema):
    association: str = Field(..., max_length=32)
    kind: str = Field(..., max_length=30)
    name: str = Field(..., min_length=1, max_length=100)
    address: str = Field("", max_length=200)
    facilities: str = Field("", max_length=2000)
    opening_hours: str = Field("", max_length=100)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    status: Literal["planned", "open", "closed"] = "planned"
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None


class TargetOut(Schema):
    association_code: str
    association_name: str
    wanted: int
    held: int
    planned: int
    done: bool


class CampaignOut(Schema):
    id: int
    association_code: str
    title: str
    theme: str | None
    starts_on: datetime.date
    ends_on: datetime.date
    description: str

    @staticmethod
    def resolve_association_code(obj: Campaign) -> str:
        return obj.association.code

    @staticmethod
    def resolve_theme(obj: Campaign) -> str | None:
        return obj.theme.code if obj.theme else None


class CampaignDetailOut(CampaignOut):
    progress: list[TargetOut]


class ExpertOut(Schema):
    id: int
    association_code: str
    name: str
    organisation: str
    title: str
    specialties: list[str]
    phone: str
    active: bool
    activities_taught: int

    @staticmethod
    def resolve_association_code(obj: Expert) -> str:
        return obj.association.code

    @staticmethod
    def resolve_specialties(obj: Expert) -> list[str]:
        return [s.code for s in obj.specialties.all()]

    @staticmethod
    def resolve_phone(obj: Expert) -> str:
        return obj.phone.masked if obj.phone else ""

    @staticmethod
    def resolve_activities_taught(obj: Expert) -> int:
        return int(getattr(obj, "taught", 0))


class ActivityFigureOut(Schema):
    figure: str
    dimension: str
    value: int


class ActivityFiguresOut(Schema):
    association_code: str
    association_name: str
    year: int
    figures: list[ActivityFigureOut]


class FiguresFilters(Schema):
    association: str = Field("", max_length=32)
    year: int | None = Field(None, ge=2000, le=2100)
    by_child: bool = False


class FundLinkIn(Schema):
    version: int | None = Field(None, ge=1)
    grant_id: int | None = Field(
        ..., gt=0, le=MAX_ID, description="资助 id（资助对象须为活动）；null 取消关联"
    )


class ExpertDetailOut(ExpertOut):
    qualifications: str
    version: int


class ExpertIn(Schema):
    association: str = Field(..., max_length=32, description="所属协会代码")
    name: str = Field(..., min_length=1, max_length=50)
    organisation: str = Field("", max_length=100)
    title: str = Field("", max_length=100)
    specialties: list[str] = Field(..., min_length=1, max_length=20, description="专长代码")
    qualifications: str = Field("", max_length=2000)
    phone: str = Field("", max_length=20)


class ExpertUpdateIn(Schema):
    """Only the fields sent change; `phone` "" removes the number."""

    version: int | None = Field(None, ge=1)
    name: str | None = Field(None, min_length=1, max_length=50)
    organisation: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=100)
    specialties: list[str] | None = Field(None, min_length=1, max_length=20)
    qualifications: str | None = Field(None, max_length=2000)
    phone: str | None = Field(None, max_length=20)
    active: bool | None = None


class TargetIn(Schema):
    association: str = Field(..., max_length=32, description="承办协会代码（发起协会的下级）")
    activities: int = Field(1, ge=1, le=1_000_000)


class CampaignIn(Schema):
    association: str = Field(..., max_length=32, description="发起协会代码")
    title: str = Field(..., min_length=1, max_length=100)
    theme: str = Field("", max_length=30)
    starts_on: datetime.date
    ends_on: datetime.date
    description: str = Field("", max_length=5000)
    targets: list[TargetIn] = Field(
        [], max_length=5000, description="各承办协会的目标；不填则每个直接下级各1次"
    )


class CampaignUpdateIn(Schema):
    """Only the fields sent change; `theme` "" removes the theme; `targets` replaces them."""

    version: int | None = Field(None, ge=1)
    title: str | None = Field(None, min_length=1, max_length=100)
    theme: str | None = Field(None, max_length=30)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    description: str | None = Field(None, max_length=5000)
    targets: list[TargetIn] | None = Field(None, min_length=1, max_length=5000)


class ClubOut(Schema):
    id: int
    association_code: str
    association_name: str
    school: str
    site_id: int | None
    members: int
    founded_on: datetime.date | None
    active: bool
    version: int

    @staticmethod
    def resolve_association_code(obj: PeerClub) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: PeerClub) -> str:
        return obj.association.name


class ClubPage(Schema):
    items: list[ClubOut]
    next: str | None
    previous: str | None


class ClubFilters(Schema):
    association: str = Field("", max_length=32)
    state: Literal["", "active", "inactive"] = "active"
    q: str = Field("", max_length=50)
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(50, ge=1, le=100)


def _specialties(codes: list[str]) -> list[Specialty]:
    found = list(selectors.specialties().filter(code__in=codes))
    unknown = set(codes) - {s.code for s in found}
    if unknown:
        raise ServiceError(
            "未知的专长代码：" + "、".join(sorted(unknown)), field="specialties", code="invalid"
        )
    return found


def _targets(request: HttpRequest, rows: list[TargetIn]) -> list[tuple[Association, object]]:
    out: list[tuple[Association, object]] = []
    for row in rows:
        area = _area(request, row.association)
        assert area is not None
        out.append((area, row.activities))
    return out


# --- activities ---------------------------------------------------------------------------------


@router.get("/activities", response=with_errors(ActivityPage))
def activity_list(request: HttpRequest, filters: Query[ActivityFilters]) -> dict:
    user = signed_in_user(request)
    campaign = None
    if filters.campaign is not None:
        campaign = selectors.campaign_get(user=user, pk=filters.campaign)
    rows = selectors.activities(
        user=user,
        under=_area(request, filters.association),
        status=filters.status,
        category=filters.category,
        theme=filters.theme,
        year=filters.year,
        campaign=campaign,
        highlight=filters.highlight,
        q=filters.q,
    )
    page = keyset_page(
        rows,
        key="id",
        after=filters.after,
        before=filters.before,
        size=filters.size,
        descending=True,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.post("/activities", response=with_errors(ActivityDetailOut, created=True))
def activity_plan(request: HttpRequest, payload: ActivityIn) -> Status[Activity]:
    user = signed_in_user(request)
    association = _area(request, payload.association)
    assert association is not None
    data: dict[str, Any] = payload.dict(
        exclude={"association", "category", "theme", "campaign_id", "site_id"}
    )
    data["theme"] = _by_code(selectors.themes(), payload.theme, "theme")
    if payload.campaign_id is not None:
        data["campaign"] = selectors.campaign_get(user=user, pk=payload.campaign_id)
    if payload.site_id is not None:
        data["site"] = selectors.site_choices(user=user, organiser=association).get(
            pk=payload.site_id
        )
    category = _by_code(selectors.categories(), payload.category, "category")
    for name in ("starts_at", "ends_at"):
        if timezone.is_naive(data[name]):
            data[name] = timezone.make_aware(data[name])
    activity = services.activity_plan(
        actor=user, association=association, category=category, **data
    )
    return Status(201, selectors.activity_detail(user=user, pk=activity.pk))


@router.get("/activities/sites", response=with_errors(SitePage))
def site_list(request: HttpRequest, filters: Query[SiteFilters]) -> dict:
    rows = selectors.sites(
        user=signed_in_user(request),
        under=_area(request, filters.association),
        kind=filters.kind,
        status=filters.status,
        q=filters.q,
    )
    page = keyset_page(
        rows, key="id", after=filters.after, before=filters.before, size=filters.size
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/activities/sites/{site_id}", response=with_errors(SiteOut))
def site_detail(request: HttpRequest, site_id: int) -> Site:
    _check_id(site_id)
    return selectors.sites(user=signed_in_user(request)).get(pk=site_id)


@router.post("/activities/sites", response=with_errors(SiteOut, created=True))
def site_create(request: HttpRequest, payload: SiteIn) -> Status[Site]:
    user = signed_in_user(request)
    association = _area(request, payload.association)
    assert association is not None
    kind = _by_code(selectors.site_kinds(), payload.kind, "kind")
    data = payload.dict(exclude={"association", "kind"})
    data["contact_phone"] = data["contact_phone"] or None
    site = services.site_create(actor=user, association=association, kind=kind, **data)
    return Status(201, site)


@router.get("/activities/campaigns", response=with_errors(list[CampaignOut]))
def campaign_list(request: HttpRequest) -> list[Campaign]:
    return list(selectors.campaigns(user=signed_in_user(request))[:200])


@router.get("/activities/campaigns/{campaign_id}", response=with_errors(CampaignDetailOut))
def campaign_detail(request: HttpRequest, campaign_id: int) -> Campaign:
    _check_id(campaign_id)
    user = signed_in_user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    progress = selectors.campaign_progress(user=user, campaign=campaign)
    campaign.progress = [  # type: ignore[attr-defined]
        {
            "association_code": p.association.code,
            "association_name": p.association.name,
            "wanted": p.wanted,
            "held": p.held,
            "planned": p.planned,
            "done": p.done,
        }
        for p in progress
    ]
    return campaign


@router.post("/activities/campaigns", response=with_errors(CampaignDetailOut, created=True))
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[Campaign]:
    """Set a campaign (activity.approve, in the caller's subtree): the same service as the
    campaign form."""
    user = signed_in_user(request)
    association = _area(request, payload.association)
    assert association is not None
    campaign = services.campaign_create(
        actor=user,
        association=association,
        title=payload.title,
        theme=_by_code(selectors.themes(), payload.theme, "theme"),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        targets=_targets(request, payload.targets),
    )
    return Status(201, campaign_detail(request, campaign.pk))


@router.post("/activities/campaigns/{campaign_id}", response=with_errors(CampaignDetailOut))
def campaign_update(request: HttpRequest, campaign_id: int, payload: CampaignUpdateIn) -> Campaign:
    """Change a campaign the caller's association set (or one below it); a campaign set above
    the caller is read only (403)."""
    _check_id(campaign_id)
    user = signed_in_user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    sent = payload.dict(exclude_unset=True)
    theme = sent.pop("theme", None)
    targets = payload.targets
    services.campaign_update(
        actor=user,
        campaign=campaign,
        version=payload.version,
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        theme=_by_code(selectors.themes(), theme, "theme") if theme else None,
        clear_theme=theme == "",
        targets=_targets(request, targets) if targets is not None else None,
    )
    return campaign_detail(request, campaign_id)


@router.get("/activities/experts", response=with_errors(list[ExpertOut]))
def expert_list(
    request: HttpRequest,
    association: str = Query("", max_length=32),
    specialty: str = Query("", max_length=30),
) -> list[Expert]:
    rows = selectors.experts(
        user=signed_in_user(request), under=_area(request, association), specialty=specialty
    )
    return list(rows.order_by("id")[:500])


@router.get("/activities/experts/{expert_id}", response=with_errors(ExpertDetailOut))
def expert_detail(request: HttpRequest, expert_id: int) -> Expert:
    _check_id(expert_id)
    return selectors.experts(user=signed_in_user(request)).get(pk=expert_id)


@router.post("/activities/experts", response=with_errors(ExpertDetailOut, created=True))
def expert_create(request: HttpRequest, payload: ExpertIn) -> Status[Expert]:
    """Add a person to the pool of an association in the caller's subtree (activity.edit): the
    same service as the expert form."""
    user = signed_in_user(request)
    association = _area(request, payload.association)
    assert association is not None
    data = payload.dict(exclude={"association", "specialties"})
    data["phone"] = data["phone"].strip() or None
    expert = services.expert_add(
        actor=user,
        association=association,
        specialties=_specialties(payload.specialties),
        **data,
    )
    return Status(201, expert_detail(request, expert.pk))


@router.post("/activities/experts/{expert_id}", response=with_errors(ExpertDetailOut))
def expert_update(request: HttpRequest, expert_id: int, payload: ExpertUpdateIn) -> Expert:
    """Change a person of the pool; only the fields sent change (`phone` "" removes it)."""
    user = signed_in_user(request)
    expert = expert_detail(request, expert_id)
    data = payload.dict(exclude_unset=True, exclude={"version", "specialties"})
    if "phone" in data:
        data["phone"] = (data["phone"] or "").strip() or None
    for name in ("name", "organisation", "title", "qualifications", "active"):
        if name in data and data[name] is None:
            raise ServiceError("不能为空。", field=name, code="invalid")
    codes = payload.specialties
    services.expert_update(
        actor=user,
        expert=expert,
        version=payload.version,
        specialties=_specialties(codes) if codes is not None else None,
        **data,
    )
    return expert_detail(request, expert_id)


@router.get("/activities/clubs", response=with_errors(ClubPage))
def club_list(request: HttpRequest, filters: Query[ClubFilters]) -> dict:
    """The 青春健康同伴社 of the caller's subtree (or of `association` in it)."""
    rows: Any = selectors.peer_clubs(
        user=signed_in_user(request), under=_area(request, filters.association)
    )
    if filters.q:
        rows = rows.filter(school__icontains=filters.q)
    if filters.state:
        rows = rows.filter(active=filters.state == "active")
    page = keyset_page(
        rows, key="id", after=filters.after, before=filters.before, size=filters.size
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/activities/clubs/{club_id}", response=with_errors(ClubOut))
def club_detail(request: HttpRequest, club_id: int) -> PeerClub:
    _check_id(club_id)
    return selectors.peer_club_detail(user=signed_in_user(request), pk=club_id)


@router.get("/activities/figures", response=with_errors(list[ActivityFiguresOut]))
def figures(request: HttpRequest, filters: Query[FiguresFilters]) -> list[dict]:
    """The figures of an area (default: the caller's home) for a year (default: this year), or
    of each of its children (`by_child`), from the tallies the pages and reports read."""
    user = signed_in_user(request)
    area = _area(request, filters.association) or user.home_association
    if area is None:
        raise Http404
    year = filters.year or timezone.localdate().year
    lines = (
        selectors.figures_by_child(user=user, association=area, year=year)
        if filters.by_child
        else [selectors.figures(user=user, association=area, year=year)]
    )
    return [
        {
            "association_code": line.association.code,
            "association_name": line.association.name,
            "year": year,
            "figures": [
                {"figure": f, "dimension": d, "value": v}
                for (f, d), v in sorted(line.values.items())
            ],
        }
        for line in lines
    ]


@router.get("/activities/{activity_id}", response=with_errors(ActivityDetailOut))
def activity_detail(request: HttpRequest, activity_id: int) -> Activity:
    return _activity(request, activity_id)


@router.post("/activities/{activity_id}/approve", response=with_errors(ActivityDetailOut))
def activity_approve(request: HttpRequest, activity_id: int, payload: VersionIn) -> Activity:
    user = signed_in_user(request)
    activity = services.activity_approve(
        actor=user, activity=_activity(request, activity_id), version=payload.version
    )
    return selectors.activity_detail(user=user, pk=activity.pk)


@router.post("/activities/{activity_id}/hold", response=with_errors(ActivityDetailOut))
def activity_hold(request: HttpRequest, activity_id: int, payload: HoldIn) -> Activity:
    user = signed_in_user(request)
    unknown = set(payload.participants) - set(GROUPS)
    if unknown:
        raise ServiceError(
            "未知的人群：" + "、".join(sorted(unknown)), field="participants", code="invalid"
        )
    counts = {
        **payload.participants,
        "materials": payload.materials,
        "consultations": payload.consultations,
        "checks": payload.checks,
        "referrals": payload.referrals,
    }
    activity = services.activity_hold(
        actor=user,
        activity=_activity(request, activity_id),
        version=payload.version,
        insurance_confirmed=payload.insurance_confirmed,
        insurance_note=payload.insurance_note,
        **counts,
    )
    return selectors.activity_detail(user=user, pk=activity.pk)


@router.post("/activities/{activity_id}/summary", response=with_errors(ActivityDetailOut))
def activity_summarise(request: HttpRequest, activity_id: int, payload: SummaryIn) -> Activity:
    user = signed_in_user(request)
    activity = services.activity_summarise(
        actor=user,
        activity=_activity(request, activity_id),
        summary=payload.summary,
        highlight=payload.highlight,
        version=payload.version,
    )
    return selectors.activity_detail(user=user, pk=activity.pk)


@router.post("/activities/{activity_id}/cancel", response=with_errors(ActivityDetailOut))
def activity_cancel(request: HttpRequest, activity_id: int, payload: CancelIn) -> Activity:
    user = signed_in_user(request)
    activity = services.activity_cancel(
        actor=user,
        activity=_activity(request, activity_id),
        reason=payload.reason,
        version=payload.version,
    )
    return selectors.activity_detail(user=user, pk=activity.pk)


@router.post("/activities/{activity_id}/fund", response=with_errors(ActivityDetailOut))
def activity_fund_link(request: HttpRequest, activity_id: int, payload: FundLinkIn) -> Activity:
    """Link the activity to the care-fund grant that paid for it (`grant_id` null unlinks):
    fund.apply and activity.edit, the activity and the grant in the caller's scope, the grant
    one for an activity of the fund covering the activity."""
    user = signed_in_user(request)
    activity = _activity(request, activity_id)
    grant = None
    if payload.grant_id is not None:
        grant = selectors.visible_grant(user=user, pk=payload.grant_id)
        if grant is None:
            raise ServiceError(
                "该资助不存在或不在您的管辖范围内。", field="grant_id", code="invalid"
            )
    services.activity_fund_link(actor=user, activity=activity, grant=grant, version=payload.version)
    return selectors.activity_detail(user=user, pk=activity.pk)
