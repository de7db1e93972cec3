"""A backup restores into a new database: same row counts and checksums, same
media files; without the same FIELD_ENCRYPTION_KEYS the restore refuses."""

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CHECKSUMS = """
SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
"""


def url_of(name: str) -> str:
    db = connection.settings_dict
    auth = f"{db['USER']}:{db['PASSWORD'] or ''}"
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT']}/{name}"


def checksums(url: str) -> dict:
    """Rows and an order-independent md5 per table, computed here on its own."""
    with psycopg.connect(url) as conn:
        tables = [row[0] for row in conn.execute(CHECKSUMS)]
        return {
            table: conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
                f'FROM (SELECT md5(t::text) h FROM "{table}" t) r'
            ).fetchone()
            for table in tables
        }


@pytest.fixture
def new_database():
    names = []

    def create(suffix: str) -> str:
        name = f"{connection.settings_dict['NAME']}_{suffix}"
        with psycopg.connect(url_of("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return name

    yield create
    with psycopg.connect(url_of("postgres"), autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore(folder: Path, database: str, media: Path, keys: list[str]):
    env = {
        **os.environ,
        # dev settings read FIELD_ENCRYPTION_KEYS from the environment.
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": url_of(database),
        "MEDIA_ROOT": str(media),
        "FIELD_ENCRYPTION_KEYS": ",".join(keys),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
def test_a_backup_restores_into_a_new_database_identically(
    transactional_db, settings, tmp_path, new_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    document = settings.MEDIA_ROOT / "contracts" / "documents" / "a1b2.pdf"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-1.4 a contract")
    call_command("seed_demo", stdout=io.StringIO())  # encrypted IBANs, birthdays
    folder = tmp_path / "backup"

    call_command("backup", str(folder), stdout=io.StringIO())
    manifest = (folder / "manifest.json").read_text()
    assert settings.FIELD_ENCRYPTION_KEYS[0] not in manifest  # fingerprints only
    target = new_database("restore")
    restored = restore(
        folder, target, tmp_path / "media2", settings.FIELD_ENCRYPTION_KEYS
    )

    assert restored.returncode == 0, restored.stderr[-3000:]
    original = checksums(url_of(connection.settings_dict["NAME"]))
    copy = checksums(url_of(target))
    assert copy == original
    assert original["crm_customer"][0] > 0
    assert original["crm_person"][0] > 0
    copied = tmp_path / "media2" / "contracts" / "documents" / "a1b2.pdf"
    assert hashlib.sha256(copied.read_bytes()).digest() == (
        hashlib.sha256(document.read_bytes()).digest()
    )


@pytest.mark.slow
def test_a_restore_with_other_keys_refuses_and_writes_nothing(
    transactional_db, settings, tmp_path, new_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--users-only", stdout=io.StringIO())
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=io.StringIO())
    target = new_database("otherkeys")

    other = Fernet.generate_key().decode()
    refused = restore(folder, target, tmp_path / "media2", [other])

    assert refused.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS lacks keys of this backup" in refused.stderr
    assert checksums(url_of(target)) == {}
