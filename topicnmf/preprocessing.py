"""Text preprocessing: tokenizer, stop words, stemming, phrases and TF-IDF.

The stage between raw texts and the document-term matrix::

    texts --Tokenizer--> tokens --phrases, stems--> terms --TF-IDF--> X (n_docs, n_terms)

:class:`Tokenizer` turns one text into a list of tokens with one regular
expression pass over the words, after optional removal of e-mail headers,
quoted replies and signatures, and of URLs and e-mail addresses.
:class:`TextVectorizer` adds optional bigram phrases (found with nltk's
collocation finder) and Snowball stemming, and builds a TF-IDF matrix with
scikit-learn. Nothing here downloads data: the English stop-word list ships with
the package, and nltk is imported only when stemming or phrases are asked for.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources
from itertools import chain, compress
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from topicnmf.errors import InputError

__all__ = ["Tokenizer", "TextVectorizer", "english_stop_words"]

_STOP_WORDS_RESOURCE = "data/stopwords_en.txt"
_STATE_FORMAT = "topicnmf.TextVectorizer"
_STATE_VERSION = 1


@functools.lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """Return the English stop-word list shipped with topicnmf.

    The list holds function words, contractions and their fragments ("don",
    "ve", "dont") and chat, e-mail and forum filler ("thanks", "hi", "just").
    It is read from ``topicnmf/data/stopwords_en.txt``.

    Returns
    -------
    stop_words : frozenset of str
        Lowercase stop words.

    Examples
    --------
    >>> from topicnmf.preprocessing import english_stop_words
    >>> words = english_stop_words()
    >>> "the" in words, "don" in words, "thanks" in words, "computer" in words
    (True, True, True, False)
    """
    text = resources.files("topicnmf").joinpath(_STOP_WORDS_RESOURCE).read_text("utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


# ---------------------------------------------------------------------------
# Regular expressions (compiled once, at import)

# E-mail and news headers: a block at the very start of a text whose first line
# is a common header field, followed by "Name: value" and continuation lines.
# Fields such as "Date:" or "Summary:" that also start ordinary documents are not
# accepted as the first line, and the block needs at least two lines.
_HEADER_FIRST = (
    r"(?:from|subject|newsgroups|path|message-id|organization|reply-to|sender|received"
    r"|return-path|relay-version|xref|nntp-posting-host|article-i\.d\.|x-[\w-]+)"
)
_HEADER_BLOCK = re.compile(
    _HEADER_FIRST + r"[ \t]*:[^\n]*\n(?:(?:[\w.-]+[ \t]*:|[ \t])[^\n]*(?:\n|\Z))+", re.I
)
_SUBJECT = re.compile(r"^subject[ \t]*:[ \t]*((?:re[ \t]*:[ \t]*)*)([^\n]*)", re.I | re.M)
# Attribution lines of replies: lines starting "In article" that hold a message
# id or address ("<" or "@"), and lines of at most _ATTRIBUTION_MAX_CHARS ending
# in "writes:" or "wrote:" (quoted ones too).
_ATTRIBUTION_MARKERS = ("writes:", "wrote:")
_ATTRIBUTION_MAX_CHARS = 200
# Quoted reply lines: "> ...", "|> ...", "| ...", ": ...".
_QUOTED_LINE = re.compile(r"^[ \t]*(?:>|\|[ \t>|]|:[ \t>])[^\n]*\n?", re.M)
# A signature follows the last line holding only "--" (or "-- ") when at most
# this many lines follow it.
_SIGNATURE_MAX_LINES = 20
# URLs and e-mail addresses (also message ids "<id@host>") are replaced by " . "
# before tokenizing: they vanish and still end a phrase. Each pass runs only on
# texts that hold "://", "www." or "@".
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'()]+", re.I)
_EMAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_EMAIL_LOCAL = re.compile(r"[\w.+-]+\Z")
# A token is a run of word characters; internal apostrophes join runs ("don't",
# "o'brien"), a possessive "'s" is matched but left out. Underscores are made
# spaces first, so "_" only ever appears in phrases ("new_york").
_WORD = r"(\w+(?:'(?![sS](?!\w))\w+)*)(?:'[sS](?!\w))?"
_TOKEN = re.compile(_WORD)
# With phrases, runs of sentence punctuation are matched too and give "" (the
# group does not take part), which ends a phrase.
_TOKEN_OR_BREAK = re.compile(_WORD + r"|[.!?;:,()\[\]{}\"<>|/\\=*#]+")


def _strip_signature(text: str) -> str:
    """Cut `text` at its last signature delimiter line, if few lines follow it."""
    pos = text.rfind("\n--")
    while pos >= 0:
        rest = text[pos + 3 : pos + 5]
        if rest in ("", "\n", " ", "\t") or rest[0] == "\n" or rest in (" \n", "\t\n"):
            if text.count("\n", pos + 3) <= _SIGNATURE_MAX_LINES:
                return text[: pos + 1]
            return text
        pos = text.rfind("\n--", 0, pos)
    return text


def _strip_attributions(text: str) -> str:
    """Remove the attribution lines of replies ("In article <...> ... writes:")."""
    spans = []
    for marker in _ATTRIBUTION_MARKERS:
        at = text.find(marker)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end + 1
            if at - start <= _ATTRIBUTION_MAX_CHARS and not text[at + len(marker) : end].strip():
                spans.append((start, end))
            at = text.find(marker, end)
    at = text.find("In article")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end + 1
        line = text[at:end]
        if not text[start:at].strip(" \t>|:") and ("@" in line or "<" in line):
            spans.append((start, end))
        at = text.find("In article", end)
    if not spans:
        return text
    spans.sort()
    parts, kept_from = [], 0
    for start, end in spans:
        if start > kept_from:
            parts.append(text[kept_from:start])
        kept_from = max(kept_from, end)
    parts.append(text[kept_from:])
    return "".join(parts)


def _drop_emails(text: str) -> str:
    """Replace each e-mail address (``local@host.domain``) of `text` by " . "."""
    parts = []
    start = 0
    at = text.find("@")
    while at >= 0:
        domain = _EMAIL_DOMAIN.match(text, at)
        local = _EMAIL_LOCAL.search(text, max(start, at - 64), at) if domain else None
        if local is None:
            at = text.find("@", at + 1)
            continue
        parts.append(text[start : local.start()])
        parts.append(" . ")
        start = domain.end()
        at = text.find("@", start)
    parts.append(text[start:])
    return "".join(parts)


def _resolve_stop_words(stop_words: Any, extra_stop_words: Any, owner: str) -> frozenset[str]:
    """Return the stop-word set for ``stop_words`` plus ``extra_stop_words``."""
    if isinstance(stop_words, str):
        if stop_words != "english":
            raise InputError(
                f"The 'stop_words' parameter of {owner} must be 'english', None or a collection "
                f"of str. Got {stop_words!r}."
            )
        base = english_stop_words()
    elif stop_words is None:
        base = frozenset()
    else:
        base = frozenset(_check_words(stop_words, "stop_words", owner))
    extra = frozenset(_check_words(extra_stop_words, "extra_stop_words", owner))
    return base | extra


def _check_words(words: Any, name: str, owner: str) -> list[str]:
    if isinstance(words, (str, bytes)) or not isinstance(words, Iterable):
        raise InputError(
            f"The '{name}' parameter of {owner} must be a collection of str. Got {words!r}."
        )
    words = list(words)
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise InputError(
            f"The '{name}' parameter of {owner} must be a collection of str. "
            f"Got an element {bad[0]!r}."
        )
    return [w.lower() for w in words]


def _check_bool(value: Any, name: str, owner: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"The '{name}' parameter of {owner} must be a bool. Got {value!r}.")
    return bool(value)


def _check_int(value: Any, name: str, owner: str, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral) or value < low:
        raise InputError(
            f"The '{name}' parameter of {owner} must be an int >= {low}. Got {value!r}."
        )
    return int(value)


class Tokenizer:
    """Split a text into lowercase word tokens without stop words.

    One call cleans the text and runs one precompiled regular expression over it:
    URLs and e-mail addresses are dropped whole; punctuation separates tokens;
    internal apostrophes stay in the token ("don't", "o'brien", so a stop word
    like "don't" goes whole and leaves no "don"/"t" fragments), a possessive
    "'s" is dropped ("bmw's" -> "bmw"); stop words and tokens shorter than
    `min_length` are removed. The curly apostrophe (U+2019) counts as "'".
    The tokenizer is a plain picklable object; it needs no downloaded data.

    For e-mail and forum corpora it can first strip the header block (keeping
    the subject line), quoted replies and the signature. These steps only fire
    on text that has the structure: a header block must start the text with a
    common field ("From:", "Subject:", ...), quoted lines start with ">", "|"
    or ": ", and a signature follows a line holding only "--".

    Parameters
    ----------
    lowercase : bool, default=True
        Lowercase the text before tokenizing.
    min_length : int, default=2
        Drop tokens with fewer characters than this.
    stop_words : {"english"}, collection of str or None, default="english"
        The stop words to drop: the list shipped with topicnmf
        (:func:`english_stop_words`), your own collection, or None for none.
    extra_stop_words : collection of str, default=()
        Words to drop in addition to `stop_words`. Stop words are compared in
        lowercase; with ``lowercase=False`` their Capitalised and UPPER forms
        are dropped too.
    drop_numbers : bool, default=True
        Drop tokens made only of digits ("1993", "486"); tokens mixing letters
        and digits ("mp3", "x11", "486dx") are kept.
    drop_urls : bool, default=True
        Drop URLs (``http://``, ``https://``, ``ftp://``, ``www.``) whole.
        When False they are split into word tokens like any text.
    drop_emails : bool, default=True
        Drop e-mail addresses (and message ids of the form ``<id@host>``) whole.
    strip_headers : bool, default=True
        Drop a leading e-mail/news header block, keeping the text of its
        ``Subject:`` line (without "Re:"), and the attribution lines of
        replies ("In article <...>, ... writes:", "... wrote:").
    strip_quotes : bool, default=False
        Drop quoted reply lines (starting with ">", "|" or ": "). Quoted text
        is usually on the topic of the thread, so it is kept by default.
    strip_signatures : bool, default=True
        Drop everything after the last line that holds only "--" (the
        signature delimiter), when what follows is at most 20 lines.

    Examples
    --------
    >>> from topicnmf.preprocessing import Tokenizer
    >>> tok = Tokenizer()
    >>> tok("I don't think BMW's new mp3 player costs $300. See http://x.org or mail a@b.com")
    ['bmw', 'new', 'mp3', 'player', 'costs', 'mail']
    >>> Tokenizer(stop_words=None, min_length=1)("It's 2 o'clock")
    ['it', "o'clock"]
    """

    _PARAMS = (
        "lowercase",
        "min_length",
        "stop_words",
        "extra_stop_words",
        "drop_numbers",
        "drop_urls",
        "drop_emails",
        "strip_headers",
        "strip_quotes",
        "strip_signatures",
    )

    def __init__(
        self,
        *,
        lowercase: bool = True,
        min_length: int = 2,
        stop_words: str | Iterable[str] | None = "english",
        extra_stop_words: Iterable[str] = (),
        drop_numbers: bool = True,
        drop_urls: bool = True,
        drop_emails: bool = True,
        strip_headers: bool = True,
        strip_quotes: bool = False,
        strip_signatures: bool = True,
    ) -> None:
        owner = type(self).__name__
        self.lowercase = _check_bool(lowercase, "lowercase", owner)
        self.min_length = _check_int(min_length, "min_length", owner, 1)
        if not (stop_words is None or isinstance(stop_words, str)):
            stop_words = tuple(sorted(set(_check_words(stop_words, "stop_words", owner))))
        extra = _check_words(extra_stop_words, "extra_stop_words", owner)
        extra_stop_words = tuple(sorted(set(extra)))
        stop_set = _resolve_stop_words(stop_words, extra_stop_words, owner)
        self.stop_words = stop_words
        self.extra_stop_words = extra_stop_words
        switches = {
            "drop_numbers": drop_numbers,
            "drop_urls": drop_urls,
            "drop_emails": drop_emails,
            "strip_headers": strip_headers,
            "strip_quotes": strip_quotes,
            "strip_signatures": strip_signatures,
        }
        for name, value in switches.items():
            setattr(self, name, _check_bool(value, name, owner))
        self._build(stop_set)

    def _build(self, stop_set: frozenset[str]) -> None:
        """Derive the drop set and switches from the parameters."""
        if not self.lowercase:
            stop_set = stop_set | {w.capitalize() for w in stop_set} | {w.upper() for w in stop_set}
        # "" stands for every match that is not a token, so one set lookup drops it.
        self._drop = frozenset(stop_set | {""})
        self._clean = self.strip_headers or self.strip_quotes or self.strip_signatures

    # -- pickling: store the parameters only, rebuild the derived state on load
    def __getstate__(self) -> dict[str, Any]:
        return self.get_params()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)

    def __repr__(self) -> str:
        defaults = inspect.signature(Tokenizer.__init__).parameters
        args = ", ".join(
            f"{k}={v!r}" for k, v in self.get_params().items() if defaults[k].default != v
        )
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_params() == self.get_params()

    def __hash__(self) -> int:
        return hash(tuple(self.get_params().items()))

    def get_params(self) -> dict[str, Any]:
        """Return the parameters as a dict (keyword arguments of the constructor).

        Returns
        -------
        params : dict
            Parameter name to value; collections are returned as sorted tuples.
        """
        return {name: getattr(self, name) for name in self._PARAMS}

    # -- the work ------------------------------------------------------------
    def clean(self, text: str) -> str:
        """Remove the e-mail structure selected by the ``strip_*`` parameters.

        Parameters
        ----------
        text : str
            One raw text.

        Returns
        -------
        text : str
            The text without header block (subject kept), quoted lines and
            signature, as selected.
        """
        if self.strip_headers:
            head = _HEADER_BLOCK.match(text)
            if head is not None:
                subject = _SUBJECT.search(head.group())
                body = text[head.end() :]
                text = f"{subject.group(2)}\n{body}" if subject else body
            text = _strip_attributions(text)
        if self.strip_signatures and "\n--" in text:
            text = _strip_signature(text)
        if self.strip_quotes:
            text = _QUOTED_LINE.sub("", text)
        return text

    def _prepare(self, text: str) -> str:
        """Clean, lowercase and blank out what is never a token."""
        if self._clean:
            text = self.clean(text)
        if self.lowercase:
            text = text.lower()
        if self.drop_urls and ("://" in text or "www." in text or "WWW." in text):
            text = _URL.sub(" . ", text)
        if self.drop_emails and "@" in text:
            text = _drop_emails(text)
        if "\u2019" in text:
            text = text.replace("\u2019", "'")
        if "_" in text:
            text = text.replace("_", " ")
        return text

    def __call__(self, text: str) -> list[str]:
        """Tokenize one text.

        Parameters
        ----------
        text : str
            One raw text.

        Returns
        -------
        tokens : list of str
            The tokens in text order.
        """
        tokens = _TOKEN.findall(self._prepare(text))
        drop, m = self._drop, self.min_length
        if self.drop_numbers:
            return [t for t in tokens if t not in drop and len(t) >= m and not t.isdigit()]
        return [t for t in tokens if t not in drop and len(t) >= m]

    def tokenize_with_breaks(self, text: str) -> list[str]:
        """Tokenize one text, leaving ``""`` where a phrase may not continue.

        Every dropped word (stop word, short token, number, URL, e-mail) and
        every run of sentence punctuation becomes ``""``, so that two tokens are
        adjacent in the result only if they were adjacent words in the text.

        Parameters
        ----------
        text : str
            One raw text.

        Returns
        -------
        tokens : list of str
            Tokens and ``""`` separators.

        Examples
        --------
        >>> Tokenizer().tokenize_with_breaks("New York is big. New York, mp3 1993")
        ['new', 'york', '', 'big', '', 'new', 'york', '', 'mp3', '']
        """
        tokens = _TOKEN_OR_BREAK.findall(self._prepare(text))
        drop, m, digits = self._drop, self.min_length, self.drop_numbers
        return [
            t if (len(t) >= m and t not in drop and not (digits and t.isdigit())) else ""
            for t in tokens
        ]


# ---------------------------------------------------------------------------
# Phrases and stems


class _Ids(dict):
    """A token -> integer id dict that gives each new token the next id."""

    def __missing__(self, token: str) -> int:
        value = self[token] = len(self)
        return value


def _find_phrases(
    streams: list[list[str]], min_count: int | str, threshold: float
) -> list[tuple[str, str]]:
    """Return the bigram collocations of `streams`, best first.

    `streams` hold tokens with ``""`` separators (see
    :meth:`Tokenizer.tokenize_with_breaks`). Word and bigram counts are taken
    with numpy over integer token ids and handed to nltk's
    ``BigramCollocationFinder``, which scores the frequent pairs with pointwise
    mutual information. A pair is kept when it occurs at least `min_count` times
    ("auto": once per 100,000 tokens, at least 5) and its normalised PMI,
    ``pmi / -log2(p(a, b))`` (in [-1, 1]), is at least `threshold`.
    """
    from nltk.collocations import BigramCollocationFinder
    from nltk.metrics import BigramAssocMeasures
    from nltk.probability import FreqDist

    ids = _Ids({"": 0})
    flat = np.fromiter(map(ids.__getitem__, chain.from_iterable(streams)), dtype=np.int64)
    if flat.size < 2:
        return []
    words = list(ids)
    counts = np.bincount(flat, minlength=len(words))
    first, second = flat[:-1], flat[1:]
    valid = (first != 0) & (second != 0)
    # no pair across two documents
    ends = np.cumsum(np.fromiter(map(len, streams), dtype=np.int64, count=len(streams))) - 1
    valid[ends[(ends >= 0) & (ends < valid.size)]] = False
    codes, pair_counts = np.unique(first[valid] * len(words) + second[valid], return_counts=True)
    if min_count == "auto":
        min_count = max(5, round(int(counts[1:].sum()) / 100_000))
    frequent = pair_counts >= min_count
    if not frequent.any():
        return []
    pair_fd = FreqDist(
        {
            (words[c // len(words)], words[c % len(words)]): n
            for c, n in zip(codes[frequent].tolist(), pair_counts[frequent].tolist())
        }
    )
    word_fd = FreqDist(dict(zip(words[1:], counts[1:].tolist())))
    finder = BigramCollocationFinder(word_fd, pair_fd)
    n_words = finder.N
    kept = []
    for (a, b), pmi in finder.score_ngrams(BigramAssocMeasures.pmi):
        npmi = pmi / -math.log2(pair_fd[a, b] / n_words)
        if npmi >= threshold:
            kept.append((-npmi, a, b))
    kept.sort()
    return [(a, b) for _, a, b in kept]


def _join_phrases(tokens: list[str], phrases: Mapping[tuple[str, str], str]) -> list[str]:
    """Join adjacent phrase pairs (left to right) and drop ``""`` separators."""
    joined = list(map(phrases.get, zip(tokens, tokens[1:])))
    if not any(joined):
        return list(filter(None, tokens))
    out: list[str] = []
    start = 0
    for i in compress(range(len(joined)), joined):
        if i < start:  # overlaps the phrase just joined ("new york city")
            continue
        out.extend(filter(None, tokens[start:i]))
        out.append(joined[i])
        start = i + 2
    out.extend(filter(None, tokens[start:]))
    return out


class _StemCache(dict):
    """A token -> stem dict that stems each new token once (phrases unchanged)."""

    def __init__(self) -> None:
        super().__init__()
        from nltk.stem.snowball import SnowballStemmer

        self._stem = SnowballStemmer("english").stem

    def __missing__(self, token: str) -> str:
        stem = token if "_" in token else self._stem(token)
        self[token] = stem
        return stem

    def __reduce__(self):
        return (_StemCache, ())


class _Display(dict):
    """Surface token -> display word, filled on demand.

    Without stems a token shows as itself; with stems, as the display word of
    its stem when the stem is in the vocabulary. Equal tokens map to one
    shared string, which keeps long token streams small.
    """

    def __init__(self, stems: _StemCache | None, display: Mapping[str, str]) -> None:
        super().__init__()
        self._stems = stems
        self._display = display

    def __missing__(self, token: str) -> str:
        shown = token if self._stems is None else self._display.get(self._stems[token], token)
        self[token] = shown
        return shown


class _Analyzer:
    """Text -> terms: tokenizer, then phrases, then stems. Picklable.

    A list passes through unchanged: it holds terms already analysed (the
    vectorizer hands its precomputed streams to scikit-learn this way).
    """

    def __init__(
        self,
        tokenizer: Tokenizer,
        phrases: list[tuple[str, str]] | None = None,
        stem: bool = False,
    ) -> None:
        self.tokenizer = tokenizer
        self.phrases = list(phrases) if phrases is not None else None
        self.stem = stem
        self._setup()

    def _setup(self) -> None:
        if self.phrases is not None:
            self._phrase_map = {(a, b): f"{a}_{b}" for a, b in self.phrases}
        self._stems = _StemCache() if self.stem else None

    def __getstate__(self) -> dict[str, Any]:
        return {"tokenizer": self.tokenizer, "phrases": self.phrases, "stem": self.stem}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def surface(self, text: str) -> list[str]:
        """Tokens of `text` with phrases joined, before stemming."""
        if self.phrases is None:
            return self.tokenizer(text)
        return _join_phrases(self.tokenizer.tokenize_with_breaks(text), self._phrase_map)

    def __call__(self, text: str | list[str]) -> list[str]:
        if isinstance(text, list):
            return text
        tokens = self.surface(text)
        if self._stems is not None:
            return list(map(self._stems.__getitem__, tokens))
        return tokens


# ---------------------------------------------------------------------------
# The vectorizer


class TextVectorizer(BaseEstimator):
    """Texts to a TF-IDF document-term matrix, with optional phrases and stems.

    The texts are tokenized by :class:`Tokenizer`; adjacent word pairs that
    form collocations can be joined into phrases ("new_york"); tokens can be
    reduced to Snowball stems (shown as their most frequent word); terms are
    kept by document frequency; scikit-learn's ``TfidfVectorizer`` weights
    them and L2-normalises each row.

    Parameters
    ----------
    min_df : int or float, default=5
        Drop terms found in fewer documents than this (a float in (0, 1] is a
        fraction of the documents).
    max_df : int or float, default=0.5
        Drop terms found in more documents than this (a float in (0, 1] is a
        fraction of the documents).
    max_features : int or None, default=None
        Keep only this many terms, the most frequent over the corpus.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)`` instead of the raw term count.
    stem : bool, default=False
        Reduce tokens to Snowball stems (nltk, English). Each stem is shown as
        its most frequent word in the training texts (ties: alphabetical first).
    phrases : bool, default=False
        Join collocated word pairs into one term ``first_second``. Stop words,
        dropped tokens and punctuation split phrases.
    phrase_min_count : int or "auto", default="auto"
        A word pair must occur at least this often to become a phrase. "auto"
        scales with the corpus: once per 100,000 tokens, and at least 5 times
        (23 on 20 Newsgroups, 5 on a few hundred short documents).
    phrase_threshold : float, default=0.5
        Minimum normalised pointwise mutual information, in [-1, 1], of a
        phrase's two words.
    lowercase, min_length, stop_words, extra_stop_words, drop_numbers, drop_urls, \
