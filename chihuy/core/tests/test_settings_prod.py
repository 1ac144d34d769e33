"""CHIHUY_ENV=production refuses to start half-configured, and passes Django's deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]
CLEARED = (
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "ALLOWED_HOSTS_FILE",
    "DEBUG",
    "DATABASE_URL",
    # Set by the browser tests for Playwright; a deployment must not have it (async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _manage(tmp_path, *args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED and k != "DJANGO_SETTINGS_MODULE"}
    environ.update(
        {
            "CHIHUY_ENV": "production",
            "CHIHUY_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "chihuy.settings",
        }
    )
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


GOOD_KEY = secrets.token_urlsafe(64)


@pytest.mark.parametrize("args", [("check",), ("check", "--deploy")])
def test_refuses_without_secret_key(tmp_path, args):
    result = _manage(tmp_path, *args, ALLOWED_HOSTS="chihuy.example.vn")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_a_short_or_insecure_secret_key(tmp_path):
    result = _manage(tmp_path, "check", SECRET_KEY="ngan-qua", ALLOWED_HOSTS="chihuy.example.vn")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr
    result = _manage(tmp_path, "check", SECRET_KEY="django-insecure-" + "x" * 60, ALLOWED_HOSTS="a.vn")
    assert result.returncode != 0


def test_refuses_without_allowed_hosts(tmp_path):
    result = _manage(tmp_path, "check", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set in production" in result.stderr


def test_refuses_debug_in_production(tmp_path):
    result = _manage(tmp_path, "check", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="chihuy.example.vn", DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG=true is not allowed" in result.stderr


def test_deploy_check_passes_when_configured(tmp_path):
    result = _manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="chihuy.example.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY, encoding="utf-8")
    result = _manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS="chihuy.example.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
