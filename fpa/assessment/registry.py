"""The computed indicators' registry: each module declares the indicators it can compute once.

An app names a list of `ComputedIndicator` on its AppConfig
(`assessment_indicators = "fpa.x.indicators.INDICATORS"`), found here as `fpa.reports.fields`
finds `report_fields`. An indicator computes a `Measure` for a township association, a year and
a cut-off date, reading the owning modules' own selectors or report fields (never a count of its
own), as the `user` (the county staff who freezes the round) sees them. An indicator whose
selector already answers for every township of a county in one reading declares `prepare`, so a
county's freeze reads it once instead of once per township.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.utils.module_loading import import_string

from fpa.assessment.rules import ratio

if TYPE_CHECKING:
    from fpa.organizations.models import Association


@dataclass(frozen=True)
class Measure:
    value: Decimal
    numerator: Decimal
    denominator: Decimal

    @classmethod
    def of(cls, numerator: Any, denominator: Any, *, per: Decimal = Decimal(1)) -> Measure:
        """numerator / denominator * per, both kept (0 when there is nothing to divide by)."""
        top, bottom = Decimal(numerator), Decimal(denominator)
        return cls(ratio(top, bottom, per=per), top, bottom)

    @classmethod
    def percent(cls, numerator: Any, denominator: Any) -> Measure:
        return cls.of(numerator, denominator, per=Decimal(100))


Compute = Callable[[Any, "Association", int, datetime.date], Measure]
Prepare = Callable[[Any, "Association", int, datetime.date], None]


@dataclass(frozen=True)
class ComputedIndicator:
    key: str
    name: str  # gettext_noop
    formula: str  # gettext_noop: shown on the scheme and the score sheet
    unit: str  # gettext_noop: "%", "次/村"
    compute: Compute
    default_target: Decimal = Decimal(100)
    # Optional: read, once for a whole county, what `compute` then finds for each township
    # through `fpa.core.todo.shared` (the freeze calls it inside its `one_reading()` before the
    # townships). `compute` alone must give the same value: preparing only saves queries.
    prepare: Prepare | None = None


T = TypeVar("T")


def per_township(
    name: str,
    one: Callable[[Any, Association, int, datetime.date], T],
    children: Callable[[Any, Association, int, datetime.date], dict[int, T]],
) -> tuple[Callable[[Any, Association, int, datetime.date], T], Prepare]:
    """A figure an indicator reads for one township (`one`) that its selector can also give for
    every township of a county in one query (`children`, by township id): the reader to call in
    `compute`, and the indicator's `prepare` (inside the freeze's reading the reader then finds
    each township's figure; anywhere else it calls `one`)."""
    from fpa.core.todo import share_ahead, shared

    def key(user: Any, area_id: int, year: int, cutoff: datetime.date) -> str:
        return f"{name}:{user.pk}:{area_id}:{year}:{cutoff}"

    def read(user: Any, area: Association, year: int, cutoff: datetime.date) -> T:
        return shared(key(user, area.pk, year, cutoff), lambda: one(user, area, year, cutoff))

    def prepare(user: Any, county: Association, year: int, cutoff: datetime.date) -> None:
        def by_township() -> dict[str, Any]:
            found = children(user, county, year, cutoff)
            return {key(user, pk, year, cutoff): figure for pk, figure in found.items()}

        shared(
            f"{name}:county:{user.pk}:{county.pk}:{year}:{cutoff}", lambda: share_ahead(by_township)
        )

    return read, prepare


@functools.cache
def registered_indicators() -> dict[str, ComputedIndicator]:
    """Every installed app's computed indicators by key."""
    found: dict[str, ComputedIndicator] = {}
    for config in apps.get_app_configs():
        path = getattr(config, "assessment_indicators", None)
        if not path:
            continue
        for item in import_string(path):
            if item.key in found:
                raise ValueError(f"assessment indicator declared twice: {item.key}")
            found[item.key] = item
    return found


def indicator_choices() -> list[tuple[str, str]]:
    from django.utils.translation import gettext

    return [(key, gettext(item.name)) for key, item in sorted(registered_indicators().items())]
