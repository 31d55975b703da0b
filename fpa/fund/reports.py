"""Income and expense statements as workbooks, through the shared Excel engine."""

from __future__ import annotations

import tempfile
from types import SimpleNamespace
from typing import IO, TYPE_CHECKING

from django.http import FileResponse

from fpa.core.audit import audit_record
from fpa.core.excel.columns import NUMBER, Column, Sheet
from fpa.core.excel.writer import XLSX, write_workbook
from fpa.core.models import AuditEvent

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.fund.models import Fund
    from fpa.fund.selectors.statements import Statement

STATEMENT = Sheet(
    title="基金收支表",
    columns=(
        Column("项目", "section", required=True, width=12),
        Column("科目代码", "code", width=10),
        Column("科目名称", "name", width=22),
        Column("金额（元）", "amount", kind=NUMBER, width=16),
    ),
    key=("section",),
    notes=("本表由平台根据记账凭证自动生成，金额单位为元。",),
)


def statement_rows(statement: Statement) -> list[SimpleNamespace]:
    rows = [SimpleNamespace(section="期初资产", code="", name="", amount=statement.opening)]
    for section, lines, total in (
        ("收入", statement.income, statement.income_total),
        ("支出", statement.expense, statement.expense_total),
    ):
        rows += [
            SimpleNamespace(section=section, code=account.code, name=account.name, amount=amount)
            for account, amount in lines
        ]
        rows.append(SimpleNamespace(section=f"{section}合计", code="", name="", amount=total))
    rows.append(SimpleNamespace(section="收支结余", code="", name="", amount=statement.net))
    rows.append(SimpleNamespace(section="期末资产", code="", name="", amount=statement.closing))
    return rows


def statement_file(
    *, actor: User, fund: Fund, statement: Statement, year: int, month: int | None
) -> tuple[IO[bytes], str]:
    """The statement workbook in a temporary file (rewound), its file name; audited as an
    export by `actor`."""
    period = f"{year}年{month}月" if month else f"{year}年度"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    try:
        write_workbook(handle, STATEMENT, statement_rows(statement))
        audit_record(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            object_type="fund.statement",
            object_repr=f"{fund.name} {period}收支表",
            scope_path=fund.association.path,
        )
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle, f"{fund.name}{period}收支表.xlsx"


def statement_response(
    *, actor: User, fund: Fund, statement: Statement, year: int, month: int | None
) -> FileResponse:
    handle, name = statement_file(
        actor=actor, fund=fund, statement=statement, year=year, month=month
    )
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
