"""The test suite: the same mechanisms as production, with fast hashing and fixed keys."""

import json
import os

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789abcdef"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FPA_REQUIRE_OTP = True
FPA_ALLOW_DEMO = True
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
# A fixed Ed25519 seed for the ledger's checkpoints (tests only).
FPA_LEDGER_KEY_FILE = ""
os.environ.setdefault("FPA_LEDGER_KEY", "dGVzdC1vbmx5LWxlZGdlci1rZXktc2VlZC0wMTIzNDU=")
FPA_LEDGER_ORIGIN = "test.fpa.invalid/care-fund-ledger"
# Off unless set: tests/conftest.py gives each test its own file.
FPA_LEDGER_WITNESS_FILE = os.environ.get("FPA_LEDGER_WITNESS_FILE", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in memory
if DATABASES["jobs"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["jobs"]["TEST"] = {"NAME": ""}  # in memory
# Jobs run inside the request in tests (a worker is not the point there); the tests that start a
# real worker process set FPA_TASKS_BACKEND=database.
if os.environ.get("FPA_TASKS_BACKEND") != "database":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Static files come from the finders in tests (no collectstatic needed; no warning about the
# missing STATIC_ROOT on a fresh clone).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tests build and change the tree in every test: the area filters read it each time
# (tests/test_area_options_cache.py turns the per-worker copy on).
FPA_AREA_OPTIONS_SECONDS = 0
