"""Real database and cluster engines for tests and benchmarks, started and stopped by pid.

    with PostgresServer(tmp_path / "pg") as pg:        # initdb + postgres on a free port
        url = pg.url                                   # postgresql://postgres@127.0.0.1:PORT/postgres
    with SlurmCluster(tmp_path / "slurm") as slurm:    # munged + slurmctld + slurmd, one node
        subprocess.run(["sbatch", ...], env=slurm.env)  # SLURM_CONF points at the generated file

Both come from Debian packages (`postgresql`, `slurm-wlm`, `munge`; scripts/setup.sh dev
installs them). Every daemon runs in the foreground as our own child, so its pid is the
daemon's and stopping it is SIGTERM to that pid, a wait, then SIGKILL — nothing is left behind
and nothing outside the temporary directory is touched. PostgreSQL refuses to run as root, so
as root it runs as the `postgres` user (Popen's `user=`). `EngineUnavailable` says why an
engine could not start (missing binary, daemon exited, not ready in time) with its log's tail.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PARALAB_PG_BIN", "/usr/lib/postgresql/15/bin"))
"""Debian's PostgreSQL 15 binaries (/usr/local/bin/initdb etc. are symlinks to these)."""
START_TIMEOUT_S = 60.0


class EngineUnavailable(RuntimeError):
    """An engine could not be started; the message says why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_pid(proc: subprocess.Popen, grace_s: float = 10.0, sig: int = signal.SIGTERM) -> None:
    """Signal one daemon we started, wait for it, SIGKILL it if it outlives the grace period."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until(ready, procs: list[subprocess.Popen], what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise EngineUnavailable(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        if ready():
            return
        time.sleep(0.2)
    raise EngineUnavailable(f"{what} not ready after {START_TIMEOUT_S:g} s:\n{_tail(log)}")


class _Engine:
    """start() / stop() as a context manager: stopped even when start fails half-way."""

    def start(self):
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PostgresServer(_Engine):
    """A throw-away PostgreSQL cluster in `root`, listening on 127.0.0.1:`port` only."""

    def __init__(self, root: Path, *, durable: bool = False) -> None:
        self.root = Path(root)
        self.durable = durable
        """False for tests (fsync off: faster, and a test database need not survive a power cut)."""
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.user = "postgres" if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run_as(self) -> dict:
        return {"user": self.user, "group": self.user} if self.user else {}

    def start(self) -> PostgresServer:
        initdb, postgres = PG_BIN / "initdb", PG_BIN / "postgres"
        if not initdb.is_file():
            raise EngineUnavailable(f"{initdb} missing: install Debian's postgresql (setup.sh dev)")
        if self.user:
            try:
                pwd.getpwnam(self.user)
            except KeyError as error:
                raise EngineUnavailable("no `postgres` user to run PostgreSQL as") from error
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(self.root, self.user, self.user)
        data, log = self.root / "data", self.root / "postgres.log"
        cmd = [str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        done = subprocess.run(
            [*cmd, "--no-sync"], capture_output=True, text=True, cwd=self.root, **self._run_as()
        )
        if done.returncode != 0:
            raise EngineUnavailable(f"initdb failed: {done.stderr.strip()[-800:]}")
        options = ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]
        if not self.durable:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [str(postgres), "-D", str(data), "-p", str(self.port), "-k", str(self.root),
                 *options],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self.root, start_new_session=True, **self._run_as(),
            )  # fmt: skip
        _wait_until(self._accepts, [self.proc], "postgres", log)
        return self

    def _accepts(self) -> bool:
        done = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
            capture_output=True,
        )
        return done.returncode == 0

    def stop(self) -> None:
        if self.proc is not None:
            stop_pid(self.proc, sig=signal.SIGINT)  # SIGINT = PostgreSQL's "fast" shutdown


SLURM_CONF = """\
# Generated by tests/engines/servers.py: one node on this host, no cgroups, no accounting.
ClusterName=paralab
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser={user}
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
ReturnToService=2
SlurmdParameters=config_overrides
KillWait=5
MinJobAge=600
InactiveLimit=0
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
"""


