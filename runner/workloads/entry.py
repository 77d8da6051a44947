"""The command line every workload shares: `--spec SPEC.json --out DIR` under torchrun.

main = entry_point(read_spec, run)      # in a workload module
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


def entry_point(
    read_spec: Callable[[str, int], dict], run: Callable[[dict, str], None], description: str
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
        spec = read_spec(ns.spec, int(os.environ.get("WORLD_SIZE", "1")))
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


def load_spec(path: str, required: tuple[str, ...], ints: dict[str, int]) -> dict:
    """Read SPEC.json and check what every workload checks alike.

    `required`: fields that must be present; `ints`: integer fields and their minimum.
    ValueError names the field (`spec.FIELD: ...`); workload-specific checks follow.
    """
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    for field in (*required, *ints):
        if field not in spec:
            raise ValueError(f"spec.{field}: missing")
    for field, low in ints.items():
        if not isinstance(spec[field], int) or spec[field] < low:
            raise ValueError(f"spec.{field}: expected an integer >= {low}, got {spec[field]!r}")
    if spec["device"] not in ("cpu", "cuda"):
        raise ValueError(f"spec.device: expected 'cpu' or 'cuda', got {spec['device']!r}")
    return spec
