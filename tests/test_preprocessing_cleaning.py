"""Tests of topicnmf.preprocessing.cleaning: mail structure, clean_text and snippet."""

import re

import pytest

from topicnmf.errors import InputError
from topicnmf.preprocessing import Tokenizer, clean_text, snippet

POST = """Newsgroups: sci.space
From: ann@lab.example.org (Ann Example)
Subject: Re: Comet tails
Organization: The Lab
Lines: 9

ann@lab.example.org wrote:
> Why do tails point away?
|> Solar wind, I think.

Radiation pressure pushes the dust.
--
Ann  |  The Lab  |  555-0000
"""


def test_clean_text_keeps_the_subject_and_the_body_on_one_line():
    assert clean_text(POST) == "Comet tails Radiation pressure pushes the dust."


def test_a_repeated_subject_field_and_reply_prefixes_go():
    post = "From: a@b.org\nSubject: Subject: Re: RE: 16550 v. 16550A\nLines: 2\n\nBody."
    assert clean_text(post) == "16550 v. 16550A Body."


def test_a_header_block_may_start_with_distribution():
    post = "Distribution: world\nFrom: a@b.org\nSubject: Quadra 900\nLines: 2\n\nBody."
    assert clean_text(post) == "Quadra 900 Body."


def test_clean_text_steps_can_be_switched_off():
    assert clean_text(POST, strip_quotes=False) == (
        "Comet tails > Why do tails point away? |> Solar wind, I think. Radiation pressure pushes the dust."
    )
    kept = clean_text(POST, strip_headers=False, strip_signatures=False)
    assert kept.startswith("Newsgroups: sci.space From:") and kept.endswith("555-0000")
    assert "wrote:" in kept and "> Why" not in kept


def test_clean_text_cleans_as_the_tokenizer_does():
    tok = Tokenizer(strip_quotes=True)
    assert tok(clean_text(POST)) == tok(POST)
    assert " ".join(tok.clean(POST).split()) == clean_text(POST)


@pytest.mark.parametrize(
    "text, max_chars, expected",
    [
        ("The launch window opens tomorrow.", 20, "The launch window\u2026"),
        ("The launch window opens tomorrow.", 33, "The launch window opens tomorrow."),
        ("The launch window opens tomorrow.", 32, "The launch window opens\u2026"),
        ("The launch window, opens", 19, "The launch window\u2026"),  # no dangling comma
        ("  short\n\n text  ", 20, "short text"),
        ("Supercalifragilistic", 8, "Superca\u2026"),  # one long word is cut inside
        (" " * 1000 + "late words arrive", 10, "late\u2026"),
        ("ab cd", 2, "a\u2026"),
    ],
)
def test_snippet(text, max_chars, expected):
    assert snippet(text, max_chars) == expected


def test_snippet_ends_on_a_word_of_the_text_within_the_limit():
    text = " ".join(f"word{i}" for i in range(200))
    for n in (7, 17, 40, 300):
        cut = snippet(text, n)
        assert len(cut) <= n and cut.endswith("\u2026")
        assert text.startswith(cut[:-1]) and text[len(cut) - 1] == " "


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: snippet("text", 1), "The 'max_chars' parameter of snippet must be an int >= 2. Got 1."),
        (lambda: snippet(None), "The text passed to snippet is a NoneType, not a str; pass one text."),
        (lambda: clean_text(b"x"), "The text passed to clean_text is a bytes, not a str; pass one text."),
        (
            lambda: clean_text("x", strip_quotes="no"),
            "The 'strip_quotes' parameter of clean_text must be a bool. Got 'no'.",
        ),
    ],
)
def test_errors(call, message):
    with pytest.raises(InputError, match=re.escape(message)):
        call()


@pytest.mark.slow
def test_no_snippet_of_20_newsgroups_starts_with_a_header(twenty_ng_dir):
    import pandas as pd

    texts = pd.read_json(twenty_ng_dir / "docs.jsonl.gz", lines=True)["text"].tolist()
    fields = "from|subject|organization|lines|nntp-posting-host|newsgroups|path|distribution|reply-to|message-id"
    header = re.compile(rf"^({fields}|sender|keywords|references|expires|article-i\.d\.|x-[\w-]+)\s*:", re.I)
    starts = [snippet(clean_text(t), 200) for t in texts]
    assert not [s for s in starts if header.match(s)]
    assert all(len(s) <= 200 for s in starts)
