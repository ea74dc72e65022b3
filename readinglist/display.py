r"""Titles and abstracts as people read them: the digests' LaTeX leftovers rendered.

Digest pages are scraped from sites whose abstracts were written in LaTeX, so titles and
abstracts carry ``\&``, ``85.2\%``, ``PIXART-{\delta}``, ``\(\Delta\)ConvFusion``,
``{\bf Name}``. The library stores the text as imported (search, identity and a later, better
renderer all need the original); the app and every export except BibTeX show ``display_text``.

Only unambiguous leftovers are rendered: an escaped special, a Greek letter or a known symbol
macro, a font switch or ``\emph{}`` around plain words, and inline-math delimiters. Anything
else (``\model``, a bare ``$``) stays as it is: guessing would turn prices into math.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SYMBOLS = {
    "times": "×", "cdot": "·", "pm": "±", "approx": "≈", "sim": "∼", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "infty": "∞", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "ell": "ℓ", "circ": "∘", "degree": "°", "textasciitilde": "~",
    "textasciicircum": "^", "textbackslash": "\\", "textendash": "–", "textemdash": "—",
    "textquoteright": "’", "textquoteleft": "‘", "ldots": "…", "dots": "…", "textbar": "|",
    "textless": "<", "textgreater": ">", "eg": "e.g.", "ie": "i.e.", "etal": "et al.",
}  # fmt: skip
_VARIANTS = {"varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "varrho": "ϱ", "varsigma": "ς",
             "varpi": "ϖ"}  # fmt: skip
_WORD_MACRO = re.compile(r"\{\\([A-Za-z]+)\}|\\([A-Za-z]+)(?:\{\})?(?![A-Za-z])")
_ESCAPED = re.compile(r"\\([&%$#_{}])")
_INLINE_MATH = re.compile(r"\\\((.{0,200}?)\\\)")
_FONT_GROUP = re.compile(r"\{\\(?:bf|it|em|sc|tt|rm|sf|sl)\s+([^{}\\]*)\}")
_FONT_COMMAND = re.compile(
    r"\\(?:emph|textbf|textit|textsc|texttt|textrm|textsf|mathrm|mathbf|mathit|text)\{([^{}\\]*)\}"
)


@functools.cache
def _macro(name: str) -> str | None:
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    if name in _VARIANTS:
        return _VARIANTS[name]
    case = "CAPITAL" if name[0].isupper() else "SMALL"
    try:
        return unicodedata.lookup(f"GREEK {case} LETTER {name.upper()}")
    except KeyError:
        return None


def _word(match: re.Match[str]) -> str:
    name = match.group(1) or match.group(2)
    return _macro(name) or match.group()


@functools.lru_cache(maxsize=4096)
def display_text(text: str) -> str:
    r"""``text`` with the digests' LaTeX leftovers rendered (``\&`` → &, ``{\delta}`` → δ)."""
    if "\\" not in text:  # nearly every title: nothing to do
        return text
    text = _FONT_GROUP.sub(r"\1", text)
    text = _FONT_COMMAND.sub(r"\1", text)
    # Inside \( \) a macro may touch the next word (``\(\Delta\)Conv``): render it first.
    text = _INLINE_MATH.sub(lambda m: _WORD_MACRO.sub(_word, m.group(1) + " ")[:-1], text)
    text = _WORD_MACRO.sub(_word, text)
    return _ESCAPED.sub(r"\1", text)
