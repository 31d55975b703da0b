"""Photos of care records: what an upload must be (fpa.families.photos), how it is stored
(re-encoded, without EXIF/GPS, under a random name, outside every public URL), the limit of five a
record, the audit row, and who may see a photo (staff in scope and the family's current contacts;
the sibling township, finance, other volunteers and anonymous users are refused).

The uploads are real files made with Pillow; nothing of the project is mocked."""

from __future__ import annotations

import datetime
import io
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from django.utils import timezone
from PIL import Image

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent
from fpa.families import photos, services
from fpa.families.models import CareKind, CarePhoto, CareRecord, ContactRole, Family
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, SHANGQUAN, make_user

GPS_LATITUDE = (36.0, 1.0, 2.0)  # somewhere near 刘家峡
CAMERA = "SecretCam 3000"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


# --- files made for the tests ---------------------------------------------------------------------


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretMaker"  # Make
    exif[0x0110] = CAMERA  # Model
    exif[0x0132] = "2024:05:06 07:08:09"  # DateTime
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: (103.0, 19.0, 5.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return buffer.getvalue()


def png(size: tuple[int, int] = (40, 30), mode: str = "RGB", **params: Any) -> bytes:
    color = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200) if mode == "RGB" else 90
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format="PNG", **params)
    return buffer.getvalue()


def webp(mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    color = (0, 0, 0, 0) if mode == "RGBA" else (30, 160, 60)
    Image.new(mode, (20, 20), color).save(buffer, format="WEBP")
    return buffer.getvalue()


def animation(fmt: str) -> bytes:
    frames = [Image.new("RGB", (16, 16), color) for color in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=fmt, save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A small, well-formed PNG that claims huge dimensions (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def noise_png(width: int, height: int) -> bytes:
    """Random pixels do not compress: a real PNG of about width * height * 3 bytes."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"""
HTML = b"<!doctype html><html><body><script>document.cookie</script></body></html>"


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- the world ------------------------------------------------------------------------------------

_sequence = iter(range(700, 999))


def family_in(actor: Any, code: str = DAZHUANG) -> Family:
    n = next(_sequence)
    return services.family_register(
        actor=actor,
        association=Association.objects.get(code=code),
        kind=Family.Kind.BEREAVED,
        people=[
            {
                "role": "mother",
                "name": f"照片母亲{n}",
                "id_number": synthesize("622923", datetime.date(1966, 4, 5), 2 * n),
            },
            {"role": "child", "name": "子女", "death_date": datetime.date(2019, 1, 1)},
        ],
    )


def visit(actor: Any, family: Family) -> CareRecord:
    return services.care_log(
        actor=actor,
        family=family,
        kind=CareKind.objects.get(code="routine_visit"),
        occurred_on=timezone.localdate(),
        services=["visit"],
        cares=["visiting"],
    )


def make_contact(actor: Any, family: Family, user: Any) -> Any:
    return services.contact_assign(
        actor=actor,
        family=family,
        role=ContactRole.objects.get(code="member_or_volunteer"),
        name="",
        user=user,
        start_date=timezone.localdate() - datetime.timedelta(days=10),
    )


@pytest.fixture
def record(township) -> CareRecord:
    return visit(township, family_in(township))


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- validation (pure) ----------------------------------------------------------------------------


def test_a_jpeg_is_re_encoded_without_exif_gps_or_comment_and_turned_upright():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the input has GPS
    clean = photos.clean(original)
    assert (clean.format, clean.content_type, clean.extension) == ("jpeg", "image/jpeg", "jpg")
    stored = Image.open(io.BytesIO(clean.data))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(stored.info)
    for marker in (b"Exif", CAMERA.encode(), b"SecretMaker", b"secret comment", b"2024:05:06"):
        assert marker not in clean.data
    # The orientation was applied to the pixels before EXIF was dropped: 64x48 shown upright.
    assert (clean.width, clean.height) == stored.size == (48, 64)
    thumb = Image.open(io.BytesIO(clean.thumb))
    assert thumb.format == "JPEG" and max(thumb.size) <= photos.THUMB_SIDE
    assert b"Exif" not in clean.thumb


def test_png_and_webp_are_accepted_and_re_encoded():
    text_chunk = png(pnginfo=_png_text("Location", "36.0N 103.3E"))
    clean = photos.clean(text_chunk)
    assert (clean.format, clean.width, clean.height) == ("png", 40, 30)
    assert b"Location" not in clean.data and b"103.3E" not in clean.data
    assert Image.open(io.BytesIO(clean.data)).format == "PNG"
    # Transparency is kept (PNG); an opaque WebP becomes a JPEG, a transparent one a PNG.
    assert Image.open(io.BytesIO(photos.clean(png(mode="RGBA")).data)).mode == "RGBA"
    assert photos.clean(webp()).format == "jpeg"
    assert photos.clean(webp("RGBA")).format == "png"
    assert photos.clean(png(mode="L")).format == "png"


def _png_text(key: str, value: str) -> Any:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text pretending to be a photo\n", "无法识别的文件"),
        (SVG, "这不是照片文件"),
        (b"\xef\xbb\xbf  " + SVG, "这不是照片文件"),
        (HTML, "这不是照片文件"),
        (b"GIF89a/*" + b"\0" * 32 + b"*/=alert(1);", "无法识别的文件"),  # a GIF/JS polyglot
        (animation("GIF"), "无法识别的文件"),  # GIF is not accepted at all
        (jpeg_with_gps()[:300], "已损坏或不完整"),  # truncated
        (png()[:-20] + b"\0" * 20, "已损坏或不完整"),  # checksum of the last chunk broken
        (b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>" * 4, "无法识别的文件"),
        (b"", "文件是空的"),
    ],
    ids=[
        "text",
        "svg",
        "svg-bom",
        "html",
        "gif-js-polyglot",
        "gif",
        "truncated-jpeg",
        "bad-png-crc",
        "png-magic-then-script",
        "empty",
    ],
)
def test_what_is_not_a_photo_is_refused(data, message):
    with pytest.raises(photos.PhotoError, match=message):
        photos.clean(data)


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_animations_are_refused(fmt):
    data = animation(fmt)
    opened = Image.open(io.BytesIO(data))
    assert opened.n_frames == 3  # really an animation
    expected = "无法识别的文件" if fmt == "GIF" else "不能上传动图"
    with pytest.raises(photos.PhotoError, match=expected):
        photos.clean(data)


def test_a_header_claiming_20000_by_20000_pixels_is_refused_before_decoding():
    data = png_header_only(20000, 20000)
    assert len(data) < 200
    assert struct.unpack(">II", data[16:24]) == (20000, 20000)  # IHDR width, height
    with pytest.raises(Image.DecompressionBombError):  # Pillow alone refuses only at 2x its limit
        Image.open(io.BytesIO(data))
    with pytest.raises(photos.PhotoError, match="照片像素过大"):
        photos.clean(data)


def test_a_real_highly_compressible_image_over_the_pixel_limit_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000), 0).save(buffer, format="PNG")  # 48 megapixels
    data = buffer.getvalue()
    assert len(data) < photos.MAX_BYTES // 20
    with pytest.raises(photos.PhotoError, match="照片像素过大"):
        photos.clean(data)


