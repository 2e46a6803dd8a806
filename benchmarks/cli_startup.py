"""Start-up of the command line: `topicnmf --version`, `topicnmf --help`, `topicnmf fit --help`.

    python benchmarks/cli_startup.py [--repeat N]

Each command runs N times in a fresh process (`python -m topicnmf ...`, the checkout first on
the path); the best and the median wall time are printed beside `python -c pass` (the
interpreter's own start) and the target (at most 0.3 s), with the CPU time (user +
system), which a loaded machine inflates less than the wall time. The heavy modules a
command loaded, if any, are listed (from `python -X importtime`): there should be none.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.3
HEAVY = ("numpy", "pandas", "scipy", "sklearn", "matplotlib", "numba", "pydantic")
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "topicnmf --version": [sys.executable, "-m", "topicnmf", "--version"],
    "topicnmf --help": [sys.executable, "-m", "topicnmf", "--help"],
    "topicnmf fit --help": [sys.executable, "-m", "topicnmf", "fit", "--help"],
}


def walls(command: list[str], repeat: int, env: dict) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user + system) of ``repeat`` fresh runs of ``command``."""
    wall, cpu = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def heavy_imports(command: list[str], env: dict) -> list[str]:
    result = subprocess.run([command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True, env=env)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    return sorted(names & set(HEAVY))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.repeat} runs each, fresh processes; load average {load:.1f} on {os.cpu_count()} cores")
    base = None
    for name, command in COMMANDS.items():
        found, cpu = walls(command, args.repeat, env)
        best, median = min(found), statistics.median(found)
        base = best if base is None else base
        line = (
            f"{name:<22} wall best {best:5.3f} s   median {median:5.3f} s   cpu median {statistics.median(cpu):5.3f} s"
            f"   ({best / base:4.1f}x python -c pass)"
        )
        if name != "python -c pass":
            heavy = heavy_imports(command, env)
            line += f"   target <= {TARGET} s {'met' if median <= TARGET else 'NOT met'}"
            line += f"   heavy imports: {', '.join(heavy) if heavy else 'none'}"
        print(line)


if __name__ == "__main__":
    main()
