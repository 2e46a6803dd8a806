"""The kernels of the NMF core: the numpy set of small problems against the compiled set,
the two drivers of each compiled kernel, and what a small fit loads."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from topicnmf.nmf import _lazy, _small


@pytest.fixture(scope="module")
def compiled():
    return _lazy.compiled_kernels()


def _problem(dtype=np.float64, n=40, m=30, k=5, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(n, m, density=0.3, format="csr", random_state=rng, dtype=dtype)
    W = rng.rand(n, k).astype(dtype)
    W[W < 0.3] = 0.0
    Ht = rng.rand(m, k).astype(dtype)
    return X, W, Ht


def _kernel_calls(X, W, Ht):
    """(name, call) pairs: call(kernels) returns the results to compare."""
    n, m = X.shape
    A = np.asarray(X @ Ht)
    B = Ht.T @ Ht
    wh = np.asarray((W @ Ht.T)[X.nonzero()]).astype(X.dtype)

    def inplace(name, *args):
        def call(kern):
            V = W.copy()
            out = getattr(kern, name)(V, *args)
            return (V,) if out is None else (V, out)
        return call

    return [
        ("csr_dot", lambda kern: kern.csr_dot(X.indptr, X.indices, X.data, Ht, matrix=X)),
        ("csr_dot without matrix", lambda kern: kern.csr_dot(X.indptr, X.indices, X.data, Ht)),
        ("csr_tdot", lambda kern: kern.csr_tdot(X.indptr, X.indices, X.data, W, m,
                                                is_sorted=True)),
        ("csr_dot_at", lambda kern: kern.csr_dot_at(X.indptr, X.indices, W, Ht)),
        ("fdot", lambda kern: kern.fdot(W, W + 1)),
        ("hals_rows", inplace("hals_rows", A, B, 0.1, 0.2, 4, 0.3)),
        ("hals_rows one sweep", inplace("hals_rows", A, B, 0.0, 0.0, 1, 0.3)),
        ("nnls_rows", inplace("nnls_rows", A, B, 0.1, 0.2)),
        ("mu_update", inplace("mu_update", A, W @ B, np.diag(B), 0.1, 0.2, 1e-7)),
        ("mu_update row", inplace("mu_update", A, B.sum(axis=0), np.diag(B), 0.0, 0.0, 1e-7)),
        ("kkt_sq_norm", lambda kern: kern.kkt_sq_norm(W, W @ B - A + 0.1, np.diag(B) + 0.2)),
        ("kl_data_term", lambda kern: kern.kl_data_term(X.data, wh, 1e-7)),
        ("kl_ratio", lambda kern: kern.kl_ratio(X.data, wh.copy(), 1e-7)),
        ("kl_ratio2", lambda kern: kern.kl_ratio2(X.data, wh, 1e-7)),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", range(14))
def test_numpy_kernels_agree_with_the_compiled_ones(compiled, dtype, case):
    X, W, Ht = _problem(dtype)
    name, call = _kernel_calls(X, W, Ht)[case]
    ours, theirs = call(_small), call(compiled)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for a, b in zip(np.atleast_1d(ours) if not isinstance(ours, tuple) else ours,
                    np.atleast_1d(theirs) if not isinstance(theirs, tuple) else theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3, err_msg=name)
        assert np.asarray(a).dtype == np.asarray(b).dtype or np.isscalar(a), name


def test_numpy_nnls_is_exact():
    # KKT conditions of each row's problem, with a singular Gram matrix (a repeated column)
    X, W, Ht = _problem(n=50, k=6)
    Ht[:, 5] = Ht[:, 4]
    A = np.asarray(X @ Ht)
    B = Ht.T @ Ht
    V = np.zeros_like(W)
    _small.nnls_rows(V, A, B, 0.05, 0.0)
    grad = V @ B - A + 0.05
    scale = np.abs(A).max()
    assert np.all(V >= 0)
    assert np.abs(grad[V > 0]).max() < 1e-8 * scale
    assert grad[V == 0].min() > -1e-8 * scale


def test_small_problems_run_on_numpy_only():
    code = ("import sys, numpy as np, scipy.sparse as sp; from topicnmf.nmf import factorize, NMF; "
            "X = sp.random(300, 500, density=0.05, format='csr', random_state=0); "
            "[factorize(X, 8, solver=s, random_state=0) for s in ('hals', 'mu', 'als')]; "
            "NMF(8, max_iter=20).fit(X).transform(X); "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_problem_size_alone_chooses_the_kernels():
    assert _lazy.is_small(1000, (100, 100), 10)
    assert not _lazy.is_small(2_000_000, (20_000, 30_000), 20)
    with _lazy.small_problem(True):
        assert _lazy.kernels() is _small
        with _lazy.small_problem(False):
            assert _lazy.kernels() is _lazy.compiled_kernels()
        assert _lazy.kernels() is _small
    assert _lazy.kernels() is _lazy.compiled_kernels()


def test_each_kernel_has_one_definition_and_two_named_drivers(compiled):
    from topicnmf.nmf._drivers import Kernel

    kernels = [v for v in vars(compiled).values() if isinstance(v, Kernel)]
    assert len(kernels) >= 8
    names = [v.func.__name__ for v in kernels]
    assert not any(name.endswith(("_par", "_ser")) for name in names)
    hals = compiled._hals
    # numba caches by name and code, not by flags: each driver has its own name
    assert hals.serial.py_func.__qualname__ != hals.parallel.py_func.__qualname__
    assert hals.serial.py_func.__code__ is hals.parallel.py_func.__code__
    assert hals.serial is hals.serial  # compiled once


def test_serial_and_parallel_drivers_give_the_same_bits(compiled):
    X, W, Ht = _problem(n=200, m=150, k=12)
    A = np.asarray(X @ Ht)
    B = Ht.T @ Ht
    split = compiled.even_split(200)
    runs = []
    for parallel in (False, True):
        V = W.copy()
        pg2 = compiled._hals.driver(parallel)(V, A, B, 0.0, 0.0, 3, 0.09, split)
        out = np.zeros((200, 12))
        compiled._csr_dot.driver(parallel)(X.indptr, X.indices, X.data, Ht, out,
                                           compiled.balanced_row_split(X.indptr))
        runs.append((V, pg2, out))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_concurrent_fits_run_serial_kernels_and_give_the_fits_of_one_thread():
    from threadpoolctl import threadpool_info

    from topicnmf.nmf import factorize

    rng = np.random.RandomState(0)
    X = sp.random(3000, 800, density=0.1, format="csr", random_state=rng)  # compiled kernels
    blas_before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    def fit(seed):
        assert _lazy.serial_only()
        return factorize(X, 20, init="random", random_state=seed, max_iter=15, tol=0)[1]

    together = _lazy.concurrently([lambda s=s: fit(s) for s in range(3)])
    assert not _lazy.serial_only()
    alone = [factorize(X, 20, init="random", random_state=s, max_iter=15, tol=0)[1] for s in range(3)]
    for a, b in zip(together, alone):
        np.testing.assert_array_equal(a, b)
    # the threads' BLAS limits leave the caller's as it was
    assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == blas_before


def test_concurrently_raises_the_first_error():
    def boom():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        _lazy.concurrently([lambda: 1, boom])


@pytest.mark.parametrize("k", [6, 20])  # scipy's loop serves the serial driver below 16 columns
def test_sparse_products_written_into_out_are_the_products(compiled, k):
    rng = np.random.RandomState(1)
    n, m = 1021, 977  # the sizes key the drivers' measures: ones of this test only
    X = sp.random(n, m, density=0.4, format="csr", random_state=rng)  # above PARALLEL_MIN_WORK
    W, Ht = rng.rand(n, k), rng.rand(m, k)
    for kern in (compiled, _small):
        for _ in range(3):  # repeated: the chooser tries each driver in turn
            out = np.full((n, k), np.nan)
            got = kern.csr_dot(X.indptr, X.indices, X.data, Ht, matrix=X, out=out)
            assert got is out
            np.testing.assert_array_equal(out, X @ Ht)
            out = np.full((m, k), np.nan)
            got = kern.csr_tdot(X.indptr, X.indices, X.data, W, m, is_sorted=True, matrix=X, out=out)
            assert got is out
            np.testing.assert_array_equal(out, X.T @ W)
    with pytest.raises(ValueError, match="shape"):
        compiled.csr_dot(X.indptr, X.indices, X.data, Ht, out=np.empty((n, k + 1)))


@pytest.mark.parametrize("fmt", ["dense", "narrow dense", "csr", "csc", "masked"])
def test_operator_products_written_into_out_are_the_products(fmt):
    from topicnmf.nmf._mask import masked_operator
    from topicnmf.nmf._operator import as_operator

    rng = np.random.RandomState(2)
    n, m, k = 50, 40, 5 if fmt == "narrow dense" else 16
    X = rng.rand(n, m)
    X[X < 0.5] = 0.0
    W, Ht = rng.rand(n, k), rng.rand(m, k)
    if fmt == "masked":
        op = masked_operator(X, rng.rand(n, m) < 0.8, None, "test")
        op.fill(W, Ht)
    else:
        op = as_operator(X if "dense" in fmt else sp.csr_matrix(X).asformat(fmt))
    for product, B, rows in ((op.matmul, Ht, n), (op.rmatmul, W, m)):
        out = np.full((rows, k), np.nan)
        assert product(B, out=out) is out
        np.testing.assert_allclose(out, product(B), rtol=1e-12)


def test_hals_rows_from_a_blas_gradient_matches_the_row_by_row_one(compiled):
    X, W, Ht = _problem(n=120, m=90, k=7)
    A = np.asarray(X @ Ht)
    B = Ht.T @ Ht
    out = []
    for blas in (False, True):
        V = W.copy()
        pg2 = compiled.hals_rows(V, A, B, 0.1, 0.2, 3, 0.0, blas)
        out.append((V, pg2))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-9, atol=1e-12)
    assert out[0][1] == pytest.approx(out[1][1], rel=1e-9)


def test_the_slower_driver_is_re_measured_less_often_while_it_stays_the_slower(monkeypatch):
    from types import SimpleNamespace

    from topicnmf.nmf import _drivers

    monkeypatch.setattr(_lazy, "serial_only", lambda: False)
    monkeypatch.setattr(_drivers.numba, "get_num_threads", lambda: 2)
    clock = [0.0]  # a clock that only the drivers move: each call takes its driver's cost
    monkeypatch.setattr(_drivers, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    chooser, runs, cost = _drivers._Chooser(), [], [0.001, 0.01]  # seconds per call, serial and parallel

    def pick(mode):
        def driver():
            runs.append(mode)
            clock[0] += cost[mode]
        return driver

    def call(n):
        for _ in range(n):
            chooser.run("key", _drivers.PARALLEL_MIN_WORK, pick, ())

    call(600)  # each driver once, then the slow one at calls 16, 48, 112, 240 and 496
    assert [i + 1 for i, mode in enumerate(runs) if mode == 1] == [1, 16, 48, 112, 240, 496]
    cost[0] = 0.03  # the serial driver slows: the choice changes at once and the waits start over
    runs.clear()
    call(300)
    assert [i + 601 for i, mode in enumerate(runs) if mode == 0] == [601, 617, 649, 713, 841]


def test_even_split_is_made_once_per_size(compiled):
    assert compiled.even_split(200) is compiled.even_split(200)
    np.testing.assert_array_equal(compiled.even_split(5), [0, 1, 2, 3, 4, 5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_block_sweeps_are_the_row_sweeps_bit_for_bit(compiled, dtype):
    # from V = 0 both start from the gradient l1 - A, so the same arithmetic gives the same bits;
    # 150 rows: two full blocks and a partial one, rows settling at different sweeps
    X, W, Ht = _problem(dtype=dtype, n=150, m=90, k=9)
    A = np.asarray(X @ Ht)
    B = Ht.T @ Ht
    for max_inner, eps in ((1, 0.0), (4, 0.3), (12, 0.05)):
        rows, block = np.zeros_like(W), np.zeros_like(W)
        pg_rows = compiled.hals_rows(rows, A, B, 0.1, 0.2, max_inner, eps)
        pg_block = compiled.hals_rows(block, A, B, 0.1, 0.2, max_inner, eps, True)
        np.testing.assert_array_equal(rows, block)
        assert pg_block == pytest.approx(pg_rows, rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [3, 5, 12])
def test_narrow_dense_products_are_blas_products_to_rounding(dtype, k):
    from topicnmf.nmf import _operator

    rng = np.random.RandomState(k)
    X = (rng.rand(37, 29) * 255).astype(dtype)  # rows not a multiple of the four taken at once
    Ht, W = rng.rand(29, k).astype(dtype), rng.rand(37, k).astype(dtype)
    op = _operator.DenseOperator(X)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    for got, expected in ((op.matmul(Ht), X @ Ht), (op.rmatmul(W), X.T @ W)):
        assert got.dtype == dtype and got.flags.c_contiguous
        np.testing.assert_allclose(got, expected, rtol=rtol)
    # an F-ordered X (its products swap loops) and a small problem (numpy's products)
    np.testing.assert_allclose(_operator.DenseOperator(np.asfortranarray(X)).matmul(Ht), X @ Ht, rtol=rtol)
    with _lazy.small_problem(True):
        np.testing.assert_array_equal(op.matmul(Ht), X @ Ht)


@pytest.mark.parametrize("pixel_dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_narrow_products_read_from_integer_pixels_give_the_same_bits(dtype, pixel_dtype):
    from topicnmf.nmf import _operator

    rng = np.random.RandomState(0)
    top = 255 if pixel_dtype == np.uint8 else 65535
    P = rng.randint(0, top + 1, size=(37, 29)).astype(pixel_dtype)  # rows not a multiple of four
    X = P.astype(dtype)
    Ht, W = rng.rand(29, 5).astype(dtype), rng.rand(37, 5).astype(dtype)
    floats, pixels = _operator.DenseOperator(X), _operator.DenseOperator(X, pixels=P)
    np.testing.assert_array_equal(pixels.matmul(Ht), floats.matmul(Ht))
    np.testing.assert_array_equal(pixels.rmatmul(W), floats.rmatmul(W))
    assert pixels.matmul(Ht).dtype == dtype and pixels.rmatmul(W).flags.c_contiguous


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_nndsvd_gives_the_factors_of_numpys(dtype):
    from topicnmf.nmf._dense import nndsvd_dense
    from topicnmf.nmf._init import nndsvd_factors

    rng = np.random.RandomState(1)
    U, V, s = rng.randn(40, 5).astype(dtype), rng.randn(30, 5).astype(dtype), np.array([5.0, 3, 2, 1, 0.5])
    U[:, 0], V[:, 0] = -np.abs(U[:, 0]), -np.abs(V[:, 0])  # a Perron pair of negative sign
    U[:, 4], V[:, 4] = 0.0, 0.0  # a zero pair stays at zero
    ours, theirs = nndsvd_dense(U, s, V), nndsvd_factors(U, s, V)
    for a, b in zip(ours, theirs):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=1e-5 if dtype == np.float32 else 1e-12)
        np.testing.assert_array_equal(a == 0, b == 0)


def test_blas_limits_already_in_place_are_not_set_again():
    from contextlib import nullcontext

    with _lazy.blas_threads(1):
        assert isinstance(_lazy.blas_threads(1), nullcontext)
    assert not isinstance(_lazy.blas_threads(None), nullcontext)


@pytest.mark.parametrize("pixels", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_hals_iteration_follows_the_loops_steps(dtype, pixels, monkeypatch):
    """An image's HALS iterations in one compiled call give the factors of the loop's own
    steps (the same kernels; only the objective is summed in another order)."""
    from topicnmf.images._fit import factorize_image
    from topicnmf.nmf import _operator

    rng = np.random.RandomState(3)
    P = (rng.rand(45, 7) @ rng.rand(7, 38) * 40).astype(np.uint8)  # rows not a multiple of four
    X = P.astype(dtype)

    def fit():
        op = _operator.DenseOperator(X, pixels=P if pixels else None)
        with _lazy.always_compiled():
            W, H, info, _ = factorize_image(X, 5, init="random", solver="hals", tol=0, max_iter=25,
                                            random_state=0, callback=None, op=op)
        return W, H, np.array(info["loss_history"])

    with _lazy.always_compiled():
        assert _operator.DenseOperator(X).hals_iteration(5) is not None
        assert _operator.DenseOperator(X).hals_iteration(2) is None  # products on BLAS
        assert _operator.DenseOperator(np.asfortranarray(X)).hals_iteration(5) is None
    steps = []
    made = _operator.DenseOperator.hals_iteration

    def counted(self, k):
        step = made(self, k)
        return lambda *args: steps.append(1) or step(*args)

    monkeypatch.setattr(_operator.DenseOperator, "hals_iteration", counted)
    compiled = fit()
    assert len(steps) == 25
    monkeypatch.setattr(_operator.DenseOperator, "hals_iteration", lambda self, k: None)
    loop = fit()
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for ours, theirs in zip(compiled, loop):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * np.abs(theirs).max())
