"""The local launcher under real torchrun: the protocol, and a two-"node" c10d rendezvous run.

Two LocalLaunchers with --nnodes=2 and c10d rendezvous on 127.0.0.1 stand for two nodes; they
write one trace (to the folder they share) whose ranks carry the node they ran on.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest

from runner import launch, launchers, trace
from runner.launch import Nodes
from runner.launchers.local import LocalLauncher
from runner.spec import JobSpec

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent / "fixtures"
SPEC = JobSpec(schedule="1F1B", pp=2, microbatches=4, device="cpu", hidden=128, iterations=2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_registry_names_every_launcher_and_refuses_others(monkeypatch):
    assert set(launchers.LAUNCHERS) == {"local", "slurm"}
    assert launchers.get().name == "local"
    monkeypatch.setenv("PARALAB_LAUNCHER", "slurm")
    assert launchers.get().name == "slurm"
    with pytest.raises(ValueError, match="PARALAB_LAUNCHER: 'k8s' is not one of local, slurm"):
        launchers.get("k8s")


def test_two_nodes_with_c10d_rendezvous_make_one_trace_with_each_ranks_node(tmp_path):
    endpoint, rdzv_id = f"127.0.0.1:{_free_port()}", uuid.uuid4().hex[:12]
    nodes = [LocalLauncher(Nodes(2, index, endpoint, rdzv_id)) for index in (0, 1)]
    handles = [
        node.start(SPEC, tmp_path / "out", timeout_s=240, log_path=tmp_path / f"node{i}.log")
        for i, node in enumerate(nodes)
    ]
    results = [node.wait(handle, 300) for node, handle in zip(nodes, handles, strict=True)]
    logs = "\n".join((tmp_path / f"node{i}.log").read_text()[-2000:] for i in (0, 1))
    assert [r.status for r in results] == ["done", "done"], logs
    data = trace.load(tmp_path / "out" / "trace.json")
    ranks = data["meta"]["ranks"]
    assert [r["rank"] for r in ranks] == [0, 1]
    assert {r["node"] for r in ranks} == {0, 1}  # one rank on each node
    assert {r["local_rank"] for r in ranks} == {0}
    assert {r["hostname"] for r in ranks} == {socket.gethostname()}
    assert {e["rank"] for e in data["events"]} == {0, 1}
    assert handles[1].where.endswith("(local, node 2 of 2)")
    for result in results:
        assert launch.find_marked(result.token) == []


def test_local_launcher_protocol_cancel_kills_the_job(tmp_path):
    local = LocalLauncher()
    handle = local.start(SPEC, tmp_path / "out", timeout_s=120, log_path=tmp_path / "log.txt",
                         workload_module=str(FIXTURES / "sleepy.py"))  # fmt: skip
    assert local.poll(handle).state == "running"
    assert local.result(handle) is None
    out = tmp_path / "out"
    launch_ready = [out / "ready-0", out / "ready-1"]
    for _ in range(600):
        if all(path.exists() for path in launch_ready):
            break
        local.wait(handle, 0.2)
    local.cancel(handle)
    result = local.wait(handle, 60)
    assert result.status == "cancelled"
    assert local.poll(handle).state == "cancelled"
    assert launch.find_marked(handle.ref) == []
    assert local.logs(handle) == (tmp_path / "log.txt").read_text(errors="replace")[-20_000:]
