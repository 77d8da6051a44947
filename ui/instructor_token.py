"""Signed instructor tokens: the passcode is asked once per browser session, not per tab.

    >>> secret = secret_for("a-long-enough-passcode", key=b"k" * 32)
    >>> token = issue(secret, now=1000.0, nonce="n0")
    >>> token.startswith("v1.1000.n0.")
    True
    >>> nonce_of(token, secret, now=1000.0 + 3600)
    'n0'
    >>> nonce_of(token, secret_for("another-passcode-here", key=b"k" * 32), now=1000.0) is None
    True

After a right passcode the app puts a token in a session cookie (ui/roles.py); every tab of
that browser sends it, so a second tab opens unlocked, and the cookie dies with the browser
session. A token is `v1.<issued, unix s>.<nonce>.<HMAC-SHA256 of the rest, hex>`; it is
refused when its MAC does not match (checked with `hmac.compare_digest`), when it is older
than `MAX_AGE_S`, or issued in the future.

The MAC's secret is derived from the passcode and a random key kept in the data directory
(`instructor.key`, created once, mode 0600): restarting the server keeps tokens valid,
changing the passcode invalidates every token at once. "Lock" writes the time in
`instructor.locked` beside it: every token issued before then is refused, in every tab of
every browser, after a restart too (a tab that typed the passcode itself included). Stdlib
only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

VERSION = "v1"
MAX_AGE_S = 12 * 3600
"""A token is refused this long after it was issued (a school day, then the passcode again)."""
SKEW_S = 60
"""How far in the future an issue time may be (clock steps between replicas) and still pass."""
KEY_FILE = "instructor.key"
LOCK_FILE = "instructor.locked"


def server_key(folder: Path) -> bytes:
    """The random key in `folder/instructor.key`, made on first use (0600, never overwritten:
    two processes creating it at once both end up reading the one that was written first)."""
    path = Path(folder) / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    for _ in range(50):  # another process may be between creating and writing it
        key = path.read_text().strip()
        if key:
            return bytes.fromhex(key)
        time.sleep(0.01)
    raise OSError(f"{path} is empty; delete it and the server makes a new one")


def secret_for(passcode: str, key: bytes) -> bytes:
    """The MAC secret: the server key and the passcode together (a new passcode, new tokens)."""
    return hmac.new(key, b"paralab-instructor\0" + passcode.encode(), hashlib.sha256).digest()


def _mac(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def issue(secret: bytes, now: float | None = None, nonce: str | None = None) -> str:
    """A new token issued at `now` (cookie-safe characters only: letters, digits, `.`, `_`)."""
    issued = int(time.time() if now is None else now)
    body = f"{VERSION}.{issued}.{nonce or secrets.token_hex(8)}"
    return f"{body}.{_mac(secret, body)}"


def nonce_of(
    token: str | None,
    secret: bytes,
    now: float | None = None,
    max_age_s: float = MAX_AGE_S,
    not_before: float = 0.0,
) -> str | None:
    """The token's nonce when it is genuine, fresh and issued after `not_before` (the last
    Lock); None for anything else."""
    parts = (token or "").split(".")
    if len(parts) != 4 or parts[0] != VERSION or not parts[1].isdigit():
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3].encode(), _mac(secret, body).encode()):
        return None
    issued = int(parts[1])
    age = (time.time() if now is None else now) - issued
    return parts[2] if -SKEW_S <= age <= max_age_s and issued > not_before else None


def locked_at(folder: Path) -> float:
    """When "Lock" was last pressed on this data directory (0.0: never)."""
    try:
        return float((Path(folder) / LOCK_FILE).read_text().strip() or 0.0)
    except (OSError, ValueError):
        return 0.0


def lock(folder: Path, now: float | None = None) -> float:
    """Refuse every token issued until now (written atomically); the time written."""
    stamp = time.time() if now is None else now
    path = Path(folder) / LOCK_FILE
    tmp = path.with_name(f".{LOCK_FILE}.{os.getpid()}.tmp")
    tmp.write_text(f"{stamp:.3f}\n")
    os.replace(tmp, path)
    return stamp


def issue_after(secret: bytes, not_before: float, now: float | None = None) -> str:
    """A token that the last Lock does not refuse: issued now, or just after a Lock in this
    very second (whole seconds; within SKEW_S)."""
    now = time.time() if now is None else now
    return issue(secret, now=max(now, int(not_before) + 1))
