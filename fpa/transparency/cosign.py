"""Witnesses: outside parties that cosign our checkpoints (docs/ledger.md, "Witnesses").

The platform is the client of the C2SP tlog-witness protocol: after a checkpoint is signed, the
background task ``fpa.transparency.jobs.submit_checkpoint`` posts it to each active witness's
``add-checkpoint`` with the RFC 6962 consistency proof from the size that witness last cosigned
(a 409 answer names the witness's size: the proof is rebuilt from it, once). The cosignature line
returned (C2SP tlog-cosignature ``cosignature/v1``) is verified against the witness's verifier key
before it is stored; a line that does not verify is refused and recorded, never published. The
cosigned note is the operator's note with every stored cosignature line appended.

Adding and removing a witness is the system administrator's (``ledger.witnesses``), audited.
"""

from __future__ import annotations

import base64
import binascii
import logging
import struct
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.actors import Actor
from fpa.core.audit import audit_record
from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from fpa.core.scope import require
from fpa.transparency.keys import COSIGNATURE_TYPE, parse_verifier_key, verify_signature
from fpa.transparency.models import Checkpoint, Cosignature, Witness

logger = logging.getLogger(__name__)

COSIGNATURE_V1 = 0x04
MAX_RESPONSE = 16 * 1024
DEFAULT_TIMEOUT = 5.0
DASH = "\u2014"


# --- keys and lines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CosignerKey:
    name: str
    key_id: bytes
    public: bytes


def parse_cosigner_key(vkey: str) -> CosignerKey:
    """A C2SP verifier key of signature type 0x04 (cosignature/v1); ValueError if not."""
    name, key_id, public = parse_verifier_key(vkey or "", COSIGNATURE_TYPE)
    return CosignerKey(name, key_id, public)


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class Verified:
    timestamp: int
    signature: bytes
    line: str


def verify_line(key: CosignerKey, body: str, line: str) -> Verified | None:
    """The cosignature in ``line`` if it is ``key``'s and verifies over ``body``, else None."""
    text = line.rstrip("\n")
    if not text.startswith(DASH + " "):
        return None
    name, _, b64 = text[2:].partition(" ")
    try:
        blob = base64.b64decode(b64, validate=True)
    except binascii.Error:
        return None
    if name != key.name or len(blob) != 76 or blob[:4] != key.key_id:
        return None
    (timestamp,) = struct.unpack(">Q", blob[4:12])
    if not 0 < timestamp < 2**63:
        return None
    if not verify_signature(key.public, blob[12:], cosigned_message(body, timestamp)):
        return None
    return Verified(int(timestamp), blob[12:], text + "\n")


def cosignatures_of(checkpoint: Checkpoint) -> list[Cosignature]:
    return list(checkpoint.cosignatures.select_related("witness").order_by("witness_id"))


def cosigned_note(checkpoint: Checkpoint, cosignatures: list[Cosignature] | None = None) -> str:
    """The operator's note with each stored cosignature line appended after its line."""
    rows = cosignatures_of(checkpoint) if cosignatures is None else cosignatures
    return checkpoint.note + "".join(row.line for row in rows)


def cosignature_json(row: Cosignature) -> dict[str, Any]:
    blob = bytes.fromhex(row.key_id) + struct.pack(">Q", row.timestamp) + bytes(row.signature)
    return {
        "name": row.witness.name,
        "key_id": row.key_id,
        "timestamp": row.timestamp,
        "signature": base64.b64encode(blob).decode(),
    }


# --- the administrator's list ------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ServiceError(gettext("请写明原因（至少 5 个字）。"), field="reason")
    return reason


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 300:
        raise ServiceError(
            gettext("请填写见证人的网址（以 http:// 或 https:// 开头）。"), field="url"
        )
    if parts.query or parts.fragment:
        raise ServiceError(gettext("见证人的网址不能带查询参数。"), field="url")
    return url


def _operator(actor: Actor | None, operator: str) -> str:
    return (actor.username if actor is not None else "") or operator or "operator"


