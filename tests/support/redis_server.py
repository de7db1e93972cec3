"""A Redis server of a test's own: a real redis-server on a free port in a temp dir."""

import shutil
import subprocess
import time
from pathlib import Path

from config.services import free_port, port_answers


class RedisServer:
    """Start, stop (kill -9, or shut down keeping the data) and start again on the
    same port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [executable, "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.folder), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(200):
            if port_answers("127.0.0.1", self.port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=20)
            self.process = None

    def shut_down_keeping_data(self) -> None:
        """Stop like an outage that ends with the data back: SHUTDOWN SAVE writes
        dump.rdb into the folder, and `start` loads it again."""
        import redis

        if self.process is not None:
            redis.Redis(host="127.0.0.1", port=self.port).shutdown(save=True)
            self.process.wait(timeout=20)
            self.process = None
