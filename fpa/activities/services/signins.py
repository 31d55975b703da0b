"""Phone sign-in (签到) at an activity, and the public summary (活动简讯) of a held activity.

A participant scans the activity's QR code and signs in without an account: a name, a phone
number or a member card number, and the consent text of purpose `activity_signin`
(`fpa.core.consent`). One phone, or one member, counts once per activity; the activity's
`signins_count` moves in the same transaction, and the audit row keeps the phone masked.

Staff publish a held activity's public summary (text and chosen photos) on the public news page;
a photo with recognisable faces is public only when the people's consent is recorded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext

from fpa.activities.models import Activity, ActivityPhoto, SignIn
from fpa.core import codes, consent, protected
from fpa.core.audit import audit_create, audit_record, audit_update, changed_since, snapshot
from fpa.core.errors import ServiceError, check_version, validate, within
from fpa.core.masking import mask_numbers_in_text
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.members.models import Member

if TYPE_CHECKING:
    from fpa.accounts.models import User

CONSENT_PURPOSE = "activity_signin"  # its texts in fpa.core.consent (migration 0003)
DONE = (Activity.Status.HELD, Activity.Status.SUMMARISED)
MAX_NAME = 50
MAX_CARD = 40
MAX_SUMMARY = 3000
MIN_SUMMARY = 10
MAX_PUBLIC_PHOTOS = 9
# A member card number as printed: the association's code, a dash, five digits (members'
# `_next_card`). Typed with spaces, full-width digits or another dash, or without the dash.
_CARD = re.compile(r"^(\d{6,})-(\d{5})$")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})


@dataclass(frozen=True)
class SigninResult:
    """What the participant's phone shows: signed in now, or already (counted once)."""

    activity: Activity
    signin: SignIn
    already: bool

    @property
    def member(self) -> bool:
        return self.signin.member_id is not None


def closed_message(activity: Activity) -> str:
    if activity.status == Activity.Status.CANCELLED:
        return gettext("该活动已取消，不能签到。")
    return gettext("本活动的签到已关闭。")


def _unknown() -> ServiceError:
    return ServiceError(gettext("签到码无效，请重新扫描活动现场的二维码。"), code="unknown")


def card_number(raw: str) -> str:
    """The stored form of a member card number as typed, or "" when it cannot be one."""
    text = unicodedata.normalize("NFKC", raw or "")[:MAX_CARD].translate(_DASHES)
    text = "".join(text.split())
    if text.isdigit() and len(text) > 11:
        text = f"{text[:-5]}-{text[-5:]}"
    return text if _CARD.match(text) else ""


def _member_by_card(raw: str) -> Member:
    """The active member holding the card (its printed number, or the check code of its QR)."""
    number, code = card_number(raw), codes.normalise_code(raw)
    found = None
    if number or code:
        rows = Member.objects.filter(status=Member.Status.ACTIVE)
        found = rows.filter(card_number=number).first() if number else None
        found = found or (rows.filter(card_code=code).first() if code else None)
    if found is None:
        raise ServiceError(
            gettext("没有找到有效的会员证，请核对会员证号，或改填手机号码。"), field="card"
        )
    return found


def _member_by_phone(phone: str) -> Member | None:
    """The one active member with this phone; none when several share it (a family's phone)."""
    digest = protected.blind_index("phone", phone)
    rows = list(
        Member.objects.filter(phone_hash=digest, status=Member.Status.ACTIVE).only("pk")[:2]
    )
    return rows[0] if len(rows) == 1 else None


def phone_number(raw: str) -> str:
    """The canonical phone number as typed (full-width, spaces, +86), or a clear refusal."""
    typed = unicodedata.normalize("NFKC", raw).replace("+86", "", 1)
    if any(not (ch.isdigit() or ch in " -()") for ch in typed):
        raise ServiceError(gettext("手机号码只能填写数字。"), field="phone")
    try:
        return protected.canonical("phone", raw)
    except ValidationError as exc:
        raise ServiceError(exc.messages[0], field="phone") from exc


def _name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if len(name) > MAX_NAME:
        raise ServiceError(
            gettext("姓名最多%(max)s个字。") % {"max": MAX_NAME}, field="name", code="too_long"
        )
    if len(name) < 2:
        raise ServiceError(gettext("请填写您的姓名。"), field="name")
    return name


def _earlier(activity: Activity, phone_digest: str, member: Member | None) -> SignIn | None:
    match = Q(phone_hash=phone_digest) if phone_digest else Q(pk__in=[])
    if member is not None:
        match |= Q(member=member)
    return SignIn.objects.filter(match, activity=activity).first()


def signin_submit(
    *,
    code: str,
    name: str,
    phone: str = "",
    card: str = "",
    consent_version: int | None,
) -> SigninResult:
    """A participant's sign-in (no account): refused for an unknown code (one that cannot be a
    code before any query), a closed or ended sign-in, a bad phone or card, or consent not given
    to the current text. A second sign-in of the same phone or member answers `already` and
    counts nothing."""
    normalised = codes.normalise_code(code)
    if not normalised:
        raise _unknown()
    return _submit(normalised, name, phone, card, consent_version)


