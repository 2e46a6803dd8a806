"""The report page in a real browser: headless Chromium driven by Selenium and the system chromedriver.

One browser session for the module. The page is loaded from a file; the tests check that it
logs no error and sends no request beyond the file itself (and its data: URIs), that clicking
a topic on the map selects it, that the relevance slider re-ranks the words as the formula
says (the expected order is computed here from the page's own embedded data), that the word
search lists the topics holding a word, and that nothing scrolls sideways at 420 px.
Skips, saying why, where no Chromium or chromedriver is installed (``.ci/run`` installs
Debian's ``chromium`` and ``chromium-driver`` when it runs as root).
"""

import json
import re
import shutil

import numpy as np
import pytest

from topicnmf import reporting

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install 'topicnmf[test]')")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    BROWSER is None or DRIVER is None,
    reason="no headless browser: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)
LAMBDA_STEP = 0.01


@pytest.fixture(scope="module")
def page(model, tmp_path_factory):
    """The sample model's report: its path and the data it embeds."""
    run_dir = tmp_path_factory.mktemp("browser")
    reporting.write_report(model, run_dir, measures=["c_npmi"])
    path = run_dir / "report.html"
    text = path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', text, re.S)
    return path, json.loads(match.group(1))


@pytest.fixture(scope="module")
def browser(page):
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-extensions", "--no-first-run", "--disable-background-networking"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.set_window_size(1200, 1000)
        driver.get(page[0].as_uri())
        yield driver
    finally:
        driver.quit()


def _ranked(data, topic, lam):
    """Words of a topic in the page's order at ``lam``, with their relevance."""
    entry = data["topics"][topic]
    words, p = np.asarray(entry["words"]), np.asarray(entry["p"])
    log_p, log_p_word = np.log(p), np.log(np.asarray(data["p_word"]))[words]
    r = lam * log_p + (1 - lam) * (log_p - log_p_word)
    order = np.lexsort((words, -p, -r))[: data["n_words"]]
    return [data["vocab"][w] for w in words[order]], r[order]


def _bars(browser):
    return [row.get_attribute("data-word") for row in browser.find_elements(By.CSS_SELECTOR, "#word-bars .bar-row")]


def _assert_order(shown, data, topic, lam):
    expected, relevance = _ranked(data, topic, lam)
    if shown != expected:  # only last-digit differences between JS and numpy logarithms may swap a tie
        value = dict(zip(*_ranked(data, topic, lam)))
        assert len(shown) == len(expected)
        assert all(abs(value.get(a, -np.inf) - r) < 1e-9 for a, r in zip(shown, relevance)), (lam, shown, expected)


def test_no_console_error_and_no_request_leaves_the_file(browser, page):
    assert browser.find_element(By.ID, "explorer").is_displayed(), "the script ran and showed the explorer"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert page[0].as_uri() in urls
    assert [u for u in urls if not u.startswith(("file:", "data:"))] == []


def test_click_a_topic_selects_it(browser, page):
    data = page[1]
    assert browser.find_element(By.ID, "topic-title").get_attribute("data-topic") == "0"
    circles = browser.find_elements(By.CSS_SELECTOR, "#topic-map circle")
    assert sorted(int(c.get_attribute("data-topic")) for c in circles) == list(range(len(data["topics"])))
    radii = {int(c.get_attribute("data-topic")): float(c.get_attribute("r")) for c in circles}
    shares = [t["share"] for t in data["topics"]]
    assert np.argsort(-np.array([radii[t] for t in range(len(shares))]), kind="stable").tolist() == np.argsort(
        -np.array(shares), kind="stable"
    ).tolist(), "the larger share, the larger circle"
    on_top = browser.execute_script(
        "return Array.from(document.querySelectorAll('#topic-map circle')).filter(function (c) {"
        " var box = c.getBoundingClientRect();"
        " return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === c;"
        "}).map(function (c) { return parseInt(c.getAttribute('data-topic'), 10); });"
    )
    target = max(t for t in on_top if t != 0)  # a topic whose centre no other circle covers
    browser.find_element(By.CSS_SELECTOR, f'#topic-map circle[data-topic="{target}"]').click()
    title = browser.find_element(By.ID, "topic-title")
    assert title.get_attribute("data-topic") == str(target)
    assert title.text == f"Topic {target}: {data['topics'][target]['label']}"
    selected = browser.find_elements(By.CSS_SELECTOR, "#topic-map circle.selected")
    assert [c.get_attribute("data-topic") for c in selected] == [str(target)]
    _assert_order(_bars(browser), data, target, 1.0)
    shown_docs = browser.find_elements(By.CSS_SELECTOR, "#topic-docs .doc strong")
    assert [d.text for d in shown_docs] == [doc[0] for doc in data["topics"][target]["docs"]]


