"""Upload, dry run, commit: the one import flow every module uses.

A module subclasses `Importer`, names its `Sheet` and fills in the hooks: `prepare` (resolve
references in bulk, inside the actor's scope), `key` (the natural key), `existing` (the stored rows
for a batch of keys, inside the scope), `validate` (cross-field rules), and `create`/`update`, which
call the module's real services (they check permissions again and write the audit trail).

`dry_run` parses the whole file and reports every problem by row and column, and what would be
created and changed, field by field, writing nothing. `commit` reads the file once, planning and
writing batch by batch inside one transaction; after the first problem it writes nothing more but
reads on to report every problem, then rolls everything back. Rows equal to what is stored are
"unchanged" and touch nothing, so uploading the same file twice changes nothing. A module with a
bulk service overrides `create_many` to write a batch's new rows in a few statements.
"""

from __future__ import annotations

import abc
import datetime
import decimal
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext, gettext_noop

from fpa.core.actors import Actor
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.excel.columns import KEEP, Column, Sheet
from fpa.core.excel.reader import CellError, Issue, RawRow, read_table
from fpa.core.excel.safety import Limits, UnsafeFile, inspect, read_upload
from fpa.core.protected import Protected

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"

REQUIRED = gettext_noop("此项必填，不能为空。")
MASKED_KEY = gettext_noop("该号码已打码（含*号），无法用来匹配已有记录，请填写完整号码。")
MASKED_NEW = gettext_noop("该号码已打码（含*号），新增记录须填写完整号码。")
NO_ROWS = gettext_noop("文件中没有数据：请在列名下方逐行填写后再上传。")
STAGE_CHECKING = gettext_noop("逐行检查")
STAGE_WRITING = gettext_noop("逐行检查并写入")
DUPLICATE = gettext_noop("与第%(first)s行重复（%(headers)s相同），请删除重复的行。")


def comparable(value: Any) -> Any:
    """A value reduced to what decides "unchanged": empty is empty, protected by its content."""
    if type(value) is str:  # most values: the same answer as below, sooner
        return value or None
    if value is None or value == "":
        return None
    if isinstance(value, Protected):
        return value.reveal_unchecked()
    if isinstance(value, models.Model):
        return (value._meta.label_lower, value.pk)
    if isinstance(value, decimal.Decimal):
        return value.normalize()
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    return value


@dataclass
class Change:
    header: str
    old: str  # as shown: labels for codes, protected values masked
    new: str


@dataclass
class Row:
    """One data row on its way through the plan."""

    number: int
    sheet: Sheet
    values: dict[str, Any] = field(default_factory=dict)  # by field, parsed
    issues: list[Issue] = field(default_factory=list)
    key: Hashable | None = None
    target: Any = None  # the stored object the key found
    action: str = ""
    changed: dict[str, Any] = field(default_factory=dict)  # field -> new value
    changes: list[Change] = field(default_factory=list)

    def fail(self, field_name: str | None, message: str) -> None:
        """Report a problem with this row (and the column of `field_name`, when given)."""
        self.issues.append(Issue(self.number, self.sheet.header_of(field_name), message))

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass
class Preview:
    number: int
    action: str
    label: str
    values: list[tuple[str, str]]  # (header, shown value), for a row to create
    changes: list[Change]  # for a row to update


@dataclass(frozen=True)
class PreviewCell:
    """One cell of the preview table: the value a new row gets, or for a changed field of an
    existing row the old and the new value (`changed`); a field an update leaves alone is empty."""

    value: str = ""
    old: str = ""
    changed: bool = False


@dataclass(frozen=True)
class PreviewRow:
    number: int
    action: str
    label: str
    cells: list[PreviewCell]


@dataclass
class ImportReport:
    title: str
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    preview: list[Preview] = field(default_factory=list)
    committed: bool = False
    issue_limit: int = 1000
    preview_limit: int = 200
    columns: list[str] = field(default_factory=list)  # the sheet's headers, in order

    @property
    def ok(self) -> bool:
        return self.issue_count == 0

    @property
    def preview_table(self) -> tuple[list[str], list[PreviewRow]]:
        """The preview as a table: one column per field that some previewed row fills or
        changes (in the sheet's order), one row per previewed row."""
        used = {h for p in self.preview for h, _v in p.values} | {
            c.header for p in self.preview for c in p.changes
        }
        order = [h for h in self.columns if h in used]
        order += sorted(used - set(order))  # a stored report from before `columns`
        rows = []
        for p in self.preview:
            values = dict(p.values)
            changes = {c.header: c for c in p.changes}
            cells = []
            for header in order:
                if header in changes:
                    change = changes[header]
                    cells.append(PreviewCell(value=change.new, old=change.old, changed=True))
                else:
                    cells.append(PreviewCell(value=values.get(header, "")))
            rows.append(PreviewRow(p.number, p.action, p.label, cells))
        return order, rows

    @property
    def messages(self) -> list[str]:
        return [str(issue) for issue in self.issues]

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated)

    def add_issue(self, issue: Issue) -> None:
        self.issue_count += 1
        if len(self.issues) < self.issue_limit:
            self.issues.append(issue)


