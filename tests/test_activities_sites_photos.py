"""Photos of sites and activities: stored re-encoded (no EXIF/GPS) under a random name outside
every public URL, served by a scoped view with its thumbnail, the faces and consent flags (a
photo with faces and no consent is never public), removal, and the refusals (an oversized or
fake image, another township, anonymous, finance, the auditor writing)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fpa.activities import services
from fpa.activities.models import ActivityPhoto, SitePhoto
from fpa.activities.services.photos import MAX_PHOTOS
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from tests.activities_helpers import held, plan, site
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA

pytestmark = pytest.mark.django_db
CAMERA = "SecretCam 3000"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 40))
    exif = Image.Exif()
    exif[0x0110] = CAMERA  # Model
    exif[0x8825] = {1: "N", 2: (36.0, 1.0, 2.0), 3: "E", 4: (103.0, 19.0, 5.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def upload(data: bytes | None = None, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg(), "image/jpeg")


def add(client: Any, kind: str, owner: Any, **data: Any) -> Any:
    payload = {"photo": upload(), "caption": "活动现场", **data}
    return client.post(reverse("activities:photo_add", args=[kind, owner.pk]), payload)


# --- upload and serve ---------------------------------------------------------------------------


def test_a_site_photo_is_stored_clean_and_served_in_scope(
    client_for: Any, township: Any, county: Any, media: Path
) -> None:
    home = site(township, LIUJIAXIA)
    client = client_for(township)
    response = add(client, "site", home)
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:site", args=[home.pk]) + "#photos"
    photo = SitePhoto.objects.get()
    assert photo.caption == "活动现场" and not photo.public
    assert photo.file.startswith(f"activities/photos/site/{home.pk}/")
    assert "photo.jpg" not in photo.file  # the client's name is never used
    stored = (media / photo.file).read_bytes()
    assert CAMERA.encode() not in stored and b"GPS" not in stored
    assert (media / photo.thumb).exists()
    assert AuditEvent.objects.filter(object_type="activities.sitephoto", action="create").exists()
    url = reverse("activities:photo", args=[photo.pk]) + "?kind=site"
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == stored
    thumb = client.get(reverse("activities:photo_thumb", args=[photo.pk]) + "?kind=site")
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).format == "JPEG"
    # the county above sees it; the wrong kind or a forged one is a 404
    assert client_for(county).get(url).status_code == 200
    assert (
        client.get(reverse("activities:photo", args=[photo.pk]) + "?kind=activity").status_code
        == 404
    )
    assert client.get(reverse("activities:photo", args=[photo.pk]) + "?kind=x").status_code == 404
    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 404
    # the site page shows the gallery and the upload form
    page = client.get(reverse("activities:site", args=[home.pk])).content.decode()
    assert f'data-photo="{photo.pk}"' in page and "data-photo-upload" in page


def test_an_activity_photo_goes_back_to_the_activity(client_for: Any, village: Any) -> None:
    activity = held(village, DAZHUANG)
    response = add(client_for(village), "activity", activity, faces="on", faces_consent="on")
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:detail", args=[activity.pk]) + "#photos"
    photo = ActivityPhoto.objects.get()
    assert photo.activity == activity and photo.faces and photo.faces_consent
    thumb = client_for(village).get(
        reverse("activities:photo_thumb", args=[photo.pk]) + "?kind=activity"
    )
    assert thumb.status_code == 200


def test_oversized_and_fake_images_are_refused_and_nothing_is_stored(
    client_for: Any, township: Any, media: Path
) -> None:
    home = site(township, LIUJIAXIA)
    client = client_for(township)
    big = upload(b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 10))
    fake = upload(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    text = upload(b"MZ\x90\x00 this is an executable", name="photo.jpg")
    for bad, message in ((big, "5 MB"), (fake, "SVG"), (text, "无法识别")):
        response = client.post(
            reverse("activities:photo_add", args=["site", home.pk]), {"photo": bad}, follow=True
        )
        assert response.status_code == 200
        assert message in response.content.decode(), message
    response = client.post(reverse("activities:photo_add", args=["site", home.pk]), {}, follow=True)
    assert (
        "这个字段是必填项" in response.content.decode() or "required" in response.content.decode()
    )
    assert not SitePhoto.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_service_limits_photos_and_refuses_a_cancelled_activity(
    township: Any, village: Any
) -> None:
    home = site(township, LIUJIAXIA)
    image = jpeg((8, 8))
    for _n in range(MAX_PHOTOS):
        services.photo_add(actor=township, owner=home, upload=image)
    with pytest.raises(ServiceError) as exc:
        services.photo_add(actor=township, owner=home, upload=image)
    assert exc.value.code == "too_many"
    activity = plan(village, DAZHUANG, days=3)
    services.activity_cancel(actor=village, activity=activity, reason="天气原因取消")
    with pytest.raises(ServiceError):
        services.photo_add(actor=village, owner=activity, upload=image)


# --- faces, consent, public ----------------------------------------------------------------------


def test_a_photo_with_faces_and_no_consent_is_never_public(client_for: Any, township: Any) -> None:
    home = site(township, LIUJIAXIA)
    client = client_for(township)
    add(client, "site", home, faces="on")
    photo = SitePhoto.objects.get()
    assert photo.faces and not photo.faces_consent
    with pytest.raises(ServiceError) as exc:
        services.photo_set_public(actor=township, photo=photo, public=True)
    assert exc.value.code == "faces_without_consent"
    url = reverse("activities:photo_public", args=[photo.pk]) + "?kind=site"
    response = client.post(url, {"public": "on"}, follow=True)
    assert "未取得肖像同意" in response.content.decode()
    photo.refresh_from_db()
    assert not photo.public
    # consent recorded: it may be public
    edit = reverse("activities:photo_edit", args=[photo.pk]) + "?kind=site"
    client.post(edit, {"caption": "合影", "faces": "on", "faces_consent": "on"})
    client.post(url, {"public": "on"})
    photo.refresh_from_db()
    assert photo.public and photo.caption == "合影"
    # consent withdrawn: it leaves the public pages in the same change
    client.post(edit, {"caption": "合影", "faces": "on"})
    photo.refresh_from_db()
    assert not photo.public and not photo.faces_consent
    # consent without faces means nothing
    services.photo_update(actor=township, photo=photo, caption="", faces=False, faces_consent=True)
    photo.refresh_from_db()
    assert not photo.faces_consent
    assert (
        AuditEvent.objects.filter(object_type="activities.sitephoto", action="update").count() >= 4
    )


def test_removing_a_photo_deletes_its_files(
    client_for: Any, township: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    home = site(township, LIUJIAXIA)
    with django_capture_on_commit_callbacks(execute=True):
        add(client_for(township), "site", home)
    photo = SitePhoto.objects.get()
    names = [photo.file, photo.thumb]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(township).post(
            reverse("activities:photo_remove", args=[photo.pk]) + "?kind=site"
        )
    assert response.status_code == 302
    assert not SitePhoto.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
    assert AuditEvent.objects.filter(object_type="activities.sitephoto", action="delete").exists()


# --- refusals ------------------------------------------------------------------------------------


def test_photos_are_refused_out_of_scope_and_to_other_roles(
    client: Any, client_for: Any, township: Any, township2: Any, finance: Any, auditor: Any
) -> None:
    home = site(township, LIUJIAXIA)
    photo = services.photo_add(actor=township, owner=home, upload=jpeg())
    view = reverse("activities:photo", args=[photo.pk]) + "?kind=site"
    thumb = reverse("activities:photo_thumb", args=[photo.pk]) + "?kind=site"
    assert client.get(view).status_code == 302  # anonymous: to the login page
    assert client_for(finance).get(view).status_code == 403
    other = client_for(township2)
    assert other.get(view).status_code == 404
    assert other.get(thumb).status_code == 404
    assert add(other, "site", home).status_code == 404
    assert (
        other.post(reverse("activities:photo_remove", args=[photo.pk]) + "?kind=site").status_code
        == 404
    )
    assert (
        other.post(
            reverse("activities:photo_public", args=[photo.pk]) + "?kind=site", {"public": "on"}
        ).status_code
        == 404
    )
    assert add(client_for(township), "spaceship", home).status_code == 404
    # the auditor sees but does not change
    reader = client_for(auditor)
    assert reader.get(view).status_code == 200
    assert add(reader, "site", home).status_code == 403
    assert (
        reader.post(reverse("activities:photo_remove", args=[photo.pk]) + "?kind=site").status_code
        == 403
    )
    assert SitePhoto.objects.count() == 1
    # the service refuses the same
    with pytest.raises(NotAllowed):
        services.photo_remove(actor=township2, photo=photo)
    with pytest.raises(NotAllowed):
        services.photo_add(actor=auditor, owner=home, upload=jpeg())
    sibling = site(township2, YANGUOXIA)
    with pytest.raises(NotAllowed):
        services.photo_add(actor=township, owner=sibling, upload=jpeg())
    # GET on a writing URL is refused
    assert (
        client_for(township)
        .get(reverse("activities:photo_remove", args=[photo.pk]) + "?kind=site")
        .status_code
        == 405
    )


def test_the_gallery_partial_serves_an_activity_page(rf: Any, village: Any, auditor: Any) -> None:
    """`activities/photo_gallery.html` with `photo_gallery_context(request, activity)`: what the
    activity's page includes (thumbnails with ?kind=activity, flags, the upload form for those
    who may add photos, none for the auditor)."""
    from django.template.loader import render_to_string

    from fpa.activities.views.sites import photo_gallery_context

    activity = held(village, DAZHUANG)
    photo = services.photo_add(
        actor=village, owner=activity, upload=jpeg(), caption="签到现场", faces=True
    )
    request = rf.get("/")
    request.user = village
    html = render_to_string(
        "activities/photo_gallery.html", photo_gallery_context(request, activity), request=request
    )
    assert reverse("activities:photo_thumb", args=[photo.pk]) + "?kind=activity" in html
    assert reverse("activities:photo_add", args=["activity", activity.pk]) in html
    assert "签到现场" in html and "未取得同意" in html and "data-photo-upload" in html
    request.user = auditor
    html = render_to_string(
        "activities/photo_gallery.html", photo_gallery_context(request, activity), request=request
    )
    assert "签到现场" in html and "data-photo-upload" not in html and "photo_remove" not in html
    assert reverse("activities:photo_remove", args=[photo.pk]) not in html
