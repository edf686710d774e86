"""TeX maths as a reader would say it in plain text: ``\\sqrt{d_k}`` -> ``√d_k``, ``\\frac{a+b}{c}`` -> ``(a+b)/c``.

Passage text (what search indexes and what answer snippets quote) holds the
page's formulas in this form, so that a snippet never shows TeX source. It is
not a renderer: layout (fractions, roots, big operators) becomes a linear form,
fonts are dropped, Greek letters and operators become their Unicode symbols,
spacing commands are dropped, single-character accents become combining marks
(``\\bar\\alpha`` -> ``ᾱ``), and any command it does not know is written without
its backslash. Subscripts stay as ``x_k`` (how people type them in a query),
grouped ones as ``x_(t-1)``.

>>> tex_to_text(r"\\operatorname{softmax}\\!\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V")
'softmax(QKᵀ/√d_k)V'
>>> tex_to_text(r"W^O \\in \\mathbb{R}^{H d_h \\times d_\\text{model}}")
'W^O ∈ ℝ^(H d_h × d_model)'
"""
from __future__ import annotations

import re
import unicodedata

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
    "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
SYMBOLS = {
    "cdot": "·", "cdotp": "·", "div": "÷", "pm": "±", "mp": "∓", "infty": "∞", "sum": "∑", "prod": "∏",
    "int": "∫", "oint": "∮", "partial": "∂", "nabla": "∇", "ldots": "…", "dots": "…", "cdots": "⋯", "dotsc": "…",
    "dotsb": "⋯", "vdots": "⋮", "ddots": "⋱", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "top": "⊤", "bot": "⊥",
    "circ": "∘", "mid": "|", "vert": "|", "lvert": "|", "rvert": "|", "Vert": "‖", "lVert": "‖", "rVert": "‖",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "langle": "⟨", "rangle": "⟩", "ell": "ℓ",
    "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬", "emptyset": "∅", "varnothing": "∅", "star": "⋆",
    "ast": "∗", "prime": "′", "dagger": "†", "hbar": "ℏ", "cup": "∪", "cap": "∩", "setminus": "∖",
    "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "colon": ":", "aleph": "ℵ", "Re": "ℜ", "Im": "ℑ",
}
RELATIONS = {
    "times": "×", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼",
    "simeq": "≃", "cong": "≅", "propto": "∝", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆",
    "supset": "⊃", "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "Longrightarrow": "⟹", "longrightarrow": "⟶", "leftrightarrow": "↔", "iff": "⟺",
    "implies": "⟹", "mapsto": "↦", "equiv": "≡", "ll": "≪", "gg": "≫", "succ": "≻", "prec": "≺",
    "gtrsim": "≳", "lesssim": "≲", "perp": "⊥", "therefore": "∴", "because": "∵", "coloneqq": "≔",
}
FUNCTIONS = {
    "log", "ln", "lg", "exp", "max", "min", "arg", "argmax", "argmin", "sin", "cos", "tan", "sinh", "cosh",
    "tanh", "det", "dim", "ker", "lim", "sup", "inf", "Pr", "deg", "gcd", "sec", "csc", "cot", "arcsin", "arccos",
    "arctan", "limsup", "liminf",
}
SPACES = {",": " ", "!": "", ">": "", ":": " ", ";": " ", " ": " ", "quad": " ", "qquad": " ", "enspace": " ",
          "thinspace": "", "negthinspace": "", "medspace": " ", "thickspace": " "}
DELIMITER_SIZES = {"left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                   "biggl", "biggr", "Biggl", "Biggr", "displaystyle", "textstyle", "scriptstyle", "limits",
                   "nolimits", "nonumber", "notag"}
FONTS = {"text", "textrm", "textit", "textbf", "texttt", "textsf", "textnormal", "mathrm", "mathit", "mathbf",
         "mathsf", "mathtt", "mathnormal", "operatorname", "boldsymbol", "bm", "mathcal", "mathscr", "mathfrak",
         "emph", "mbox", "hbox", "pmb", "underline", "mathop", "mathbin", "mathrel", "mathord"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ", "1": "𝟙"}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304", "tilde": "\u0303",
           "widetilde": "\u0303", "vec": "\u20d7", "overrightarrow": "\u20d7", "overleftarrow": "\u20d6",
           "dot": "\u0307", "ddot": "\u0308", "check": "\u030c", "breve": "\u0306", "acute": "\u0301", "grave": "\u0300"}
