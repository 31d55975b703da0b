"""`make run`: the production server on loopback, plain HTTP, demo data allowed,
second factor optional."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

SECRET_KEY = SECRET_KEY or (VAR_DIR / "secret-key").read_text().strip()  # noqa: F405
FPA_REQUIRE_OTP = env_bool("FPA_REQUIRE_OTP", False)
FPA_ALLOW_DEMO = True