@transaction.atomic
def _submit(
    normalised: str, name: str, phone: str, card: str, consent_version: int | None
) -> SigninResult:
    activity = (
        Activity.objects.select_for_update()
        .select_related("association")
        .filter(signin_code=normalised)
        .first()
    )
    if activity is None:
        raise _unknown()
    if not activity.signin_accepting():
        raise ServiceError(closed_message(activity), code="closed")
    agreed = consent.agreed(
        CONSENT_PURPOSE, consent_version, missing=gettext("尚未设置签到同意书，暂不能签到。")
    )
    clean_name = _name(name)
    phone, card = (phone or "").strip(), (card or "").strip()
    if not phone and not card:
        raise ServiceError(gettext("请填写手机号码，或填写会员证号。"), field="phone")
    number = phone_number(phone) if phone else ""
    member = _member_by_card(card) if card else _member_by_phone(number)
    digest = protected.blind_index("phone", number) if number else ""
    earlier = _earlier(activity, digest, member)
    if earlier is not None:
        return SigninResult(activity=activity, signin=earlier, already=True)
    signin = SignIn(
        activity=activity, name=clean_name, phone=number or None, member=member, consent=agreed
    )
    validate(signin, exclude=["phone_hash", "consent", "member", "activity"], unique=False)
    try:
        with transaction.atomic():
            signin.save()
    except IntegrityError:  # the same phone sent twice at once
        earlier = _earlier(activity, digest, member)
        if earlier is None:
            raise
        return SigninResult(activity=activity, signin=earlier, already=True)
    Activity.objects.filter(pk=activity.pk).update(signins_count=F("signins_count") + 1)
    activity.signins_count += 1
    audit_create(actor=None, obj=signin, scope_path=activity.association.path, reason="手机签到")
    return SigninResult(activity=activity, signin=signin, already=False)


# --- the public summary -------------------------------------------------------------------------


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("association").get(pk=activity.pk)


def _summary_text(text: str) -> str:
    value = (text or "").strip()
    if len(value) < MIN_SUMMARY:
        raise ServiceError(
            gettext("简讯至少写%(min)s个字。") % {"min": MIN_SUMMARY}, field="public_summary"
        )
    value = within(value, MAX_SUMMARY, field="public_summary")
    if mask_numbers_in_text(value) != value:
        raise ServiceError(
            gettext("公开的简讯中不能有电话号码或身份证号码，请删去后再发布。"),
            field="public_summary",
        )
    return value


def _chosen_photos(activity: Activity, photo_ids: Iterable[Any]) -> list[ActivityPhoto]:
    try:
        wanted = {int(pk) for pk in photo_ids}
    except (TypeError, ValueError) as exc:
        raise ServiceError(gettext("所选照片不属于本活动。"), field="photos") from exc
    if len(wanted) > MAX_PUBLIC_PHOTOS:
        raise ServiceError(
            gettext("最多公开%(max)s张照片。") % {"max": MAX_PUBLIC_PHOTOS}, field="photos"
        )
    photos = list(ActivityPhoto.objects.filter(activity=activity, pk__in=wanted))
    if len(photos) != len(wanted):
        raise ServiceError(gettext("所选照片不属于本活动。"), field="photos")
    for photo in photos:
        if not photo.may_be_public:
            raise ServiceError(
                gettext("照片“%(caption)s”有可辨认的人脸，但未取得肖像同意，不能公开。")
                % {"caption": photo.caption or f"#{photo.pk}"},
                field="photos",
                code="faces",
            )
    return photos


@transaction.atomic
def summary_publish(
    *,
    actor: User,
    activity: Activity,
    text: str,
    photo_ids: Iterable[Any] = (),
    version: int | None = None,
) -> Activity:
    """Publish (or republish) the public summary of a held activity: the text, and exactly the
    chosen photos made public (the activity's other photos are no longer public)."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    if version is not None and int(version) != activity.version:
        check_version(activity.version, version, changed_since(activity, int(version)))
    if activity.status not in DONE:
        raise ServiceError(gettext("活动开展后才能发布简讯。"), code="state")
    value = _summary_text(text)
    photos = _chosen_photos(activity, photo_ids)
    before = snapshot(activity, ["public_summary", "summary_published", "version"])
    before["public_photos"] = sorted(
        ActivityPhoto.objects.filter(activity=activity, public=True).values_list("pk", flat=True)
    )
    chosen = [p.pk for p in photos]
    ActivityPhoto.objects.filter(activity=activity).exclude(pk__in=chosen).update(public=False)
    ActivityPhoto.objects.filter(pk__in=chosen).update(public=True)
    activity.public_summary = value
    activity.summary_published = True
    activity.version += 1
    activity.save(update_fields=["public_summary", "summary_published", "version", "updated_at"])
    _audit_summary(actor, activity, before, sorted(chosen))
    return activity


@transaction.atomic
def summary_withdraw(
    *, actor: User, activity: Activity, version: int | None = None, reason: str = ""
) -> Activity:
    """Take the public summary off the public pages (its text and photo choice are kept)."""
    require(actor, "activity.edit")
    activity = _lock(activity)
    require_in_scope(actor, activity.association)
    check_version(activity.version, version)
    if not activity.summary_published:
        raise ServiceError(gettext("该活动的简讯未公开。"), code="state")
    before = snapshot(activity, ["summary_published", "version"])
    activity.summary_published = False
    activity.version += 1
    activity.save(update_fields=["summary_published", "version", "updated_at"])
    audit_update(
        actor=actor,
        obj=activity,
        before=before,
        scope_path=activity.association.path,
        reason=within((reason or "").strip(), 300, field="reason") or "撤回活动简讯",
    )
    return activity


def _audit_summary(
    actor: User, activity: Activity, before: dict[str, Any], chosen: list[int]
) -> None:
    """The text, the flag and which photos are public, before → after, in one row."""
    after = snapshot(activity, ["public_summary", "summary_published", "version"])
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if before["public_photos"] != chosen:
        changes["public_photos"] = [before["public_photos"], chosen]
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        changes=changes,
        scope_path=activity.association.path,
        reason="发布活动简讯",
    )