@transaction.atomic
def add_witness(
    *,
    actor: Actor | None,
    verifier_key: str,
    url: str,
    label: str = "",
    reason: str = "",
    operator: str = "",
) -> Witness:
    """Add a witness (its verifier key, type 0x04, names it). ``actor`` None: the operator at
    the command line. Audited; the latest checkpoint is then submitted to it."""
    if actor is not None:
        require(actor, "ledger.witnesses")
    try:
        key = parse_cosigner_key(verifier_key)
    except ValueError as error:
        raise ServiceError(
            gettext("见证人公钥格式不正确：%(error)s") % {"error": error}, field="verifier_key"
        ) from None
    url = _check_url(url)
    label = (label or "").strip()[:100]
    if Witness.objects.filter(active=True, name=key.name).exists():
        raise ServiceError(gettext("已有同名的见证人。"), field="verifier_key")
    witness = Witness.objects.create(
        name=key.name,
        label=label,
        verifier_key=verifier_key.strip(),
        url=url,
        added_by=_operator(actor, operator),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=witness,
        changes={"name": key.name, "verifier_key": witness.verifier_key, "url": url},
        reason=(reason or "").strip(),
        username=operator if actor is None else "",
    )
    newest = Checkpoint.objects.order_by("-id").first()
    if newest is not None:
        enqueue_submission(newest.pk)
    return witness


@transaction.atomic
def remove_witness(
    *, actor: Actor | None, witness: Witness, reason: str, operator: str = ""
) -> Witness:
    """Stop submitting to a witness (its cosignatures stay published). Audited, with a reason."""
    if actor is not None:
        require(actor, "ledger.witnesses")
    reason = _require_reason(reason)
    if not witness.active:
        raise ServiceError(gettext("该见证人已被移除。"))
    who = _operator(actor, operator)
    Witness.objects.filter(pk=witness.pk).update(
        active=False, removed_at=timezone.now(), removed_by=who[:150], removal_reason=reason
    )
    witness.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=witness,
        changes={"active": False},
        reason=reason,
        username=operator if actor is None else "",
    )
    return witness


# --- submitting --------------------------------------------------------------------------------


def enqueue_submission(checkpoint_id: int) -> None:
    """After the current transaction commits, submit the checkpoint to the active witnesses."""

    def go() -> None:
        if not Witness.objects.filter(active=True).exists():
            return
        from fpa.transparency.jobs import submit_checkpoint

        try:
            submit_checkpoint.enqueue(checkpoint_id)
        except Exception:  # the queue must never break the signature that was just made
            logger.exception(
                "could not queue the witness submission of checkpoint %s", checkpoint_id
            )

    transaction.on_commit(go)


@dataclass(frozen=True)
class Answer:
    status: int  # HTTP status, 0 when the witness could not be reached
    content_type: str
    text: str


