"""`python -m runner`: one-line refusals before any launch, and one real end-to-end run.

Checks exit codes, messages and the order of events in the trace; never durations.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runner import trace

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def runner_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runner", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--stages", "9", "--device", "cpu"], "pp"),
        (["--schedule", "Nope"], "schedule"),
        (["--microbatches", "0"], "microbatches"),
        (["--batch", "30"], "batch"),
        (["--stages", "4", "--microbatches", "2"], "microbatches"),
    ],
)
def test_bad_parameters_are_refused_in_one_line(tmp_path, args, field):
    out = tmp_path / "out"
    base = {"--schedule": "1F1B", "--stages": "2", "--microbatches": "4"}
    base.update(zip(args[::2], args[1::2], strict=True))
    argv = [item for pair in base.items() for item in pair]
    done = runner_cli("run", "pipeline", *argv, "--out", str(out))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {field}: ")
    assert "Traceback" not in done.stderr + done.stdout
    assert not out.exists()  # nothing was launched


def test_argument_errors_are_one_line_too():
    done = runner_cli("run", "pipeline", "--schedule", "1F1B", "--stages", "x", "--out", "/tmp")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: argument --pp/--stages")
    assert len(done.stderr.strip().splitlines()) == 1


def test_help_is_available():
    assert runner_cli("--help").returncode == 0


@pytest.mark.timeout(600)
def test_end_to_end_pipeline_run_writes_a_trace(tmp_path):
    out = tmp_path / "run"
    done = runner_cli(
        "run",
        "pipeline",
        *("--schedule", "1F1B", "--stages", "2", "--microbatches", "4", "--device", "cpu"),
        *("--out", str(out), "--timeout", "400"),
        timeout=500,
    )
    log = (out / "log.txt").read_text() if (out / "log.txt").exists() else ""
    assert done.returncode == 0, done.stderr + log[-3000:]
    assert done.stdout.strip().splitlines()[-1] == str(out / "trace.json")
    loaded = trace.load(out / "trace.json")
    assert (loaded["spec"]["schedule"], loaded["spec"]["stages"]) == ("1F1B", 2)
    assert loaded["meta"]["world_size"] == 2
    span = {
        (e["rank"], e["kind"], e["iteration"], e["microbatch"]): (e["start_us"], e["end_us"])
        for e in loaded["events"]
        if e["kind"] in ("F", "B")
    }
    for rank in (0, 1):
        for mb in range(4):
            assert span[(rank, "F", 0, mb)][1] <= span[(rank, "B", 0, mb)][0]
    for mb in range(4):  # stage 1 cannot start a micro-batch before stage 0 has finished it
        assert span[(0, "F", 0, mb)][1] <= span[(1, "F", 0, mb)][0]
        assert span[(1, "B", 0, mb)][1] <= span[(0, "B", 0, mb)][0]


def test_every_workload_is_listed_with_its_fields():
    done = runner_cli("workloads")
    assert done.returncode == 0
    from runner import registry

    for workload in registry.all():
        assert done.stdout.count(f"{workload.name} — ") == 1
        for name, _, _, _ in workload.spec_class.fields_doc():
            assert f"--{name.replace('_', '-')}" in done.stdout


@pytest.mark.parametrize("workload", ["pipeline", "tensor_parallel"])
def test_every_workload_runs_from_the_cli_with_defaults_only(tmp_path, workload):
    out = tmp_path / "out"
    done = runner_cli("run", workload, "--device", "cpu", "--iterations", "1", "--out", str(out),
                      timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stderr
    loaded = json.loads((out / "trace.json").read_text())
    assert loaded["spec"]["workload"] == workload and loaded["meta"]["world_size"] == 2


@pytest.mark.parametrize("timeout", ["nan", "inf", "-1", "0"])
def test_timeouts_that_could_never_fire_are_refused(tmp_path, timeout):
    done = runner_cli("run", "tensor_parallel", "--timeout", timeout, "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert done.stderr.startswith("error: timeout: ")
