// The explorer of the topic report: an intertopic distance map, words ranked by relevance,
// representative documents and a word search, drawn from the JSON block #explorer-data.
// Plain DOM, no framework, nothing fetched; every text from the data goes in as text, never as markup.
(function () {
  "use strict";
  var source = document.getElementById("explorer-data");
  var root = document.getElementById("explorer");
  if (!source || !root) { return; }
  var data = JSON.parse(source.textContent);
  var topics = data.topics;
  var vocab = data.vocab;
  var logPWord = data.p_word.map(Math.log);
  var SVG = "http://www.w3.org/2000/svg";
  var selected = -1;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs) { node.setAttribute(name, attrs[name]); }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    for (var name in attrs) { node.setAttribute(name, attrs[name]); }
    return node;
  }
  function percent(x) { return (100 * x).toFixed(1) + "%"; }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  // -- the map: positions in [-1, 1], circle area proportional to share ------------------------
  var map = document.getElementById("topic-map");
  var SIZE = 400, PAD = 46, HALF = SIZE / 2;
  var maxShare = Math.max.apply(null, topics.map(function (t) { return t.share; }).concat([1e-12]));
  var RMAX = Math.max(14, Math.min(44, 150 / Math.sqrt(topics.length)));
  map.setAttribute("viewBox", "0 0 " + SIZE + " " + SIZE);
  map.appendChild(svgEl("line", { x1: HALF, y1: 4, x2: HALF, y2: SIZE - 4 }));
  map.appendChild(svgEl("line", { x1: 4, y1: HALF, x2: SIZE - 4, y2: HALF }));
  var circles = [];
  var order = topics.map(function (t, i) { return i; });
  order.sort(function (a, b) { return topics[b].share - topics[a].share || a - b; }); // small ones on top
  order.forEach(function (i) {
    var t = topics[i];
    var cx = HALF + (HALF - PAD) * t.x, cy = HALF - (HALF - PAD) * t.y;
    var r = Math.max(3, RMAX * Math.sqrt(t.share / maxShare));
    var circle = svgEl("circle", { cx: cx.toFixed(1), cy: cy.toFixed(1), r: r.toFixed(1), tabindex: "0",
                                   role: "button", "data-topic": String(t.topic) });
    var title = svgEl("title", {});
    title.textContent = "Topic " + t.topic + ": " + t.label + " (" + percent(t.share) + ")";
    circle.appendChild(title);
    circle.addEventListener("click", function () { select(t.topic); });
    circle.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(t.topic); }
    });
    map.appendChild(circle);
    circles[t.topic] = circle;
    var label = svgEl("text", { x: cx.toFixed(1), y: cy.toFixed(1) });
    label.textContent = String(t.topic);
    map.appendChild(label);
  });

  // -- the selected topic -------------------------------------------------------------------------
  var slider = document.getElementById("lambda");
  var sliderValue = document.getElementById("lambda-value");
  var bars = document.getElementById("word-bars");
  var chooser = document.getElementById("topic-select");

  // Words of topic t by relevance at lam, ties by larger p(w|t), then by term order.
  function ranked(t, lam) {
    var topic = topics[t], rows = [];
    for (var j = 0; j < topic.words.length; j++) {
      var w = topic.words[j], logP = Math.log(topic.p[j]);
      rows.push({ w: w, p: topic.p[j], r: lam * logP + (1 - lam) * (logP - logPWord[w]) });
    }
    rows.sort(function (a, b) { return b.r - a.r || b.p - a.p || a.w - b.w; });
    return rows.slice(0, data.n_words);
  }

  function drawBars() {
    if (selected < 0) { return; }
    var lam = parseFloat(slider.value);
    sliderValue.textContent = lam.toFixed(2);
    var rows = ranked(selected, lam), share = topics[selected].share;
    var top = Math.max.apply(null, rows.map(function (row) { return data.p_word[row.w]; }).concat([1e-12]));
    clear(bars);
    rows.forEach(function (row) {
      var line = el("div", { "class": "bar-row", "data-word": vocab[row.w] });
      line.appendChild(el("span", { "class": "word" }, vocab[row.w]));
      var track = el("span", { "class": "track" });
      var overall = el("span", { "class": "overall" }), inTopic = el("span", { "class": "intopic" });
      overall.style.width = (100 * data.p_word[row.w] / top).toFixed(2) + "%";
      inTopic.style.width = (100 * Math.min(share * row.p, data.p_word[row.w]) / top).toFixed(2) + "%";
      track.title = vocab[row.w] + ": " + percent(Math.min(1, share * row.p / data.p_word[row.w])) +
        " of its weight is in this topic";
      track.appendChild(overall);
      track.appendChild(inTopic);
      line.appendChild(track);
      bars.appendChild(line);
    });
  }

  function drawDocs(topic) {
    var box = document.getElementById("topic-docs");
    clear(box);
    if (!topic.docs.length) {
      box.appendChild(el("p", { "class": "note" }, "No document has this as its top topic."));
      return;
    }
    topic.docs.forEach(function (doc) {
      var item = el("div", { "class": "doc" });
      var meta = el("div", { "class": "meta" });
      meta.appendChild(el("strong", {}, doc[0]));
      var facts = " \u00b7 score " + doc[1].toFixed(3) + " \u00b7 " + percent(doc[2]) + " of the document";
      if (doc[4] !== null) { facts += " \u00b7 label " + doc[4]; }
      meta.appendChild(document.createTextNode(facts));
      item.appendChild(meta);
      item.appendChild(el("blockquote", {}, doc[3]));
      box.appendChild(item);
    });
  }

  function select(t) {
    if (selected >= 0) { circles[selected].classList.remove("selected"); }
    selected = t;
    circles[t].classList.add("selected");
    chooser.value = String(t);
    var topic = topics[t];
    var title = document.getElementById("topic-title");
    title.textContent = "Topic " + t + ": " + topic.label;
    title.setAttribute("data-topic", String(t));
    var facts = percent(topic.share) + " of the weight \u00b7 " + topic.size.toLocaleString("en") +
      " documents with it as top topic";
    if (data.measure) {
      facts += " \u00b7 coherence (" + data.measure + ") " + (topic.coherence === null ? "n/a" : topic.coherence.toFixed(3));
    }
    document.getElementById("topic-facts").textContent = facts;
    drawBars();
    drawDocs(topic);
  }

  slider.addEventListener("input", drawBars);
  chooser.addEventListener("change", function () { select(parseInt(chooser.value, 10)); });

  // -- search: a word, the topics that hold it ------------------------------------------------------
  var index = {};
  topics.forEach(function (topic) {
    topic.words.forEach(function (w, j) {
      var word = vocab[w];
      if (!Object.prototype.hasOwnProperty.call(index, word)) { index[word] = []; }
      index[word].push({ topic: topic.topic, part: Math.min(1, topic.share * topic.p[j] / data.p_word[w]) });
    });
  });
  var words = Object.keys(index).sort();
  var search = document.getElementById("word-search");
  var results = document.getElementById("search-results");

  function find() {
    var query = search.value.trim().toLowerCase();
    clear(results);
    circles.forEach(function (c) { c.classList.remove("found"); });
    if (!query) { return; }
    var matches = Object.prototype.hasOwnProperty.call(index, query) ? [query]
      : words.filter(function (w) { return w.lastIndexOf(query, 0) === 0; }).slice(0, 8);
    if (!matches.length) {
      results.appendChild(el("p", { "class": "note" }, "No topic holds \u201c" + query + "\u201d among its top words."));
      return;
    }
    var list = el("ul", {});
    matches.forEach(function (word) {
      var item = el("li", { "data-word": word });
      item.appendChild(el("strong", {}, word));
      item.appendChild(document.createTextNode(": "));
      var hits = index[word].slice().sort(function (a, b) { return b.part - a.part || a.topic - b.topic; });
      hits.forEach(function (hit) {
        var button = el("button", { type: "button", "class": "topic-link", "data-topic": String(hit.topic) },
          "Topic " + hit.topic + " " + topics[hit.topic].label + " (" + percent(hit.part) + ")");
        button.addEventListener("click", function () { select(hit.topic); });
        item.appendChild(button);
        circles[hit.topic].classList.add("found");
      });
      list.appendChild(item);
    });
    results.appendChild(list);
  }
  search.addEventListener("input", find);

  root.hidden = false;
  if (topics.length) { select(0); }
})();
