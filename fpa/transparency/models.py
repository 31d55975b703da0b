"""The append-only Merkle log: leaves, a cache of complete subtree hashes, signed checkpoints.

All three tables are append-only at the database (triggers in migration 0002 refuse UPDATE and
DELETE on SQLite and PostgreSQL). Nothing here knows what a leaf means: the fund (or any other
producer) appends canonical bytes through ``fpa.transparency.services.append_leaf``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# (level, index) of a node packed into one integer key: level in the high bits.
NODE_INDEX_BITS = 48


def node_key(level: int, index: int) -> int:
    return (level << NODE_INDEX_BITS) | index


class LogLeaf(models.Model):
    """One entry of the log. ``index`` is dense and 0-based, in commit order."""

    index = models.BigIntegerField(primary_key=True)
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)  # SHA-256(0x00 || data)
    appended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.CheckConstraint(condition=models.Q(index__gte=0), name="leaf_index_gte_0")
        ]

    def __str__(self) -> str:
        return f"leaf {self.index}"


class LogNode(models.Model):
    """The hash of a complete aligned subtree of 2**level leaves, level >= 1.

    Node (level, index) covers leaves [index * 2**level, (index + 1) * 2**level). It is written
    when its last leaf is appended and never changes; any proof or root is a few of these.
    """

    key = models.BigIntegerField(primary_key=True)  # node_key(level, index)
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed tree head in the C2SP tlog-checkpoint signed-note format (docs/ledger.md)."""

    tree_size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    key_name = models.CharField(max_length=200)
    key_id = models.CharField(max_length=8)  # hex of the 4-byte signed-note key hash
    signature = models.BinaryField(max_length=64)  # the raw Ed25519 signature over `body`
    body = models.TextField()  # the exact signed text (origin, size, root, time lines)
    note = models.TextField()  # body + blank line + signature line, as published

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["tree_size"], name="checkpoint_size_idx")]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} @ {self.created_at:%Y-%m-%d %H:%M}"


class LedgerAlarm(models.Model):
    """The server refused to sign a checkpoint (docs/ledger.md, "Refusing to sign a fork").

    While an alarm is open, no anonymous request signs anything and the public ledger page and
    its JSON say the ledger is under review. Only an operator resolves it, with a stated reason
    (`manage.py ledger_alarms --resolve --reason ...` or `sign_checkpoint --reason ...`); both
    the alarm and its resolution are also written to the audit trail.
    """

    class Kind(models.TextChoices):
        MISSING = "missing", _("签名记录缺失")
        INVALID = "invalid", _("签名记录无法核验")
        FORK = "fork", _("账本与已签名的内容不一致")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.TextField()  # English, for operators and the audit trail
    details = models.JSONField(default=dict)  # sizes and roots concerned
    tree_size = models.BigIntegerField()  # the log's size when the alarm was raised
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolution = models.TextField(blank=True)  # the operator's stated reason

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"ledger alarm {self.kind} @ {self.raised_at:%Y-%m-%d %H:%M}"


class Witness(models.Model):
    """An outside party that cosigns our checkpoints (C2SP tlog-witness; docs/ledger.md,
    "Witnesses"). Added and removed by the system administrator through
    ``fpa.transparency.cosign`` (audited); a removed witness stays, inactive, with its reason."""

    class Status(models.TextChoices):
        NONE = "", _("尚未提交")
        OK = "ok", _("已联署")
        REFUSED = "refused", _("见证人拒绝")
        FAILED = "failed", _("无法联系")
        INVALID = "invalid", _("联署签名无效")

    name = models.CharField(max_length=200)  # the key name of its verifier key
    label = models.CharField(max_length=100, blank=True)  # who runs it, in Chinese
    verifier_key = models.CharField(max_length=300)  # C2SP vkey, signature type 0x04
    url = models.URLField(max_length=300)  # the submission prefix
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.CharField(max_length=150, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.CharField(max_length=150, blank=True)
    removal_reason = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    last_message = models.TextField(blank=True)  # the witness's own words on a refusal

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    """A witness's cosignature/v1 on one checkpoint, verified against its key before it is
    stored; published in the cosigned note."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.CASCADE, related_name="cosignatures"
    )
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    timestamp = models.BigIntegerField()  # unix seconds, as signed
    signature = models.BinaryField(max_length=64)  # the bare Ed25519 signature
    key_id = models.CharField(max_length=8)  # hex
    line = models.TextField()  # the signature line as the witness returned it, with "\n"
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["checkpoint_id", "witness_id"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="one_cosignature_each")
        ]

    def __str__(self) -> str:
        return f"cosignature of {self.witness_id} on {self.checkpoint_id}"
