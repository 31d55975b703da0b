"""The activities' figures in the upper level's layouts, as workbooks (the shared engine's writer
conventions: `WORKBOOK_OPTIONS`, every text through `neutralise`, a temporary file streamed with
its Chinese name).

- `figures_response`: one area and year, three sheets: 八大项目 (活动次数 and 服务人数 per
  category; 权益维护 counts events only), 年度工作报表 (the annual report's activity lines the
  platform can derive, each with where it comes from) and 按下级协会 (the same per child).
- `campaign_response`: a campaign's progress per target.

The workbooks stay in Chinese whatever the page language: they are the upper level's forms.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone

from fpa.activities.models import Campaign, Category
from fpa.activities.selectors import Figures, TargetProgress
from fpa.core import excel
from fpa.core.excel.writer import WORKBOOK_OPTIONS, ReportFormats, a4_paper
from fpa.organizations.models import Association

RIGHTS = "rights"  # 权益维护: the report counts its events only


@dataclass(frozen=True)
class Line:
    """A line of the annual report: its name, unit, how it is read from the figures, and the
    note saying where the number comes from."""

    name: str
    unit: str
    figure: str
    dimension: str | None
    source: str


ANNUAL_LINES = (
    Line(
        "青少年/家长讲座和培训（场次）", "场", "activities", "youth", "类别为“青春健康”的已开展活动"
    ),
    Line("青少年/家长讲座和培训（人次）", "人次", "people", "youth", "同上，参加人次合计"),
    Line("专家和师资", "人", "experts", "", "专家和师资库中在库人员"),
    Line("其中：青春健康师资", "人", "experts", "youth_trainer", "专长含“青春健康师资”的在库人员"),
    Line("青春健康教育基地", "个", "sites", "youth_base", "运行中的“青春健康教育基地/同伴社”阵地"),
    Line("青春健康同伴社", "个", "peer_clubs", "", "活动中的青春健康同伴社"),
    Line("同伴社社员", "人", "peer_members", "", "活动中的同伴社社员人数合计"),
    Line("主题宣传活动（场次）", "场", "activities", "publicity", "类别为“宣传教育”的已开展活动"),
    Line("主题宣传活动参与人数", "人次", "people", "publicity", "同上，参加人次合计"),
    Line("发放宣传资料", "份", "materials", None, "全部已开展活动登记的发放资料份数"),
    Line("电视报道", "次", "media", "tv", "活动登记的电视报道（请核对是否为县级以上）"),
    Line("报纸报道", "次", "media", "newspaper", "活动登记的报纸报道（请核对是否为县级以上）"),
    Line("微信公众号文章", "篇", "media", "wechat", "活动登记的微信公众号报道"),
    Line("举办培训（期数）", "期", "activities", "training", "类别为“业务培训”的已开展活动"),
    Line("培训人次", "人次", "people", "training", "同上，参加人次合计"),
    Line(
        "帮扶服务活动（场次）",
        "场",
        "activities",
        "family_support",
        "类别为“计生家庭帮扶”的已开展活动",
    ),
    Line("帮扶服务活动（人次）", "人次", "people", "family_support", "同上，参加人次合计"),
)
# The per-child sheet's columns after the categories: (header, figure, own total?).
CHILD_TAIL = (
    ("媒体报道", "media", False),
    ("亮点", "highlights", False),
    ("服务阵地", "sites", False),
    ("专家和师资", "experts", True),
    ("同伴社", "peer_clubs", True),
)


def value_of(line: Figures, figure: str, dimension: str | None) -> int:
    """A figure of a line: under `dimension`, or in total (an expert and a club count under ""
    as their own total)."""
    if dimension is None and figure in ("experts", "peer_clubs", "peer_members"):
        dimension = ""
    return line.get(figure, dimension)


def _head(
    sheet: Any, formats: ReportFormats, width: int, title: str, unit: str, period: str
) -> None:
    sheet.merge_range(0, 0, 0, max(width - 1, 1), excel.neutralise(title), formats.title)
    sheet.write_string(1, 0, excel.neutralise(f"填报单位：{unit}"))
    sheet.write_string(1, 2 if width > 2 else 1, excel.neutralise(f"报告期：{period}"))
    sheet.write_string(2, 0, f"制表日期：{timezone.localdate():%Y-%m-%d}")


def _projects(
    workbook: Any,
    f: ReportFormats,
    area: Association,
    year: int,
    total: Figures,
    categories: Sequence[Category],
) -> None:
    sheet = workbook.add_worksheet("八大项目")
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 2, 14)
    _head(sheet, f, 3, f"{year}年计生协活动情况（按项目）", area.name, f"{year}年")
    top = 4
    for col, name in enumerate(("项目", "活动次数", "服务人数")):
        sheet.write_string(top, col, name, f.header)
    row = top
    events = people = 0
    for category in categories:
        row += 1
        n = total.get("activities", category.code)
        sheet.write_string(row, 0, excel.neutralise(category.name), f.text)
        sheet.write_number(row, 1, n, f.number)
        events += n
        if category.code == RIGHTS:
            sheet.write_blank(row, 2, None, f.number)
        else:
            served = total.get("people", category.code)
            sheet.write_number(row, 2, served, f.number)
            people += served
    row += 1
    sheet.write_string(row, 0, "合计", f.bold_text)
    sheet.write_number(row, 1, events, f.bold_number)
    sheet.write_number(row, 2, people, f.bold_number)
    row += 2
    for note in (
        "说明：活动次数为当年已开展（含已总结）的活动数，服务人数为这些活动登记的参加人次合计。",
        "权益维护只统计活动次数。数据取自平台活动记录，随记录的修改实时更新。",
    ):
        sheet.write_string(row, 0, note)
        row += 1
    a4_paper(sheet, repeat=(top, top))


def _annual(workbook: Any, f: ReportFormats, area: Association, year: int, total: Figures) -> None:
    sheet = workbook.add_worksheet("年度工作报表")
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 8)
    sheet.set_column(2, 2, 12)
    sheet.set_column(3, 3, 44)
    _head(sheet, f, 4, f"{year}年度工作报表（活动部分）", area.name, f"{year}年")
    top = 4
    for col, name in enumerate(("指标", "单位", "数值", "数据来源")):
        sheet.write_string(top, col, name, f.header)
    row = top
    for line in ANNUAL_LINES:
        row += 1
        sheet.write_string(row, 0, line.name, f.text)
        sheet.write_string(row, 1, line.unit, f.text)
        sheet.write_number(row, 2, value_of(total, line.figure, line.dimension), f.number)
        sheet.write_string(row, 3, line.source, f.wrap)
    row += 2
    sheet.write_string(
        row,
        0,
        "说明：本表只含平台能从活动、阵地、专家和同伴社记录得出的行；报表的其他行请另行填写。",
    )
    a4_paper(sheet, repeat=(top, top))


def _by_child(
    workbook: Any,
    f: ReportFormats,
    area: Association,
    year: int,
    total: Figures,
    lines: Sequence[Figures],
    categories: Sequence[Category],
) -> None:
    sheet = workbook.add_worksheet("按下级协会")
    width = 2 + 2 * len(categories) + len(CHILD_TAIL)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, width - 1, 9)
    _head(sheet, f, width, f"{year}年计生协活动情况（按下级协会）", area.name, f"{year}年")
    top, sub = 4, 5
    sheet.merge_range(top, 0, sub, 0, "协会", f.header)
    sheet.merge_range(top, 1, sub, 1, "协会编码", f.header)
    col = 2
    for category in categories:
        sheet.merge_range(top, col, top, col + 1, excel.neutralise(category.name), f.header)
        sheet.write_string(sub, col, "活动次数", f.header)
        sheet.write_string(sub, col + 1, "服务人数", f.header)
        col += 2
    for header, _figure, _own in CHILD_TAIL:
        sheet.merge_range(top, col, sub, col, header, f.header)
        col += 1
    sheet.freeze_panes(sub + 1, 2)
    row = sub
    for line in [*lines, total]:
        row += 1
        is_total = line is total
        own = not is_total and line.association.pk == area.pk
        name = "合计" if is_total else ("本级" if own else line.association.name)
        text, number = (f.bold_text, f.bold_number) if is_total else (f.text, f.number)
        sheet.write_string(row, 0, excel.neutralise(name), text)
        sheet.write_string(row, 1, "" if is_total else line.association.code, text)
        col = 2
        for category in categories:
            sheet.write_number(row, col, line.get("activities", category.code), number)
            if category.code == RIGHTS:
                sheet.write_blank(row, col + 1, None, number)
            else:
                sheet.write_number(row, col + 1, line.get("people", category.code), number)
            col += 2
        for _header, figure, _own in CHILD_TAIL:
            sheet.write_number(row, col, value_of(line, figure, None), number)
            col += 1
    row += 2
    sheet.write_string(row, 0, "说明：“本级”为本协会自己开展的活动和自有的阵地、专家、同伴社。")
    a4_paper(sheet, repeat=(top, sub), landscape=True)


def write_figures(
    target: Any,
    *,
    area: Association,
    year: int,
    total: Figures,
    lines: Sequence[Figures],
    categories: Sequence[Category],
) -> None:
    # The engine's options, but not its constant-memory mode: headers are merged cells.
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": False})
    formats = ReportFormats(workbook)
    _projects(workbook, formats, area, year, total, categories)
    _annual(workbook, formats, area, year, total)
    _by_child(workbook, formats, area, year, total, lines, categories)
    workbook.close()


def _temporary() -> IO[bytes]:
    return tempfile.TemporaryFile(prefix="fpa-report-")  # FileResponse closes it


def _response(write: Any, filename: str) -> FileResponse:
    handle = _temporary()
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    name = filename.replace("/", "-").replace("\\", "-")
    return FileResponse(handle, as_attachment=True, filename=name, content_type=excel.XLSX)


def figures_response(
    *,
    area: Association,
    year: int,
    total: Figures,
    lines: Sequence[Figures],
    categories: Sequence[Category],
) -> FileResponse:
    return _response(
        lambda handle: write_figures(
            handle, area=area, year=year, total=total, lines=lines, categories=categories
        ),
        f"活动统计-{area.name}-{year}.xlsx",
    )


# --- a campaign's progress ---------------------------------------------------------------------


def write_campaign(target: Any, campaign: Campaign, progress: Sequence[TargetProgress]) -> None:
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": False})
    f = ReportFormats(workbook)
    sheet = workbook.add_worksheet("部署进度")
    headers = ("承办协会", "协会编码", "应开展", "已开展", "计划中", "完成率%", "是否完成")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, len(headers) - 1, 9)
    period = f"{campaign.starts_on:%Y-%m-%d}至{campaign.ends_on:%Y-%m-%d}"
    _head(sheet, f, len(headers), campaign.title, campaign.association.name, period)
    top = 4
    for col, name in enumerate(headers):
        sheet.write_string(top, col, name, f.header)
    row = top
    for p in progress:
        row += 1
        sheet.write_string(row, 0, excel.neutralise(p.association.name), f.text)
        sheet.write_string(row, 1, p.association.code, f.text)
        for col, value in enumerate((p.wanted, p.held, p.planned, p.percent), start=2):
            sheet.write_number(row, col, value, f.number)
        sheet.write_string(row, 6, "是" if p.done else "否", f.text)
    row += 2
    sheet.write_string(row, 0, "说明：已开展含已总结的活动；计划中含已批准、尚未开展的活动。")
    a4_paper(sheet, repeat=(top, top))
    workbook.close()


def campaign_response(campaign: Campaign, progress: Sequence[TargetProgress]) -> FileResponse:
    return _response(
        lambda handle: write_campaign(handle, campaign, progress),
        f"部署进度-{campaign.title}.xlsx",
    )
