"""Photos of care records: what an upload must be before anything is stored. Pure, no ORM.

An upload is accepted only when Pillow decodes it completely as a still JPEG, PNG or WebP image of
at most 5 MB and 40 megapixels. The client's file name and content type are never trusted: the
bytes are decoded, and only the image re-encoded from the decoded pixels is kept, so EXIF (GPS
location, camera, time), XMP, ICC profiles, comments and anything appended to the file (an HTML or
script polyglot) are gone. SVG, HTML or text with an image extension, GIF, animations, truncated or
corrupt files and decompression bombs are refused with a message in Chinese.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # width * height, checked from the header before decoding
MAX_SIDE = 4096  # larger photos are scaled down when re-encoded
THUMB_SIDE = 480
MAX_PER_RECORD = 5
ACCEPTED = ("JPEG", "PNG", "WEBP")  # the only decoders tried: no EPS/Ghostscript, PSD, TIFF …
ACCEPT_ATTR = "image/jpeg,image/png,image/webp"  # the file picker's filter (a hint, not a check)
JPEG_QUALITY = 85

CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"jpeg": "jpg", "png": "png"}


class PhotoError(ValueError):
    """An upload that is not an acceptable photo; the message is shown to users."""


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded without metadata: what may be stored."""

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


def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file (or bytes), refusing more than MAX_BYTES without reading
    them all."""
    if isinstance(upload, bytes | bytearray | memoryview):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_BYTES:
            raise PhotoError(_too_big(size))
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoError(_too_big(len(data)))
    if not data:
        raise PhotoError(gettext("文件是空的。"))
    return data


def _too_big(size: int) -> str:
    return gettext("照片不能超过5 MB（此文件约%(size)s MB）。") % {
        "size": f"{size / 1024 / 1024:.1f}"
    }


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=ACCEPTED)


def clean(upload: Any) -> CleanPhoto:
    """Decode, check and re-encode one upload; raises PhotoError."""
    data = read_upload(upload)
    if data[:64].lstrip().lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        raise PhotoError(gettext("这不是照片文件（SVG、网页或文本不能上传）。"))
    # Any decompression-bomb warning of Pillow is an error here (our own limit comes first).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(data)
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoError(_bomb()) from exc
        except UnidentifiedImageError as exc:
            raise PhotoError(
                gettext("无法识别的文件：只能上传JPEG、PNG或WebP格式的照片。")
            ) from exc
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
            raise PhotoError(gettext("照片文件已损坏或不完整，无法读取。")) from exc


def _bomb() -> str:
    return gettext("照片像素过大（超过%(megapixels)s万像素），请缩小后再上传。") % {
        "megapixels": MAX_PIXELS // 10_000
    }


def _decode(data: bytes) -> CleanPhoto:
    with _open(data) as probe:
        if probe.format not in ACCEPTED:  # pragma: no cover - `formats=` already restricts
            raise PhotoError(gettext("只能上传JPEG、PNG或WebP格式的照片。"))
        width, height = probe.size
        if width < 1 or height < 1:
            raise PhotoError(gettext("照片尺寸不正确。"))
        if width * height > MAX_PIXELS:
            raise PhotoError(_bomb())
        if getattr(probe, "is_animated", False) or getattr(probe, "n_frames", 1) > 1:
            raise PhotoError(gettext("不能上传动图，请上传静态照片。"))
        source_format = probe.format
        probe.verify()  # structure and checksums (PNG CRCs); the image is unusable afterwards
    with _open(data) as image:
        if image.format != source_format or image.size != (width, height):
            raise PhotoError(gettext("照片文件已损坏或不完整，无法读取。"))
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


def _encode(image: Image.Image, source_format: str) -> CleanPhoto:
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
    return CleanPhoto(
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


def clean_many(uploads: list[Any], *, already: int = 0) -> list[CleanPhoto]:
    """Several uploads for one record that holds `already` photos: all good, or PhotoError naming
    the file that is not."""
    if already + len(uploads) > MAX_PER_RECORD:
        left = max(0, MAX_PER_RECORD - already)
        raise PhotoError(
            gettext("每条帮扶记录最多%(count)s张照片，还可上传%(left)s张。")
            % {"count": MAX_PER_RECORD, "left": left}
            if already
            else gettext("每条帮扶记录最多%(count)s张照片。") % {"count": MAX_PER_RECORD}
        )
    out = []
    for upload in uploads:
        try:
            out.append(clean(upload))
        except PhotoError as exc:
            name = getattr(upload, "name", "")
            raise PhotoError(f"{_display_name(name)}{exc}" if name else str(exc)) from exc
    return out


def _display_name(name: str) -> str:
    """The client's file name, only to say which file was refused (never stored or trusted)."""
    shown = "".join(ch for ch in str(name)[-60:] if ch.isprintable())
    return f"“{shown}”：" if shown else ""
