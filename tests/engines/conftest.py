"""Fixtures that start real engines: PostgreSQL 15 and a one-node Slurm cluster.

    pytest tests/engines -q                # all engine tests (marker: engines)
    PARALAB_SKIP_ENGINES=1 pytest ...      # skip (reason in the summary) if one cannot start

Each engine starts once per test session, on free 127.0.0.1 ports, in a temporary directory,
and is stopped by pid at the end (tests/engines/servers.py). An engine that cannot start fails
every test that needs it with the reason (or skips them with it, when PARALAB_SKIP_ENGINES=1);
it never lets a test pass without it. Each PostgreSQL test gets a fresh database of its own.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from servers import EngineUnavailable, PostgresServer, SlurmCluster  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.engines)


def _unavailable(what: str, error: Exception) -> None:
    reason = f"{what} could not start: {error}"
    if os.environ.get("PARALAB_SKIP_ENGINES") == "1":
        pytest.skip(reason)
    pytest.fail(reason, pytrace=False)


def _scratch(prefix: str) -> Path:
    """A directory other users can enter (pytest's tmp dirs are 0700; postgres runs as itself)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def _session_engine(engine):
    """Start `engine` for the session; yield it, or the EngineUnavailable that stopped it."""
    try:
        engine.start()
    except EngineUnavailable as error:
        engine.stop()
        yield error
    else:
        yield engine
        engine.stop()
    shutil.rmtree(engine.root.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def _postgres() -> Iterator[PostgresServer | Exception]:
    yield from _session_engine(PostgresServer(_scratch("paralab-pg-") / "pg"))


@pytest.fixture(scope="session")
def postgres_server(_postgres) -> PostgresServer:
    """The session's PostgreSQL server (fails or skips the test if it could not start)."""
    if isinstance(_postgres, Exception):
        _unavailable("PostgreSQL", _postgres)
    return _postgres


_db_numbers = itertools.count(1)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """postgresql://… of a fresh, empty database on the session's server."""
    import psycopg

    name = f"test_{os.getpid()}_{next(_db_numbers)}"
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres_server.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def _slurm() -> Iterator[SlurmCluster | Exception]:
    yield from _session_engine(SlurmCluster(_scratch("paralab-slurm-") / "cluster"))


@pytest.fixture(scope="session")
def slurm_cluster(_slurm) -> SlurmCluster:
    """The session's one-node Slurm cluster (fails or skips the test if it could not start)."""
    if isinstance(_slurm, Exception):
        _unavailable("Slurm", _slurm)
    return _slurm


@pytest.fixture
def slurm_env(slurm_cluster: SlurmCluster, monkeypatch) -> dict[str, str]:
    """SLURM_CONF set for this test, so sbatch/squeue/scancel reach the test cluster."""
    monkeypatch.setenv("SLURM_CONF", str(slurm_cluster.conf))
    return slurm_cluster.env


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A results directory that every node of the (one-host) cluster can read and write."""
    path = _scratch("paralab-shared-")
    yield path
    shutil.rmtree(path, ignore_errors=True)
