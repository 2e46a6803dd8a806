"""Tests of the NMF core ``topicnmf.nmf``: the estimator contract, the solvers' properties,
the initialisations, regularisation, the stopping rule and the error messages."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.decomposition import NMF as SkNMF
from sklearn.utils.estimator_checks import parametrize_with_checks

from topicnmf.errors import ConvergenceWarning, InputError
from topicnmf.nmf import NMF, SOLVERS, HeldOutMask, factorize, heldout_error

FROBENIUS_SOLVERS = ["hals", "mu", "als"]
LOSSES = [("hals", "frobenius"), ("mu", "frobenius"), ("mu", "kullback-leibler"),
          ("als", "frobenius")]


def _planted(n=60, m=40, k=4, seed=0, noise=0.0, density=None):
    """``X = W H`` with a dominant component per row of ``W`` and per column of ``H``."""
    rng = np.random.RandomState(seed)
    W = 0.1 * rng.rand(n, k)
    W[np.arange(n), np.arange(n) % k] += 1.0 + rng.rand(n)
    H = 0.1 * rng.rand(k, m)
    H[np.arange(m) % k, np.arange(m)] += 1.0 + rng.rand(m)
    X = W @ H + noise * rng.rand(n, m)
    if density is not None:
        X[rng.rand(n, m) > density] = 0.0
    return X, W, H


@pytest.fixture(params=["numpy", "compiled"])
def kernel_set(request, monkeypatch):
    """Runs a test on the numpy kernels of small problems, then on the compiled ones."""
    from topicnmf.nmf import _lazy

    monkeypatch.setattr(_lazy, "SMALL_WORK", 10**15 if request.param == "numpy" else -1)
    return request.param


@pytest.fixture(scope="module")
def X_small():
    rng = np.random.RandomState(42)
    X = np.abs(rng.randn(30, 20))
    X[X < 0.6] = 0.0  # about half zeros, so the sparse versions are sparse
    return X


# ------------------------------------------------------------ estimator contract
@parametrize_with_checks([NMF(), NMF(solver="mu"), NMF(solver="als")])
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)


def test_init_only_stores_parameters():
    callback = print
    model = NMF(7, solver="mu", beta_loss="kullback-leibler", init="random", tol=1e-3,
                max_iter=5, alpha_W=0.1, alpha_H=0.2, l1_ratio=0.5, random_state=3,
                callback=callback)
    params = model.get_params()
    assert params == dict(n_components=7, solver="mu", beta_loss="kullback-leibler",
                          init="random", tol=1e-3, max_iter=5, alpha_W=0.1, alpha_H=0.2,
                          l1_ratio=0.5, random_state=3, callback=callback,
                          missing_values=None, forget_factor=0.7)
    assert not any(name.endswith("_") for name in vars(model))


def test_fit_does_not_change_parameters(X_small):
    model = NMF(3, alpha_H="same", init=None, random_state=0)
    before = model.get_params()
    model.fit(X_small)
    assert model.get_params() == before


def test_fitted_attributes(X_small):
    model = NMF(3, random_state=0).fit(X_small)
    assert model.components_.shape == (3, 20)
    assert model.n_components_ == 3
    assert model.n_features_in_ == 20
    assert model.n_iter_ == len(model.loss_history_) >= 1
    assert all(isinstance(v, float) for v in model.loss_history_)
    W = model.transform(X_small)
    expected = np.linalg.norm(X_small - W @ model.components_)
    assert model.reconstruction_err_ == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(model.inverse_transform(W), W @ model.components_)


def test_factorize_shares_the_code_path(X_small):
    W1, H1, info = factorize(X_small, 3, random_state=0)
    model = NMF(3, random_state=0)
    W2 = model.fit_transform(X_small)
    np.testing.assert_array_equal(W1, W2)
    np.testing.assert_array_equal(H1, model.components_)
    assert set(info) >= {"n_iter", "loss_history", "reconstruction_err", "converged", "elapsed"}
    assert info["n_iter"] == model.n_iter_ and info["loss_history"] == model.loss_history_
    assert info["reconstruction_err"] == model.reconstruction_err_
    assert isinstance(info["converged"], bool) and info["elapsed"] > 0


def test_solver_registry_holds_plain_functions():
    assert sorted(SOLVERS) == ["als", "hals", "mu"]
    assert all(callable(entry.solve) for entry in SOLVERS.values())


def test_import_compiles_nothing():
    code = "import sys, topicnmf.nmf; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _package_copy_without_cache(tmp_path):
    """A copy of topicnmf whose kernel cache folder (``nmf/__pycache__``) cannot be made,
    and a home whose ``.cache`` cannot be either (a file stands in the way, even for root)."""
    import shutil
    from pathlib import Path

    import topicnmf

    shutil.copytree(Path(topicnmf.__file__).parent, tmp_path / "pkg" / "topicnmf",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pkg" / "topicnmf" / "nmf" / "__pycache__").write_text("")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".cache").write_text("")
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(PYTHONPATH=str(tmp_path / "pkg"), HOME=str(tmp_path / "home"))
    return env


def test_kernel_cache_falls_back_to_a_writable_folder(tmp_path):
    env = _package_copy_without_cache(tmp_path)
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")
    code = ("import sys; from topicnmf.nmf import _lazy; print(_lazy.choose_cache()); "
            "print(_lazy.CACHE, 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env, cwd=tmp_path)
    folder, flags = out.stdout.split("\n")[:2]
    assert folder.startswith(str(tmp_path / "tmp" / "topicnmf-numba-"))
    assert flags == "True False"


@pytest.mark.slow
def test_no_writable_kernel_cache_is_slower_not_broken(tmp_path):
    env = _package_copy_without_cache(tmp_path)
    code = ("import numpy as np; from topicnmf.nmf import factorize, _lazy; "
            "import topicnmf._numba_cache as c; c._user_cache_dirs = lambda: iter(()); "  # no fallback folder either
            "_lazy.SMALL_WORK = -1; "  # the compiled kernels even for this small problem
            "X = np.random.RandomState(0).rand(20, 10); "
            "W, H, info = factorize(X, 2, random_state=0); print(_lazy.CACHE, info['n_iter'] > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "True"]


# --------------------------------------------------------------- solver properties
@pytest.mark.usefixtures("kernel_set")
@pytest.mark.parametrize("solver, loss", LOSSES)
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_objective_never_increases(solver, loss, fmt):
    X, _, _ = _planted(noise=0.3, density=0.7)
    X = sp.csr_matrix(X) if fmt == "csr" else X
    for init in ("random", "nndsvda"):
        _, _, info = factorize(X, 5, solver=solver, beta_loss=loss, init=init,
                               random_state=0, tol=0, max_iter=60)
        f = np.array([info["initial_loss"]] + info["loss_history"])
        assert len(f) == 61
        assert np.all(np.diff(f) <= 1e-10 * f[:-1]), np.diff(f).max()


@pytest.mark.parametrize("solver", FROBENIUS_SOLVERS)
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_iterations_allocate_no_arrays_of_the_factors_size(solver, fmt):
    """The products and the other large temporaries live in buffers kept for the fit:
    allocated afresh each iteration, they are faulted in afresh each iteration."""
    import tracemalloc

    from topicnmf.nmf._lazy import always_compiled

    rng = np.random.RandomState(0)
    # (a dense X by 3 to 12 columns runs on the compiled narrow loops, whose X.T @ W
    # fills a transposed temporary: dense X is measured here on the BLAS products)
    n, m, k = 600, 400, 16 if fmt == "dense" else 8
    X = sp.random(n, m, density=0.05, format="csr", random_state=rng)
    X = X.toarray() if fmt == "dense" else X.asformat(fmt)
    seen = {}

    def watch(info):
        if info["iteration"] == 2:  # from here on, every buffer of the fit exists
            seen["start"] = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
        elif info["iteration"] > 2:
            seen["peak"] = tracemalloc.get_traced_memory()[1]

    with always_compiled():  # (the numpy kernels of small problems allocate freely)
        factorize(X, k, solver=solver, max_iter=2, tol=0, random_state=0)  # compiled, loaded
        tracemalloc.start()
        try:
            factorize(X, k, solver=solver, max_iter=12, tol=0, random_state=0, callback=watch)
        finally:
            tracemalloc.stop()
    assert seen["peak"] - seen["start"] < min(n, m) * k * 8 / 4


@pytest.mark.usefixtures("kernel_set")
@pytest.mark.parametrize("solver, loss", LOSSES)
def test_planted_factorisation_recovered(solver, loss):
    X, W_true, H_true = _planted()
    max_iter = 3000 if solver == "mu" else 500
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W, H, info = factorize(X, 4, solver=solver, beta_loss=loss, tol=1e-7,
                               max_iter=max_iter, random_state=0)
    rel = np.linalg.norm(X - W @ H) / np.linalg.norm(X)
    assert rel < (1e-2 if solver == "mu" else 1e-3)
    # the components match the planted ones up to order and scale
    unit = lambda A: A / np.linalg.norm(A, axis=1, keepdims=True)  # noqa: E731
    cos = unit(H) @ unit(H_true).T
    rows, cols = linear_sum_assignment(-cos)
    assert cos[rows, cols].min() > 0.99


@pytest.mark.usefixtures("kernel_set")
@pytest.mark.parametrize("solver, loss", LOSSES)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_dense_and_sparse_give_the_same_result(X_small, solver, loss, fmt):
    kw = dict(solver=solver, beta_loss=loss, random_state=0, tol=0, max_iter=30, init="nndsvda")
    W_d, H_d, _ = factorize(X_small, 4, **kw)
    W_s, H_s, _ = factorize(sp.csr_matrix(X_small).asformat(fmt), 4, **kw)
    np.testing.assert_allclose(W_s, W_d, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(H_s, H_d, rtol=1e-6, atol=1e-9)


class _NoDensify(sp.csr_matrix):
    def toarray(self, *args, **kwargs):
        raise AssertionError("X was densified")

    todense = toarray

    def __array__(self, *args, **kwargs):
        raise AssertionError("X was densified")


@pytest.mark.parametrize("solver, loss", LOSSES)
def test_sparse_input_is_never_densified(X_small, solver, loss):
    X = _NoDensify(X_small)
    model = NMF(3, solver=solver, beta_loss=loss, random_state=0, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
        model.transform(X)


@pytest.mark.parametrize("solver, loss", LOSSES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_dtype_is_kept(X_small, solver, loss, dtype, fmt):
    X = X_small.astype(dtype)
    X = sp.csr_matrix(X) if fmt == "csr" else X
    model = NMF(3, solver=solver, beta_loss=loss, random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = model.fit_transform(X)
    assert W.dtype == dtype and model.components_.dtype == dtype
    assert model.transform(X).dtype == dtype
    assert all(isinstance(v, float) for v in model.loss_history_)


def test_float32_agrees_with_float64(X_small):
    W64, H64, _ = factorize(X_small, 3, random_state=0, tol=0, max_iter=20)
    W32, H32, _ = factorize(X_small.astype(np.float32), 3, random_state=0, tol=0, max_iter=20)
    np.testing.assert_allclose(W32 @ H32, W64 @ H64, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("init", ["random", "nndsvd", "nndsvda", "nndsvdar"])
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_same_random_state_same_result(X_small, init, fmt):
    X = sp.csr_matrix(X_small) if fmt == "csr" else X_small
    runs = [factorize(X, 4, init=init, random_state=7, max_iter=10, tol=0) for _ in range(2)]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    rs = [factorize(X, 4, init=init, random_state=np.random.RandomState(7), max_iter=10,
                    tol=0)[1] for _ in range(2)]
    np.testing.assert_array_equal(rs[0], rs[1])
    np.testing.assert_array_equal(rs[0], runs[0][1])


def test_random_init_depends_on_random_state(X_small):
    H0 = factorize(X_small, 4, init="random", random_state=0, max_iter=1, tol=0)[1]
    H1 = factorize(X_small, 4, init="random", random_state=1, max_iter=1, tol=0)[1]
    assert not np.allclose(H0, H1)


def test_nndsvd_matches_scikit_learn():
    # the SVD differs (ours is randomized on the operator), the construction is the same:
    # on an exactly low-rank X both SVDs are exact, so the initial factors agree
    from sklearn.decomposition._nmf import _initialize_nmf

    X, _, _ = _planted(n=50, m=30, k=4)
    W_ref, H_ref = _initialize_nmf(X, 4, init="nndsvd", random_state=0)
    from topicnmf.nmf._init import initialize
    from topicnmf.nmf._operator import as_operator

    W0, Ht0 = initialize(as_operator(X), 4, "nndsvd", np.random.RandomState(0))
    np.testing.assert_allclose(W0, W_ref, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(Ht0.T, H_ref, rtol=1e-6, atol=1e-8)


@pytest.mark.usefixtures("kernel_set")
@pytest.mark.parametrize("solver, loss", LOSSES)
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_transform_agrees_with_fit_transform(solver, loss, fmt):
    X, _, _ = _planted(n=80, m=50, k=5, noise=0.2, density=0.8, seed=3)
    X = sp.csr_matrix(X) if fmt == "csr" else X
    model = NMF(5, solver=solver, beta_loss=loss, random_state=0, max_iter=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = model.fit_transform(X)
    W2 = model.transform(X)
    assert np.linalg.norm(W2 - W) <= 1e-3 * np.linalg.norm(W)


def test_transform_rows_are_independent(X_small):
    model = NMF(4, random_state=0).fit(X_small)
    W = model.transform(X_small)
    np.testing.assert_allclose(model.transform(X_small[:7]), W[:7], rtol=1e-10, atol=1e-12)


@pytest.mark.usefixtures("kernel_set")
@pytest.mark.parametrize("solver", FROBENIUS_SOLVERS)
def test_transform_solves_for_w_exactly(X_small, solver):
    # KKT conditions of min_W 0.5|X - WH|^2 + reg(W), W >= 0, with scikit-learn's scaling
    _assert_transform_meets_kkt(X_small, lambda W, H: W @ H @ H.T - X_small @ H.T,
                                lambda H: np.abs(X_small @ H.T).max(), 1e-8, solver=solver)


def _assert_transform_meets_kkt(X, loss_gradient, scale_of, tol, **params):
    """``transform``'s W meets the KKT conditions of its regularised W-problem (``alpha_W=0.01``,
    ``l1_ratio=0.3``): zero gradient where W > 0, non-negative where W == 0 (to ``tol`` x scale)."""
    alpha_W, l1_ratio = 0.01, 0.3
    model = NMF(4, alpha_W=alpha_W, l1_ratio=l1_ratio, random_state=0, max_iter=50, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    H = model.components_
    W = model.transform(X)
    n_features = X.shape[1]
    grad = loss_gradient(W, H) + n_features * alpha_W * l1_ratio + n_features * alpha_W * (1 - l1_ratio) * W
    scale = scale_of(H)
    assert np.all(W >= 0)
    assert np.abs(grad[W > 0]).max() < tol * scale
    assert grad[W == 0].min() > -tol * scale


# ------------------------------------------------------------ peers as references
@pytest.mark.parametrize("loss", ["frobenius", "kullback-leibler"])
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_mu_follows_scikit_learn_mu(X_small, loss, fmt):
    X = sp.csr_matrix(X_small) if fmt == "csr" else X_small
    rng = np.random.RandomState(0)
    W0 = rng.rand(30, 4) + 0.1
    H0 = rng.rand(4, 20) + 0.1
    ref = SkNMF(4, solver="mu", beta_loss=loss, init="custom", tol=0, max_iter=25,
                alpha_W=0.01, l1_ratio=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit_transform(X, W=W0.copy(), H=H0.copy())
        _, H, _ = factorize(X, 4, W=W0, H=H0, solver="mu", beta_loss=loss, tol=0,
                            max_iter=25, alpha_W=0.01, l1_ratio=0.5)
    np.testing.assert_allclose(H, ref.components_, rtol=1e-7, atol=1e-10)


@pytest.mark.usefixtures("kernel_set")
@pytest.mark.parametrize("solver", FROBENIUS_SOLVERS)
@pytest.mark.parametrize("reg", [dict(alpha_W=0.0), dict(alpha_W=0.02, l1_ratio=0.0),
                                 dict(alpha_W=0.02, alpha_H=0.05, l1_ratio=1.0)])
def test_objective_has_scikit_learns_regularisation(X_small, solver, reg):
    W, H, info = factorize(X_small, 4, solver=solver, random_state=0, max_iter=30, tol=0, **reg)
    # the objective of the last iterate, recomputed by hand (W is re-solved at the end,
    # which can only lower it)
    n, m = X_small.shape
    a_W = reg["alpha_W"]
    a_H = reg.get("alpha_H", a_W)
    r = reg.get("l1_ratio", 0.0)
    f = (0.5 * np.linalg.norm(X_small - W @ H) ** 2 + m * a_W * r * W.sum()
         + n * a_H * r * H.sum() + 0.5 * m * a_W * (1 - r) * (W**2).sum()
         + 0.5 * n * a_H * (1 - r) * (H**2).sum())
    assert f <= info["loss_history"][-1] * (1 + 1e-10)
    assert f >= info["loss_history"][-1] * 0.9


def test_l1_penalty_makes_w_sparser_for_fixed_h(X_small):
    H = NMF(5, random_state=0).fit(X_small).components_
    W0, _, _ = factorize(X_small, 5, H=H, update_H=False)
    W1, _, _ = factorize(X_small, 5, H=H, update_H=False, alpha_W=0.05, l1_ratio=1.0)
    assert (W1 == 0).sum() > (W0 == 0).sum()
    assert W1.sum() < W0.sum()


# -------------------------------------------------------------- stopping, callback
def test_convergence_warning_at_max_iter(X_small):
    msg = "Maximum number of iterations 2 reached before the objective converged (tol=0.0001)"
    with pytest.warns(ConvergenceWarning, match=re.escape(msg)):
        model = NMF(4, max_iter=2, random_state=0).fit(X_small)
    assert model.n_iter_ == 2


@pytest.mark.parametrize("solver, loss", LOSSES)
def test_stopping_rule_is_the_projected_gradient(X_small, solver, loss):
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, _, info = factorize(X_small, 3, solver=solver, beta_loss=loss, tol=1e-2,
                               max_iter=5000, random_state=0, callback=seen.append)
    ratios = [s["pg_ratio"] for s in seen]
    assert info["converged"]
    assert ratios[-1] <= 1e-2 and all(r > 1e-2 for r in ratios[:-1])


def test_callback_once_per_iteration(X_small):
    seen = []
    model = NMF(3, random_state=0, max_iter=15, tol=0, callback=seen.append)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # tol=0: no warning
        model.fit(X_small)
    assert [s["iteration"] for s in seen] == list(range(1, 16))
    assert [s["loss"] for s in seen] == model.loss_history_
    elapsed = [s["elapsed"] for s in seen]
    assert elapsed == sorted(elapsed) and elapsed[0] >= 0


def test_estimator_with_callback_can_be_cloned(X_small):
    model = NMF(3, callback=lambda info: None)
    assert clone(model).callback is model.callback


# ---------------------------------------------------------------- custom init
def test_custom_init_starts_from_the_given_factors(X_small):
    W0, H0, _ = factorize(X_small, 3, random_state=0, max_iter=200)
    model = NMF(3, init="custom", max_iter=1, tol=0)
    model.fit_transform(X_small, W=W0, H=H0)
    # from a converged point one more iteration changes little
    np.testing.assert_allclose(model.components_, H0, rtol=0.05, atol=1e-3)


def test_w_and_h_given_with_init_none_means_custom(X_small):
    W0, H0, _ = factorize(X_small, 3, random_state=0, max_iter=3, tol=0)
    a = NMF(3, max_iter=3, tol=0).fit_transform(X_small, W=W0, H=H0)
    b = NMF(3, init="custom", max_iter=3, tol=0).fit_transform(X_small, W=W0, H=H0)
    np.testing.assert_array_equal(a, b)


def test_custom_factors_are_not_modified(X_small):
    W0 = np.full((30, 3), 0.5)
    H0 = np.full((3, 20), 0.5)
    factorize(X_small, 3, W=W0, H=H0, max_iter=5, tol=0)
    assert (W0 == 0.5).all() and (H0 == 0.5).all()


def test_update_h_false_keeps_h(X_small):
    model = NMF(3, random_state=0).fit(X_small)
    W, H, info = factorize(X_small, 3, H=model.components_, update_H=False)
    np.testing.assert_array_equal(H, model.components_)
    np.testing.assert_allclose(W, model.transform(X_small))


# ---------------------------------------------------------------------- images
def test_grey_image_as_2d_array():
    from sklearn.datasets import load_sample_image

    image = load_sample_image("china.jpg").mean(axis=2)  # (427, 640) grey levels
    model = NMF(20, random_state=0)
    W = model.fit_transform(image)
    assert W.shape == (427, 20) and model.components_.shape == (20, 640)
    assert (W >= 0).all() and (model.components_ >= 0).all()
    _, s, _ = np.linalg.svd(image, full_matrices=False)
    best = np.sqrt((s[20:] ** 2).sum())  # the best rank-20 error, without signs
    assert best <= model.reconstruction_err_ <= 1.05 * best
    ref = SkNMF(20, init="nndsvda", solver="cd", random_state=0).fit(image)
    assert model.reconstruction_err_ <= ref.reconstruction_err_ * (1 + 1e-6)


def test_stacked_images_digits():
    from sklearn.datasets import load_digits

    X = load_digits().data  # (1797, 64): one 8x8 image per row
    model = NMF(16, random_state=0).fit(X)
    W = model.transform(X)
    assert W.shape == (1797, 16) and (W >= 0).all() and (model.components_ >= 0).all()
    assert model.reconstruction_err_ / np.linalg.norm(X) < 0.3


# ---------------------------------------------------------------------- errors
ERRORS = [
    (dict(solver="cd"), InputError,
     "The 'solver' parameter of NMF must be one of 'als', 'hals', 'mu'. Got 'cd'."),
    (dict(n_components=0), InputError,
     "The 'n_components' parameter of NMF must be an int >= 1. Got 0."),
    (dict(n_components=2.5), InputError,
     "The 'n_components' parameter of NMF must be an int >= 1. Got 2.5."),
    (dict(beta_loss="kl"), InputError,
     "The 'beta_loss' parameter of NMF must be one of 'frobenius', 'kullback-leibler', "
     "1.0 or 2.0. Got 'kl'."),
    (dict(beta_loss=0.5, solver="mu"), InputError,
     "The 'beta_loss' parameter of NMF must be one of 'frobenius', 'kullback-leibler', "
     "1.0 or 2.0. Got 0.5."),
    (dict(beta_loss=1.0, solver="als"), InputError,
     "The 'als' solver of NMF does not support beta_loss='kullback-leibler'; "
     "use solver='hals' for it."),
    (dict(init="svd"), InputError,
     "The 'init' parameter of NMF must be one of 'custom', 'nndsvd', 'nndsvda', "
     "'nndsvdar', 'random' or None. Got 'svd'."),
    (dict(tol=-1), InputError, "The 'tol' parameter of NMF must be a float >= 0. Got -1."),
    (dict(max_iter=0), InputError, "The 'max_iter' parameter of NMF must be an int >= 1. Got 0."),
    (dict(alpha_W=-0.1), InputError,
     "The 'alpha_W' parameter of NMF must be a float >= 0. Got -0.1."),
    (dict(alpha_H="other"), InputError,
     "The 'alpha_H' parameter of NMF must be a float >= 0 or 'same'. Got 'other'."),
    (dict(l1_ratio=1.5), InputError,
     "The 'l1_ratio' parameter of NMF must be a float in [0, 1]. Got 1.5."),
    (dict(random_state="seed"), InputError,
     "The 'random_state' parameter of NMF must be None, an int in [0, 2**32 - 1] or a "
     "numpy.random.RandomState. Got 'seed'."),
    (dict(callback=3), InputError,
     "The 'callback' parameter of NMF must be None or a callable. Got 3."),
    (dict(n_components=25, init="nndsvda"), InputError,
     "init='nndsvda' needs n_components <= min(n_samples, n_features) = 20. Got 25; "
     "use init='random'."),
    (dict(init="custom"), InputError, "init='custom' needs both W and H passed to NMF.fit."),
]


@pytest.mark.parametrize("params, error, message", ERRORS)
def test_parameter_errors(X_small, params, error, message):
    model = NMF(**params)
    with pytest.raises(error, match=re.escape(message)):
        model.fit(X_small)
    assert model.get_params()[next(iter(params))] == params[next(iter(params))]


DATA_ERRORS = [
    (lambda X: -X, "fit", InputError,
     "Negative values in data passed to NMF.fit: X must be non-negative; shift or clip it first."),
    (lambda X: np.where(X > 1, np.nan, X), "fit", InputError,
     "X passed to NMF.fit contains NaN or infinity; remove or impute those entries first."),
    (lambda X: sp.csr_matrix(np.where(X > 1, np.inf, X)), "fit", InputError,
     "X passed to NMF.fit contains NaN or infinity; remove or impute those entries first."),
    (lambda X: sp.csr_matrix(-X), "transform", InputError,
     "Negative values in data passed to NMF.transform: X must be non-negative; "
     "shift or clip it first."),
    (lambda X: X[:, :5], "transform", ValueError,
     "X has 5 features, but NMF is expecting 20 features as input."),
]


@pytest.mark.parametrize("make, method, error, message", DATA_ERRORS)
def test_data_errors(X_small, make, method, error, message):
    model = NMF(3, random_state=0)
    if method == "transform":
        model.fit(X_small)
    with pytest.raises(error, match=re.escape(message)):
        getattr(model, method)(make(X_small))


FACTOR_ERRORS = [
    (dict(W=np.ones((30, 2)), H=np.ones((3, 20))), InputError,
     "W passed to NMF.fit must have shape (30, 3). Got (30, 2)."),
    (dict(W=np.ones((30, 3)), H=-np.ones((3, 20))), InputError,
     "Negative values in H passed to NMF.fit."),
    (dict(W=np.full((30, 3), np.nan), H=np.ones((3, 20))), InputError,
     "W passed to NMF.fit contains NaN or infinity."),
    (dict(W=np.ones((30, 3))), InputError, "init='custom' needs both W and H passed to NMF.fit."),
]


@pytest.mark.parametrize("factors, error, message", FACTOR_ERRORS)
def test_custom_factor_errors(X_small, factors, error, message):
    with pytest.raises(error, match=re.escape(message)):
        NMF(3, init="custom").fit_transform(X_small, **factors)


def test_factors_with_another_init_are_an_error(X_small):
    msg = ("W and H passed to NMF.fit are used only with init='custom' (or init=None); "
           "got init='random'.")
    with pytest.raises(InputError, match=re.escape(msg)):
        NMF(3, init="random").fit_transform(X_small, W=np.ones((30, 3)), H=np.ones((3, 20)))


def test_factorize_names_itself_in_errors(X_small):
    msg = "The 'solver' parameter of factorize must be one of 'als', 'hals', 'mu'. Got 'cd'."
    with pytest.raises(InputError, match=re.escape(msg)):
        factorize(X_small, 3, solver="cd")


def test_factorize_takes_the_parameters_of_nmf(X_small):
    import inspect

    own = ["X", "n_components", "W", "H", "update_H", "mask"]
    nmf = {name: p.default for name, p in inspect.signature(NMF).parameters.items()}
    shown = inspect.signature(factorize).parameters
    assert list(shown)[:len(own)] == own
    assert {name: shown[name].default for name in list(shown)[len(own):]} == {
        name: default for name, default in nmf.items() if name not in ("n_components", "forget_factor")}
    msg = "The keyword arguments of factorize must be among 'alpha_H',"
    for wrong in ("forget_factor", "n_iter"):
        with pytest.raises(InputError, match=re.escape(msg) + ".*Got '" + wrong):
            factorize(X_small, 3, **{wrong: 1})


def test_nndsvd_with_mu_warns(X_small):
    msg = "init='nndsvd' with solver='mu' keeps the zeros of the initial factors at zero"
    with pytest.warns(UserWarning, match=re.escape(msg)):
        factorize(X_small, 3, solver="mu", init="nndsvd", max_iter=300)


def test_transform_before_fit_is_an_error(X_small):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match=re.escape("This NMF instance is not fitted yet")):
        NMF().transform(X_small)


# ------------------------------------------------------------- restored state
def test_from_components_restores_a_fitted_model(X_small):
    model = NMF(4, random_state=0, alpha_W=0.01).fit(X_small)
    restored = NMF.from_components(
        model.components_, n_iter=model.n_iter_, reconstruction_err=model.reconstruction_err_,
        loss_history=model.loss_history_, alpha_W=0.01, random_state=0)
    assert restored.get_params() == model.get_params()
    for name in ("n_components_", "n_features_in_", "n_iter_", "reconstruction_err_",
                 "loss_history_"):
        assert getattr(restored, name) == getattr(model, name)
    np.testing.assert_array_equal(restored.transform(X_small), model.transform(X_small))
    assert restored.components_ is not model.components_


def test_from_components_reordered_topics(X_small):
    model = NMF(4, random_state=0).fit(X_small)
    order = [2, 0, 3, 1]
    reordered = NMF.from_components(model.components_[order])
    np.testing.assert_allclose(reordered.transform(X_small), model.transform(X_small)[:, order],
                               rtol=1e-10, atol=1e-12)
    assert reordered.components_.flags.c_contiguous
    assert reordered.n_iter_ == 0 and np.isnan(reordered.reconstruction_err_)
    assert reordered.loss_history_ == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_from_components_keeps_the_dtype(dtype):
    H = np.ones((2, 5), dtype=dtype)
    assert NMF.from_components(H).components_.dtype == dtype


FROM_COMPONENTS_ERRORS = [
    (dict(components=np.ones(5)), "components passed to NMF.from_components must be a 2-D "
     "float32 or float64 array. Got a 1-D float64 array."),
    (dict(components=np.ones((2, 5), dtype=int)), "components passed to NMF.from_components "
     "must be a 2-D float32 or float64 array. Got a 2-D int64 array."),
    (dict(components=[[1.0, 2.0]]), "components passed to NMF.from_components must be a 2-D "
     "float32 or float64 array. Got a list."),
    (dict(components=np.full((2, 3), np.nan)),
     "components passed to NMF.from_components contain NaN or infinity."),
    (dict(components=-np.ones((2, 3))), "Negative values in components passed to "
     "NMF.from_components."),
    (dict(components=np.ones((0, 3))), "components passed to NMF.from_components must not be "
     "empty. Got shape (0, 3)."),
    (dict(components=np.ones((2, 3)), n_iter=-1),
     "The 'n_iter' parameter of NMF.from_components must be an int >= 0. Got -1."),
    (dict(components=np.ones((2, 3)), reconstruction_err=-1.0),
     "The 'reconstruction_err' parameter of NMF.from_components must be a float >= 0 or nan. "
     "Got -1.0."),
    (dict(components=np.ones((2, 3)), n_components=3),
     "The 'n_components' parameter of NMF.from_components must be equal to "
     "components.shape[0] = 2. Got 3."),
    (dict(components=np.ones((2, 3)), solver="cd"),
     "The 'solver' parameter of NMF must be one of 'als', 'hals', 'mu'. Got 'cd'."),
]


@pytest.mark.parametrize("kwargs, message", FROM_COMPONENTS_ERRORS)
def test_from_components_errors(kwargs, message):
    kwargs = dict(kwargs)
    with pytest.raises(InputError, match=re.escape(message)):
        NMF.from_components(kwargs.pop("components"), **kwargs)


# ------------------------------------------------------------- missing entries
MASK_SOLVERS = ["hals", "mu", "als"]


def _low_rank(n=80, m=60, k=5, seed=0, noise=0.0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, k) @ rng.rand(k, m)
    return X + noise * rng.rand(n, m) if noise else X


def _masks(shape, seed=0):
    rng = np.random.RandomState(seed)
    observed = rng.rand(*shape) > 0.3
    return {"array": observed, "sparse": sp.csr_matrix(observed),
            "hashed": HeldOutMask(0.3, seed=seed)}


@pytest.mark.parametrize("solver", MASK_SOLVERS)
def test_masked_fit_recovers_planted_factorisation(solver):
    X = _low_rank()
    observed = _masks(X.shape)["array"]  # 30% of the entries missing
    kw = dict(solver=solver, random_state=0, tol=1e-7, max_iter=3000 if solver == "mu" else 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W_full, H_full, _ = factorize(X, 5, **kw)
        W, H, info = factorize(X, 5, mask=observed, **kw)
    full = np.linalg.norm(X - W_full @ H_full) / np.linalg.norm(X)
    rel = np.linalg.norm(X - W @ H) / np.linalg.norm(X)  # the missing entries included
    rel_missing = np.linalg.norm((X - W @ H)[~observed]) / np.linalg.norm(X[~observed])
    bound = 2e-2 if solver == "mu" else 1e-3
    assert full < bound and rel < bound and rel_missing < 2 * bound
    # (the objective comes from Gram matrices: rounding of order 1e-7 ||X||)
    assert info["reconstruction_err"] == pytest.approx(
        np.linalg.norm((X - W @ H)[observed]), rel=1e-6, abs=1e-6 * np.linalg.norm(X))


@pytest.mark.parametrize("solver", MASK_SOLVERS)
@pytest.mark.parametrize("kind", ["array", "sparse", "hashed"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_masked_dense_equals_sparse(X_small, solver, kind, fmt):
    mask = _masks(X_small.shape, seed=1)[kind]
    _assert_dense_equals_sparse(X_small, fmt, 1e-9, solver=solver, mask=mask)


def _assert_dense_equals_sparse(X, fmt, loss_rtol, **params):
    """30 iterations from nndsvda on dense ``X`` and on ``X`` in sparse ``fmt``: the same factors and losses."""
    kw = dict(random_state=0, tol=0, max_iter=30, init="nndsvda", **params)
    W_d, H_d, info_d = factorize(X, 4, **kw)
    W_s, H_s, info_s = factorize(sp.csr_matrix(X).asformat(fmt), 4, **kw)
    np.testing.assert_allclose(W_s, W_d, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(H_s, H_d, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(info_s["loss_history"], info_d["loss_history"], rtol=loss_rtol)


def test_mask_kinds_agree(X_small):
    # a HeldOutMask, its boolean array and that array as a sparse matrix: one missing set
    held = HeldOutMask(0.3, seed=2)
    observed = held.to_array(X_small.shape)
    results = [factorize(sp.csr_matrix(X_small), 3, mask=mask, random_state=0, tol=0,
                         max_iter=20)
               for mask in (held, observed, sp.csr_matrix(observed))]
    for W, H, _ in results[1:]:
        np.testing.assert_allclose(W @ H, results[0][0] @ results[0][1], rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("solver", MASK_SOLVERS)
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_masked_objective_never_increases(solver, fmt):
    X, _, _ = _planted(noise=0.3, density=0.7)
    mask = HeldOutMask(0.3, seed=0)
    X = sp.csr_matrix(X) if fmt == "csr" else X
    for init in ("random", "nndsvda"):
        _, _, info = factorize(X, 5, solver=solver, init=init, mask=mask, random_state=0,
                               tol=0, max_iter=60)
        f = np.array([info["initial_loss"]] + info["loss_history"])
        assert len(f) == 61
        assert np.all(np.diff(f) <= 1e-10 * f[:-1]), np.diff(f).max()


@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_masked_objective_counts_observed_entries_only(fmt):
    X = _low_rank(noise=0.5)
    observed = _masks(X.shape)["array"]
    Xin = sp.csr_matrix(X) if fmt == "csr" else X
    model = NMF(4, random_state=0, max_iter=20, tol=0).fit(Xin, mask=observed)
    W = factorize(Xin, 4, mask=observed, random_state=0, max_iter=20, tol=0)[0]
    R = (X - W @ model.components_)[observed]
    assert model.reconstruction_err_ == pytest.approx(np.linalg.norm(R), rel=1e-9)
    assert model.loss_history_[-1] == pytest.approx(0.5 * (R ** 2).sum(), rel=1e-9)
    # whatever X holds at the missing entries changes nothing
    X2 = np.where(observed, X, 1e3 * X)
    X2 = sp.csr_matrix(X2) if fmt == "csr" else X2
    W2 = factorize(X2, 4, mask=observed, random_state=0, max_iter=20, tol=0, init="random")[0]
    W1 = factorize(Xin, 4, mask=observed, random_state=0, max_iter=20, tol=0, init="random")[0]
    np.testing.assert_allclose(W2, W1, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_nan_entries_are_missing_with_missing_values_nan(fmt):
    X = _low_rank()
    observed = _masks(X.shape)["array"]
    X_nan = np.where(observed, X, np.nan)
    X_nan = sp.csr_matrix(X_nan) if fmt == "csr" else X_nan
    model = NMF(5, missing_values=np.nan, random_state=0, max_iter=30, tol=0)
    W = model.fit_transform(X_nan)
    W_ref, H_ref, _ = factorize(X, 5, mask=observed, random_state=0, max_iter=30, tol=0)
    np.testing.assert_allclose(model.components_, H_ref, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(W, W_ref, rtol=1e-7, atol=1e-10)
    # transform of data with NaN fills the rows from their observed entries
    W_t = model.transform(X_nan)
    assert np.isfinite(W_t).all() and (W_t >= 0).all()


def test_heldout_error_is_minimal_at_the_planted_rank():
    X = _low_rank(n=120, m=90, k=4, seed=5, noise=0.05)
    mask = HeldOutMask(0.1, seed=0)
    errors = {}
    for k in range(2, 8):
        W, H, _ = factorize(X, k, mask=mask, random_state=0, tol=1e-6, max_iter=2000)
        errors[k] = heldout_error(X, W, H, mask)
    assert min(errors, key=errors.get) == 4, errors
    # on the held-out entries alone, by hand
    W, H, _ = factorize(X, 4, mask=mask, random_state=0, tol=1e-6, max_iter=2000)
    out = ~mask.to_array(X.shape)
    expected = np.sqrt(np.mean((X - W @ H)[out] ** 2))
    assert heldout_error(X, W, H, mask) == pytest.approx(expected, rel=1e-9)
    assert heldout_error(sp.csr_matrix(X), W, H, mask) == pytest.approx(expected, rel=1e-9)


def test_heldout_mask_is_a_hash_of_row_column_and_seed():
    mask = HeldOutMask(0.1, seed=3)
    rows, cols = np.indices((300, 200))
    out = mask.held_out(rows, cols)
    assert 0.09 < out.mean() < 0.11
    # the same entries whatever the shape they are part of
    np.testing.assert_array_equal(mask.held_out(rows[:50, :70], cols[:50, :70]), out[:50, :70])
    assert not np.array_equal(HeldOutMask(0.1, seed=4).held_out(rows, cols), out)


def test_masked_sparse_input_is_never_densified(X_small):
    X = _NoDensify(X_small)
    for mask in _masks(X_small.shape).values():
        _, H, _ = factorize(X, 3, mask=mask, random_state=0, max_iter=5, tol=0)
        assert H.shape == (3, 20)


MASK_ERRORS = [
    (dict(beta_loss="kullback-leibler", solver="mu"), np.ones((30, 20), bool), InputError,
     "The 'mask' parameter of factorize must be None with solver='mu' and "
     "beta_loss='kullback-leibler'; missing entries need beta_loss='frobenius'. Got a ndarray."),
    (dict(), np.ones((3, 20), bool), InputError,
     "mask passed to factorize must have shape (30, 20). Got (3, 20)."),
    (dict(), np.full((30, 20), 2), InputError,
     "mask passed to factorize must hold booleans (True = observed); got values other than "
     "0 and 1."),
    (dict(missing_values=0), None, InputError,
     "The 'missing_values' parameter of factorize must be None or numpy.nan. Got 0."),
]


@pytest.mark.parametrize("params, mask, error, message", MASK_ERRORS)
def test_mask_errors(X_small, params, mask, error, message):
    with pytest.raises(error, match=re.escape(message)):
        factorize(X_small, 3, mask=mask, **params)


@pytest.mark.parametrize("args, message", [
    ((0.0,), "The 'fraction' parameter of HeldOutMask must be a float in (0, 1]. Got 0.0."),
    ((1.0,), "The 'fraction' parameter of HeldOutMask must be a float in (0, 1). Got 1.0."),
    ((0.1, -1), "The 'seed' parameter of HeldOutMask must be an int in [0, 2**63 - 1]. Got -1."),
])
def test_heldout_mask_errors(args, message):
    with pytest.raises(InputError, match=re.escape(message)):
        HeldOutMask(args[0], seed=args[1] if len(args) > 1 else 0)


@pytest.mark.slow
def test_20ng_heldout_mask_stays_small(twenty_ng_dir):
    import tracemalloc

    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = pd.read_json(twenty_ng_dir / "docs.jsonl.gz", lines=True)["text"]
    X = TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95,
                        dtype=np.float32).fit_transform(texts)
    mask = HeldOutMask(0.1, seed=0)  # about 66 million held-out entries
    n, m = X.shape
    tracemalloc.start()
    try:
        W, H, info = factorize(X, 5, mask=mask, random_state=0, max_iter=1, tol=0)
        error = heldout_error(X, W, H, mask)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a boolean n x m mask alone would take n * m bytes (657 MB), a list of the held-out
    # positions 4 bytes each (263 MB); the fit needs a copy of X's observed entries,
    # the factors and the products
    assert peak < n * m / 8
    assert np.isfinite(error) and info["n_iter"] == 1


# ------------------------------------------------------------- 20 Newsgroups
@pytest.mark.slow
def test_20ng_default_solver_matches_scikit_learn_cd(twenty_ng_dir):
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = pd.read_json(twenty_ng_dir / "docs.jsonl.gz", lines=True)["text"]
    X = TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95).fit_transform(texts)
    ref = SkNMF(10, init="nndsvda", solver="cd", random_state=0).fit(X)
    model = NMF(10, init="nndsvda", random_state=0).fit(X)
    # both reach the same objective; ours no higher
    assert model.reconstruction_err_ <= ref.reconstruction_err_ * (1 + 1e-6)


@pytest.mark.slow
def test_results_do_not_depend_on_the_number_of_threads():
    import numba

    X = sp.random(3000, 2000, density=0.05, format="csr", random_state=0)  # parallel drivers
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = factorize(X, 20, random_state=0, max_iter=15, tol=0)
    finally:
        numba.set_num_threads(before)
    parallel = factorize(X, 20, random_state=0, max_iter=15, tol=0)
    np.testing.assert_array_equal(serial[0], parallel[0])
    np.testing.assert_array_equal(serial[1], parallel[1])
    assert serial[2]["loss_history"] == parallel[2]["loss_history"]


def test_float32_final_solve_keeps_the_fitted_loss():
    # large dense values (an image's 0..255) once made the float32 exact W solve miss the optimum
    rng = np.random.RandomState(0)
    X = (255 * rng.rand(120, 6) @ rng.rand(6, 90) / 6 + rng.rand(120, 90)).astype(np.float32)
    W, H, info = factorize(X, 6, random_state=0, max_iter=40, tol=0)
    loss = 0.5 * np.linalg.norm(X.astype(float) - W.astype(float) @ H.astype(float)) ** 2
    assert W.dtype == np.float32
    assert loss <= info["loss_history"][-1] * (1 + 1e-4)
    W64, H64, _ = factorize(X.astype(np.float64), 6, random_state=0, max_iter=40, tol=0)
    assert loss == pytest.approx(0.5 * np.linalg.norm(X - W64 @ H64) ** 2, rel=1e-3)


# ------------------------------------------ Kullback-Leibler: coordinate descent
KL = "kullback-leibler"


def _kl_penalty(X, W, H, alpha_W=0.0, alpha_H=0.0, l1_ratio=0.0):
    """scikit-learn's regularisation term, scaled by the other dimension."""
    n, m = X.shape
    return (m * alpha_W * l1_ratio * W.sum() + n * alpha_H * l1_ratio * H.sum()
            + 0.5 * m * alpha_W * (1 - l1_ratio) * (W**2).sum()
            + 0.5 * n * alpha_H * (1 - l1_ratio) * (H**2).sum())


