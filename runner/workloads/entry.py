"""The command line every workload shares: `--spec SPEC.json --out DIR` under torchrun.

main = entry_point(read_spec, run)      # in a workload module
if __name__ == "__main__":
    main()
    exit_without_destructors()
"""

from __future__ import annotations

import argparse
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
