"""Cleaning of web, e-mail and news texts: HTML markup, header blocks, attributions,
quoted replies, signatures.

The tokenizer strips this structure before it looks for words; :func:`clean_text`
does the same for people (snippets of representative documents), and
:func:`snippet` cuts a text to a length on a word boundary. Each step only fires
on text that has the structure: HTML tags must name an HTML element, a header
block must start the text with a common field ("From:", "Subject:", ...), quoted
lines start with ">", "|" or ": ", and a signature follows a line holding only "--".
This module imports nothing beyond the standard library and topicnmf's validation.
"""

from __future__ import annotations

import html
import re

from topicnmf._validation import check_bool, check_int
from topicnmf.errors import InputError

__all__ = ["clean_text", "snippet", "strip_mail", "strip_markup"]

# HTML markup: comments, script and style elements with their content, and the tags
# of HTML elements (by name, so that "<grin>" or "x < 3 and y > 2" in prose stay).
# An unclosed comment, script or style runs to the end of the text, as in HTML, and a
# tag ends before the next "<": a failed attempt never rescans the rest of the text, so
# a text of many unclosed ones is still read in one pass.
_HTML_ELEMENTS = (
    "a|abbr|address|area|article|aside|b|base|bdi|bdo|big|blockquote|body|br|button|caption|center"
    "|cite|code|col|colgroup|dd|del|details|dfn|div|dl|dt|em|embed|figcaption|figure|font|footer|form"
    "|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|kbd|label|li|link|main|mark|meta|nav|nobr"
    "|noscript|object|ol|option|p|param|picture|pre|q|s|samp|section|select|small|source|span|strike"
    "|strong|sub|summary|sup|svg|table|tbody|td|textarea|tfoot|th|thead|title|tr|tt|u|ul|var|video|wbr"
)
_HTML_MARKUP = re.compile(
    r"<(?:!--.*?(?:-->|\Z)|(script|style)\b[^<>]*>.*?(?:</\1\s*>|\Z)|/?(?:" + _HTML_ELEMENTS + r")(?:[\s/][^<>]*)?>)",
    re.I | re.S,
)
# Character references, with their closing ";" only ("R&D", "Barnes&noble" stay as they are).
_HTML_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def strip_markup(text: str) -> str:
    """Remove HTML markup from one text (no checks).

    Character references ending in ``;`` are decoded first (``&amp;`` -> ``&``,
    ``&#39;`` -> ``'``, ``&eacute;`` -> ``é``), so markup escaped once, as news feeds often
    carry it (``&lt;b&gt;``), goes too. Then comments, ``script`` and ``style``
    elements with their content, and the tags of HTML elements are each
    replaced by a space; the text between tags stays. Text without ``&`` or
    ``<`` is returned as it is.

    Examples
    --------
    >>> strip_markup("Shares of &lt;A HREF='http://x.com/q?t=MSFT'&gt;Microsoft&lt;/A&gt; rose<br/>")
    'Shares of  Microsoft  rose '
    >>> strip_markup("if x < 3 and y > 2 <grin>")
    'if x < 3 and y > 2 <grin>'
    """
    if "&" in text:
        text = _HTML_REFERENCE.sub(lambda m: html.unescape(m.group()), text)
    if "<" in text:
        text = _HTML_MARKUP.sub(" ", text)
    return text


# E-mail and news headers: a block at the very start of a text whose first line
# is a common header field, followed by "Name: value" and continuation lines.
# Fields such as "Date:" or "Summary:" that also start ordinary documents are not
# accepted as the first line, and the block needs at least two lines.
_HEADER_FIRST = (
    r"(?:from|subject|newsgroups|path|message-id|organization|reply-to|sender|received|distribution"
    r"|return-path|relay-version|xref|nntp-posting-host|article-i\.d\.|x-[\w-]+)"
)
_HEADER_BLOCK = re.compile(
    _HEADER_FIRST + r"[ \t]*:[^\n]*\n(?:(?:[\w.-]+[ \t]*:|[ \t])[^\n]*(?:\n|\Z))+", re.I
)
# The subject's text, without "Re:" prefixes (nor a repeated "Subject:").
_SUBJECT = re.compile(r"^subject[ \t]*:[ \t]*((?:(?:re|subject)[ \t]*:[ \t]*)*)([^\n]*)", re.I | re.M)
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
_ELLIPSIS = "\u2026"


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


