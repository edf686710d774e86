// The Ask box: a question field on every page that asks `kb serve`'s /api/search and lists the
// matching sections (title in the page's language, best sentences with the query's words marked,
// link to the section). Opened as static files (mkdocs serve, file://, any plain web server) there
// is no API, and the box says so; the theme's own search keeps working.
(function () {
  "use strict";

  var TEXT = {
    en: {
      label: "Ask the notes",
      placeholder: "Ask a question, e.g. why does grouped-query attention save memory?",
      button: "Ask",
      searching: "Searching…",
      none: "No section matches that question.",
      busy: "The server is busy; try again in a moment.",
      corrected: "Showing results for: ",
      noApi: "Search by question needs the search service: run `make serve` (or `kb serve`). The site search (top right) still works.",
    },
    zh: {
      label: "向笔记提问",
      placeholder: "输入问题，例如：分组查询注意力为什么省显存？",
      button: "提问",
      searching: "搜索中…",
      none: "没有找到与这个问题相关的章节。",
      busy: "服务器正忙，请稍后再试。",
      corrected: "显示的是以下查询的结果：",
      noApi: "按问题搜索需要搜索服务：运行 `make serve`（或 `kb serve`）。右上角的站内搜索仍可使用。",
    },
  };

  function pageLang() {
    var lang = (document.documentElement.lang || "").toLowerCase();
    if (lang.indexOf("zh") === 0 || location.pathname.indexOf("/zh/") === 0) return "zh";
    return "en";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
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

  function build() {
    var host = document.querySelector("article.md-content__inner");
    if (!host || document.getElementById("kb-ask")) return;
    var lang = pageLang(), t = TEXT[lang];
    var form = el("form", { id: "kb-ask", class: "kb-ask", role: "search", "data-lang": lang });
    form.appendChild(el("label", { for: "kb-ask-q", class: "kb-ask__label" }, t.label));
    var row = el("div", { class: "kb-ask__row" });
    var input = el("input", { id: "kb-ask-q", type: "search", name: "q", maxlength: "1000", autocomplete: "off", placeholder: t.placeholder });
    var button = el("button", { type: "submit", class: "md-button md-button--primary" }, t.button);
    row.appendChild(input);
    row.appendChild(button);
    form.appendChild(row);
    var status = el("p", { class: "kb-ask__status", "aria-live": "polite" });
    var list = el("ol", { class: "kb-ask__hits" });
    form.appendChild(status);
    form.appendChild(list);
    var h1 = host.querySelector("h1");
    if (h1 && h1.nextSibling) host.insertBefore(form, h1.nextSibling); else host.insertBefore(form, host.firstChild);

    function offline() {
      form.classList.add("kb-ask--offline");
      status.textContent = "";
      t.noApi.split("`").forEach(function (part, i) {  // `...` spans are commands
        status.appendChild(i % 2 ? el("code", {}, part) : document.createTextNode(part));
      });
      input.disabled = true;
      button.disabled = true;
    }

    fetch("/api/health", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) { if (!body || body.status !== "ok") offline(); else form.classList.add("kb-ask--ready"); })
      .catch(offline);

    var latest = 0;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = input.value.trim();
      if (!q) return;
      var ticket = ++latest;
      status.textContent = t.searching;
      list.textContent = "";
      var url = "/api/search?" + new URLSearchParams({ q: q, k: "5", lang: lang, mode: "hybrid" });
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
        })
        .then(function (res) {
          if (ticket !== latest) return;
          if (res.status === 503) { status.textContent = t.busy; return; }
          if (res.status !== 200) { status.textContent = res.body.detail || t.noApi; return; }
          show(res.body);
        })
        .catch(function () { if (ticket === latest) offline(); });
    });

    function show(body) {
      var notes = [];
      if (body.corrected) notes.push(t.corrected + body.corrected);
      if (body.notice) notes.push(body.notice);
      status.textContent = body.hits.length ? notes.join(" · ") : t.none;
      body.hits.forEach(function (hit) {
        var item = el("li", { class: "kb-ask__hit", "data-id": hit.id });
        var link = el("a", { href: hit.url, class: "kb-ask__title" }, hit.title);
        item.appendChild(link);
        if (hit.path && hit.path !== hit.title) item.appendChild(el("span", { class: "kb-ask__path" }, hit.path));
        if (hit.snippet) {
          var p = el("p", { class: "kb-ask__snippet" });
          p.appendChild(marked(hit.snippet, body.terms));
          item.appendChild(p);
        }
        list.appendChild(item);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
  else build();
})();
