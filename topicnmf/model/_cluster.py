"""The factorisation of ``TopicModel.fit`` on a Dask cluster (``scheduler=``)."""

from __future__ import annotations

import contextlib
import numbers

import numpy as np

from topicnmf.errors import InputError


def fit_on_cluster(nmf, X, scheduler):
    """Fit `nmf` on the CSR matrix `X` cut into row blocks on `scheduler`; return ``W`` (in memory).

    `scheduler` is an address, a ``distributed.Client`` or a number of local workers.
    """
    try:
        import dask.array as da
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the dask extra is missing
        raise InputError("TopicModel(scheduler=...) needs Dask; pip install \"topicnmf[dask]\".") from None
    with contextlib.ExitStack() as stack:
        if isinstance(scheduler, numbers.Integral) and not isinstance(scheduler, bool) and scheduler >= 1:
            cluster = stack.enter_context(LocalCluster(n_workers=int(scheduler), threads_per_worker=1,
                                                       processes=True, dashboard_address=None))
            # actor calls straight to the workers, not relayed by the scheduler
            client = stack.enter_context(Client(cluster, direct_to_workers=True))
        elif isinstance(scheduler, str):
            try:
                client = stack.enter_context(Client(scheduler, timeout="20s"))
            except OSError as exc:
                raise InputError(
                    f"No Dask scheduler answers at {scheduler!r} ({type(exc).__name__}); start one "
                    "(dask scheduler) or give --workers N for a local cluster."
                ) from None
        elif isinstance(scheduler, Client):
            client = scheduler
        else:
            raise InputError(
                "The 'scheduler' parameter of TopicModel must be None, a scheduler address, a "
                f"distributed.Client or an int >= 1. Got {scheduler!r}."
            )
        stack.enter_context(client.as_current())
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        rows = int(np.ceil(X.shape[0] / (2 * n_workers)))
        dX = da.from_array(X, chunks=(max(rows, 1), -1), asarray=False)
        nmf.fit(dX)
        return nmf.transform(dX).compute()
