"""Tests of topicnmf.preprocessing.tokenizer: stop words and the Tokenizer."""

import pickle
import re

import pytest
from sklearn.base import clone

from topicnmf.errors import InputError
from topicnmf.preprocessing import Tokenizer, clean_text, english_stop_words

# ---------------------------------------------------------------------------
# Stop words


def test_english_stop_words_is_a_frozenset_with_fragments_and_filler():
    words = english_stop_words()
    assert isinstance(words, frozenset)
    assert {"the", "and", "of", "ve", "ll", "don", "don't", "thanks", "hi", "just"} <= words
    assert not {"computer", "system", "space", "car", "new"} & words
    assert all(w == w.lower() and w.strip() == w and w for w in words)


def test_stop_word_file_has_a_comment_header():
    from importlib import resources

    text = resources.files("topicnmf").joinpath("data/stopwords_en.txt").read_text("utf-8")
    assert text.startswith("# English stop words")


# ---------------------------------------------------------------------------
# Tokenizer


@pytest.mark.parametrize(
    "text, kwargs, expected",
    [
        # case
        ("Hello GALAXY Orbit", {}, ["galaxy", "orbit"]),
        ("Galaxy orbit The", {"lowercase": False}, ["Galaxy", "orbit"]),
        # letters beyond ASCII; underscores separate (they are kept for phrases)
        ("Café naïve ÉCOLE", {}, ["café", "naïve", "école"]),
        ("foo_bar __init__", {}, ["foo", "bar", "init"]),
        # punctuation separates tokens and is dropped
        ("galaxy, orbit! (rocket) -- foo...bar", {}, ["galaxy", "orbit", "rocket", "foo", "bar"]),
        # URLs and e-mail addresses go whole
        ("see http://example.com/a?b=1 and www.foo.org/x now", {}, []),
        ("see http://example.com now", {"drop_urls": False}, ["http", "example", "com"]),
        ("mail john.doe@example.com <a1.b@host.edu> today", {}, ["mail", "today"]),
        ("mail john.doe@example.com", {"drop_emails": False}, ["mail", "john", "doe", "example", "com"]),
        # numbers: pure numbers dropped, letters-and-digits kept
        ("in 1993 the 486 ran mp3 and x11, 3.14 1,000", {}, ["ran", "mp3", "x11"]),
        ("in 1993 the 486 ran mp3", {"drop_numbers": False}, ["1993", "486", "ran", "mp3"]),
        # apostrophes: contractions whole (so they are stop words), possessive dropped
        ("don't I've we'll you're isn't", {}, []),
        ("don\u2019t I\u2019ve", {}, []),
        ("BMW's o'brien rock'n'roll students' 'quoted'", {}, ["bmw", "o'brien", "rock'n'roll", "students", "quoted"]),
        ("don't it's", {"stop_words": None, "min_length": 1}, ["don't", "it"]),
        # minimum length
        ("a ox car cars", {"stop_words": None}, ["ox", "car", "cars"]),
        ("a ox car cars", {"stop_words": None, "min_length": 4}, ["cars"]),
        # stop words: the shipped list, none, your own, extra ones
        ("the galaxy", {"stop_words": None}, ["the", "galaxy"]),
        ("the galaxy cat", {"stop_words": ["cat"]}, ["the", "galaxy"]),
        ("the galaxy cat", {"extra_stop_words": ["Cat"]}, ["galaxy"]),
        ("The Cat THE cat", {"lowercase": False, "extra_stop_words": ["cat"]}, []),
    ],
)
def test_tokenizer(text, kwargs, expected):
    assert Tokenizer(**kwargs)(text) == expected


MAIL = """From: jdoe@univ.edu (John Doe)
Subject: Re: Re: Shuttle launch window
Organization: University of Somewhere
Lines: 12

In article <1993Apr1.123@host.com>, someone@else.com (Someone Else) writes:
> the orbit decayed quickly
>>In article <1@b.com> crater@moon.edu (Crater Person) wrote:
> |> telescope mirror

The launch window opens tomorrow.

--
John Doe  |  Department of Philosophy  |  555-1234
"""


def test_tokenizer_strips_headers_and_signature_but_keeps_subject_and_quotes():
    tokens = Tokenizer()(MAIL)
    assert tokens[:3] == ["shuttle", "launch", "window"]
    gone = ("organization", "university", "lines", "jdoe", "article", "crater", "philosophy", "department")
    for word in gone:
        assert word not in tokens
    assert {"orbit", "telescope", "tomorrow"} <= set(tokens)


def test_tokenizer_strip_quotes_drops_quoted_and_attribution_lines():
    tokens = Tokenizer(strip_quotes=True)(MAIL)
    assert tokens == ["shuttle", "launch", "window", "launch", "window", "opens", "tomorrow"]


def test_tokenizer_without_stripping_sees_the_whole_mail():
    tokens = Tokenizer(strip_headers=False, strip_signatures=False)(MAIL)
    assert {"organization", "university", "lines", "philosophy", "article"} <= set(tokens)


