"""The scikit-learn estimator ``NMF`` and the function ``factorize``."""

from __future__ import annotations

import inspect
import numbers
from typing import Any, Callable

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import check_int, check_keywords, keep_params, parameter_error
from ..errors import InputError
from ._core import check_data, check_missing_values, check_params, run
from ._dask import is_dask_array

_ARRAY_KW = dict(accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32],
                 ensure_all_finite=False)


class NMF(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Non-negative matrix factorisation ``X ~= W @ H``.

    Minimises ``D_beta(X, W H) + l1_W |W|_1 + l1_H |H|_1 + 0.5 l2_W |W|_F^2 +
    0.5 l2_H |H|_F^2`` over ``W >= 0``, ``H >= 0``, where ``D_2 = 0.5 |X - W H|_F^2``
    (Frobenius), ``D_1`` is the generalised Kullback-Leibler divergence, and the
    penalties are scaled as in scikit-learn: ``l1_W = n_features * alpha_W *
    l1_ratio``, ``l2_W = n_features * alpha_W * (1 - l1_ratio)``,
    ``l1_H = n_samples * alpha_H * l1_ratio``, ``l2_H = n_samples * alpha_H *
    (1 - l1_ratio)``.

    Stopping rule (all solvers): every iteration measures how far ``(W, H)`` is
    from a stationary point, by the projected gradient of the objective (a
    coordinate on its way to zero counts by its distance to zero, scaled by its
    curvature), and the iterations stop once that measure falls below ``tol``
    times its value at the first iteration, as scikit-learn's ``cd`` solver does,
    or once the objective stalls at the precision of ``X``'s dtype (it decreased
    by at most that machine epsilon, relatively, over the last 10 iterations);
    or after ``max_iter`` iterations, with a ``ConvergenceWarning``. At the end
    ``W`` is re-solved for the final ``H`` exactly as :meth:`transform` solves it,
    so ``fit(X).transform(X)`` equals ``fit_transform(X)`` (Frobenius) or agrees
    closely (Kullback-Leibler).

    Parameters
    ----------
    n_components : int, default=10
        Number of components ``k``.
    solver : {'hals', 'mu', 'als'}, default='hals'
        ``'hals'``: coordinate descent; for the Frobenius loss accelerated
        hierarchical alternating least squares, for Kullback-Leibler cyclic
        coordinate descent with Newton steps (Hsieh & Dhillon 2011).
        ``'mu'``: multiplicative updates (Frobenius and Kullback-Leibler).
        ``'als'``: alternating non-negative least squares with an exact solve
        per block (Frobenius), for high-accuracy solutions.
    beta_loss : {'frobenius', 'kullback-leibler'} or float, default='frobenius'
        The divergence; ``2.0`` and ``1.0`` are the same two losses.
    init : {'random', 'nndsvd', 'nndsvda', 'nndsvdar', 'custom'}, default=None
        Starting point. None: ``'custom'`` when ``W`` and ``H`` are passed to
        :meth:`fit_transform`, else ``'nndsvda'`` if ``n_components <=
        min(n_samples, n_features)``, else ``'random'``.
    tol : float, default=1e-4
        Tolerance of the stopping rule (above), relative to the first
        iteration; 0 disables the rule (then ``max_iter`` iterations run,
        without a warning).
    max_iter : int, default=200
        Maximum number of iterations (one iteration updates ``W`` and ``H``).
    alpha_W : float, default=0.0
        Regularisation strength of ``W``.
    alpha_H : float or 'same', default='same'
        Regularisation strength of ``H``; ``'same'`` uses ``alpha_W``.
    l1_ratio : float, default=0.0
        Share of L1 in the regularisation, in [0, 1].
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation (the randomized SVD of the ``nndsvd`` family too).
    callback : callable, default=None
        Called after every iteration with a dict ``{"iteration": int, "loss":
        float, "elapsed": float, "pg_ratio": float}``: the objective, the seconds
        since the iterations started and the stopping rule's measure relative to
        the first iteration. A callback that returns ``True`` stops the
        iterations (counted as converged).
    missing_values : None or numpy.nan, default=None
        None: every entry of ``X`` is observed and NaN is an error. ``numpy.nan``:
        NaN entries of ``X`` (dense, or stored entries of a sparse ``X``) are
        missing, in :meth:`fit` and in :meth:`transform`. The name and meaning are
        those of scikit-learn's imputers (``SimpleImputer(missing_values=np.nan)``);
        the default differs so that NaN produced by a bug upstream still stops
        the fit instead of being silently ignored.
    forget_factor : float, default=0.7
        Used by :meth:`partial_fit` only: the weight, in [0, 1], that the
        statistics of the earlier chunks keep at each new chunk (as
        scikit-learn's ``MiniBatchNMF`` weights them when its batches are the
        chunks). 1 weighs every chunk alike; smaller values follow a drifting
        stream.

    Notes
    -----
    Missing entries (a ``mask`` passed to :meth:`fit`, or NaN with
    ``missing_values=np.nan``) leave the objective: ``0.5 ||X - W H||^2`` is
    summed over the observed entries only, and so are the stopping rule,
    ``loss_history_`` and ``reconstruction_err_``. The solvers (all three, with
    the Frobenius loss; Kullback-Leibler refuses missing entries) fill the
    missing entries with the current ``W H`` before each block update, which
    never raises the masked objective (an EM / majorise-minimise scheme). With a
    mask, ``W`` is not re-solved at the end (:meth:`transform` sees no mask).
    :class:`HeldOutMask` holds out a random share of all entries without storing
    anything of ``X``'s size; :func:`heldout_error` measures the fit on them.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        ``H``.
    n_components_ : int
        Number of components.
    n_iter_ : int
        Iterations run.
    reconstruction_err_ : float
        ``||X - W H||_F`` for Frobenius, ``sqrt(2 D_beta(X, W H))`` otherwise.
    loss_history_ : list of float
        Objective after each iteration.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from topicnmf.nmf import NMF
    >>> X = np.array([[1, 1], [2, 1], [3, 1.2], [4, 1], [5, 0.8], [6, 1]])
    >>> model = NMF(n_components=2, init="random", random_state=0)
    >>> W = model.fit_transform(X)
    >>> W.shape, model.components_.shape
    ((6, 2), (2, 2))
    """

    def __init__(
        self,
        n_components: int = 10,
        *,
        solver: str = "hals",
        beta_loss: str | float = "frobenius",
        init: str | None = None,
        tol: float = 1e-4,
        max_iter: int = 200,
        alpha_W: float = 0.0,
        alpha_H: float | str = "same",
        l1_ratio: float = 0.0,
        random_state: int | np.random.RandomState | None = None,
        callback: Callable[[dict], Any] | None = None,
        missing_values: float | None = None,
        forget_factor: float = 0.7,
    ):
        keep_params(self, locals())

    @classmethod
    def from_components(cls, components, *, n_iter: int = 0,
                        reconstruction_err: float = float("nan"), loss_history=(),
                        **params) -> "NMF":
        """A fitted ``NMF`` from its components (a saved model, reordered topics).

        The arrays are checked as strictly as data on fit; nothing else sets the
        fitted attributes of an ``NMF`` from outside.

        Parameters
        ----------
        components : ndarray of shape (n_components, n_features)
            ``H``: a 2-D float32 or float64 array, finite and non-negative. It is
            copied (C-ordered, dtype kept).
        n_iter : int, default=0
            ``n_iter_`` of the fit that produced it.
        reconstruction_err : float, default=nan
            ``reconstruction_err_`` of that fit (non-negative or NaN).
        loss_history : sequence of float, default=()
            ``loss_history_`` of that fit.
        **params
            Parameters of the estimator (as in :class:`NMF`); ``n_components``,
            if given, must equal ``components.shape[0]``.

        Returns
        -------
        model : NMF
            Fitted: :meth:`transform` and :meth:`inverse_transform` work.

        Examples
        --------
        >>> import numpy as np
        >>> from topicnmf.nmf import NMF
        >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 2.0]])
        >>> model = NMF(2, random_state=0).fit(X)
        >>> swapped = NMF.from_components(model.components_[::-1], n_iter=model.n_iter_)
        >>> np.allclose(swapped.transform(X)[:, ::-1], model.transform(X))
        True
        """
        whom = "NMF.from_components"
        H = components
        if not isinstance(H, np.ndarray) or H.ndim != 2 or H.dtype not in (np.float32,
                                                                             np.float64):
            got = (f"{H.ndim}-D {H.dtype} array" if isinstance(H, np.ndarray)
                   else type(H).__name__)
            raise InputError(
                f"components passed to {whom} must be a 2-D float32 or float64 array. "
                f"Got a {got}."
            )
        if 0 in H.shape:
            raise InputError(f"components passed to {whom} must not be empty. Got shape "
                             f"{H.shape}.")
        if not np.isfinite(H).all():
            raise InputError(f"components passed to {whom} contain NaN or infinity.")
        if H.min() < 0:
            raise InputError(f"Negative values in components passed to {whom}.")
        n_iter = check_int(n_iter, "n_iter", whom, low=0)
        ok = (isinstance(reconstruction_err, numbers.Real)
              and not isinstance(reconstruction_err, bool)
              and (np.isnan(reconstruction_err) or 0 <= reconstruction_err < np.inf))
        if not ok:
            raise parameter_error("reconstruction_err", whom, "a float >= 0 or nan",
                                  reconstruction_err)
        try:
            history = [float(v) for v in loss_history]
        except (TypeError, ValueError):
            raise parameter_error("loss_history", whom, "a sequence of floats",
                                  loss_history) from None
        k = params.setdefault("n_components", H.shape[0])
        if k != H.shape[0]:
            raise parameter_error("n_components", whom,
                                  f"equal to components.shape[0] = {H.shape[0]}", k)
        model = cls(**params)
        model._settings()  # the parameters are checked as fit checks them
        model.components_ = np.array(H, order="C", copy=True)
        model.n_components_ = H.shape[0]
        model.n_features_in_ = H.shape[1]
        model.n_iter_ = n_iter
        model.reconstruction_err_ = float(reconstruction_err)
        model.loss_history_ = history
        return model

    def _settings(self, owner: str = "NMF"):
        return check_params(
            n_components=self.n_components, solver=self.solver, beta_loss=self.beta_loss,
            init=self.init, tol=self.tol, max_iter=self.max_iter, alpha_W=self.alpha_W,
            alpha_H=self.alpha_H, l1_ratio=self.l1_ratio, random_state=self.random_state,
            callback=self.callback, owner=owner,
        )

    def fit_transform(self, X, y=None, W: np.ndarray | None = None,
                      H: np.ndarray | None = None, mask=None) -> np.ndarray:
        """Learn the factorisation of ``X`` and return ``W``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative data.
        y : Ignored
        W : array-like of shape (n_samples, n_components), default=None
            Starting ``W`` for ``init='custom'`` (or ``init=None``).
        H : array-like of shape (n_components, n_features), default=None
            Starting ``H`` for ``init='custom'`` (or ``init=None``).
        mask : HeldOutMask, array-like or sparse matrix of shape (n_samples, n_features), \
