"""The tokenizer: one text to lowercase word tokens, without stop words.

:class:`Tokenizer` is a scikit-learn style parameter holder: ``__init__`` stores,
a call validates the parameters (once per parameter set, cached) and compiles
them into a small picklable :class:`_Rules` object that does the work. The
vectorizer hands that object to its worker processes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

from sklearn.base import BaseEstimator

from topicnmf._validation import check_bool, check_int, keep_params, parameter_error
from topicnmf._docstrings import fill_doc
from topicnmf.errors import InputError
from topicnmf.preprocessing.cleaning import strip_mail, strip_markup

__all__ = ["Tokenizer", "english_stop_words"]

_STOP_WORDS_RESOURCE = "data/stopwords_en.txt"
#: the parameter of the methods that take one text (see ``topicnmf._docstrings``)
_documented = fill_doc({"one_text": "Parameters\n----------\ntext : str\n    One raw text."})

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


def _check_words(words: Any, name: str, owner: str) -> frozenset[str]:
    """A collection of str, lowercased."""
    if isinstance(words, (str, bytes)) or not isinstance(words, Iterable):
        raise parameter_error(name, owner, "a collection of str", words)
    words = list(words)
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise InputError(
            f"The '{name}' parameter of {owner} must be a collection of str. Got an element {bad[0]!r}."
        )
    return frozenset(w.lower() for w in words)


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a parameter value (collections as frozensets)."""
    if isinstance(value, (str, bytes)) or value is None:
        return value
    try:
        return frozenset(value)
    except TypeError:
        return ("unhashable", id(value))


class _Rules:
    """A tokenizer's validated parameters in the form one text goes through.

    ``drop`` holds the stop words (and ``""``); :meth:`keeps` decides for one
    distinct token whether it stays, so that encoders can decide once per word.
    """

    __slots__ = ("lowercase", "min_length", "drop", "drop_numbers", "drop_urls", "drop_emails",
                 "html", "headers", "quotes", "signatures", "clean")

    def __init__(self, *, lowercase, min_length, stop_set, drop_numbers, drop_urls, drop_emails,
                 strip_html, strip_headers, strip_quotes, strip_signatures):
        self.lowercase = lowercase
        self.min_length = min_length
        if not lowercase:
            stop_set = stop_set | {w.capitalize() for w in stop_set} | {w.upper() for w in stop_set}
        # "" stands for every match that is not a token, so one set lookup drops it
        self.drop = frozenset(stop_set | {""})
        self.drop_numbers = drop_numbers
        self.drop_urls = drop_urls
        self.drop_emails = drop_emails
        self.html = strip_html
        self.headers, self.quotes, self.signatures = strip_headers, strip_quotes, strip_signatures
        self.clean = strip_headers or strip_quotes or strip_signatures

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def strip(self, text: str) -> str:
        if self.html:
            text = strip_markup(text)
        return strip_mail(text, self.headers, self.quotes, self.signatures) if self.clean else text

    def prepare(self, text: str) -> str:
        """Clean, lowercase and blank out what is never a token."""
        text = self.strip(text)
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

    def matches(self, text: str, breaks: bool) -> list[str]:
        """Every word of `text` before filtering (with `breaks`, "" for punctuation runs)."""
        return (_TOKEN_OR_BREAK if breaks else _TOKEN).findall(self.prepare(text))

    def keeps(self, token: str) -> bool:
        """Whether one matched token stays (not a stop word, long enough, not a number)."""
        return not (
            token in self.drop
            or len(token) < self.min_length
            or (self.drop_numbers and token.isdigit())
        )

    def tokens(self, text: str) -> list[str]:
        tokens = _TOKEN.findall(self.prepare(text))
        drop, m = self.drop, self.min_length
        if self.drop_numbers:
            return [t for t in tokens if t not in drop and len(t) >= m and not t.isdigit()]
        return [t for t in tokens if t not in drop and len(t) >= m]

    def tokens_with_breaks(self, text: str) -> list[str]:
        keeps = self.keeps
        return [t if keeps(t) else "" for t in _TOKEN_OR_BREAK.findall(self.prepare(text))]