def test_kl_default_solver_is_coordinate_descent():
    from topicnmf.nmf._solvers import kl_cd

    assert SOLVERS["hals"].betas == (1.0, 2.0) and SOLVERS["hals"].by_beta[1.0] is kl_cd
    assert SOLVERS["mu"].betas == (1.0, 2.0) and SOLVERS["als"].betas == (2.0,)
    X, _, _ = _planted(noise=0.1)
    kw = dict(beta_loss=KL, random_state=0, max_iter=10, tol=0)
    model = NMF(4, **kw).fit(X)
    _, H_cd, _ = factorize(X, 4, solver="hals", **kw)
    _, H_mu, _ = factorize(X, 4, solver="mu", **kw)
    np.testing.assert_array_equal(model.components_, H_cd)
    assert not np.allclose(H_cd, H_mu)


@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
@pytest.mark.parametrize("reg", [{}, dict(alpha_W=0.01, alpha_H=0.02, l1_ratio=0.5)])
def test_kl_cd_objective_never_increases(fmt, reg):
    X, _, _ = _planted(noise=0.3, density=0.7)
    X = X if fmt == "dense" else sp.csr_matrix(X).asformat(fmt)
    for init in ("random", "nndsvda"):
        _, _, info = factorize(X, 5, beta_loss=KL, init=init, random_state=0, tol=0,
                               max_iter=60, **reg)
        f = np.array([info["initial_loss"]] + info["loss_history"])
        assert len(f) == 61
        assert np.all(np.diff(f) <= 1e-10 * f[:-1]), np.diff(f).max()


