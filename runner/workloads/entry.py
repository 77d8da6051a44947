"""The command line every workload shares: `--spec SPEC.json --out DIR` under torchrun.

main = entry_point("pipeline", run, "...")      # in a workload module
if __name__ == "__main__":
    main()
    exit_without_destructors()
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

from torch.distributed.elastic.multiprocessing.errors import record


def read_spec(path: str, world_size: int, workload: str) -> dict:
    """SPEC.json checked by the workload's own spec class (runner/specs/, stdlib only).

    ValueError naming the field (`spec.FIELD: ...`) when it is not a spec of `workload` or
    does not fit the world torchrun started. Returns the spec as a dict with every field.
    """
    from runner import registry
    from runner.specs.base import SpecError

    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    try:
        spec = registry.get(workload).spec_class.from_mapping(data)
    except SpecError as err:
        raise ValueError(f"spec.{err}") from None
    if spec.device not in ("cpu", "cuda"):
        raise ValueError(f"spec.device: expected 'cpu' or 'cuda', got {spec.device!r}")
    if spec.ranks != world_size:
        degrees = ", ".join(f"{k}={v}" for k, v in spec.degrees.items() if v > 1)
        raise ValueError(
            f"spec.ranks: {degrees} make {spec.ranks} but torchrun started {world_size}"
        )
    return {**spec.to_dict(), "dtype": spec.resolved_dtype(spec.device)}


def entry_point(
    workload: str, run: Callable[[dict, str], None], description: str
) -> Callable[[list[str] | None], None]:
    """`main(argv)`: parse the arguments, check the spec against the world size, run.

    Wrapped in torchrun's `record`, so a rank's traceback reaches torchrun's error file.
    """

    @record
    def main(argv: list[str] | None = None) -> None:
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--spec", required=True, help="SPEC.json (see module docstring)")
        parser.add_argument("--out", required=True, help="folder for trace.json, progress.json")
        ns = parser.parse_args(argv)
        spec = read_spec(ns.spec, int(os.environ.get("WORLD_SIZE", "1")), workload)
        os.makedirs(ns.out, exist_ok=True)
        run(spec, ns.out)

    return main


def exit_without_destructors() -> None:
    """Leave a finished rank without running C++ destructors.

    About once in 60 CPU runs, a gloo thread still joinable at interpreter exit aborted the
    rank ("terminate called without an active exception") after trace.json was complete,
    and the job was reported failed.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
