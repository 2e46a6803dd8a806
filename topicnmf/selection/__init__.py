"""Choosing the number of topics: one sweep over ``k`` that measures and recommends.

For every ``k`` in a range the sweep fits a reference model on all documents
and measures:

- ``reconstruction_error``: ``||X - W H||_F`` of the reference model, and
  ``relative_error``, the same over ``||X||_F``;
- ``heldout_error``: the root mean square error on a share ``test_fraction``
  of the matrix entries that a fit did not see (the cross-validation of
  RcppML; see :func:`heldout_errors`);
- ``stability`` and ``stability_std``: how well the topics come back when the
  model is fitted again on random samples of the documents (Greene, O'Callaghan
  and Cunningham 2014; see :func:`topic_stability`), and ``stability_min``, the
  agreement of the least reproducible topic;
- ``c_npmi``, ``c_v``: mean topic coherence on the tokenised texts (only when
  the sweep gets texts);
- ``diversity``: the share of distinct words among the topics' top words;
- ``fit_time``: seconds of the reference fit, and ``time``: seconds spent on
  this ``k`` in all (the ``k`` are fitted from the largest down, and the reference fit
  of each ``k`` after the first runs beside the sample runs of the ``k`` above it, so
  these add up to more than the sweep's wall time).

The recommendation (:func:`recommend`) is documented there, with its reason in
words in :attr:`SweepResult.reason`.
"""

from ._heldout import heldout_errors
from ._rule import recommend, stable_knee
from ._stability import average_jaccard, top_terms, topic_stability
from ._sweep import AUTO_RUNS, AUTO_TOPICS, COLUMNS, REFERENCE_TOL, SweepResult, sweep, sweep_matrix

#: Also here for the model, the command line and the benchmarks (not in ``__all__``).
_SHARED = (AUTO_RUNS, AUTO_TOPICS, COLUMNS, REFERENCE_TOL, sweep_matrix, top_terms)

__all__ = [
    "SweepResult",
    "average_jaccard",
    "heldout_errors",
    "recommend",
    "stable_knee",
    "sweep",
    "topic_stability",
]
