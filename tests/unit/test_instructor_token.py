"""The instructor's signed token (ui/instructor_token.py): genuine, fresh, this passcode's."""

from __future__ import annotations

import os
import stat

import pytest

from ui.instructor_token import (
    MAX_AGE_S,
    SKEW_S,
    issue,
    issue_after,
    lock,
    locked_at,
    nonce_of,
    secret_for,
    server_key,
)

PASSCODE = "a-long-enough-passcode"
NOW = 1_750_000_000.0


@pytest.fixture
def secret(tmp_path) -> bytes:
    return secret_for(PASSCODE, server_key(tmp_path))


def test_a_fresh_token_is_accepted_and_carries_its_nonce(secret):
    token = issue(secret, now=NOW, nonce="abc123")
    assert nonce_of(token, secret, now=NOW) == "abc123"
    assert nonce_of(token, secret, now=NOW + MAX_AGE_S) == "abc123"
    assert set(token) <= set("v0123456789abcdef.")  # a cookie value needs no quoting


def test_a_tampered_token_is_refused(secret):
    token = issue(secret, now=NOW)
    version, issued, nonce, mac = token.split(".")
    later = str(int(issued) + 3600)  # pretend it was issued an hour later
    flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    for bad in (
        f"{version}.{later}.{nonce}.{mac}",
        f"{version}.{issued}.other.{mac}",
        f"{version}.{issued}.{nonce}.{flipped}",
        f"v2.{issued}.{nonce}.{mac}",
        f"{version}.{issued}.{nonce}",
        token + ".x",
        "",
        None,
    ):
        assert nonce_of(bad, secret, now=NOW) is None, bad


def test_an_expired_or_future_token_is_refused(secret):
    token = issue(secret, now=NOW)
    assert nonce_of(token, secret, now=NOW + MAX_AGE_S + 1) is None
    assert nonce_of(token, secret, now=NOW - SKEW_S - 1) is None  # issued "in the future"
    assert nonce_of(token, secret, now=NOW + 100, max_age_s=60) is None


def test_a_token_of_another_passcode_or_another_server_key_is_refused(tmp_path, secret):
    token = issue(secret, now=NOW)
    key = server_key(tmp_path)
    assert nonce_of(token, secret_for("the-new-passcode-123", key), now=NOW) is None
    other = tmp_path / "other"
    other.mkdir()
    assert nonce_of(token, secret_for(PASSCODE, server_key(other)), now=NOW) is None


def test_the_server_key_survives_a_restart_and_is_private(tmp_path, secret):
    token = issue(secret, now=NOW)
    again = secret_for(PASSCODE, server_key(tmp_path))  # read back, as a restarted server does
    assert nonce_of(token, again, now=NOW) is not None
    mode = stat.S_IMODE(os.stat(tmp_path / "instructor.key").st_mode)
    assert mode & 0o077 == 0


def test_a_lock_refuses_every_token_issued_before_it_and_survives_a_restart(tmp_path, secret):
    assert locked_at(tmp_path) == 0.0  # never locked
    before = issue(secret, now=NOW)
    stamp = lock(tmp_path, now=NOW + 10.5)
    assert locked_at(tmp_path) == stamp  # read back from the file, as a restarted server does
    assert nonce_of(before, secret, now=NOW + 20, not_before=stamp) is None
    same_second = issue_after(secret, stamp, now=NOW + 10.7)  # unlocked again at once
    assert nonce_of(same_second, secret, now=NOW + 10.7, not_before=stamp) is not None
    later = issue_after(secret, stamp, now=NOW + 30)
    assert later.split(".")[1] == str(int(NOW) + 30)  # an ordinary token when the Lock is older