class Tokenizer(BaseEstimator):
    """Split a text into lowercase word tokens without stop words.

    One call cleans the text and runs one precompiled regular expression over it:
    HTML markup goes (the text between tags stays); URLs and e-mail addresses are
    dropped whole; punctuation separates tokens;
    internal apostrophes stay in the token ("don't", "o'brien", so a stop word
    like "don't" goes whole and leaves no "don"/"t" fragments), a possessive
    "'s" is dropped ("bmw's" -> "bmw"); stop words and tokens shorter than
    `min_length` are removed. The curly apostrophe (U+2019) counts as "'".
    The tokenizer is a plain picklable object; it needs no downloaded data.

    For e-mail and forum corpora it can first strip the header block (keeping
    the subject line), quoted replies and the signature
    (:func:`~topicnmf.preprocessing.clean_text` does the same for reading).
    These steps only fire on text that has the structure: a header block must
    start the text with a common field ("From:", "Subject:", ...), quoted lines
    start with ">", "|" or ": ", and a signature follows a line holding only "--".

    The parameters are stored as given and checked when the tokenizer is first
    used with them (scikit-learn's convention), so ``set_params`` and ``clone``
    work; :class:`~topicnmf.preprocessing.TextVectorizer` takes a tokenizer as
    its ``tokenizer`` parameter.

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
    strip_html : bool, default=True
        Decode HTML character references (``&amp;``, ``&#39;``, ``&eacute;``) and
        drop HTML markup: tags of HTML elements, comments, scripts and styles
        (:func:`~topicnmf.preprocessing.strip_markup`), so that text from
        web pages and news feeds, where markup is often escaped once
        (``&lt;a href=...&gt;``), gives no "lt", "gt" or "href" topics. Prose with
        "<" or "&" keeps them unless they form a tag or a reference.
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
        strip_html: bool = True,
        strip_headers: bool = True,
        strip_quotes: bool = False,
        strip_signatures: bool = True,
    ) -> None:
        keep_params(self, locals())

    # -- parameters ------------------------------------------------------------
    def _key(self) -> tuple:
        return tuple(_frozen(value) for value in self.get_params(deep=False).values())

    def _rules(self) -> _Rules:
        """Validate the parameters and compile them (cached until a parameter changes)."""
        key = self._key()
        cached = self.__dict__.get("_compiled")
        if cached is not None and cached[0] == key:
            return cached[1]
        owner = type(self).__name__
        stop_words = self.stop_words
        if isinstance(stop_words, str):
            if stop_words != "english":
                raise parameter_error("stop_words", owner, "'english', None or a collection of str", stop_words)
            stop_set = english_stop_words()
        elif stop_words is None:
            stop_set = frozenset()
        else:
            stop_set = _check_words(stop_words, "stop_words", owner)
        stop_set = stop_set | _check_words(self.extra_stop_words, "extra_stop_words", owner)
        flags = {
            name: check_bool(getattr(self, name), name, owner)
            for name in ("lowercase", "drop_numbers", "drop_urls", "drop_emails", "strip_html",
                         "strip_headers", "strip_quotes", "strip_signatures")
        }
        rules = _Rules(
            min_length=check_int(self.min_length, "min_length", owner, low=1), stop_set=stop_set, **flags
        )
        self.__dict__["_compiled"] = (key, rules)
        return rules

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_compiled", None)
        return state

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_params(deep=False) == self.get_params(deep=False)

    def __hash__(self) -> int:
        return hash(self._key())

    # -- the work --------------------------------------------------------------
    @_documented
    def clean(self, text: str) -> str:
        """Remove the markup and e-mail structure selected by the ``strip_*`` parameters.

        {{one_text}}

        Returns
        -------
        text : str
            The text without HTML markup, header block (subject kept), quoted
            lines and signature, as selected; whitespace is left as it is.
        """
        return self._rules().strip(text)

    @_documented
    def __call__(self, text: str) -> list[str]:
        """Tokenize one text.

        {{one_text}}

        Returns
        -------
        tokens : list of str
            The tokens in text order.
        """
        return self._rules().tokens(text)

    @_documented
    def tokenize_with_breaks(self, text: str) -> list[str]:
        """Tokenize one text, leaving ``""`` where a phrase may not continue.

        Every dropped word (stop word, short token, number, URL, e-mail) and
        every run of sentence punctuation becomes ``""``, so that two tokens are
        adjacent in the result only if they were adjacent words in the text.

        {{one_text}}

        Returns
        -------
        tokens : list of str
            Tokens and ``""`` separators.

        Examples
        --------
        >>> Tokenizer().tokenize_with_breaks("New York is big. New York, mp3 1993")
        ['new', 'york', '', 'big', '', 'new', 'york', '', 'mp3', '']
        """
        return self._rules().tokens_with_breaks(text)
