"""`topicnmf fit` on 20 Newsgroups, stage by stage, beside scikit-learn doing the same work.

    python benchmarks/end_to_end.py [--topics K] [--repeat N]

Every measurement is a fresh process, run one after the other (never two at once):

- ``topicnmf fit ../shared/corpora/20ng/docs.jsonl.gz -k K`` (the CLI; coherence, plots, the
  report and the tables): wall time from outside and peak resident memory;
- the same job through the library calls the CLI makes (``read_corpus``, ``TopicModel.fit``,
  ``write_outputs``), timed stage by stage: start-up (imports), read, vectorize, factorize
  (``model.timings_``), then coherence, plots, page and writing (the stages
  ``write_outputs`` announces to its callback). The plots are drawn in a forked worker from
  the start of "coherence"; that stage also makes the summary, the explorer data, the tables
  and the saved model, and "plots" is only the wait for the worker that is left;
- the references, on the same texts: reading the file with pandas, scikit-learn
  ``TfidfVectorizer(stop_words="english").fit_transform`` (the wall-time target's unit),
  ``NMF(K, solver="cd", init="nndsvda", random_state=0)`` on the TF-IDF matrix of
  ``TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95)`` (as in
  ``benchmarks/solvers.py``);
- the plain scikit-learn script ``benchmarks/sklearn_recipe.py`` (``load_files`` on the posts
  written out as a folder, TF-IDF, NMF, two CSV tables): wall and peak memory.

topicnmf's compiled kernels are warmed once first, by a two-iteration fit of the same file:
the measured runs load them from the on-disk cache, as every run after the first does
(``benchmarks/startup.py`` measures the first run).

Memory: ``topicnmf fit`` forks two short-lived workers from its own process (one encodes half
of the texts, one draws the report's plots while the main process scores coherence and writes
the tables). The peak printed is the larger of the main process's and the largest worker's
``ru_maxrss``, not their sum: a forked worker's resident size counts the pages it shares with
the main process copy-on-write (the model, the matrices), which exist once in memory; a sum
would count them twice. The worker's own pages (matplotlib and its figures, some tens of MB)
are what the job adds above the main process's resident size while the worker lives.

Targets: ``topicnmf fit`` wall at most 2.5x the ``TfidfVectorizer`` time; peak memory
at most 1.2x the scikit-learn script's. The load average is printed: on a busy machine every
wall time grows, the ratios less so.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import ROOT, TWENTY_NG, load_20ng, measured_run  # noqa: E402

DOCS = TWENTY_NG / "docs.jsonl.gz"
TARGET_WALL = 2.5
TARGET_PEAK = 1.2


# ------------------------------------------------------------------ the workers
def worker_topicnmf(k: int, out: str) -> dict:
    """The CLI's job through the library, stage by stage (seconds)."""
    t = {"start": time.perf_counter()}
    import topicnmf
    import topicnmf.model  # noqa: F401  (what the fit imports; matplotlib counts in "plots")
    from topicnmf import reporting

    t["imported"] = time.perf_counter()
    docs = topicnmf.read_corpus(DOCS)
    t["read"] = time.perf_counter()
    model = topicnmf.TopicModel(
        k, vectorizer=topicnmf.TextVectorizer(stem=False, phrases=False),
        nmf=topicnmf.NMF(solver="hals", init="nndsvda", max_iter=200), random_state=0,
    )
    model.fit(docs)
    t["fitted"] = time.perf_counter()
    stages = {}
    reporting.write_outputs(model, out, corpus=docs,
                            callback=lambda info: stages.setdefault(info["stage"],
                                                                    time.perf_counter()))
    t["written"] = time.perf_counter()
    marks = [stages.get(s) for s in ("coherence", "plots", "page", "writing")] + [t["written"]]
    return {
        "start-up": t["imported"] - t["start"],
        "read": t["read"] - t["imported"],
        "vectorize": model.timings_["vectorize"],
        "factorize": model.timings_["factorize"],
        "fit (other)": t["fitted"] - t["read"] - sum(model.timings_.values()),
        "coherence": marks[1] - marks[0],
        "plots": marks[2] - marks[1],
        "page": marks[3] - marks[2],
        "write": marks[4] - marks[3],
        "report (other)": marks[0] - t["fitted"],
        "total": t["written"] - t["start"],
        "shape": [len(docs), len(model.vocabulary_)],
        "n_iter": model.n_iter_,
    }


def worker_sklearn(k: int) -> dict:
    """The references: the same texts through scikit-learn, stage by stage (seconds)."""
    t0 = time.perf_counter()
    import pandas as pd
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    t1 = time.perf_counter()
    texts = pd.read_json(DOCS, lines=True)["text"].tolist()
    t2 = time.perf_counter()
    TfidfVectorizer(stop_words="english").fit_transform(texts)
    t3 = time.perf_counter()
    X = TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95).fit_transform(texts)
    t4 = time.perf_counter()
    nmf = NMF(k, solver="cd", init="nndsvda", random_state=0)
    nmf.fit_transform(X)
    t5 = time.perf_counter()
    return {"start-up": t1 - t0, "read": t2 - t1, "vectorize": t3 - t2, "factorize": t5 - t4,
            "shape": list(X.shape), "n_iter": int(nmf.n_iter_)}


