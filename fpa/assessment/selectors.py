"""Reads of the key-work assessment, always through the user's scope.

Schemes and rounds belong to a county: a user sees those of the counties above them (a township
reads its county's scheme) and of their own subtree. A township's scores, self-assessments and
appeals are read only inside the user's subtree (`Score.objects.visible_to`), so a township sees
its own; the ranking of all townships is shown to a township only once the results are
published.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from fpa.assessment import rules
from fpa.assessment.models import Appeal, Indicator, Round, Scheme, Score, Snapshot
from fpa.assessment.registry import Measure, registered_indicators
from fpa.assessment.services import may_score, townships_of
from fpa.core.scope import covering_paths, in_scope, scope_path_of
from fpa.core.todo import one_reading
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User


def _county_filter(user: User, prefix: str) -> Q:
    path = scope_path_of(user)
    if path is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}__path__in": covering_paths(path)}) | Q(
        **{f"{prefix}__path__startswith": path}
    )


def schemes_for(*, user: User) -> QuerySet[Scheme]:
    """The schemes of the counties above the user and of the user's subtree; a township sees a
    scheme only once it is published."""
    rows = Scheme.objects.filter(_county_filter(user, "county")).select_related("county")
    if not user.has_capability("assessment.manage"):
        rows = rows.filter(published=True)
    return rows.order_by("-year", "county__code")


def scheme_get(*, user: User, pk: int) -> Scheme | None:
    return schemes_for(user=user).filter(pk=pk).first()


def rounds_for(*, user: User) -> QuerySet[Round]:
    return (
        Round.objects.filter(_county_filter(user, "scheme__county"))
        .filter(scheme__in=schemes_for(user=user))
        .select_related("scheme__county")
        .order_by("-scheme__year", "-id")
    )


def round_get(*, user: User, pk: int) -> Round | None:
    return rounds_for(user=user).filter(pk=pk).first()


def may_manage(user: User, round_or_scheme: Round | Scheme) -> bool:
    scheme = round_or_scheme.scheme if isinstance(round_or_scheme, Round) else round_or_scheme
    return user.has_capability("assessment.manage") and in_scope(user, scheme.county)


def townships_visible(*, user: User, round_: Round) -> list[Association]:
    """The round's townships the user may open: all for the county, its own for a township."""
    return [t for t in townships_of(round_.scheme.county) if in_scope(user, t)]


# --- results --------------------------------------------------------------------------------------


@dataclass
class Line:
    indicator: Indicator
    snapshot: Snapshot | None = None
    score: Score | None = None
    appeal: Appeal | None = None
    live: Measure | None = None

    @property
    def points(self) -> Decimal | None:
        """The indicator's points: from the frozen value for a computed one, the county's score
        (as changed by an appeal) for a scored one."""
        if self.indicator.computed:
            if self.snapshot is None:
                return None
            return rules.points_for(
                self.snapshot.value, target=self.indicator.target, weight=self.indicator.weight
            )
        return self.score.score if self.score is not None else None

    @property
    def live_points(self) -> Decimal | None:
        if self.live is None:
            return None
        return rules.points_for(
            self.live.value, target=self.indicator.target, weight=self.indicator.weight
        )


@dataclass
class Result:
    township: Association
    lines: list[Line] = field(default_factory=list)
    rank: int | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.points or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def self_total(self) -> Decimal:
        return sum(
            (line.score.self_score or Decimal(0) for line in self.lines if line.score),
            Decimal(0),
        )


def results(*, round_: Round, townships: list[Association]) -> list[Result]:
    """Every township's lines and total, ranked; a fixed number of queries whatever the rows."""
    return results_of_rounds(rounds=[round_], townships=townships)[round_.pk]


