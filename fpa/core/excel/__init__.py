"""The shared Excel engine: each module declares its columns once and calls these.

    from fpa.core import excel

    SHEET = excel.Sheet(
        title="工作人员",
        columns=(
            excel.Column("姓名", "name", required=True, parse=excel.text(max_length=50)),
            excel.Column("身份证号码", "id_number", required=True, parse=excel.id_number(),
                         protected="id_number", width=22),
            ...
        ),
        key=("association", "id_number", "post"),
    )

    class StaffImporter(excel.Importer):      # hooks: prepare, key, existing, validate,
        sheet = SHEET                         # create, update (the module's real services)

    report = StaffImporter(actor=user).dry_run(upload)   # or .commit(upload): all or nothing
    excel.template_response(SHEET)                       # blank template
    excel.export_response(SHEET, scoped_queryset, actor=user, reveal=False)

Safety checks (`safety.inspect`) run before any parser sees an upload; see safety.py.
"""

from fpa.core.excel.columns import (
    DATE,
    KEEP,
    NUMBER,
    TEXT,
    Choice,
    Column,
    Sheet,
    boolean,
    choice,
    code,
    date,
    decimal_number,
    id_number,
    integer,
    phone,
    text,
)
from fpa.core.excel.importer import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Change,
    Importer,
    ImportReport,
    Preview,
    PreviewCell,
    PreviewRow,
    Row,
    comparable,
    report_from_json,
    report_to_json,
    values_of,
)
from fpa.core.excel.reader import Issue, cell_text, read_table
from fpa.core.excel.safety import Limits, UnsafeFile, inspect, neutralise, read_upload
from fpa.core.excel.writer import XLSX, export_response, template_response, write_workbook

__all__ = [
    "CREATE",
    "DATE",
    "KEEP",
    "NUMBER",
    "TEXT",
    "UNCHANGED",
    "UPDATE",
    "XLSX",
    "Change",
    "Choice",
    "Column",
    "ImportReport",
    "Importer",
    "Issue",
    "Limits",
    "Preview",
    "PreviewCell",
    "PreviewRow",
    "Row",
    "Sheet",
    "UnsafeFile",
    "boolean",
    "cell_text",
    "choice",
    "code",
    "comparable",
    "date",
    "decimal_number",
    "export_response",
    "id_number",
    "inspect",
    "integer",
    "neutralise",
    "phone",
    "read_table",
    "read_upload",
    "report_from_json",
    "report_to_json",
    "template_response",
    "text",
    "values_of",
    "write_workbook",
]
