"""Backup and restore: the database (pg_dump), MEDIA_ROOT, and a manifest.

The manifest holds row counts and checksums of every table, the files of
MEDIA_ROOT with their SHA-256, and the *fingerprints* of FIELD_ENCRYPTION_KEYS,
never the keys: without the same keys, birthdays, notes and IBANs of a restored
database cannot be read (pages with them answered 500), so restore refuses
unless every key of the backup is configured. The keys are kept apart from the
backups (README, "Backup and restore").
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(Exception):
    """A backup or restore step failed; the message says which and why."""


DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


def key_fingerprints(keys: list[str]) -> list[str]:
    """SHA-256 prefixes that name the keys without revealing them."""
    return [hashlib.sha256(key.encode()).hexdigest()[:16] for key in keys]


def table_checksums() -> dict[str, dict]:
    """Row count and an order-independent checksum of every table in public."""
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "ORDER BY tablename"
        )
        for (table,) in cursor.fetchall():
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
                f"FROM (SELECT md5(t::text) AS h FROM {quoted} t) rows"
            )
            count, checksum = cursor.fetchone()
            result[table] = {"rows": count, "md5": checksum}
    return result


def media_files(root: Path) -> dict[str, str]:
    """Every file under MEDIA_ROOT by relative path, with its SHA-256."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _libpq_env() -> dict:
    db = connection.settings_dict
    env = {
        "PGHOST": db["HOST"] or "",
        "PGPORT": str(db["PORT"] or ""),
        "PGUSER": db["USER"] or "",
        "PGPASSWORD": db["PASSWORD"] or "",
        "PGDATABASE": db["NAME"],
    }
    return {key: value for key, value in env.items() if value}


def _run(command: list[str]) -> None:
    completed = subprocess.run(
        command, env={**os.environ, **_libpq_env()}, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr[-2000:]}")


def backup_create(*, folder: Path) -> dict:
    """Write database.dump, media.tar.gz and manifest.json into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    manifest = {
        "created": timezone.now().isoformat(),
        "tables": table_checksums(),
        "media": media_files(media_root),
        "field_keys": key_fingerprints(settings.FIELD_ENCRYPTION_KEYS),
    }
    # Custom format: compressed, restorable table by table; no owners, so it
    # restores under any database user.
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / DUMP)])
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname=".")
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def backup_restore(*, folder: Path) -> dict:
    """Restore a backup into the configured (empty) database and MEDIA_ROOT."""
    manifest = json.loads((folder / MANIFEST).read_text())
    missing = set(manifest["field_keys"]) - set(
        key_fingerprints(settings.FIELD_ENCRYPTION_KEYS)
    )
    if missing:
        raise BackupError(
            "FIELD_ENCRYPTION_KEYS lacks keys of this backup (fingerprints "
            f"{', '.join(sorted(missing))}): its encrypted fields would be "
            "unreadable. Configure the keys from their custody, then restore."
        )
    if connection.introspection.table_names():
        raise BackupError(
            f"database {connection.settings_dict['NAME']} is not empty; restore "
            "into a new, empty database"
        )
    _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
          connection.settings_dict["NAME"], str(folder / DUMP)])  # fmt: skip
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        archive.extractall(media_root, filter="data")
    restored = {"tables": table_checksums(), "media": media_files(media_root)}
    differs = [
        table
        for table, expected in manifest["tables"].items()
        if restored["tables"].get(table) != expected
    ]
    differs += [
        path
        for path, digest in manifest["media"].items()
        if restored["media"].get(path) != digest
    ]
    if differs:
        raise BackupError(f"restored data differs from the backup: {differs}")
    return restored