drop_emails, strip_headers, strip_quotes, strip_signatures
        Passed to :class:`Tokenizer`; the defaults are the tokenizer's.
    dtype : {np.float32, np.float64}, default=np.float32
        The dtype of the matrix.

    Attributes
    ----------
    tokenizer_ : Tokenizer
        The tokenizer built from the parameters.
    vocabulary_ : dict of str to int
        Term to column. Terms are words, stems (when `stem`) or phrases.
    idf_ : ndarray of shape (n_terms,)
        Inverse document frequencies.
    phrases_ : list of tuple of (str, str)
        The word pairs joined into phrases (empty when not `phrases`).
    display_words_ : dict of str to str
        For stemmed vocabulary terms, the word shown for each stem.
    n_docs_ : int
        The number of training texts.

    Examples
    --------
    >>> from topicnmf.preprocessing import TextVectorizer
    >>> texts = ["Cats chase mice.", "A cat chased a mouse!", "Dogs chase cats."]
    >>> vec = TextVectorizer(min_df=1, max_df=1.0, stem=True)
    >>> X = vec.fit_transform(texts)
    >>> X.shape, X.dtype
    ((3, 5), dtype('float32'))
    >>> vec.get_feature_names_out().tolist()
    ['cats', 'chase', 'dogs', 'mice', 'mouse']
    """

    def __init__(
        self,
        *,
        min_df: float | int = 5,
        max_df: float | int = 0.5,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        stem: bool = False,
        phrases: bool = False,
        phrase_min_count: int | str = "auto",
        phrase_threshold: float = 0.5,
        lowercase: bool = True,
        min_length: int = 2,
        stop_words: str | Iterable[str] | None = "english",
        extra_stop_words: Iterable[str] = (),
        drop_numbers: bool = True,
        drop_urls: bool = True,
        drop_emails: bool = True,
        strip_headers: bool = True,
        strip_quotes: bool = False,
        strip_signatures: bool = True,
        dtype: type = np.float32,
    ) -> None:
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.stem = stem
        self.phrases = phrases
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.lowercase = lowercase
        self.min_length = min_length
        self.stop_words = stop_words
        self.extra_stop_words = extra_stop_words
        self.drop_numbers = drop_numbers
        self.drop_urls = drop_urls
        self.drop_emails = drop_emails
        self.strip_headers = strip_headers
        self.strip_quotes = strip_quotes
        self.strip_signatures = strip_signatures
        self.dtype = dtype

    # -- validation ----------------------------------------------------------
    def _validated(self) -> dict[str, Any]:
        """Check the parameters; return derived values (parameters untouched)."""
        owner = type(self).__name__
        for name in ("sublinear_tf", "stem", "phrases"):
            _check_bool(getattr(self, name), name, owner)
        df = {}
        for name in ("min_df", "max_df"):
            value = getattr(self, name)
            ok = not isinstance(value, (bool, np.bool_)) and (
                (isinstance(value, Integral) and value >= 1)
                or (isinstance(value, Real) and 0.0 < value <= 1.0)
            )
            if not ok:
                raise InputError(
                    f"The '{name}' parameter of {owner} must be an int >= 1 (documents) or a "
                    f"float in (0, 1] (fraction of documents). Got {value!r}."
                )
            df[name] = int(value) if isinstance(value, Integral) else float(value)
        if self.max_features is not None:
            _check_int(self.max_features, "max_features", owner, 1)
        if self.phrase_min_count != "auto":
            try:
                _check_int(self.phrase_min_count, "phrase_min_count", owner, 1)
            except InputError:
                raise InputError(
                    f"The 'phrase_min_count' parameter of {owner} must be an int >= 1 or 'auto'. "
                    f"Got {self.phrase_min_count!r}."
                ) from None
        t = self.phrase_threshold
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, Real) or not -1.0 <= t <= 1.0:
            raise InputError(
                f"The 'phrase_threshold' parameter of {owner} must be a float in [-1, 1]. "
                f"Got {t!r}."
            )
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise InputError(
                f"The 'dtype' parameter of {owner} must be one of 'float32', 'float64'. "
                f"Got {self.dtype!r}."
            )
        try:
            tokenizer = Tokenizer(**self._tokenizer_params())
        except InputError as exc:
            message = str(exc).replace(" of Tokenizer ", f" of {owner} ", 1)
            raise InputError(message) from None
        return {"dtype": dtype.type, "tokenizer": tokenizer, **df}

    def _tokenizer_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in Tokenizer._PARAMS}

    @staticmethod
    def _check_texts(texts: Any, where: str) -> list[str]:
        if isinstance(texts, (str, bytes)):
            raise InputError(
                f"TextVectorizer.{where} expects a collection of texts and got a single "
                f"{type(texts).__name__}; wrap it in a list."
            )
        if not isinstance(texts, Iterable):
            raise InputError(
                f"TextVectorizer.{where} expects a collection of texts (str). "
                f"Got {type(texts).__name__}."
            )
        texts = texts if isinstance(texts, list) else list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(
                    f"Text {i} passed to TextVectorizer.{where} is a {type(text).__name__}, "
                    "not a str; decode or convert the texts first."
                )
        return texts

    # -- fitting ---------------------------------------------------------------
    def fit(self, texts: Iterable[str], y: Any = None) -> TextVectorizer:
        """Learn the phrases, stems, vocabulary and idf of `texts`.

        Parameters
        ----------
        texts : iterable of str of length n_docs
            The training texts.
        y : None
            Ignored.

        Returns
        -------
        self : TextVectorizer
            The fitted vectorizer.
        """
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Iterable[str], y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary and idf of `texts` and return their TF-IDF matrix.

        Parameters
        ----------
        texts : iterable of str of length n_docs
            The training texts.
        y : None
            Ignored.

        Returns
        -------
        X : scipy.sparse.csr_matrix of shape (n_docs, n_terms)
            Non-negative TF-IDF weights, each non-empty row of unit L2 norm.
        """
        return self._fit(texts, "fit", keep_tokens=False)[0]

    def fit_transform_tokenize(self, texts: Iterable[str]) -> tuple[sp.csr_matrix, list[list[str]]]:
        """Fit; return the TF-IDF matrix and the token streams of `texts`.

        The same as ``(fit_transform(texts), tokenize(texts))``, but each text
        is tokenized once instead of twice.

        Parameters
        ----------
        texts : iterable of str of length n_docs
            The training texts.

        Returns
        -------
        X : scipy.sparse.csr_matrix of shape (n_docs, n_terms)
            Non-negative TF-IDF weights, each non-empty row of unit L2 norm.
        tokens : list of list of str
            One token list per text, as :meth:`tokenize` gives it.
        """
        return self._fit(texts, "fit_transform_tokenize", keep_tokens=True)

    def _fit(
        self, texts: Iterable[str], where: str, keep_tokens: bool
    ) -> tuple[sp.csr_matrix, list[list[str]] | None]:
        texts = self._check_texts(texts, where)
        if not texts:
            raise InputError(
                f"No texts were passed to TextVectorizer.{where}; pass at least one text."
            )
        p = self._validated()
        tokenizer = p["tokenizer"]
        phrases: list[tuple[str, str]] = []
        if self.phrases:
            streams = [tokenizer.tokenize_with_breaks(t) for t in texts]
            phrases = _find_phrases(streams, self.phrase_min_count, self.phrase_threshold)
            analyzer = _Analyzer(tokenizer, phrases, stem=self.stem)
            phrase_map = analyzer._phrase_map
            streams = [_join_phrases(s, phrase_map) for s in streams]
        else:
            analyzer = _Analyzer(tokenizer, None, stem=self.stem)
            # without stems or phrases scikit-learn tokenizes text by text
            need = self.stem or keep_tokens
            streams = [tokenizer(t) for t in texts] if need else None

        surface_counts: Counter[str] = Counter()
        terms = streams
        if self.stem:
            stems = analyzer._stems
            for s in streams:
                surface_counts.update(s)
            terms = [list(map(stems.__getitem__, s)) for s in streams]
        if streams is not None and not any(streams):
            self._raise_no_tokens(where)

        tfidf = TfidfVectorizer(
            tokenizer=analyzer,
            token_pattern=None,
            lowercase=False,
            min_df=p["min_df"],
            max_df=p["max_df"],
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            dtype=p["dtype"],
        )
        try:
            X = tfidf.fit_transform(terms if terms is not None else texts)
        except ValueError as exc:
            msg = str(exc)
            if "empty vocabulary" in msg:
                self._raise_no_tokens(where)
            if "no terms remain" in msg or "max_df corresponds to" in msg:
                raise InputError(
                    f"No terms are left in the texts passed to TextVectorizer.{where} after "
                    f"keeping those in at least min_df={self.min_df!r} and at most "
                    f"max_df={self.max_df!r} of the {len(texts)} documents; lower 'min_df' or "
                    "raise 'max_df'."
                ) from None
            raise

        self.tokenizer_ = tokenizer
        self.phrases_ = phrases
        self.n_docs_ = len(texts)
        self._tfidf = tfidf
        self._analyzer = analyzer
        self.vocabulary_ = tfidf.vocabulary_
        self.display_words_ = self._display_words(surface_counts) if self.stem else {}
        self._set_feature_names()
        if not keep_tokens:
            return X, None
        shown = self._display_map()
        return X, [list(map(shown.__getitem__, s)) for s in streams]

    def _raise_no_tokens(self, where: str) -> None:
        raise InputError(
            f"No tokens are left in the texts passed to TextVectorizer.{where} after removing stop "
            f"words, numbers and tokens shorter than min_length={self.min_length!r}; pass texts "
            "with words, or use stop_words=None or a smaller 'min_length'."
        )

    def _display_words(self, surface_counts: Counter[str]) -> dict[str, str]:
        """The most frequent surface form of each vocabulary stem (ties: alphabetical)."""
        stems = self._analyzer._stems
        vocab = self._tfidf.vocabulary_
        best: dict[str, tuple[int, str]] = {}
        for word, count in surface_counts.items():
            stem = stems[word]
            if stem not in vocab:
                continue
            current = best.get(stem)
            if current is None or count > current[0] or (count == current[0] and word < current[1]):
                best[stem] = (count, word)
        return {stem: word for stem, (_, word) in sorted(best.items())}

    def _set_feature_names(self) -> None:
        terms = np.empty(len(self.vocabulary_), dtype=object)
        for term, col in self.vocabulary_.items():
            terms[col] = self.display_words_.get(term, term)
        self._feature_names = terms

    @property
    def idf_(self) -> np.ndarray:
        """ndarray of shape (n_terms,): inverse document frequencies."""
        check_is_fitted(self, "vocabulary_")
        return self._tfidf.idf_

    # -- using -------------------------------------------------------------------
    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Return the TF-IDF matrix of `texts` over the fitted vocabulary.

        Parameters
        ----------
        texts : iterable of str of length n_docs
            The texts.

        Returns
        -------
        X : scipy.sparse.csr_matrix of shape (n_docs, n_terms)
            Non-negative TF-IDF weights, each non-empty row of unit L2 norm.
        """
        check_is_fitted(self, "vocabulary_")
        texts = self._check_texts(texts, "transform")
        return self._tfidf.transform(texts)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the display word of each column.

        Parameters
        ----------
        input_features : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        names : ndarray of str of shape (n_terms,)
            The words aligned with the matrix columns: a stem is shown as its
            most frequent word, a phrase as ``first_second``.
        """
        check_is_fitted(self, "vocabulary_")
        return self._feature_names.copy()

    def tokenize(self, texts: Iterable[str]) -> list[list[str]]:
        """Return each text as the stream of display tokens the model sees.

        Stop words and dropped tokens are removed, phrases joined and stems shown
        as their display word, so vocabulary terms appear exactly as in
        :meth:`get_feature_names_out` (tokens outside the vocabulary appear as
        written). Used for coherence measures.

        Parameters
        ----------
        texts : iterable of str of length n_docs
            The texts.

        Returns
        -------
        tokens : list of list of str
            One token list per text.
        """
        check_is_fitted(self, "vocabulary_")
        texts = self._check_texts(texts, "tokenize")
        surface, shown = self._analyzer.surface, self._display_map()
        return [list(map(shown.__getitem__, surface(t))) for t in texts]

    def _display_map(self) -> _Display:
        """A token -> display word map (one shared string per distinct word)."""
        return _Display(self._analyzer._stems, self.display_words_)

    # -- state ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the state of the fitted vectorizer as JSON-serialisable data.

        Returns
        -------
        state : dict
            Plain str, int, float, bool, None, lists and dicts: the parameters,
            the vocabulary in column order, the idf, the phrases and the
            display words of stems. :meth:`from_dict` rebuilds the vectorizer.
        """
        check_is_fitted(self, "vocabulary_")
        # what transform depends on is taken from the fitted parts, so that a
        # set_params after fit does not leak into the state
        params = {
            **self.get_params(),
            **self.tokenizer_.get_params(),
            "stem": self._analyzer.stem,
            "phrases": self._analyzer.phrases is not None,
            "sublinear_tf": self._tfidf.sublinear_tf,
            "dtype": np.dtype(self._tfidf.dtype).name,
        }
        for name, value in params.items():
            if isinstance(value, np.generic):
                params[name] = value.item()
            elif isinstance(value, (tuple, list, set, frozenset)):
                params[name] = sorted(set(value))
        terms = [None] * len(self.vocabulary_)
        for term, col in self.vocabulary_.items():
            terms[col] = term
        return {
            "format": _STATE_FORMAT,
            "version": _STATE_VERSION,
            "params": params,
            "vocabulary": terms,
            "idf": [float(v) for v in self.idf_],
            "phrases": [[a, b] for a, b in self.phrases_],
            "display_words": dict(self.display_words_),
            "n_docs": self.n_docs_,
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> TextVectorizer:
        """Rebuild a fitted vectorizer from :meth:`to_dict` output.

        Parameters
        ----------
        state : dict
            The output of :meth:`to_dict` (possibly through ``json``).

        Returns
        -------
        vectorizer : TextVectorizer
            A fitted vectorizer whose ``transform`` equals the original's.

        Raises
        ------
        ValueError
            (:class:`~topicnmf.errors.InputError`) when `state` is malformed.
        """

        def bad(what: str) -> InputError:
            return InputError(f"The state passed to TextVectorizer.from_dict is malformed: {what}.")

        if not isinstance(state, Mapping):
            raise bad(f"expected a dict, got {type(state).__name__}")
        if state.get("format") != _STATE_FORMAT:
            raise bad(f"'format' must be {_STATE_FORMAT!r}, got {state.get('format')!r}")
        if state.get("version") != _STATE_VERSION:
            raise bad(f"'version' must be {_STATE_VERSION}, got {state.get('version')!r}")
        missing = [k for k in ("params", "vocabulary", "idf", "phrases", "display_words", "n_docs")
                   if k not in state]
        if missing:
            raise bad(f"missing key(s) {', '.join(map(repr, missing))}")
        params = state["params"]
        if not isinstance(params, Mapping):
            raise bad("'params' must be a dict")
        unknown = sorted(set(params) - set(cls._get_param_names()))
        if unknown:
            raise bad(f"unknown parameter(s) {', '.join(map(repr, unknown))} in 'params'")
        vocab, idf = state["vocabulary"], state["idf"]
        if not isinstance(vocab, list) or not all(isinstance(t, str) for t in vocab):
            raise bad("'vocabulary' must be a list of str")
        if len(set(vocab)) != len(vocab) or not vocab:
            raise bad("'vocabulary' must be a non-empty list of distinct terms")
        if (
            not isinstance(idf, list)
            or len(idf) != len(vocab)
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in idf)
        ):
            raise bad(f"'idf' must be a list of {len(vocab)} numbers, one per vocabulary term")
        phrases = state["phrases"]
        if not isinstance(phrases, list) or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(w, str) for w in p)
            for p in phrases
        ):
            raise bad("'phrases' must be a list of [str, str] pairs")
        display = state["display_words"]
        if not isinstance(display, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in display.items()
        ):
            raise bad("'display_words' must be a dict of str to str")
        n_docs = state["n_docs"]
        if isinstance(n_docs, bool) or not isinstance(n_docs, int) or n_docs < 1:
            raise bad("'n_docs' must be a positive int")

        params = dict(params)
        if "dtype" in params:
            params["dtype"] = getattr(np, str(params["dtype"]), params["dtype"])
        for name in ("stop_words", "extra_stop_words"):
            if isinstance(params.get(name), list):
                params[name] = tuple(params[name])
        vec = cls(**params)
        try:
            p = vec._validated()
        except InputError as exc:
            raise bad(f"invalid 'params' ({exc})") from None
        if bool(phrases) and not vec.phrases:
            raise bad("'phrases' is not empty but params['phrases'] is False")
        phrase_list = [(a, b) for a, b in phrases]
        analyzer = _Analyzer(p["tokenizer"], phrase_list if vec.phrases else None, stem=vec.stem)
        tfidf = TfidfVectorizer(
            tokenizer=analyzer,
            token_pattern=None,
            lowercase=False,
            vocabulary={t: i for i, t in enumerate(vocab)},
            sublinear_tf=vec.sublinear_tf,
            dtype=p["dtype"],
        )
        tfidf.idf_ = np.asarray(idf, dtype=p["dtype"])
        vec.tokenizer_ = p["tokenizer"]
        vec.phrases_ = phrase_list
        vec.n_docs_ = n_docs
        vec._tfidf = tfidf
        vec._analyzer = analyzer
        vec.vocabulary_ = tfidf.vocabulary_
        vec.display_words_ = dict(display)
        vec._set_feature_names()
        return vec

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
