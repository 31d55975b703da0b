"""Writes of the key-work assessment: schemes and indicators, rounds and their phases, the
frozen computed values, self-assessments, scores, appeals and their answers. Atomic, scoped,
audited and versioned, whoever calls (a page, a test, the demo).

Who: `assessment.manage` (county) sets schemes and rounds, answers appeals and publishes;
`assessment.self` (township) assesses itself and appeals for its own township only;
`assessment.score` scores as an indicator's assigned scorer, never their own township.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from fpa.assessment import rules
from fpa.assessment.models import Appeal, Indicator, Round, Scheme, Score, Snapshot
from fpa.assessment.registry import Measure, registered_indicators
from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate
from fpa.core.jobs import job_enqueue
from fpa.core.scope import path_is_under, require, require_in_scope
from fpa.core.text import TextError, clean_text
from fpa.core.todo import one_reading
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.core.models import Job

Phase = Round.Phase


# --- shared checks --------------------------------------------------------------------------------


def _text(value: str | None, *, field: str, limit: int, required: str = "") -> str:
    try:
        cleaned = clean_text(value or "", multiline=True)
    except TextError as exc:
        raise ServiceError(str(exc), field=field) from exc
    if len(cleaned) > limit:
        raise ServiceError(
            gettext("最多%(max)d个字，现有%(count)d个字。") % {"max": limit, "count": len(cleaned)},
            field=field,
        )
    if required and not cleaned:
        raise ServiceError(required, field=field)
    return cleaned


def _decimal(value: Any, *, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(gettext("请填写数字。"), field=field) from exc
    if not number.is_finite():
        raise ServiceError(gettext("请填写数字。"), field=field)
    return number


def townships_of(county: Association) -> list[Association]:
    """The current township associations directly under the county, by code."""
    return list(
        Association.objects.current()
        .filter(parent=county, kind=Association.Kind.TOWNSHIP)
        .order_by("code")
    )


def _require_county(actor: User, county: Association) -> None:
    require(actor, "assessment.manage")
    require_in_scope(actor, county)
    if county.kind != Association.Kind.COUNTY:
        raise ServiceError(gettext("考核方案由县级计生协制定。"), field="county")


def _require_township(actor: User, round_: Round, township: Association) -> None:
    """The township's own staff, for its own township in this round's county."""
    require(actor, "assessment.self")
    require_in_scope(actor, township)
    if township.kind != Association.Kind.TOWNSHIP or township.parent_id != round_.scheme.county_id:
        raise NotAllowed(gettext("只能为本乡镇自评或申诉。"))


def _lock_round(round_: Round) -> Round:
    return Round.objects.select_for_update().select_related("scheme__county").get(pk=round_.pk)


def _require_phase(round_: Round, phase: str, message: str) -> None:
    if round_.phase != phase:
        raise ServiceError(message, code="phase")


# --- schemes and indicators -----------------------------------------------------------------------


@transaction.atomic
def scheme_create(*, actor: User, county: Association, year: int, title: str) -> Scheme:
    _require_county(actor, county)
    if Scheme.objects.filter(county=county, year=year).exists():
        raise ServiceError(gettext("该年度已有考核方案。"), field="year")
    if not 2000 <= int(year) <= timezone.localdate().year + 1:
        raise ServiceError(gettext("年度不正确。"), field="year")
    scheme = Scheme(county=county, year=year, title=title)
    validate(scheme)
    scheme.save()
    audit_create(actor=actor, obj=scheme, scope_path=county.path)
    return scheme


def _indicator_check(indicator: Indicator) -> None:
    if indicator.weight is None or not Decimal(0) < indicator.weight <= rules.WEIGHT_MAX:
        raise ServiceError(gettext("分值应大于0且不超过100分。"), field="weight")
    if indicator.computed:
        known = registered_indicators().get(indicator.computed_key)
        if known is None:
            raise ServiceError(gettext("请选择自动计算的指标。"), field="computed_key")
        if indicator.target is None or indicator.target <= 0:
            raise ServiceError(gettext("满分目标值应大于0。"), field="target")
    else:
        indicator.computed_key = ""


def _check_scorer(indicator: Indicator) -> None:
    scorer = indicator.scorer
    if scorer is None:
        return
    county = indicator.scheme.county
    if not scorer.has_capability("assessment.score") or not scorer.is_active:
        raise ServiceError(gettext("评分人须为有评分权限的在用账号。"), field="scorer")
    home = scorer.home_association
    if home is None or not (path_is_under(county.path, home.path) or home.pk == county.pk):
        raise ServiceError(gettext("评分人须为本县（或上级）工作人员。"), field="scorer")


def _require_open_scheme(scheme: Scheme) -> None:
    if scheme.rounds.exclude(phase=Phase.OPEN).exists():
        raise ServiceError(gettext("已有考核轮次开始，方案的指标不能再修改。"))


@transaction.atomic
def indicator_save(
    *,
    actor: User,
    scheme: Scheme,
    indicator: Indicator | None = None,
    version: int | None = None,
    **fields: Any,
) -> Indicator:
    """Add an indicator to the scheme, or change one (with the version the user saw)."""
    _require_county(actor, scheme.county)
    _require_open_scheme(scheme)
    if indicator is None:
        indicator = Indicator(scheme=scheme)
        before = None
    else:
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk, scheme=scheme)
        check_version(indicator.version, version)
        before = snapshot(indicator)
        indicator.version += 1
    for name in ("area", "name", "weight", "kind", "computed_key", "target", "rule", "evidence"):
        if name in fields:
            setattr(indicator, name, fields[name])
    if fields.get("position"):
        indicator.position = fields["position"]
    elif before is None:  # added without a position: after the others
        last = scheme.indicators.aggregate(last=Max("position"))["last"]
        indicator.position = (last or 0) + 1
    if "scorer" in fields:
        indicator.scorer = fields["scorer"]
    _indicator_check(indicator)
    validate(indicator)
    _check_scorer(indicator)
    indicator.save()
    if before is None:
        audit_create(actor=actor, obj=indicator, scope_path=scheme.county.path)
    else:
        audit_update(actor=actor, obj=indicator, before=before, scope_path=scheme.county.path)
    return indicator


@transaction.atomic
def scheme_publish(*, actor: User, scheme: Scheme, version: int | None = None) -> Scheme:
    """Publish the scheme to the townships: its weights must add up to 100 points."""
    _require_county(actor, scheme.county)
    locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
    check_version(locked.version, version)
    problem = rules.weights_problem(list(locked.indicators.values_list("weight", flat=True)))
    if problem:
        raise ServiceError(problem)
    before = snapshot(locked, ["published", "version"])
    locked.published = True
    locked.version += 1
    locked.save(update_fields=["published", "version", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=scheme.county.path)
    return locked


# --- rounds ---------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, actor: User, scheme: Scheme, title: str, cutoff: datetime.date) -> Round:
    _require_county(actor, scheme.county)
    if not scheme.published:
        raise ServiceError(gettext("考核方案发布后才能开始考核轮次。"))
    if cutoff is None or cutoff.year != scheme.year:
        raise ServiceError(gettext("数据截止日期应在方案年度内。"), field="cutoff")
    round_ = Round(scheme=scheme, title=title, cutoff=cutoff)
    validate(round_)
    round_.save()
    audit_create(actor=actor, obj=round_, scope_path=scheme.county.path)
    return round_


def _freeze(actor: User, round_: Round, on_township: Callable[[int], None] | None) -> int:
    """Compute every computed indicator for every township and store it (replacing a previous
    freeze before the results are published). `on_township` (a job's progress) is called with
    the number of townships done after each."""
    county = round_.scheme.county
    indicators = list(round_.scheme.indicators.filter(kind=Indicator.Kind.COMPUTED))
    registry = registered_indicators()
    now = timezone.now()
    rows = []
    year, cutoff = round_.scheme.year, round_.cutoff
    with one_reading():
        # What an indicator's selector answers for the whole county in one reading is read
        # once here; each township's compute below then finds its part.
        for prepare in {
            declared.prepare
            for indicator in indicators
            if (declared := registry.get(indicator.computed_key)) and declared.prepare
        }:
            prepare(actor, county, year, cutoff)
        for done, township in enumerate(townships_of(county), start=1):
            # Indicators of one computed key (e.g. with different targets) share its value.
            measures: dict[str, Measure] = {}
            for indicator in indicators:
                declared = registry.get(indicator.computed_key)
                if declared is None:
                    continue
                measure = measures.get(declared.key)
                if measure is None:
                    measure = measures[declared.key] = declared.compute(
                        actor, township, year, cutoff
                    )
                rows.append(
                    Snapshot(
                        round=round_,
                        indicator=indicator,
                        association=township,
                        value=measure.value,
                        numerator=measure.numerator,
                        denominator=measure.denominator,
                        computed_at=now,
                    )
                )
            if on_township is not None:
                on_township(done)
    Snapshot.objects.filter(round=round_).delete()
    Snapshot.objects.bulk_create(rows)
    round_.frozen_at = now
    return len(rows)


def _require_freezable(actor: User, round_: Round, version: int | None) -> None:
    _require_county(actor, round_.scheme.county)
    check_version(round_.version, version)
    if round_.results_visible:
        raise ServiceError(gettext("初评结果公布后，计算指标的冻结值不能再改变。"), code="phase")
    if timezone.localdate() < round_.cutoff:
        raise ServiceError(gettext("数据截止日期之后才能冻结计算指标。"), code="phase")


@transaction.atomic
def round_freeze(
    *,
    actor: User,
    round_: Round,
    version: int | None = None,
    on_township: Callable[[int], None] | None = None,
) -> Round:
    """Freeze the computed values at the cut-off (again, until the results are published), in
    one transaction holding the round: a cancelled or failed freeze leaves the previous one.
    Pages and the API start it as a background job (`round_freeze_start`)."""
    locked = _lock_round(round_)
    _require_freezable(actor, locked, version)
    before = snapshot(locked, ["frozen_at", "version"])
    count = _freeze(actor, locked, on_township)
    locked.version += 1
    locked.save(update_fields=["frozen_at", "version", "updated_at"])
    audit_update(
        actor=actor,
        obj=locked,
        before=before,
        scope_path=locked.scheme.county.path,
        reason=gettext("冻结计算指标%(count)d项") % {"count": count},
    )
    return locked


def round_freeze_start(*, actor: User, round_: Round, version: int | None = None) -> Job:
    """Check that the round can be frozen now and start the freeze as a background job
    (`fpa.assessment.jobs`, progress by township); the job checks again when it runs."""
    from fpa.assessment.jobs import FREEZE

    _require_freezable(actor, round_, version)
    return job_enqueue(
        kind=FREEZE,
        actor=actor,
        title=gettext("冻结计算指标：%(title)s") % {"title": round_.title},
        params={"round": round_.pk, "version": round_.version},
    )


def _missing_scores(round_: Round) -> int:
    scored = round_.scheme.indicators.filter(kind=Indicator.Kind.SCORED).count()
    expected = scored * len(townships_of(round_.scheme.county))
    done = Score.objects.filter(round=round_, score__isnull=False).count()
    return expected - done


@transaction.atomic
def round_advance(*, actor: User, round_: Round, version: int | None = None) -> Round:
    """Move the round to its next phase: self-assessment, county scoring, preliminary results,
    appeal window, final results. Publishing the preliminary results needs every score given
    and the computed values frozen; the final results need every appeal answered."""
    _require_county(actor, round_.scheme.county)
    locked = _lock_round(round_)
    check_version(locked.version, version)
    target = rules.next_phase(locked.phase)
    if target is None:
        raise ServiceError(gettext("最终结果已公布，考核轮次已结束。"), code="phase")
    if target == rules.PRELIMINARY:
        missing = _missing_scores(locked)
        if missing:
            raise ServiceError(
                gettext("还有%(count)d项指标未评分，不能公布初评结果。") % {"count": missing},
                code="phase",
            )
        if locked.frozen_at is None:
            raise ServiceError(gettext("请先冻结计算指标，再公布初评结果。"), code="phase")
    if target == rules.FINAL and locked.appeals.filter(status=Appeal.Status.PENDING).exists():
        raise ServiceError(gettext("还有申诉未答复，不能公布最终结果。"), code="phase")
    before = snapshot(locked, ["phase", "version"])
    locked.phase = target
    locked.version += 1
    locked.save(update_fields=["phase", "version", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.scheme.county.path)
    return locked


@transaction.atomic
def round_publish(*, actor: User, round_: Round, public: bool, version: int | None = None) -> Round:
    """Show (or stop showing) the final results on the public page: township names and scores."""
    _require_county(actor, round_.scheme.county)
    locked = _lock_round(round_)
    check_version(locked.version, version)
    if public and locked.phase != Phase.FINAL:
        raise ServiceError(gettext("最终结果公布后才能对外公开。"), code="phase")
    before = snapshot(locked, ["public", "version"])
    locked.public = public
    locked.version += 1
    locked.save(update_fields=["public", "version", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.scheme.county.path)
    return locked


# --- self-assessment and scoring ------------------------------------------------------------------


def _scored_indicator(round_: Round, indicator: Indicator) -> Indicator:
    if indicator.scheme_id != round_.scheme_id or indicator.kind != Indicator.Kind.SCORED:
        raise ServiceError(gettext("该指标由平台数据自动计算，无需评分。"), field="indicator")
    return indicator


def _score_row(round_: Round, indicator: Indicator, township: Association) -> Score:
    row, _created = Score.objects.select_for_update().get_or_create(
        round=round_, indicator=indicator, association=township
    )
    return row


def _check_score(value: Any, weight: Decimal, field: str) -> Decimal:
    number = _decimal(value, field=field)
    problem = rules.score_problem(number, weight)
    if problem:
        raise ServiceError(problem, field=field)
    assert number is not None
    return number


@transaction.atomic
def self_assess(
    *,
    actor: User,
    round_: Round,
    indicator: Indicator,
    township: Association,
    score: Any,
    note: str,
    version: int | None = None,
) -> Score:
    """The township's own score of an indicator, with its explanation and evidence."""
    _require_township(actor, round_, township)
    locked = _lock_round(round_)
    _require_phase(locked, Phase.SELF, gettext("现在不是乡镇自评阶段。"))
    _scored_indicator(locked, indicator)
    number = _check_score(score, indicator.weight, "self_score")
    text = _text(note, field="self_note", limit=1000, required=gettext("请填写自评说明及佐证。"))
    row = _score_row(locked, indicator, township)
    check_version(row.version, version)
    before = snapshot(row, ["self_score", "self_note", "version"])
    row.self_score, row.self_note, row.self_by = number, text, actor
    row.version += 1
    row.save(update_fields=["self_score", "self_note", "self_by", "version", "updated_at"])
    audit_update(actor=actor, obj=row, before=before, scope_path=township.path)
    return row


def may_score(user: User, indicator: Indicator, township: Association) -> bool:
    if not user.has_capability("assessment.score"):
        return False
    if indicator.scorer_id is not None and indicator.scorer_id != user.pk:
        return False
    if indicator.scorer_id is None and not user.has_capability("assessment.manage"):
        return False
    home = user.home_association
    return home is not None and not path_is_under(home.path, township.path)


@transaction.atomic
def score_give(
    *,
    actor: User,
    round_: Round,
    indicator: Indicator,
    township: Association,
    score: Any,
    note: str,
    version: int | None = None,
) -> Score:
    """The county's score of an indicator for a township, by its assigned scorer (or, when none
    is assigned, by a manager), never by someone of that township."""
    require(actor, "assessment.score")
    require_in_scope(actor, township)
    home = actor.home_association
    if home is not None and path_is_under(home.path, township.path):
        raise NotAllowed(gettext("评分人不能为本乡镇评分。"))
    if not may_score(actor, indicator, township):
        raise NotAllowed(gettext("您不是该指标的评分人。"))
    locked = _lock_round(round_)
    _require_phase(locked, Phase.SCORING, gettext("乡镇自评结束后、初评结果公布前才能评分。"))
    _scored_indicator(locked, indicator)
    if township.parent_id != locked.scheme.county_id:
        raise NotAllowed(gettext("该乡镇不在本轮考核范围内。"))
    number = _check_score(score, indicator.weight, "score")
    text = _text(note, field="score_note", limit=1000)
    row = _score_row(locked, indicator, township)
    check_version(row.version, version)
    before = snapshot(row, ["score", "score_note", "version"])
    row.score, row.score_note, row.scored_by = number, text, actor
    row.version += 1
    row.save(update_fields=["score", "score_note", "scored_by", "version", "updated_at"])
    audit_update(actor=actor, obj=row, before=before, scope_path=township.path)
    return row


# --- appeals --------------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(
    *, actor: User, round_: Round, indicator: Indicator, township: Association, reason: str
) -> Appeal:
    """A township appeals its preliminary score of an indicator, within the appeal window."""
    _require_township(actor, round_, township)
    locked = _lock_round(round_)
    _require_phase(locked, Phase.APPEAL, gettext("现在不在申诉期内。"))
    _scored_indicator(locked, indicator)
    text = _text(reason, field="reason", limit=1000, required=gettext("请填写申诉理由及佐证。"))
    if Appeal.objects.filter(round=locked, indicator=indicator, association=township).exists():
        raise ServiceError(gettext("该指标已提出过申诉。"), field="reason")
    row = Score.objects.filter(round=locked, indicator=indicator, association=township).first()
    appeal = Appeal(
        round=locked,
        indicator=indicator,
        association=township,
        reason=text,
        appealed_by=actor,
        score_before=row.score if row else None,
    )
    appeal.save()
    audit_create(actor=actor, obj=appeal, scope_path=township.path)
    return appeal


