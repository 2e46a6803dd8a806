"""The counting kernels of coherence: the numpy twins of small inputs against the compiled ones."""

import subprocess
import sys

import numpy as np
import pytest

from topicnmf.measures import _kernels
from topicnmf.measures._counts import WindowCounts


def _both(func, *args):
    """(numpy twin's result and arrays, compiled kernel's) for the same arguments."""
    import numba

    outs = []
    for kernel in (_kernels._TWINS[func.__name__], numba.njit(func)):
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        outs.append((kernel(*copies), copies))
    return outs


def _stream(rng, n_docs, n_words, vocab):
    lengths = rng.randint(0, 40, size=n_docs)
    lengths[:3] = [0, 1, 2]  # empty and tiny documents
    tokens = rng.randint(-1, vocab, size=int(lengths.sum()))
    ids = np.where(tokens < n_words, tokens, -1).astype(np.int32)  # -1: not a topic word
    return ids, lengths.astype(np.int64)


@pytest.mark.parametrize("window", [0, 1, 2, 5, 10, 110])
@pytest.mark.parametrize("seed", [0, 1])
def test_numpy_window_counts_equal_the_compiled_ones(window, seed):
    rng = np.random.RandomState(seed)
    n_words = 12
    ids, lengths = _stream(rng, 60, n_words, vocab=20)
    topics = [np.arange(0, 6), np.arange(4, 12), np.array([1, 7, 11])]
    counts = WindowCounts(list(range(n_words)), topics, window)
    args = (ids, lengths, window, counts._indptr, counts._neighbors,
            np.zeros(n_words, np.int64), np.zeros(len(counts.keys), np.int64))
    (n_a, a), (n_b, b) = _both(_kernels.count_windows, *args)
    assert n_a == n_b
    np.testing.assert_array_equal(a[5], b[5])  # occurrences
    sources = np.repeat(np.arange(n_words), np.diff(counts._indptr))
    for counts_of in (a, b):  # a pair's count may sit in either of its two slots
        pairs = np.zeros((n_words, n_words), np.int64)
        np.add.at(pairs, (sources, counts._neighbors), counts_of[6])
        counts_of.append(pairs + pairs.T)
    np.testing.assert_array_equal(a[-1], b[-1])
    assert a[-1].sum() > 0 or window == 1  # one token a window holds no pairs


def test_numpy_encoding_equals_the_compiled_one():
    from topicnmf.measures._counts import _word_table

    words = ["sun", "star", "über", "a"]
    texts = [["sun", "x", "über"], [], ["star", "a", "aa", "sun"], [""]]
    buf = np.frombuffer("\x01".join(["\x00".join(t) for t in texts] + [""]).encode("utf-8"), np.uint8)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    table = _word_table(words, "utf-8")
    for bad in (lengths, lengths + np.array([0, 0, 1, 0])):
        (ok_a, a), (ok_b, b) = _both(_kernels.encode_buffer, buf, bad, *table,
                                     np.zeros(int(bad.sum()), np.int32))
        assert ok_a == ok_b
        if ok_a:
            np.testing.assert_array_equal(a[-1], b[-1])
            assert a[-1].tolist() == [0, -1, 2, 1, 3, -1, 0, -1]


def test_small_corpus_coherence_compiles_nothing():
    code = ("import sys; from topicnmf.measures import coherence; "
            "texts = [['apple', 'banana', 'cherry', 'apple'], ['banana', 'cherry', 'date']] * 50; "
            "[coherence([['apple', 'banana'], ['cherry', 'date']], texts, m) "
            "for m in ('c_npmi', 'c_v', 'u_mass')]; print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_large_inputs_are_compiled(monkeypatch):
    monkeypatch.setattr(_kernels, "SMALL_TOKENS", 0)
    kernel = _kernels._Kernel(_kernels.count_windows)
    ids = np.array([0, 1, 0], np.int32)
    n = kernel(ids, np.array([3]), 2, np.array([0, 1, 2]), np.array([1, 0]),
               np.zeros(2, np.int64), np.zeros(2, np.int64))
    assert n == 2 and kernel.jitted is not None
