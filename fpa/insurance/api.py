"""计生保险 over /api/v1/insurance: products, policy years, the roster of a year, enrolling one
person, the enrolment by rule (preview, run as a background job, the job's status), claims (list,
detail, report, the insurer's steps) and the 保险理赔 figures.

Who may call: staff holding `insurance.view` (products owned in or above their association; the
enrolments and claims of their subtree); writes need `insurance.edit`, checked again by the
services; the enrolment by rule needs `insurance.manage`, as its page. Never sent in clear:
names and ID numbers of the insured (masked) and a claim's description (sensitive, only
through the audited reveal of the pages). Errors are the platform's JSON errors
(`fpa.core.api_errors`), documented on every operation.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core import jobs as core_jobs
from fpa.core import protected
from fpa.core.api_errors import ERRORS, with_errors
from fpa.core.api_jobs import JobOut, job_out
from fpa.core.errors import ServiceError
from fpa.core.masking import mask_name
from fpa.core.models import Job
from fpa.core.pagination import keyset_page
from fpa.core.scope import require as core_require
from fpa.insurance import jobs, rules, selectors, services
from fpa.insurance.models import Claim, Enrolment, PolicyYear, Product
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association

MAX_ID = 2**63 - 1
router = Router(tags=["insurance"], auth=[BearerToken("insurance.view"), Session("insurance.view")])


def _check_id(value: int) -> None:
    if not 0 < value <= MAX_ID:
        raise Http404


def _area(request: HttpRequest, code: str) -> Association | None:
    if not code:
        return None
    return org_selectors.association_get(user=signed_in_user(request), code=code.strip()[:32])


# --- schemas ------------------------------------------------------------------------------------


class CoverItem(Schema):
    item: str
    amount: Decimal


class ProductOut(Schema):
    id: int
    association_code: str
    insurer: str
    name: str
    kind: str
    kind_label: str
    cover_items: list[CoverItem]
    premium: Decimal
    min_age: int | None
    max_age: int | None
    start_month: int
    start_day: int
    active: bool

    @staticmethod
    def resolve_association_code(obj: Product) -> str:
        return obj.association.code

    @staticmethod
    def resolve_kind_label(obj: Product) -> str:
        return str(obj.get_kind_display())


class PolicyYearOut(Schema):
    id: int
    product_id: int
    product_name: str
    year: int
    starts_on: datetime.date
    ends_on: datetime.date
    policy_number: str
    premium: Decimal
    fund_share: Decimal
    government_share: Decimal
    self_share: Decimal
    grant_number: str | None
    grant_status: str | None
    posted_count: int

    @staticmethod
    def resolve_product_name(obj: PolicyYear) -> str:
        return obj.product.name

    @staticmethod
    def resolve_grant_number(obj: PolicyYear) -> str | None:
        return obj.grant.number if obj.grant else None

    @staticmethod
    def resolve_grant_status(obj: PolicyYear) -> str | None:
        return obj.grant.status if obj.grant else None


class EnrolmentOut(Schema):
    id: int
    policy_year_id: int
    association_code: str
    source: str
    name_masked: str
    id_number_masked: str
    status: str
    covered_from: datetime.date
    covered_to: datetime.date
    enrolled_on: datetime.date
    removed_on: datetime.date | None
    by_rule: bool

    @staticmethod
    def resolve_association_code(obj: Enrolment) -> str:
        return obj.association.code

    @staticmethod
    def resolve_name_masked(obj: Enrolment) -> str:
        return str(obj.name)

    @staticmethod
    def resolve_id_number_masked(obj: Enrolment) -> str:
        return str(obj.id_number)


class EnrolmentPage(Schema):
    items: list[EnrolmentOut]
    next: str | None
    previous: str | None


class ClaimOut(Schema):
    id: int
    enrolment_id: int
    insured_masked: str
    association_code: str
    product_name: str
    year: int
    event_on: datetime.date
    kind: str
    status: str
    status_label: str
    reported_on: datetime.date
    submitted_on: datetime.date | None
    decided_on: datetime.date | None
    amount_paid: Decimal | None
    refusal_reason: str
    closed_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_insured_masked(obj: Claim) -> str:
        return str(obj.enrolment.name)

    @staticmethod
    def resolve_association_code(obj: Claim) -> str:
        return obj.association.code

    @staticmethod
    def resolve_product_name(obj: Claim) -> str:
        return obj.enrolment.policy_year.product.name

    @staticmethod
    def resolve_year(obj: Claim) -> int:
        return obj.enrolment.policy_year.year

    @staticmethod
    def resolve_status_label(obj: Claim) -> str:
        return str(obj.get_status_display())


class ClaimDetailOut(ClaimOut):
    documents: int
    care_record_id: int | None

    @staticmethod
    def resolve_documents(obj: Claim) -> int:
        return obj.documents.count()


class ClaimPage(Schema):
    items: list[ClaimOut]
    next: str | None
    previous: str | None


class RosterFilters(Schema):
    association: str = Field("", max_length=32)
    status: Literal["", "enrolled", "removed"] = ""
    source: Literal["", "person", "member", "volunteer"] = ""
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(50, ge=1, le=100)


State = Literal["open", "overdue", "reported", "submitted", "paid", "refused", "closed", "all"]
Kind = Literal["accident", "hospital", "death", "other"]


class ClaimFilters(Schema):
    association: str = Field("", max_length=32)
    state: State = "open"
    kind: Literal["", "accident", "hospital", "death", "other"] = ""
    year: int | None = Field(None, ge=2000, le=2100)
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(50, ge=1, le=100)


class ClaimIn(Schema):
    enrolment_id: int = Field(..., gt=0, le=MAX_ID)
    event_on: datetime.date
    kind: Kind
    description: str = Field(..., min_length=1, max_length=2000)


class InsuranceStepIn(Schema):
    action: Literal["submit", "paid", "refused", "close"]
    on: datetime.date | None = None
    amount_paid: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    refusal_reason: str = Field("", max_length=300)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class InsuranceFiguresOut(Schema):
    association_code: str
    first: datetime.date
    last: datetime.date
    cases: int
    amount: Decimal


# --- operations -----------------------------------------------------------------------------------


@router.get("/insurance/products", response=with_errors(list[ProductOut]))
def product_list(request: HttpRequest) -> list[Product]:
    return list(selectors.products(user=signed_in_user(request))[:200])


@router.get("/insurance/years", response=with_errors(list[PolicyYearOut]))
def year_list(
    request: HttpRequest, product: int | None = Query(None, gt=0, le=MAX_ID)
) -> list[PolicyYear]:
    user = signed_in_user(request)
    item = selectors.products(user=user).get(pk=product) if product else None
    return list(selectors.policy_years(user=user, product=item)[:200])


@router.get("/insurance/years/{year_id}/enrolments", response=with_errors(EnrolmentPage))
def enrolment_list(request: HttpRequest, year_id: int, filters: Query[RosterFilters]) -> dict:
    _check_id(year_id)
    user = signed_in_user(request)
    policy = selectors.policy_years(user=user).get(pk=year_id)
    rows = selectors.roster(
        user=user,
        policy_year=policy,
        filters=selectors.RosterFilters(
            area=_area(request, filters.association),
            status=filters.status,
            source=filters.source,
        ),
    )
    page = keyset_page(
        rows, key="id", after=filters.after, before=filters.before, size=filters.size
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.get("/insurance/claims", response=with_errors(ClaimPage))
def claim_list(request: HttpRequest, filters: Query[ClaimFilters]) -> dict:
    rows = selectors.claims(
        user=signed_in_user(request),
        filters=selectors.ClaimFilters(
            area=_area(request, filters.association),
            state=filters.state,
            kind=filters.kind,
            year=filters.year,
        ),
    ).select_related("enrolment")
    page = keyset_page(
        rows,
        key="id",
        after=filters.after,
        before=filters.before,
        size=filters.size,
        descending=True,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


def _claim(request: HttpRequest, pk: int) -> Claim:
    _check_id(pk)
    user = signed_in_user(request)
    return selectors.claims(user=user, filters=selectors.ClaimFilters(state="all")).get(pk=pk)


@router.get("/insurance/claims/{claim_id}", response=with_errors(ClaimDetailOut))
def claim_detail(request: HttpRequest, claim_id: int) -> Claim:
    return _claim(request, claim_id)


@router.post("/insurance/claims", response=with_errors(ClaimDetailOut, created=True))
def claim_report(request: HttpRequest, payload: ClaimIn) -> Status[Claim]:
    user = signed_in_user(request)
    enrolment = selectors.enrolment_get(user=user, pk=payload.enrolment_id)
    claim = services.claim_report(
        actor=user,
        enrolment=enrolment,
        event_on=payload.event_on,
        kind=payload.kind,
        description=payload.description,
    )
    return Status(201, _claim(request, claim.pk))


@router.post("/insurance/claims/{claim_id}/steps", response=with_errors(ClaimDetailOut))
def claim_step(request: HttpRequest, claim_id: int, payload: InsuranceStepIn) -> Claim:
    """submit (on = the day sent to the insurer), paid (on, amount_paid), refused (on,
    refusal_reason), close."""
    user = signed_in_user(request)
    claim = _claim(request, claim_id)
    on = payload.on or timezone.localdate()
    common: dict[str, Any] = {"actor": user, "claim": claim, "version": payload.version}
    if payload.action == "submit":
        services.claim_submit(submitted_on=on, **common)
    elif payload.action == "close":
        services.claim_close(**common)
    else:
        services.claim_decide(
            outcome=payload.action,
            decided_on=on,
            amount_paid=payload.amount_paid,
            refusal_reason=payload.refusal_reason,
            **common,
        )
    return _claim(request, claim_id)


@router.get(
    "/insurance/figures", response=with_errors(InsuranceFiguresOut), url_name="insurance_figures"
)
def figures(
    request: HttpRequest,
    first: datetime.date,
    last: datetime.date,
    association: str = Query("", max_length=32),
) -> dict:
    """The 暖心行动 report's 保险理赔: claims reported in [first, last] and the amount paid."""
    user = signed_in_user(request)
    root = _area(request, association) or user.home_association
    if root is None:
        raise Http404
    found = selectors.claim_figures(user=user, root=root, first=first, last=last)
    return {
        "association_code": root.code,
        "first": first,
        "last": last,
        "cases": found.cases,
        "amount": found.amount,
    }