@pytest.mark.parametrize(
    "text",
    [
        "Summary: the orbit of the moon\nDate: today\n\nBody text here.",
        "To: whom it may concern\nBody text here.",
        "From: a single header-like line\n\nBody text here.",
        "In article 5 of the treaty, the states agree.\nBody text here.",
    ],
)
def test_header_stripping_leaves_ordinary_text_alone(text):
    tok = Tokenizer()
    assert tok(text) == Tokenizer(strip_headers=False)(text)
    assert clean_text(text) == " ".join(text.split())


# A news-feed item as AG News carries it: markup escaped once, a stock link, entities.
FEED = ("Microsoft &lt;A HREF=\"http://www.investor.reuters.com/FullQuote.aspx?ticker=MSFT.O "
        "target=/stocks/quickinfo/fullquote\"&gt;MSFT.O&lt;/A&gt; shares rose &lt;b&gt;sharply&lt;/b&gt; "
        "at the caf&eacute; &amp; bar<br/><p>Analysts</p><!-- ad --><script>var lt = 1;</script>")


def test_tokenizer_drops_html_markup_and_decodes_references():
    assert Tokenizer()(FEED) == ["microsoft", "msft", "shares", "rose", "sharply", "café", "bar", "analysts"]
    raw = Tokenizer(strip_html=False)(FEED)
    assert {"lt", "gt", "href", "quickinfo", "fullquote", "eacute", "br", "var"} <= set(raw)
    assert "<b>sharply</b>" not in clean_text(FEED) and "sharply" in clean_text(FEED)
    assert "&lt;" in clean_text(FEED, strip_html=False)
    # references whose "&" a copy lost (AG News) are stop words; "#39;" leaves a number
    assert Tokenizer()("Rates quot;rise quot; at the bank#39;s desk") == ["rates", "rise", "bank", "desk"]


def test_unclosed_comments_and_scripts_run_to_the_end_in_one_pass():
    assert Tokenizer()("orbit <!-- hidden moon") == ["orbit"]
    assert Tokenizer()("orbit <script>var moon") == ["orbit"]
    # many unclosed openings: each match runs to the end (a rescan per opening would take minutes)
    for opening in ("<!--x ", "<script>x ", "<style>x "):
        assert clean_text("orbit " + opening * 50_000) == "orbit"
    unended = "orbit " + "<script x " * 50_000  # never a tag: no ">" before the next "<"
    assert clean_text(unended) == unended.strip()


@pytest.mark.parametrize(
    "text",
    [
        "if x < 3 and y > 2 then <grin> R&D at AT&T, Barnes&noble &copyright",
        "the b-tree <b-tree> and <id@host.com> stay",
        "ordinary prose without markup",
    ],
)
def test_html_stripping_leaves_prose_alone(text):
    assert Tokenizer()(text) == Tokenizer(strip_html=False)(text)
    assert clean_text(text) == " ".join(text.split())


def test_tokenize_with_breaks_marks_dropped_words_and_punctuation():
    tok = Tokenizer()
    assert tok.tokenize_with_breaks("New York is big. New York, mp3 1993") == [
        "new", "york", "", "big", "", "new", "york", "", "mp3", "",
    ]


def test_tokenizer_pickles_and_compares_by_parameters():
    tok = Tokenizer(min_length=3, extra_stop_words=("galaxy",), strip_quotes=True)
    tok(MAIL)  # compiled and cached: the cache is not pickled
    again = pickle.loads(pickle.dumps(tok))
    assert "_compiled" not in again.__dict__
    assert again == tok and hash(again) == hash(tok)
    assert again(MAIL) == tok(MAIL)
    assert again != Tokenizer(min_length=3)
    assert repr(tok) == "Tokenizer(extra_stop_words=('galaxy',), min_length=3, strip_quotes=True)"


def test_tokenizer_stores_its_parameters_and_follows_set_params():
    words = ["Orbit", "moon"]
    tok = Tokenizer(stop_words=words, min_length=0)  # stored, not checked, not copied
    assert tok.stop_words is words and tok.min_length == 0
    assert clone(tok).get_params() == tok.get_params()
    tok.set_params(min_length=1)
    assert tok("the orbit of a moon") == ["the", "of", "a"]
    tok.set_params(stop_words=None)
    assert tok("the orbit") == ["the", "orbit"]
    assert tok.stop_words is None and tok.min_length == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_length": 0}, "The 'min_length' parameter of Tokenizer must be an int >= 1. Got 0."),
        ({"min_length": 2.5}, "The 'min_length' parameter of Tokenizer must be an int >= 1. Got 2.5."),
        (
            {"stop_words": "french"},
            "The 'stop_words' parameter of Tokenizer must be 'english', None or a collection "
            "of str. Got 'french'.",
        ),
        (
            {"extra_stop_words": "foo"},
            "The 'extra_stop_words' parameter of Tokenizer must be a collection of str. Got 'foo'.",
        ),
        (
            {"stop_words": ["a", 1]},
            "The 'stop_words' parameter of Tokenizer must be a collection of str. Got an element 1.",
        ),
        ({"lowercase": "yes"}, "The 'lowercase' parameter of Tokenizer must be a bool. Got 'yes'."),
    ],
)
def test_tokenizer_rejects_bad_parameters_when_used(kwargs, message):
    tok = Tokenizer(**kwargs)  # construction only stores
    for use in (tok, tok.tokenize_with_breaks, tok.clean):
        with pytest.raises(InputError, match=re.escape(message)):
            use("orbit")
