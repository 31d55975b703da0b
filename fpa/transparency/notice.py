"""The checkpoint notice (检查点公告): the newest signed checkpoint in forms that can be posted
where the operator cannot rewrite them (docs/ledger.md, "Posting checkpoints outside the
platform"): a plain text to paste into the association's official WeChat account or the
government transparency page, and a printable A4 notice for the notice board.

A posted notice carries the whole signed note (with the witnesses' cosignature lines), so a
reader can later check both the signature and that today's log still extends it.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from fpa.transparency.models import Checkpoint
from fpa.transparency.services import b64


def published_note(checkpoint: Checkpoint) -> str:
    """The note as published: the operator's signed note with the witnesses' cosignature lines
    when there are any (docs/ledger.md, "The cosigned note")."""
    from fpa.transparency.cosign import cosigned_note

    return cosigned_note(checkpoint)


def hex_groups(digest: bytes) -> str:
    """The root in hexadecimal, in groups of four, to be read aloud or compared by eye."""
    text = digest.hex()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def notice_text(checkpoint: Checkpoint, *, check_url: str) -> str:
    """The text to paste into an official account: what was signed, where to check it, and the
    signed note itself, which must be kept unchanged."""
    signed_at = timezone.localtime(checkpoint.created_at)
    lines = [
        gettext("【生育关怀基金公开账本·检查点公告】"),
        gettext("账本名称：%(origin)s") % {"origin": checkpoint.key_name},
        gettext("签名时间：%(time)s（%(zone)s）")
        % {"time": signed_at.strftime("%Y-%m-%d %H:%M:%S"), "zone": signed_at.tzname()},
        gettext("条目数：%(size)s") % {"size": checkpoint.tree_size},
        gettext("根哈希：%(root)s") % {"root": b64(bytes(checkpoint.root_hash))},
        gettext("根哈希（十六进制）：%(hex)s") % {"hex": hex_groups(bytes(checkpoint.root_hash))},
        gettext("核对网址：%(url)s") % {"url": check_url},
        gettext(
            "以下是签名原文，请完整保存，不要改动（核对程序用它检查今天的账本是否只在其后追加）："
        ),
        "",
        published_note(checkpoint).rstrip("\n"),
    ]
    return "\n".join(lines) + "\n"