# --- enrolling: one person, by rule, the rule's job ---------------------------------------------

Source = Literal["person", "member", "volunteer"]
RuleSource = Literal["parents", "people", "members", "volunteers"]
Group = Literal["added", "already", "left_out"]


class EnrolIn(Schema):
    source: Source = Field(
        ..., description="人员来源：person 特殊家庭成员、member 会员、volunteer 志愿者"
    )
    id_number: str = Field(
        ..., min_length=1, max_length=32, description="身份证号码（在本人管辖范围内查找）"
    )
    covered_from: datetime.date | None = Field(
        None, description="保障起始日期；不填：起保日或今天（取较晚者）"
    )


class RuleIn(Schema):
    area: str = Field("", max_length=32, description="范围：协会代码（含下级）；不填为本人所属协会")
    active_only: bool = Field(True, description="仅在册人员")
    family_kind: str = Field("", max_length=20, description="家庭类别（特殊家庭来源）")
    member_kind: str = Field("", max_length=20, description="会员类型（会员来源）")
    sex: Literal["", "F", "M"] = ""
    age_min: int | None = Field(None, ge=0, le=120, description="起保日年龄不小于")
    age_max: int | None = Field(None, ge=0, le=120, description="起保日年龄不大于")


class PreviewIn(RuleIn):
    group: Group = Field("added", description="样本取哪一组：将新增、已参保、不纳入")
    page: int = Field(1, ge=1, le=100_000_000)


