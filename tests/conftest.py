"""Small fixtures shared by the test modules."""

from pathlib import Path

import pytest

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
