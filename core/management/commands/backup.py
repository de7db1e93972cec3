"""`manage.py backup DIR`: database, MEDIA_ROOT and a manifest (core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into a folder (keys not included)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = backup_create(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"backup in {folder}: {len(manifest['tables'])} tables, "
            f"{len(manifest['media'])} files; keys by fingerprint only: "
            f"{', '.join(manifest['field_keys'])}"
        )
