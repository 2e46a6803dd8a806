"""Tests of online NMF (``NMF.partial_fit``, ``topicnmf.nmf._online``): chunks converge to
the batch fit, scikit-learn's MiniBatchNMF as the peer on the same chunks, the state, errors."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.decomposition import MiniBatchNMF

from topicnmf.errors import InputError
from topicnmf.nmf import NMF


@pytest.fixture(scope="module")
def X():
    rng = np.random.RandomState(0)
    W = rng.gamma(0.3, size=(600, 6))
    H = rng.gamma(0.3, size=(6, 80))
    X = W @ H + 0.05 * rng.rand(600, 80)
    X[rng.rand(*X.shape) < 0.5] = 0.0
    return sp.csr_matrix(X)


def _objective(model, X):
    W = model.transform(X)
    return 0.5 * np.linalg.norm((X - sp.csr_matrix(W @ model.components_)).toarray()) ** 2


def _online(X, epochs=3, n_chunks=6, **kw):
    model = NMF(6, random_state=0, **kw)
    for _ in range(epochs):
        for rows in np.array_split(np.arange(X.shape[0]), n_chunks):
            model.partial_fit(X[rows])
    return model


def test_chunks_reach_the_batch_objective(X):
    batch = _objective(NMF(6, random_state=0).fit(X), X)
    online = _online(X, forget_factor=1.0)
    assert _objective(online, X) <= 1.02 * batch
    assert online.n_iter_ == 18 and len(online.loss_history_) == 18
    assert online.components_.min() >= 0


def test_better_than_minibatch_nmf_on_the_same_chunks(X):
    ours = _online(X, epochs=1)
    peer = MiniBatchNMF(6, batch_size=100, random_state=0, forget_factor=0.7, init="nndsvda")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rows in np.array_split(np.arange(X.shape[0]), 6):
            peer.partial_fit(X[rows])
    assert _objective(ours, X) < _objective(peer, X)


def test_dtype_transform_and_fit_then_partial_fit(X):
    X32 = X.astype(np.float32)
    model = NMF(6, random_state=0).partial_fit(X32[:200])
    assert model.components_.dtype == np.float32
    assert model.transform(X32[:5]).shape == (5, 6)
    fitted = NMF(6, random_state=0).fit(X)
    before = _objective(fitted, X)
    fitted.partial_fit(X[:300]).partial_fit(X[300:])
    assert fitted.n_iter_ == 2 and _objective(fitted, X) <= 1.05 * before


def test_custom_start_and_first_chunk_only(X):
    rng = np.random.RandomState(0)
    H0 = rng.rand(6, 80)
    a = NMF(6, init="custom").partial_fit(X[:100], W=rng.rand(100, 6), H=H0)
    b = NMF(6, init="custom").partial_fit(X[:100], W=np.ones((100, 6)), H=H0)
    np.testing.assert_allclose(a.components_, b.components_)  # W is re-solved, not used


@pytest.mark.parametrize("kw, msg", [
    ({"forget_factor": 1.5}, "The 'forget_factor' parameter of NMF must be a float in [0, 1]. "
                             "Got 1.5."),
    ({"beta_loss": "kullback-leibler", "solver": "mu"},
     "NMF.partial_fit fits beta_loss='frobenius' only. Got beta_loss='kullback-leibler'."),
])
def test_errors(X, kw, msg):
    with pytest.raises(InputError, match=re.escape(msg)):
        NMF(3, **kw).partial_fit(X)


def test_wrong_width_after_the_first_chunk(X):
    model = NMF(3, random_state=0).partial_fit(X[:100])
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:100, :50])
