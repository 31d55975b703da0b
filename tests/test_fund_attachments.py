"""Grant attachments (申请表扫描件, 证明材料, 照片; issue 12 item 8): checked by the one upload
mechanism (fpa.core.uploads), stored under a random name outside every public URL, the upload
audited, downloaded only in scope (another township's user and anonymous users are refused), never
shown on the public pages. The files are real: images made with Pillow, PDFs written by Pillow or
by hand; nothing of the project is mocked."""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from fpa.core import uploads
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.fund import services
from fpa.fund.models import Grant, GrantAttachment
from tests.conftest import DAZHUANG, login
from tests.fund_helpers import approved_grant, county_fund, family_in, give, grant_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def grant(county: Any, finance: Any, village: Any) -> Grant:
    give(finance, county_fund(county))
    return grant_for(village, family_in(village, DAZHUANG))


# --- files made for the tests ---------------------------------------------------------------------


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret note 13900001111")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def real_pdf() -> bytes:
    """A scanned page as Pillow writes it: a real PDF with a JPEG image stream."""
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), (250, 250, 245)).save(buffer, format="PDF", resolution=72)
    return buffer.getvalue()


def hand_pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A small PDF written by hand: the objects, a cross-reference table and a trailer."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def attach(actor: Any, grant: Grant, data: bytes, name: str = "file.pdf", kind: str = "form"):
    return services.grant_attachment_add(
        actor=actor, grant=grant, kind=kind, upload=upload(name, data)
    )


# --- what a file must be --------------------------------------------------------------------------


def test_a_png_is_accepted_and_stored_re_encoded_under_a_random_name(
    grant: Grant, village: Any, media: Path
):
    original = png_with_text()
    item = attach(village, grant, original, name="../../申请表.png", kind="form")
    stored = (media / item.file).read_bytes()
    assert item.format == "png" and item.size == len(stored)
    assert stored.startswith(b"\x89PNG") and b"secret note" not in stored and stored != original
    assert item.file.startswith(f"fund/attachments/{grant.pk}/") and "申请表" not in item.file
    assert len(Path(item.file).stem) == 32  # a random name, not the client's
    row = AuditEvent.objects.get(object_type="fund.grantattachment", object_id=str(item.pk))
    assert row.action == AuditEvent.Action.CREATE and row.actor_id == village.pk


def test_a_real_pdf_is_accepted_as_sent(grant: Grant, township: Any, media: Path):
    data = real_pdf()
    assert data.startswith(b"%PDF-") and b"/DCTDecode" in data
    item = attach(township, grant, data, kind="proof")
    assert item.format == "pdf" and (media / item.file).read_bytes() == data
    assert item.file.endswith(".pdf")


def test_random_bytes_of_an_image_stream_are_not_read_as_pdf_names(grant: Grant, township: Any):
    # An image stream may contain any bytes, "/JS " too; a reader never parses them.
    scan = stream(b"/Type /XObject /Subtype /Image /Filter /DCTDecode", b"\xff\xd8/JS \x00\xff\xd9")
    data = hand_pdf(CATALOG, PAGES, PAGE, scan)
    assert attach(township, grant, data).format == "pdf"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            hand_pdf(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                PAGES,
                PAGE,
                b"<< /S /JavaScript /JS (app.alert(1)) >>",
            ),
            "JavaScript",
        ),
        (hand_pdf(CATALOG, PAGES, PAGE, b"<< /S /J#61vaScript /J#53 (x) >>"), "JavaScript"),
        (hand_pdf(CATALOG, PAGES, PAGE, b"<< /S /Launch /F (cmd.exe) >>"), "Launch"),
        (
            hand_pdf(CATALOG, PAGES, PAGE, b"<< /Type /EmbeddedFile /Subtype /x#2Dmsdownload >>"),
            "EmbeddedFile",
        ),
        (
            hand_pdf(
                CATALOG,
                PAGES,
                PAGE,
                stream(
                    b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode",
                    zlib.compress(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>"),
                ),
            ),
            "JavaScript",
        ),
        (
            hand_pdf(
                CATALOG, PAGES, PAGE, b"<< /Filter /Standard /V 2 >>", trailer=b"/Encrypt 4 0 R "
            ),
            "已加密",
        ),
        (real_pdf()[:-200], "不完整"),
    ],
    ids=[
        "javascript",
        "escaped-name",
        "launch",
        "embedded-file",
        "object-stream",
        "encrypted",
        "truncated",
    ],
)
def test_a_pdf_that_acts_hides_or_is_broken_is_refused(
    grant: Grant, township: Any, media: Path, data: bytes, message: str
):
    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError, match=message) as refused:
        attach(township, grant, data, name="证明.pdf")
    assert refused.value.field == "file" and "“证明.pdf”：" in refused.value.message
    assert not GrantAttachment.objects.exists() and AuditEvent.objects.count() == before
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_renamed_executable_is_refused_whatever_its_name_says(grant: Grant, township: Any):
    exe = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
    )
    for name, content_type in (("scan.pdf", "application/pdf"), ("photo.jpg", "image/jpeg")):
        with pytest.raises(ServiceError, match="无法识别的文件"):
            services.grant_attachment_add(
                actor=township, grant=grant, kind="proof", upload=upload(name, exe, content_type)
            )
    assert not GrantAttachment.objects.exists()


