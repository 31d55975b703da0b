"""Pure rules of the key-work assessment (重点工作考评): points of a computed value, the round's
phase order, totals and the ranking. No ORM: tested without a database."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

TWO = Decimal("0.01")
WEIGHT_MAX = Decimal("100")

# The round's phases, in order; a round only moves forward, one phase at a time.
OPEN, SELF, SCORING, PRELIMINARY, APPEAL, FINAL = (
    "open",
    "self",
    "scoring",
    "preliminary",
    "appeal",
    "final",
)
PHASES = (OPEN, SELF, SCORING, PRELIMINARY, APPEAL, FINAL)
# From the preliminary results on, the computed values are frozen and the results visible.
RESULTS_VISIBLE = (PRELIMINARY, APPEAL, FINAL)


def quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def next_phase(phase: str) -> str | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def ratio(numerator: Decimal, denominator: Decimal, *, per: Decimal = Decimal(1)) -> Decimal:
    """numerator / denominator * per (0 when there is nothing to divide by)."""
    if not denominator:
        return Decimal(0)
    return quantize(Decimal(numerator) * per / Decimal(denominator))


def points_for(value: Decimal | None, *, target: Decimal, weight: Decimal) -> Decimal:
    """Full points at or above the target, linear below it, never below 0 or above the weight."""
    if value is None or weight <= 0:
        return Decimal(0)
    if target <= 0 or value >= target:
        return quantize(weight)
    return quantize(max(Decimal(0), weight * Decimal(value) / target))


def score_problem(score: Decimal | None, weight: Decimal) -> str | None:
    """Why a score given by a person is not acceptable for an indicator of `weight`, or None."""
    if score is None:
        return gettext("请填写得分。")
    if score < 0 or score > weight:
        return gettext("得分应在0至%(max)s分之间。") % {"max": weight}
    if score != quantize(score):
        return gettext("得分最多保留两位小数。")
    return None


def weights_problem(weights: Sequence[Decimal]) -> str | None:
    """A scheme is published only when its indicators' weights add up to 100 points."""
    total = sum(weights, Decimal(0))
    if total != WEIGHT_MAX:
        return gettext("各指标分值合计应为100分，现为%(total)s分。") % {"total": total}
    return None


def ranking(totals: Sequence[tuple[str, Decimal]]) -> list[tuple[int, str, Decimal]]:
    """Competition ranking ("1224"): equal totals share a rank, the next rank skips; equal totals
    are listed by name so the order is stable."""
    ordered = sorted(totals, key=lambda item: (-item[1], item[0]))
    out: list[tuple[int, str, Decimal]] = []
    for position, (name, total) in enumerate(ordered, start=1):
        rank = out[-1][0] if out and out[-1][2] == total else position
        out.append((rank, name, total))
    return out
