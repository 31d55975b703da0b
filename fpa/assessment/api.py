"""The key-work assessment (重点工作考评) over /api/v1/assessment: the schemes (with their
indicators), the rounds (with the results and ranking as the round's page shows them to the
caller), a township's score sheet; the township's self-assessment and appeals, the county's
scores and answers, and the round's steps (next phase, freeze the computed values, public or
not), through the same services as the pages.

Who may call: staff holding `assessment.view`. A caller sees the schemes and rounds of the county
above it and of its own subtree (a township sees its county's schemes once published); another
county's are 404, like another township's score sheet. Before the preliminary results a township
sees its own sheet without points, scores or rank; the county sees everything. Each write needs
the capability of its page (`assessment.self` to self-assess and appeal, `assessment.score` to
score, `assessment.manage` for the rest: 403 without it), then the services' rules (a scorer
never scores their own township, only the assigned scorer scores an indicator: 403). A step
outside its phase (an appeal after the window, a score before the county's step) answers 409
with code `phase`; a stale `version` 409 `conflict`.

The county also sets the year's scheme (`POST /assessment/schemes`), adds and corrects its
indicators (computed from a registered `computed_key`, or scored; only while no round of the
scheme has started: 400), publishes it (weights adding up to 100) and starts a round of a
published scheme with its cut-off date (`POST /assessment/rounds`). Errors are the platform's
JSON errors (`fpa.core.api_errors.ERRORS`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, field_validator

from fpa.accounts.api_auth import BearerToken, Session, capable
from fpa.accounts.requests import signed_in_user
from fpa.assessment import selectors, services
from fpa.assessment.models import Appeal, Indicator, Round, Scheme
from fpa.assessment.registry import registered_indicators
from fpa.core import jobs as core_jobs
from fpa.core.api_errors import ERRORS, with_errors
from fpa.core.api_jobs import JobOut, job_out
from fpa.core.errors import ServiceError
from fpa.core.pagination import keyset_page
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

MAX_ID = 2**63 - 1
VIEW, MANAGE, SCORE, SELF = (
    "assessment.view",
    "assessment.manage",
    "assessment.score",
    "assessment.self",
)
router = Router(tags=["assessment"], auth=[BearerToken(VIEW), Session(VIEW)])

PhaseFilter = Literal["", "open", "self", "scoring", "preliminary", "appeal", "final"]
VERSION = "读取时的版本号（防止覆盖他人的修改）"


def _check_id(value: int) -> None:
    if not 0 < value <= MAX_ID:
        raise Http404


def _actor(request: HttpRequest, capability: str) -> Any:
    """The caller, refused (403) without the capability the page of the step needs."""
    return capable(signed_in_user(request), capability)


def _scheme(request: HttpRequest, pk: int) -> Scheme:
    _check_id(pk)
    found = selectors.scheme_get(user=signed_in_user(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _round(request: HttpRequest, pk: int) -> Round:
    _check_id(pk)
    found = selectors.round_get(user=signed_in_user(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _township(request: HttpRequest, round_: Round, code: str) -> Association:
    """A township of the round whose sheet the caller may open (all for the county, its own
    for a township); any other code is a 404."""
    for township in selectors.townships_visible(user=signed_in_user(request), round_=round_):
        if township.code == code:
            return township
    raise Http404


def _indicator(round_: Round, pk: int) -> Indicator:
    found = selectors.indicator_get(round_.scheme, pk)
    if found is None:
        raise ServiceError(gettext("指标不存在。"), field="indicator")
    return found


class PhaseConflict(ServiceError):
    """A step the round's phase does not allow: 409, keeping the service's code ("phase") and
    message."""

    status = 409


@contextmanager
def phase_conflicts() -> Iterator[None]:
    """Run a step: a refusal for the round's phase leaves as a 409 `PhaseConflict`, any other
    ServiceError as it is (400 on a field, 403, 409 `conflict` for a stale version)."""
    try:
        yield
    except ServiceError as exc:
        if exc.code == "phase" and exc.status != 409:
            raise PhaseConflict(exc.message, field=exc.field, code=exc.code) from exc
        raise


# --- schemas ------------------------------------------------------------------------------------


class AssessmentSchemeOut(Schema):
    id: int
    county_code: str
    county_name: str
    year: int
    title: str
    published: bool
    version: int

    @staticmethod
    def resolve_county_code(obj: Scheme) -> str:
        return obj.county.code

    @staticmethod
    def resolve_county_name(obj: Scheme) -> str:
        return obj.county.name


class AssessmentSchemePage(Schema):
    items: list[AssessmentSchemeOut]
    next: str | None
    previous: str | None


class AssessmentIndicatorOut(Schema):
    id: int
    position: int
    area: str
    name: str
    weight: Decimal
    kind: str = Field(description="computed（平台数据自动计算）或 scored（自评加县级评分）")
    kind_label: str
    computed_key: str
    computed_name: str = Field(description="计算口径")
    formula: str = Field(description="计算公式")
    unit: str
    target: Decimal = Field(description="满分目标值（计算指标）")
    rule: str
    evidence: str
    scorer_id: int | None = Field(description="评分人；空为县级管理员评分")
    scorer_name: str

    @staticmethod
    def resolve_kind_label(obj: Indicator) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_computed_name(obj: Indicator) -> str:
        declared = registered_indicators().get(obj.computed_key)
        return gettext(declared.name) if declared is not None else ""

    @staticmethod
    def resolve_formula(obj: Indicator) -> str:
        declared = registered_indicators().get(obj.computed_key)
        return gettext(declared.formula) if declared is not None else ""

    @staticmethod
    def resolve_unit(obj: Indicator) -> str:
        declared = registered_indicators().get(obj.computed_key)
        return gettext(declared.unit) if declared is not None else ""

    @staticmethod
    def resolve_scorer_name(obj: Indicator) -> str:
        scorer = obj.scorer
        return (scorer.full_name or scorer.username) if scorer is not None else ""


class AssessmentRoundOut(Schema):
    id: int
    scheme_id: int
    year: int
    county_code: str
    title: str
    cutoff: datetime.date = Field(description="数据截止日期")
    phase: str = Field(description="open、self、scoring、preliminary、appeal、final")
    phase_label: str
    frozen_at: datetime.datetime | None = Field(description="计算指标冻结时间")
    public: bool = Field(description="最终结果是否对外公开")
    results_visible: bool = Field(description="初评结果是否已公布（乡镇可见得分和排名）")
    version: int

    @staticmethod
    def resolve_year(obj: Round) -> int:
        return obj.scheme.year

    @staticmethod
    def resolve_county_code(obj: Round) -> str:
        return obj.scheme.county.code

    @staticmethod
    def resolve_phase_label(obj: Round) -> str:
        return str(obj.get_phase_display())


class AssessmentRoundPage(Schema):
    items: list[AssessmentRoundOut]
    next: str | None
    previous: str | None


class AssessmentSchemeDetailOut(AssessmentSchemeOut):
    indicators: list[AssessmentIndicatorOut]
    total_weight: Decimal = Field(description="分值合计")
    rounds: list[AssessmentRoundOut]
    may_manage: bool
    editable: bool = Field(description="指标是否还能修改（尚无轮次开始）")

    @staticmethod
    def resolve_indicators(obj: Any) -> list[Indicator]:
        return list(obj.indicators_list)

    @staticmethod
    def resolve_rounds(obj: Any) -> list[Round]:
        return list(obj.rounds_list)


class AssessmentAppealOut(Schema):
    id: int
    round_id: int
    township_code: str
    township_name: str
    indicator_id: int
    indicator_name: str
    reason: str
    status: str = Field(description="pending、changed（调整得分）、kept（维持得分）")
    status_label: str
    answer: str
    score_before: Decimal | None
    score_after: Decimal | None
    version: int

    @staticmethod
    def resolve_township_code(obj: Appeal) -> str:
        return obj.association.code

    @staticmethod
    def resolve_township_name(obj: Appeal) -> str:
        return obj.association.name

    @staticmethod
    def resolve_indicator_name(obj: Appeal) -> str:
        return obj.indicator.name

    @staticmethod
    def resolve_status_label(obj: Appeal) -> str:
        return str(obj.get_status_display())


class AssessmentResultOut(Schema):
    township_code: str
    township_name: str
    rank: int | None = Field(description="名次；排名可见时才有")
    total: Decimal | None = Field(description="总分；排名可见时才有")
    self_total: Decimal | None = Field(description="自评合计；本级可打开得分表的乡镇才有")
    own: bool = Field(description="调用者能否打开该乡镇的得分表")


class AssessmentRoundDetailOut(AssessmentRoundOut):
    may_manage: bool
    ranking: bool = Field(description="是否显示各乡镇得分和排名（县级始终显示，乡镇在初评公布后）")
    results: list[AssessmentResultOut]
    appeals: list[AssessmentAppealOut]

    @staticmethod
    def resolve_results(obj: Any) -> list[dict[str, Any]]:
        return list(obj.results_list)

    @staticmethod
    def resolve_appeals(obj: Any) -> list[Appeal]:
        return list(obj.appeals_list)


class AssessmentSnapshotOut(Schema):
    value: Decimal
    numerator: Decimal
    denominator: Decimal
    computed_at: datetime.datetime


class AssessmentLiveOut(Schema):
    value: Decimal
    numerator: Decimal
    denominator: Decimal
    points: Decimal | None


class AssessmentLineOut(Schema):
    indicator_id: int
    position: int
    area: str
    name: str
    weight: Decimal
    kind: str
    evidence: str
    snapshot: AssessmentSnapshotOut | None = Field(description="计算指标的冻结值")
    live: AssessmentLiveOut | None = Field(
        description="计算指标的当前实时值（live=true 时），仅供对比"
    )
    self_score: Decimal | None
    self_note: str
    score: Decimal | None = Field(description="县级评分；结果公布前只给该指标的评分人")
    score_note: str
    points: Decimal | None = Field(description="得分；结果公布前只给县级")
    version: int | None = Field(description="该行评分记录的版本号（自评、评分时回传）")
    may_score: bool = Field(description="调用者现在能否为该行评分")
    appeal: AssessmentAppealOut | None


class AssessmentSheetOut(Schema):
    round: AssessmentRoundOut
    township_code: str
    township_name: str
    show_points: bool
    total: Decimal | None
    rank: int | None
    may_self: bool
    may_appeal: bool
    may_answer: bool
    lines: list[AssessmentLineOut]


class AssessmentListFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(50, ge=1, le=100)


class AssessmentRoundFilters(AssessmentListFilters):
    scheme: int | None = Field(None, gt=0, le=MAX_ID, description="考核方案 id")
    phase: PhaseFilter = ""


class AssessmentVersionIn(Schema):
    version: int | None = Field(None, ge=1, description=VERSION)


class AssessmentPublishIn(AssessmentVersionIn):
    public: bool = Field(description="true 对外公开最终结果，false 取消公开")


class AssessmentScoreIn(Schema):
    indicator: int = Field(..., gt=0, le=MAX_ID, description="指标 id（自评加县级评分类）")
    score: Decimal = Field(description="得分：0 至该指标分值，最多两位小数")
    note: str = Field("", max_length=1000, description="自评说明及佐证，或评分理由")
    version: int | None = Field(None, ge=1, description="该行评分记录的版本号")


class AssessmentAppealIn(Schema):
    indicator: int = Field(..., gt=0, le=MAX_ID)
    reason: str = Field(..., max_length=1000, description="申诉理由及佐证")


class AssessmentAnswerIn(Schema):
    version: int | None = Field(None, ge=1, description=VERSION)
    answer: str = Field(..., max_length=1000, description="答复意见")
    new_score: Decimal | None = Field(None, description="调整后得分；不调整不填")


def _ascii_number(value: Any) -> Any:
    """A number written with ASCII digits only: Python's Decimal would read full-width digits
    (U+FF10 to U+FF19) too, which the pages' number fields never send."""
    if isinstance(value, str) and not value.isascii():
        raise ValueError("use ASCII digits")
    return value


