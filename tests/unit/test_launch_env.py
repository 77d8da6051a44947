"""What the ranks' environment holds: the job's token and switches, never PARALAB_ secrets."""

from __future__ import annotations

from pathlib import Path

from runner import launch


def test_paralab_secrets_stay_out_of_the_ranks_environment(monkeypatch):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", "a-long-enough-passcode")
    monkeypatch.setenv("PARALAB_DATABASE_URL", "postgresql://u:pw@db/paralab")
    monkeypatch.setenv("PARALAB_INSTRUMENT", "0")
    env = launch.build_env(Path("/tmp/out"), "tok")
    assert "PARALAB_INSTRUCTOR_PASSCODE" not in env and "PARALAB_DATABASE_URL" not in env
    assert env["PARALAB_INSTRUMENT"] == "0"  # a workload switch stays
    assert env[launch.TOKEN_VAR] == "tok" and env["OMP_NUM_THREADS"] == "1"
