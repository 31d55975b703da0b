"""The online member application (入会申请 on the public page): a citizen, not signed in, applies
to a village association. It joins the same queue as a walk-in application (pending, decided by
the council of that association or its township), marked as sent online, with the consent text
version agreed to and a reference code for the public status page."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import consent
from fpa.core.audit import audit_record, snapshot
from fpa.core.errors import ServiceError, validate
from fpa.core.models import AuditEvent
from fpa.members import rules
from fpa.members.models import Member
from fpa.members.services.common import AUDIT_EXCLUDE, _apply_identity, duplicate_of
from fpa.organizations.models import Association

# One answer whether the number belongs to a member, a pending application or a lapsed member:
# the public page must not tell a stranger which (nor where).
NOT_ACCEPTED = gettext_noop(
    "无法在网上受理这份申请：该身份证号码已有在办的入会申请或会员记录。"
    "如有疑问，请携带身份证到所在村（社区）计生协咨询。"
)
ONLINE_HOLDERS = rules.ONLINE_HOLDERS


def _refuse_duplicate() -> ServiceError:
    return ServiceError(gettext(NOT_ACCEPTED), field="id_number", code="duplicate")


def _new_reference() -> str:
    for _ in range(5):
        code = rules.new_code()
        if not Member.objects.filter(reference=code).exists():
            return code
    raise ServiceError(gettext("系统繁忙，请稍后再试。"))  # 2**80 codes: not in practice


@transaction.atomic
def member_apply_online(
    *,
    association: Association,
    kind: str,
    name: str,
    id_number: str,
    phone: str,
    consent_version: int | None,
) -> Member:
    """A citizen's application: a personal member type, a current village association, the
    current consent text agreed to; refused for a number that holds or seeks a membership."""
    if association.kind not in ONLINE_HOLDERS or not association.is_current:
        raise ServiceError(gettext("请选择在用的村（社区）计生协。"), field="association")
    if kind not in rules.ONLINE_KINDS:
        raise ServiceError(gettext("请选择个人会员类型。"), field="kind")
    agreed = consent.agreed(
        rules.CONSENT_PURPOSE,
        consent_version,
        missing=gettext("尚未设置入会申请同意书，暂不能在网上申请。"),
    )
    name = (name or "").strip()
    if len(name) < 2:
        raise ServiceError(gettext("请填写真实姓名。"), field="name")
    if not id_number:
        raise ServiceError(gettext("请填写身份证号码。"), field="id_number")
    if not phone:
        raise ServiceError(gettext("请填写联系电话。"), field="phone")
    member = Member(
        association=association,
        kind=kind,
        name=name,
        id_number=id_number,
        phone=phone,
        applied_on=timezone.localdate(),
        online=True,
        consent=agreed,
        reference=_new_reference(),
    )
    validate(member, exclude=["id_number_hash", "phone_hash", "card_number", "consent"])
    _apply_identity(member)
    if duplicate_of(member.id_number.reveal_unchecked()) is not None:
        raise _refuse_duplicate()
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # the same number sent twice at once
        raise _refuse_duplicate() from exc
    values = snapshot(member)
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        obj=member,
        changes={k: [None, v] for k, v in values.items() if k not in AUDIT_EXCLUDE},
        scope_path=association.path,
        reason="网上入会申请",
    )
    return member
