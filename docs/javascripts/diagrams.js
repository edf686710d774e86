// Mermaid diagrams, drawn once the page has loaded.
//
// kb/mkdocs_hooks.py adds this script only to pages with a diagram, with the page-relative path of the vendored
// mermaid.min.js in data-mermaid. The diagram fences are built as <div class="kb-mermaid"> (mkdocs.yml), not as
// Material's pre.mermaid: the theme never sees them, so it neither runs Mermaid before the load event nor fetches it
// from a CDN. After the load event this script fetches the local copy, draws every block into an open shadow root
// (the theme's typeset styles stay out of the SVG) and swaps the block for it.
//
// Colours come from Material's --md-mermaid-* custom properties, which inherit into the shadow root and change with
// the palette (body[data-md-color-scheme]): switching light/dark recolours the drawn diagrams without drawing again.
(function () {
  "use strict";
  var script = document.currentScript;
  var source = script && script.getAttribute("data-mermaid");
  if (!source) { return; }

  var font = "font-family:var(--md-mermaid-font-family)";
  var themeCSS = [
    // flowcharts
    ".node rect,.node circle,.node ellipse,.node polygon,.node path{fill:var(--md-mermaid-node-bg-color);stroke:var(--md-mermaid-node-fg-color)}",
    ".label,.nodeLabel,.nodeLabel p,.cluster-label span,.cluster span{color:var(--md-mermaid-label-fg-color);" + font + "}",
    ".label foreignObject{overflow:visible;line-height:normal}",
    ".edgeLabel,.edgeLabel p,.labelBkg{color:var(--md-mermaid-edge-color);background-color:var(--md-mermaid-label-bg-color);" + font + "}",
    ".edgeLabel rect,.edgeLabel .label rect{fill:var(--md-mermaid-label-bg-color);opacity:1}",
    ".edgePath .path,.flowchart-link{stroke:var(--md-mermaid-edge-color)}",
    "marker,.arrowheadPath,.arrowMarkerPath{fill:var(--md-mermaid-edge-color)!important;stroke:none}",
    ".cluster rect{fill:var(--md-default-fg-color--lightest);stroke:var(--md-default-fg-color--lighter)}",
    ".flowchartTitleText{fill:var(--md-mermaid-label-fg-color)}",
    // sequence diagrams
    ".actor{fill:var(--md-mermaid-sequence-actor-bg-color);stroke:var(--md-mermaid-sequence-actor-border-color)}",
    "text.actor>tspan{fill:var(--md-mermaid-sequence-actor-fg-color);" + font + "}",
    "line{stroke:var(--md-mermaid-sequence-actor-line-color)}",
    ".messageLine0,.messageLine1{stroke:var(--md-mermaid-sequence-message-line-color)}",
    ".messageText{fill:var(--md-mermaid-sequence-message-fg-color);" + font + "!important;stroke:none}",
    "#arrowhead path,#crosshead path,#filled-head path{fill:var(--md-mermaid-sequence-message-line-color);stroke:var(--md-mermaid-sequence-message-line-color)}",
    ".note{fill:var(--md-mermaid-sequence-note-bg-color);stroke:var(--md-mermaid-sequence-note-border-color)}",
    ".noteText,.noteText>tspan{fill:var(--md-mermaid-sequence-note-fg-color);" + font + "!important;stroke:none}",
    ".loopLine{fill:var(--md-mermaid-sequence-loop-bg-color);stroke:var(--md-mermaid-sequence-loop-border-color)}",
    ".loopText,.loopText>tspan{fill:var(--md-mermaid-sequence-loop-fg-color);" + font + "!important;stroke:none}",
    ".labelBox{fill:var(--md-mermaid-sequence-label-bg-color);stroke:none}",
    ".labelText,.labelText>tspan{fill:var(--md-mermaid-sequence-label-fg-color);" + font + "}",
    ".sequenceNumber{fill:var(--md-mermaid-sequence-number-fg-color)}",
    "rect.rect{fill:var(--md-mermaid-sequence-box-bg-color);stroke:none}",
    // charts (xychart): on the page's background, in its text colour; Mermaid's first series colour (#ececff) was
    // all but invisible on white, so the series take the accent colour and the text colour
    ".main>rect.background{fill:transparent}",
    ".main text{fill:var(--md-default-fg-color--light)}",
    ".bottom-axis path,.left-axis path{stroke:var(--md-default-fg-color--light)}",
    ".line-plot-0 path{stroke:var(--md-accent-fg-color)}.line-plot-1 path{stroke:var(--md-default-fg-color--light)}",
    ".bar-plot-0 rect{fill:var(--md-accent-fg-color)}",
  ].join("");

  var mermaidReady = null;
  function loadMermaid() {
    if (!mermaidReady) {
      mermaidReady = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = source;
        tag.onload = function () {
          window.mermaid.initialize({
            startOnLoad: false,
            theme: "default",
            themeCSS: themeCSS,
            sequence: {actorFontSize: "16px", messageFontSize: "16px", noteFontSize: "16px"},
          });
          resolve(window.mermaid);
        };
        tag.onerror = function () { reject(new Error("could not load " + source)); };
        document.head.appendChild(tag);
      });
    }
    return mermaidReady;
  }

  var drawn = 0;
  var queue = Promise.resolve();
  function drawAll() {
    var blocks = [].slice.call(document.querySelectorAll("div.kb-mermaid:not([data-kb-queued])"));
    if (!blocks.length) { return queue; }
    blocks.forEach(function (block) { block.setAttribute("data-kb-queued", ""); });
    queue = queue.then(loadMermaid).then(function (mermaid) {
      // One diagram after another: ids stay in page order and the main thread gets breaks between diagrams.
      return blocks.reduce(function (previous, block) {
        return previous.then(function () {
          if (!block.isConnected) { return null; }
          return mermaid.render("kb-mermaid-" + drawn++, block.textContent).then(function (result) {
            var host = document.createElement("div");
            host.className = "kb-diagram";
            var root = host.attachShadow({mode: "open"});
            root.innerHTML = result.svg;
            block.replaceWith(host);
            if (result.bindFunctions) { result.bindFunctions(root); }
          }, function (error) {
            block.classList.add("kb-mermaid--failed");  // the source stays readable
            console.error("Mermaid could not draw a diagram:", error);
          });
        });
      }, Promise.resolve());
    }).catch(function (error) { console.error(error); });
    return queue;
  }

  function start() {
    drawAll();
    // With the theme's instant navigation a new page's content replaces the old one without a load event.
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { drawAll(); });
    }
  }
  if (document.readyState === "complete") { start(); } else { window.addEventListener("load", start); }
})();
