"""Helpers shared by the benchmarks: the 20 Newsgroups files and measured subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TWENTY_NG = ROOT.parent / "shared" / "corpora" / "20ng"

_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
print(json.dumps({"wall": wall, "peak_mb": peak, "cpu": cpu, "returncode": code.returncode,
                  "stderr": code.stderr[-2000:]}))
"""


def load_20ng(name: str = "docs.jsonl.gz") -> pd.DataFrame:
    """The 20 Newsgroups posts (``docs.jsonl.gz`` raw, ``docs_clean.jsonl.gz`` cleaned)."""
    path = TWENTY_NG / name
    if not path.is_file():
        sys.exit(f"{path} is not there: the benchmarks need ../shared/corpora/20ng beside the checkout.")
    return pd.read_json(path, lines=True)


def measured_run(command: list[str]) -> dict:
    """Run ``command`` in a fresh process; wall time (s), peak resident memory (MB) of that process
    (or of its largest child) and CPU time (s, user + system, its children included)."""
    result = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True)
    info = json.loads(result.stdout)
    if info["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{info['stderr']}")
    return info
