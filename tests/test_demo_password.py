"""The demo accounts' generated password: every demo account must accept it. A draw the password
validators refuse for one of them (here one too similar to "demo-village", as happened in CI)
is drawn again instead of failing `seed_demo` half way."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from fpa.accounts.models import User
from fpa.demo.management.commands import seed_demo

REFUSED = "EWEMLpioOlzg"  # "Fpa-EWEMLpioOlzg": 0.71 similar to "demo-village"


def test_a_refused_draw_is_drawn_again(monkeypatch: Any, settings: Any, tmp_path: Any) -> None:
    with pytest.raises(ValidationError):
        validate_password("Fpa-" + REFUSED, user=User(username="demo-village"))
    draws = iter([REFUSED, "q7Xr2Bn9Tk4W"])
    monkeypatch.setattr(seed_demo.secrets, "token_urlsafe", lambda n: next(draws))
    monkeypatch.delenv("FPA_DEMO_PASSWORD", raising=False)
    settings.VAR_DIR = str(tmp_path)
    password = seed_demo.demo_password()
    assert password == "Fpa-q7Xr2Bn9Tk4W"
    assert (tmp_path / "demo-password").read_text().strip() == password
    for username, full_name, _code, _role in seed_demo.DEMO_ACCOUNTS:
        validate_password(password, user=User(username=username, full_name=full_name))
