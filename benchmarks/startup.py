"""First run against warm run: what compiling (or loading) the numba kernels costs.

    python benchmarks/startup.py [--repeat N]

Every measurement is a fresh process. "first" points ``NUMBA_CACHE_DIR`` at a new empty
folder, so every kernel a run uses is compiled (as after a fresh install); "warm" runs again
with the same folder, so the kernels are loaded from the cache the first run wrote. Rows:

- ``topicnmf fit corpora/eight_themes -k 8`` (the whole CLI job, wall from outside), and
  whether that process imported numba at all (small problems run on numpy kernels);
- ``factorize`` of a random 500 x 800 sparse matrix at k = 10 (a small problem: numpy
  kernels) and of a 3000 x 2000 one at k = 20 (the compiled kernels), import excluded, wall
  of the first and of the second call in the process;
- ``coherence``: the first ``topicnmf.measures.coherence`` call on a small corpus (numpy
  counting) and on 400,000 tokens (its compiled kernels).

Targets: the first ``fit`` at most 3 s slower than a warm one; a warm one at most
2.5 s. The load average is printed first: on a busy machine every wall time grows.
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
import json, sys, time
import numpy as np, scipy.sparse as sp
n, m, k = {n}, {m}, {k}
X = sp.random(n, m, density=0.05, format="csr", random_state=0, dtype=np.float64)
from topicnmf.nmf import factorize
t = time.perf_counter(); factorize(X, k, random_state=0); first = time.perf_counter() - t
t = time.perf_counter(); factorize(X, k, random_state=0); second = time.perf_counter() - t
print(json.dumps({{"first": first, "second": second, "numba": "numba" in sys.modules}}))
"""

COHERENCE = """
import json, sys, time
from topicnmf.measures import coherence
texts = [["apple", "banana", "cherry", "apple"], ["banana", "cherry", "date"]] * {copies}
t = time.perf_counter(); coherence([["apple", "banana"], ["cherry", "date"]], texts, "c_npmi")
print(json.dumps({{"first": time.perf_counter() - t, "numba": "numba" in sys.modules}}))
"""

NUMBA_AT_EXIT = "import atexit, sys; atexit.register(lambda: print('numba' in sys.modules))"


def _env(cache: Path) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    return env


def _fit(cache: Path, out: Path) -> tuple[float, bool]:
    command = [sys.executable, "-c", NUMBA_AT_EXIT + "; from topicnmf.cli import main; main()",
               "fit", str(ROOT / "corpora" / "eight_themes"), "-k", "8", "--out", str(out),
               "--force"]
    start = time.perf_counter()
    done = subprocess.run(command, env=_env(cache), capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"topicnmf fit failed:\n{done.stderr[-2000:]}")
    return wall, done.stdout.strip().splitlines()[-1] == "True"


def _script(cache: Path, code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], env=_env(cache), capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _first_and_warm(cache: Path, code: str, repeat: int) -> tuple[dict, dict]:
    first = _script(cache, code)
    warm = [_script(cache, code) for _ in range(repeat)]
    return first, {key: statistics.median(r[key] for r in warm) if key != "numba" else warm[0][key]
                   for key in first}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="warm runs (the median is shown)")
    args = parser.parse_args()
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
          + f"; {os.cpu_count()} cores")
    rows = []
    with tempfile.TemporaryDirectory(prefix="topicnmf-startup-") as tmp:
        tmp = Path(tmp)
        first, numba_first = _fit(tmp / "fit", tmp / "out")
        warm = [_fit(tmp / "fit", tmp / "out") for _ in range(args.repeat)]
        fit_warm = statistics.median(w for w, _ in warm)
        rows.append(("topicnmf fit corpora/eight_themes -k 8", first, fit_warm, numba_first))
        for n, m, k in ((500, 800, 10), (3000, 2000, 20)):
            a, b = _first_and_warm(tmp / f"fac{n}", FACTORIZE.format(n=n, m=m, k=k), args.repeat)
            rows.append((f"factorize {n}x{m}, k={k} (first call)", a["first"], b["first"],
                         a["numba"]))
            rows.append((f"factorize {n}x{m}, k={k} (second call)", a["second"], b["second"],
                         a["numba"]))
        for copies, label in ((50, "350 tokens"), (57_143, "400,001 tokens")):
            a, b = _first_and_warm(tmp / f"coh{copies}", COHERENCE.format(copies=copies),
                                   args.repeat)
            rows.append((f"measures.coherence, {label}", a["first"], b["first"], a["numba"]))
    print(f"{'what':<44} {'first s':>8} {'warm s':>8} {'first-warm':>11} {'numba':>6}")
    for what, a, b, numba_used in rows:
        print(f"{what:<44} {a:>8.2f} {b:>8.2f} {a - b:>11.2f} {'yes' if numba_used else 'no':>6}")
    print(f"first fit - warm fit = {first - fit_warm:.2f} s (target <= 3.0): "
          f"{'met' if first - fit_warm <= 3.0 else 'NOT met'}")
    print(f"warm fit = {fit_warm:.2f} s (target <= 2.5): {'met' if fit_warm <= 2.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