def report_to_json(report: ImportReport) -> dict[str, Any]:
    """The report as JSON, for a background job's result (`report_from_json` reads it back)."""
    return {
        "title": report.title,
        "issues": [[i.row, i.header, i.message] for i in report.issues],
        "issue_count": report.issue_count,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "committed": report.committed,
        "issue_limit": report.issue_limit,
        "preview_limit": report.preview_limit,
        "columns": report.columns,
        "preview": [
            [
                p.number,
                p.action,
                p.label,
                [list(v) for v in p.values],
                [[c.header, c.old, c.new] for c in p.changes],
            ]
            for p in report.preview
        ],
    }


def report_from_json(data: dict[str, Any]) -> ImportReport:
    report = ImportReport(
        title=data["title"],
        issue_count=data["issue_count"],
        rows=data["rows"],
        created=data["created"],
        updated=data["updated"],
        unchanged=data["unchanged"],
        committed=data["committed"],
        issue_limit=data["issue_limit"],
        preview_limit=data["preview_limit"],
        columns=list(data.get("columns", [])),
    )
    report.issues = [Issue(row, header, message) for row, header, message in data["issues"]]
    report.preview = [
        Preview(
            number=number,
            action=action,
            label=label,
            values=[(h, v) for h, v in values],
            changes=[Change(*c) for c in changes],
        )
        for number, action, label, values, changes in data["preview"]
    ]
    return report


