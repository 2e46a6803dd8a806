"""The whole sweep over k against a plain scikit-learn loop on 20 Newsgroups, side by side.

    python benchmarks/sweep.py [--topics 5 10 15 20 25 30] [--runs 5]

Both sides use the same TF-IDF matrix (``TextVectorizer()`` on ``docs.jsonl.gz``, built once,
not timed). The loop fits one scikit-learn ``NMF(solver="cd", init="nndsvda", random_state=0)``
per k and nothing else. The sweep is ``topicnmf.sweep`` on that matrix with its default number
of stability runs (reference fit, sample runs, held-out fit, scores), once without coherence
(matrix in) and once with the token streams for c_npmi and c_v. topicnmf's compiled kernels are
warmed first (a sweep of k = 20 over the first 2,000 posts). Target: the sweep at most 1.0x the loop. The load average is
printed first: on a busy machine both sides slow down, the sweep (on both cores) more than the loop (mostly on one),
so the CPU time of each side (all its threads) is printed beside its wall time.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
from _common import load_20ng


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, nargs="+", default=[5, 10, 15, 20, 25, 30])
    parser.add_argument("--runs", type=int, default=None, help="stability runs (default: the sweep's)")
    args = parser.parse_args()
    from sklearn.decomposition import NMF as SklearnNMF

    from topicnmf import TextVectorizer
    from topicnmf.selection import AUTO_RUNS, sweep, sweep_matrix

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    docs = load_20ng("docs.jsonl.gz")
    vectorizer = TextVectorizer()
    X, tokens = vectorizer.fit_transform_stream(docs["text"].tolist())
    vocabulary = np.asarray(vectorizer.get_feature_names_out(), dtype=str)
    print(f"matrix {X.shape[0]:,} x {X.shape[1]:,}, {X.nnz:,} non-zeros; k = {args.topics}")
    runs = {} if args.runs is None else {"runs": args.runs}
    # load the compiled kernels (serial and parallel drivers) from their cache: the first 2,000 posts
    # are large enough not to run on the numpy kernels of small problems
    sweep(X[:2000], topics=[20], random_state=0, **runs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start, cpu = time.perf_counter(), time.process_time()
        for k in args.topics:
            SklearnNMF(k, solver="cd", init="nndsvda", random_state=0).fit(X)
        loop, loop_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{'scikit-learn loop (one cd fit per k)':<44} {loop:8.1f} s", flush=True)

        start, cpu = time.perf_counter(), time.process_time()
        plain = sweep(X, topics=args.topics, random_state=0, **runs)
        plain_time, plain_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{'topicnmf.sweep (matrix, no coherence)':<44} {plain_time:8.1f} s", flush=True)
        print(plain.table.round(4).to_string(index=False), flush=True)

        start, cpu = time.perf_counter(), time.process_time()
        full = sweep_matrix(X, args.topics, random_state=0, tokens=tokens, vocabulary=vocabulary, **runs)
        full_time, full_cpu = time.perf_counter() - start, time.process_time() - cpu

    print(f"side by side (load average {os.getloadavg()[0]:.2f}):")
    print(f"{'':<44} {'wall':>8}   {'ratio':>5}   {'CPU':>7}   {'ratio':>5}")
    for label, wall, used in (("scikit-learn loop (one cd fit per k)", loop, loop_cpu),
                              ("topicnmf.sweep (matrix, no coherence)", plain_time, plain_cpu),
                              ("topicnmf.sweep (with c_npmi and c_v)", full_time, full_cpu)):
        print(f"{label:<44} {wall:6.1f} s   {wall / loop:4.2f}x   {used:5.1f} s   {used / loop_cpu:4.2f}x")
    print(full.table.round(4).to_string(index=False))
    n_runs = args.runs or AUTO_RUNS
    se = full.table["stability_std"] / np.sqrt(n_runs)
    print(f"standard error of the stability ({n_runs} runs): " + ", ".join(
        f"k={k} {e:.4f}" for k, e in zip(full.table["k"], se)))
    print(f"recommendation: k = {full.best_k}. {full.reason}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
