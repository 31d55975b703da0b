"""Insurance background jobs (fpa.core.jobs): enrolment by rule, the roster and claims exports."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_noop

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.core.scope import load_in_scope
from fpa.insurance import rules, selectors, services
from fpa.insurance.excel import CLAIM_SHEET, ROSTER_SHEET
from fpa.insurance.models import PolicyYear
from fpa.organizations.models import Association

ENROL_BY_RULE = "insurance.enrol_by_rule"
ROSTER_EXPORT = "insurance.roster_export"
CLAIMS_EXPORT = "insurance.claims_export"
STAGE_ENROLLING = gettext_noop("正在按规则参保")
NOT_FOUND = gettext_noop("保险年度不存在或不在您的管辖范围内。")


def _policy(user: Any, pk: Any) -> PolicyYear:
    try:
        policy: PolicyYear = load_in_scope(PolicyYear, user, pk=pk)
    except Http404 as exc:  # the year is gone or out of scope now
        raise JobFailed(NOT_FOUND) from exc
    return policy


def _area(user: Any, code: str) -> Association | None:
    if not code:
        return None
    area = Association.objects.visible_to(user).filter(code=code).first()
    if area is None:
        raise JobFailed(exports.OUT_OF_SCOPE)
    return area


@register(ENROL_BY_RULE)
def enrol_by_rule(job: Job, progress: Progress) -> dict[str, Any]:
    """All of the rule's people in one transaction; progress after each batch (a cancel rolls
    everything back)."""
    user = exports.job_owner(job, "insurance.manage")
    policy = _policy(user, job.params.get("policy_year"))
    rule = rules.Rule.from_params(job.params.get("rule") or {})
    progress.stage(STAGE_ENROLLING, total=job.params.get("expected"))

    def on_batch(read: int, written: int) -> None:
        progress.advance(read=read, planned=read, written=written)
        progress.check()

    result = services.rule_enrol(actor=user, policy_year=policy, rule=rule, on_batch=on_batch)
    progress.advance(read=sum(result[g] for g in ("added", "already", "left_out")), force=True)
    return result


@register(ROSTER_EXPORT)
@exports.in_chinese
def roster_export(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "insurance.view")
    policy = _policy(user, job.params.get("policy_year"))
    params = job.params
    filters = selectors.RosterFilters(
        area=_area(user, params.get("code") or ""),
        status=params.get("status") or "",
        source=params.get("source") or "",
    )
    rows = selectors.roster(user=user, policy_year=policy, filters=filters).order_by("id")
    return exports.export_to_job(progress, ROSTER_SHEET, rows, actor=user)


@register(CLAIMS_EXPORT)
@exports.in_chinese
def claims_export(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "insurance.view")
    params = job.params
    filters = selectors.ClaimFilters(
        area=_area(user, params.get("code") or ""),
        state=params.get("state") or "open",
        kind=params.get("kind") or "",
        year=params.get("year") or None,
        figure=params.get("figure") or "",
        first=_date(params.get("from")),
        last=_date(params.get("to")),
    )
    rows = selectors.claims(user=user, filters=filters).order_by("id")
    return exports.export_to_job(progress, CLAIM_SHEET, rows, actor=user)


def _date(text: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(text or ""))
    except ValueError:
        return None