def test_an_oversize_file_is_refused_before_it_is_read(grant: Grant, township: Any):
    big = real_pdf() + b"%" + b"x" * (uploads.MAX_PDF_BYTES) + b"\n%%EOF\n"
    with pytest.raises(ServiceError, match="文件不能超过10 MB"):
        attach(township, grant, big)
    noise = Image.frombytes("RGB", (1600, 1400), bytes(range(256)) * 26250)
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=0)
    assert uploads.MAX_IMAGE_BYTES < len(buffer.getvalue()) < uploads.MAX_PDF_BYTES
    with pytest.raises(ServiceError, match="照片不能超过5 MB"):
        attach(township, grant, buffer.getvalue(), name="big.png")
    assert not GrantAttachment.objects.exists()


# --- who may upload, when -------------------------------------------------------------------------


def test_upload_is_refused_out_of_scope_without_the_capabilities_and_once_finished(
    grant: Grant, township2: Any, auditor: Any, village: Any, township: Any, county: Any
):
    with pytest.raises(NotAllowed):
        attach(township2, grant, real_pdf())  # another township
    with pytest.raises(NotAllowed):
        attach(auditor, grant, real_pdf())  # reads grants, takes no step
    services.grant_review(actor=township, grant=grant, approve=False, note="不符合条件")
    with pytest.raises(ServiceError, match="未通过，不能再上传附件"):
        attach(village, grant, real_pdf())
    assert not GrantAttachment.objects.exists()


def test_upload_on_the_grant_page(grant: Grant, village: Any, township2: Any, client_for: Any):
    url = reverse("fund:grant_attachment_add", args=[grant.pk])
    client = client_for(village)
    page = client.get(reverse("fund:grant_detail", args=[grant.pk])).content.decode()
    assert url in page and 'enctype="multipart/form-data"' in page
    assert "附件上传后不能删除" in page  # the confirmation says what will happen
    response = client.post(
        url, {"kind": "photo", "file": upload("a.png", png_with_text(), "image/png")}
    )
    assert response.status_code == 302
    assert "已上传附件：照片" in client.get(response["Location"]).content.decode()
    bad = client.post(url, {"kind": "proof", "file": upload("a.pdf", b"MZ-not-a-pdf")})
    assert "无法识别的文件" in client.get(bad["Location"]).content.decode()
    empty = client.post(url, {"kind": "proof"})
    assert "请选择要上传的文件" in client.get(empty["Location"]).content.decode()
    assert GrantAttachment.objects.count() == 1
    refused = client_for(township2).post(
        url, {"kind": "proof", "file": upload("b.pdf", real_pdf())}
    )
    assert refused.status_code == 404 and GrantAttachment.objects.count() == 1


# --- who may download -----------------------------------------------------------------------------


def test_download_in_scope_only(
    grant: Grant, village: Any, township: Any, township2: Any, volunteer: Any, client_for: Any
):
    data = real_pdf()
    item = attach(village, grant, data)
    url = reverse("fund:grant_attachment", args=[item.pk])
    response = client_for(township).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{item.download_name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert client_for(township2).get(url).status_code == 404  # another township
    assert client_for(volunteer).get(url).status_code == 403  # no fund.view
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    page = client_for(township).get(reverse("fund:grant_detail", args=[grant.pk])).content.decode()
    assert url in page


def test_attachments_never_reach_the_public_pages(
    county: Any, finance: Any, village: Any, township: Any, client: Client
):
    fund = county_fund(county)
    give(finance, fund)
    grant = approved_grant(village, township, county, family_in(village, DAZHUANG))  # in notice
    item = attach(village, grant, real_pdf())
    code = fund.association.code
    for url in (
        reverse("fund:public_grant", args=[code, grant.number]),
        reverse("fund:public_grants", args=[code]),
        reverse("fund:public_home", args=[code]),
    ):
        body = client.get(url).content.decode()
        assert grant.number in body
        assert "/fund/attachments/" not in body and item.file not in body and "附件" not in body


def test_the_stored_files_have_no_url_but_the_scoped_view(grant: Grant, village: Any):
    """The files are under MEDIA_ROOT, which no URL serves: only the scoped view reaches them."""
    item = attach(village, grant, real_pdf())
    for path in (f"/media/{item.file}", f"/{item.file}", f"/static/{item.file}"):
        assert login(Client(), village).get(path).status_code == 404
