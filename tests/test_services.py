import os
import socket

import pytest

from config import services


def listening_socket():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_urls_from_the_environment_win(tmp_path):
    environ = {
        "DATABASE_URL": "postgresql://u:p@db.example:5432/crm",
        "REDIS_URL": "redis://cache.example:6379/2",
        "CRM_EMBEDDED": "1",
    }

    resolved = services.resolve(environ=environ, start=False)

    assert resolved.database.url == environ["DATABASE_URL"]
    assert resolved.redis.url == environ["REDIS_URL"]
    assert {resolved.database.source, resolved.redis.source} == {"environment"}


def test_local_servers_are_used_when_they_answer(monkeypatch):
    with listening_socket() as db, listening_socket() as cache:
        db_host, db_port = db.getsockname()
        cache_host, cache_port = cache.getsockname()
        monkeypatch.setattr(services, "LOCAL_POSTGRES", (db_host, db_port))
        monkeypatch.setattr(services, "LOCAL_REDIS", (cache_host, cache_port))

        resolved = services.resolve(environ={}, start=False)

    assert resolved.database.source == "local"
    assert resolved.database.url == f"postgresql://postgres@{db_host}:{db_port}/crm"
    assert resolved.redis.source == "local"
    assert resolved.redis.url == f"redis://{cache_host}:{cache_port}/0"


def test_embedded_is_chosen_when_nothing_answers_or_when_forced(monkeypatch, tmp_path):
    with listening_socket() as db, listening_socket() as cache:
        monkeypatch.setattr(services, "LOCAL_POSTGRES", db.getsockname())
        monkeypatch.setattr(services, "LOCAL_REDIS", cache.getsockname())
        environ = {"CRM_EMBEDDED": "1", "CRM_VAR_DIR": str(tmp_path)}

        # start=False: prove the choice without starting servers (the slow test does).
        with pytest.raises(
            RuntimeError, match=r"embedded PostgreSQL .* is not running"
        ):
            services.resolve(environ=environ, start=False)
        with pytest.raises(RuntimeError, match=r"embedded Redis .* is not running"):
            services._resolve_redis(environ, embedded=True, start=False)


def test_port_answers_is_false_for_a_closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert services.port_answers("127.0.0.1", port) is False


def test_the_embedded_cluster_is_named_by_postgresql_major_version(tmp_path):
    version = services.embedded_postgres_version()
    pgdata = services.embedded_pgdata({"CRM_VAR_DIR": str(tmp_path)})

    assert pgdata == tmp_path / f"pgdata-{version.split('.')[0]}"


def test_stop_leaves_a_process_alone_that_a_stale_pid_file_names(tmp_path):
    # A cluster that was not shut down leaves postmaster.pid; its pid may be reused.
    for name in ("pgdata", "pgdata-18"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "postmaster.pid").write_text(f"{os.getpid()}\n{tmp_path}\n")

    assert services.stop_embedded({"CRM_VAR_DIR": str(tmp_path)}) == []
