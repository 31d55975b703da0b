"""Photos of care records: what an upload must be before anything is stored. Pure, no ORM.

The checks are `fpa.core.uploads` (one validated-upload mechanism for every module): an upload is
accepted only when Pillow decodes it completely as a still JPEG, PNG or WebP image of at most 5 MB
and 40 megapixels, and only the image re-encoded from the decoded pixels is kept (no EXIF, GPS,
comments or appended bytes). What is the care log's own is here: at most five photos a record,
and the messages that name the record.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from fpa.core.uploads import ACCEPT_IMAGES as ACCEPT_ATTR
from fpa.core.uploads import ACCEPTED_IMAGES as ACCEPTED
from fpa.core.uploads import (
    CONTENT_TYPES,
    EXTENSIONS,
    JPEG_QUALITY,
    MAX_PIXELS,
    MAX_SIDE,
    THUMB_SIDE,
    display_name,
    read_upload,
)
from fpa.core.uploads import MAX_IMAGE_BYTES as MAX_BYTES
from fpa.core.uploads import CleanImage as CleanPhoto
from fpa.core.uploads import UploadError as PhotoError
from fpa.core.uploads import clean_image as clean

MAX_PER_RECORD = 5

__all__ = [
    "ACCEPTED",
    "ACCEPT_ATTR",
    "CONTENT_TYPES",
    "EXTENSIONS",
    "JPEG_QUALITY",
    "MAX_BYTES",
    "MAX_PER_RECORD",
    "MAX_PIXELS",
    "MAX_SIDE",
    "THUMB_SIDE",
    "CleanPhoto",
    "PhotoError",
    "clean",
    "clean_many",
    "read_upload",
]


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
            raise PhotoError(f"{display_name(name)}{exc}" if name else str(exc)) from exc
    return out
