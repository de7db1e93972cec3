"""What can be checked of the deployment without a Docker engine."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_make_check_deploy_passes_with_zero_warnings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        ["make", "check-deploy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_like_stack():
    services = compose()["services"]

    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "mail"}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_environment_matches_what_the_settings_read():
    stack = compose()
    environment = stack["x-app-environment"]
    settings_text = "".join(
        (ROOT / "config" / name).read_text()
        for name in ["settings/base.py", "settings/production.py", "services.py"]
    )
    read = set(
        re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', settings_text)
    )

    assert set(environment) <= read | {"DJANGO_SETTINGS_MODULE"}
    assert {
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "EMAIL_HOST",
    } <= set(environment)
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    for name in ["web", "worker", "beat"]:
        assert stack["services"][name]["environment"] == environment
    host = re.match(r"postgresql://[^@]+@([^:/]+)", environment["DATABASE_URL"]).group(
        1
    )
    assert host == "postgres"
    assert environment["EMAIL_HOST"] == "mail"


def test_every_setting_from_the_environment_is_documented_in_the_readme():
    code = "".join(
        path.read_text()
        for path in [
            *(ROOT / "config" / "settings").glob("*.py"),
            ROOT / "config" / "services.py",
        ]
    )
    read = set(
        re.findall(
            r'(?:environ\.get|env_bool|env_list|environ)\(?\s*\[?"([A-Z_]{3,})"', code
        )
    )
    readme = (ROOT / "README.md").read_text()

    missing = sorted(name for name in read if f"`{name}`" not in readme)
    # The pattern must really find what the code reads, or the test proves nothing.
    assert {
        "DATABASE_URL",
        "REDIS_URL",
        "CRM_EMBEDDED",
        "SECRET_KEY",
        "EMAIL_HOST",
    } <= read
    assert missing == []


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"CRM_WEB_PORT": "8080"}, "http://127.0.0.1:8080"),
        ({}, "http://127.0.0.1:8000"),
        (
            {"CRM_WEB_PORT": "8080", "SITE_URL": "https://crm.example.com"},
            "https://crm.example.com",
        ),
    ],
)
def test_links_in_e_mails_follow_the_port_make_run_serves_on(environment, expected):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SITE_URL", "CRM_WEB_PORT"}
    }
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings.dev")
    show = "from django.conf import settings; print(settings.SITE_URL)"
    shown = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == expected, shown.stderr
    assert "CRM_WEB_PORT=$(PORT)" in (ROOT / "Makefile").read_text()
