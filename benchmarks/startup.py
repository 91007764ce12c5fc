"""How fast the command line answers: ``--help``, ``list``, and a refused option, beside ``import torch``.

Each command runs in a fresh interpreter, as a user starts it; the wall time is the median of ``--repeats``
runs after one warm-up (which fills the OS file cache). ``python -c "import torch"`` and a bare ``python -c
pass`` are measured in the same run, so the numbers compare across machines. Run it alone on a quiet machine.

    python -m benchmarks.startup [--repeats 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from benchmarks.common import write_json

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
    "naswot --help": [sys.executable, "-m", "naswot", "--help"],
    "naswot list scores": [sys.executable, "-m", "naswot", "list", "scores"],
    "naswot list spaces": [sys.executable, "-m", "naswot", "list", "spaces"],
    "naswot search --workers 0 (refused)": [sys.executable, "-m", "naswot", "search", "--workers", "0"],
    "naswot search --data-root /missing (refused)": [sys.executable, "-m", "naswot", "search", "--data-root", "/missing"],
}
TARGET_SECONDS = 0.5


def wall_seconds(command: list[str], repeats: int) -> list[float]:
    subprocess.run(command, capture_output=True, check=False)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    before = os.getloadavg()
    results = {}
    for label, command in COMMANDS.items():
        times = wall_seconds(command, args.repeats)
        results[label] = {"median_seconds": statistics.median(times), "min_seconds": min(times), "max_seconds": max(times)}
        print(f"{label:48s} {statistics.median(times):.3f} s")
    torch_seconds = results["python -c 'import torch'"]["median_seconds"]
    for entry in results.values():
        entry["over_import_torch"] = entry["median_seconds"] / torch_seconds
    write_json("startup", {"repeats": args.repeats, "target_seconds": TARGET_SECONDS, "commands": results,
                           "load_average_before": list(before), "load_average_after": list(os.getloadavg())})


if __name__ == "__main__":
    main()