def test_pillow_decompression_bomb_warning_is_an_error(monkeypatch):
    # Pillow's own limit (a library setting, lowered here) warns before ours would refuse: the
    # warning is treated as an error, not printed and ignored.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(photos.PhotoError, match="照片像素过大"):
        photos.clean(png(size=(40, 30)))  # 1200 pixels: over 1000, under Pillow's 2x error


def test_more_than_5_mb_is_refused_before_decoding():
    data = noise_png(1500, 1400)
    assert 5 * 1024 * 1024 < len(data) < 7 * 1024 * 1024
    with pytest.raises(photos.PhotoError, match="不能超过5 MB"):
        photos.clean(data)
    with pytest.raises(photos.PhotoError, match="不能超过5 MB"):
        photos.clean(upload("big.png", data, "image/png"))
    six_mb = upload("six.jpg", b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024))
    with pytest.raises(photos.PhotoError, match=r"约6\.0 MB"):
        photos.clean(six_mb)


def test_big_photos_are_scaled_down_to_4096():
    buffer = io.BytesIO()
    Image.new("RGB", (6000, 3000), (1, 2, 3)).save(buffer, format="JPEG")
    clean = photos.clean(buffer.getvalue())
    assert (clean.width, clean.height) == (4096, 2048)
    assert Image.open(io.BytesIO(clean.thumb)).size == (photos.THUMB_SIDE, photos.THUMB_SIDE // 2)


def test_a_batch_names_the_refused_file_and_counts_the_limit():
    files = [upload(f"p{i}.jpg", jpeg_with_gps()) for i in range(6)]
    with pytest.raises(photos.PhotoError, match="最多5张照片"):
        photos.clean_many(files)
    with pytest.raises(photos.PhotoError, match="还可上传2张"):
        photos.clean_many(files[:3], already=3)
    with pytest.raises(photos.PhotoError, match=r"“note\.jpg”：无法识别的文件"):
        photos.clean_many([files[0], upload("note.jpg", b"hello")])
    assert len(photos.clean_many(files[:2], already=3)) == 2


# --- storing (service) ----------------------------------------------------------------------------


def test_a_stored_photo_has_no_exif_a_random_name_and_an_audit_row(township, record, media):
    photo = services.care_photo_add(
        actor=township, record=record, photo=upload("张桂兰家-GPS.jpg", jpeg_with_gps())
    )
    family = record.family
    assert (photo.record, photo.family, photo.format) == (record, family, "jpeg")
    assert photo.uploaded_by == township
    prefix = f"families/photos/{family.pk}/"
    assert photo.file_name.startswith(prefix) and photo.thumb_name.startswith(prefix)
    assert "张桂兰" not in photo.file_name and "GPS" not in photo.file_name
    assert len(Path(photo.file_name).stem) == 32  # random hex, not the client's name
    path = media / photo.file_name
    assert path.is_file() and path.resolve().is_relative_to(media.resolve())
    data = path.read_bytes()
    assert photo.size == len(data)
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG" and dict(stored.getexif()) == {}
    assert b"Exif" not in data and CAMERA.encode() not in data
    row = AuditEvent.objects.get(object_type="families.carephoto", object_id=str(photo.pk))
    assert row.action == AuditEvent.Action.CREATE
    assert row.actor == township
    assert row.scope_path == family.association.path
    assert row.changes["file_name"] == [None, photo.file_name]


def test_the_client_content_type_and_name_are_never_trusted(township, record, media):
    # A real PNG sent as text/html with an .html name is stored as what it is: a PNG.
    photo = services.care_photo_add(
        actor=township, record=record, photo=upload("page.html", png(), "text/html")
    )
    assert photo.format == "png" and photo.file_name.endswith(".png")
    assert "page" not in photo.file_name
    # Text sent as image/jpeg with a .jpg name is refused, and nothing is stored.
    before = stored_files(media)
    with pytest.raises(ServiceError, match="无法识别的文件") as refused:
        services.care_photo_add(
            actor=township, record=record, photo=upload("photo.jpg", b"not an image at all")
        )
    assert refused.value.field == "photos"
    with pytest.raises(ServiceError, match="这不是照片文件"):
        services.care_photo_add(
            actor=township, record=record, photo=upload("icon.png", SVG, "image/png")
        )
    assert stored_files(media) == before
    assert CarePhoto.objects.count() == 1


def test_the_sixth_photo_of_a_record_is_refused(township, record, media):
    for _ in range(5):
        services.care_photo_add(actor=township, record=record, photo=png())
    audit = AuditEvent.objects.count()
    files = stored_files(media)
    with pytest.raises(ServiceError, match="最多5张照片"):
        services.care_photo_add(actor=township, record=record, photo=png())
    assert record.photos.count() == 5
    assert stored_files(media) == files
    assert AuditEvent.objects.count() == audit
    # Another record of the same family has its own five.
    other = visit(township, record.family)
    services.care_photo_add(actor=township, record=other, photo=png())


def test_a_refused_batch_leaves_no_file_and_no_row(township, record, media):
    with pytest.raises(ServiceError, match="最多5张照片"):
        services.care_photos_add(actor=township, record=record, photos=[png()] * 6)
    assert CarePhoto.objects.count() == 0
    assert stored_files(media) == []


def test_who_may_add_photos(township, township2, volunteer, finance, record):
    family = record.family
    for outsider in (township2, volunteer, finance):
        with pytest.raises(NotAllowed):
            services.care_photo_add(actor=outsider, record=record, photo=png())
    make_contact(township, family, volunteer)
    photo = services.care_photo_add(actor=volunteer, record=record, photo=png())
    assert photo.uploaded_by == volunteer
    assert CarePhoto.objects.count() == 1


def test_media_is_under_var_and_has_no_public_url(client_for, township, record):
    photo = services.care_photo_add(actor=township, record=record, photo=png())
    var_dir = Path(django_settings.VAR_DIR).resolve()
    from config.settings import base

    assert Path(base.MEDIA_ROOT).resolve().is_relative_to(var_dir)
    assert not Path(base.MEDIA_ROOT).resolve().is_relative_to(Path(base.STATIC_ROOT).resolve())
    assert not getattr(base, "MEDIA_URL", "")  # no URL prefix for uploaded files
    client = client_for(township)
    for url in (f"/media/{photo.file_name}", f"/{photo.file_name}", f"/static/{photo.file_name}"):
        with pytest.raises(Resolver404):
            resolve(url)
        assert client.get(url).status_code == 404
    assert default_storage.exists(photo.file_name)


# --- serving --------------------------------------------------------------------------------------


def photo_url(photo: CarePhoto, thumb: bool = False) -> str:
    return f"/families/photos/{photo.pk}/" + ("?size=thumb" if thumb else "")


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_staff_in_scope_see_the_photo_with_safe_headers(client_for, township, village, record):
    photo = services.care_photo_add(actor=township, record=record, photo=jpeg_with_gps())
    for user in (township, village):
        response = client_for(user).get(photo_url(photo))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == f'inline; filename="care-photo-{photo.pk}.jpg"'
        assert response["Cache-Control"] == "private, no-store"
        data = body(response)
        assert data == default_storage.open(photo.file_name).read()
        assert b"Exif" not in data
    thumb = client_for(township).get(photo_url(photo, thumb=True))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert thumb["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(body(thumb))).size == (48, 64)  # small: never enlarged
    png_photo = services.care_photo_add(actor=township, record=record, photo=png())
    response = client_for(township).get(photo_url(png_photo))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'inline; filename="care-photo-{png_photo.pk}.png"'


def test_outsiders_are_refused_the_photo(client, client_for, township, township2, finance, record):
    photo = services.care_photo_add(actor=township, record=record, photo=png())
    url = photo_url(photo)
    assert client_for(township2).get(url).status_code == 404
    assert client_for(township2).get(url + "?size=thumb").status_code == 404
    assert client_for(finance).get(url).status_code in {403, 404}
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=")
    # Only reading: a POST is not allowed, even in scope.
    assert client_for(township).post(url).status_code == 405


def test_a_contact_person_sees_the_photos_of_their_family_only(client_for, township, volunteer):
    family = family_in(township)
    other = family_in(township)
    mine = services.care_photo_add(actor=township, record=visit(township, family), photo=png())
    theirs = services.care_photo_add(actor=township, record=visit(township, other), photo=png())
    client = client_for(volunteer)
    assert client.get(photo_url(mine)).status_code == 404  # not yet a contact
    contact = make_contact(township, family, volunteer)
    response = client.get(photo_url(mine))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(photo_url(theirs)).status_code == 404
    page = client.get(f"/families/{family.pk}/")
    assert photo_url(mine, thumb=True) in page.content.decode()
    services.contact_end(actor=township, contact=contact, end_date=timezone.localdate())
    assert client.get(photo_url(mine)).status_code == 404


def test_a_foreign_township_photo_is_404_for_liujiaxia(client_for, township, township2):
    foreign = family_in(township2, SHANGQUAN)
    photo = services.care_photo_add(actor=township2, record=visit(township2, foreign), photo=png())
    assert client_for(township2).get(photo_url(photo)).status_code == 200
    assert client_for(township).get(photo_url(photo)).status_code == 404
    county_wide = make_user("county-photos", "622923", "county_admin")
    assert client_for(county_wide).get(photo_url(photo)).status_code == 200


# --- the pages ------------------------------------------------------------------------------------


def care_payload(**extra: Any) -> dict[str, Any]:
    return {
        "kind": str(CareKind.objects.get(code="routine_visit").pk),
        "occurred_on": timezone.localdate().isoformat(),
        "services": ["visit", "comfort"],
        "cares": ["visiting"],
        "notes": "",
        **extra,
    }


def test_the_care_form_takes_photos(client_for, township, media):
    family = family_in(township)
    client = client_for(township)
    page = client.get(f"/families/{family.pk}/care/new/")
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and "multiple" in html and photos.ACCEPT_ATTR in html
    files = [upload("a.jpg", jpeg_with_gps()), upload("b.png", png(), "image/png")]
    response = client.post(f"/families/{family.pk}/care/new/", care_payload(photos=files))
    assert response.status_code == 302, response.context["form"].errors
    record = CareRecord.objects.get(family=family)
    assert sorted(record.photos.values_list("format", flat=True)) == ["jpeg", "png"]
    assert len(stored_files(media)) == 4  # two photos, two thumbnails
    detail = client.get(f"/families/{family.pk}/")
    html = detail.content.decode()
    for photo in record.photos.all():
        assert photo_url(photo, thumb=True) in html
    assert f"/families/care/{record.pk}/photos/" in html  # three more may be added


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload("note.jpg", b"this is a text file")], "无法识别的文件"),
        ([upload("logo.svg", SVG, "image/svg+xml")], "这不是照片文件"),
        ([upload("anim.webp", animation("WEBP"), "image/webp")], "不能上传动图"),
        ([upload("bomb.png", png_header_only(20000, 20000), "image/png")], "照片像素过大"),
        ([upload(f"p{i}.png", png(), "image/png") for i in range(6)], "最多5张照片"),
        ([upload("big.jpg", b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024))], "不能超过5 MB"),
        ([upload("ok.png", png(), "image/png"), upload("x.jpg", b"text")], "无法识别的文件"),
    ],
    ids=["text", "svg", "animated", "bomb", "six", "6mb", "one-bad-of-two"],
)
def test_a_bad_photo_keeps_the_whole_care_record_from_saving(
    client_for, township, media, files, message
):
    family = family_in(township)
    client = client_for(township)
    response = client.post(f"/families/{family.pk}/care/new/", care_payload(photos=files))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["photos"])
    assert message in response.content.decode()
    assert not CareRecord.objects.filter(family=family).exists()
    assert stored_files(media) == []


