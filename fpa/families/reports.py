"""The monthly report of special families (计生特殊家庭月报), as county and township offices
file it.

For one month and one association (the root), one row per child association (township or village)
and a total row:

- families in the register at the month's end, by kind (失独/伤残/并发症): registered by the end
  of the month and, by the status changes dated up to then, still active;
- bereaved and disabled-child families newly registered in the month;
- new psychological-intervention cases: families whose first care record of kind "counselling"
  (心理疏导) falls in the month, each family counted once;
- families moved out in the month, and the other status changes (cancelled, deceased, back in the
  register), each family counted once per kind of change;
- care records dated in the month;
- needs open at the month's end (raised by then and not closed by then);
- 需信息迁移人员: the families that moved into or out of the root's subtree in the month (a
  transfer between associations accepted in the month), with both associations and addresses, the
  reason and the date: a list below the table and a second worksheet, read when shown (one query).

The functions here are pure aggregation over querysets the caller has already scoped to the user
(`visible_to`): four grouped queries whatever the number of associations or families, folded into
the child rows in Python. Families registered at the root itself (a township can hold families)
get a row of their own, so that the rows always add up to the total.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import xlsxwriter
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_noop

from fpa.core import excel
from fpa.core.excel.writer import WORKBOOK_OPTIONS
from fpa.families.models import CareRecord, Family, FamilyTransfer, StatusChange
from fpa.organizations.models import Association

COUNSELLING = "counselling"  # the care kind of a psychological intervention (心理疏导)
EARLIEST_MONTH = datetime.date(2000, 1, 1)
MONTH_FORMAT = gettext_noop("月份格式不正确，请按“2026-10”的格式填写（四位年份-月份）。")
MONTH_NUMBER = gettext_noop("月份应为1至12之间的数字。")
MONTH_RANGE = gettext_noop("只能查询2000年1月至本月的月报。")
REPORT_HOLDERS = (
    Association.Kind.TOWNSHIP,
    Association.Kind.VILLAGE,
    Association.Kind.MIGRANT,
)
_MONTH = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?$")


@dataclass(frozen=True)
class Month:
    first: datetime.date
    last: datetime.date

    @property
    def param(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.first.year}年{self.first.month}月"

    @property
    def end(self) -> datetime.datetime:
        """The first instant after the month, in the local time zone."""
        day = self.last + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_of(day: datetime.date) -> Month:
    first = day.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return Month(first, last)


def parse_month(text: str | None, *, today: datetime.date) -> Month:
    """?month=2026-10 (also 2026/10, 2026.10, 2026年10月, full-width digits) as a `Month`; empty
    is the current month. Raises ValueError with the Chinese message for anything else."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return month_of(today)
    match = _MONTH.match(text) if len(text) <= 20 else None
    if match is None:
        raise ValueError(MONTH_FORMAT)
    year, number = int(match.group(1)), int(match.group(2))
    if not 1 <= number <= 12:
        raise ValueError(MONTH_NUMBER)
    earliest = (EARLIEST_MONTH.year, EARLIEST_MONTH.month)
    if not earliest <= (year, number) <= (today.year, today.month):
        raise ValueError(MONTH_RANGE)
    return month_of(datetime.date(year, number, 1))


# --- the rows -------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    name: str
    code: str
    association: Association | None = None
    own: bool = False  # the root's own families, not those of a child association
    bereaved: int = 0
    disabled: int = 0
    complication: int = 0
    new_bereaved: int = 0
    new_disabled: int = 0
    new_counselling: int = 0
    moved_out: int = 0
    cancelled: int = 0
    deceased: int = 0
    reactivated: int = 0
    care_records: int = 0
    open_needs: int = 0

    @property
    def families(self) -> int:
        return self.bereaved + self.disabled + self.complication

    @property
    def has_data(self) -> bool:
        return any(getattr(self, name) for name in MEASURES)

    def add(self, other: ReportRow) -> None:
        for name in MEASURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


MEASURES = tuple(f.name for f in fields(ReportRow) if f.type == "int")

