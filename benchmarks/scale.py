"""Beyond memory and beyond one machine: Dask, online NMF and the streamed fit, side by side.

    python benchmarks/scale.py [--parts a b c] [--k 20] [--n-docs 1000000]

(a) 20 Newsgroups (``docs.jsonl.gz``, ``TfidfVectorizer(stop_words="english", min_df=5,
    max_df=0.95)``, float32, 18,846 x 34,877) factorised at k = 20 from the same random start
    (``init="random"``, ``random_state=0``) in memory and on a 2-worker ``LocalCluster``
    (processes, one thread each; the client talks to the workers directly,
    ``direct_to_workers=True``) as a Dask array of 4 row blocks: wall of ``fit`` (a warm-up
    fit with ``max_iter=2`` runs first on each side, so numba's kernels are loaded), final
    objective, iterations, and the ratios.
(b) The same matrix, rows shuffled, in chunks of 2,000 rows: scikit-learn ``MiniBatchNMF``
    (``batch_size=2000``, ``forget_factor=0.7``, ``init="nndsvda"``) ``partial_fit`` over every
    chunk for 3 epochs, against ``NMF.partial_fit`` (same forget factor) on the same chunks.
    Both sides are scored by one evaluator, ``0.5 ||X - W H||^2`` with ``W`` solved exactly for
    their ``H`` (not timed); topicnmf's clock stops at the first chunk after which it reaches
    scikit-learn's final objective.
(c) A synthetic corpus of ``--n-docs`` documents of 100 words, each drawn with replacement
    from the words of one random 20 Newsgroups post (``\\w\\w+`` tokens, lowercased), written as
    gzipped JSON lines by a generator (one document in memory at a time), then
    ``topicnmf fit <file> --stream -k 50`` in a fresh process: wall, CPU time, peak resident
    memory and the load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_20ng, measured_run  # noqa: E402


def _load():
    """The load average (1, 5, 15 minutes) and the cores: the machine may be shared."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def tfidf_20ng():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = load_20ng().text
    vec = TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95, dtype=np.float32)
    return vec.fit_transform(texts).tocsr()


def objective(X, H):
    """``0.5 ||X - W H||^2`` with ``W`` solved exactly for ``H``."""
    from topicnmf.nmf._operator import as_operator
    from topicnmf.nmf._solvers import Problem, solve_w

    Ht = np.ascontiguousarray(H.T, dtype=X.dtype)
    return solve_w(as_operator(X), Ht, Problem())[1]


def part_a(X, k):
    import dask.array as da
    from distributed import Client, LocalCluster

    from topicnmf.nmf import NMF

    kw = dict(n_components=k, init="random", random_state=0)
    NMF(max_iter=2, **kw).fit(X)
    t = time.perf_counter()
    ref = NMF(**kw).fit(X)
    t_mem = time.perf_counter() - t
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster, direct_to_workers=True):
        dX = da.from_array(X, chunks=(int(np.ceil(X.shape[0] / 4)), -1), asarray=False)
        NMF(max_iter=2, **kw).fit(dX)
        t = time.perf_counter()
        model = NMF(**kw).fit(dX)
        t_dask = time.perf_counter() - t
    f_mem, f_dask = ref.loss_history_[-1], model.loss_history_[-1]
    print(f"(a) 20 Newsgroups {X.shape[0]:,} x {X.shape[1]:,}, k={k}, init='random', 2 workers")
    print(f"    {'':22} {'wall s':>8} {'iter':>5} {'0.5|X-WH|^2':>14}")
    print(f"    {'in memory (hals)':22} {t_mem:8.2f} {ref.n_iter_:5d} {f_mem:14.4f}")
    print(f"    {'Dask (hals)':22} {t_dask:8.2f} {model.n_iter_:5d} {f_dask:14.4f}")
    print(f"    ratio Dask / memory: wall {t_dask / t_mem:.2f}x (target <= 2), "
          f"objective relative difference {abs(f_dask - f_mem) / f_mem:.2e} (target <= 1e-6)")
    print(f"    load average {_load()}")