def post(url: str, body: bytes, timeout: float) -> Answer:
    request = urllib.request.Request(  # noqa: S310 (http/https only: _check_url)
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(MAX_RESPONSE)
            return Answer(response.status, response.headers.get("Content-Type", ""), _text(data))
    except urllib.error.HTTPError as error:
        data = error.read(MAX_RESPONSE)
        return Answer(error.code, error.headers.get("Content-Type", ""), _text(data))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Answer(0, "", str(reason)[:300])


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def timeout() -> float:
    return float(getattr(settings, "FPA_LEDGER_WITNESS_TIMEOUT", DEFAULT_TIMEOUT))


def request_body(old: int, proof: list[bytes], note: str) -> bytes:
    lines = [f"old {old}"] + [base64.b64encode(h).decode() for h in proof]
    return ("\n".join(lines) + "\n\n" + note).encode()


def last_cosigned_size(witness: Witness, limit: int) -> int:
    size = (
        Cosignature.objects.filter(witness=witness, checkpoint__tree_size__lte=limit)
        .order_by("-checkpoint__tree_size")
        .values_list("checkpoint__tree_size", flat=True)
        .first()
    )
    return size or 0


@dataclass(frozen=True)
class Outcome:
    status: str  # Witness.Status
    message: str
    cosignature: Cosignature | None = None


def _record(witness: Witness, outcome: Outcome) -> Outcome:
    Witness.objects.filter(pk=witness.pk).update(
        last_attempt_at=timezone.now(), last_status=outcome.status, last_message=outcome.message
    )
    if outcome.status != Witness.Status.OK:
        logger.warning("witness %s: %s: %s", witness.name, outcome.status, outcome.message)
    return outcome


def submit(checkpoint: Checkpoint, witness: Witness) -> Outcome:
    """Submit ``checkpoint`` to ``witness``; store and return its verified cosignature, or
    record why there is none (shown on the administrator's page)."""
    from fpa.transparency.services import LogCorrupted, ProofError, consistency_proof

    existing = Cosignature.objects.filter(checkpoint=checkpoint, witness=witness).first()
    if existing is not None:
        return Outcome(Witness.Status.OK, "", existing)
    try:
        key = parse_cosigner_key(witness.verifier_key)
    except ValueError as error:
        return _record(witness, Outcome(Witness.Status.INVALID, f"bad verifier key: {error}"))
    size = checkpoint.tree_size
    old = last_cosigned_size(witness, size)
    url = witness.url.rstrip("/") + "/add-checkpoint"
    answer = Answer(0, "", "")
    for _attempt in range(2):
        try:
            proof = consistency_proof(old, size) if 0 < old < size else []
        except (ProofError, LogCorrupted) as error:
            return _record(
                witness, Outcome(Witness.Status.FAILED, f"no consistency proof from {old}: {error}")
            )
        answer = post(url, request_body(old, proof, checkpoint.note), timeout())
        if answer.status != 409:
            break
        reported = answer.text.strip()
        if not reported.isdigit() or not reported.isascii():
            return _record(
                witness, Outcome(Witness.Status.REFUSED, f"409 without a size: {reported[:200]}")
            )
        if int(reported) > size:
            return _record(
                witness,
                Outcome(
                    Witness.Status.REFUSED,
                    f"the witness has cosigned a larger tree ({reported}) than this checkpoint "
                    f"({size})",
                ),
            )
        if int(reported) == old:
            break
        old = int(reported)
    if answer.status == 0:
        return _record(witness, Outcome(Witness.Status.FAILED, answer.text or "unreachable"))
    if answer.status != 200:
        message = f"HTTP {answer.status}: {answer.text.strip()[:500]}"
        return _record(witness, Outcome(Witness.Status.REFUSED, message))
    for line in answer.text.splitlines():
        verified = verify_line(key, checkpoint.body, line)
        if verified is not None:
            row = Cosignature.objects.create(
                checkpoint=checkpoint,
                witness=witness,
                timestamp=verified.timestamp,
                signature=verified.signature,
                key_id=key.key_id.hex(),
                line=verified.line,
            )
            return _record(witness, Outcome(Witness.Status.OK, "", row))
    return _record(
        witness,
        Outcome(
            Witness.Status.INVALID,
            "the answer holds no cosignature that verifies with the witness's key: "
            + answer.text.strip()[:300],
        ),
    )


def submit_to_all(checkpoint: Checkpoint) -> dict[str, Outcome]:
    return {
        witness.name: submit(checkpoint, witness)
        for witness in Witness.objects.filter(active=True).order_by("id")
    }


def latest_cosignatures(witnesses: list[Witness]) -> dict[int, Cosignature]:
    """Witness id -> its newest cosignature (one query per witness: there are a few)."""
    found: dict[int, Cosignature] = {}
    for witness in witnesses:
        row = (
            Cosignature.objects.filter(witness=witness)
            .select_related("checkpoint")
            .order_by("-checkpoint_id")
            .first()
        )
        if row is not None:
            found[witness.pk] = row
    return found