@transaction.atomic
def appeal_answer(
    *,
    actor: User,
    appeal: Appeal,
    answer: str,
    new_score: Any = None,
    version: int | None = None,
) -> Appeal:
    """The county's answer: with `new_score` the score changes (the reason kept in the answer
    and the score's note), without it the score stands."""
    require(actor, "assessment.manage")
    require_in_scope(actor, appeal.association)
    locked = Appeal.objects.select_for_update().select_related("indicator").get(pk=appeal.pk)
    check_version(locked.version, version)
    round_ = _lock_round(locked.round)
    _require_phase(round_, Phase.APPEAL, gettext("申诉期结束后不能再答复申诉。"))
    if locked.status != Appeal.Status.PENDING:
        raise ServiceError(gettext("该申诉已答复。"))
    text = _text(answer, field="answer", limit=1000, required=gettext("请填写答复意见。"))
    number = None
    if new_score not in (None, ""):
        number = _check_score(new_score, locked.indicator.weight, "new_score")
    before = snapshot(locked, ["status", "answer", "score_after", "version"])
    if number is not None and number != locked.score_before:
        row = _score_row(round_, locked.indicator, locked.association)
        score_before = snapshot(row, ["score", "score_note", "version"])
        row.score = number
        row.score_note = (row.score_note + "\n" if row.score_note else "") + gettext(
            "申诉调整：%(answer)s"
        ) % {"answer": text}
        row.score_note = row.score_note[-1000:]
        row.version += 1
        row.save(update_fields=["score", "score_note", "version", "updated_at"])
        audit_update(
            actor=actor,
            obj=row,
            before=score_before,
            scope_path=locked.association.path,
            reason=text,
        )
        locked.status, locked.score_after = Appeal.Status.CHANGED, number
    else:
        locked.status, locked.score_after = Appeal.Status.KEPT, locked.score_before
    locked.answer, locked.answered_by = text, actor
    locked.version += 1
    locked.save()
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


def export_audit(*, actor: User, round_: Round, rows: int) -> None:
    audit_record(
        actor=actor,
        action="export",
        obj=round_,
        scope_path=round_.scheme.county.path,
        reason=gettext("导出考核得分%(rows)d行") % {"rows": rows},
    )