FRACTIONS = {"frac", "tfrac", "dfrac", "cfrac"}
ESCAPED = {"{": "{", "}": "}", "%": "%", "&": "&", "#": "#", "_": "_", "$": "$", "|": "‖", "\\": "; "}
SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
MATRICES = {"matrix": ("", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"),
            "vmatrix": ("|", "|"), "Vmatrix": ("‖", "‖"), "smallmatrix": ("", "")}

TOKEN_RE = re.compile(r"\\([A-Za-z]+)|\\(.)|(\s+)|(.)", re.S)
FUNCTION_GAP = "\x00"
"""Put after a function name (log, max): becomes a space when a letter or digit follows (``\\log x`` -> ``log x``)."""
FUNCTION_START = "\x01"
"""Put before a function name: becomes a space when a letter or digit precedes (``\\nabla_t\\log`` -> ``∇_t log``)."""
OPERATOR_CHARS = set("+-−=<>×·÷,/ ±∓≤≥≠≈∼∝∈→←⇒")


def _tokens(tex: str) -> list[tuple[str, str]]:
    """(kind, value) pairs: ('cmd', name), ('sym', char after a backslash), ('space', ' '), ('char', c)."""
    out = []
    for match in TOKEN_RE.finditer(tex):
        name, escaped, space, char = match.groups()
        if name is not None:
            out.append(("cmd", name))
        elif escaped is not None:
            out.append(("sym", escaped))
        elif space is not None:
            out.append(("space", " "))
        else:
            out.append(("char", char))
    return out


class _Parser:
    def __init__(self, tex: str) -> None:
        self.tokens = _tokens(tex)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def skip_spaces(self) -> None:
        while self.peek() == ("space", " "):
            self.pos += 1

    def group(self) -> str:
        """The argument of a command: a {group} or the next single token."""
        self.skip_spaces()
        token = self.peek()
        if token is None:
            return ""
        if token == ("char", "{"):
            self.pos += 1
            return self.until("}")
        if token == ("char", "}"):
            return ""
        self.pos += 1
        return self.atom(token)

    def optional(self) -> str | None:
        """An optional [argument] (as of \\sqrt[3]{x}), or None."""
        self.skip_spaces()
        if self.peek() != ("char", "["):
            return None
        self.pos += 1
        return self.until("]")

    def until(self, closing: str | None) -> str:
        out: list[str] = []
        while (token := self.peek()) is not None:
            self.pos += 1
            if token == ("char", closing):
                break
            if token == ("char", "{"):
                out.append(self.until("}"))
            else:
                out.append(self.atom(token))
        return "".join(out)

    def script(self, mark: str) -> str:
        """After ^ or _: x_k, x_(t-1), x², Kᵀ."""
        self.skip_spaces()
        token = self.peek()
        if mark == "^" and token in (("cmd", "top"), ("char", "T")) and self._ends_script():
            self.pos += 1
            return "ᵀ"
        if mark == "^" and token in (("cmd", "prime"), ("char", "'")):
            self.pos += 1
            return "′"
        body = self.group().strip()
        if mark == "^" and body and len(body) == 1 and body in "0123456789":
            return body.translate(SUPERSCRIPTS)
        if mark == "^" and body == "⊤":
            return "ᵀ"
        if not body:
            return ""
        simple = re.fullmatch(r"[^\W_]+[′*∗]*|[′*∗]", body) is not None
        return f"{mark}{body}" if simple else f"{mark}({body})"

    def _ends_script(self) -> bool:
        """True when the token at pos is a single-token script (not the start of a longer word like ^Tx)."""
        following = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
        return following is None or following[0] != "char" or not following[1].isalnum()

    def environment(self, name: str) -> str:
        if name == "array":
            self.group()  # column spec
        body = []
        depth = 0
        while (token := self.peek()) is not None:
            if token == ("cmd", "begin"):
                depth += 1
            elif token == ("cmd", "end"):
                if depth == 0:
                    self.pos += 1
                    self.group()
                    break
                depth -= 1
            self.pos += 1
            if token == ("char", "&"):
                body.append(", " if name in MATRICES else " ")
            elif token == ("sym", "\\"):
                body.append("; ")
            elif token == ("char", "{"):
                body.append(self.until("}"))
            else:
                body.append(self.atom(token))
        text = re.sub(r"\s*;\s*$", "", "".join(body).strip())
        opening, closing = MATRICES.get(name, ("", ""))
        return f"{opening}{text}{closing}"

    def atom(self, token: tuple[str, str]) -> str:
        kind, value = token
        if kind == "space":
            return " "
        if kind == "char":
            if value in "^_":
                return self.script(value)
            if value == "~":
                return " "
            if value == "&":
                return " "
            if value == "-":
                return "-"
            return value
        if kind == "sym":
            if value in SPACES:
                return SPACES[value]
            return ESCAPED.get(value, value)
        return self.command(value)

    def command(self, name: str) -> str:
        if name in GREEK:
            return GREEK[name]
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in RELATIONS:
            return f" {RELATIONS[name]} "
        if name in SPACES:
            return SPACES[name]
        if name in FUNCTIONS:
            return FUNCTION_START + name + FUNCTION_GAP
        if name in DELIMITER_SIZES:
            self.skip_spaces()
            if name in ("left", "right", "middle") and self.peek() == ("char", "."):
                self.pos += 1  # \left. is an invisible delimiter
            return ""
        if name == "mathbb":
            body = self.group()
            return "".join(BLACKBOARD.get(c, c) for c in body)
        if name in FONTS:
            body = self.group()
            return FUNCTION_START + body + FUNCTION_GAP if name == "operatorname" else body
        if name in ACCENTS:
            body = self.group()
            return body + ACCENTS[name] if len(body) == 1 else body
        if name in FRACTIONS:
            top, bottom = self.group().strip(), self.group().strip()
            return f"{_wrap(top)}/{_wrap(bottom)}"
        if name == "sqrt":
            index = self.optional()
            body = self.group().strip()
            prefix = index.translate(SUPERSCRIPTS) if index else ""
            return f"{prefix}√{_wrap(body)}"
        if name == "binom":
            n, k = self.group().strip(), self.group().strip()
            return f"C({n}, {k})"
        if name in ("underbrace", "overbrace"):
            body = self.group()
            self.skip_spaces()
            if self.peek() in (("char", "_"), ("char", "^")):
                self.pos += 1
                label = self.group().strip()
                return f"{body} ({label})" if label else body
            return body
        if name in ("bmod", "mod"):
            return " mod "
        if name == "pmod":
            return f" (mod {self.group().strip()})"
        if name == "begin":
            return self.environment(self.group())
        if name == "end":
            self.group()
            return ""
        if name in ("label", "tag"):
            self.group()
            return ""
        if name in ("not",):
            return "¬"
        return name


def _wrap(part: str) -> str:
    """A fraction's or root's part, in parentheses when it is more than one term (an operator outside brackets)."""
    depth = 0
    for char in part:
        if char in "([{⌊⌈⟨":
            depth += 1
        elif char in ")]}⌋⌉⟩":
            depth -= 1
        elif depth == 0 and char in OPERATOR_CHARS:
            return f"({part})"
    return part


def tex_to_text(tex: str) -> str:
    """One formula (without its $ delimiters) as plain readable text."""
    text = _Parser(tex).until(None)
    text = re.sub(FUNCTION_GAP + r"(?=[^\W_]|[√∑∏∂∇])", " ", text)
    text = re.sub(r"(?:(?<=[^\W_])|(?<=[)|‖]))" + FUNCTION_START, " ", text).replace(FUNCTION_GAP, "").replace(FUNCTION_START, "")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,;.)\]⌋⌉⟩])", r"\1", text)
    return unicodedata.normalize("NFC", re.sub(r"([(\[⌊⌈⟨])\s+", r"\1", text))
