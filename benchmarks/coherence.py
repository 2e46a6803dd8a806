"""Coherence on 20 Newsgroups: topicnmf against gensim's CoherenceModel, side by side.

    python benchmarks/coherence.py

Reads `docs_clean.jsonl.gz` and tokenises it as the 20ng README says (lowercased `\\b\\w\\w+\\b`
tokens without scikit-learn's English stop words; about 1.9 M tokens). The 20 topics x 10
words come from a quick scikit-learn NMF (`mu`, `nndsvda`, `random_state=0`) on a TF-IDF of the
same token lists (`min_df=5`, `max_df=0.95`). For each measure it times gensim
`CoherenceModel(topics, texts, dictionary, coherence=measure, processes=1).get_coherence_per_topic()`
(one run; the `Dictionary` is built once beforehand and not counted) and topicnmf's
`coherence(topics, texts, measure)` (best of three runs, after one call on a small input that
loads or compiles the numba kernels), checks that they agree to 1e-9 and prints both times, the
ratio and each side's peak memory (tracemalloc's peak over one more, untimed call: what Python
and numpy allocate on top of the texts).
Target: a speed-up of at least 20x for c_npmi and c_v.
"""

from __future__ import annotations

import re
import sys
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from _common import load_20ng
from topicnmf.measures import coherence

TOKEN = re.compile(r"\b\w\w+\b")
MEASURES = ["c_npmi", "c_v", "c_uci", "u_mass"]
TARGETS = {"c_npmi": 20.0, "c_v": 20.0}
N_TOPICS = 20
TOP_N = 10


def tokens_of(documents) -> list[list[str]]:
    return [[t for t in TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS] for text in documents]


def as_is(tokens):
    """The analyzer of a TF-IDF over texts that are already token lists."""
    return tokens


def nmf_topics(texts: list[list[str]]) -> list[list[str]]:
    vectorizer = TfidfVectorizer(analyzer=as_is, min_df=5, max_df=0.95)
    X = vectorizer.fit_transform(texts)
    H = NMF(n_components=N_TOPICS, solver="mu", init="nndsvda", random_state=0).fit(X).components_
    vocabulary = vectorizer.get_feature_names_out()
    return [vocabulary[np.argsort(-row, kind="stable")[:TOP_N]].tolist() for row in H]


def timed(function, *args, **kwargs):
    """``function(*args, **kwargs)`` and its wall time (s)."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def peak_memory(function, *args, **kwargs) -> float:
    """Peak memory (MB) that Python and numpy allocate during ``function(*args, **kwargs)``."""
    tracemalloc.start()
    try:
        function(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def gensim_coherence(topics, texts, dictionary, measure):
    from gensim.models.coherencemodel import CoherenceModel

    model = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence=measure, processes=1)
    return np.asarray(model.get_coherence_per_topic(), dtype=float)


def main() -> int:
    from gensim.corpora import Dictionary

    start = time.perf_counter()
    texts = tokens_of(load_20ng("docs_clean.jsonl.gz")["text"])
    n_tokens = sum(map(len, texts))
    elapsed = time.perf_counter() - start
    print(f"20 Newsgroups clean: {len(texts)} texts, {n_tokens / 1e6:.2f} M tokens ({elapsed:.1f} s)")
    start = time.perf_counter()
    topics = nmf_topics(texts)
    print(f"{N_TOPICS} topics x {TOP_N} words from scikit-learn NMF ({time.perf_counter() - start:.1f} s)")
    start = time.perf_counter()
    dictionary = Dictionary(texts)
    print(f"gensim Dictionary(texts) built once, not counted: {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # most topic words are not in 20 texts
        coherence(topics, texts[:20], "c_npmi")
    print(f"topicnmf first call (numba kernels loaded or compiled): {time.perf_counter() - start:.2f} s")

    failed = False
    for measure in MEASURES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            reference, gensim_time = timed(gensim_coherence, topics, texts, dictionary, measure)
            gensim_peak = peak_memory(gensim_coherence, topics, texts, dictionary, measure)
        scores, ours_time = min((timed(coherence, topics, texts, measure) for _ in range(3)), key=lambda r: r[1])
        ours_peak = peak_memory(coherence, topics, texts, measure)
        diff = float(np.max(np.abs(scores - reference)))
        ratio = gensim_time / ours_time
        target = f" (target >= {TARGETS[measure]:.0f}x)" if measure in TARGETS else ""
        flag = ""
        if not diff <= 1e-9:
            flag, failed = "  MISMATCH", True
        elif measure in TARGETS and ratio < TARGETS[measure]:
            flag = "  BELOW TARGET"
        print(
            f"{measure:<7} gensim {gensim_time:5.2f} s  topicnmf {ours_time:5.3f} s  speed-up {ratio:5.1f}x{target}"
            f"  max |diff| {diff:.0e}  peak memory gensim {gensim_peak:5.1f} MB  topicnmf {ours_peak:4.1f} MB"
            f"  mean {scores.mean():.4f}{flag}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
