"""The plain scikit-learn recipe as a user would script it: a folder in, topics and doc-topics out.

    python benchmarks/sklearn_recipe.py FOLDER OUT_DIR [K]
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_files
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer


def main(folder: str, out_dir: str, k: int = 20) -> None:
    data = load_files(folder, encoding="utf-8", decode_error="replace")
    vectorizer = TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95)
    X = vectorizer.fit_transform(data.data)
    nmf = NMF(n_components=k, init="nndsvda", random_state=0)
    W = nmf.fit_transform(X)
    words = vectorizer.get_feature_names_out()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    top = np.argsort(-nmf.components_, axis=1)[:, :10]
    pd.DataFrame(
        [(t, r, words[j], nmf.components_[t, j]) for t in range(k) for r, j in enumerate(top[t])],
        columns=["topic", "rank", "word", "weight"],
    ).to_csv(out / "topics.csv", index=False)
    table = pd.DataFrame(W, columns=[f"topic_{t}" for t in range(k)])
    table.insert(0, "doc_id", data.filenames)
    table["top_topic"] = W.argmax(axis=1)
    table.to_csv(out / "doc_topics.csv", index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 20)
