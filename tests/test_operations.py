"""Operations as compose runs them: restarts, the beat schedule's state."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_worker_and_beat_are_restarted_when_they_exit():
    services = compose()["services"]

    for name in ["web", "worker", "beat"]:
        assert services[name]["restart"] == "unless-stopped", name


def test_beat_schedule_and_media_live_on_a_volume():
    stack = compose()

    for name in ["web", "worker", "beat"]:
        assert "app-data:/app/var" in stack["services"][name]["volumes"], name
    assert "app-data" in stack["volumes"]
    # The image puts CRM_VAR_DIR there, and the beat schedule lives in it.
    assert "CRM_VAR_DIR=/app/var" in (ROOT / "Dockerfile").read_text()
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE_FILENAME.startswith(str(settings.VAR_DIR))


def test_the_layers_of_design_md_hold():
    import subprocess
    import sys

    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stdout + result.stderr
    layers = "core <- accounts <- crm <- contracts <- service <- compliance"
    assert f"{layers} KEPT" in result.stdout
    assert "lint-imports" in (ROOT / "Makefile").read_text()


def test_backup_and_restore_are_make_targets_and_documented():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()

    assert "manage.py backup" in makefile
    assert "manage.py restore" in makefile
    assert "## Backup and restore" in readme
    assert "The keys are not in the backup" in readme