# (group header or "", column header, attribute): the layout of the page and the workbook. The
# workbook is a fixed Chinese form; the page shows the headers and notes through gettext
# (gettext_noop only marks them for translation).
COLUMNS = (
    (gettext_noop("月末在册户数"), gettext_noop("合计"), "families"),
    (gettext_noop("月末在册户数"), gettext_noop("失独"), "bereaved"),
    (gettext_noop("月末在册户数"), gettext_noop("伤残"), "disabled"),
    (gettext_noop("月末在册户数"), gettext_noop("并发症"), "complication"),
    (gettext_noop("本月新增"), gettext_noop("失独家庭"), "new_bereaved"),
    (gettext_noop("本月新增"), gettext_noop("伤残家庭"), "new_disabled"),
    (gettext_noop("本月新增"), gettext_noop("心理疏导个案"), "new_counselling"),
    ("", gettext_noop("本月迁出"), "moved_out"),
    (gettext_noop("其他状态变更"), gettext_noop("注销"), "cancelled"),
    (gettext_noop("其他状态变更"), gettext_noop("夫妻均已亡故"), "deceased"),
    (gettext_noop("其他状态变更"), gettext_noop("恢复在册"), "reactivated"),
    ("", gettext_noop("本月帮扶记录"), "care_records"),
    ("", gettext_noop("月末未办结诉求"), "open_needs"),
)

NOTES = (
    gettext_noop("月末在册户数：本月末以前登记、且按截至月末的状态变更记录仍为“在册”的家庭。"),
    gettext_noop(
        "本月新增：登记日期在本月的家庭。心理疏导个案：首次“心理疏导”帮扶记录在本月的家庭，每户计一次。"
    ),
    gettext_noop("本月迁出及其他状态变更：变更日期在本月的户数（同一户同类变更计一次）。"),
    gettext_noop(
        "本月帮扶记录：日期在本月的帮扶记录条数。月末未办结诉求：月末以前提出、月末时尚未办结的诉求。"
    ),
)


@dataclass(frozen=True)
class Move:
    """One family of 需信息迁移人员."""

    head_name: str
    from_name: str
    from_address: str
    to_name: str
    to_address: str
    reason: str
    moved_on: datetime.date


MOVE_COLUMNS = (
    gettext_noop("户主/联系人"),
    gettext_noop("迁出协会"),
    gettext_noop("原住址"),
    gettext_noop("迁入协会"),
    gettext_noop("新住址"),
    gettext_noop("迁移原因"),
    gettext_noop("迁移日期"),
)
MOVES_TITLE = gettext_noop("需信息迁移人员")


def moves_in_month(
    *, root: Association, month: Month, transfers: QuerySet[FamilyTransfer] | None = None
) -> list[Move]:
    """需信息迁移人员 of `root` for `month`: families whose transfer out of or into the root's
    subtree was accepted in the month, by date. One query.

    `transfers` is the caller's scoped queryset (`FamilyTransfer.objects.visible_to(user)`);
    without it every transfer with an end under `root` is read, which is the same set for a
    caller that has checked that `root` lies in the user's scope (a transfer is visible from
    either end's subtree), as the report's callers do."""
    queryset = transfers if transfers is not None else FamilyTransfer.objects.all()
    rows = (
        queryset.filter(
            status=FamilyTransfer.Status.ACCEPTED,
            decided_on__range=(month.first, month.last),
        )
        .filter(
            Q(from_association__path__under=root.path) | Q(to_association__path__under=root.path)
        )
        .select_related("family", "from_association", "to_association")
        .order_by("decided_on", "id")
    )
    return [
        Move(
            head_name=t.family.head_name,
            from_name=t.from_association.name,
            from_address=t.from_address,
            to_name=t.to_association.name,
            to_address=t.to_address,
            reason=t.reason,
            moved_on=t.decided_on or month.last,
        )
        for t in rows
    ]


@dataclass
class MonthlyReport:
    root: Association
    month: Month
    rows: list[ReportRow] = field(default_factory=list)
    total: ReportRow | None = None
    transfers: QuerySet[FamilyTransfer] | None = None

    @property
    def title(self) -> str:
        return "计生特殊家庭月报"

    @functools.cached_property
    def moves(self) -> list[Move]:
        """需信息迁移人员, read the first time it is shown (the counts alone do not need it)."""
        return moves_in_month(root=self.root, month=self.month, transfers=self.transfers)


def _child_path(root: Association, path: str) -> str | None:
    """The path of the root's child that holds `path`, or None for the root itself."""
    rest = path[len(root.path) :]
    return root.path + rest.split("/", 1)[0] + "/" if rest else None


def status_at_end(month: Month) -> Coalesce:
    """A family's status at the end of `month` (an annotation): the latest status change dated up
    to the month's last day, "active" without one. The register at the month's end, for the
    monthly report and the special-assistance payment roster alike."""
    return Coalesce(
        Subquery(
            StatusChange.objects.filter(family=OuterRef("pk"), effective_date__lte=month.last)
            .order_by("-effective_date", "-id")
            .values("to_status")[:1]
        ),
        Value(Family.Status.ACTIVE),
    )


