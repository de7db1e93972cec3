"""make bench: customer pages at 10k and 100k organizations.

For each size a database crm_bench_<size> on the resolved PostgreSQL server is
seeded once with `seed_bench` (reused afterwards), then each page is requested
in-process with Django's test client as `bench_staff` (team 1 of 4: a quarter of
all customers, plus personal grants): warm-up, then 20 timed runs; the median is
reported with the page's SQL query count. Set BENCH_SIZES=10000 for a quick run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]


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


def run_size(url: str, size: int) -> list[dict]:
    name = f"crm_bench_{size}"
    ensure_database(url, name)
    env = {
        **os.environ,
        "DATABASE_URL": with_database(url, name),
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "BENCH_SIZE": str(size),
    }
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    out = subprocess.run(
        [PYTHON, "-m", "bench.measure_customers"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(out.stderr[-2000:] if out.returncode else "")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    url = server_url()
    rows = []
    for size in SIZES:
        print(f"… {size} organizations", file=sys.stderr, flush=True)
        rows.extend(run_size(url, size))
    print()
    print(f"{'organizations':>13} | {'page':<34} | {'median ms':>9} | {'queries':>7}")
    print(f"{'-' * 13}-+-{'-' * 34}-+-{'-' * 9}-+-{'-' * 7}")
    for row in rows:
        print(
            f"{row['size']:>13,} | {row['page']:<34} | {row['median_ms']:>9.1f} | "
            f"{row['queries']:>7}"
        )
    if len(SIZES) > 1:
        small, big = min(SIZES), max(SIZES)
        print()
        for page in dict.fromkeys(row["page"] for row in rows):
            times = {r["size"]: r["median_ms"] for r in rows if r["page"] == page}
            print(f"{page}: {big:,} vs {small:,} = {times[big] / times[small]:.2f}x")


if __name__ == "__main__":
    main()
