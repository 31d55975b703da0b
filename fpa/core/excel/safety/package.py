"""Steps 3 to 5: the zip's central directory, the package parts, inflating every member within
the limits."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext

from fpa.core.excel.safety.common import (
    BOMB_LIE,
    BOMB_RATIO,
    BOMB_TOTAL,
    CORRUPT,
    ENCRYPTED,
    EXTERNAL_LINKS,
    MACROS,
    MALFORMED,
    NOT_XLSX,
    TOO_MANY_MEMBERS,
    XLSB,
    ZIP_MAGIC,
    Limits,
    UnsafeFile,
    human_size,
)

# --- step 3: the central directory ------------------------------------------------------------


MACRO_PARTS = re.compile(
    r"(^|/)vbaProject\.bin$|(^|/)vbaProjectSignature|^xl/activeX/|^xl/macrosheets/|"
    r"^xl/dialogsheets/",
    re.IGNORECASE,
)


# Links to other workbooks, and external data connections (ODBC, web queries) refreshed on open.
EXTERNAL_PARTS = re.compile(r"^xl/(externalLinks/|connections\.xml$|queryTables/)", re.IGNORECASE)


def _check_directory(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise UnsafeFile(gettext(TOO_MANY_MEMBERS) % {"count": len(members)})
    if any(m.flag_bits & 0x1 for m in members):
        raise UnsafeFile(ENCRYPTED)
    if any(MACRO_PARTS.search(m.filename) for m in members):
        raise UnsafeFile(MACROS)
    if any(EXTERNAL_PARTS.search(m.filename) for m in members):
        raise UnsafeFile(EXTERNAL_LINKS)
    if any(m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for m in members):
        raise UnsafeFile(MALFORMED)
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed:
        raise UnsafeFile(gettext(BOMB_TOTAL) % {"limit": human_size(limits.max_uncompressed)})
    for m in members:
        if m.file_size >= limits.ratio_floor and m.file_size > limits.max_ratio * max(
            m.compress_size, 1
        ):
            raise UnsafeFile(gettext(BOMB_RATIO) % {"ratio": limits.max_ratio})


# --- step 4: the package parts ----------------------------------------------------------------

WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)


def _read_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> bytes:
    if member.file_size > limits.max_part:
        raise UnsafeFile(MALFORMED)
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise UnsafeFile(CORRUPT) from exc
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise UnsafeFile(MALFORMED)  # no OOXML part has a DTD; entity tricks are refused
    return data


def _parse_xml(data: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - DTDs refused in _read_part
    except ElementTree.ParseError as exc:
        raise UnsafeFile(MALFORMED) from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_content_types(data: bytes) -> None:
    types = [
        (el.get("ContentType") or "").lower()
        for el in _parse_xml(data).iter()
        if _local(el.tag) in {"Default", "Override"}
    ]
    if any("macroenabled" in t or "vbaproject" in t for t in types):
        raise UnsafeFile(MACROS)
    if any("spreadsheetml.sheet.binary" in t or "ms-excel.sheet.binary" in t for t in types):
        raise UnsafeFile(XLSB)
    if not any(t in WORKBOOK_TYPES for t in types):
        raise UnsafeFile(NOT_XLSX)


def _workbook_sheets(
    archive: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], limits: Limits
) -> list[tuple[str, str]]:
    """(sheet name, worksheet part) in workbook order; chart and dialog sheets left out."""
    workbook = _parse_xml(_read_part(archive, by_name["xl/workbook.xml"], limits))
    rels_member = by_name.get("xl/_rels/workbook.xml.rels")
    if rels_member is None:
        raise UnsafeFile(MALFORMED)
    targets: dict[str, str] = {}
    for rel in _parse_xml(_read_part(archive, rels_member, limits)).iter():
        if _local(rel.tag) != "Relationship" or not (rel.get("Type") or "").endswith("/worksheet"):
            continue
        if (rel.get("TargetMode") or "").lower() == "external":
            raise UnsafeFile(EXTERNAL_LINKS)
        # calamine's rule, so that the part scanned here is the part it reads.
        target = rel.get("Target") or ""
        if target.startswith("/xl/"):
            path = target[1:]
        elif target.startswith("xl/"):
            path = target
        else:
            path = "xl/" + target
        targets[rel.get("Id") or ""] = path
    sheets = []
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
        part = targets.get(rel_id)
        if part is None:
            continue
        if part not in by_name:
            raise UnsafeFile(MALFORMED)
        sheets.append((sheet.get("name") or "", part))
    if len({name for name, _ in sheets}) != len(sheets):
        raise UnsafeFile(MALFORMED)
    return sheets


# --- step 5: inflate every member, scan the worksheet -------------------------------------------

CHUNK = 256 * 1024


def _inflate(stream: Any, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's content, inflated here so that its real size and CRC are checked."""
    stream.seek(member.header_offset)
    header = stream.read(30)
    if len(header) != 30 or header[:4] != ZIP_MAGIC:
        raise UnsafeFile(CORRUPT)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    stream.seek(member.header_offset + 30 + name_length + extra_length)
    remaining = member.compress_size
    produced = 0
    crc = 0
    inflater = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
    while remaining > 0:
        chunk = stream.read(min(CHUNK, remaining))
        if not chunk:
            raise UnsafeFile(CORRUPT)
        remaining -= len(chunk)
        pending = chunk
        while pending:
            if inflater is None:
                out, pending = pending, b""
            else:
                try:
                    out = inflater.decompress(pending, CHUNK)
                except zlib.error as exc:
                    raise UnsafeFile(CORRUPT) from exc
                pending = inflater.unconsumed_tail
            produced += len(out)
            if produced > member.file_size:
                raise UnsafeFile(BOMB_LIE)
            crc = zlib.crc32(out, crc)
            if out:
                yield out
            if inflater is not None and inflater.eof:
                break
    if inflater is not None:
        tail = inflater.flush()
        produced += len(tail)
        if produced > member.file_size:
            raise UnsafeFile(BOMB_LIE)
        crc = zlib.crc32(tail, crc)
        if tail:
            yield tail
    if produced != member.file_size or crc != member.CRC:
        raise UnsafeFile(CORRUPT)
