"""Refuse a dangerous upload before any spreadsheet parser sees it, and defuse what we write.

An upload is checked in this order, each refusal with its own message for the user:

1. size (empty, over the limit);
2. magic bytes, not the extension: an OLE2/CFB container (D0 CF 11 E0) is a legacy .xls or an
   encrypted .xlsx; anything not starting with a ZIP local header is not an .xlsx (a CSV renamed);
3. the ZIP central directory (no member is extracted): readable at all (a truncated file is not),
   number of members, encrypted members, macros (vbaProject.bin, ActiveX, Excel 4 macro sheets),
   external links, the sum of declared sizes and each member's compression ratio (zip bombs);
4. the package parts: [Content_Types].xml (a macro-enabled or binary workbook), the workbook's sheet
   list, each read whole only after the sizes above passed and never with a DOCTYPE;
5. every member is then streamed once through zlib, output counted against its declared size and
   CRC (a member that lies about its size is a bomb that zipfile would silently truncate but the
   Rust reader behind python-calamine would inflate in full), and the worksheet to be read is
   scanned for its declared dimension, its real extent, formula cells and error cells.

Step 5 exists because calamine allocates the whole rectangle from the first to the last cell of a
sheet before iterating: a sheet holding only A1 and XFD1048576 makes it request half a terabyte and
abort the process. Nothing is stored: the scan keeps counters and the positions of formula cells.

Modules: `common` (limits, messages, the result), `check` (``read_upload`` and ``inspect``,
the whole check in order), `package` (the zip directory and the package parts), `sheet` (the
worksheet scan), `formulas` (formula injection in what we write).
"""

from fpa.core.excel.safety.check import (
    inspect,
    read_upload,
)
from fpa.core.excel.safety.common import (
    BOMB_LIE,
    BOMB_RATIO,
    BOMB_TOTAL,
    CORRUPT,
    EMPTY,
    ENCRYPTED,
    EXTERNAL_LINKS,
    MACROS,
    MALFORMED,
    MB,
    NO_SHEET,
    NOT_XLSX,
    OLE2,
    OLE2_MAGIC,
    TOO_LARGE,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_FORMULAS,
    TOO_MANY_MEMBERS,
    TOO_MANY_ROWS,
    XLSB,
    ZIP_MAGIC,
    Inspection,
    Limits,
    UnsafeFile,
    human_size,
)
from fpa.core.excel.safety.formulas import (
    CONTROL_TRIGGERS,
    FORMULA_TRIGGERS,
    is_dangerous,
    neutralise,
    unneutralise,
)
from fpa.core.excel.safety.package import (
    CHUNK,
    EXTERNAL_PARTS,
    MACRO_PARTS,
    WORKBOOK_TYPES,
)
from fpa.core.excel.safety.sheet import (
    MAX_EXCEL_COLUMN,
    MAX_EXCEL_ROW,
    MAX_MARKED_CELLS,
    MAX_TAIL,
    _attrs,
    column_index,
    parse_ref,
)

__all__ = [
    "BOMB_LIE",
    "BOMB_RATIO",
    "BOMB_TOTAL",
    "CHUNK",
    "CONTROL_TRIGGERS",
    "CORRUPT",
    "EMPTY",
    "ENCRYPTED",
    "EXTERNAL_LINKS",
    "EXTERNAL_PARTS",
    "FORMULA_TRIGGERS",
    "MACROS",
    "MACRO_PARTS",
    "MALFORMED",
    "MAX_EXCEL_COLUMN",
    "MAX_EXCEL_ROW",
    "MAX_MARKED_CELLS",
    "MAX_TAIL",
    "MB",
    "NOT_XLSX",
    "NO_SHEET",
    "OLE2",
    "OLE2_MAGIC",
    "TOO_LARGE",
    "TOO_MANY_CELLS",
    "TOO_MANY_COLUMNS",
    "TOO_MANY_FORMULAS",
    "TOO_MANY_MEMBERS",
    "TOO_MANY_ROWS",
    "WORKBOOK_TYPES",
    "XLSB",
    "ZIP_MAGIC",
    "Inspection",
    "Limits",
    "UnsafeFile",
    "_attrs",
    "column_index",
    "human_size",
    "inspect",
    "is_dangerous",
    "neutralise",
    "parse_ref",
    "read_upload",
    "unneutralise",
]
