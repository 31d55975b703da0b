"""Where the verifiable ledger's help is in the user guide (fpa.core.help reads it)."""

from __future__ import annotations

from fpa.core.help import Anchor

SECTIONS: dict[str, Anchor] = {
    "transparency:*": "可验证账本",
    "transparency:notice": "检查点公告",
    "transparency:notice_plain": "检查点公告",
    "transparency:checkpoint_page": "检查点公告",
    "transparency:witness_admin": "见证人",
    "transparency:witness_remove": "见证人",
}
