// Static search: BM25 in the browser over the index the site build wrote (search/build/static_index.py), for
// a site without `kb serve` (a static host, or files opened from disk). Every step follows the Python
// reference StaticIndex in that module, in the same float64 order, so both give the same ids
// (tests/test_static_search.py): the query's typo correction (search/suggest.py), its tokens (English as
// kb's Tokenizer; Chinese by a jieba-like cut over the index's own terms), BM25 with kb's k1, b and IDF,
// the no-match rule (coverage of the query's IDF mass; no dense leg here) and one hit per link.
(function () {
  "use strict";

  var HAN_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var WORD = /[a-z0-9]+(?:[-_.'][a-z0-9]+)*/g;
  var SUGGEST_WORD = /[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*/g;
  var LINK_POOL = 20;

  function Index(data) {
    this.data = data;
    this.size = data.ids.length;
    this.enStop = new Set(data.enStop);
    this.zhStop = new Set(data.zhStop);
    this.column = new Map();
    for (var i = 0; i < data.terms.length; i++) this.column.set(data.terms[i], i);
    var total = 0;
    for (var d = 0; d < data.lengths.length; d++) total += data.lengths[d];
    this.avgdl = total / this.size;
    this.decoded = new Array(data.terms.length);
    this._counts = null;
    this._suggester = null;
  }

  Index.prototype.postings = function (column) {
    var got = this.decoded[column];
    if (got) return got;
    var flat = this.data.postings[column], docs = new Int32Array(flat.length / 2), tfs = new Int32Array(flat.length / 2);
    for (var j = 0, position = 0; j < flat.length; j += 2) {
      position += flat[j];
      docs[j / 2] = position;
      tfs[j / 2] = flat[j + 1];
    }
    return (this.decoded[column] = { docs: docs, tfs: tfs });
  };

  Index.prototype.idf = function (column) {
    var df = this.data.postings[column].length / 2;
    return Math.log(1.0 + (this.size - df + 0.5) / (df + 0.5));
  };

  Index.prototype.latin = function (text, out) {
    var words = text.match(WORD) || [];
    for (var i = 0; i < words.length; i++) {
      var word = words[i];
      if (!word || this.enStop.has(word)) continue;
      out.push(word);
      if (/[-_.]/.test(word)) {
        var parts = word.split(/[-_.']/);
        for (var p = 0; p < parts.length; p++) if (parts[p].length > 1 && !this.enStop.has(parts[p])) out.push(parts[p]);
      }
    }
  };

  Index.prototype.counts = function () {
    if (this._counts) return this._counts;
    var counts = new Map(), top = 1, longest = 1, sum = 0, terms = this.data.terms;
    for (var i = 0; i < terms.length; i++) {
      if (!HAN.test(terms[i])) continue;
      var flat = this.data.postings[i], c = 0;
      for (var j = 1; j < flat.length; j += 2) c += flat[j];
      counts.set(terms[i], c);
      if (c > top) top = c;
    }
    this.data.zhStop.forEach(function (w) { counts.set(w, Math.max(counts.get(w) || 0, top)); });
    counts.forEach(function (c, w) { sum += c; if (w.length > longest) longest = w.length; });
    return (this._counts = { counts: counts, logTotal: Math.log(sum), longest: longest });
  };

  Index.prototype.cut = function (run) {
    var dict = this.counts(), counts = dict.counts, n = run.length;
    var score = new Float64Array(n + 1), end = new Int32Array(n + 1);
    for (var i = n - 1; i >= 0; i--) {
      var bestS = 0, bestJ = -1;
      for (var j = i; j < Math.min(n, i + dict.longest); j++) {
        var word = run.slice(i, j + 1);
        if (j > i && !counts.has(word)) continue;
        var s = Math.log(counts.has(word) ? counts.get(word) : 1) - dict.logTotal + score[j + 1];
        if (bestJ < 0 || s > bestS || (s === bestS && j > bestJ)) { bestS = s; bestJ = j; }
      }
      score[i] = bestS;
      end[i] = bestJ;
    }
    var words = [], unknown = "";
    for (var at = 0; at < n;) {
      var stop = end[at] + 1, w = run.slice(at, stop);
      if (w.length === 1 && !counts.has(w)) unknown += w;
      else {
        if (unknown) { words.push(unknown); unknown = ""; }
        words.push(w);
      }
      at = stop;
    }
    if (unknown) words.push(unknown);
    var out = [];
    words.forEach(function (w) {
      var k;
      if (w.length > 2) for (k = 0; k < w.length - 1; k++) if (counts.has(w.slice(k, k + 2))) out.push(w.slice(k, k + 2));
      if (w.length > 3) for (k = 0; k < w.length - 2; k++) if (counts.has(w.slice(k, k + 3))) out.push(w.slice(k, k + 3));
      out.push(w);
    });
    var stopWords = this.zhStop;
    return out.filter(function (t) { return !stopWords.has(t); });
  };

  Index.prototype.tokens = function (query) {
    var out = [], position = 0, lowered = query.toLowerCase(), m;
    HAN_RUN.lastIndex = 0;
    while ((m = HAN_RUN.exec(lowered)) !== null) {
      this.latin(lowered.slice(position, m.index), out);
      Array.prototype.push.apply(out, this.cut(m[0]));
      position = m.index + m[0].length;
    }
    this.latin(lowered.slice(position), out);
    return out;
  };

  // BM25 of every passage holding a token, best first as [position, score] (ties: lower position), the first n.
  Index.prototype.top = function (tokens, n) {
    var d = this.data, k1 = d.k1, b = d.b, scores = new Map();
    for (var t = 0; t < tokens.length; t++) {
      var column = this.column.get(tokens[t]);
      if (column === undefined) continue;
      var idf = this.idf(column), post = this.postings(column);
      for (var j = 0; j < post.docs.length; j++) {
        var doc = post.docs[j], tf = post.tfs[j];
        var weight = idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * d.lengths[doc] / this.avgdl)));
        scores.set(doc, (scores.get(doc) || 0.0) + weight);
      }
    }
    var ranked = [];
    scores.forEach(function (s, doc) { if (s > 0) ranked.push([doc, s]); });
    ranked.sort(function (x, y) { return y[1] - x[1] || x[0] - y[0]; });
    return ranked.slice(0, n);
  };

  Index.prototype.coverage = function (tokens) {
    var unique = Array.from(new Set(tokens));
    if (!unique.length) return 0.0;
    var unknown = Math.log(1.0 + (this.size + 0.5) / 0.5), weights = [], holders = [], total = 0;
    for (var i = 0; i < unique.length; i++) {
      var column = this.column.get(unique[i]);
      weights.push(column === undefined ? unknown : this.idf(column));
      holders.push(column === undefined ? new Set() : new Set(this.postings(column).docs));
    }
    weights.forEach(function (w) { total += w; });
    var best = 0.0, top = this.top(tokens, 10);
    for (var r = 0; r < top.length; r++) {
      var held = 0;
      for (var k = 0; k < unique.length; k++) if (holders[k].has(top[r][0])) held += weights[k];
      best = Math.max(best, held / total);
    }
    return best;
  };

  // One hit per link: the best LINK_POOL passages grouped by link, the first k groups (lists of positions).
  Index.prototype.ranked = function (tokens, k) {
    var groups = new Map(), urls = this.data.urls;
    this.top(tokens, Math.max(LINK_POOL, k)).forEach(function (hit) {
      var url = urls[hit[0]];
      if (!groups.has(url)) groups.set(url, []);
      groups.get(url).push(hit[0]);
    });
    return Array.from(groups.values()).slice(0, k);
  };

  // search/suggest.py's edit distance (optimal string alignment), limit + 1 once over the limit.
  function editDistance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var previous2 = [], previous = [], i, j;
    for (j = 0; j <= b.length; j++) previous.push(j);
    for (i = 1; i <= a.length; i++) {
      var current = [i], low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) current[j] = Math.min(current[j], previous2[j - 2] + 1);
        if (current[j] < low) low = current[j];
      }
      if (low > limit) return limit + 1;
      previous2 = previous;
      previous = current;
    }
    return previous[b.length];
  }

  function Suggester(index) {
    var data = index.data, glossary = new Map(), frequency = new Map(), byInitial = new Map();
    this.known = new Set(data.terms.concat(data.words, data.enStop));
    function setDefault(key, value) { if (!glossary.has(key)) glossary.set(key, value); }
    data.names.forEach(function (name) {
      (name.match(SUGGEST_WORD) || []).forEach(function (word) {
        var lowered = word.toLowerCase();
        if (lowered.length < 3) return;
        setDefault(lowered, lowered);
        setDefault(lowered.replace(/[-_]/g, ""), lowered);
        lowered.split(/[-_]/).forEach(function (part) { if (part.length >= 3) setDefault(part, part); });
      });
    });
    data.terms.forEach(function (term, i) {
      if (term.length >= 3 && /^[A-Za-z]+$/.test(term)) frequency.set(term, -index.idf(i));
    });
    new Set(Array.from(glossary.keys()).concat(Array.from(frequency.keys()))).forEach(function (word) {
      if (!byInitial.has(word[0])) byInitial.set(word[0], []);
      byInitial.get(word[0]).push(word);
    });
    this.glossary = glossary;
    this.frequency = frequency;
    this.byInitial = byInitial;
  }

  Suggester.prototype.correct = function (word) {
    var lowered = word.toLowerCase();
    if (lowered.length < 4 || this.known.has(lowered) || /[_0-9]/.test(lowered)) return null;
    if (this.glossary.has(lowered) && this.glossary.get(lowered) !== lowered) return this.glossary.get(lowered);
    var limit = lowered.length <= 6 ? 1 : 2, best = null, self = this;
    (this.byInitial.get(lowered[0]) || []).forEach(function (candidate) {
      var shorter = Math.min(lowered.length, candidate.length);
      if (candidate === lowered || lowered.slice(0, shorter - 1) === candidate.slice(0, shorter - 1)) return;
      var distance = editDistance(lowered, candidate, limit);
      if (distance > limit) return;
      var key = [distance, self.glossary.has(candidate) ? 0 : 1, -(self.frequency.has(candidate) ? self.frequency.get(candidate) : 0.0), candidate];
      if (best === null || less(key, best)) best = key;
    });
    if (best === null) return null;
    return this.glossary.has(best[3]) ? this.glossary.get(best[3]) : best[3];
  };

  function less(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return true;
      if (a[i] > b[i]) return false;
    }
    return false;
  }

  Suggester.prototype.suggest = function (query) {
    var changed = false, self = this;
    var corrected = query.replace(SUGGEST_WORD, function (word) {
      var better = self.correct(word);
      if (better === null) return word;
      changed = true;
      return better;
    });
    return changed ? corrected : null;
  };

  Index.prototype.suggester = function () {
    return this._suggester || (this._suggester = new Suggester(this));
  };

  // The static answer: {query, corrected, noMatch, groups (lists of passage positions), tokens}.
  Index.prototype.search = function (query, k) {
    query = query.split(/\s+/).filter(Boolean).join(" ").slice(0, 1000);
    var corrected = this.suggester().suggest(query);
    if (corrected) query = corrected;
    var tokens = this.tokens(query);
    if (!/[\p{L}\p{N}]/u.test(query) || this.coverage(tokens) < this.data.noMatchCoverage) {
      return { query: query, corrected: corrected, noMatch: true, groups: [], tokens: tokens };
    }
    return { query: query, corrected: corrected, noMatch: false, groups: this.ranked(tokens, k || 5), tokens: tokens };
  };

  Index.prototype.ids = function (groups) {
    var ids = this.data.ids;
    return groups.map(function (g) { return g.map(function (d) { return ids[d]; }); });
  };

  // ---- snippets, chosen as search/snippet.py's best_sentences does, from the reader text the build wrote

  var SENTENCE = /[^。！？!?\n]+?(?:[。！？!?]+|\.(?=\s|$)|$)/gm;

  function sentences(text) {
    return (text.match(SENTENCE) || []).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function bestSentences(text, tokens, limit, maxChars) {
    limit = limit || 2;
    maxChars = maxChars || 240;
    var parts = sentences(text);
    if (!parts.length) return "";
    var han = tokens.filter(function (t) { return HAN.test(t[0]); });
    var latin = new Set(tokens.filter(function (t) { return t.length > 1 && han.indexOf(t) < 0; }));
    var scored = parts.map(function (sentence, i) {
      var words = new Set(sentence.toLowerCase().match(WORD) || []);
      Array.from(words).forEach(function (w) { w.split(/[-_.']/).forEach(function (p) { words.add(p); }); });
      var score = 0;
      words.forEach(function (w) { if (latin.has(w)) score++; });
      han.forEach(function (t) { if (sentence.indexOf(t) >= 0) score++; });
      return [score, i];
    });
    scored.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    var chosen = scored.slice(0, limit);
    if (chosen.every(function (c) { return c[0] === 0; })) chosen = parts.slice(0, limit).map(function (_, i) { return [0, i]; });
    chosen.sort(function (a, b) { return a[1] - b[1]; });
    var snippet = "";
    chosen.forEach(function (c, n) {
      if (n > 0) snippet += c[1] === chosen[n - 1][1] + 1 ? (HAN.test(parts[c[1]][0]) ? "" : " ") : " … ";
      snippet += parts[c[1]];
    });
    return snippet.length <= maxChars ? snippet : snippet.slice(0, maxChars - 1).trimEnd() + "…";
  }

  // ---- loading: <script> tags (they work from file:// too, where fetch is refused), once, on first use

  var loading = null;

  function loadScript(src, name) {
    return new Promise(function (resolve, reject) {
      if (window[name]) return resolve(window[name]);
      var tag = document.createElement("script");
      tag.src = src;
      tag.async = true;
      tag.onload = function () { window[name] ? resolve(window[name]) : reject(new Error(src + " did not define " + name)); };
      tag.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(tag);
    });
  }

  function load(base, lang) {
    if (loading) return loading;
    var dir = (base || ".").replace(/\/$/, "") + "/assets/static-search/";
    var textName = lang === "zh" ? "KB_STATIC_TEXT_ZH" : "KB_STATIC_TEXT_EN";
    loading = Promise.all([loadScript(dir + "index.js", "KB_STATIC_INDEX"), loadScript(dir + "text." + (lang === "zh" ? "zh" : "en") + ".js", textName)])
      .then(function (parts) { return { index: new Index(parts[0]), text: parts[1] }; });
    loading.catch(function () { loading = null; });
    return loading;
  }

  window.KBStatic = { load: load, Index: Index, bestSentences: bestSentences, editDistance: editDistance };
})();
