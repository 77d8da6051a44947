"""A growing delay after failed tries, per key (a session, a client address). Pure Python.

    >>> t = Throttle(base_s=1, cap_s=300, free=0, clock=lambda: 0.0)
    >>> t.failed("session:ab"), t.wait_s("session:ab")
    (1, 1.0)

After the `free`-th failure of a key, each further failure doubles its wait (1, 2, 4, … s,
capped); a success clears the key. The instructor passcode uses one per session (free=0)
and one per client address (free=5, so a class behind one proxy is not locked out by one
person's typos, while a script guessing from one address soon waits minutes per guess).
Keys not seen for `forget_s` are dropped, so the table stays small.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Throttle:
    """Failures and next allowed time per key; thread-safe (Streamlit sessions are threads)."""

    def __init__(
        self,
        base_s: float = 1.0,
        cap_s: float = 300.0,
        free: int = 0,
        forget_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_s, self.cap_s, self.free, self.forget_s = base_s, cap_s, free, forget_s
        self.clock = clock
        self._state: dict[str, tuple[int, float, float]] = {}  # failures, allowed at, last
        self._lock = threading.Lock()

    def wait_s(self, key: str) -> float:
        """Seconds before `key` may try again (0 when it may now)."""
        with self._lock:
            _, allowed_at, _ = self._state.get(key, (0, 0.0, 0.0))
        return max(0.0, allowed_at - self.clock())

    def failed(self, key: str) -> int:
        """Count a failure of `key`; returns its failures so far."""
        now = self.clock()
        with self._lock:
            self._forget(now)
            failures = self._state.get(key, (0, 0.0, 0.0))[0] + 1
            over = failures - self.free
            delay = min(self.base_s * 2 ** (over - 1), self.cap_s) if over > 0 else 0.0
            self._state[key] = (failures, now + delay, now)
        return failures

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)

    def _forget(self, now: float) -> None:
        stale = [k for k, (_, _, last) in self._state.items() if now - last > self.forget_s]
        for key in stale:
            del self._state[key]
