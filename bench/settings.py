"""Settings for the bench: production settings (config.settings.base) with the bench database.

The database comes from DATABASE_URL (SQLite or PostgreSQL); without it, a SQLite file under
bench/results/ (gitignored). Field keys, SECRET_KEY and password hashing are the test suite's fixed
values, so a bench database can be generated once and benched from any process. No second factor.
"""

import json
import os
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{RESULTS_DIR / 'bench.sqlite3'}")

from config.settings.base import *  # noqa: E402, F403

SECRET_KEY = "bench-only-secret-key-not-used-anywhere-else-0123456789abcdef"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FPA_REQUIRE_OTP = False
FPA_ALLOW_DEMO = False
FPA_KEY_FILE = ""
os.environ.setdefault(
    "FPA_FIELD_KEYS",
    json.dumps(
        {
            "active": "t1",
            "keys": {"t1": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
            "hash_key": "aGFzaC1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc=",
        }
    ),
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Request logging would add console I/O to every timed request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