def results_of_rounds(
    *, rounds: list[Round], townships: list[Association]
) -> dict[int, list[Result]]:
    """`results` of several rounds (of one county) by round id: four queries whatever the
    rounds and the rows."""
    ids = [t.pk for t in townships]
    round_ids = [r.pk for r in rounds]
    indicators: dict[int, list[Indicator]] = {}
    for indicator in (
        Indicator.objects.filter(scheme__rounds__in=round_ids)
        .select_related("scorer")
        .order_by("position", "id")
        .distinct()
    ):
        indicators.setdefault(indicator.scheme_id, []).append(indicator)

    def by_key(model: Any) -> dict[tuple[int, int, int], Any]:
        found = model.objects.filter(round_id__in=round_ids, association_id__in=ids)
        return {(x.round_id, x.association_id, x.indicator_id): x for x in found}

    snaps, scores, appeals = by_key(Snapshot), by_key(Score), by_key(Appeal)
    out: dict[int, list[Result]] = {}
    for round_ in rounds:
        rows = []
        for township in townships:
            key = (round_.pk, township.pk)
            lines = [
                Line(
                    indicator,
                    snaps.get((*key, indicator.pk)),
                    scores.get((*key, indicator.pk)),
                    appeals.get((*key, indicator.pk)),
                )
                for indicator in indicators.get(round_.scheme_id, [])
            ]
            rows.append(Result(township, lines))
        ranked = rules.ranking([(r.township.code, r.total) for r in rows])
        rank_of = {code: rank for rank, code, _total in ranked}
        for result in rows:
            result.rank = rank_of[result.township.code]
        out[round_.pk] = sorted(rows, key=lambda r: (r.rank or 0, r.township.code))
    return out


def results_over_years(*, user: User, county: Association) -> list[tuple[Round, list[Result]]]:
    """The county's results year by year, oldest first: per scheme year, its latest round whose
    results are published (preliminary or final), ranked, for the evaluation of the reform
    (fpa.dashboard.evaluation). Only rounds the user sees; a fixed number of queries."""
    latest: dict[int, Round] = {}
    visible = rounds_for(user=user).filter(scheme__county=county, phase__in=rules.RESULTS_VISIBLE)
    for round_ in visible.order_by("id"):
        latest[round_.scheme.year] = round_
    rounds = [latest[year] for year in sorted(latest)]
    found = results_of_rounds(rounds=rounds, townships=townships_of(county))
    return [(round_, found[round_.pk]) for round_ in rounds]


def ranking_visible(user: User, round_: Round) -> bool:
    """The county sees the ranking always; the others once the results are published."""
    return may_manage(user, round_) or round_.results_visible


def sheet(*, user: User, round_: Round, township: Association, live: bool) -> Result:
    """One township's score sheet; with `live`, each computed indicator's value today too."""
    found = results(round_=round_, townships=[township])[0]
    if round_.results_visible or may_manage(user, round_):
        everyone = results(round_=round_, townships=townships_of(round_.scheme.county))
        found.rank = next(r.rank for r in everyone if r.township.pk == township.pk)
    else:
        found.rank = None
    if live:
        registry = registered_indicators()
        with one_reading():
            for line in found.lines:
                declared = registry.get(line.indicator.computed_key)
                if line.indicator.computed and declared is not None:
                    line.live = declared.compute(
                        user, township, round_.scheme.year, min(round_.cutoff, timezone.localdate())
                    )
    return found


def may_score_line(user: User, line: Line, township: Association) -> bool:
    return not line.indicator.computed and may_score(user, line.indicator, township)


# --- to-dos ---------------------------------------------------------------------------------------


def self_due(*, user: User) -> int:
    """Scored indicators the user's township has not assessed yet, in rounds at self-assessment."""
    home = user.home_association
    if home is None or home.kind != Association.Kind.TOWNSHIP:
        return 0
    scored = (
        Indicator.objects.filter(scheme=OuterRef("scheme"), kind=Indicator.Kind.SCORED)
        .order_by()
        .values("scheme")
        .annotate(n=Count("pk"))
        .values("n")
    )
    done = (
        Score.objects.filter(round=OuterRef("pk"), association=home, self_score__isnull=False)
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Round.objects.filter(scheme__county_id=home.parent_id, phase=Round.Phase.SELF)
        .annotate(scored=Coalesce(Subquery(scored), 0), done=Coalesce(Subquery(done), 0))
        .values_list("scored", "done")
    )
    return sum(scored_n - done_n for scored_n, done_n in rows)  # one query