Number = Annotated[Decimal, BeforeValidator(_ascii_number)]


class AssessmentSchemeIn(Schema):
    year: int = Field(..., ge=2000, le=2100, description="年度（不晚于明年；每县每年一份）")
    title: str = Field(..., max_length=100, description="方案名称")
    county: str = Field("", max_length=32, description="县级计生协代码；不填为调用者所属的计生协")


IndicatorKind = Literal["computed", "scored"]


class AssessmentIndicatorIn(Schema):
    area: str = Field(..., max_length=40, description="考核类别")
    name: str = Field(..., max_length=100, description="指标名称")
    weight: Number = Field(description="分值：大于 0，不超过 100，最多两位小数")
    kind: IndicatorKind = Field(
        description="computed（平台数据自动计算）或 scored（自评加县级评分）"
    )
    computed_key: str = Field(
        "", max_length=60, description="计算口径（computed 时必填，见指标登记表）"
    )
    target: Number | None = Field(None, description="满分目标值（computed；不填为 100）")
    rule: str = Field("", max_length=500, description="评分规则")
    evidence: str = Field("", max_length=200, description="佐证材料要求")
    scorer: int | None = Field(
        None, gt=0, le=MAX_ID, description="评分人账号 id（本县有评分权限的账号）；空为县级管理员"
    )
    position: int | None = Field(None, ge=1, le=999, description="序号；不填排在最后")


