"""The store's write lock: one thread at a time in a process, one process at a time on a file."""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path


class StoreLock:
    """The connection's lock: one thread of this process at a time, and, for a database
    file, one process at a time (an flock on `<db>.lock`).

    Without the file lock, processes sharing the database (the workers of `faqbot
    serve --http --workers N`, `faqbot purge`) would meet in SQLite's busy handler,
    which sleeps 1, 2, 5, 10 … ms between tries: under load most of a worker's time
    went to those sleeps. A waiter on an flock is woken as soon as it is released.
    Reentrant, as the store's methods call one another inside transactions.
    """

    def __init__(self, path: Path | None) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._file = path.open("a") if path is not None else None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        self._depth += 1
        if self._depth == 1 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._thread_lock.release()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