def _line_at(text: str, at: int) -> tuple[int, int]:
    """Start and end (after its newline) of the line of `text` holding position `at`."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, len(text) if end < 0 else end + 1


def _strip_attributions(text: str) -> str:
    """Remove the attribution lines of replies ("In article <...> ... writes:")."""
    spans = []
    for marker in _ATTRIBUTION_MARKERS:
        at = text.find(marker)
        while at >= 0:
            start, end = _line_at(text, at)
            if at - start <= _ATTRIBUTION_MAX_CHARS and not text[at + len(marker) : end].strip():
                spans.append((start, end))
            at = text.find(marker, end)
    at = text.find("In article")
    while at >= 0:
        start, end = _line_at(text, at)
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


def strip_mail(text: str, headers: bool, quotes: bool, signatures: bool) -> str:
    """Remove the selected e-mail structure from one text (no checks, no whitespace change).

    The header block goes, its ``Subject:`` text (without "Re:") is kept as the
    first line; with `headers`, attribution lines go too.
    """
    if headers:
        head = _HEADER_BLOCK.match(text)
        if head is not None:
            subject = _SUBJECT.search(head.group())
            body = text[head.end() :]
            text = f"{subject.group(2)}\n{body}" if subject else body
        text = _strip_attributions(text)
    if signatures and "\n--" in text:
        text = _strip_signature(text)
    if quotes:
        text = _QUOTED_LINE.sub("", text)
    return text


def clean_text(
    text: str,
    *,
    strip_headers: bool = True,
    strip_quotes: bool = True,
    strip_signatures: bool = True,
    strip_html: bool = True,
) -> str:
    """Clean one raw post for reading: markup and mail structure removed, whitespace collapsed.

    The same cleaning the tokenizer applies before it looks for words (see
    :class:`~topicnmf.preprocessing.Tokenizer`), followed by collapsing every run
    of whitespace to one space. Quoted replies are dropped by default here,
    since they are someone else's words; the tokenizer keeps them by default.

    Parameters
    ----------
    text : str
        One raw text.
    strip_headers : bool, default=True
        Drop a leading e-mail/news header block (its subject is kept) and the
        attribution lines of replies ("In article <...> ... writes:").
    strip_quotes : bool, default=True
        Drop quoted reply lines (starting with ">", "|" or ": ").
    strip_signatures : bool, default=True
        Drop the signature after a last "--" line (when at most 20 lines follow).
    strip_html : bool, default=True
        Decode HTML character references and drop HTML markup (:func:`strip_markup`).

    Returns
    -------
    text : str
        The cleaned text on one line.

    Examples
    --------
    >>> post = "From: ann@x.org\\nSubject: Re: Orbits\\n\\nIn article <1@y>, bob@y writes:\\n> old\\nNew  text.\\n--\\nAnn"
    >>> clean_text(post)
    'Orbits New text.'
    """
    if not isinstance(text, str):
        raise InputError(f"The text passed to clean_text is a {type(text).__name__}, not a str; pass one text.")
    flags = [
        check_bool(value, name, "clean_text")
        for name, value in (
            ("strip_headers", strip_headers),
            ("strip_quotes", strip_quotes),
            ("strip_signatures", strip_signatures),
        )
    ]
    if check_bool(strip_html, "strip_html", "clean_text"):
        text = strip_markup(text)
    return " ".join(strip_mail(text, *flags).split())


def snippet(text: str, max_chars: int = 300) -> str:
    """The start of a text for showing to people, cut on a word boundary.

    Whitespace is collapsed; a text longer than `max_chars` is cut after its last
    whole word that fits and ends with an ellipsis ("…"), so the result never
    exceeds `max_chars` characters. A first word longer than `max_chars` is cut
    inside the word. Clean raw posts first with :func:`clean_text`.

    Parameters
    ----------
    text : str
        The text.
    max_chars : int, default=300
        The most characters of the result, the ellipsis included (at least 2).

    Returns
    -------
    snippet : str
        The text itself when it fits, else its start and "…".

    Examples
    --------
    >>> snippet("The launch window opens tomorrow.", 20)
    'The launch window…'
    >>> snippet("  short\\n text ", 20)
    'short text'
    """
    if not isinstance(text, str):
        raise InputError(f"The text passed to snippet is a {type(text).__name__}, not a str; pass one text.")
    max_chars = check_int(max_chars, "max_chars", "snippet", low=2)
    # collapse only the start when it holds enough words (a prefix collapses to
    # a prefix of the whole collapsed text)
    head = text[: 2 * max_chars + 2]
    flat = " ".join(head.split())
    if len(flat) <= max_chars and len(head) < len(text):
        flat = " ".join(text.split())
    if len(flat) <= max_chars:
        return flat
    room = max_chars - 1  # one character for the ellipsis
    cut = flat[:room]
    if flat[room] != " ":  # the cut falls inside a word: back to its start
        space = cut.rfind(" ")
        if space > 0:
            cut = cut[:space]
    return (cut.rstrip(" ,;:-") or cut) + _ELLIPSIS