def in_register_at_end(families: QuerySet[Family], month: Month) -> QuerySet[Family]:
    """The families of `families` in the register at the end of `month` (the monthly report's
    月末在册): registered by its last day and, by the status changes dated up to then, active."""
    return (
        families.filter(registered_on__lte=month.last)
        .annotate(end_status=status_at_end(month))
        .filter(end_status=Family.Status.ACTIVE)
    )


def monthly_report(
    *,
    root: Association,
    children: Iterable[Association],
    month: Month,
    families: QuerySet,
    status_changes: QuerySet,
    care_records: QuerySet,
    needs: QuerySet,
    transfers: QuerySet[FamilyTransfer] | None = None,
) -> MonthlyReport:
    """The report for `root` and `month` from scoped querysets of families, status changes, care
    records and needs. `children` are the root's child associations (all of them, current or
    not, in the order to show): current townships and villages are listed even without data,
    any other child only when it has some. Four queries."""
    first, last = month.first, month.last
    under = root.path
    active = Family.Status.ACTIVE
    end_status = status_at_end(month)
    first_counselling = Subquery(
        CareRecord.objects.filter(family=OuterRef("pk"), kind__code=COUNSELLING)
        .order_by("occurred_on")
        .values("occurred_on")[:1]
    )
    new = Q(registered_on__gte=first)
    kinds = Family.Kind
    family_rows = (
        families.filter(association__path__under=under, registered_on__lte=last)
        .annotate(end_status=end_status, first_counselling=first_counselling)
        .values("association__path")
        .annotate(
            bereaved=Count("pk", filter=Q(end_status=active, kind=kinds.BEREAVED)),
            disabled=Count("pk", filter=Q(end_status=active, kind=kinds.DISABLED_CHILD)),
            complication=Count("pk", filter=Q(end_status=active, kind=kinds.COMPLICATION)),
            new_bereaved=Count("pk", filter=new & Q(kind=kinds.BEREAVED)),
            new_disabled=Count("pk", filter=new & Q(kind=kinds.DISABLED_CHILD)),
            new_counselling=Count(
                "pk", filter=Q(first_counselling__gte=first, first_counselling__lte=last)
            ),
        )
        .order_by()
    )
    statuses = Family.Status
    change_rows = (
        status_changes.filter(
            family__association__path__under=under, effective_date__range=(first, last)
        )
        .values(path=F("family__association__path"))
        .annotate(
            moved_out=Count("family", distinct=True, filter=Q(to_status=statuses.MOVED_OUT)),
            cancelled=Count("family", distinct=True, filter=Q(to_status=statuses.CANCELLED)),
            deceased=Count("family", distinct=True, filter=Q(to_status=statuses.DECEASED)),
            reactivated=Count("family", distinct=True, filter=Q(to_status=statuses.ACTIVE)),
        )
        .order_by()
    )
    care_rows = (
        care_records.filter(
            family__association__path__under=under, occurred_on__range=(first, last)
        )
        .values(path=F("family__association__path"))
        .annotate(care_records=Count("pk"))
        .order_by()
    )
    need_rows = (
        needs.filter(family__association__path__under=under, created_at__lt=month.end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=last))
        .values(path=F("family__association__path"))
        .annotate(open_needs=Count("pk"))
        .order_by()
    )
    buckets: dict[str | None, ReportRow] = {}
    children = list(children)
    for child in children:
        buckets[child.path] = ReportRow(child.name, child.code, association=child)
    own = ReportRow(f"{root.name}（本级）", root.code, association=root, own=True)
    buckets[None] = own
    unknown = ReportRow("其他", "")
    for rows, path_key in (
        (family_rows, "association__path"),
        (change_rows, "path"),
        (care_rows, "path"),
        (need_rows, "path"),
    ):
        for row in rows:
            target = buckets.get(_child_path(root, row[path_key]), unknown)
            for name, count in row.items():
                if name in MEASURES:
                    setattr(target, name, getattr(target, name) + count)
    shown = [
        buckets[child.path]
        for child in children
        if (child.is_current and child.kind in REPORT_HOLDERS) or buckets[child.path].has_data
    ]
    if own.has_data:
        shown.insert(0, own)
    if unknown.has_data:  # a family whose association is no child of the root: not expected
        shown.append(unknown)
    total = ReportRow("合计", root.code, association=root)
    for row in shown:
        total.add(row)
    return MonthlyReport(root=root, month=month, rows=shown, total=total, transfers=transfers)