class _Rollback(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__()
        self.report = report


def _batches(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    batch: list[RawRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Importer(abc.ABC):
    """Subclass once per table; instantiate per request with the acting user."""

    sheet: ClassVar[Sheet]
    capability: ClassVar[str | None] = None  # checked before anything is read
    batch_size: ClassVar[int] = 500
    preview_limit: ClassVar[int] = 200
    issue_limit: ClassVar[int] = 1000

    def __init__(self, *, actor: Actor, limits: Limits | None = None) -> None:
        self.actor = actor
        self.limits = limits or Limits.from_settings()

    # --- hooks ---------------------------------------------------------------------------------

    def prepare(self, rows: list[Row]) -> None:
        """Resolve references for a batch of parsed rows (one query, inside the scope)."""
        return None  # optional hook

    def key(self, row: Row) -> Hashable:
        """The natural key of a row; by default the comparable values of `sheet.key`."""
        return tuple(comparable(row.values[name]) for name in self.sheet.key)

    def existing(self, rows: list[Row]) -> dict[Hashable, Any]:
        """The stored objects for these rows' keys (their `key` is set), inside the scope."""
        return {}

    def current(self, obj: Any, field_name: str) -> Any:
        """The stored value of a field, comparable with what the column's parser returns."""
        return getattr(obj, field_name)

    def validate(self, row: Row) -> None:
        """Rules across fields; `row.target` is the stored object or None. Call row.fail()."""
        return None  # optional hook

    @abc.abstractmethod
    def create(self, values: dict[str, Any]) -> Any:
        """Create one row's object through the module's service (which audits)."""

    @abc.abstractmethod
    def update(self, obj: Any, changes: dict[str, Any]) -> Any:
        """Apply one row's changes through the module's service (which audits)."""

    def create_many(self, rows: list[Row]) -> None:
        """Create the objects of a batch of rows to create; report problems with `row.fail`.
        By default one `create` each; override with a call to a bulk service (which audits)."""
        for row in rows:
            self._guarded(row, self.create, values_of(row))
            if not row.ok:
                return

    def label(self, row: Row) -> str:
        """How a row is named in the preview."""
        shown = [
            column.show(row.values[column.field])
            for column in self.sheet.columns
            if column.field in row.values and not column.protected
        ]
        return " · ".join(s for s in shown[:2] if s)

    # --- the flow ------------------------------------------------------------------------------

    def dry_run(self, upload: IO[bytes] | bytes, progress: Any = None) -> ImportReport:
        """Every problem and every planned change; nothing is written. `progress` (a
        `fpa.core.jobs.Progress`, optional) hears of each batch and may cancel between them."""
        return self._run(upload, write=False, progress=progress)

    def commit(self, upload: IO[bytes] | bytes, progress: Any = None) -> ImportReport:
        """Write the whole file or nothing: one pass in one transaction, rolled back if any row
        has a problem (every problem is still reported) or if `progress.check()` raises (a
        cancelled job: the exception propagates after the rollback)."""
        try:
            with transaction.atomic():
                report = self._run(upload, write=True, progress=progress)
                if not report.ok:
                    raise _Rollback(report)
        except _Rollback as rollback:
            report = rollback.report
            report.committed = False
            return report
        report.committed = True
        return report

    def _run(self, upload: IO[bytes] | bytes, *, write: bool, progress: Any = None) -> ImportReport:
        if self.capability and not (
            getattr(self.actor, "is_authenticated", False)
            and self.actor.has_capability(self.capability)
        ):
            raise NotAllowed(gettext("您的角色无权进行此操作。"))
        report = ImportReport(
            title=self.sheet.title,
            issue_limit=self.issue_limit,
            preview_limit=self.preview_limit,
            columns=self.sheet.headers,
        )
        try:
            data = read_upload(upload, self.limits)
            inspection = inspect(data, sheet_name=self.sheet.title, limits=self.limits)
            table = read_table(data, self.sheet, inspection, self.limits)
            for issue in table.issues:
                report.add_issue(issue)
            if table.issues:
                return report
            if progress is not None:
                # Rows below the header (an upper bound: trailing blank rows are skipped).
                progress.stage(
                    STAGE_WRITING if write else STAGE_CHECKING, total=self._total(inspection)
                )
            seen: dict[Hashable, int] = {}
            written = 0
            for batch in _batches(table.rows, self.batch_size):
                rows = [self._parse(raw, table.present) for raw in batch]
                self._plan(rows, seen)
                for row in rows:
                    self._record(row, report)
                if write and report.ok:
                    self._write(rows, report)
                    if report.ok:
                        written = report.rows
                if progress is not None:
                    progress.advance(
                        read=report.rows,
                        planned=report.created + report.updated + report.unchanged,
                        written=written,
                    )
                    progress.check()
        except UnsafeFile as exc:
            report.add_issue(Issue(None, None, exc.message))
            return report
        if report.rows == 0 and report.ok:
            report.add_issue(Issue(None, None, NO_ROWS))
        return report

    def _total(self, inspection: Any) -> int:
        return max(0, int(inspection.max_row) - 1)  # row 1 holds the headers

    def _parse(self, raw: RawRow, present: Iterable[Column]) -> Row:
        row = Row(number=raw.number, sheet=self.sheet)
        cells, values = raw.cells, row.values  # this runs for every cell of the file
        for column in present:
            name = column.field
            cell = cells[name]
            if isinstance(cell, CellError):
                row.fail(name, str(cell))
            elif cell == "":
                if column.required:
                    row.fail(name, REQUIRED)
                else:
                    values[name] = column.empty
            elif column.protected and "*" in cell:
                values[name] = KEEP  # a masked export: leave the stored value
            else:
                try:
                    values[name] = column.parse_text(cell)
                except ValueError as exc:
                    row.fail(name, str(exc))
        return row

    def _plan(self, rows: list[Row], seen: dict[Hashable, int]) -> None:
        for row in rows:
            for name in self.sheet.key:
                if row.values.get(name) is KEEP:
                    row.fail(name, MASKED_KEY)
        live = [row for row in rows if row.ok]
        if live:
            self.prepare(live)
        live = [row for row in live if row.ok]
        key_headers = "、".join(self.sheet.column(name).header for name in self.sheet.key)
        for row in live:
            row.key = self.key(row)
            first = seen.get(row.key)
            if first is not None:
                row.fail(None, gettext(DUPLICATE) % {"first": first, "headers": key_headers})
            else:
                seen[row.key] = row.number
        live = [row for row in live if row.ok]
        found = self.existing(live) if live else {}
        for row in live:
            row.target = found.get(row.key)
            if row.target is None:
                for name, value in row.values.items():
                    if value is KEEP:
                        row.fail(name, MASKED_NEW)
            if row.ok:
                self.validate(row)
            if not row.ok:
                continue
            if row.target is None:
                row.action = CREATE
                continue
            for column in self.sheet.columns:
                new = row.values.get(column.field, KEEP)
                if new is KEEP:
                    continue
                old = self.current(row.target, column.field)
                if comparable(old) != comparable(new):
                    row.changed[column.field] = new
                    row.changes.append(Change(column.header, column.show(old), column.show(new)))
            row.action = UPDATE if row.changed else UNCHANGED

    def _record(self, row: Row, report: ImportReport) -> None:
        report.rows += 1
        if not row.ok:
            for issue in row.issues:
                report.add_issue(issue)
            return
        if row.action == CREATE:
            report.created += 1
        elif row.action == UPDATE:
            report.updated += 1
        else:
            report.unchanged += 1
            return
        if len(report.preview) < report.preview_limit:
            values = [
                (column.header, column.show(row.values[column.field]))
                for column in self.sheet.columns
                if column.field in row.values
            ]
            report.preview.append(
                Preview(
                    number=row.number,
                    action=row.action,
                    label=self.label(row),
                    values=values if row.action == CREATE else [],
                    changes=row.changes,
                )
            )

    def _guarded(self, row: Row, write: Any, *args: Any) -> None:
        try:
            write(*args)
        except ServiceError as exc:
            row.fail(exc.field, exc.message)
        except ValidationError as exc:
            row.fail(None, "；".join(exc.messages))

    def _write(self, rows: list[Row], report: ImportReport) -> None:
        creates = [row for row in rows if row.action == CREATE]
        if creates:
            self.create_many(creates)
        if all(row.ok for row in creates):
            for row in rows:
                if row.action == UPDATE:
                    self._guarded(row, self.update, row.target, dict(row.changed))
                    if not row.ok:
                        break
        for row in rows:
            for issue in row.issues:
                report.add_issue(issue)


def values_of(row: Row) -> dict[str, Any]:
    """A row's values for `create`: what the file gives (masked "keep" cells left out)."""
    return {k: v for k, v in row.values.items() if v is not KEEP}