def scoring_due(*, user: User) -> int:
    """Scores the user, as assigned scorer, still owes in rounds at county scoring."""
    rounds = rounds_for(user=user).filter(phase=Round.Phase.SCORING)
    due = 0
    for round_ in rounds:
        mine = round_.scheme.indicators.filter(kind=Indicator.Kind.SCORED, scorer=user).count()
        townships = [
            t
            for t in townships_of(round_.scheme.county)
            if in_scope(user, t)
            and not (user.home_association and user.home_association.path.startswith(t.path))
        ]
        done = Score.objects.filter(
            round=round_, indicator__scorer=user, score__isnull=False
        ).count()
        due += mine * len(townships) - done
    return max(due, 0)


def appeal_get(*, user: User, pk: int) -> Appeal | None:
    """An appeal of a round the user manages (the county that set the scheme)."""
    found = Appeal.objects.visible_to(user).select_related("round__scheme__county").filter(pk=pk)
    appeal = found.first()
    return appeal if appeal is not None and may_manage(user, appeal.round) else None


def _scorers(scheme: Scheme) -> QuerySet[User]:
    from fpa.accounts.models import User
    from fpa.accounts.roles import roles_granting

    return (
        User.objects.filter(
            home_association=scheme.county,
            is_active=True,
            roles__role__in=roles_granting("assessment.score"),
        )
        .distinct()
        .order_by("username")
    )


def scorer_choices(scheme: Scheme) -> list[tuple[int, str]]:
    """The county's active accounts that may score, for an indicator's scorer."""
    return [(u.pk, u.full_name or u.username) for u in _scorers(scheme)]


def scorer_get(scheme: Scheme, pk: int) -> User | None:
    """One of `scorer_choices`; None for any other id."""
    return _scorers(scheme).filter(pk=pk).first()


def round_appeals(*, user: User, round_: Round) -> list[Appeal]:
    """The round's appeals the user may see: all for the county, its own for a township."""
    return list(
        Appeal.objects.visible_to(user)
        .filter(round=round_)
        .select_related("association", "indicator")
        .order_by("status", "id")
    )


def appeals_waiting(*, user: User) -> QuerySet[Appeal]:
    if not user.has_capability("assessment.manage"):
        return Appeal.objects.none()
    return Appeal.objects.visible_to(user).filter(
        status=Appeal.Status.PENDING, round__phase=Round.Phase.APPEAL
    )


# --- public ---------------------------------------------------------------------------------------


def public_county(code: str) -> Association | None:
    """The county association of a public results page (any county: the page lists only what
    it chose to publish)."""
    return Association.objects.current().filter(code=code, kind=Association.Kind.COUNTY).first()


def public_rounds(county: Association, year: int) -> QuerySet[Round]:
    """The county's final rounds of `year` it chose to publish: township names and scores only."""
    return Round.objects.filter(
        scheme__county=county, scheme__year=year, phase=Round.Phase.FINAL, public=True
    ).select_related("scheme__county")


def cutoff_passed(round_: Round) -> bool:
    return timezone.localdate() >= round_.cutoff


def default_cutoff(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


# --- a scheme's parts, for the API ----------------------------------------------------------------


def indicators_of(scheme: Scheme) -> list[Indicator]:
    """The scheme's indicators in their order, with their scorers (the scheme already read
    through `scheme_get` or `round_get`)."""
    return list(scheme.indicators.select_related("scorer").order_by("position", "id"))


def indicator_get(scheme: Scheme, pk: int) -> Indicator | None:
    """One indicator of the scheme; None for any other id."""
    return scheme.indicators.filter(pk=pk).first()


def scheme_rounds(scheme: Scheme) -> list[Round]:
    """The scheme's rounds, newest first."""
    return list(scheme.rounds.order_by("-id"))
