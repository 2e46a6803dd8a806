"""`topicnmf fit` against a plain scikit-learn script on 20 Newsgroups written out as a folder.

    python benchmarks/end_to_end.py [--repeat N]

Both sides read the same folder of 18,846 files (one sub-folder per newsgroup), fit K = 20
topics and write their tables; each run is a fresh process, timed from outside, with its peak
resident memory. topicnmf's compiled kernels are warmed once on a small corpus first (their
on-disk cache is part of installing, not of a fit). Targets: wall time at most 1.0x the
script's, peak memory at most 2x.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _common import ROOT, load_20ng, measured_run


def write_folder(target: Path) -> int:
    docs = load_20ng("docs.jsonl.gz")
    for i, (doc_id, text, label) in enumerate(zip(docs["id"], docs["text"], docs["label"])):
        folder = target / label
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", doc_id)
        (folder / f"{name}.txt").write_text(text, encoding="utf-8", errors="surrogateescape")
    return len(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (the median is reported)")
    parser.add_argument("--topics", type=int, default=20)
    args = parser.parse_args()
    topicnmf_cli = [sys.executable, "-m", "topicnmf"]
    with tempfile.TemporaryDirectory(prefix="topicnmf-e2e-") as tmp:
        tmp = Path(tmp)
        n = write_folder(tmp / "20ng")
        print(f"corpus: {n} files in {tmp / '20ng'}, K = {args.topics}")
        measured_run([*topicnmf_cli, "fit", str(ROOT / "corpora" / "eight_themes"), "-k", "8", "--out", str(tmp / "warm")])
        runs = {"topicnmf fit": [], "scikit-learn script": []}
        for _ in range(args.repeat):
            shutil.rmtree(tmp / "out_topicnmf", ignore_errors=True)
            runs["topicnmf fit"].append(
                measured_run([*topicnmf_cli, "fit", str(tmp / "20ng"), "-k", str(args.topics), "--out", str(tmp / "out_topicnmf")])
            )
            runs["scikit-learn script"].append(
                measured_run([sys.executable, str(ROOT / "benchmarks" / "sklearn_recipe.py"), str(tmp / "20ng"),
                              str(tmp / "out_sklearn"), str(args.topics)])
            )
    summary = {}
    for name, results in runs.items():
        wall = statistics.median(r["wall"] for r in results)
        peak = statistics.median(r["peak_mb"] for r in results)
        summary[name] = (wall, peak)
        print(f"{name:<22} wall {wall:6.2f} s   peak memory {peak:7.1f} MB   (median of {len(results)})")
    (tw, tp), (sw, sp) = summary["topicnmf fit"], summary["scikit-learn script"]
    print(f"wall time ratio topicnmf / script = {tw / sw:.2f}x (target <= 1.0x) {'met' if tw <= sw else 'NOT met'}")
    print(f"peak memory ratio topicnmf / script = {tp / sp:.2f}x (target <= 2.0x) {'met' if tp <= 2 * sp else 'NOT met'}")


if __name__ == "__main__":
    main()
