"""Shared by the benchmarks: a database per data set, a measuring run, a table."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def server_url() -> str:
    sys.path.insert(0, str(ROOT))
    from config import services

    return services.resolve().database.url


def with_database(url: str, name: str) -> str:
    base, _slash, _db = url.rpartition("/")
    return f"{base}/{name}"


def ensure_database(url: str, name: str) -> None:
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def measure(
    url: str, database: str, module: str, size: int, env: dict | None = None
) -> list[dict]:
    """Migrate `database` (made when missing) and run `module` on it; its JSON rows."""
    ensure_database(url, database)
    env = {
        **os.environ,
        "DATABASE_URL": with_database(url, database),
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "BENCH_SIZE": str(size),
        **(env or {}),
    }
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    out = subprocess.run(
        [PYTHON, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.stderr.write(out.stderr[-4000:])
        out.check_returncode()
    return json.loads(out.stdout.strip().splitlines()[-1])


def timed(call: Callable[[], object], runs: int) -> float:
    """The median of `runs` calls, in milliseconds (after the caller warmed up)."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def print_table(rows: list[dict], size_label: str) -> None:
    """size | what | median ms | queries | detail, then big-vs-small ratios."""
    width = max(len(row["page"]) for row in rows)
    print()
    print(
        f"{size_label:>13} | {'page':<{width}} | {'median ms':>9} | {'queries':>7} | "
        "detail"
    )
    print(f"{'-' * 13}-+-{'-' * width}-+-{'-' * 9}-+-{'-' * 7}-+-{'-' * 6}")
    for row in rows:
        print(
            f"{row['size']:>13,} | {row['page']:<{width}} | {row['median_ms']:>9.1f} | "
            f"{row['queries']:>7} | {row.get('detail', '')}"
        )
    sizes = sorted({row["size"] for row in rows})
    if len(sizes) > 1:
        small, big = sizes[0], sizes[-1]
        print()
        for page in dict.fromkeys(row["page"] for row in rows):
            times = {r["size"]: r["median_ms"] for r in rows if r["page"] == page}
            if small in times and big in times:
                ratio = times[big] / times[small]
                print(f"{page}: {big:,} vs {small:,} = {ratio:.2f}x")
