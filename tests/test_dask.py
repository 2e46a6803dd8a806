"""Tests of NMF on a Dask array of row blocks (``topicnmf.nmf._dask``): the same objective
as the in-memory fit from the same start, W kept on the workers, a lost worker recovered,
and the errors."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from topicnmf.errors import ConvergenceWarning, InputError  # noqa: E402
from topicnmf.nmf import NMF  # noqa: E402
from topicnmf.nmf._solvers import STALL_WINDOW  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    # In-process workers start in a fraction of a second and can be closed mid-fit;
    # each worker's numba runs on its one thread, so the two do not share a pool.
    # One cluster for the module: actor handles bind to an in-process worker, and
    # two in-process clusters side by side confuse them.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c


def _spare_worker(cluster, client):
    """Start one more worker (the one a test loses); return its name."""
    before = set(cluster.workers)
    alive = len(client.scheduler_info()["workers"])
    cluster.scale(len(cluster.worker_spec) + 1)
    client.wait_for_workers(alive + 1)
    (name,) = set(cluster.workers) - before
    return name


@pytest.fixture(scope="module")
def X():
    rng = np.random.RandomState(0)
    return sp.random(240, 60, density=0.2, format="csr", random_state=rng)


def _fit(X, **kw):
    params = dict(n_components=5, init="random", random_state=0, tol=1e-6, max_iter=80)
    params.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NMF(**params).fit(X)


def _rel(a, b):
    return abs(a - b) / abs(b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("dense", [False, True])
def test_same_objective_as_in_memory(client, X, dtype, dense):
    Xm = X.astype(dtype)
    Xm = Xm.toarray() if dense else Xm
    ref = _fit(Xm)
    model = _fit(da.from_array(Xm, chunks=(50, -1), asarray=False))
    if dtype == np.float64:
        assert model.n_iter_ == ref.n_iter_
    else:  # where the objective stalls at float32 precision depends on each run's rounding
        assert abs(model.n_iter_ - ref.n_iter_) <= STALL_WINDOW
    assert _rel(model.loss_history_[-1], ref.loss_history_[-1]) < 1e-6
    assert _rel(model.reconstruction_err_, ref.reconstruction_err_) < 1e-6
    assert model.components_.dtype == dtype
    if dtype == np.float64:  # the same iterates, not only the same objective
        np.testing.assert_allclose(model.loss_history_, ref.loss_history_, rtol=1e-9)
        np.testing.assert_allclose(model.components_, ref.components_, atol=1e-9)


def test_custom_start_and_regularisation(client, X):
    rng = np.random.RandomState(1)
    W0, H0 = rng.rand(240, 4), rng.rand(4, 60)
    kw = dict(n_components=4, init="custom", alpha_W=1e-3, l1_ratio=0.5, max_iter=30)
    ref = NMF(**kw).fit(X, W=W0, H=H0)
    model = NMF(**kw).fit(da.from_array(X, chunks=(70, -1), asarray=False), W=W0, H=H0)
    np.testing.assert_allclose(model.loss_history_, ref.loss_history_, rtol=1e-9)


def test_transform_is_a_dask_array_of_the_in_memory_w(client, X):
    dX = da.from_array(X, chunks=(50, -1), asarray=False)
    model = _fit(dX)
    W = model.transform(dX)
    assert isinstance(W, da.Array) and W.chunks[0] == dX.chunks[0]
    np.testing.assert_allclose(W.compute(), model.transform(X), atol=1e-10)
    np.testing.assert_allclose(model.fit_transform(dX).compute(), W.compute(), atol=1e-8)


def test_lost_worker_is_recovered(cluster, client, X):
    ref = _fit(X, max_iter=40)
    name = _spare_worker(cluster, client)

    def lose_a_worker(info):
        if info["iteration"] == 3:
            client.sync(cluster.workers[name].close)

    dX = da.from_array(X, chunks=(30, -1), asarray=False)
    with pytest.warns(UserWarning, match="A Dask worker was lost during NMF.fit"):
        model = _fit(dX, max_iter=40, callback=lose_a_worker)
    assert model.n_iter_ == 40
    assert np.isfinite(model.components_).all()
    assert _rel(model.loss_history_[-1], ref.loss_history_[-1]) < 1e-3
    assert model.loss_history_[4] <= model.loss_history_[2] * (1 + 1e-12)


def test_lost_scattered_blocks_fail_with_one_line(cluster, client, X):
    name = _spare_worker(cluster, client)
    blocks = [X[i:i + 30] for i in range(0, X.shape[0], 30)]
    futures = [client.scatter(b, workers=[cluster.workers[name].address]) for b in blocks[:2]]
    futures += client.scatter(blocks[2:])
    dX = da.concatenate([da.from_delayed(f, shape=b.shape, dtype=X.dtype, meta=X[:0])
                         for f, b in zip(futures, blocks)])

    def lose_a_worker(info):
        if info["iteration"] == 2:
            client.sync(cluster.workers[name].close)

    with pytest.raises(InputError, match="cannot be computed again") as err:
        _fit(dX, callback=lose_a_worker)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("kw, chunks, msg", [
    ({}, (50, 30), "must be cut into row blocks only (got 2 column blocks); "
                   "use X.rechunk({1: -1})."),
    ({"solver": "mu"}, (50, -1), "On a Dask array NMF.fit runs solver='hals' with "
                                 "beta_loss='frobenius'. Got solver='mu', beta_loss=2."),
    ({"init": "nndsvda"}, (50, -1), "init='nndsvda' needs the whole matrix in memory; on a "
                                    "Dask array NMF.fit uses init='random' or 'custom'."),
])
def test_errors(client, X, kw, chunks, msg):
    with pytest.raises(InputError, match=re.escape(msg)):
        NMF(3, **kw).fit(da.from_array(X, chunks=chunks, asarray=False))


def test_negative_block_is_named(client):
    X = np.ones((40, 6))
    X[33, 2] = -1.0
    with pytest.raises(InputError, match=re.escape("Negative values in data passed to NMF.fit")):
        NMF(2, init="random").fit(da.from_array(X, chunks=(10, -1)))


def test_topic_model_on_a_scheduler(client, three_themes):
    from topicnmf import TextVectorizer, TopicModel

    model = TopicModel(3, vectorizer=TextVectorizer(min_df=1), random_state=0, scheduler=client)
    model.fit(three_themes)
    ref = TopicModel(3, vectorizer=TextVectorizer(min_df=1), random_state=0,
                     nmf=NMF(init="random")).fit(three_themes)
    assert _rel(model.reconstruction_err_, ref.reconstruction_err_) < 1e-6
    assert model.doc_topic_.shape == (18, 3)
    with pytest.raises(InputError, match=re.escape("The 'scheduler' parameter of TopicModel must be")):
        TopicModel(3, vectorizer=TextVectorizer(min_df=1), scheduler=2.5).fit(three_themes)


def test_cli_scheduler_and_workers_exclusive(tmp_path, three_themes):
    from typer.testing import CliRunner

    from topicnmf.cli import app

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(three_themes))
    result = CliRunner().invoke(app, ["fit", str(corpus), "--scheduler", "tcp://x:1", "--workers", "2",
                                      "-o", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "Give --scheduler ADDRESS or --workers N, not both." in result.stderr


@pytest.mark.slow
def test_cli_fit_on_two_local_workers(tmp_path, three_themes):
    from typer.testing import CliRunner

    from topicnmf.cli import app

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(three_themes))
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["fit", str(corpus), "-k", "3", "--workers", "2", "--min-df", "1",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "doc_topics.csv").is_file() and (out / "topics.csv").is_file()
    assert "3 topics of 18 documents" in result.stdout


@pytest.mark.slow  # the client tries to connect for its 20 s timeout
def test_cli_bad_scheduler_address_is_one_line(tmp_path, three_themes):
    from typer.testing import CliRunner

    from topicnmf.cli import app

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(three_themes))
    result = CliRunner().invoke(app, ["fit", str(corpus), "-k", "3", "--min-df", "1",
                                      "--scheduler", "tcp://127.0.0.1:9", "-o", str(tmp_path / "o")])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: No Dask scheduler answers at 'tcp://127.0.0.1:9'") or \
        "No Dask scheduler answers at 'tcp://127.0.0.1:9'" in lines[-1], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()