def part_b(X, k, chunk=2000, epochs=3):
    from sklearn.decomposition import MiniBatchNMF

    from topicnmf.nmf import NMF

    X = X[np.random.RandomState(0).permutation(X.shape[0])]
    chunks = [X[i:i + chunk] for i in range(0, X.shape[0], chunk)]
    NMF(k, random_state=0).partial_fit(chunks[0])  # loads the kernels
    peer = MiniBatchNMF(k, batch_size=chunk, forget_factor=0.7, init="nndsvda", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        for _ in range(epochs):
            for c in chunks:
                peer.partial_fit(c)
        t_sk = time.perf_counter() - t
    f_sk = objective(X, peer.components_)
    model = NMF(k, forget_factor=0.7, random_state=0)
    elapsed, reached, f = 0.0, None, None
    for e in range(epochs):
        for i, c in enumerate(chunks):
            t = time.perf_counter()
            model.partial_fit(c)
            elapsed += time.perf_counter() - t
            f = objective(X, model.components_)
            if reached is None and f <= f_sk:
                reached = (elapsed, e * len(chunks) + i + 1)
    print(f"(b) partial_fit over 20 Newsgroups in {len(chunks)} chunks of {chunk:,} rows, k={k}, "
          f"{epochs} epochs")
    print(f"    {'':28} {'wall s':>8} {'0.5|X-WH|^2':>14}")
    print(f"    {'sklearn MiniBatchNMF':28} {t_sk:8.2f} {f_sk:14.4f}")
    print(f"    {'topicnmf partial_fit':28} {elapsed:8.2f} {f:14.4f}")
    if reached:
        print(f"    topicnmf reaches MiniBatchNMF's final objective after {reached[1]} chunks, "
              f"{reached[0]:.2f} s: {reached[0] / t_sk:.2f}x its time (target <= 0.5)")
    else:
        print("    topicnmf does not reach MiniBatchNMF's final objective")
    print(f"    load average {_load()}")


def synthetic_corpus(path: Path, n_docs: int, words_per_doc: int = 100, seed: int = 0) -> None:
    """Write ``n_docs`` documents, each resampled from one 20 Newsgroups post's words."""
    token = re.compile(r"\b\w\w+\b")
    posts = [np.array(token.findall(t.lower())) for t in load_20ng().text]
    posts = [p for p in posts if p.size]
    rng = np.random.RandomState(seed)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        for i in range(n_docs):
            post = posts[rng.randint(len(posts))]
            words = post[rng.randint(post.size, size=words_per_doc)]
            f.write(json.dumps({"id": f"s{i}", "text": " ".join(words)}) + "\n")


def part_c(n_docs, k=50, corpus=None):
    with tempfile.TemporaryDirectory() as tmp:
        t_gen = None
        if corpus is None:
            path = Path(tmp) / "synthetic.jsonl.gz"
            t = time.perf_counter()
            synthetic_corpus(path, n_docs)
            t_gen = time.perf_counter() - t
        else:
            path = Path(corpus)
        load = os.getloadavg()
        info = measured_run([sys.executable, "-m", "topicnmf", "fit", str(path), "--stream", "-k", str(k),
                             "-o", str(Path(tmp) / "out")])
        load = [max(a, b) for a, b in zip(load, os.getloadavg())]
    written = f"written in {t_gen:.0f} s" if t_gen is not None else "given with --corpus"
    print(f"(c) synthetic corpus: {n_docs:,} documents of 100 words ({path.name}, {written}), "
          f"topicnmf fit --stream -k {k}")
    print(f"    wall {info['wall']:.1f} s, CPU {info['cpu']:.1f} s (user + system, all processes), "
          f"peak resident memory {info['peak_mb']:.0f} MB; load average (1, 5, 15 min, the larger of "
          f"before and after) {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    if n_docs < 1_000_000:
        scale = 1_000_000 / n_docs
        print(f"    extrapolated to 1,000,000 documents (passes are linear in documents): wall "
              f"~{info['wall'] * scale:.0f} s (target < 600); memory stays bounded by the chunk, k "
              f"and the vocabulary (target <= 3 GB)")
    else:
        print("    targets: wall < 600 s, peak <= 3072 MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["a", "b", "c"], choices=["a", "b", "c"])
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--n-docs", type=int, default=1_000_000)
    parser.add_argument("--corpus", help="(c): a corpus written earlier by synthetic_corpus with --n-docs "
                        "documents (else one is written to a temporary folder)")
    args = parser.parse_args()
    if {"a", "b"} & set(args.parts):
        X = tfidf_20ng()
    if "a" in args.parts:
        part_a(X, args.k)
    if "b" in args.parts:
        part_b(X, args.k)
    if "c" in args.parts:
        part_c(args.n_docs, corpus=args.corpus)


if __name__ == "__main__":
    main()
