"""The engines the other tests rely on are real and reachable: PostgreSQL 15 and Slurm."""

from __future__ import annotations

import subprocess

import psycopg


def test_postgres_is_a_real_server_of_version_15(pg_url):
    with psycopg.connect(pg_url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        conn.execute("CREATE TABLE t (x int)")
        conn.execute("INSERT INTO t VALUES (41), (1)")
        assert conn.execute("SELECT sum(x) FROM t").fetchone()[0] == 42
    assert version.startswith("15."), version


def test_each_test_gets_a_fresh_database(pg_url):
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname='public'")
        assert tables.fetchone()[0] == 0


def test_slurm_runs_two_tasks(slurm_env):
    done = subprocess.run(
        ["srun", "-n2", "--label", "hostname"], env=slurm_env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(line.split(":")[0] for line in done.stdout.splitlines()) == ["0", "1"]