class RunIn(RuleIn):
    expected: int | None = Field(
        None, ge=1, le=100_000_000, description="预览时的人数（用于进度显示）"
    )


class CandidateOut(Schema):
    source: str
    name_masked: str
    birth_year: int | None
    sex: str
    group: str
    reason: str
    reason_label: str


class ReasonOut(Schema):
    code: str
    label: str
    count: int


class PreviewOut(Schema):
    rule: str
    counts: dict[str, int]
    total: int
    reasons: list[ReasonOut]
    group: str
    page: int
    pages: int
    sample: list[CandidateOut]


def _subject(user: Any, source: str, raw: str) -> dict[str, Any]:
    """The registry's person with this ID number in the user's scope (as the page's form: the
    number is checked and normalised first), or a refusal on `id_number`."""
    try:
        number = protected.canonical("id_number", raw)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="id_number") from exc
    found = selectors.registry_person(user=user, source=source, id_number=number)
    if found is None:
        raise ServiceError(
            gettext("在您的管辖范围内没有找到该身份证号码的人员。"), field="id_number"
        )
    return found


def _rule(request: HttpRequest, source: str, payload: RuleIn) -> rules.Rule:
    from fpa.families.models import Family
    from fpa.members.models import Member

    if payload.family_kind and payload.family_kind not in Family.Kind.values:
        raise ServiceError(gettext("家庭类别不正确。"), field="family_kind")
    member_kinds = set(Member.Kind.values) - {Member.Kind.GROUP}
    if payload.member_kind and payload.member_kind not in member_kinds:
        raise ServiceError(gettext("会员类型不正确。"), field="member_kind")
    area = _area(request, payload.area)  # out of scope: 404, as any foreign code
    return rules.Rule(
        source=source,
        area=area.code if area is not None else "",
        active_only=payload.active_only,
        family_kind=payload.family_kind,
        member_kind=payload.member_kind,
        sex=payload.sex,
        age_min=payload.age_min,
        age_max=payload.age_max,
    )


