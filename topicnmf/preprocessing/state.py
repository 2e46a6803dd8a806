"""The persisted state of a fitted TextVectorizer: plain JSON data, checked strictly on load.

The state holds the parameters in one flat dict (the vectorizer's own and its
tokenizer's; the two sets of names are disjoint), the vocabulary in column
order, the idf, the phrases and the display words of stems. Loading checks every
field's type and range and raises one :class:`~topicnmf.errors.InputError` line
for the first fault; nothing is unpickled or evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from topicnmf.errors import InputError
from topicnmf.preprocessing.tokenizer import Tokenizer

__all__ = ["vectorizer_state", "vectorizer_from_state", "STATE_FORMAT", "STATE_VERSION"]

STATE_FORMAT = "topicnmf.TextVectorizer"
STATE_VERSION = 1
_KEYS = ("params", "vocabulary", "idf", "phrases", "display_words", "n_docs")
# parameters that do not change the result and are not stored
_NOT_STORED = ("tokenizer", "n_jobs")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, type) and issubclass(value, np.generic):
        return np.dtype(value).name
    if isinstance(value, (tuple, list, set, frozenset)):
        return sorted({w.lower() for w in value})
    return value


def vectorizer_state(vectorizer) -> dict[str, Any]:
    """The JSON-serialisable state of a fitted vectorizer (see ``TextVectorizer.to_dict``)."""
    params = {name: value for name, value in vectorizer._fitted.items()}
    params.update(vectorizer.tokenizer_.get_params())
    params = {name: _plain(value) for name, value in params.items()}
    terms = [None] * len(vectorizer.vocabulary_)
    for term, col in vectorizer.vocabulary_.items():
        terms[col] = term
    return {
        "format": STATE_FORMAT,
        "version": STATE_VERSION,
        "params": params,
        "vocabulary": terms,
        "idf": [float(v) for v in vectorizer.idf_],
        "phrases": [[a, b] for a, b in vectorizer.phrases_],
        "display_words": dict(vectorizer.display_words_),
        "n_docs": vectorizer.n_docs_,
    }


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def vectorizer_from_state(cls, state: Mapping[str, Any]):
    """Rebuild a fitted vectorizer of class `cls` from :func:`vectorizer_state` output."""

    def bad(what: str) -> InputError:
        return InputError(f"The state passed to TextVectorizer.from_dict is malformed: {what}.")

    if not isinstance(state, Mapping):
        raise bad(f"expected a dict, got {type(state).__name__}")
    if state.get("format") != STATE_FORMAT:
        raise bad(f"'format' must be {STATE_FORMAT!r}, got {state.get('format')!r}")
    if state.get("version") != STATE_VERSION:
        raise bad(f"'version' must be {STATE_VERSION}, got {state.get('version')!r}")
    missing = [k for k in _KEYS if k not in state]
    if missing:
        raise bad(f"missing key(s) {', '.join(map(repr, missing))}")
    unknown = sorted(set(state) - set(_KEYS) - {"format", "version"})
    if unknown:
        raise bad(f"unknown key(s) {', '.join(map(repr, unknown))}")

    params = state["params"]
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise bad("'params' must be a dict")
    own_names = set(cls._get_param_names()) - set(_NOT_STORED)
    tokenizer_names = set(Tokenizer._get_param_names())
    unknown = sorted(set(params) - own_names - tokenizer_names)
    if unknown:
        raise bad(f"unknown parameter(s) {', '.join(map(repr, unknown))} in 'params'")

    vocab, idf = state["vocabulary"], state["idf"]
    if not _is_str_list(vocab):
        raise bad("'vocabulary' must be a list of str")
    if len(set(vocab)) != len(vocab) or not vocab:
        raise bad("'vocabulary' must be a non-empty list of distinct terms")
    if not isinstance(idf, list) or len(idf) != len(vocab) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0 for v in idf
    ):
        raise bad(f"'idf' must be a list of {len(vocab)} finite positive numbers, one per vocabulary term")
    phrases = state["phrases"]
    if not isinstance(phrases, list) or not all(_is_str_list(p) and len(p) == 2 for p in phrases):
        raise bad("'phrases' must be a list of [str, str] pairs")
    display = state["display_words"]
    if not isinstance(display, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in display.items()
    ):
        raise bad("'display_words' must be a dict of str to str")
    outside = sorted(set(display) - set(vocab))
    if outside:
        raise bad(f"'display_words' names a term outside the vocabulary: {outside[0]!r}")
    n_docs = state["n_docs"]
    if isinstance(n_docs, bool) or not isinstance(n_docs, int) or n_docs < 1:
        raise bad("'n_docs' must be a positive int")

    own = {k: v for k, v in params.items() if k in own_names}
    tokenizer_params = {k: v for k, v in params.items() if k in tokenizer_names}
    tokenizer_params.setdefault("strip_html", False)  # saved before strip_html: tokenize as then
    if "dtype" in own:
        if own["dtype"] not in ("float32", "float64"):
            raise bad(f"invalid 'params' (dtype must be 'float32' or 'float64', got {own['dtype']!r})")
        own["dtype"] = np.dtype(own["dtype"]).type
    vectorizer = cls(**own, tokenizer=Tokenizer(**tokenizer_params))
    try:
        p = vectorizer._validated()
    except InputError as exc:
        raise bad(f"invalid 'params' ({exc})") from None
    if phrases and not p["phrases"]:
        raise bad("'phrases' is not empty but params['phrases'] is False")
    if display and not p["stem"]:
        raise bad("'display_words' is not empty but params['stem'] is False")
    vectorizer._set_fitted(
        p,
        vocabulary={t: i for i, t in enumerate(vocab)},
        idf=np.asarray(idf, dtype=p["dtype"]),
        phrases=[(a, b) for a, b in phrases],
        display=dict(display),
        n_docs=n_docs,
    )
    return vectorizer
