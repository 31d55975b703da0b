"""The profile of an enterprise-type association (企业、园区、商会、流动人口计生协, 党支部+计生协,
商会+计生协): the firm or chamber, its unified social credit code (GB 32100, check character
verified), size and employees, the Party branch of the "党支部+计生协" form, and the 流动人口
示范点 flag with its evaluations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import uscc
from fpa.core.audit import audit_create, audit_update, changed_since, diff, snapshot
from fpa.core.errors import ServiceError, check_version, validate, within
from fpa.core.scope import in_scope
from fpa.migrants.models import PROFILE_KINDS, EnterpriseProfile, Evaluation
from fpa.migrants.services.common import lock, require_edit
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

PROFILE_FIELDS = (
    "firm_name",
    "credit_code",
    "address",
    "size",
    "employees",
    "childbearing_employees",
    "party_branch_name",
    "party_branch",
    "demonstration",
)
MAX_EMPLOYEES = 1_000_000
TAKEN = "duplicate"


def _count(value: Any, *, field: str, label: str) -> int:
    try:
        number = int(str(value if value is not None else 0).strip() or 0)
    except (TypeError, ValueError) as exc:
        raise ServiceError(gettext("%(label)s应为整数。") % {"label": label}, field=field) from exc
    if not 0 <= number <= MAX_EMPLOYEES:
        raise ServiceError(
            gettext("%(label)s应在0至%(max)d之间。") % {"label": label, "max": MAX_EMPLOYEES},
            field=field,
        )
    return number


def _check(actor: User, profile: EnterpriseProfile) -> None:
    profile.firm_name = within((profile.firm_name or "").strip(), 100, field="firm_name")
    if len(profile.firm_name) < 2:
        raise ServiceError(gettext("请填写企业（园区、商会）名称。"), field="firm_name")
    if profile.credit_code:
        try:
            profile.credit_code = uscc.parse(profile.credit_code)
        except uscc.CreditCodeError as exc:
            raise ServiceError(exc.message, field="credit_code", code=exc.code) from exc
        other = EnterpriseProfile.objects.filter(credit_code=profile.credit_code).exclude(
            pk=profile.pk
        )
        if other.exists():
            raise ServiceError(
                gettext("该统一社会信用代码已登记在另一个协会的档案中。"),
                field="credit_code",
                code=TAKEN,
            )
    if profile.size and profile.size not in EnterpriseProfile.Size.values:
        raise ServiceError(gettext("请选择企业规模。"), field="size")
    profile.employees = _count(profile.employees, field="employees", label=gettext("职工人数"))
    profile.childbearing_employees = _count(
        profile.childbearing_employees,
        field="childbearing_employees",
        label=gettext("育龄职工人数"),
    )
    if profile.childbearing_employees > profile.employees:
        raise ServiceError(
            gettext("育龄职工人数（%(n)d）不能超过职工人数（%(total)d）。")
            % {"n": profile.childbearing_employees, "total": profile.employees},
            field="childbearing_employees",
        )
    branch = profile.party_branch
    if branch is not None:
        if branch.kind != Association.Kind.PARTY_BRANCH or not in_scope(actor, branch):
            raise ServiceError(
                gettext("请选择您管辖范围内的“党支部+计生协”。"), field="party_branch"
            )
        if not profile.party_branch_name:
            profile.party_branch_name = branch.name
    validate(profile, exclude=["association", "party_branch"], unique=False)


def _save(profile: EnterpriseProfile) -> None:
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        raise ServiceError(
            gettext("该协会已有档案，或统一社会信用代码已被登记。"), field="credit_code", code=TAKEN
        ) from exc


@transaction.atomic
def profile_create(*, actor: User, association: Association, **data: Any) -> EnterpriseProfile:
    """The profile of an enterprise-type association in scope (one per association)."""
    require_edit(actor, association)
    if association.kind not in PROFILE_KINDS:
        raise ServiceError(
            gettext("只有企业、园区、商会、流动人口和“党支部+计生协”“商会+计生协”可建立档案。"),
            field="association",
        )
    if EnterpriseProfile.objects.filter(association=association).exists():
        raise ServiceError(gettext("该协会已有档案，请在原档案上修改。"), code=TAKEN)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(gettext("字段不正确：%(names)s") % {"names": ", ".join(sorted(unknown))})
    profile = EnterpriseProfile(association=association)
    for key, value in data.items():
        setattr(profile, key, value.strip() if isinstance(value, str) else value)
    _check(actor, profile)
    _save(profile)
    audit_create(actor=actor, obj=profile, scope_path=association.path, reason="企业协会档案")
    return profile


@transaction.atomic
def profile_update(
    *, actor: User, profile: EnterpriseProfile, version: int | None = None, **data: Any
) -> EnterpriseProfile:
    require_edit(actor, profile.association)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(gettext("字段不正确：%(names)s") % {"names": ", ".join(sorted(unknown))})
    locked = lock(profile)
    stale = version is not None and version != locked.version
    check_version(
        locked.version, version, changed_since(locked, version) if stale and version else None
    )
    before = snapshot(locked, [*PROFILE_FIELDS, "version"])
    for key, value in data.items():
        setattr(locked, key, value.strip() if isinstance(value, str) else value)
    _check(actor, locked)
    if not diff(before, snapshot(locked, before.keys())):
        return locked
    locked.version += 1
    _save(locked)
    audit_update(actor=actor, obj=locked, before=before, scope_path=profile.association.path)
    return locked


@transaction.atomic
def evaluation_record(
    *,
    actor: User,
    profile: EnterpriseProfile,
    year: int,
    level: str,
    result: str,
    notes: str = "",
) -> Evaluation:
    """An evaluation of a 流动人口示范点 (the profile must carry the flag), once per year and
    level."""
    require_edit(actor, profile.association)
    if not profile.demonstration:
        raise ServiceError(gettext("请先将该协会标记为流动人口示范点。"), field="demonstration")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2000 <= year <= this_year:
        raise ServiceError(
            gettext("年度应在2000至%(year)d之间。") % {"year": this_year}, field="year"
        )
    if level not in Evaluation.Level.values:
        raise ServiceError(gettext("请选择评估级别。"), field="level")
    if result not in Evaluation.Result.values:
        raise ServiceError(gettext("请选择评估结果。"), field="result")
    if Evaluation.objects.filter(profile=profile, year=year, level=level).exists():
        raise ServiceError(
            gettext("%(year)d年度的%(level)s评估已登记。")
            % {"year": year, "level": Evaluation.Level(level).label},
            field="year",
            code=TAKEN,
        )
    evaluation = Evaluation(
        profile=profile,
        year=year,
        level=level,
        result=result,
        notes=within((notes or "").strip(), 300, field="notes"),
        recorded_by=actor,
    )
    validate(evaluation, exclude=["profile", "recorded_by"], unique=False)
    evaluation.save()
    audit_create(actor=actor, obj=evaluation, scope_path=profile.association.path)
    return evaluation
