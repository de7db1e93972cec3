"""`manage.py restore DIR`: into an empty database, checked against the manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder into the configured empty database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            restored = backup_restore(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored {len(restored['tables'])} tables and "
            f"{len(restored['media'])} files; row counts and checksums match"
        )
