"""First run against warm run: the cost of compiling the numba kernels.

    python benchmarks/startup.py [--repeat N]

Every measurement is a fresh process. "first" points ``NUMBA_CACHE_DIR`` at a new empty
folder, so every kernel is compiled (as after a fresh install); "warm" runs again with the
same folder, so the kernels are loaded from the cache the first run wrote. Rows:

- ``topicnmf fit corpora/eight_themes -k 8`` (the whole CLI job, wall from outside);
- ``factorize`` of a random 500 x 800 sparse matrix at k = 10 (import excluded, wall of the
  call; the first call includes compiling or loading the kernels);
- ``coherence``: the first ``topicnmf.measures.coherence`` call on a small corpus (its own
  numba kernels), to show its share of the first ``fit``.

Targets (issue 9): the first ``fit`` at most 3 s slower than a warm one; a warm one at most
2.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FACTORIZE = """
import json, time
import numpy as np, scipy.sparse as sp
X = sp.random(500, 800, density=0.05, format="csr", random_state=0, dtype=np.float64)
from topicnmf.nmf import factorize
t = time.perf_counter(); factorize(X, 10, random_state=0); first = time.perf_counter() - t
t = time.perf_counter(); factorize(X, 10, random_state=0); second = time.perf_counter() - t
print(json.dumps({"first": first, "second": second}))
"""

COHERENCE = """
import json, time
from topicnmf.measures import coherence
texts = [["apple", "banana", "cherry", "apple"], ["banana", "cherry", "date"]] * 50
t = time.perf_counter(); coherence([["apple", "banana"], ["cherry", "date"]], texts, "c_npmi")
print(json.dumps({"first": time.perf_counter() - t}))
"""


def _env(cache: Path) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    return env


def _fit(cache: Path, out: Path) -> float:
    command = [sys.executable, "-m", "topicnmf", "fit", str(ROOT / "corpora" / "eight_themes"),
               "-k", "8", "--out", str(out), "--force"]
    start = time.perf_counter()
    done = subprocess.run(command, env=_env(cache), capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"topicnmf fit failed:\n{done.stderr[-2000:]}")
    return wall


def _script(cache: Path, code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], env=_env(cache), capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="warm runs (the median is shown)")
    args = parser.parse_args()
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
          + f"; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="topicnmf-startup-") as tmp:
        tmp = Path(tmp)
        fit_cache, fac_cache, coh_cache = tmp / "fit", tmp / "factorize", tmp / "coherence"
        first = _fit(fit_cache, tmp / "out")
        warm = statistics.median(_fit(fit_cache, tmp / "out") for _ in range(args.repeat))
        fac_first = _script(fac_cache, FACTORIZE)
        fac_warm = [_script(fac_cache, FACTORIZE) for _ in range(args.repeat)]
        coh_first = _script(coh_cache, COHERENCE)["first"]
        coh_warm = statistics.median(_script(coh_cache, COHERENCE)["first"]
                                     for _ in range(args.repeat))
    fw = statistics.median(r["first"] for r in fac_warm)
    print(f"{'what':<44} {'first s':>8} {'warm s':>8} {'first-warm':>11}")
    print(f"{'topicnmf fit corpora/eight_themes -k 8':<44} {first:>8.2f} {warm:>8.2f} "
          f"{first - warm:>11.2f}")
    print(f"{'factorize 500x800, k=10 (first call)':<44} {fac_first['first']:>8.2f} {fw:>8.2f} "
          f"{fac_first['first'] - fw:>11.2f}")
    print(f"{'factorize 500x800, k=10 (second call)':<44} {fac_first['second']:>8.2f} "
          f"{statistics.median(r['second'] for r in fac_warm):>8.2f}")
    print(f"{'measures.coherence (first call, its kernels)':<44} {coh_first:>8.2f} "
          f"{coh_warm:>8.2f} {coh_first - coh_warm:>11.2f}")
    print(f"first fit - warm fit = {first - warm:.2f} s (target <= 3.0): "
          f"{'met' if first - warm <= 3.0 else 'NOT met'}; of it, coherence's compile "
          f"about {coh_first - coh_warm:.2f} s")
    print(f"warm fit = {warm:.2f} s (target <= 2.5): {'met' if warm <= 2.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
