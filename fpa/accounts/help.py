"""Where the account pages' help is in the user guide (fpa.core.help reads it)."""

from __future__ import annotations

from fpa.core.help import Anchor

SECTIONS: dict[str, Anchor] = {
    "accounts:*": "账号管理",
    "accounts:login": "登录",
    "accounts:logout": "登录",
    "accounts:otp_verify": "登录",
    "accounts:otp_setup": "登录",
    "accounts:profile": "登录",
    "accounts:advanced": "接口令牌",
    "accounts:token_revoke": "接口令牌",
}