def test_kl_cd_planted_factorisation_recovered():
    X, W_true, H_true = _planted()
    W, H, info = factorize(X, 4, beta_loss=KL, tol=1e-6, max_iter=500, random_state=0)
    assert info["converged"]
    assert np.linalg.norm(X - W @ H) / np.linalg.norm(X) < 1e-3
    unit = lambda A: A / np.linalg.norm(A, axis=1, keepdims=True)  # noqa: E731
    cos = unit(H) @ unit(H_true).T
    rows, cols = linear_sum_assignment(-cos)
    assert cos[rows, cols].min() > 0.99


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_kl_cd_dense_and_sparse_give_the_same_result(X_small, fmt):
    _assert_dense_equals_sparse(X_small, fmt, 1e-10, beta_loss=KL, alpha_W=0.01, l1_ratio=0.5)


def test_kl_cd_sparse_input_is_never_densified(X_small):
    model = NMF(3, beta_loss=KL, random_state=0, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(_NoDensify(X_small))
        model.transform(_NoDensify(X_small))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_kl_cd_keeps_the_dtype(X_small, dtype, fmt):
    X = X_small.astype(dtype)
    X = sp.csr_matrix(X) if fmt == "csr" else X
    model = NMF(3, beta_loss=KL, random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = model.fit_transform(X)
    assert W.dtype == dtype and model.components_.dtype == dtype
    assert model.transform(X).dtype == dtype
    assert all(isinstance(v, float) for v in model.loss_history_)
    ref = NMF(3, beta_loss=KL, random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X_small)
    np.testing.assert_allclose(model.loss_history_, ref.loss_history_, rtol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_kl_objective_is_scikit_learns_beta_divergence(X_small, dtype, fmt):
    from sklearn.decomposition._nmf import _beta_divergence

    X = X_small.astype(dtype)
    X = sp.csr_matrix(X) if fmt == "csr" else X
    rng = np.random.RandomState(0)
    W0 = (rng.rand(30, 4) + 0.1).astype(dtype)
    H0 = (rng.rand(4, 20) + 0.1).astype(dtype)
    reg = dict(alpha_W=0.01, alpha_H=0.02, l1_ratio=0.4)
    rel = 1e-5 if dtype == np.float32 else 1e-10
    _, _, info = factorize(X, 4, W=W0, H=H0, beta_loss=KL, max_iter=1, tol=0, **reg)
    expected = _beta_divergence(X, W0, H0, 1) + _kl_penalty(X_small, W0, H0, **reg)
    assert info["initial_loss"] == pytest.approx(expected, rel=rel)
    W, H, info = factorize(X, 4, W=W0, H=H0, beta_loss=KL, max_iter=20, tol=0, **reg)
    expected = _beta_divergence(X, W, H, 1, square_root=True)
    assert info["reconstruction_err"] == pytest.approx(expected, rel=rel)
    # the returned W is re-solved for the final H, which can only lower the objective
    f = _beta_divergence(X, W, H, 1) + _kl_penalty(X_small, W, H, **reg)
    assert f <= info["loss_history"][-1] * (1 + 10 * rel)
    assert f >= info["loss_history"][-1] * 0.9


def test_kl_cd_reaches_scikit_learns_mu_objective():
    from sklearn.decomposition._nmf import _beta_divergence, _initialize_nmf

    X, _, _ = _planted(n=80, m=60, k=6, noise=0.5, density=0.5, seed=1)
    X = sp.csr_matrix(X)
    W0, H0 = _initialize_nmf(X, 6, init="nndsvda", random_state=0)
    ref = SkNMF(6, solver="mu", beta_loss=KL, init="custom", max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W_ref = ref.fit_transform(X, W=W0.copy(), H=H0.copy())
        seen = []
        W, H, _ = factorize(X, 6, W=W0, H=H0, beta_loss=KL, callback=seen.append)
    f_ref = _beta_divergence(X, W_ref, ref.components_, 1)
    assert _beta_divergence(X, W, H, 1) <= f_ref
    reached = [s["iteration"] for s in seen if s["loss"] <= f_ref]
    assert reached and reached[0] <= ref.n_iter_ / 2


def test_kl_transform_solves_for_w(X_small):
    # KKT conditions of min_W D_KL(X, WH) + reg(W), W >= 0, with scikit-learn's scaling
    def gradient(W, H):
        ratio = np.divide(X_small, W @ H, out=np.zeros_like(X_small), where=X_small > 0)
        return (1.0 - ratio) @ H.T

    _assert_transform_meets_kkt(X_small, gradient, lambda H: H.sum(axis=1).max(), 1e-4, beta_loss=KL)


@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_kl_cd_transform_agrees_with_fit_transform(fmt):
    X, _, _ = _planted(n=80, m=50, k=5, noise=0.2, density=0.8, seed=3)
    X = sp.csr_matrix(X) if fmt == "csr" else X
    model = NMF(5, beta_loss=KL, random_state=0, max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = model.fit_transform(X)
    assert np.linalg.norm(model.transform(X) - W) <= 1e-3 * np.linalg.norm(W)


def test_kl_cd_stopping_rule_is_the_projected_gradient(X_small):
    seen = []
    _, _, info = factorize(X_small, 3, beta_loss=KL, tol=1e-2, max_iter=5000,
                           random_state=0, callback=seen.append)
    ratios = [s["pg_ratio"] for s in seen]
    assert info["converged"]
    assert ratios[-1] <= 1e-2 and all(r > 1e-2 for r in ratios[:-1])


def test_kl_l1_penalty_shrinks_w_for_fixed_h(X_small):
    from sklearn.decomposition._nmf import _beta_divergence

    H = NMF(5, beta_loss=KL, random_state=0).fit(X_small).components_
    reg = dict(alpha_W=0.05, l1_ratio=1.0)
    W0, _, _ = factorize(X_small, 5, H=H, update_H=False, beta_loss=KL)
    W1, _, _ = factorize(X_small, 5, H=H, update_H=False, beta_loss=KL, **reg)
    assert W1.sum() < W0.sum()
    f = [_beta_divergence(X_small, W, H, 1) + _kl_penalty(X_small, W, H, **reg)
         for W in (W0, W1)]
    assert f[1] < f[0]


@pytest.mark.slow
def test_kl_cd_results_do_not_depend_on_the_number_of_threads():
    import numba

    X = sp.random(3000, 2000, density=0.05, format="csr", random_state=0)  # parallel drivers
    kw = dict(beta_loss=KL, random_state=0, max_iter=5, tol=0)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = factorize(X, 20, **kw)
    finally:
        numba.set_num_threads(before)
    parallel = factorize(X, 20, **kw)
    np.testing.assert_array_equal(serial[0], parallel[0])
    np.testing.assert_array_equal(serial[1], parallel[1])
    assert serial[2]["loss_history"] == parallel[2]["loss_history"]


def test_monitor_stops_when_the_objective_stalls_at_the_data_precision():
    from topicnmf.nmf._solvers import STALL_WINDOW, Monitor

    eps = float(np.finfo(np.float32).eps)
    flat = [100.0 - 1e-3 * i for i in range(10)] + [99.99] * (STALL_WINDOW + 1)
    # flat from step 11 on: the stall shows STALL_WINDOW steps later, at the last step
    for rounding, tol, stops_at in ((eps, 1e-4, len(flat)), (0.0, 1e-4, None), (eps, 0.0, None)):
        monitor = Monitor(tol, max_iter=100, rounding=rounding)
        steps = [monitor.step(loss, 1.0) for loss in flat]  # the residual never falls
        assert (steps.index(True) + 1 if True in steps else None) == stops_at
        assert monitor.converged == (stops_at is not None)


def test_float32_fit_stops_at_its_precision_near_the_float64_objective():
    rng = np.random.RandomState(0)
    X = sp.random(300, 200, density=0.1, random_state=rng, format="csr", dtype=np.float64)
    kwargs = dict(n_components=5, solver="hals", init="nndsvda", max_iter=500, random_state=0, tol=1e-6)
    m32, m64 = NMF(**kwargs).fit(X.astype(np.float32)), NMF(**kwargs).fit(X)
    assert m32.n_iter_ < 500 and not np.isnan(m32.reconstruction_err_)
    assert m32.reconstruction_err_ == pytest.approx(m64.reconstruction_err_, rel=1e-3)


def test_a_callback_that_returns_true_stops_the_iterations(X_small):
    seen = []

    def stop_at_3(info):
        seen.append(info["iteration"])
        return info["iteration"] == 3

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # counted as converged
        W, H, info = factorize(X_small, 3, random_state=0, tol=0, max_iter=50, callback=stop_at_3)
    assert seen == [1, 2, 3] and info["n_iter"] == 3 and info["converged"]
    # only True itself stops: other true values are ignored
    _, _, info = factorize(X_small, 3, random_state=0, tol=0, max_iter=5, callback=lambda i: 1)
    assert info["n_iter"] == 5


def test_large_dense_products_give_the_same_bits_on_one_thread_or_several(monkeypatch):
    from topicnmf.nmf import _operator

    rng = np.random.RandomState(0)
    X = rng.rand(300, 200)
    B = rng.rand(200, 7)
    monkeypatch.setattr(_operator, "DENSE_THREADS_MIN_WORK", 1)
    op = _operator.DenseOperator(X)
    for _ in range(3):  # the chooser tries both
        np.testing.assert_allclose(op.matmul(B), X @ B, rtol=1e-12)
        np.testing.assert_allclose(op.rmatmul(rng.rand(300, 7)).shape, (200, 7))
    # the same pieces either way: the same bits
    np.testing.assert_array_equal(_operator._all_threads(X, B), _operator._one_thread(X, B))
    np.testing.assert_array_equal(_operator._all_threads(X.T, X[:, :7]),
                                  _operator._one_thread(X.T, X[:, :7]))


def test_nndsvd_factors_keep_the_larger_signed_part_of_each_singular_pair():
    from topicnmf.nmf._init import nndsvd_factors

    rng = np.random.RandomState(1)
    U, V, s = rng.randn(9, 4), rng.randn(7, 4), np.array([5.0, 3.0, 2.0, 1.0])
    U[:, 3], V[:, 3] = 0.0, 0.0  # a zero pair stays at zero
    W, Ht = nndsvd_factors(U, s, V)
    assert np.allclose(W[:, 0], np.sqrt(s[0]) * np.abs(U[:, 0]))
    for j in (1, 2):
        parts = [(np.maximum(sign * U[:, j], 0), np.maximum(sign * V[:, j], 0)) for sign in (1, -1)]
        norms = [np.linalg.norm(a) * np.linalg.norm(b) for a, b in parts]
        a, b = parts[int(norms[1] >= norms[0])]
        lam = np.sqrt(s[j] * max(norms))
        expected_w, expected_h = lam * a / np.linalg.norm(a), lam * b / np.linalg.norm(b)
        np.testing.assert_allclose(W[:, j], np.where(expected_w < 1e-6, 0, expected_w))
        np.testing.assert_allclose(Ht[:, j], np.where(expected_h < 1e-6, 0, expected_h))
    assert not W[:, 3].any() and not Ht[:, 3].any()


def test_hals_options_hold_within_their_block_only(X_small):
    from topicnmf.nmf._solvers import hals, hals_options

    def fit():
        return factorize(X_small, 4, init="random", random_state=0, tol=0, max_iter=30)[2]["loss_history"]

    plain = fit()
    with hals_options(gamma=1.2):
        faster = fit()
        with hals_options(gamma=1.01):  # the inner block wins, then the outer one is back
            assert fit() == plain
        assert fit() == faster
    assert fit() == plain and faster != plain
    assert hals.__kwdefaults__["gamma"] == 1.01
    with pytest.raises(TypeError, match="hals takes no"), hals_options(gama=1.2):
        pass


@pytest.mark.parametrize("compiled, blas_gradient", [(False, False), (True, False), (True, True)])
def test_hals_warmup_takes_scikit_learn_cd_steps(compiled, blas_gradient, monkeypatch):
    """``warmup`` plain iterations are scikit-learn's ``cd`` iterations (one sweep of W, then
    of H, no extrapolation): from the same start, the same H. On numpy's kernels, the
    compiled ones, and the compiled iteration of a dense X (``blas_gradient``)."""
    from contextlib import nullcontext

    from topicnmf.nmf import _lazy
    from topicnmf.nmf._operator import DenseOperator
    from topicnmf.nmf._solvers import hals_options

    offered = []
    iteration = DenseOperator.hals_iteration
    monkeypatch.setattr(DenseOperator, "hals_iteration",
                        lambda self, k: offered.append(iteration(self, k)) or offered[-1])

    rng = np.random.RandomState(3)
    X = rng.rand(60, 4) @ rng.rand(4, 50) + 0.1 * rng.rand(60, 50)
    W0 = rng.rand(60, 4) + 0.1
    H0 = rng.rand(4, 50) + 0.1

    def ours(max_iter, warmup):
        with hals_options(warmup=warmup, blas_gradient=blas_gradient), \
                _lazy.always_compiled() if compiled else nullcontext():
            return factorize(X, 4, init="custom", W=W0.copy(), H=H0.copy(), tol=0, max_iter=max_iter)[1]

    def cd(max_iter):
        model = SkNMF(4, init="custom", solver="cd", tol=0, max_iter=max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its ConvergenceWarning: tol=0 runs max_iter
            model.fit_transform(X, W=W0.copy(), H=H0.copy())
        return model.components_

    np.testing.assert_allclose(ours(3, 3), cd(3), rtol=1e-10, atol=1e-12)
    # several sweeps per product from the first iteration on: another H
    assert not np.allclose(ours(3, 0), cd(3), rtol=1e-6)
    assert not np.allclose(ours(3, 2), cd(3), rtol=1e-6)  # the third: accelerated
    assert all(step is not None for step in offered) and len(offered) == 3 * blas_gradient
