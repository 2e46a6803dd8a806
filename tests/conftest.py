"""Small fixtures shared by the test modules, and the count line of the hostile-input suites."""

from pathlib import Path

import pytest

from topicnmf import TextVectorizer, TopicModel, read_corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = ROOT / "corpora" / "eight_themes"
SHARED_20NG = ROOT.parent / "shared" / "corpora" / "20ng"


@pytest.fixture(scope="session")
def sample_corpus_dir():
    """The sample corpus that ships in ``corpora/eight_themes`` (one folder per theme)."""
    if not SAMPLE_CORPUS.is_dir():
        pytest.skip("corpora/eight_themes is not there")
    return SAMPLE_CORPUS


@pytest.fixture(scope="session")
def twenty_ng_dir():
    """``../shared/corpora/20ng``; tests that use it skip where it is absent."""
    if not (SHARED_20NG / "docs.jsonl.gz").is_file():
        pytest.skip("../shared/corpora/20ng is not there")
    return SHARED_20NG


THREE_THEMES = [
    "the striker scored a goal and the goalkeeper could not stop the penalty",
    "the referee gave a penalty after the defender fouled the striker in the match",
    "bake the bread in a hot oven until the crust is golden and crisp",
    "knead the dough, let the bread rise, then bake it in the oven",
    "the telescope showed saturn's rings and the moons of jupiter",
    "astronomers watched the comet cross the night sky through a telescope",
] * 3


@pytest.fixture
def three_themes():
    """Eighteen short documents on football, baking and astronomy."""
    return list(THREE_THEMES)


@pytest.fixture(scope="session")
def model(sample_corpus_dir):
    """A TopicModel fitted once on the sample corpus (K = 8); tests must not change it."""
    return TopicModel(n_topics=8, random_state=0).fit(read_corpus(sample_corpus_dir))


@pytest.fixture(scope="session")
def small_model():
    """A TopicModel fitted once on ``THREE_THEMES`` (K = 3, every word kept)."""
    return TopicModel(n_topics=3, vectorizer=TextVectorizer(min_df=1), random_state=0).fit(THREE_THEMES)


_HOSTILE = pytest.StashKey[dict]()


@pytest.fixture
def hostile_results(request):
    """``{suite: {case: clean}}``: hostile-input suites record each case here for the count line."""
    return request.config.stash.setdefault(_HOSTILE, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One count line per hostile-input suite, e.g. ``hostile CLI: 44 cases: 44 clean``."""
    for suite, cases in sorted(config.stash.get(_HOSTILE, {}).items()):
        clean = sum(cases.values())
        terminalreporter.write_line(f"{suite}: {len(cases)} cases: {clean} clean")


NEWS_SECTIONS = ["rec.sport.hockey", "sci.space", "sci.crypt", "soc.religion.christian", "rec.autos"]


@pytest.fixture(scope="session")
def news_sections(twenty_ng_dir):
    """A news-like sample of 20 Newsgroups: five groups as sections, 300 posts of 100 words or
    more each, spread at random over three month windows; ``(texts, labels, months)``."""
    import gzip
    import json

    import numpy as np

    rng = np.random.RandomState(0)
    with gzip.open(twenty_ng_dir / "docs_clean.jsonl.gz", "rt", encoding="utf-8") as lines:
        rows = [row for row in map(json.loads, lines)
                if row["label"] in NEWS_SECTIONS and len(row["text"].split()) >= 100]
    texts, labels = [], []
    for section in NEWS_SECTIONS:
        posts = [row["text"] for row in rows if row["label"] == section]
        for i in rng.choice(len(posts), 300, replace=False):
            texts.append(posts[i])
            labels.append(section)
    months = [f"month{m + 1}" for m in rng.randint(0, 3, len(texts))]
    return texts, labels, months
