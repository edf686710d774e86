// The Ask box: the site's one search box, in the header of every page. It answers as you type.
// Served by `kb serve` it asks /api/search (hybrid: BM25 + dense); anywhere else (a static host, files
// opened from disk) it answers from the static index the site build wrote (static-search.js: BM25 in
// the browser) and says so. `/` or Ctrl-K focus it; ArrowUp/ArrowDown move through the hits, Enter opens
// the selected one (or searches at once), Escape clears the text and the hits. One hit per link: a
// glossary entry that points at a section in the hits joins that hit, labelled "glossary".
(function () {
  "use strict";

  var TEXT = {
    en: {
      label: "Ask the notes",
      placeholder: "Ask the notes, e.g. why does GQA save memory?",
      searching: "Searching…",
      none: "No section matches that question.",
      busy: "The server is busy; try again in a moment.",
      corrected: "Showing results for: ",
      glossary: "glossary",
      staticMode: "Answered in your browser from the site's search index (BM25); `kb serve` adds the dense leg.",
      unavailable: "Search cannot load its index here. Run `make serve` (or `kb serve`) to search the notes.",
    },
    zh: {
      label: "向笔记提问",
      placeholder: "向笔记提问，例如：GQA 为什么省显存？",
      searching: "搜索中…",
      none: "没有找到与这个问题相关的章节。",
      busy: "服务器正忙，请稍后再试。",
      corrected: "显示的是以下查询的结果：",
      glossary: "术语",
      staticMode: "结果由浏览器根据站点的搜索索引（BM25）算出；`kb serve` 还会加上向量检索（dense）。",
      unavailable: "这里无法加载搜索索引。运行 `make serve`（或 `kb serve`）即可搜索笔记。",
    },
  };
  var DEBOUNCE_MS = 100;  // for the API; the static index answers in a few ms, so it answers on every keystroke
  var K = 5;

  function pageLang() {
    var lang = (document.documentElement.lang || "").toLowerCase();
    if (lang.indexOf("zh") === 0 || location.pathname.indexOf("/zh/") === 0) return "zh";
    return "en";
  }

  function siteBase() {
    try {
      var config = JSON.parse(document.getElementById("__config").textContent);
      return config.base || ".";
    } catch (e) {
      return ".";
    }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function withCode(node, text) {  // `...` spans are commands
    node.textContent = "";
    text.split("`").forEach(function (part, i) {
      node.appendChild(i % 2 ? el("code", {}, part) : document.createTextNode(part));
    });
  }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/;

  // Mark the query's terms in text, as search/snippet.py's highlight does: Chinese terms anywhere,
  // other terms as whole words only; touching matches become one mark. Text nodes only (no HTML from the API).
  function marked(text, terms) {
    var frag = document.createDocumentFragment();
    var words = (terms || []).filter(function (t) { return t.length > 1 || HAN.test(t); })
      .sort(function (a, b) { return b.length - a.length; });
    if (!words.length) { frag.appendChild(document.createTextNode(text)); return frag; }
    var re = new RegExp(words.map(function (w) {
      return HAN.test(w) ? escapeRe(w) : "(?<![a-z0-9])" + escapeRe(w) + "(?![a-z0-9])";
    }).join("|"), "gi");
    var spans = [], m;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) { re.lastIndex++; continue; }
      var last = spans[spans.length - 1];
      if (last && m.index <= last[1]) last[1] = Math.max(last[1], m.index + m[0].length);
      else spans.push([m.index, m.index + m[0].length]);
    }
    var at = 0;
    spans.forEach(function (s) {
      frag.appendChild(document.createTextNode(text.slice(at, s[0])));
      frag.appendChild(el("mark", {}, text.slice(s[0], s[1])));
      at = s[1];
    });
    frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }

  // A root-relative site URL ('/attention/x/#y') as a link from this page: relative to the site's base, so
  // it works under any path prefix; from disk, a directory gets its index.html (file:// lists directories).
  function siteLink(base, url) {
    var link = base.replace(/\/$/, "") + url;
    if (location.protocol === "file:") link = link.replace(/\/(#|$)/, "/index.html$1");
    return link;
  }

  // One hit per link: API hits grouped by URL, in rank order; the best of each group shows.
  function groupHits(hits) {
    var groups = [], byUrl = {};
    hits.forEach(function (hit) {
      if (byUrl[hit.url] === undefined) { byUrl[hit.url] = groups.length; groups.push([]); }
      groups[byUrl[hit.url]].push(hit);
    });
    return groups;
  }

  function build() {
    if (document.getElementById("kb-ask")) return;
    var lang = pageLang(), t = TEXT[lang], base = siteBase();
    var form = el("form", { id: "kb-ask", class: "kb-ask kb-ask--ready", role: "search", "data-lang": lang });
    form.appendChild(el("label", { for: "kb-ask-q", class: "kb-ask__label" }, t.label));
    var row = el("div", { class: "kb-ask__row" });
    var input = el("input", {
      id: "kb-ask-q", type: "search", name: "q", maxlength: "1000", autocomplete: "off", spellcheck: "false",
      placeholder: t.placeholder, role: "combobox", "aria-expanded": "false", "aria-controls": "kb-ask-hits",
      "aria-autocomplete": "list", "aria-keyshortcuts": "/ Control+K",
    });
    row.appendChild(input);
    row.appendChild(el("kbd", { class: "kb-ask__key", "aria-hidden": "true" }, "/"));
    form.appendChild(row);
    var panel = el("div", { class: "kb-ask__panel", hidden: "" });
    var status = el("p", { class: "kb-ask__status", "aria-live": "polite" });
    var list = el("ol", { id: "kb-ask-hits", class: "kb-ask__hits", role: "listbox", "aria-label": t.label });
    var mode = el("p", { class: "kb-ask__mode" });
    panel.appendChild(status);
    panel.appendChild(list);
    panel.appendChild(mode);
    form.appendChild(panel);

    var header = document.querySelector(".md-header__inner");
    var title = header && header.querySelector(".md-header__title");
    if (title) title.insertAdjacentElement("afterend", form);
    else {
      var host = document.querySelector("article.md-content__inner") || document.body;
      host.insertBefore(form, host.firstChild);
      form.classList.add("kb-ask--inline");
    }

    // Where answers come from, decided on first use: the API when /api/health answers, else the static index.
    var backend = null, kind = null;
    function chooseBackend() {
      if (backend) return backend;
      var probe = location.protocol === "file:" ? Promise.reject(new Error("file")) :
        fetch("/api/health", { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
          .then(function (body) { return body && body.status === "ok" ? { kind: "api" } : Promise.reject(new Error("no api")); });
      backend = probe.catch(function () {
        return window.KBStatic.load(base, lang).then(function (loaded) { return { kind: "static", loaded: loaded }; });
      }).then(function (b) {
        kind = b.kind;
        form.classList.add(b.kind === "api" ? "kb-ask--api" : "kb-ask--static");
        if (b.kind === "static") withCode(mode, t.staticMode);
        return b;
      });
      backend.catch(function () { backend = null; });
      return backend;
    }

    var latest = 0, timer = null, active = -1;

    function open(show) {
      if (show) panel.removeAttribute("hidden"); else panel.setAttribute("hidden", "");
      input.setAttribute("aria-expanded", show ? "true" : "false");
    }

    function clear() {
      latest++;
      clearTimeout(timer);
      input.value = "";
      list.textContent = "";
      status.textContent = "";
      select(-1);
      open(false);
    }

    function select(index) {
      var items = list.querySelectorAll(".kb-ask__hit");
      active = items.length ? Math.max(-1, Math.min(index, items.length - 1)) : -1;
      items.forEach(function (item, i) {
        item.classList.toggle("kb-ask__hit--active", i === active);
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }

    function run() {
      clearTimeout(timer);
      var q = input.value.trim();
      var ticket = ++latest;
      if (!q) { list.textContent = ""; status.textContent = ""; open(false); return; }
      open(true);
      if (!list.children.length) status.textContent = t.searching;
      chooseBackend().then(function (b) {
        if (ticket !== latest) return;
        if (b.kind === "static") return showStatic(b.loaded, q, ticket);
        var url = "/api/search?" + new URLSearchParams({ q: q, k: String(2 * K), lang: lang, mode: "hybrid" });
        return fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) {
            return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
          })
          .then(function (res) {
            if (ticket !== latest) return;
            if (res.status === 503) { status.textContent = t.busy; list.textContent = ""; return; }
            if (res.status !== 200) { status.textContent = res.body.detail || t.unavailable; list.textContent = ""; return; }
            var groups = groupHits(res.body.hits || []).slice(0, K).map(function (group) {
              return group.map(function (hit) {
                return { id: hit.id, kind: hit.kind, title: hit.title, path: hit.path, url: hit.url, snippet: hit.snippet };
              });
            });
            show(groups, res.body.terms, res.body.corrected, res.body.notice);
          });
      }).catch(function () {
        if (ticket !== latest) return;
        list.textContent = "";
        withCode(status, t.unavailable);
        form.classList.add("kb-ask--offline");
      });
    }

    function showStatic(loaded, q, ticket) {
      var index = loaded.index, text = loaded.text, answer = index.search(q, K);
      if (ticket !== latest) return;
      var groups = answer.groups.map(function (group) {
        return group.map(function (d) {
          var url = index.data.urls[d];
          if (lang === "zh") url = index.data.zhUrls[d] || "/zh" + url;
          return {
            id: index.data.ids[d], kind: index.data.kinds[d] === "t" ? "term" : "section", title: text.titles[d],
            path: text.paths[d], url: siteLink(base, url),
            snippet: window.KBStatic.bestSentences(text.texts[d], answer.tokens),
          };
        });
      });
      show(groups, answer.tokens, answer.corrected, null);
    }

    function show(groups, terms, corrected, notice) {
      var notes = [];
      if (corrected) notes.push(t.corrected + corrected);
      if (notice) notes.push(notice);
      status.textContent = groups.length ? notes.join(" · ") : t.none;
      list.textContent = "";
      groups.forEach(function (group, i) {
        var hit = group[0];
        var section = group.filter(function (h) { return h.kind === "section"; })[0] || hit;
        var item = el("li", { class: "kb-ask__hit", id: "kb-ask-hit-" + i, role: "option", "aria-selected": "false", "data-id": hit.id });
        item.setAttribute("data-ids", group.map(function (h) { return h.id; }).join(" "));
        var link = el("a", { href: section.url, class: "kb-ask__title", tabindex: "-1" }, section.title);
        item.appendChild(link);
        var terms_ = group.filter(function (h) { return h.kind === "term"; });
        if (terms_.length) {
          item.appendChild(el("span", { class: "kb-ask__badge" }, t.glossary + (section.kind === "section" ? ": " + terms_.map(function (h) { return h.title; }).join(", ") : "")));
        }
        if (section.path && section.path !== section.title) item.appendChild(el("span", { class: "kb-ask__path" }, section.path));
        var snippet = section.snippet || hit.snippet;
        if (snippet) {
          var p = el("p", { class: "kb-ask__snippet" });
          p.appendChild(marked(snippet, terms));
          item.appendChild(p);
        }
        item.addEventListener("mousemove", function () { if (active !== i) select(i); });
        list.appendChild(item);
      });
      select(-1);
      open(true);
    }

    input.addEventListener("focus", function () {
      chooseBackend();  // load the static index (or find the API) while the reader types
      if (input.value.trim() && list.children.length) open(true);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (kind === "static") run();
      else timer = setTimeout(run, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      var count = list.querySelectorAll(".kb-ask__hit").length;
      if (event.key === "ArrowDown" && count) { event.preventDefault(); open(true); select(active + 1 >= count ? 0 : active + 1); }
      else if (event.key === "ArrowUp" && count) { event.preventDefault(); select(active <= 0 ? count - 1 : active - 1); }
      else if (event.key === "Escape") {
        event.preventDefault();
        if (input.value || list.children.length) clear(); else input.blur();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var items = list.querySelectorAll(".kb-ask__hit");
      if (active >= 0 && items[active]) { items[active].querySelector("a").click(); return; }
      run();
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target, typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if ((event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey) && !event.altKey) {
        event.preventDefault();
        input.focus();
        input.select();
      } else if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) open(false);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
  else build();
})();
