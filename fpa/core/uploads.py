"""Validated uploads, one mechanism for every module: what a file must be before anything is
stored, how it is stored and how it is served. Pure checks, no ORM.

Images (care photos, grant attachments). Accepted only when Pillow decodes the upload completely
as a still JPEG, PNG or WebP image of at most 5 MB and 40 megapixels. The client's file name and
content type are never trusted: the bytes are decoded, and only the image re-encoded from the
decoded pixels is kept, so EXIF (GPS location, camera, time), XMP, ICC profiles, comments and
anything appended to the file (an HTML or script polyglot) are gone. SVG, HTML or text with an
image extension, GIF, animations, truncated or corrupt files and decompression bombs are refused
with a message in Chinese.

PDF (grant attachments: scanned forms, certificates). A PDF cannot be re-encoded here, so it is
checked and kept as sent: it must start with the magic bytes ``%PDF-``, end with ``%%EOF``, be at
most 10 MB, and carry none of the names that make a PDF act or hide things: ``/JS``,
``/JavaScript``, ``/Launch``, ``/EmbeddedFile(s)``, ``/Encrypt`` (an encrypted file cannot be
checked). The scan reads the names as a PDF reader does (``#xx`` escapes decoded) and looks
inside compressed object streams (``/ObjStm``), where such names can hide; the only bytes it
skips are the inside of image streams (DCT, JPX, CCITT, JBIG2 data whose direct ``/Length`` is
followed by ``endstream``), which a reader never parses for objects and whose random bytes would
otherwise sometimes spell ``/JS``.

Anything else (an executable renamed .pdf or .jpg, an Office file, an archive) is refused by its
first bytes, whatever its name says. Stored files get a random name (`random_name`) in the
default storage under MEDIA_ROOT, which no URL serves; `file_response` serves one from a scoped
view as a download with ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # width * height, checked from the header before decoding
MAX_SIDE = 4096  # larger images are scaled down when re-encoded
THUMB_SIDE = 480
ACCEPTED_IMAGES = ("JPEG", "PNG", "WEBP")  # the only decoders tried: no EPS/Ghostscript, PSD …
ACCEPT_IMAGES = "image/jpeg,image/png,image/webp"  # the file picker's filter (a hint, not a check)
ACCEPT_DOCUMENTS = ACCEPT_IMAGES + ",application/pdf"
JPEG_QUALITY = 85

CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "pdf": "pdf"}


class UploadError(ValueError):
    """An upload that is not acceptable; the message is shown to users."""


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded without metadata: what may be stored."""

    data: bytes
    format: str  # "jpeg" or "png"
    width: int
    height: int
    thumb: bytes  # a JPEG of at most THUMB_SIDE on the long side

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class CleanFile:
    """A checked document (a re-encoded image or a checked PDF): what may be stored."""

    data: bytes
    format: str  # "jpeg", "png" or "pdf"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


# --- reading -------------------------------------------------------------------------------------