class SlurmCluster(_Engine):
    """munged + slurmctld + slurmd for this host, configured in `root` (SLURM_CONF)."""

    def __init__(self, root: Path, *, cpus: int | None = None) -> None:
        self.root = Path(root)
        self.host = socket.gethostname().split(".")[0]
        self.cpus = max(cpus or os.cpu_count() or 2, 4)  # oversubscribed: a 2-core CI runs 4 ranks
        self.procs: dict[str, subprocess.Popen] = {}

    @property
    def conf(self) -> Path:
        return self.root / "slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        """The environment for sbatch/squeue/scancel to talk to this cluster."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def start(self) -> SlurmCluster:
        for binary in ("munged", "slurmctld", "slurmd", "sbatch"):
            if shutil.which(binary) is None and not Path(f"/usr/sbin/{binary}").exists():
                raise EngineUnavailable(f"{binary} missing: install slurm-wlm and munge (setup.sh)")
        for sub in ("state", "spool", "munge"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root / "munge", 0o700)
        self._start_munge()
        self.conf.write_text(
            SLURM_CONF.format(
                host=self.host, root=self.root, cpus=self.cpus, ctld_port=free_port(),
                slurmd_port=free_port(), user=pwd.getpwuid(os.geteuid()).pw_name,
                munge_socket=self.root / "munge" / "munge.socket",
            )
        )  # fmt: skip
        self._daemon("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)])
        _wait_until(self._controller_up, self._live(), "slurmctld", self.root / "slurmctld.log")
        self._daemon("slurmd", ["slurmd", "-D", "-N", self.host, "-f", str(self.conf)])
        _wait_until(self._node_idle, self._live(), "slurmd", self.root / "slurmd.log")
        return self

    def _start_munge(self) -> None:
        munge = self.root / "munge"
        key = munge / "munge.key"
        key.write_bytes(os.urandom(1024))
        os.chmod(key, 0o400)
        self._daemon(
            "munged",
            ["munged", "--foreground", "--force", f"--key-file={key}",
             f"--socket={munge / 'munge.socket'}", f"--pid-file={munge / 'munged.pid'}",
             f"--seed-file={munge / 'munged.seed'}", f"--log-file={munge / 'munged.log'}"],
        )  # fmt: skip
        _wait_until((munge / "munge.socket").exists, self._live(), "munged", munge / "munged.log")

    def _daemon(self, name: str, cmd: list[str]) -> None:
        with open(self.root / f"{name}.out", "ab") as out:
            self.procs[name] = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=self.env, cwd=self.root, start_new_session=True,
            )  # fmt: skip

    def _live(self) -> list[subprocess.Popen]:
        return list(self.procs.values())

    def _scontrol(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["scontrol", *args], env=self.env, capture_output=True, text=True)

    def _controller_up(self) -> bool:
        return self._scontrol("ping").stdout.count("UP") > 0

    def _node_idle(self) -> bool:
        state = self._scontrol("show", "node", self.host, "-o").stdout
        return "State=IDLE" in state or "State=MIXED" in state

    def stop(self) -> None:
        for name in ("slurmd", "slurmctld", "munged"):  # reverse order of start
            if name in self.procs:
                stop_pid(self.procs[name])


def check() -> int:
    """Start and stop each engine once; one line each: `ok` or why it cannot start.

    scripts/test.sh prints this before pytest, so a CI log says at the top whether the engine
    tests will meet real servers (they fail, with the same reason, if not). Returns how many
    engines could not start.
    """
    import tempfile

    failed = 0
    for name, engine in (("PostgreSQL 15", PostgresServer), ("Slurm (munge)", SlurmCluster)):
        scratch = Path(tempfile.mkdtemp(prefix="paralab-check-"))
        scratch.chmod(0o755)
        try:
            with engine(scratch / "engine"):
                print(f"engines: {name}: starts and stops", flush=True)
        except EngineUnavailable as error:
            failed += 1
            print(f"engines: {name}: cannot start: {error}", flush=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return failed


if __name__ == "__main__":
    check()