# --- the workbook ---------------------------------------------------------------------------------


def report_filename(report: MonthlyReport) -> str:
    return f"{report.title}-{report.month.param}-{report.root.name}.xlsx"


def write_report(target: Any, report: MonthlyReport) -> None:
    """The report as one worksheet: title, unit and period, the two header rows, the rows, the
    total and the notes. Every text cell goes through the engine's formula neutralisation."""
    # The engine's options (no strings taken for numbers, formulas or links), but not its
    # constant-memory mode: the merged header cells span two rows. A report has few rows.
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": False})
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    text = workbook.add_format({"border": 1, "num_format": "@"})
    number = workbook.add_format({"border": 1})
    bold_text = workbook.add_format({"border": 1, "bold": True, "num_format": "@"})
    bold_number = workbook.add_format({"border": 1, "bold": True})
    sheet = workbook.add_worksheet(report.title)
    width = 2 + len(COLUMNS)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, width - 1, 9)
    sheet.merge_range(0, 0, 0, width - 1, report.title, title)
    sheet.write_string(1, 0, excel.neutralise(f"填报单位：{report.root.name}"))
    sheet.write_string(1, 2, f"报告期：{report.month.label}")
    sheet.write_string(1, 8, f"制表日期：{timezone.localdate():%Y-%m-%d}")
    top, sub = 3, 4
    sheet.merge_range(top, 0, sub, 0, "协会", header)
    sheet.merge_range(top, 1, sub, 1, "协会编码", header)
    col = 2
    while col - 2 < len(COLUMNS):
        group = COLUMNS[col - 2][0]
        span = 1
        while group and col - 2 + span < len(COLUMNS) and COLUMNS[col - 2 + span][0] == group:
            span += 1
        if group:
            if span > 1:
                sheet.merge_range(top, col, top, col + span - 1, group, header)
            else:
                sheet.write_string(top, col, group, header)
            for offset in range(span):
                sheet.write_string(sub, col + offset, COLUMNS[col - 2 + offset][1], header)
        else:
            sheet.merge_range(top, col, sub, col, COLUMNS[col - 2][1], header)
        col += span
    sheet.freeze_panes(sub + 1, 2)
    line = sub
    assert report.total is not None  # built with the rows
    for row in [*report.rows, report.total]:
        line += 1
        is_total = row is report.total
        sheet.write_string(line, 0, excel.neutralise(row.name), bold_text if is_total else text)
        sheet.write_string(line, 1, row.code if not is_total else "", text)
        for index, (_, _, name) in enumerate(COLUMNS):
            sheet.write_number(
                line, 2 + index, getattr(row, name), bold_number if is_total else number
            )
    line += 2
    sheet.write_string(line, 0, "说明：")
    for note in NOTES:
        line += 1
        sheet.write_string(line, 0, excel.neutralise(note))
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top, sub)
    _write_moves(workbook, report, header, text)
    workbook.close()


def _write_moves(workbook: Any, report: MonthlyReport, header: Any, text: Any) -> None:
    """The second worksheet: 需信息迁移人员, one row per family (none: the headers alone)."""
    sheet = workbook.add_worksheet(MOVES_TITLE)
    sheet.write_string(0, 0, excel.neutralise(f"{MOVES_TITLE}（{report.month.label}）"))
    sheet.write_string(1, 0, excel.neutralise(f"填报单位：{report.root.name}"))
    for col, name in enumerate(MOVE_COLUMNS):
        sheet.write_string(3, col, name, header)
    sheet.set_column(0, len(MOVE_COLUMNS) - 1, 16)
    for line, move in enumerate(report.moves, start=4):
        values = (
            move.head_name,
            move.from_name,
            move.from_address,
            move.to_name,
            move.to_address,
            move.reason,
            f"{move.moved_on:%Y-%m-%d}",
        )
        for col, value in enumerate(values):
            sheet.write_string(line, col, excel.neutralise(value), text)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _temporary() -> Any:
    return tempfile.TemporaryFile(prefix="fpa-report-")  # FileResponse closes it


def report_file(report: MonthlyReport) -> tuple[Any, str]:
    """The workbook in a temporary file (rewound) and its Chinese file name."""
    handle = _temporary()
    try:
        write_report(handle, report)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle, report_filename(report)


def report_response(report: MonthlyReport) -> FileResponse:
    """The workbook streamed as an attachment with its Chinese file name (RFC 5987)."""
    handle, name = report_file(report)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=excel.XLSX)
