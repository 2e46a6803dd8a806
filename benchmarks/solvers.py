"""The NMF solvers against scikit-learn's, side by side, on 20 Newsgroups and one image.

    python benchmarks/solvers.py [--ks 10 20 50] [--no-dense] [--kl | --only-kl]

Builds the TF-IDF matrix of ``docs.jsonl.gz`` with
``TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95)`` (18,846 x 34,877) and, for
each k, computes one ``nndsvda`` start ``W0, H0`` (scikit-learn's, ``random_state=0``; not
timed). From that same start it runs scikit-learn ``NMF(solver="cd")`` and
``NMF(solver="mu")`` (``init="custom"``, defaults otherwise) and each topicnmf solver
(``factorize(..., W=W0, H=H0, solver=...)``, defaults otherwise). The dense case is the grey
``load_sample_image("china.jpg")`` (427 x 640) at k = 20.

Every run is a fresh process that loads the matrix and the start, runs the same fit once
untimed with ``max_iter=2``, twice (this loads topicnmf's compiled kernels, serial and
parallel drivers, from their on-disk cache and touches the data on both sides), resets the
peak resident size (``/proc/self/clear_refs``) and then times one fit. Columns:

- ``time``: wall time of the fit call (validation, iterations, final error);
- ``iter``: iterations run;
- ``0.5|X-WH|^2``: the final objective, computed by this script the same way for every side;
- ``reach cd`` / ``reach mu``: seconds until the objective first reached scikit-learn cd's
  (mu's) final objective (topicnmf: from the per-iteration callback, timed from the start
  of the call), and the ratio of that to cd's (mu's) time;
- ``peak MB``: the highest resident size during the fit minus the resident size just before
  it (the memory the fit needed on top of the data), from ``VmHWM``, which sees numba's and
  BLAS's allocations as well as Python's. It comes from a second run of the same fit with
  a fixed glibc mmap threshold, so that freed arrays leave the resident size at once on both
  sides; the times come from the first, with the environment's own malloc settings (under
  the fixed threshold every large temporary is a fresh mapping whose first writes fault:
  at k = 10 that slowed scikit-learn's mu from 30 to 37 ms an iteration; topicnmf's
  solvers keep their large temporaries for the whole fit).

topicnmf runs its loops with one BLAS thread (its parallel part is its compiled kernels);
scikit-learn uses BLAS as configured. On a busy machine, BLAS threads waiting for cores can
slow scikit-learn's solvers many times over; ``OPENBLAS_NUM_THREADS=1 python
benchmarks/solvers.py`` gives both sides one BLAS thread. The load average is printed first.

With ``--kl`` (or ``--only-kl``, which skips the Frobenius runs) each k also gets a
Kullback-Leibler section: scikit-learn ``NMF(solver="mu", beta_loss="kullback-leibler")``
(``init="custom"`` from the same start, ``max_iter=200``, defaults otherwise) against
topicnmf's default KL solver (``factorize(..., beta_loss="kullback-leibler")``, coordinate
descent, defaults otherwise); the objective column is
scikit-learn's ``_beta_divergence(X, W, H, 1)`` for every side, and ``reach mu`` the time until
topicnmf's objective first reached scikit-learn mu's final one.

Targets: hals reaches cd's final objective in at most 0.5x cd's time at k = 10 and 20 and
0.4x at k = 50, and ends no higher; topicnmf mu reaches scikit-learn mu's final objective in
no more than mu's time; peak memory no more than scikit-learn's. KL: topicnmf's default
solver reaches scikit-learn mu's final KL objective in at most 0.2x mu's time at k = 10, 20
and 50.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

OURS = ["hals", "mu", "als"]
THEIRS = ["cd", "mu"]
TARGET_REACH = {10: 0.5, 20: 0.5, 50: 0.4}
KL = "kullback-leibler"
TARGET_KL_REACH = 0.2


# ------------------------------------------------------------------ the worker
def _status() -> dict:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":")
                out[key] = int(value.split()[0]) / 1024  # MB
    return out


def _load(folder: Path, case: str):
    data = case.rstrip("0123456789")  # ng10, ng20, ... share ng_X.npz
    path = folder / f"{data}_X.npz"
    X = sp.load_npz(path).tocsr() if path.is_file() else np.load(folder / f"{data}_X.npy")
    return X, np.load(folder / f"{case}_W0.npy"), np.load(folder / f"{case}_H0.npy")


def worker(folder: Path, case: str, side: str, solver: str, loss: str = "frobenius") -> None:
    """One measured fit in this (fresh) process; prints one JSON line."""
    X, W0, H0 = _load(folder, case)
    k = W0.shape[1]
    warnings.simplefilter("ignore")
    if side == "sklearn":
        from sklearn.decomposition import NMF

        def fit(max_iter, trace):
            model = NMF(k, solver=solver, beta_loss=loss, init="custom", max_iter=max_iter)
            W = model.fit_transform(X, W=W0.copy(), H=H0.copy())
            return W, model.components_, model.n_iter_
    else:
        from topicnmf.nmf import factorize

        def fit(max_iter, trace):
            start = time.perf_counter()

            def record(info):
                trace.append((time.perf_counter() - start, info["loss"]))

            W, H, info = factorize(X, k, W=W0, H=H0, solver=solver, beta_loss=loss,
                                   max_iter=max_iter, callback=record)
            return W, H, info["n_iter"]

    for _ in range(2):  # warm: compiled kernels (both drivers) loaded, data touched
        fit(2, [])
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident size
    before = _status()["VmRSS"]
    trace: list = []
    start = time.perf_counter()
    W, H, n_iter = fit(200, trace)
    wall = time.perf_counter() - start
    peak = _status()["VmHWM"]
    np.save(folder / f"out_{case}_{side}_{solver}_{loss}_W.npy", W)
    np.save(folder / f"out_{case}_{side}_{solver}_{loss}_H.npy", H)
    print(json.dumps({"wall": wall, "n_iter": int(n_iter), "trace": trace,
                      "peak_mb": peak - before, "rss_mb": peak}))


# ------------------------------------------------------------------ the parent
def objective(X, W, H) -> float:
    """``0.5 ||X - W H||_F^2`` in float64, the same way for every side."""
    W = W.astype(np.float64)
    H = H.astype(np.float64)
    if sp.issparse(X):
        sq = float(X.data @ X.data)
        cross = float(np.sum((X @ H.T) * W))
    else:
        sq = float(np.sum(X * X))
        cross = float(np.sum((X @ H.T) * W))
    return 0.5 * (sq - 2.0 * cross + float(np.sum((W.T @ W) * (H @ H.T))))


def kl_objective(X, W, H) -> float:
    """The generalised Kullback-Leibler divergence, scikit-learn's ``_beta_divergence``.

    ``_beta_divergence`` pairs ``X.data`` with ``W @ H`` at the stored entries in sorted
    column order, so a CSR matrix with unsorted indices (``TfidfVectorizer``'s output)
    gets a wrong value; scikit-learn's ``fit`` sorts ``X`` in place first, and so does this.
    """
    from sklearn.decomposition._nmf import _beta_divergence

    if sp.issparse(X) and not X.has_sorted_indices:
        X = X.sorted_indices()
    return float(_beta_divergence(X, W.astype(np.float64), H.astype(np.float64), 1))


def run(folder: Path, case: str, side: str, solver: str, loss: str = "frobenius") -> dict:
    """The fit in two fresh processes: the times from one with the environment's own malloc
    settings, the peak memory from one with a fixed mmap threshold."""
    command = [sys.executable, __file__, "--worker", str(folder), case, side, solver, loss]
    # a fixed mmap threshold: every large array is mapped and unmapped on its own, so
    # the resident size follows the live arrays (glibc's sliding threshold would
    # otherwise let one side reuse heap kept from the warm-up run); not for the times:
    # every large temporary is then a fresh mapping whose first writes fault (see the
    # module's docstring)
    fixed = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072", MALLOC_TRIM_THRESHOLD_="131072")
    runs = []
    for env in (None, fixed):
        out = subprocess.run(command, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise RuntimeError(f"{side} {solver} on {case} failed:\n{out.stderr[-3000:]}")
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    result = {**runs[0], "peak_mb": runs[1]["peak_mb"], "rss_mb": runs[1]["rss_mb"]}
    X, _, _ = _load(folder, case)
    W = np.load(folder / f"out_{case}_{side}_{solver}_{loss}_W.npy")
    H = np.load(folder / f"out_{case}_{side}_{solver}_{loss}_H.npy")
    result["objective"] = objective(X, W, H) if loss == "frobenius" else kl_objective(X, W, H)
    return result


def reach_time(result: dict, target: float) -> float:
    """Seconds until the objective first reached ``target`` (nan if it never did)."""
    for elapsed, loss in result.get("trace", []):
        if loss <= target:
            return elapsed
    return float("nan")


def bench_case(folder: Path, case: str, label: str, k: int) -> list[str]:
    results = {("sklearn", s): run(folder, case, "sklearn", s) for s in THEIRS}
    results.update({("topicnmf", s): run(folder, case, "topicnmf", s) for s in OURS})
    cd, skmu = results[("sklearn", "cd")], results[("sklearn", "mu")]
    f_cd, f_mu = cd["objective"], skmu["objective"]
    # the trace's losses come from the solver; compare them to cd's objective with a
    # margin of rounding only (they agree with objective() to ~1e-12 relative)
    tol = 1e-12 * f_cd
    print(f"\n{label}, k={k}")
    print(f"{'side':<9} {'solver':<6} {'time s':>8} {'iter':>5} {'0.5|X-WH|^2':>14} "
          f"{'reach cd s':>11} {'/cd':>6} {'reach mu s':>11} {'/mu':>6} {'peak MB':>8}")
    lines = []
    for (side, solver), r in results.items():
        if side == "topicnmf":
            t_cd = reach_time(r, f_cd + tol)
            t_mu = reach_time(r, f_mu + tol)
            reach = (f"{t_cd:>11.2f} {t_cd / cd['wall']:>5.2f}x "
                     f"{t_mu:>11.2f} {t_mu / skmu['wall']:>5.2f}x")
        else:
            reach = f"{'':>11} {'':>6} {'':>11} {'':>6}"
        print(f"{side:<9} {solver:<6} {r['wall']:>8.2f} {r['n_iter']:>5d} {r['objective']:>14.3f} "
              f"{reach} {r['peak_mb']:>8.1f}")
    hals, mu = results[("topicnmf", "hals")], results[("topicnmf", "mu")]
    target = TARGET_REACH.get(k, 0.5)
    ratio = reach_time(hals, f_cd + tol) / cd["wall"]
    lines.append(f"{label} k={k} hals time-to-cd-objective / cd time = {ratio:.2f}x "
                 f"(target <= {target}x): {'met' if ratio <= target else 'NOT met'}")
    ends = hals["objective"] <= f_cd * (1 + 1e-9)
    lines.append(f"{label} k={k} hals final objective {hals['objective']:.3f} vs cd "
                 f"{f_cd:.3f} (target: no higher): {'met' if ends else 'NOT met'}")
    ratio = reach_time(mu, f_mu + tol) / skmu["wall"]
    lines.append(f"{label} k={k} mu time-to-sklearn-mu-objective / sklearn mu time = "
                 f"{ratio:.2f}x (target <= 1.0x): {'met' if ratio <= 1.0 else 'NOT met'}")
    for ours, theirs in (("hals", "cd"), ("mu", "mu")):
        a, b = results[("topicnmf", ours)]["peak_mb"], results[("sklearn", theirs)]["peak_mb"]
        lines.append(f"{label} k={k} peak memory {ours} {a:.1f} MB / sklearn {theirs} "
                     f"{b:.1f} MB = {a / max(b, 1e-9):.2f}x (target <= 1.0x): "
                     f"{'met' if a <= b else 'NOT met'}")
    for line in lines:
        print(line)
    return lines


def bench_kl_case(folder: Path, case: str, label: str, k: int) -> list[str]:
    """scikit-learn mu against topicnmf's default solver, Kullback-Leibler loss."""
    results = {("sklearn", "mu"): run(folder, case, "sklearn", "mu", KL),
               ("topicnmf", "hals"): run(folder, case, "topicnmf", "hals", KL)}
    skmu = results[("sklearn", "mu")]
    f_mu = skmu["objective"]
    tol = 1e-12 * f_mu
    print(f"\n{label}, k={k}, Kullback-Leibler (topicnmf 'hals' is coordinate descent for KL)")
    print(f"{'side':<9} {'solver':<6} {'time s':>8} {'iter':>5} {'KL divergence':>14} "
          f"{'reach mu s':>11} {'/mu':>6} {'peak MB':>8}")
    for (side, solver), r in results.items():
        if side == "topicnmf":
            t_mu = reach_time(r, f_mu + tol)
            reach = f"{t_mu:>11.2f} {t_mu / skmu['wall']:>5.2f}x"
        else:
            reach = f"{'':>11} {'':>6}"
        print(f"{side:<9} {solver:<6} {r['wall']:>8.2f} {r['n_iter']:>5d} {r['objective']:>14.3f} "
              f"{reach} {r['peak_mb']:>8.1f}")
    cd = results[("topicnmf", "hals")]
    t_cd = reach_time(cd, f_mu + tol)
    ratio = t_cd / skmu["wall"]
    lines = [
        f"{label} k={k} KL: sklearn mu {skmu['wall']:.2f} s, {skmu['n_iter']} it, objective "
        f"{f_mu:.3f}; topicnmf default solver reaches it in {t_cd:.2f} s = {ratio:.3f}x "
        f"(target <= {TARGET_KL_REACH}x): {'met' if ratio <= TARGET_KL_REACH else 'NOT met'}; "
        f"its own run: {cd['wall']:.2f} s, {cd['n_iter']} it, objective {cd['objective']:.3f}",
    ]
    for line in lines:
        print(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", type=int, nargs="+", default=[10, 20, 50])
    parser.add_argument("--no-dense", action="store_true")
    parser.add_argument("--kl", action="store_true",
                        help="add the Kullback-Leibler comparison for each k")
    parser.add_argument("--only-kl", action="store_true",
                        help="only the Kullback-Leibler comparison (implies --no-dense)")
    args = parser.parse_args()

    from sklearn.decomposition._nmf import _initialize_nmf
    from sklearn.feature_extraction.text import TfidfVectorizer

    from _common import load_20ng

    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
          + f"; {os.cpu_count()} cores; OPENBLAS_NUM_THREADS="
          + os.environ.get("OPENBLAS_NUM_THREADS", "unset"))
    texts = load_20ng()["text"]
    X = TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95).fit_transform(texts)
    print(f"20 Newsgroups TF-IDF: {X.shape[0]:,} x {X.shape[1]:,}, {X.nnz:,} non-zeros, "
          f"{X.dtype}, {X.format}")
    summary = []
    with tempfile.TemporaryDirectory(prefix="topicnmf-bench-") as tmp:
        folder = Path(tmp)
        sp.save_npz(folder / "ng_X.npz", X, compressed=False)
        for k in args.ks:
            case = f"ng{k}"
            W0, H0 = _initialize_nmf(X, k, init="nndsvda", random_state=0)
            np.save(folder / f"{case}_W0.npy", W0)
            np.save(folder / f"{case}_H0.npy", H0)
            if not args.only_kl:
                summary += bench_case(folder, case, "20ng", k)
            if args.kl or args.only_kl:
                summary += bench_kl_case(folder, case, "20ng", k)
        if not (args.no_dense or args.only_kl):
            from sklearn.datasets import load_sample_image

            image = load_sample_image("china.jpg").mean(axis=2)  # grey, 427 x 640
            W0, H0 = _initialize_nmf(image, 20, init="nndsvda", random_state=0)
            np.save(folder / "img_X.npy", image)
            np.save(folder / "img_W0.npy", W0)
            np.save(folder / "img_H0.npy", H0)
            summary += bench_case(folder, "img", "china grey 427x640", 20)
    print("\nSummary")
    for line in summary:
        print(line)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(Path(sys.argv[2]), *sys.argv[3:])
    else:
        main()
