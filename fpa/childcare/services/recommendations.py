"""Recommendations for the prefecture's or the province's model evaluation (州级、省级示范托育
机构): one open recommendation per institution, level and year; the outcome recorded once."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.childcare.models import Institution, Recommendation
from fpa.childcare.services.common import (
    EDIT,
    check_fresh,
    home_of,
    lock,
    working_date,
)
from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import ServiceError, validate, within
from fpa.core.scope import require, require_in_scope

if TYPE_CHECKING:
    from fpa.accounts.models import User

FIRST_YEAR = 2000
DECIDED = (Recommendation.Outcome.NAMED, Recommendation.Outcome.FAILED)


def _year(value: object) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError(gettext("年度应为四位数字。"), field="year") from exc
    latest = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= latest:
        raise ServiceError(
            gettext("年度应在%(first)d至%(last)d之间。") % {"first": FIRST_YEAR, "last": latest},
            field="year",
        )
    return year


def _already(institution: Institution, level: str, year: int) -> str | None:
    """Why another recommendation of this level and year is refused, or None."""
    outcomes = set(
        Recommendation.objects.filter(institution=institution, level=level, year=year)
        .exclude(outcome=Recommendation.Outcome.FAILED)
        .values_list("outcome", flat=True)
    )
    label = Recommendation.Level(level).label
    if Recommendation.Outcome.NAMED in outcomes:
        return gettext("该机构%(year)d年已被命名为%(level)s示范托育机构。") % {
            "year": year,
            "level": label,
        }
    if Recommendation.Outcome.PENDING in outcomes:
        return gettext("该机构%(year)d年已有待评审的%(level)s示范推荐，不能重复推荐。") % {
            "year": year,
            "level": label,
        }
    return None


@transaction.atomic
def recommendation_create(
    *,
    actor: User,
    institution: Institution,
    year: object,
    level: str,
    recommended_on: datetime.date | None,
    note: str = "",
) -> Recommendation:
    """推荐: a running institution in scope, for one level and year."""
    require(actor, EDIT)
    require_in_scope(actor, institution.association)
    if institution.status != Institution.Status.OPERATING:
        raise ServiceError(gettext("只有运营中的机构可以推荐参加示范评审。"))
    if level not in Recommendation.Level.values:
        raise ServiceError(gettext("请选择推荐级别。"), field="level")
    number = _year(year)
    day = working_date(recommended_on, field="recommended_on", label=gettext("推荐日期"))
    Institution.objects.select_for_update().filter(pk=institution.pk).first()  # one at a time
    refused = _already(institution, level, number)
    if refused:
        raise ServiceError(refused, field="level", code="duplicate")
    recommendation = Recommendation(
        institution=institution,
        year=number,
        level=level,
        association=home_of(actor),
        recommended_by=actor,
        recommended_on=day,
        note=within((note or "").strip(), 300, field="note"),
    )
    validate(recommendation, exclude=["recommended_by"], unique=False)
    try:
        with transaction.atomic():
            recommendation.save()
    except IntegrityError as exc:  # another one saved at the same moment
        raise ServiceError(
            gettext("该机构本年度已有待评审的同级示范推荐，不能重复推荐。"),
            field="level",
            code="duplicate",
        ) from exc
    audit_create(
        actor=actor,
        obj=recommendation,
        scope_path=institution.association.path,
        reason="推荐参加示范托育机构评审",
    )
    return recommendation


@transaction.atomic
def recommendation_decide(
    *,
    actor: User,
    recommendation: Recommendation,
    outcome: str,
    outcome_on: datetime.date | None,
    note: str = "",
    version: int | None = None,
) -> Recommendation:
    """评审结果: 已命名 or 未通过, on a date not before the recommendation; recorded once."""
    require(actor, EDIT)
    require_in_scope(actor, recommendation.institution.association)
    recommendation = lock(recommendation)
    check_fresh(recommendation, recommendation.version, version)
    if recommendation.outcome != Recommendation.Outcome.PENDING:
        raise ServiceError(gettext("评审结果已登记，不能再次登记。"))
    if outcome not in DECIDED:
        raise ServiceError(gettext("请选择评审结果（已命名或未通过）。"), field="outcome")
    day = working_date(outcome_on, field="outcome_on", label=gettext("结果日期"))
    if day < recommendation.recommended_on:
        raise ServiceError(gettext("结果日期不能早于推荐日期。"), field="outcome_on")
    before = snapshot(recommendation, ["outcome", "outcome_on", "note", "version"])
    recommendation.outcome = outcome
    recommendation.outcome_on = day
    extra = within((note or "").strip(), 300, field="note")
    if extra:
        recommendation.note = within(
            f"{recommendation.note}；{extra}" if recommendation.note else extra, 300, field="note"
        )
    validate(recommendation, unique=False)
    recommendation.version += 1
    recommendation.save()
    audit_update(
        actor=actor,
        obj=recommendation,
        before=before,
        scope_path=recommendation.institution.association.path,
    )
    return recommendation