def _manager_year(request: HttpRequest, year_id: int) -> PolicyYear:
    _check_id(year_id)
    user = signed_in_user(request)
    policy = selectors.policy_years(user=user).get(pk=year_id)
    core_require(user, "insurance.manage")
    return policy


def _job_out(job: Job) -> dict[str, Any]:
    return job_out(job, reverse("api:insurance_job", args=[job.pk]))


ENROL_DESCRIPTION = """The page's "逐人参保": the person of a registry (`source`) with this ID
number inside the caller's scope is enrolled in the year (`insurance.edit`). A person removed
earlier in the year is enrolled again on the same row. Refused (400, on the field named): an ID
number that is not valid (also one of full-width digits that is not a valid number), no such
person in the caller's scope, a person already enrolled in the year, outside the product's ages
or deceased (`subject`), a year that has ended or a start outside the year (`covered_from`).
Another township's or a forged year: 404; a role without `insurance.edit`: 403."""


@router.post(
    "/insurance/years/{year_id}/enrolments",
    response=with_errors(EnrolmentOut, created=True),
    summary="逐人参保",
    description=ENROL_DESCRIPTION,
)
def insurance_enrol(request: HttpRequest, year_id: int, payload: EnrolIn) -> Status[Enrolment]:
    _check_id(year_id)
    user = signed_in_user(request)
    policy = selectors.policy_years(user=user).get(pk=year_id)
    core_require(user, "insurance.edit")
    enrolment = services.enrolment_add(
        actor=user,
        policy_year=policy,
        covered_from=payload.covered_from,
        **_subject(user, payload.source, payload.id_number),
    )
    return Status(201, selectors.enrolment_get(user=user, pk=enrolment.pk))


