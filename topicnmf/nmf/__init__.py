"""The NMF core: ``X (n_samples, n_features) ~= W (n_samples, k) @ H (k, n_features)``.

- :class:`NMF`: a scikit-learn estimator (``fit``, ``fit_transform``,
  ``transform``, ``inverse_transform``).
- :func:`factorize`: the same computation as a function returning ``(W, H, info)``.
- ``SOLVERS``: the registry of solvers (``'als'``, ``'hals'``, ``'mu'``), each with
  one function per beta-loss it supports (``SOLVERS[name].by_beta``).
- :class:`HeldOutMask` and :func:`heldout_error`: fit on part of the entries
  (``mask=``), measure the error on the rest.

The core knows nothing about text: any non-negative dense array or CSR/CSC
matrix (an image, a document-term matrix) goes in as it is.
"""

from ._estimator import NMF, factorize
from ._mask import HeldOutMask, heldout_error
from ._solvers import SOLVERS

__all__ = ["NMF", "SOLVERS", "HeldOutMask", "factorize", "heldout_error"]
