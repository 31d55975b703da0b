"""The whole check of an uploaded workbook, step by step: size, then the package, then the sheet."""

from __future__ import annotations

import io
import zipfile
from typing import IO

from django.utils.translation import gettext

from fpa.core.excel.safety.common import (
    CORRUPT,
    EMPTY,
    MALFORMED,
    NO_SHEET,
    NOT_XLSX,
    OLE2,
    OLE2_MAGIC,
    TOO_LARGE,
    XLSB,
    ZIP_MAGIC,
    Inspection,
    Limits,
    UnsafeFile,
    human_size,
)
from fpa.core.excel.safety.package import (
    _check_content_types,
    _check_directory,
    _inflate,
    _read_part,
    _workbook_sheets,
)
from fpa.core.excel.safety.sheet import _check_shared_strings, _scan_sheet

# --- step 1: size ---------------------------------------------------------------------------


def read_upload(upload: IO[bytes] | bytes, limits: Limits | None = None) -> bytes:
    """The bytes of an upload, refusing an empty or oversized one without reading it all."""
    limits = limits or Limits.from_settings()
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        declared = getattr(upload, "size", None)
        if declared is not None and declared > limits.max_bytes:
            raise UnsafeFile(
                gettext(TOO_LARGE)
                % {"size": human_size(declared), "limit": human_size(limits.max_bytes)}
            )
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limits.max_bytes + 1)
    if not data:
        raise UnsafeFile(EMPTY)
    if len(data) > limits.max_bytes:
        size = human_size(max(len(data), getattr(upload, "size", 0) or 0))
        raise UnsafeFile(gettext(TOO_LARGE) % {"size": size, "limit": human_size(limits.max_bytes)})
    return data


# --- the whole check ------------------------------------------------------------------------


def inspect(data: bytes, *, sheet_name: str = "", limits: Limits | None = None) -> Inspection:
    """Run every check on the bytes of an upload; raises UnsafeFile with the user's message.

    `sheet_name` is the sheet the caller wants; without it (or when the workbook has no sheet of
    that name) the first worksheet is read and scanned.
    """
    limits = limits or Limits.from_settings()
    data = read_upload(data, limits)
    if data.startswith(OLE2_MAGIC[:4]):
        raise UnsafeFile(OLE2)
    if not data.startswith(ZIP_MAGIC):
        raise UnsafeFile(NOT_XLSX)
    stream = io.BytesIO(data)
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise UnsafeFile(CORRUPT) from exc
    with archive:
        _check_directory(members, limits)
        names = {m.filename for m in members}
        if len(names) != len(members):
            raise UnsafeFile(MALFORMED)  # two members of one name: which one would be read?
        if "xl/workbook.bin" in names:
            raise UnsafeFile(XLSB)
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise UnsafeFile(NOT_XLSX)
        by_name = {m.filename: m for m in members}
        _check_content_types(_read_part(archive, by_name["[Content_Types].xml"], limits))
        sheets = _workbook_sheets(archive, by_name, limits)
        if not sheets:
            raise UnsafeFile(NO_SHEET)
        chosen = next((s for s in sheets if s[0] == sheet_name), sheets[0])
        inspection = Inspection(sheet_name=chosen[0], sheet_names=[s[0] for s in sheets])
        for member in members:
            chunks = _inflate(stream, member)
            if member.filename == chosen[1]:
                _scan_sheet(chunks, inspection, limits)
            elif member.filename.lower().endswith("sharedstrings.xml"):
                _check_shared_strings(chunks, member, limits)
            else:
                for _ in chunks:
                    pass
    return inspection
