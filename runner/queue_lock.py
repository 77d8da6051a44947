"""One consuming worker per jobs database: an exclusive lock on `<db>.worker.lock`.

    lock = QueueLock(queue.db_path)
    if not lock.acquire():
        print(f"another worker ({lock.holder()}) already consumes {queue.db_path}")

`fcntl.flock` on a file beside the database: the kernel drops it when the holding process
dies, however it dies (`kill -9` included), so a worker that takes it knows that no other
worker is alive and that every job still `running` was left by a dead one. The holder writes
its description into the file, for the refusal message of the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class QueueLock:
    """The exclusive right to consume one jobs database, held until `release` or exit."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.worker.lock")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, owner: str = "") -> bool:
        """Take the lock without waiting; False if another process holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, (owner or f"pid {os.getpid()}").encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        """Who holds it, as it described itself (e.g. `host:1234:ab12cd34`)."""
        with contextlib.suppress(OSError):
            return self.path.read_text().strip() or "unknown"
        return "unknown"

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class SharedQueue:
    """QueueLock's stand-in for a queue several workers share (PostgreSQL): always granted.

    There the database itself keeps workers apart (row locks, owner, heartbeat), and a file
    lock on one host would say nothing about the workers of the other replicas.
    """

    held = True

    def acquire(self, owner: str = "") -> bool:
        return True

    def holder(self) -> str:
        return "nobody (shared queue)"

    def release(self) -> None:
        pass
