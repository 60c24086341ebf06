"""`faqbot serve --http --workers N`: N processes answering on one listening socket.

One process answers about 120 mentions a second on two cores: routing, Block Kit and the
Web API call are CPU work under one GIL. Several processes use every core.

The parent binds the socket, then forks the workers, which all accept on it
(the kernel hands each connection to one of them). Forking after start-up
shares what start-up loaded (dictionaries, the matcher) copy-on-write, and a
worker needs no start-up of its own. Before every fork the parent finishes
what the last run left (`prepare`), while no worker is sending, so nothing is
taken from under a live sender. What must happen once, not once per worker
(the scheduled jobs, the daily purge), runs in worker 0 only.

The store is what the workers share: SQLite claims each event and each
outbox write for exactly one of them. Taught examples reach the other workers
through it (bot/teaching.py: sync).

If a worker dies (a crash, the OOM killer), the parent stops the others,
finishes what the dead one left, and starts them all again: the same path as a
restart, without a second kind of recovery for a live pool. A worker that
exits with FATAL_EXIT (Slack refused the bot token) stops the pool instead:
starting again cannot help. SIGTERM or SIGINT stops the workers (each lets its
listeners finish) and then the parent.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger("faqbot.workers")

# Started again more often than this within RESTART_WINDOW_SECONDS, the pool gives up:
# a worker that dies at once would otherwise fork forever.
MAX_RESTARTS = 5
RESTART_WINDOW_SECONDS = 60.0
# After SIGTERM a worker lets its listeners finish; one that takes longer is killed.
STOP_TIMEOUT_SECONDS = 30.0
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
# A worker's exit code for "do not start me again" (bot/slack/serve.py: TOKEN_REFUSED_EXIT); the pool's too.
FATAL_EXIT = 2


def bind(host: str, port: int) -> socket.socket:
    """The listening socket every worker accepts on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run_pool(count: int, prepare: Callable[[], None], work: Callable[[int], int]) -> int:
    """Fork `count` workers running `work(index)`; supervise them until SIGTERM/SIGINT.

    The exit code: 0 once stopped, 1 if workers kept dying, FATAL_EXIT if one exited with it.
    """
    requested = threading.Event()
    children: dict[int, int] = {}  # pid -> worker index

    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda *_: requested.set())
    starts: list[float] = []
    while not requested.is_set():
        starts = [t for t in starts if time.monotonic() - t < RESTART_WINDOW_SECONDS] + [time.monotonic()]
        if len(starts) > MAX_RESTARTS:
            log.error("workers died %d times within %.0f s: giving up", MAX_RESTARTS, RESTART_WINDOW_SECONDS)
            return 1
        prepare()
        if threading.active_count() != 1:
            # A thread does not survive fork; a lock it held would stay held in every worker.
            raise RuntimeError("the parent must not run threads when it forks its workers")
        # The parent's handler must not run in a worker before the worker resets it.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        for index in range(count):
            pid = os.fork()
            if pid == 0:
                _exit(_child(work, index))
            children[pid] = index
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        log.info("%d workers started: %s", count, ", ".join(str(pid) for pid in children))
        if _wait(children, requested):
            log.error("a worker exited with code %d: stopping, not restarting", FATAL_EXIT)
            return FATAL_EXIT
    return 0


def _child(work: Callable[[int], int], index: int) -> int:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    try:
        return work(index)
    except BaseException:
        log.exception("worker %d failed", index)
        return 1


def _exit(code: int) -> None:
    # os._exit: the parent's clean-up (atexit, finally blocks up the stack) is not the worker's to run.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _wait(children: dict[int, int], requested: threading.Event) -> bool:
    """Until every worker has exited: all are stopped once a stop is requested, or once one exits
    unasked. True if one exited with FATAL_EXIT."""
    fatal = False
    stopping_since: float | None = None
    while children:
        if stopping_since is None and requested.is_set():
            stopping_since = time.monotonic()
            _signal_all(children, signal.SIGTERM)
        if stopping_since is not None and time.monotonic() - stopping_since > STOP_TIMEOUT_SECONDS:
            log.error("workers %s did not stop within %.0f s: killing them", list(children), STOP_TIMEOUT_SECONDS)
            _signal_all(children, signal.SIGKILL)
            stopping_since = float("inf")
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            time.sleep(0.1)
            continue
        index = children.pop(pid, None)
        fatal = fatal or (index is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == FATAL_EXIT)
        if index is None or stopping_since is not None:
            continue
        log.error("worker %d (pid %d) exited (%s): restarting the workers", index, pid, _describe(status))
        stopping_since = time.monotonic()
        _signal_all(children, signal.SIGTERM)
    return fatal


def _signal_all(children: dict[int, int], signum: int) -> None:
    for pid in children:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
