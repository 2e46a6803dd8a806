"""The report's plots, rendered in a forked process while the rest of the report is computed.

Importing matplotlib and rendering the five plots takes about a second and holds
the interpreter lock; the coherence scores, the summary and the representative
documents take about as long. Where a second CPU is there (Linux, forking
allowed), :func:`plots_aside` forks one worker as the report starts: it inherits
the fitted model (nothing is pickled to it), renders the plots that need nothing
more, then the coherence plot once the scores are known. Elsewhere, or if the
worker dies, the plots are rendered in the calling process when asked for. The
PNG bytes are the same either way: the same code draws them.
"""

from __future__ import annotations

from contextlib import contextmanager

__all__ = ["plots_aside"]

#: the model handed to the forked worker (inherited with the process, never pickled)
_MODEL: list = []


def _render_forked(names, settings: dict) -> dict[str, bytes]:
    from topicnmf.reporting.report import render_some_plots

    return render_some_plots(_MODEL[0], names, **settings)


class _Plots:
    """The report's plots of one model: started in ``pool`` (or None: rendered on request)."""

    def __init__(self, model, pool, settings: dict):
        from topicnmf.reporting.report import PLOT_NAMES

        self.model, self.pool, self.settings = model, pool, settings
        self.early = [name for name in PLOT_NAMES if name != "coherence"]
        self.started = None
        if pool is not None:
            self.started = pool.submit(_render_forked, self.early, {**settings, "measure": None, "scores": None})

    def result(self, *, measure: str | None, scores) -> dict[str, bytes]:
        """Every plot as PNG bytes, in the page's order (no coherence plot if ``measure`` is None)."""
        from concurrent.futures.process import BrokenProcessPool

        from topicnmf.reporting.report import PLOT_NAMES, render_plots

        if self.started is not None:
            try:
                images = self.started.result()
                if measure is not None:
                    late = {**self.settings, "measure": measure, "scores": scores}
                    images.update(self.pool.submit(_render_forked, ["coherence"], late).result())
                return {name: images[name] for name in PLOT_NAMES if name in images}
            except BrokenProcessPool:  # the worker was killed (memory, a signal): draw them here
                pass
        return render_plots(self.model, measure=measure, scores=scores, **self.settings)


@contextmanager
def plots_aside(model, *, top_n: int, max_docs: int, dpi: int):
    """Start rendering ``model``'s report plots beside the caller; yields an object with ``result(measure=, scores=)``."""
    from topicnmf.preprocessing.stream import forked_pool, n_processes

    settings = {"top_n": top_n, "max_docs": max_docs, "dpi": dpi}
    if n_processes(-1, 0) < 2 or _MODEL:  # one CPU, no fork, or already inside a report
        yield _Plots(model, None, settings)
        return
    _MODEL.append(model)
    try:
        with forked_pool(1) as pool:
            yield _Plots(model, pool, settings)
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _MODEL.clear()
