"""The consistency checks of a report's figures, as pure rules (no database).

- a total equals the sum of its parts (the kind's `SumCheck`s);
- a cumulative figure (year to date) cannot fall below the previous period's of the same year;
- each figure is at least the sum of the accepted figures of the associations directly below
  (the roll-up: their accepted reports plus the association's own work).

A problem is blocking for figures typed by hand; for derived figures (read from the records,
which the person filing cannot change here) the cumulative and roll-up rules only warn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from fpa.reports.kinds import Kind


@dataclass(frozen=True)
class Problem:
    key: str
    message: str
    blocking: bool = True


def number(value: Decimal | int | None) -> str:
    """A figure as people write it: no ".00" on whole numbers."""
    if value is None:
        return ""
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"


def check(
    kind: Kind,
    values: Mapping[str, Decimal | None],
    *,
    derived: frozenset[str] | set[str],
    previous: Mapping[str, Decimal] | None = None,
    same_year: bool = False,
    below: Mapping[str, Decimal] | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    for key in kind.keys:
        if values.get(key) is None:
            problems.append(
                Problem(key, gettext("「%(label)s」未填写。") % {"label": _label(kind, key)})
            )
    for rule in kind.sums:
        total = values.get(rule.total)
        parts = [values.get(p) for p in rule.parts]
        if total is None or any(p is None for p in parts):
            continue
        added = sum((p for p in parts if p is not None), Decimal(0))
        if Decimal(total) != added:
            problems.append(
                Problem(
                    rule.total,
                    gettext("「%(label)s」应等于%(parts)s之和（%(sum)s），现为%(value)s。")
                    % {
                        "label": _label(kind, rule.total),
                        "parts": "、".join(f"「{_label(kind, p)}」" for p in rule.parts),
                        "sum": number(added),
                        "value": number(total),
                    },
                    blocking=not ({rule.total, *rule.parts} <= set(derived)),
                )
            )
    if previous and same_year:
        for key in kind.keys:
            value, before = values.get(key), previous.get(key)
            cumulative = kind.field(key).cumulative
            if cumulative and value is not None and before is not None and value < before:
                problems.append(
                    Problem(
                        key,
                        gettext(
                            "「%(label)s」是本年累计数，不能少于上期的%(before)s（现为%(value)s）。"
                        )
                        % {
                            "label": _label(kind, key),
                            "before": number(before),
                            "value": number(value),
                        },
                        blocking=key not in derived,
                    )
                )
    for key, added in (below or {}).items():
        value = values.get(key)
        if key in kind.keys and value is not None and Decimal(value) < added:
            problems.append(
                Problem(
                    key,
                    gettext("「%(label)s」为%(value)s，少于下级已审核上报数之和%(sum)s。")
                    % {"label": _label(kind, key), "value": number(value), "sum": number(added)},
                    blocking=key not in derived,
                )
            )
    return problems


def _label(kind: Kind, key: str) -> str:
    return gettext(kind.field(key).label)
