"""Scans of media reports (报纸版面、报道截图): checked by the shared upload mechanism
(`fpa.core.uploads.clean_document`: type from the content, images re-encoded without metadata,
PDFs scanned, size limits), stored under a random name outside every public URL, served only by a
scoped view; a fake PDF and oversized files are refused with nothing stored; another township,
another role and anonymous callers are refused."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from fpa.activities import services
from fpa.activities.models import Activity, MediaReport
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.uploads import MAX_IMAGE_BYTES, MAX_PDF_BYTES
from tests.activities_helpers import held, plan
from tests.conftest import DAZHUANG, LIUJIAXIA
from tests.test_api import api_client

pytestmark = pytest.mark.django_db
SECRET = "secret note 13900001111"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def small_pdf() -> bytes:
    """A one-page PDF written by hand: catalog, pages, a page with a text stream."""
    text = b"BT /F1 12 Tf 20 100 Td (Yongjing news) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def small_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 120, 200)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def fake_pdf() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script>%PDF-1.7</body></html>"


def upload(data: bytes, name: str, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def report_form(scan: SimpleUploadedFile | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "outlet": "newspaper",
        "name": "临夏日报",
        "title": "永靖县开展5·29会员活动日宣传",
        "published_on": timezone.localdate().isoformat(),
    }
    if scan is not None:
        data["scan"] = scan
    return data


def add_url(activity: Activity) -> str:
    return reverse("activities:media_add", args=[activity.pk])


def scan_url(report: MediaReport) -> str:
    return reverse("activities:media_scan", args=[report.pk])


def test_a_pdf_scan_is_stored_as_sent_and_served_in_scope(
    client_for: Any, village: Any, township: Any, media: Path
) -> None:
    activity = held(village, DAZHUANG)
    client = client_for(village)
    pdf = small_pdf()
    response = client.post(add_url(activity), report_form(upload(pdf, "日报.pdf")))
    assert response.status_code == 302, response.content
    report = MediaReport.objects.get()
    assert report.scan_format == "pdf" and report.scan_size == len(pdf)
    assert report.scan.startswith(f"activities/media/{activity.pk}/")
    assert "日报" not in report.scan  # the client's name is never used
    assert (media / report.scan).read_bytes() == pdf
    assert AuditEvent.objects.filter(object_type="activities.mediareport", action="create").exists()
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert scan_url(report) in page
    for viewer in (village, township):
        served = client_for(viewer).get(scan_url(report))
        assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Disposition"].startswith("attachment")
        assert b"".join(served.streaming_content) == pdf


def test_a_png_scan_is_re_encoded_without_its_metadata(
    client_for: Any, village: Any, media: Path
) -> None:
    activity = held(village, DAZHUANG)
    report = services.media_add(
        actor=village,
        activity=activity,
        outlet="wechat",
        name="永靖计生协公众号",
        published_on=timezone.localdate(),
        scan=upload(small_png(), "截图.pdf", "application/pdf"),  # the name says nothing
    )
    assert report.scan_format == "png" and report.scan.endswith(".png")
    stored = (media / report.scan).read_bytes()
    assert stored.startswith(b"\x89PNG") and SECRET.encode() not in stored
    served = client_for(village).get(scan_url(report))
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"].startswith("inline")


def test_a_fake_pdf_is_refused_and_nothing_is_stored(
    client_for: Any, village: Any, media: Path
) -> None:
    activity = held(village, DAZHUANG)
    client = client_for(village)
    response = client.post(
        add_url(activity), report_form(upload(fake_pdf(), "report.pdf")), follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "无法识别的文件" in text and "report.pdf" in text
    assert not MediaReport.objects.exists() and stored_files(media) == []
    with pytest.raises(ServiceError) as caught:
        services.media_add(
            actor=village,
            activity=activity,
            outlet="newspaper",
            name="临夏日报",
            published_on=timezone.localdate(),
            scan=upload(fake_pdf(), "report.pdf"),
        )
    assert caught.value.field == "scan"
    assert not MediaReport.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n" + b"0" * MAX_PDF_BYTES + b"\n%%EOF\n", "不能超过10 MB"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * MAX_IMAGE_BYTES, "不能超过5 MB"),
    ],
    ids=["pdf", "image"],
)
def test_an_oversized_scan_is_refused(
    data: bytes, message: str, client_for: Any, village: Any, media: Path
) -> None:
    activity = held(village, DAZHUANG)
    response = client_for(village).post(add_url(activity), report_form(upload(data, "big.pdf")))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MediaReport.objects.exists() and stored_files(media) == []


def test_a_scan_added_later_replaces_the_old_one_and_removal_deletes_it(
    client_for: Any,
    village: Any,
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    activity = held(village, DAZHUANG)
    report = services.media_add(
        actor=village,
        activity=activity,
        outlet="newspaper",
        name="临夏日报",
        published_on=timezone.localdate(),
    )
    assert report.scan == ""
    client = client_for(village)
    assert client.get(scan_url(report)).status_code == 404  # no scan yet
    url = reverse("activities:media_scan_add", args=[activity.pk])
    response = client.post(url, {"report": report.pk, "scan": upload(small_pdf(), "a.pdf")})
    assert response.status_code == 302
    report.refresh_from_db()
    first = report.scan
    assert (media / first).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"report": report.pk, "scan": upload(small_png(), "b.png", "image/png")})
    report.refresh_from_db()
    assert report.scan_format == "png" and report.scan != first
    assert not (media / first).exists() and (media / report.scan).exists()
    events = AuditEvent.objects.filter(object_type="activities.mediareport", action="update")
    assert events.count() == 2
    # A bad file for an existing report changes nothing.
    client.post(url, {"report": report.pk, "scan": upload(fake_pdf(), "c.pdf")})
    report.refresh_from_db()
    assert report.scan_format == "png" and events.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.media_remove(actor=village, report=report)
    assert stored_files(media) == []


def test_scans_are_refused_out_of_scope_to_other_roles_and_anonymous(
    client_for: Any,
    village: Any,
    township2: Any,
    finance: Any,
    auditor: Any,
    client: Client,
) -> None:
    activity = held(village, DAZHUANG)
    report = services.media_add(
        actor=village,
        activity=activity,
        outlet="newspaper",
        name="临夏日报",
        published_on=timezone.localdate(),
        scan=upload(small_pdf(), "a.pdf"),
    )
    assert client_for(township2).get(scan_url(report)).status_code == 404
    assert client_for(finance).get(scan_url(report)).status_code == 403
    assert client_for(auditor).get(scan_url(report)).status_code == 200  # reads, no writes
    anonymous = client.get(scan_url(report))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    url = reverse("activities:media_scan_add", args=[activity.pk])
    before = report.scan
    refused = [
        client_for(township2).post(
            url, {"report": report.pk, "scan": upload(small_pdf(), "x.pdf")}
        ),
        client_for(auditor).post(url, {"report": report.pk, "scan": upload(small_pdf(), "x.pdf")}),
    ]
    assert [r.status_code for r in refused] == [404, 403]
    with pytest.raises(NotAllowed):
        services.media_scan_set(actor=township2, report=report, upload=small_pdf())
    report.refresh_from_db()
    assert report.scan == before


def test_a_report_of_another_activity_cannot_be_given_a_scan(
    client_for: Any, village: Any, township: Any
) -> None:
    mine = held(village, DAZHUANG)
    other = held(township, LIUJIAXIA)
    report = services.media_add(
        actor=township,
        activity=other,
        outlet="tv",
        name="永靖电视台",
        published_on=timezone.localdate(),
    )
    response = client_for(village).post(
        reverse("activities:media_scan_add", args=[mine.pk]),
        {"report": report.pk, "scan": upload(small_pdf(), "a.pdf")},
        follow=True,
    )
    assert "该媒体报道不存在或已删除" in response.content.decode()
    report.refresh_from_db()
    assert report.scan == ""


def test_the_api_says_which_reports_have_a_scan(village: Any) -> None:
    activity = held(village, DAZHUANG)
    services.media_add(
        actor=village,
        activity=activity,
        outlet="newspaper",
        name="临夏日报",
        published_on=timezone.localdate(),
        scan=upload(small_pdf(), "a.pdf"),
    )
    body = api_client(village).get(f"/api/v1/activities/{activity.pk}").json()
    assert [m["scan_format"] for m in body["media"]] == ["pdf"]
    assert "scan" not in body["media"][0]  # the stored name is never sent


def test_a_planned_activity_takes_no_report(village: Any) -> None:
    activity = plan(village, DAZHUANG)
    with pytest.raises(ServiceError):
        services.media_add(
            actor=village,
            activity=activity,
            outlet="newspaper",
            name="临夏日报",
            published_on=timezone.localdate(),
            scan=upload(small_pdf(), "a.pdf"),
        )
    assert not MediaReport.objects.exists()
