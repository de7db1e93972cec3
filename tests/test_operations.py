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
