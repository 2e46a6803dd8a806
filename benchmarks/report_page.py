"""The report page on 20 Newsgroups: size, time to build in Python, load time in headless Chromium.

    python benchmarks/report_page.py [--topics 20] [--loads 5]

Fits K topics to the raw posts (``docs.jsonl.gz``, as ``topicnmf fit`` does), writes the run
folder, and prints the page's size, the time to compute the explorer's data and render the page
(and the whole report with coherence and plots), the load time (navigation start to the end of
the load event, median of several loads, from ``performance.timing``) in headless Chromium, the
console errors, and how many representative snippets start with a mail header line.
Targets: at most 3 MB, load under 1 s, no snippet starting with a header line.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import TWENTY_NG

HEADER_LINE = re.compile(
    r"(from|subject|organization|lines|nntp-posting-host|distribution|reply-to|keywords|message-id|path"
    r"|newsgroups|sender|date|references|article-i\.d\.|x-[\w-]+)\s*:",
    re.I,
)


def load_times(page: Path, loads: int) -> tuple[list[float], list, int]:
    """Load times in ms, SEVERE console entries, and the scrollWidth at 420 px."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver_path = shutil.which("chromedriver")
    if browser is None or driver_path is None:
        sys.exit("no headless browser: install chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.set_window_size(1200, 1000)
        times = []
        for _ in range(loads):
            driver.get(page.as_uri())
            times.append(driver.execute_script(
                "var t = performance.timing; return t.loadEventEnd - t.navigationStart;"
            ))
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        driver.set_window_size(420, 900)
        driver.get(page.as_uri())
        width = driver.execute_script("return document.documentElement.scrollWidth")
    finally:
        driver.quit()
    return times, errors, width


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    path = TWENTY_NG / "docs.jsonl.gz"
    if not path.is_file():
        sys.exit(f"{path} is not there: the benchmark needs ../shared/corpora/20ng beside the checkout.")

    from topicnmf import TopicModel, read_corpus
    from topicnmf.reporting import representative_docs, write_outputs
    from topicnmf.reporting.explorer import explorer_data
    from topicnmf.reporting.page import PageData, render_page
    from topicnmf.reporting.tables import topic_summary

    corpus = read_corpus(path)
    start = time.perf_counter()
    model = TopicModel(n_topics=args.topics, random_state=0).fit(corpus)
    fit_time = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        start = time.perf_counter()
        write_outputs(model, out, corpus=corpus)
        outputs_time = time.perf_counter() - start
        page = out / "report.html"
        size = page.stat().st_size
        record = json.loads((out / "run.json").read_text())

        representatives = representative_docs(model, n=3)
        start = time.perf_counter()
        data = explorer_data(model, representatives=representatives)
        explorer_time = time.perf_counter() - start
        summary = topic_summary(model, measure=None)
        start = time.perf_counter()
        render_page(PageData(n_docs=len(model.doc_ids_), n_terms=len(model.vocabulary_), n_topics=model.n_topics_,
                             top_n=10, summary=summary, representatives=representatives, explorer=data))
        render_time = time.perf_counter() - start
        embedded = len(json.dumps(data))

        times, errors, width = load_times(page, args.loads)

    headers = [s for s in representatives["snippet"] if HEADER_LINE.match(s)]
    space = model.find_topics("space", n=1)
    print(f"20 Newsgroups, raw posts: {len(corpus):,} documents, k = {args.topics}, fit {fit_time:.1f} s")
    print(f"page size                  {size / 1e6:.2f} MB   (target 3 MB: {size / 3e6:.2f}x; explorer data {embedded / 1e6:.2f} MB)")
    print(f"explorer data in Python    {explorer_time:.2f} s")
    print(f"page render in Python      {render_time:.3f} s (the explorer's page without plots)")
    print(f"whole report in Python     {record['timings']['report']:.1f} s (coherence, plots, page); write_outputs {outputs_time:.1f} s")
    print(f"load in Chromium           median {statistics.median(times):.0f} ms over {len(times)} loads "
          f"(min {min(times):.0f}, max {max(times):.0f}; target 1000 ms: {statistics.median(times) / 1000:.2f}x)")
    print(f"console errors             {len(errors)}")
    print(f"scrollWidth at 420 px      {width}")
    print(f"representative snippets starting with a header line: {len(headers)} of {len(representatives)}"
          + (f" e.g. {headers[0][:60]!r}" if headers else ""))
    print(f"find_topics('space') first: topic {int(space['topic'].iloc[0])} {space['topic_label'].iloc[0]}")


if __name__ == "__main__":
    main()
