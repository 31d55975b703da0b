"""The figures of the special-family monthly report that the reports up the chain derive
(`fpa.reports.fields`): each is a number of `monthly_report_for`, computed once per report
(`shared`) over the association's subtree for the period (a month, or a quarter or year read the
same way: counts in the period, the register at its end)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext_noop

from fpa.core.links import link
from fpa.core.todo import share_ahead, shared
from fpa.families import reports as family_reports
from fpa.families.selectors.coverage import (
    care_served,
    care_served_family_ids,
    monthly_report_for,
    monthly_report_records,
)
from fpa.organizations.models import Association
from fpa.reports.fields import Derive, Figure, Period, ReportField
from fpa.reports.kinds import VISITS  # the 暖心行动 visit labels, declared once

HOUSEHOLDS = gettext_noop("户")
RECORDS = {"care_records": "families.carerecord", "new_bereaved": "families.family"}


def _key(user: Any, area: Association, period: Period) -> str:
    return f"families.monthly:{user.pk}:{area.pk}:{period.key}"


def _report(user: Any, area: Association, period: Period) -> family_reports.ReportRow:
    month = family_reports.Month(period.first, period.last)

    def compute() -> family_reports.ReportRow:
        report = monthly_report_for(user=user, area=area, month=month)
        assert report.total is not None
        return report.total

    return shared(_key(user, area, period), compute)


def share_children(user: Any, parent: Association, period: Period) -> None:
    """Inside a `one_reading()` block: read `parent`'s report once, and let each child's figures
    come from its row (the families under the child, as the child's own report totals them), so
    the fields of every township of a county cost one report instead of one each. Outside a
    block, or for a child without a row, the child's own report is read as before."""
    month = family_reports.Month(period.first, period.last)

    def rows() -> dict[str, Any]:
        report = monthly_report_for(user=user, area=parent, month=month)
        return {
            _key(user, row.association, period): row
            for row in report.rows
            if row.association is not None and not row.own
        }

    shared(
        f"families.monthly.children:{user.pk}:{parent.pk}:{period.key}",
        lambda: share_ahead(rows),
    )


def _measure(*names: str, records: str = "") -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        total = _report(user, area, period)
        month = family_reports.Month(period.first, period.last)
        query = urlencode({"code": area.code, "month": f"{period.last:%Y-%m}"})
        ids = None
        if records:

            def ids() -> list[int]:
                return monthly_report_records(user=user, area=area, month=month, measure=records)

        return Figure(
            value=sum(getattr(total, name) for name in names),
            url=f"{link('families:monthly_report')}?{query}",
            records=ids,
            model=RECORDS.get(records, "families.family" if records else ""),
        )

    return derive


FIELDS = [
    ReportField(
        "families.special.total",
        gettext_noop("月末在册特殊家庭"),
        HOUSEHOLDS,
        _measure("bereaved", "disabled", "complication"),
    ),
    ReportField(
        "families.special.bereaved",
        gettext_noop("其中：失独家庭"),
        HOUSEHOLDS,
        _measure("bereaved"),
    ),
    ReportField(
        "families.special.disabled",
        gettext_noop("其中：伤残家庭"),
        HOUSEHOLDS,
        _measure("disabled"),
    ),
    ReportField(
        "families.special.complication",
        gettext_noop("其中：并发症家庭"),
        HOUSEHOLDS,
        _measure("complication"),
    ),
    ReportField(
        "families.new.bereaved",
        gettext_noop("新增失独人员（户）"),
        HOUSEHOLDS,
        _measure("new_bereaved", records="new_bereaved"),
    ),
    ReportField(
        "families.new.disabled",
        gettext_noop("新增伤残家庭"),
        HOUSEHOLDS,
        _measure("new_disabled", records="new_disabled"),
    ),
    ReportField(
        "families.new.counselling",
        gettext_noop("新增心理干预人员（户）"),
        HOUSEHOLDS,
        _measure("new_counselling"),
    ),
    ReportField(
        "families.moved_out",
        gettext_noop("需信息迁移人员（迁出户数）"),
        HOUSEHOLDS,
        _measure("moved_out"),
    ),
    ReportField(
        "families.changed",
        gettext_noop("需信息变更人员（注销、亡故、恢复）"),
        HOUSEHOLDS,
        _measure("cancelled", "deceased", "reactivated"),
    ),
    ReportField(
        "families.care_records",
        gettext_noop("帮扶记录"),
        gettext_noop("次"),
        _measure("care_records", records="care_records"),
    ),
    ReportField(
        "families.open_needs",
        gettext_noop("月末未办结诉求"),
        gettext_noop("件"),
        _measure("open_needs"),
    ),
]


# --- 暖心行动 (year to date): visits by kind and psychological help, from the care log --------
# (care kind code, the report's key part); households with such a record and their living people.
WARMTH_KEYS = (
    ("routine_visit", "warmth.visits.routine"),
    ("festival_visit", "warmth.visits.festival"),
    ("birthday", "warmth.visits.birthday"),
    ("hospital_visit", "warmth.visits.hospital"),
    ("emergency", "warmth.visits.emergency"),
    ("counselling", "warmth.mental"),
)


def _served(code: str, what: str) -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        first, last = datetime.date(period.last.year, 1, 1), period.last
        served = shared(
            f"families.served:{user.pk}:{area.pk}:{first}:{last}",
            lambda: care_served(user=user, area=area, first=first, last=last),
        )[code]
        query = {
            "code": area.code,
            "care": code,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "status": "all",
        }

        def ids() -> list[int]:
            return care_served_family_ids(user=user, area=area, code=code, first=first, last=last)

        return Figure(
            value=served.households if what == "households" else served.people,
            url=f"{link('families:list')}?{urlencode(query)}",
            records=ids,
            model="families.family",
        )

    return derive


# The labels are the report kind's own (declared once in fpa.reports.kinds).
_LABELS = {
    **{f"warmth.visits.{code}": (households, people) for code, households, people in VISITS},
    "warmth.mental": (gettext_noop("心理健康服务户数"), gettext_noop("心理健康服务人数")),
}
FIELDS += [
    ReportField(
        f"{key}.{what}",
        label,
        HOUSEHOLDS if what == "households" else gettext_noop("人"),
        _served(code, what),
        cumulative=True,
    )
    for code, key in WARMTH_KEYS
    for what, label in zip(("households", "people"), _LABELS[key], strict=True)
]