def _worker(*args) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", *map(str, args)],
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if out.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_folder(target: Path) -> int:
    """The posts as a folder of files, one sub-folder per newsgroup (for the recipe)."""
    docs = load_20ng("docs.jsonl.gz")
    for doc_id, text, label in zip(docs["id"], docs["text"], docs["label"]):
        folder = target / label
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", doc_id)
        (folder / f"{name}.txt").write_text(text, encoding="utf-8", errors="surrogateescape")
    return len(docs)


# ------------------------------------------------------------------ the parent
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (medians shown)")
    args = parser.parse_args()
    k = args.topics
    if not DOCS.is_file():
        sys.exit(f"{DOCS} is not there: the benchmark needs ../shared/corpora/20ng.")
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
          + f"; {os.cpu_count()} cores")
    cli = [sys.executable, "-m", "topicnmf", "fit"]
    env_path = dict(os.environ, PYTHONPATH=str(ROOT))
    os.environ.update(PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="topicnmf-e2e-") as tmp:
        tmp = Path(tmp)
        n = write_folder(tmp / "20ng")
        print(f"20 Newsgroups: {n:,} posts; K = {k}")
        subprocess.run([*cli, str(DOCS), "-k", str(k), "--max-iter", "2", "--out",
                        str(tmp / "warm")], capture_output=True, check=True, env=env_path)
        runs: dict[str, list] = {"cli": [], "stages": [], "sklearn": [], "recipe": []}
        for i in range(args.repeat):
            runs["cli"].append(measured_run([*cli, str(DOCS), "-k", str(k), "--out",
                                             str(tmp / f"cli{i}")]))
            runs["stages"].append(_worker("topicnmf", k, tmp / f"lib{i}"))
            runs["sklearn"].append(_worker("sklearn", k))
            runs["recipe"].append(measured_run([sys.executable, str(HERE / "sklearn_recipe.py"),
                                                str(tmp / "20ng"), str(tmp / f"sk{i}"), str(k)]))
    med = {name: {key: statistics.median(r[key] for r in rs) for key in rs[0]
                  if isinstance(rs[0][key], (int, float))} for name, rs in runs.items()}
    ours, theirs = med["stages"], med["sklearn"]
    print(f"topicnmf matrix {runs['stages'][0]['shape']}, {ours['n_iter']:.0f} iterations; "
          f"reference NMF matrix {runs['sklearn'][0]['shape']}, {theirs['n_iter']:.0f} iterations")
    print(f"\n{'stage':<16} {'topicnmf s':>10}   {'reference':<40} {'ref s':>7} {'ratio':>6}")
    refs = {"start-up": "imports (pandas, scikit-learn)", "read": "pandas.read_json",
            "vectorize": 'TfidfVectorizer(stop_words="english")',
            "factorize": f'NMF({k}, solver="cd"), min_df=5 matrix'}
    for stage in ("start-up", "read", "vectorize", "factorize", "fit (other)", "coherence",
                  "plots", "page", "write", "report (other)", "total"):
        ref = refs.get(stage, "")
        line = f"{stage:<16} {ours[stage]:>10.2f}   {ref:<40}"
        if stage in theirs:
            line += f" {theirs[stage]:>7.2f} {ours[stage] / theirs[stage]:>5.2f}x"
        print(line)
    wall, peak = med["cli"]["wall"], med["cli"]["peak_mb"]
    swall, speak = med["recipe"]["wall"], med["recipe"]["peak_mb"]
    tfidf = theirs["vectorize"]
    print(f"\n{'topicnmf fit (CLI)':<28} wall {wall:7.2f} s   peak memory {peak:7.1f} MB")
    print(f"{'scikit-learn script':<28} wall {swall:7.2f} s   peak memory {speak:7.1f} MB")
    print(f"wall topicnmf fit / TfidfVectorizer = {wall:.2f} / {tfidf:.2f} = {wall / tfidf:.2f}x "
          f"(target <= {TARGET_WALL}x): {'met' if wall <= TARGET_WALL * tfidf else 'NOT met'}")
    print(f"wall topicnmf fit / scikit-learn script = {wall / swall:.2f}x")
    print(f"peak memory topicnmf fit / scikit-learn script = {peak / speak:.2f}x "
          f"(target <= {TARGET_PEAK}x): {'met' if peak <= TARGET_PEAK * speak else 'NOT met'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        result = (worker_topicnmf(int(sys.argv[3]), sys.argv[4]) if sys.argv[2] == "topicnmf"
                  else worker_sklearn(int(sys.argv[3])))
        print(json.dumps(result))
    else:
        main()