def test_slider_reranks_words_by_relevance(browser, page):
    data = page[1]
    topic = 1
    Select(browser.find_element(By.ID, "topic-select")).select_by_value(str(topic))
    assert browser.find_element(By.ID, "topic-title").get_attribute("data-topic") == str(topic)
    slider = browser.find_element(By.ID, "lambda")
    at_one = _bars(browser)
    _assert_order(at_one, data, topic, 1.0)
    slider.send_keys(Keys.HOME)
    assert browser.find_element(By.ID, "lambda-value").text == "0.00"
    at_zero = _bars(browser)
    _assert_order(at_zero, data, topic, 0.0)
    assert at_zero != at_one, "lift ranks the words otherwise than weight"
    for _ in range(60):
        slider.send_keys(Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "lambda-value").text == "0.60"
    _assert_order(_bars(browser), data, topic, 60 * LAMBDA_STEP)
    slider.send_keys(Keys.END)


def test_search_lists_the_topics_that_hold_a_word(browser, page):
    data = page[1]
    word = data["vocab"][data["topics"][2]["words"][0]]
    box = browser.find_element(By.ID, "word-search")
    box.clear()
    box.send_keys(word.upper())
    holders = []
    for topic in data["topics"]:
        for w, p in zip(topic["words"], topic["p"]):
            if data["vocab"][w] == word:
                holders.append((-min(1.0, topic["share"] * p / data["p_word"][w]), topic["topic"]))
    expected = [str(t) for _, t in sorted(holders)]
    item = browser.find_element(By.CSS_SELECTOR, f'#search-results li[data-word="{word}"]')
    buttons = item.find_elements(By.CSS_SELECTOR, "button.topic-link")
    assert [b.get_attribute("data-topic") for b in buttons] == expected
    assert "2" in expected
    found = browser.find_elements(By.CSS_SELECTOR, "#topic-map circle.found")
    assert sorted(c.get_attribute("data-topic") for c in found) == sorted(expected)
    buttons[-1].click()
    assert browser.find_element(By.ID, "topic-title").get_attribute("data-topic") == expected[-1]
    assert browser.find_element(By.ID, "topic-select").get_attribute("value") == expected[-1]
    box.clear()
    box.send_keys("zzzz-no-such-word")
    assert "No topic holds" in browser.find_element(By.ID, "search-results").text


def test_no_sideways_scrolling_at_420_px(browser, page):
    try:
        browser.set_window_size(420, 900)
        browser.get(page[0].as_uri())
        width = browser.execute_script("return window.innerWidth")
        assert width <= 420
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 420
        assert browser.find_element(By.ID, "topic-map").size["width"] <= width
    finally:
        browser.set_window_size(1200, 1000)


def test_dynamic_report_shows_topics_over_time(browser, tmp_path):
    """The report of a dynamic run: its Topics over time section shows the plot and the tables,
    logs no error and scrolls nothing sideways at 420 px."""
    from topicnmf import DynamicTopicModel, TextVectorizer

    rng = np.random.RandomState(0)
    themes = {"football": "striker goal penalty referee match league", "baking": "oven bread dough bake crust flour"}
    texts, times = [], []
    for month in ("2016-01", "2016-02"):
        for words in themes.values():
            texts += [" ".join(rng.choice(words.split(), 5)) for _ in range(10)]
            times += [month] * 10
    model = DynamicTopicModel(2, window_topics=2, random_state=0,
                              vectorizer=TextVectorizer(min_df=1, max_df=1.0)).fit(texts, times=times)
    reporting.write_outputs(model, tmp_path / "run")
    try:
        browser.get_log("browser")  # drop the earlier page's entries
        browser.set_window_size(420, 900)
        browser.get((tmp_path / "run" / "report.html").as_uri())
        heading = browser.find_element(By.ID, "over-time")
        assert heading.text == "Topics over time"
        image = browser.find_element(By.CSS_SELECTOR, "h2#over-time ~ figure img")
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 0
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 420
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        browser.set_window_size(1200, 1000)
