"""QR codes as inline SVG data URIs: the authenticator enrolment, and the printed papers whose
QR code opens their public check (member card, donation receipt, volunteer certificate).

The image is drawn on the server (qrcode's SVG path factory), so no page loads a script or an image
from elsewhere, and the Content-Security-Policy's `img-src data:` is all it needs."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg


def qr_data_uri(text: str) -> str:
    """`data:image/svg+xml;base64,...` for a QR code of `text` (error correction M: a printed code
    still scans with a crease or a stamp over a corner)."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