def test_photos_added_to_an_existing_record(client_for, township, township2, volunteer, record):
    url = f"/families/care/{record.pk}/photos/"
    client = client_for(township)
    page = client.get(url)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        url, {"photos": [upload(f"{i}.png", png(), "image/png") for i in range(3)]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/families/{record.family_id}/#care-{record.pk}"
    assert record.photos.count() == 3
    response = client.post(
        url, {"photos": [upload(f"{i}.png", png(), "image/png") for i in range(3)]}
    )
    assert response.status_code == 200
    assert "还可上传2张" in response.content.decode()
    assert record.photos.count() == 3
    response = client.post(url, {"photos": [upload(f"{i}.jpg", jpeg_with_gps()) for i in (1, 2)]})
    assert response.status_code == 302
    assert record.photos.count() == 5
    # A full record offers no more uploads on the family page.
    html = client.get(f"/families/{record.family_id}/").content.decode()
    assert url not in html
    response = client.post(url, {"photos": [upload("x.png", png(), "image/png")]})
    assert response.status_code == 200 and "最多5张照片" in response.content.decode()
    assert record.photos.count() == 5
    uploads = AuditEvent.objects.filter(object_type="families.carephoto", actor=township)
    assert uploads.filter(action=AuditEvent.Action.CREATE).count() == 5  # one row per photo
    assert set(uploads.values_list("scope_path", flat=True)) == {record.family.association.path}
    # Outsiders: the sibling township (404), a volunteer who is not the family's contact (404).
    for outsider in (township2, volunteer):
        refused = client_for(outsider).post(url, {"photos": [upload("y.png", png(), "image/png")]})
        assert refused.status_code == 404
    assert record.photos.count() == 5


def test_a_contact_volunteer_can_add_photos_from_the_page(client_for, township, volunteer, record):
    make_contact(township, record.family, volunteer)
    client = client_for(volunteer)
    html = client.get(f"/families/{record.family_id}/").content.decode()
    url = f"/families/care/{record.pk}/photos/"
    assert url in html
    response = client.post(url, {"photos": [upload("v.jpg", jpeg_with_gps())]})
    assert response.status_code == 302
    assert record.photos.get().uploaded_by == volunteer


def test_the_family_page_costs_the_same_queries_with_photos(
    client_for, township, django_assert_max_num_queries, django_assert_num_queries
):
    family = family_in(township)
    records = [visit(township, family) for _ in range(3)]
    services.care_photo_add(actor=township, record=records[0], photo=png())
    client = client_for(township)
    url = f"/families/{family.pk}/"
    assert client.get(url).status_code == 200  # warm the session
    with django_assert_max_num_queries(45) as few:
        assert client.get(url).status_code == 200
    for record in records:
        while record.photos.count() < 5:
            services.care_photo_add(actor=township, record=record, photo=png())
    records.append(visit(township, family))
    services.care_photo_add(actor=township, record=records[-1], photo=jpeg_with_gps())
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("?size=thumb") == 16
