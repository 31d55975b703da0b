"""The year-end evaluation of the reform (评估, plan measure 21) of an association's subtree: the
task book by measure and status, the supervision steps taken, the assessment results over the
years and the figures that show the reform's outcomes.

Each number is read from the selector behind the page it clicks through to: the task list
(`fpa.tasks.selectors`, with the same filters as `?status=&measure=&ladder=`), the assessment's
rounds (`fpa.assessment.selectors.results_over_years`), the overview's figures (`overview`) and
the grant list's report figures (`fpa.fund.selectors.grant_figures`). Nothing is counted here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any
from urllib.parse import urlencode

from django.utils.translation import gettext, gettext_lazy

from fpa.accounts.models import User
from fpa.assessment import selectors as assessment_selectors
from fpa.assessment.models import Round
from fpa.assessment.selectors import Result
from fpa.core import excel
from fpa.core.links import link, link_to
from fpa.core.typing_aids import Text
from fpa.dashboard import overview
from fpa.fund import selectors as fund_selectors
from fpa.organizations.models import Association
from fpa.tasks import rules as task_rules
from fpa.tasks import selectors as task_selectors

# The overview's sections that show the reform's outcomes (coverage, members and volunteers,
# the fund, activities); the groups and the reports are steering, not outcomes.
OUTCOME_SECTIONS = ("families", "people", "fund", "activities")
# The supervision figures, in the ladder's order: (key of ladder_counts, label).
LADDER_FIGURES: tuple[tuple[str, Text], ...] = (
    ("reminder", gettext_lazy("发过提醒的任务")),
    ("steps_reminder", gettext_lazy("提醒（次）")),
    ("notice", gettext_lazy("下发过督办单的任务")),
    ("steps_notice", gettext_lazy("督办单（份）")),
    ("notice_open", gettext_lazy("督办单未答复的任务")),
    ("interview", gettext_lazy("约谈过的任务")),
    ("steps_interview", gettext_lazy("约谈（次）")),
    ("extension", gettext_lazy("申请过延期的任务")),
    ("extensions_approved", gettext_lazy("同意延期（次）")),
    ("extensions_refused", gettext_lazy("未同意延期（次）")),
    ("extensions_pending", gettext_lazy("待审批的延期申请")),
)


@dataclass
class Cell:
    value: int | Decimal | float | None
    url: str = ""


@dataclass
class MeasureLine:
    label: str
    cells: list[Cell]  # one per status of task_rules.STATUS_LABELS, in order
    total: Cell


@dataclass
class LadderLine:
    key: str
    label: str
    value: int
    url: str = ""  # the tasks behind a count of tasks; steps are counted, not listed


@dataclass
class YearResults:
    year: int
    round: Round
    url: str
    results: list[Result]


@dataclass
class Evaluation:
    area: Association
    year: int
    statuses: list[tuple[str, str]]  # (code, label) of the task statuses, in order
    measures: list[MeasureLine] = field(default_factory=list)
    totals: list[Cell] = field(default_factory=list)
    ladder: list[LadderLine] = field(default_factory=list)
    years: list[YearResults] = field(default_factory=list)
    townships: list[Association] = field(default_factory=list)  # the result table's rows
    outcomes: list[overview.Figure] = field(default_factory=list)

    @property
    def task_total(self) -> int:
        return sum(int(c.value or 0) for c in self.totals)


def _tasks_url(area: Association, year: int, **query: Any) -> str:
    params = {"code": area.code, "year": year, **{k: v for k, v in query.items() if v}}
    return f"{link('tasks:list')}?{urlencode(params)}"


def _tasks(user: User, area: Association, year: int, found: Evaluation) -> None:
    filters = task_selectors.Filters(association=area, year=year)
    codes = [code for code, _label in found.statuses]
    totals = dict.fromkeys(codes, 0)
    for row in task_selectors.status_by_measure(user=user, filters=filters):
        cells = []
        for code in codes:
            n = row.counts.get(code, 0)
            totals[code] += n
            url = _tasks_url(area, year, measure=row.measure.pk, status=code) if n else ""
            cells.append(Cell(n, url))
        found.measures.append(
            MeasureLine(
                str(row.measure),
                cells,
                Cell(row.total, _tasks_url(area, year, measure=row.measure.pk)),
            )
        )
    found.totals = [
        Cell(totals[code], _tasks_url(area, year, status=code) if totals[code] else "")
        for code in codes
    ]
    counts = task_selectors.ladder_counts(user=user, filters=filters)
    for key, label in LADDER_FIGURES:
        value = counts.get(key, 0)
        url = _tasks_url(area, year, ladder=key) if key in task_selectors.LADDER and value else ""
        found.ladder.append(LadderLine(key, str(label), value, url))


def _results(user: User, area: Association, found: Evaluation) -> None:
    """A county's results year by year; a township's own line of its county's results."""
    county = area if area.kind == Association.Kind.COUNTY else None
    if area.kind == Association.Kind.TOWNSHIP and area.parent is not None:
        county = area.parent
    if county is None or not user.has_capability("assessment.view"):
        return
    for round_, results in assessment_selectors.results_over_years(user=user, county=county):
        if county.pk != area.pk:
            results = [r for r in results if r.township.pk == area.pk]
        found.years.append(
            YearResults(round_.scheme.year, round_, link_to("assessment:round", round_.pk), results)
        )
    seen: dict[int, Association] = {}
    for year in found.years:
        for result in year.results:
            seen.setdefault(result.township.pk, result.township)
    found.townships = sorted(seen.values(), key=lambda t: t.code)


