"""The text stage on 20 Newsgroups: scikit-learn's TfidfVectorizer against topicnmf's TextVectorizer.

    python benchmarks/text.py [--repeat 3] [--corpus PATH/docs.jsonl.gz]

All sides read the same raw posts (`docs.jsonl.gz`, headers, quotes and signatures included):

- scikit-learn `TfidfVectorizer(stop_words="english").fit_transform` (the reference);
- `TextVectorizer().fit_transform`: the TF-IDF matrix alone;
- `TextVectorizer().fit_transform_stream`: the matrix plus the token stream coherence needs
  (int32 vocabulary ids, int64 document offsets), which is what `TopicModel.fit` asks for;
- the same two with `n_jobs=1` (one process), to show what the second core brings.

The runs are interleaved and each side's best of `--repeat` wall times is printed with its ratio
to scikit-learn, and beside it the CPU time of that run in this process and in its worker
processes: on a busy machine (Linux shares the CPU between sessions, not processes) a worker
only shortens the wall time when a core is free, while the larger of the two CPU times is what
the run takes on two free cores.
Target: the matrix plus stream at most 1.0x scikit-learn's wall time.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from _common import TWENTY_NG
from topicnmf.preprocessing import TextVectorizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=TWENTY_NG / "docs.jsonl.gz")
    args = parser.parse_args()
    if not args.corpus.is_file():
        raise SystemExit(f"{args.corpus} is not there: pass --corpus or put ../shared/corpora/20ng beside the checkout.")
    texts = pd.read_json(args.corpus, lines=True)["text"].tolist()
    print(f"{len(texts)} texts, {sum(map(len, texts)) / 1e6:.1f} M characters")

    sides = {
        'scikit-learn TfidfVectorizer(stop_words="english")': lambda: TfidfVectorizer(stop_words="english").fit_transform(texts),
        "TextVectorizer matrix": lambda: TextVectorizer().fit_transform(texts),
        "TextVectorizer matrix + token stream": lambda: TextVectorizer().fit_transform_stream(texts)[0],
        "TextVectorizer matrix, n_jobs=1": lambda: TextVectorizer(n_jobs=1).fit_transform(texts),
        "TextVectorizer matrix + token stream, n_jobs=1": lambda: TextVectorizer(n_jobs=1).fit_transform_stream(texts)[0],
    }
    best = {name: (float("inf"), 0.0, 0.0) for name in sides}
    shapes = {}
    for _ in range(args.repeat):
        for name, run in sides.items():
            own, workers = _cpu()
            start = time.perf_counter()
            X = run()
            wall = time.perf_counter() - start
            best[name] = min(best[name], (wall, _cpu()[0] - own, _cpu()[1] - workers))
            shapes[name] = X.shape
    reference = best[next(iter(sides))]
    print(f"{'':<52} {'wall':>8} {'ratio':>6}   {'cpu: this process':>18} {'workers':>8} {'ratio':>6}")
    for name, (wall, own, workers) in best.items():
        print(f"{name:<52} {wall:6.2f} s {wall / reference[0]:5.2f}x   {own:16.2f} s {workers:6.2f} s "
              f"{max(own, workers) / reference[1]:5.2f}x   {shapes[name][0]} x {shapes[name][1]}")


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its finished worker processes."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