class AssessmentIndicatorUpdateIn(Schema):
    """Only the fields sent change; `scorer` null leaves the scoring to the county's managers,
    any other field may not be null (422)."""

    version: int | None = Field(None, ge=1, description=VERSION)
    area: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=100)
    weight: Number | None = None
    kind: IndicatorKind | None = None
    computed_key: str | None = Field(None, max_length=60)
    target: Number | None = None
    rule: str | None = Field(None, max_length=500)
    evidence: str | None = Field(None, max_length=200)
    scorer: int | None = Field(None, gt=0, le=MAX_ID)
    position: int | None = Field(None, ge=1, le=999)

    @field_validator(
        "area", "name", "weight", "kind", "computed_key", "target", "rule", "evidence", "position"
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class AssessmentRoundIn(Schema):
    scheme: int = Field(..., gt=0, le=MAX_ID, description="已发布的考核方案 id")
    title: str = Field(..., max_length=100, description="轮次名称")
    cutoff: datetime.date = Field(description="数据截止日期，在方案年度内")


# --- assembling what the pages show -------------------------------------------------------------


def _scheme_detail(request: HttpRequest, scheme: Scheme) -> Scheme:
    user = signed_in_user(request)
    indicators = selectors.indicators_of(scheme)
    rounds = selectors.scheme_rounds(scheme)
    manage = selectors.may_manage(user, scheme)
    scheme.indicators_list = indicators  # type: ignore[attr-defined]
    scheme.rounds_list = rounds  # type: ignore[attr-defined]
    scheme.total_weight = sum((i.weight for i in indicators), Decimal(0))  # type: ignore[attr-defined]
    scheme.may_manage = manage  # type: ignore[attr-defined]
    scheme.editable = manage and all(  # type: ignore[attr-defined]
        r.phase == Round.Phase.OPEN for r in rounds
    )
    return scheme


def _round_detail(request: HttpRequest, pk: int) -> Round:
    """The round as its page shows it to the caller: every township ranked once the ranking is
    visible (always for the county), else the caller's own without points."""
    user = signed_in_user(request)
    round_ = _round(request, pk)
    ranking = selectors.ranking_visible(user, round_)
    mine = selectors.townships_visible(user=user, round_=round_)
    townships = services.townships_of(round_.scheme.county) if ranking else mine
    own = {t.pk for t in mine}
    round_.results_list = [  # type: ignore[attr-defined]
        {
            "township_code": r.township.code,
            "township_name": r.township.name,
            "rank": r.rank if ranking else None,
            "total": r.total if ranking else None,
            "self_total": r.self_total if r.township.pk in own else None,
            "own": r.township.pk in own,
        }
        for r in selectors.results(round_=round_, townships=townships)
    ]
    round_.ranking = ranking  # type: ignore[attr-defined]
    round_.may_manage = selectors.may_manage(user, round_)  # type: ignore[attr-defined]
    round_.appeals_list = selectors.round_appeals(user=user, round_=round_)  # type: ignore[attr-defined]
    return round_


def _sheet(request: HttpRequest, round_: Round, township: Association, live: bool) -> dict:
    """The township's score sheet as its page shows it to the caller: points, the county's
    scores and the rank once the results are published (always for the county); the county's
    score of a line before that only to who may score it."""
    user = signed_in_user(request)
    result = selectors.sheet(user=user, round_=round_, township=township, live=live)
    manage = selectors.may_manage(user, round_)
    show = round_.results_visible or manage
    own = user.has_capability(SELF) and township.pk in {
        t.pk for t in selectors.townships_visible(user=user, round_=round_)
    }
    scoring = round_.phase == Round.Phase.SCORING
    lines = []
    for line in result.lines:
        indicator, score = line.indicator, line.score
        scorable = selectors.may_score_line(user, line, township)
        county_score = score is not None and (show or scorable)
        lines.append(
            {
                "indicator_id": indicator.pk,
                "position": indicator.position,
                "area": indicator.area,
                "name": indicator.name,
                "weight": indicator.weight,
                "kind": indicator.kind,
                "evidence": indicator.evidence,
                "snapshot": line.snapshot,
                "live": (
                    {
                        "value": line.live.value,
                        "numerator": line.live.numerator,
                        "denominator": line.live.denominator,
                        "points": line.live_points,
                    }
                    if line.live is not None
                    else None
                ),
                "self_score": score.self_score if score is not None else None,
                "self_note": score.self_note if score is not None else "",
                "score": score.score if county_score and score is not None else None,
                "score_note": score.score_note if county_score and score is not None else "",
                "points": line.points if show else None,
                "version": score.version if score is not None else None,
                "may_score": scoring and scorable,
                "appeal": line.appeal,
            }
        )
    return {
        "round": round_,
        "township_code": township.code,
        "township_name": township.name,
        "show_points": show,
        "total": result.total if show else None,
        "rank": result.rank,
        "may_self": own and round_.phase == Round.Phase.SELF,
        "may_appeal": own and round_.phase == Round.Phase.APPEAL,
        "may_answer": manage and round_.phase == Round.Phase.APPEAL,
        "lines": lines,
    }


def _scorer(scheme: Scheme, pk: int | None) -> Any:
    """An indicator's scorer among the scheme's choices (the page's list); None for none."""
    if pk is None:
        return None
    found = selectors.scorer_get(scheme, pk)
    if found is None:
        raise ServiceError(gettext("评分人须为有评分权限的在用账号。"), field="scorer")
    return found


def _indicator_fields(scheme: Scheme, sent: dict[str, Any]) -> dict[str, Any]:
    """The sent fields for `services.indicator_save` (a target not sent keeps the default)."""
    data = {key: value for key, value in sent.items() if key != "scorer"}
    if data.get("target", 0) is None:
        data.pop("target")
    if "scorer" in sent:
        data["scorer"] = _scorer(scheme, sent["scorer"])
    return data


# --- schemes ------------------------------------------------------------------------------------


@router.get("/assessment/schemes", response=with_errors(AssessmentSchemePage), summary="考核方案")
def assessment_schemes(request: HttpRequest, filters: Query[AssessmentListFilters]) -> dict:
    rows = selectors.schemes_for(user=signed_in_user(request))
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    page = keyset_page(
        rows,
        key="id",
        after=filters.after,
        before=filters.before,
        size=filters.size,
        descending=True,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get(
    "/assessment/schemes/{scheme_id}",
    response=with_errors(AssessmentSchemeDetailOut),
    summary="考核方案详情",
)
def assessment_scheme(request: HttpRequest, scheme_id: int) -> Scheme:
    return _scheme_detail(request, _scheme(request, scheme_id))


@router.post(
    "/assessment/schemes",
    response=with_errors(AssessmentSchemeDetailOut, created=True),
    summary="制定考核方案",
    description="""A county (`assessment.manage`) sets its scheme for a year (one a year: 400 on
`year`), unpublished until its indicators add up to 100 points. `county` defaults to the
caller's own association; a code outside the caller's subtree: 400; an association that is not
a county: 400.""",
)
def assessment_scheme_create(request: HttpRequest, payload: AssessmentSchemeIn) -> Status[Scheme]:
    user = _actor(request, MANAGE)
    county = (
        org_selectors.association_choices(user=user).filter(code=payload.county.strip()).first()
        if payload.county.strip()
        else user.home_association
    )
    if county is None:
        raise ServiceError(gettext("考核方案由县级计生协制定。"), field="county")
    made = services.scheme_create(actor=user, county=county, year=payload.year, title=payload.title)
    return Status(201, _scheme_detail(request, _scheme(request, made.pk)))


@router.post(
    "/assessment/schemes/{scheme_id}/indicators",
    response=with_errors(AssessmentIndicatorOut, created=True),
    summary="添加考核指标",
    description="""The county adds an indicator: computed (a registered `computed_key`, a
target above 0) or scored (self-assessment and the county's score, by the assigned `scorer` or
a county manager). A weight not above 0 or above 100, an unknown computed key, a scorer who may
not score: 400 on that field; once a round of the scheme has started: 400.""",
)
def assessment_indicator_add(
    request: HttpRequest, scheme_id: int, payload: AssessmentIndicatorIn
) -> Status[Indicator]:
    user = _actor(request, MANAGE)
    scheme = _scheme(request, scheme_id)
    made = services.indicator_save(
        actor=user, scheme=scheme, **_indicator_fields(scheme, payload.dict())
    )
    found = selectors.indicator_get(scheme, made.pk)
    assert found is not None
    return Status(201, found)


@router.post(
    "/assessment/schemes/{scheme_id}/indicators/{indicator_id}",
    response=with_errors(AssessmentIndicatorOut),
    summary="修改考核指标",
    description="""The county corrects an indicator (only the fields sent change) while no
round of the scheme has started (400); an indicator of another scheme: 404; a stale `version`:
409 `conflict`.""",
)
def assessment_indicator_update(
    request: HttpRequest, scheme_id: int, indicator_id: int, payload: AssessmentIndicatorUpdateIn
) -> Indicator:
    user = _actor(request, MANAGE)
    scheme = _scheme(request, scheme_id)
    _check_id(indicator_id)
    indicator = selectors.indicator_get(scheme, indicator_id)
    if indicator is None:
        raise Http404
    services.indicator_save(
        actor=user,
        scheme=scheme,
        indicator=indicator,
        version=payload.version,
        **_indicator_fields(scheme, payload.dict(exclude_unset=True, exclude={"version"})),
    )
    found = selectors.indicator_get(scheme, indicator_id)
    assert found is not None
    return found


@router.post(
    "/assessment/schemes/{scheme_id}/publish",
    response=with_errors(AssessmentSchemeDetailOut),
    summary="发布考核方案",
    description="""The county publishes the scheme to its townships: the weights of its
indicators must add up to 100 points (400). A stale `version`: 409 `conflict`.""",
)
def assessment_scheme_publish(
    request: HttpRequest, scheme_id: int, payload: AssessmentVersionIn
) -> Scheme:
    user = _actor(request, MANAGE)
    services.scheme_publish(actor=user, scheme=_scheme(request, scheme_id), version=payload.version)
    return _scheme_detail(request, _scheme(request, scheme_id))


# --- rounds -------------------------------------------------------------------------------------


@router.post(
    "/assessment/rounds",
    response=with_errors(AssessmentRoundDetailOut, created=True),
    summary="开始考核轮次",
    description="""The county starts a round of a published scheme (else 400) with its title
and the data cut-off date, in the scheme's year (400 on `cutoff`). The round opens in its
preparation phase (`open`); `advance` moves it on. A scheme the caller does not see: 404.""",
)
def assessment_round_create(request: HttpRequest, payload: AssessmentRoundIn) -> Status[Round]:
    user = _actor(request, MANAGE)
    made = services.round_create(
        actor=user,
        scheme=_scheme(request, payload.scheme),
        title=payload.title,
        cutoff=payload.cutoff,
    )
    return Status(201, _round_detail(request, made.pk))


@router.get("/assessment/rounds", response=with_errors(AssessmentRoundPage), summary="考核轮次")
def assessment_rounds(request: HttpRequest, filters: Query[AssessmentRoundFilters]) -> dict:
    user = signed_in_user(request)
    rows = selectors.rounds_for(user=user)
    if filters.year is not None:
        rows = rows.filter(scheme__year=filters.year)
    if filters.scheme is not None:
        rows = rows.filter(scheme=_scheme(request, filters.scheme))
    if filters.phase:
        rows = rows.filter(phase=filters.phase)
    page = keyset_page(
        rows,
        key="id",
        after=filters.after,
        before=filters.before,
        size=filters.size,
        descending=True,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get(
    "/assessment/rounds/{round_id}",
    response=with_errors(AssessmentRoundDetailOut),
    summary="考核轮次：结果与排名",
)
def assessment_round(request: HttpRequest, round_id: int) -> Round:
    return _round_detail(request, round_id)


@router.post(
    "/assessment/rounds/{round_id}/advance",
    response=with_errors(AssessmentRoundDetailOut),
    summary="进入下一阶段",
    description="""The county (`assessment.manage`) moves the round to its next phase, never
back. The preliminary results need every score given and the computed values frozen, the final
results every appeal answered; a round at its final results goes no further: 409 `phase`.""",
)
def assessment_round_advance(
    request: HttpRequest, round_id: int, payload: AssessmentVersionIn
) -> Round:
    user = _actor(request, MANAGE)
    round_ = _round(request, round_id)
    with phase_conflicts():
        services.round_advance(actor=user, round_=round_, version=payload.version)
    return _round_detail(request, round_id)


@router.post(
    "/assessment/rounds/{round_id}/freeze",
    response={202: JobOut, **ERRORS},
    summary="冻结计算指标（后台任务）",
    description="""The county computes every computed indicator of every township at the
round's cut-off and keeps the values (again, until the preliminary results are published), as
the page's background job (`assessment.freeze`, progress by township, in one transaction).
Answers 202 with the job; follow it at `status_url` (GET /api/v1/assessment/jobs/{job_id}).
Checked before the job starts: before the cut-off or once the results are published 409
`phase`, a stale `version` 409 `conflict`; the job checks again when it runs.""",
)
def assessment_round_freeze(
    request: HttpRequest, round_id: int, payload: AssessmentVersionIn
) -> Status[dict[str, Any]]:
    user = _actor(request, MANAGE)
    round_ = _round(request, round_id)
    with phase_conflicts():
        job = services.round_freeze_start(actor=user, round_=round_, version=payload.version)
    return Status(202, job_out(job, reverse("api:assessment_job", args=[job.pk])))


@router.get(
    "/assessment/jobs/{job_id}",
    response=with_errors(JobOut),
    url_name="assessment_job",
    summary="考核后台任务的进度",
    description="""A background job of the assessment started by the caller (the freeze of a
round): status (`queued`, `running`, `done`, `failed`, `cancelled`), stage, percent (townships
done) and, once done, the result (`round`, `townships`). Anyone else's job, another module's or
a forged id: 404.""",
)
def assessment_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    job = core_jobs.job_get(user=signed_in_user(request), pk=job_id)
    if job is None or not job.kind.startswith("assessment."):
        raise Http404
    return job_out(job, reverse("api:assessment_job", args=[job.pk]))


@router.post(
    "/assessment/rounds/{round_id}/publish",
    response=with_errors(AssessmentRoundDetailOut),
    summary="对外公开最终结果",
    description="""The county shows (or stops showing) the final results on the public page:
township names, totals and ranks. Before the final results: 409 `phase`.""",
)
def assessment_round_publish(
    request: HttpRequest, round_id: int, payload: AssessmentPublishIn
) -> Round:
    user = _actor(request, MANAGE)
    round_ = _round(request, round_id)
    with phase_conflicts():
        services.round_publish(
            actor=user, round_=round_, public=payload.public, version=payload.version
        )
    return _round_detail(request, round_id)


# --- a township's score sheet -------------------------------------------------------------------


@router.get(
    "/assessment/rounds/{round_id}/sheets/{code}",
    response=with_errors(AssessmentSheetOut),
    summary="乡镇得分表",
)
def assessment_sheet(request: HttpRequest, round_id: int, code: str, live: bool = False) -> dict:
    """One township's sheet (the caller's own for a township; any for the county); `live`
    adds each computed indicator's value today, for comparison only."""
    round_ = _round(request, round_id)
    return _sheet(request, round_, _township(request, round_, code), live)


@router.post(
    "/assessment/rounds/{round_id}/sheets/{code}/self",
    response=with_errors(AssessmentSheetOut),
    summary="乡镇自评",
    description="""The township (`assessment.self`, its own sheet only) scores itself on a
scored indicator with its explanation and evidence, during the self-assessment phase (else 409
`phase`). A computed indicator or one of another scheme: 400 on `indicator`; a score out of
range: 400; a stale `version` of the line: 409 `conflict`.""",
)
def assessment_self(
    request: HttpRequest, round_id: int, code: str, payload: AssessmentScoreIn
) -> dict:
    user = _actor(request, SELF)
    round_ = _round(request, round_id)
    township = _township(request, round_, code)
    with phase_conflicts():
        services.self_assess(
            actor=user,
            round_=round_,
            indicator=_indicator(round_, payload.indicator),
            township=township,
            score=payload.score,
            note=payload.note,
            version=payload.version,
        )
    return _sheet(request, _round(request, round_id), township, False)


@router.post(
    "/assessment/rounds/{round_id}/sheets/{code}/score",
    response=with_errors(AssessmentSheetOut),
    summary="县级评分",
    description="""The indicator's assigned scorer (`assessment.score`; a county manager when
none is assigned) scores a township during the county's scoring phase (else 409 `phase`),
never their own township (403).""",
)
def assessment_score(
    request: HttpRequest, round_id: int, code: str, payload: AssessmentScoreIn
) -> dict:
    user = _actor(request, SCORE)
    round_ = _round(request, round_id)
    township = _township(request, round_, code)
    with phase_conflicts():
        services.score_give(
            actor=user,
            round_=round_,
            indicator=_indicator(round_, payload.indicator),
            township=township,
            score=payload.score,
            note=payload.note,
            version=payload.version,
        )
    return _sheet(request, _round(request, round_id), township, False)


@router.post(
    "/assessment/rounds/{round_id}/sheets/{code}/appeals",
    response=with_errors(AssessmentAppealOut, created=True),
    summary="提出申诉",
    description="""The township appeals its preliminary score of a scored indicator, once,
within the appeal window (else 409 `phase`).""",
)
def assessment_appeal(
    request: HttpRequest, round_id: int, code: str, payload: AssessmentAppealIn
) -> Status[Appeal]:
    user = _actor(request, SELF)
    round_ = _round(request, round_id)
    township = _township(request, round_, code)
    with phase_conflicts():
        appeal = services.appeal_file(
            actor=user,
            round_=round_,
            indicator=_indicator(round_, payload.indicator),
            township=township,
            reason=payload.reason,
        )
    return Status(201, appeal)


@router.post(
    "/assessment/appeals/{appeal_id}/answer",
    response=with_errors(AssessmentAppealOut),
    summary="答复申诉",
    description="""The county answers an appeal during the appeal window (else 409 `phase`):
with `new_score` the score changes, without it the score stands. An appeal of a round the
caller does not manage: 404.""",
)
def assessment_appeal_answer(
    request: HttpRequest, appeal_id: int, payload: AssessmentAnswerIn
) -> Appeal:
    user = _actor(request, MANAGE)
    _check_id(appeal_id)
    appeal = selectors.appeal_get(user=user, pk=appeal_id)
    if appeal is None:
        raise Http404
    with phase_conflicts():
        services.appeal_answer(
            actor=user,
            appeal=appeal,
            answer=payload.answer,
            new_score=payload.new_score,
            version=payload.version,
        )
    answered = selectors.appeal_get(user=user, pk=appeal_id)
    assert answered is not None
    return answered
