"""Parameter checks with the one message form of topicnmf.

Every public entry point checks its parameters here, once, where they are used::

    The 'solver' parameter of NMF must be one of 'als', 'hals', 'mu'. Got 'cd'.

Each check returns the derived value (an ``int``, a ``float``...) and never
changes its argument; a failed check raises :class:`~topicnmf.errors.InputError`.
This module imports numpy alone.
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable

import numpy as np

from topicnmf.errors import InputError

__all__ = [
    "check_bool",
    "check_callable",
    "check_int",
    "check_int_or_auto",
    "check_keywords",
    "check_one_of",
    "check_random_state",
    "check_real",
    "fmt",
    "keep_params",
    "parameter_error",
]


def fmt(value: Any) -> str:
    """A value as the messages show it: strings quoted, others as ``str``."""
    return repr(value) if isinstance(value, str) else str(value)


def parameter_error(name: str, owner: str, expected: str, value: Any) -> InputError:
    """``The 'name' parameter of owner must be expected. Got value.``"""
    return InputError(f"The '{name}' parameter of {owner} must be {expected}. Got {fmt(value)}.")


def check_int(value: Any, name: str, owner: str, *, low: int | None = 1, high: int | None = None) -> int:
    """An integer (not a bool) in ``[low, high]``; ``None`` bounds are open."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        if low is not None and high is not None:
            bounds = f"an int in [{low}, {high}]"
        elif low is not None:
            bounds = f"an int >= {low}"
        elif high is not None:
            bounds = f"an int <= {high}"
        else:
            bounds = "an int"
        raise parameter_error(name, owner, bounds, value)
    return int(value)


def check_int_or_auto(value: Any, name: str, owner: str) -> int | None:
    """An int >= 1, or ``"auto"`` (returned as None): a number of topics the caller may choose."""
    if isinstance(value, str) and value == "auto":
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1
    if not ok:
        raise parameter_error(name, owner, "an int >= 1 or 'auto'", value)
    return int(value)


def check_real(
    value: Any,
    name: str,
    owner: str,
    *,
    low: float | None = 0.0,
    high: float | None = None,
    low_open: bool = False,
) -> float:
    """A finite real number (not a bool) in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and bool(np.isfinite(value))
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    ok = ok and (high is None or value <= high)
    if not ok:
        if low is None and high is None:
            bounds = "a finite float"
        elif high is None:
            bounds = f"a float {'>' if low_open else '>='} {low:g}"
        elif low is None:
            bounds = f"a float <= {high:g}"
        else:
            bounds = f"a float in {'(' if low_open else '['}{low:g}, {high:g}]"
        raise parameter_error(name, owner, bounds, value)
    return float(value)


def check_bool(value: Any, name: str, owner: str) -> bool:
    """A bool (numpy bools too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise parameter_error(name, owner, "a bool", value)
    return bool(value)


def check_one_of(value: Any, name: str, owner: str, choices: Iterable[Any]) -> Any:
    """One of ``choices`` (listed sorted in the message)."""
    choices = list(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable or incomparable values are not among the choices
        ok = False
    if isinstance(value, bool) and not any(isinstance(c, bool) for c in choices):
        ok = False  # True == 1: a bool is not an int choice
    if not ok:
        listed = ", ".join(fmt(c) for c in sorted(choices, key=str))
        raise parameter_error(name, owner, f"one of {listed}", value)
    return value


def check_random_state(value: Any, name: str, owner: str) -> Any:
    """``None``, an int in numpy's seed range, or a ``numpy.random.RandomState``."""
    if value is None or isinstance(value, np.random.RandomState):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and 0 <= value < 2**32:
        return int(value)
    raise parameter_error(
        name, owner, "None, an int in [0, 2**32 - 1] or a numpy.random.RandomState", value
    )


def check_callable(value: Any, name: str, owner: str) -> Any:
    """``None`` or a callable."""
    if value is not None and not callable(value):
        raise parameter_error(name, owner, "None or a callable", value)
    return value


def check_keywords(given: Iterable[str], allowed: Iterable[str], owner: str) -> None:
    """Every name in ``given`` among ``allowed`` (listed sorted in the message).

    For a function that takes the options of another one as ``**options``: an
    unknown keyword fails as a parameter does, naming ``owner``.
    """
    allowed = list(allowed)
    unknown = [name for name in given if name not in allowed]
    if unknown:
        listed = ", ".join(fmt(name) for name in sorted(allowed))
        raise InputError(f"The keyword arguments of {owner} must be among {listed}. Got {fmt(unknown[0])}.")


def keep_params(estimator: Any, params: dict[str, Any]) -> None:
    """Store each constructor argument unchanged under its own name.

    scikit-learn's estimator contract (``get_params``, ``set_params``, ``clone``)
    in one place: the one statement of an estimator's ``__init__`` is
    ``keep_params(self, locals())``. ``self`` and ``__class__`` are skipped. The
    explicit keyword signature of ``__init__`` stays the list of parameters that
    ``get_params``, ``clone`` and ``help()`` read.
    """
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


def check_one_per(values: Any, n: int, item: str, per: str, subject: str) -> list:
    """``values`` as a list of ``n`` entries, one ``item`` per ``per`` (a text, a document).

    ``subject`` names the input in the message, for example ``"The 'times'
    parameter of Corpus.from_texts"``.
    """
    values = list(values)
    if len(values) != n:
        raise InputError(f"{subject} must hold one {item} per {per}. Got {len(values)} {item}s for {n} {per}s.")
    return values
