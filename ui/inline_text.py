"""One line of lesson Markdown (an option, a matching item) as HTML or as plain text.

The answer widgets (`ui/controls.py`) draw their labels themselves, in the page, rather
than through Streamlit's Markdown element (each of which costs the browser a few ms). Their
texts are short lines that may hold `$…$` formulas, `` `code` ``, `**bold**` and `*emphasis*`:

    >>> inline_html("$1/N$ of the **optimizer states**")   # formulas as MathML, the rest escaped
    >>> inline_plain("$\\frac{p-1}{m+p-1}$ at $d_i$")        # '(p−1)/(m+p−1) at dᵢ'

`inline_html` turns formulas into MathML (`latex2mathml`), which Chromium, Firefox and Safari
draw natively; a formula it cannot read is shown as its source in `<code>`, never dropped.
`inline_plain` is for where only text can go (a native `<select>`'s options): the formula
with its `$` removed and the few commands the course uses spelled as Unicode.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

from latex2mathml.converter import convert

MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$(?!\$)")
CODE = re.compile(r"`([^`]+)`")
BOLD = re.compile(r"\*\*(.+?)\*\*")
EMPH = re.compile(r"(?<![\w*])([*_])(?![\s*_])(.+?)(?<![\s*_])\1(?![\w*])")
# single letters are italic in a formula (as KaTeX draws them); Chromium would otherwise map
# them to Unicode's mathematical italics, which many systems have no font for
LETTER = re.compile(r"<mi>([A-Za-z])</mi>")

SYMBOLS = {
    r"\times": "×",
    r"\cdot": "·",
    r"\le": "≤",
    r"\leq": "≤",
    r"\ge": "≥",
    r"\geq": "≥",
    r"\approx": "≈",
    r"\neq": "≠",
    r"\to": "→",
    r"\infty": "∞",
    r"\alpha": "α",
    r"\beta": "β",
    r"\gamma": "γ",
    r"\mu": "μ",
    r"\sum": "Σ",
    r"\%": "%",
    r"\,": " ",
    r"\;": " ",
    r"\ ": " ",
}
SUB = str.maketrans("0123456789+-=()aeijkmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₘₙₒₚᵣₛₜᵤᵥₓ")
SUP = str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")


class _MathML(HTMLParser):
    """The converter's output rebuilt from MathML elements and plain attributes only, the
    text escaped: a tag smuggled in by `\\text{<img …>}` is dropped and `\\href{javascript:…}`
    loses its link (the controls put this HTML into the page with `innerHTML`)."""

    TAGS = frozenset(
        [
            "math",
            "mrow",
            "mi",
            "mn",
            "mo",
            "ms",
            "mtext",
            "mspace",
            "mfrac",
            "msqrt",
            "mroot",
            "msub",
            "msup",
            "msubsup",
            "munder",
            "mover",
            "munderover",
            "mtable",
            "mtr",
            "mtd",
            "mstyle",
            "mpadded",
            "mphantom",
            "menclose",
            "semantics",
            "annotation",
        ]
    )
    ATTRS = frozenset(
        [
            "xmlns",
            "display",
            "mathvariant",
            "class",
            "lspace",
            "rspace",
            "stretchy",
            "fence",
            "separator",
            "accent",
            "accentunder",
            "linethickness",
            "columnalign",
            "rowalign",
            "columnspacing",
            "rowspacing",
            "displaystyle",
            "scriptlevel",
            "width",
            "height",
            "depth",
            "notation",
            "form",
            "largeop",
            "movablelimits",
            "symmetric",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.TAGS:
            kept = "".join(
                f' {k}="{html.escape(v or "")}"'
                for k, v in attrs
                if k in self.ATTRS and not re.search(r"[:(]", v or "")
            )
            self.out.append(f"<{tag}{kept}>")

    def handle_endtag(self, tag) -> None:
        if tag in self.TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data) -> None:
        self.out.append(html.escape(data, quote=False))


def _clean(markup: str) -> str:
    parser = _MathML()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


@lru_cache(maxsize=4096)
def _mathml(tex: str) -> str:
    try:
        out = _clean(convert(tex))
    except Exception:  # any failure of the converter: show the source
        return f"<code>{html.escape(tex)}</code>"
    out = out.replace("<mo>/</mo>", '<mo lspace="0" rspace="0">/</mo>')  # 1/N, as KaTeX
    return LETTER.sub(r'<mi mathvariant="normal" class="v">\1</mi>', out)


def _inline_markup(text: str) -> str:
    """Escaped text with `code`, **bold** and *emphasis* (no formulas in it)."""
    parts = CODE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{html.escape(part)}</code>")
            continue
        part = html.escape(part, quote=False)
        part = BOLD.sub(r"<strong>\1</strong>", part)
        out.append(EMPH.sub(r"<em>\2</em>", part.replace("\\$", "$")))
    return "".join(out)


@lru_cache(maxsize=4096)
def inline_html(text: str) -> str:
    """The line as HTML: MathML formulas, `<code>`, `<strong>`, `<em>`; all else escaped."""
    pieces = MATH.split(text)
    return "".join(
        _mathml(piece) if i % 2 else _inline_markup(piece) for i, piece in enumerate(pieces)
    )


def _group(tex: str, i: int) -> tuple[str, int]:
    """The `{…}` group (or single character) at `tex[i]`, and the index after it."""
    if i < len(tex) and tex[i] == "{":
        depth = 0
        for j in range(i, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[j], 0)
            if depth == 0:
                return tex[i + 1 : j], j + 1
        return tex[i + 1 :], len(tex)
    return tex[i : i + 1], i + 1


def _script(body: str, table: dict, mark: str) -> str:
    text = plain_math(body)
    mapped = text.translate(table)
    if all(ord(c) > 127 for c in mapped):  # every character has a sub- or superscript form
        return mapped
    return f"{mark}({text})" if len(text) > 1 else f"{mark}{text}"


def _atom(text: str) -> str:
    return text if re.fullmatch(r"[\w.]+", text) else f"({text})"


def plain_math(tex: str) -> str:
    """A formula as text: `\\frac{a}{b}` → a/b, `x_i` → xᵢ, `\\times` → ×, `-` → −."""
    out, i = [], 0
    while i < len(tex):
        word = re.match(r"\\(frac|tfrac|dfrac|text|mathrm|mathbf|textbf|operatorname)\b", tex[i:])
        if word and word.group(1) not in ("frac", "tfrac", "dfrac"):
            body, i = _group(tex, i + len(word.group(0)))
            out.append(body)
        elif word:
            i += len(word.group(0))
            top, i = _group(tex, i)
            bottom, i = _group(tex, i)
            out.append(f"{_atom(plain_math(top))}/{_atom(plain_math(bottom))}")
        elif tex[i] in "_^":
            table, mark = (SUB, "_") if tex[i] == "_" else (SUP, "^")
            body, i = _group(tex, i + 1)
            out.append(_script(body, table, mark))
        elif tex[i] == "\\":
            name = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            word = name.group(0) if name else "\\"
            out.append(SYMBOLS.get(word, word.lstrip("\\")))
            i += len(word)
        elif tex[i] in "{}":
            i += 1
        else:
            out.append("−" if tex[i] == "-" else tex[i])
            i += 1
    return "".join(out)


def inline_plain(text: str) -> str:
    """The line as plain text: formulas spelled out, Markdown marks removed."""
    pieces = MATH.split(text)
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            out.append(plain_math(piece))
        else:
            piece = CODE.sub(r"\1", piece)
            piece = BOLD.sub(r"\1", piece)
            out.append(EMPH.sub(r"\2", piece.replace("\\$", "$")))
    return "".join(out)