def _grants(user: User, area: Association, year: int) -> list[overview.Figure]:
    """The care fund's use in the year: the annual work report's grant figures."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    found = fund_selectors.grant_figures(user=user, area=area, first=first, last=last)

    def url(figure: str) -> str:
        query = {"code": area.code, "figure": figure, "from": first, "to": last}
        return f"{link('fund:grants')}?{urlencode(query)}"

    yuan = gettext("元")
    return [
        overview.Figure(
            "fund_households",
            "fund",
            gettext("当年资助的家庭"),
            found.households,
            url("households"),
        ),
        overview.Figure(
            "fund_relief",
            "fund",
            gettext("当年支出的慰问救助金"),
            found.relief_amount,
            url("relief"),
            unit=yuan,
        ),
        overview.Figure(
            "fund_wishes", "fund", gettext("当年实现的圆梦微心愿"), found.wishes, url("wishes")
        ),
    ]


def evaluation_for(*, user: User, area: Association, year: int) -> Evaluation:
    """The evaluation of `area` (inside the user's scope: the caller checks) for `year`."""
    found = Evaluation(
        area=area,
        year=year,
        statuses=[(code, gettext(label)) for code, label in task_rules.STATUS_LABELS.items()],
    )
    if user.has_capability("task.view"):
        _tasks(user, area, year, found)
    _results(user, area, found)
    found.outcomes = [
        f
        for f in overview.figures_for(user=user, area=area, year=year)
        if f.section in OUTCOME_SECTIONS
    ]
    if user.has_capability("fund.view"):
        found.outcomes.extend(_grants(user, area, year))
    return found


def chart_data(found: Evaluation) -> dict[str, Any]:
    """Plain values for fpa/static/fpa/evaluation-chart.js: the tasks by measure as stacked
    bars (one series per status, each bar opening its tasks) and each township's total over
    the years as lines (each point opening that year's round)."""
    colours = task_rules.STATUS_COLOURS
    tasks = {
        "labels": [m.label for m in found.measures],
        "series": [
            {
                "name": label,
                "colour": colours.get(code, "#6c757d"),
                "data": [m.cells[index].value for m in found.measures],
                "links": [m.cells[index].url for m in found.measures],
            }
            for index, (code, label) in enumerate(found.statuses)
        ],
    }
    years = [y.year for y in found.years]
    lines = []
    for township in found.townships:
        points: list[Any] = []
        for year in found.years:
            total = next((r.total for r in year.results if r.township.pk == township.pk), None)
            points.append(float(total) if total is not None else None)
        lines.append({"name": township.name.removesuffix("计生协"), "data": points})
    return {
        "tasks": tasks,
        "results": {"years": years, "links": [y.url for y in found.years], "lines": lines},
    }


# --- the workbook ---------------------------------------------------------------------------------


def _rows(found: Evaluation) -> list[tuple[str, str, str, Any]]:
    """(section, item, detail, value): every figure of the page once, in the page's order."""
    rows: list[tuple[str, str, str, Any]] = []
    tasks = gettext("任务书")
    for line in found.measures:
        for (_code, label), cell in zip(found.statuses, line.cells, strict=True):
            rows.append((tasks, line.label, label, cell.value))
        rows.append((tasks, line.label, gettext("合计"), line.total.value))
    supervision = gettext("督促")
    rows.extend((supervision, item.label, "", item.value) for item in found.ladder)
    assessment = gettext("考核结果")
    for year in found.years:
        for result in year.results:
            detail = gettext("第%(rank)s名") % {"rank": result.rank}
            rows.append((assessment, f"{year.year} {result.township.name}", detail, result.total))
    outcomes = gettext("改革成效")
    rows.extend((outcomes, f.label, f.unit, f.value) for f in found.outcomes)
    return rows


SHEET = excel.Sheet(
    title="改革评估",
    columns=(
        excel.Column("部分", "section", required=True, export=lambda r: r[0], width=12),
        excel.Column("项目", "item", required=True, export=lambda r: r[1], width=40),
        excel.Column("分项或单位", "detail", required=True, export=lambda r: r[2], width=14),
        excel.Column("数值", "value", export=lambda r: r[3], kind=excel.NUMBER, width=14),
    ),
    key=("section", "item", "detail"),
)


def write(handle: IO[bytes], found: Evaluation) -> int:
    return excel.write_workbook(handle, SHEET, _rows(found))
