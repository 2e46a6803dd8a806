"""Reading corpora: read_corpus against pandas, and iter_corpus's memory against read_corpus.

    python benchmarks/reading.py [--corpus PATH] [--docs N] [--repeat N]

(a) 20 Newsgroups as gzipped JSON lines (18,846 posts): ``read_corpus`` against
    ``pandas.read_json(lines=True)``, best wall of ``--repeat`` runs each.
(b) A generated gzipped JSON lines corpus of ``--docs`` documents of 100 words (each drawn from
    one 20 Newsgroups post's own words, written by a generator that never holds it): wall and
    peak resident memory of a fresh process that reads it with ``read_corpus`` and one that
    reads it with ``iter_corpus(chunksize=10_000)``, counting the words.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import ROOT, TWENTY_NG, measured_run

READ = """
import sys
sys.path.insert(0, {root!r})
from topicnmf.corpus import iter_corpus, read_corpus
if sys.argv[1] == "read_corpus":
    chunks = [read_corpus(sys.argv[2])]
else:
    chunks = iter_corpus(sys.argv[2], chunksize=10_000)
words = sum(len(text.split()) for chunk in chunks for text in chunk.texts)
"""


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def generate(source: Path, target: Path, n_docs: int, n_words: int = 100) -> float:
    """Write n_docs resampled posts as gzipped JSON lines; return the decompressed MB."""
    import pandas as pd

    posts = [text.split() for text in pd.read_json(source, lines=True)["text"]]
    posts = [words for words in posts if words]
    rng = np.random.default_rng(0)
    size = 0
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=1) as handle:
        for i in range(n_docs):
            words = posts[rng.integers(len(posts))]
            picked = [words[j] for j in rng.integers(len(words), size=n_words)]
            line = json.dumps({"id": f"d{i}", "text": " ".join(picked)}) + "\n"
            size += len(line.encode())
            handle.write(line)
    return size / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=TWENTY_NG / "docs.jsonl.gz")
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.is_file():
        sys.exit(f"{args.corpus} is not there: pass --corpus PATH to 20 Newsgroups' docs.jsonl.gz.")
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    from topicnmf.corpus import read_corpus

    ours = best(lambda: read_corpus(args.corpus), args.repeat)
    peer = best(lambda: pd.read_json(args.corpus, lines=True), args.repeat)
    print(f"(a) 20 Newsgroups jsonl.gz: read_corpus {ours:.2f} s, pandas.read_json {peer:.2f} s, "
          f"ratio {ours / peer:.2f}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.jsonl.gz"
        size = generate(args.corpus, path, args.docs)
        script = READ.format(root=str(ROOT))
        runs = {
            name: measured_run([sys.executable, "-c", script, name, str(path)])
            for name in ("read_corpus", "iter_corpus")
        }
    whole, streamed = runs["read_corpus"], runs["iter_corpus"]
    print(f"(b) {args.docs} generated documents ({size:.0f} MB of JSON lines): "
          f"read_corpus {whole['wall']:.1f} s, {whole['peak_mb']:.0f} MB peak; "
          f"iter_corpus {streamed['wall']:.1f} s, {streamed['peak_mb']:.0f} MB peak; "
          f"memory ratio {streamed['peak_mb'] / whole['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