def read_upload(upload: Any, *, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of an uploaded file (or bytes), refusing more than `limit` without reading
    them all."""
    if isinstance(upload, bytes | bytearray | memoryview):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise UploadError(_too_big(size, limit))
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadError(_too_big(len(data), limit))
    if not data:
        raise UploadError(gettext("文件是空的。"))
    return data


def _too_big(size: int, limit: int) -> str:
    shown = f"{size / 1024 / 1024:.1f}"
    if limit == MAX_IMAGE_BYTES:
        return gettext("照片不能超过5 MB（此文件约%(size)s MB）。") % {"size": shown}
    return gettext("文件不能超过%(limit)s MB（此文件约%(size)s MB）。") % {
        "limit": limit // 1024 // 1024,
        "size": shown,
    }


def display_name(name: str) -> str:
    """The client's file name, only to say which file was refused (never stored or trusted)."""
    shown = "".join(ch for ch in str(name)[-60:] if ch.isprintable())
    return f"“{shown}”：" if shown else ""


# --- images --------------------------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=ACCEPTED_IMAGES)


def clean_image(upload: Any) -> CleanImage:
    """Decode, check and re-encode one image upload; raises UploadError."""
    return _image(read_upload(upload))


def _image(data: bytes) -> CleanImage:
    if data[:64].lstrip().lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        raise UploadError(gettext("这不是照片文件（SVG、网页或文本不能上传）。"))
    # Any decompression-bomb warning of Pillow is an error here (our own limit comes first).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(data)
        except UploadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadError(_bomb()) from exc
        except UnidentifiedImageError as exc:
            raise UploadError(
                gettext("无法识别的文件：只能上传JPEG、PNG或WebP格式的照片。")
            ) from exc
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
            raise UploadError(gettext("照片文件已损坏或不完整，无法读取。")) from exc


def _bomb() -> str:
    return gettext("照片像素过大（超过%(megapixels)s万像素），请缩小后再上传。") % {
        "megapixels": MAX_PIXELS // 10_000
    }


def _decode(data: bytes) -> CleanImage:
    with _open(data) as probe:
        if probe.format not in ACCEPTED_IMAGES:  # pragma: no cover - `formats=` restricts
            raise UploadError(gettext("只能上传JPEG、PNG或WebP格式的照片。"))
        width, height = probe.size
        if width < 1 or height < 1:
            raise UploadError(gettext("照片尺寸不正确。"))
        if width * height > MAX_PIXELS:
            raise UploadError(_bomb())
        if getattr(probe, "is_animated", False) or getattr(probe, "n_frames", 1) > 1:
            raise UploadError(gettext("不能上传动图，请上传静态照片。"))
        source_format = probe.format
        probe.verify()  # structure and checksums (PNG CRCs); the image is unusable afterwards
    with _open(data) as image:
        if image.format != source_format or image.size != (width, height):
            raise UploadError(gettext("照片文件已损坏或不完整，无法读取。"))
        image.load()  # decodes every pixel: truncated or corrupt data fails here
        oriented = _orient(image)
        return _encode(oriented, source_format)


def _orient(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation to the pixels (phones rotate that way), before EXIF is dropped."""
    try:
        turned = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        turned = None
    return turned if turned is not None else image


def _normalise(image: Image.Image) -> Image.Image:
    """Pixels in one of L, LA, RGB, RGBA (alpha kept only where something is transparent)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode in ("P", "PA"):
        transparent = image.mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if transparent else "RGB")
    elif image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    if image.mode in ("LA", "RGBA") and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert(image.mode[:-1])  # fully opaque: the alpha channel carries nothing
    return image


def _encode(image: Image.Image, source_format: str) -> CleanImage:
    """New pixels, new file: nothing of the original's metadata or trailing bytes survives."""
    pixels = _normalise(image)
    alpha = pixels.mode in ("LA", "RGBA")
    # A JPEG stays a JPEG; a PNG stays a PNG; a WebP becomes a JPEG (a PNG if transparent).
    target = "png" if source_format == "PNG" or alpha else "jpeg"
    if pixels is image:
        pixels = image.copy()
    if max(pixels.size) > MAX_SIDE:
        pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    pixels.info = {}
    out = io.BytesIO()
    if target == "png":
        pixels.save(out, format="PNG")
    else:
        pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanImage(
        data=out.getvalue(),
        format=target,
        width=pixels.width,
        height=pixels.height,
        thumb=_thumb(pixels),
    )


def _thumb(pixels: Image.Image) -> bytes:
    small = pixels.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    if small.mode in ("RGBA", "LA"):
        rgba = small.convert("RGBA")
        background = Image.new("RGB", small.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        small = background
    elif small.mode != "L":
        small = small.convert("RGB")
    small.info = {}
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


# --- documents: an image or a PDF ----------------------------------------------------------------

_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def _is_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def clean_document(upload: Any) -> CleanFile:
    """A scanned form, a certificate or a photo: a JPEG, PNG or WebP image (re-encoded as
    `clean_image` does) or a PDF (checked by `check_pdf`), told apart by the first bytes, never
    by the name or the content type the client sent. Raises UploadError."""
    data = read_upload(upload, limit=MAX_PDF_BYTES)
    if data.startswith(b"%PDF-"):
        check_pdf(data)
        return CleanFile(data=data, format="pdf")
    if _is_image(data):
        if len(data) > MAX_IMAGE_BYTES:
            raise UploadError(_too_big(len(data), MAX_IMAGE_BYTES))
        image = _image(data)
        return CleanFile(data=image.data, format=image.format)
    raise UploadError(
        gettext(
            "无法识别的文件：只能上传PDF文件或JPEG、PNG、WebP格式的图片"
            "（按文件内容判断，不看扩展名）。"
        )
    )


# Names that make a PDF run something, open something, carry a file or hide its content.
_FORBIDDEN = re.compile(rb"/(JS|JavaScript|Launch|EmbeddedFiles?|Encrypt)(?=[\s/<>\[\]()%{}]|$)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_IMAGE_FILTERS = re.compile(rb"/(DCTDecode|JPXDecode|CCITTFaxDecode|JBIG2Decode)\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_FLATE = re.compile(rb"/FlateDecode\b")
MAX_INFLATED = 64 * 1024 * 1024  # what the object streams of one PDF may inflate to, in all
_WHY = {
    b"JS": "JavaScript",
    b"JavaScript": "JavaScript",
    b"Launch": "Launch",
    b"EmbeddedFile": "EmbeddedFile",
    b"EmbeddedFiles": "EmbeddedFile",
    b"Encrypt": "Encrypt",
}


def _unescape(data: bytes) -> bytes:
    """PDF names may spell a character as #xx (/J#61vaScript is /JavaScript)."""
    if b"#" not in data:
        return data
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _refuse_names(data: bytes) -> None:
    found = _FORBIDDEN.search(_unescape(data))
    if found is None:
        return
    if found.group(1) == b"Encrypt":
        raise UploadError(gettext("PDF文件已加密，无法检查其内容，请上传未加密的文件。"))
    raise UploadError(
        gettext(
            "PDF文件含有脚本、自动打开的动作或内嵌文件（%(what)s），不能上传。"
            "请打印成新的PDF或扫描后再上传。"
        )
        % {"what": _WHY[found.group(1)]}
    )


def _segments(data: bytes) -> Iterator[tuple[bytes, bytes | None]]:
    """(bytes to scan as PDF syntax, an object stream's compressed body or None), in order. The
    body of an image stream is left out when its direct /Length is followed by `endstream`."""
    position = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        if start <= position:
            continue
        dictionary = data[max(position, match.start() - 2048) : match.start()]
        dictionary = _unescape(dictionary[max(0, dictionary.rfind(b"obj")) :])
        length = _LENGTH.search(dictionary)
        if length is None:
            continue
        end = start + int(length.group(1))
        if not data[end : end + 24].lstrip().startswith(b"endstream"):
            continue  # not a stream a reader would skip the same way: scanned as it is
        if _IMAGE_FILTERS.search(dictionary):
            yield data[position : match.end()], None
            position = end
        elif _OBJECT_STREAM.search(dictionary):
            if not _FLATE.search(dictionary):
                raise UploadError(gettext("PDF文件的压缩方式无法检查，请另存为标准PDF后再上传。"))
            yield data[position : match.end()], data[start:end]
            position = end
    yield data[position:], None


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that is truncated, encrypted, or carries scripts, launch actions or embedded
    files (see the module's description). Raises UploadError."""
    if not data.startswith(b"%PDF-"):
        raise UploadError(gettext("这不是PDF文件。"))
    if b"%%EOF" not in data[-2048:]:
        raise UploadError(gettext("PDF文件不完整（缺少文件结尾），请重新导出或扫描后再上传。"))
    budget = MAX_INFLATED
    for syntax, packed in _segments(data):
        _refuse_names(syntax)
        if packed is None:
            continue
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(packed, budget + 1)
        except zlib.error as exc:
            raise UploadError(gettext("PDF文件已损坏，无法读取。")) from exc
        if len(inflated) > budget or inflater.unconsumed_tail:
            raise UploadError(gettext("PDF文件解压后过大，无法检查。"))
        budget -= len(inflated)
        _refuse_names(inflated)


# --- storing and serving -------------------------------------------------------------------------


def random_name(folder: str, extension: str) -> str:
    """A storage name nobody can guess or choose: `folder/<32 hex>.<extension>`."""
    return f"{folder.rstrip('/')}/{secrets.token_hex(16)}.{extension}"


def file_response(
    name: str, *, content_type: str, filename: str, inline: bool = False
) -> FileResponse:
    """A stored file, from a scoped view: its checked content type, `nosniff`, not cached, and a
    download (`attachment`) unless `inline`. A missing file is a 404."""
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404(gettext("文件不存在。")) from exc
    response = FileResponse(handle, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
