"""Production settings, checked the way an operator starts them: in a fresh process.

`manage.py check --deploy` must be clean at WARNING level, the settings must refuse a short
secret key, and the demo loader and `createsuperuser` must be refused in production.
"""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The same key material as config/settings/test.py (test-only keys).
FIELD_KEYS = json.dumps(
    {
        "active": "t1",
        "keys": {"t1": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
        "hash_key": "aGFzaC1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc=",
    }
)


def random_secret(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A clean environment for production settings: nothing inherited from the test run's
    DJANGO_*, FPA_* or DATABASE_URL (which may point at the CI PostgreSQL)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FPA_")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=random_secret(),
        DJANGO_ALLOWED_HOSTS="fpa.example.org",
        FPA_FIELD_KEYS=FIELD_KEYS,
        FPA_VAR_DIR=str(tmp_path),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", ["", "too-short-0123456789", "x" * 49])
def test_production_refuses_short_secret_key(tmp_path, secret):
    result = manage(production_env(tmp_path, DJANGO_SECRET_KEY=secret), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_seed_demo_refused_in_production(tmp_path):
    result = manage(production_env(tmp_path), "seed_demo")
    assert result.returncode != 0
    assert "Demo data is not allowed" in result.stderr
    assert "Traceback" not in result.stderr  # a clean CommandError, not a crash


def test_createsuperuser_refused_in_production(tmp_path):
    result = manage(production_env(tmp_path), "createsuperuser")
    assert result.returncode != 0
    assert "create_admin" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
