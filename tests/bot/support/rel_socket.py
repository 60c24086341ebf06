"""Slack's Socket Mode end, on loopback: a minimal WebSocket server (RFC 6455) that says hello,
delivers envelopes, records acknowledgements, answers pings, and can end a connection the
two ways Slack does: a `disconnect` message (refresh) or a close frame."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class FakeSocketMode:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        port = self._listener.getsockname()[1]
        # Slack's URLs carry a one-time ticket: the logs must not.
        self.url = f"ws://127.0.0.1:{port}/link/?ticket=one-time-ticket-123&app_id=A0001"
        self.connections = 0
        self.acks: list[str] = []
        self._current: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()

    # --- what a test does ---------------------------------------------------------------------

    def wait_connections(self, count: int, timeout: float = 30.0) -> None:
        self._wait(lambda: self.connections >= count, timeout, f"{count} connection(s)")

    def wait_ack(self, envelope_id: str, timeout: float = 15.0) -> None:
        self._wait(lambda: envelope_id in self.acks, timeout, f"ack of {envelope_id}")

    def send(self, message: dict[str, Any]) -> None:
        with self._send_lock:
            assert self._current is not None, "no connection"
            self._current.sendall(_frame(TEXT, json.dumps(message).encode()))

    def refresh(self) -> None:
        """Slack's way of asking for a new connection."""
        self.send({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}})

    def close_connection(self) -> None:
        """The connection ends under the client: a close frame, then the socket goes."""
        with self._send_lock:
            if self._current is not None:
                self._current.sendall(_frame(CLOSE, struct.pack("!H", 1001) + b"going away"))
                self._current.close()
                self._current = None

    def _wait(self, done: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {what} within {timeout}s (connections {self.connections}, acks {self.acks})")
                self._cond.wait(left)

    # --- the server -------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(1024)
                if not chunk:
                    return
                request += chunk
            key = next(
                line.split(":", 1)[1].strip()
                for line in request.decode().split("\r\n")
                if line.lower().startswith("sec-websocket-key:")
            )
            accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
            conn.sendall(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
            with self._send_lock:
                self._current = conn
                conn.sendall(_frame(TEXT, json.dumps({"type": "hello", "num_connections": 1}).encode()))
            with self._cond:
                self.connections += 1
                self._cond.notify_all()
            self._read(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def _read(self, conn: socket.socket) -> None:
        while not self._stopped.is_set():
            opcode, payload = _read_frame(conn)
            if opcode is None or opcode == CLOSE:
                return
            if opcode == PING:
                with self._send_lock:
                    conn.sendall(_frame(PONG, payload))
            elif opcode == TEXT:
                message = json.loads(payload)
                if "envelope_id" in message:
                    with self._cond:
                        self.acks.append(message["envelope_id"])
                        self._cond.notify_all()


def _frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked."""
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        head += bytes([len(payload)])
    elif len(payload) < 65536:
        head += bytes([126]) + struct.pack("!H", len(payload))
    else:
        head += bytes([127]) + struct.pack("!Q", len(payload))
    return head + payload


def _read_exact(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _read_frame(conn: socket.socket) -> tuple[int | None, bytes]:
    """A client frame (always masked); (None, b"") when the connection ended."""
    head = _read_exact(conn, 2)
    if head is None:
        return None, b""
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", _read_exact(conn, 2) or b"\0\0")[0]
    elif length == 127:
        length = struct.unpack("!Q", _read_exact(conn, 8) or b"\0" * 8)[0]
    mask = _read_exact(conn, 4) if head[1] & 0x80 else b"\0\0\0\0"
    body = _read_exact(conn, length) if length else b""
    if mask is None or body is None:
        return None, b""
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(body))