default=None
            Which entries of ``X`` are observed: a boolean array or a sparse matrix
            (True or stored non-zero = observed), or a :class:`HeldOutMask`. The
            others are missing (see Notes). None: all are observed (but NaN with
            ``missing_values=np.nan``).

        Returns
        -------
        W : ndarray of shape (n_samples, n_components)
        """
        settings = self._settings()
        if is_dask_array(X):  # row blocks on the workers: W stays there (see _dask)
            from ._dask import fit_dask

            if mask is not None:
                raise InputError("NMF.fit takes no mask with a Dask array X.")
            H, info = fit_dask(X, settings, W=W, H=H, whom="NMF.fit")
            self._set_fitted(H, info, X.shape[1])
            return self.transform(X)
        missing_values = check_missing_values(self.missing_values, "NMF")
        X = validate_data(self, X, reset=True, **_ARRAY_KW)
        check_data(X, "NMF.fit", missing_values)
        W, H, info = run(X, settings, W=W, H=H, whom="NMF.fit", mask=mask,
                         missing_values=missing_values)
        self._set_fitted(H, info)
        return W

    def _set_fitted(self, H, info, n_features=None):
        self.__dict__.pop("_online", None)  # what an earlier partial_fit left
        if n_features is not None:  # a Dask array: validate_data did not see it
            self.__dict__.pop("feature_names_in_", None)
            self.n_features_in_ = n_features
        self.components_ = H
        self.n_components_ = H.shape[0]
        self.n_iter_ = info["n_iter"]
        self.reconstruction_err_ = info["reconstruction_err"]
        self.loss_history_ = info["loss_history"]

    def fit(self, X, y=None, **params) -> "NMF":
        """Learn the factorisation of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative data.
        y : Ignored
        **params
            ``W`` and ``H`` for ``init='custom'`` and ``mask``, passed to
            :meth:`fit_transform`.

        Returns
        -------
        self : NMF
        """
        self.fit_transform(X, **params)
        return self

    def partial_fit(self, X, y=None, W: np.ndarray | None = None,
                    H: np.ndarray | None = None) -> "NMF":
        """Update ``H`` with one chunk of rows (online HALS; see ``_online``).

        Each call solves the chunk's ``W`` exactly for the current ``H``, adds
        ``X_c^T W_c`` and ``W_c^T W_c`` to statistics in which the earlier chunks
        are weighted by ``forget_factor``, and moves ``H`` by HALS sweeps on them.
        Memory is that of one chunk and ``H``. The first call starts ``H`` with
        ``init`` on its chunk (``W`` and ``H`` for ``init='custom'``; after
        :meth:`fit`, from ``components_``). Frobenius loss only; ``solver``,
        ``tol`` and ``max_iter`` are not used.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of non-negative rows.
        y : Ignored
        W : array-like of shape (n_samples, n_components), default=None
            Starting ``W`` for ``init='custom'`` (first call only).
        H : array-like of shape (n_components, n_features), default=None
            Starting ``H`` for ``init='custom'`` (first call only).

        Returns
        -------
        self : NMF

        Examples
        --------
        >>> import numpy as np
        >>> from topicnmf.nmf import NMF
        >>> rng = np.random.RandomState(0)
        >>> X = rng.rand(400, 3) @ rng.rand(3, 30)
        >>> model = NMF(n_components=3, random_state=0)
        >>> for chunk in np.array_split(X, 8):
        ...     model = model.partial_fit(chunk)
        >>> model.n_iter_, model.components_.shape
        (8, (3, 30))
        """
        from . import _online
        from .._validation import check_real
        from ._core import _blas_threads, _check_factor
        from ._operator import as_operator

        settings = self._settings()
        if settings.beta != 2.0:
            raise InputError(
                "NMF.partial_fit fits beta_loss='frobenius' only. "
                f"Got beta_loss={self.beta_loss!r}."
            )
        forget = check_real(self.forget_factor, "forget_factor", "NMF", low=0.0, high=1.0)
        first = not hasattr(self, "components_")
        X = validate_data(self, X, reset=first, **_ARRAY_KW)
        check_data(X, "NMF.partial_fit")
        op = as_operator(X)
        state = getattr(self, "_online", None)
        if first:
            _, H0, _ = run(X, settings, W=W, H=H, whom="NMF.partial_fit", init_only=True)
            Ht = np.ascontiguousarray(H0.T)
        else:
            Ht = _check_factor("components_", self.components_, self.components_.shape,
                               op.dtype, "NMF.partial_fit", transpose=True)
        if state is None:
            state = _online.start(Ht)
            history = []
        else:
            history = list(self.loss_history_)
        with _blas_threads():
            div = _online.online_step(state, op, Ht, settings, forget)
        history.append(div)
        self.components_ = np.ascontiguousarray(Ht.T)
        self.n_components_ = Ht.shape[1]
        self.n_iter_ = state.n_chunks
        self.reconstruction_err_ = float(np.sqrt(2.0 * div))
        self.loss_history_ = history
        self._online = state
        return self

    def transform(self, X) -> np.ndarray:
        """Solve for ``W`` with ``H = components_`` fixed, to convergence.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative data.

        Returns
        -------
        W : ndarray of shape (n_samples, n_components)
            A Dask array with the row chunks of ``X`` when ``X`` is a Dask array.
        """
        check_is_fitted(self)
        if is_dask_array(X):
            from ._dask import transform_dask

            if X.shape[1] != self.n_features_in_:
                raise InputError(
                    f"X passed to NMF.transform has {X.shape[1]} features, but NMF is "
                    f"expecting {self.n_features_in_} features as input."
                )
            problem = self._settings().problem((1, X.shape[1]))
            return transform_dask(X, self.components_, problem)
        missing_values = check_missing_values(self.missing_values, "NMF")
        X = validate_data(self, X, reset=False, **_ARRAY_KW)
        check_data(X, "NMF.transform", missing_values)
        W, _, _ = run(X, self._settings(), H=self.components_, update_H=False,
                      whom="NMF.transform", missing_values=missing_values)
        return W

    def inverse_transform(self, X) -> np.ndarray:
        """``W @ components_``: data back in the original space.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_components)
            ``W``, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        W = check_array(X, dtype=[np.float64, np.float32])
        return W @ self.components_

    @property
    def _n_features_out(self) -> int:
        return self.components_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = self.missing_values is not None
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def factorize(
    X,
    n_components: int = 10,
    *,
    W: np.ndarray | None = None,
    H: np.ndarray | None = None,
    update_H: bool = True,
    mask=None,
    **params,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Factorise a non-negative matrix: ``X ~= W @ H``.

    The function behind :class:`NMF`; the parameters mean the same.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Non-negative data. CSR and CSC matrices are used as they are (never
        densified); float32 stays float32.
    n_components : int, default=10
        Rank ``k`` of the factorisation.
    W : array-like of shape (n_samples, n_components), default=None
        Starting ``W`` (with ``init='custom'`` or ``init=None``), or the start
        of the ``W`` solve when ``update_H=False``.
    H : array-like of shape (n_components, n_features), default=None
        Starting ``H``; with ``update_H=False`` the fixed ``H``.
    update_H : bool, default=True
        If False, ``H`` stays fixed and only ``W`` is solved for (as in
        :meth:`NMF.transform`).
    mask : HeldOutMask, array-like or sparse matrix of shape (n_samples, n_features), default=None
        Which entries are observed (True); the others are missing, as in
        :meth:`NMF.fit`.
    **params
        The other parameters of :class:`NMF`, with its defaults: ``solver``,
        ``beta_loss``, ``init``, ``tol``, ``max_iter``, ``alpha_W``, ``alpha_H``,
        ``l1_ratio``, ``random_state``, ``callback`` and ``missing_values``
        (``forget_factor`` belongs to :meth:`NMF.partial_fit` alone). An unknown
        keyword is an ``InputError``.

    Returns
    -------
    W : ndarray of shape (n_samples, n_components)
    H : ndarray of shape (n_components, n_features)
    info : dict
        ``n_iter`` (int), ``loss_history`` (list of float: the objective after
        each iteration), ``initial_loss`` (float or None), ``reconstruction_err``
        (float), ``converged`` (bool), ``elapsed`` (seconds, whole call).

    Examples
    --------
    A rank-2 matrix, then the weights of new rows for the ``H`` found (as
    :meth:`NMF.transform` solves them):

    >>> from numpy.random import RandomState
    >>> from topicnmf.nmf import factorize
    >>> X = RandomState(0).rand(30, 2) @ RandomState(1).rand(2, 20)
    >>> W, H, info = factorize(X, n_components=2, random_state=0)
    >>> W.shape, H.shape, info["converged"], info["reconstruction_err"] < 1e-2
    ((30, 2), (2, 20), True, True)
    >>> W_new, _, _ = factorize(X[:5] * 2, 2, H=H, update_H=False)
    >>> bool(abs(W_new - 2 * W[:5]).max() < 1e-6)
    True
    """
    owner = "factorize"
    check_keywords(params, _FACTORIZE_PARAMS, owner)
    model = NMF(n_components, **params)
    missing_values = check_missing_values(model.missing_values, owner)
    X = check_array(X, **_ARRAY_KW)
    check_data(X, owner, missing_values)
    return run(X, model._settings(owner), W=W, H=H, update_H=bool(update_H), whom=owner, mask=mask,
               missing_values=missing_values)


def _factorize_signature() -> inspect.Signature:
    """factorize's own parameters, then NMF's (its defaults) but n_components and forget_factor."""
    own = inspect.signature(factorize)
    nmf = inspect.signature(NMF).parameters
    return own.replace(parameters=[*list(own.parameters.values())[:-1],
                                   *(nmf[name] for name in _FACTORIZE_PARAMS)])


_FACTORIZE_PARAMS = [name for name in inspect.signature(NMF).parameters
                     if name not in ("n_components", "forget_factor")]
factorize.__signature__ = _factorize_signature()  # type: ignore[attr-defined]