@router.post(
    "/insurance/years/{year_id}/rules/{rule}/preview",
    response=with_errors(PreviewOut),
    summary="按规则参保：预览",
    description="""What the enrolment by rule would do, writing nothing (`insurance.manage`, as
the page): counts of who would be added, who is already enrolled and who is left out (with the
reason of each), and one page (50) of one group as a sample, names masked. `rule` is the source
of people: `parents` (special-family parents), `people` (all special-family members), `members`,
`volunteers`. `area` outside the caller's scope or a forged year: 404.""",
)
def insurance_rule_preview(
    request: HttpRequest, year_id: int, rule: RuleSource, payload: PreviewIn
) -> dict[str, Any]:
    policy = _manager_year(request, year_id)
    found = services.rule_preview(
        actor=signed_in_user(request),
        policy_year=policy,
        rule=_rule(request, rule, payload),
        group=payload.group,
        page=payload.page,
    )
    labels = rules.LEFT_OUT
    return {
        "rule": rule,
        "counts": found.counts,
        "total": found.total,
        "reasons": [
            {"code": code, "label": str(labels.get(code, code)), "count": n}
            for code, n in found.reasons.items()
        ],
        "group": found.group,
        "page": found.page,
        "pages": found.pages,
        "sample": [
            {
                "source": c.source,
                "name_masked": mask_name(str(c.name or "")),
                "birth_year": c.birth_date.year if c.birth_date else None,
                "sex": c.sex,
                "group": services.by_rule.group_of(c),
                "reason": "" if c.reason == "already" else c.reason,
                "reason_label": str(labels[c.reason]) if c.reason in labels else "",
            }
            for c in found.rows
        ],
    }


@router.post(
    "/insurance/years/{year_id}/rules/{rule}/run",
    response={202: JobOut, **ERRORS},
    summary="按规则参保：执行（后台任务）",
    description="""Starts the page's background job (`insurance.enrol_by_rule`): everyone the
rule adds is enrolled in one transaction, one audit row each; running it again adds nobody.
Answers 202 with the job; follow it at `status_url` (GET /api/v1/insurance/jobs/{job_id}). The
rule is checked before the job starts (400 on the field, as the preview); a year that has ended
fails the job with its message. `insurance.manage` only (403 otherwise).""",
)
def insurance_rule_run(
    request: HttpRequest, year_id: int, rule: RuleSource, payload: RunIn
) -> Status[dict[str, Any]]:
    policy = _manager_year(request, year_id)
    user = signed_in_user(request)
    found = _rule(request, rule, payload)
    services.rule_check(actor=user, policy_year=policy, rule=found)
    job = core_jobs.job_enqueue(
        kind=jobs.ENROL_BY_RULE,
        actor=user,
        title=gettext("按规则参保：%(year)s") % {"year": policy},
        params={"policy_year": policy.pk, "rule": found.as_params(), "expected": payload.expected},
    )
    return Status(202, _job_out(job))


@router.get(
    "/insurance/jobs/{job_id}",
    response=with_errors(JobOut),
    url_name="insurance_job",
    summary="保险后台任务的进度",
    description="""A background job of insurance started by the caller (county staff holding
`job.manage` see those of their subtree): status (`queued`, `running`, `done`, `failed`,
`cancelled`), stage, percent and, once done, the result (for the enrolment by rule: `added`,
`already`, `left_out`, `written`). Anyone else's job, another module's or a forged id: 404.""",
)
def insurance_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    _check_id(job_id)
    job = core_jobs.job_get(user=signed_in_user(request), pk=job_id)
    if job is None or not job.kind.startswith("insurance."):
        raise Http404
    return _job_out(job)
