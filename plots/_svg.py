"""Saving a figure the same way in every plot script: deterministic SVG (same bytes on every run), in two languages.

Every plot exists as ``NAME.svg`` (English labels) and ``NAME.zh.svg`` (Chinese labels). A script keeps its
strings in a ``LABELS = {"en": {...}, "zh": {...}}`` table and calls :func:`render`, which draws the figure once
per language inside :func:`language` and saves it with :func:`save_svg`.

English SVGs keep every glyph as a path (``svg.fonttype: 'path'``): they look the same everywhere and their
bytes do not change. The Chinese SVGs cannot do that, because the machine that builds the site usually has no
CJK font (matplotlib would draw empty boxes). So in a Chinese SVG every string that contains Chinese is saved
as an SVG ``<text>`` element (``svg.fonttype: 'none'``) with a CSS font list (:data:`CJK_CSS_FONTS`), and the
reader's browser draws it with whatever Chinese font it has; numbers, math and other Latin-only strings stay
paths, exactly as in the English file.

Layout (``tight_layout``, legend frames, text anchoring) needs the width of each Chinese string, which
matplotlib measures with its own fonts. DejaVu Sans has no CJK glyphs and would measure each one as its
0.6 em "missing glyph" box (plus a warning), while CJK fonts draw them 1 em wide: labels would overflow their
legend frames or the figure. Instead, :func:`_metrics_font` builds a tiny font in memory (fontTools ships with
matplotlib) whose only glyph is a 1 em box mapped to all CJK ideographs and full-width punctuation, and the
Chinese figures use ``['DejaVu Sans', <that font>]``: Latin is measured with DejaVu Sans as before, Chinese
as 1 em per character, like every common CJK font. Nothing depends on the fonts installed on the machine, so
the output is byte-identical on every machine, and no "missing glyph" warning is raised.
"""
from __future__ import annotations

import atexit
import contextlib
import functools
import io
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable

LANGS = ("en", "zh")

#: Family name of the measuring-only font; it never reaches an SVG (see ``save_svg``).
METRICS_FAMILY = "KB CJK Metrics"

#: What the browser should use for Chinese text, best first; the Latin part of a label keeps DejaVu Sans
#: first so it matches the paths around it where DejaVu is installed.
CJK_CSS_FONTS = ("'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Hiragino Sans GB', "
                 "'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif")

# Code points the metrics font covers: CJK punctuation, CJK Extension A, CJK Unified Ideographs, full-width forms.
_CJK_RANGES = ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF00, 0xFF5E))
CJK_RE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _CJK_RANGES) + "]")


def svg_name(name: str, lang: str) -> str:
    """``x.svg`` for English, ``x.zh.svg`` for Chinese."""
    stem = name.removesuffix(".svg")
    return f"{stem}.svg" if lang == "en" else f"{stem}.{lang}.svg"


@functools.cache
def _metrics_font() -> str:
    """Build the measuring font (1 em box for every CJK code point), register it with matplotlib, return its family."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from matplotlib import font_manager

    def box(x0, y0, x1, y1):
        pen = TTGlyphPen(None)
        pen.moveTo((x0, y0))
        pen.lineTo((x0, y1))
        pen.lineTo((x1, y1))
        pen.lineTo((x1, y0))
        pen.closePath()
        return pen.glyph()

    # proportions of Noto Sans CJK / Source Han Sans: 1000 units per em, ideographs ~ -70 .. 830
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "cjk"])
    fb.setupCharacterMap({cp: "cjk" for a, b in _CJK_RANGES for cp in range(a, b + 1)})
    fb.setupGlyf({".notdef": box(50, 0, 450, 700), "cjk": box(40, -70, 960, 830)})
    fb.setupHorizontalMetrics({".notdef": (500, 50), "cjk": (1000, 40)})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": METRICS_FAMILY, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    fb.setupHead(unitsPerEm=1000, created=0, modified=0)

    tmp = Path(tempfile.mkdtemp(prefix="kb-plots-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    path = tmp / "kb-cjk-metrics.ttf"
    fb.save(str(path))
    font_manager.fontManager.addfont(path)
    return METRICS_FAMILY


@contextlib.contextmanager
def language(lang: str):
    """rcParams for drawing a figure in ``lang``; create *and* save the figure inside it."""
    import matplotlib.pyplot as plt

    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    rc = {} if lang == "en" else {"font.family": ["DejaVu Sans", _metrics_font()]}
    with plt.rc_context(rc):
        yield


@contextlib.contextmanager
def _cjk_strings_as_text():
    """While saving: strings with Chinese become SVG ``<text>``, all other strings stay paths."""
    import matplotlib as mpl
    from matplotlib.backends.backend_svg import RendererSVG

    draw_text = RendererSVG.draw_text

    def draw_text_by_script(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # noqa: ANN001
        if ismath and CJK_RE.search(s):
            raise ValueError(f"mathtext cannot hold Chinese (it would draw empty boxes): {s!r}")
        with mpl.rc_context({"svg.fonttype": "none" if CJK_RE.search(s) else "path"}):
            return draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)

    RendererSVG.draw_text = draw_text_by_script
    try:
        yield
    finally:
        RendererSVG.draw_text = draw_text


def _check_inside(fig, name: str) -> None:  # noqa: ANN001 — a matplotlib Figure
    """Fail if anything (a title, a label, a legend) sticks out of the figure: it would be cut off in the SVG."""
    tight = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    width, height = fig.get_size_inches()
    slack = 0.02
    if tight.x0 < -slack or tight.y0 < -slack or tight.x1 > width + slack or tight.y1 > height + slack:
        raise ValueError(f"{name}: the drawing {tight.bounds} does not fit the {width} x {height} in figure")


def save_svg(fig, out_dir: Path, name: str, lang: str = "en") -> Path:  # noqa: ANN001 — a matplotlib Figure
    """Write ``fig`` to ``out_dir/name`` (``name`` -> ``x.zh.svg`` for Chinese) as SVG with fixed ids and no date.

    Closes the figure and returns the path. Call it inside ``language(lang)``.
    """
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / svg_name(name, lang)
    try:
        _check_inside(fig, path.name)
        with plt.rc_context({"svg.hashsalt": "kb"}):
            if lang == "en":
                fig.savefig(path, format="svg", metadata={"Date": None})
            else:
                buf = io.StringIO()
                with _cjk_strings_as_text():
                    fig.savefig(buf, format="svg", metadata={"Date": None})
                svg = buf.getvalue().replace(f"'DejaVu Sans', '{METRICS_FAMILY}'", CJK_CSS_FONTS)
                if METRICS_FAMILY in svg:
                    raise ValueError(f"{path.name}: the measuring font leaked into the SVG")
                path.write_text(svg, encoding="utf-8", newline="\n")
    finally:
        plt.close(fig)
    return path


def render(out_dir: Path, name: str, labels: dict[str, dict], draw: Callable[[dict], object]) -> list[Path]:
    """``draw(labels[lang])`` builds the figure; save it once per language; return ``[en path, zh path]``."""
    if set(labels) != set(LANGS):
        raise ValueError(f"{name}: labels for {sorted(labels)}, expected {list(LANGS)}")
    paths = []
    for lang in LANGS:
        with language(lang):
            paths.append(save_svg(draw(labels[lang]), out_dir, name, lang))
    return paths
