"""What makes two digest entries the same paper, and how papers and tags are named."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

ID_LENGTH = 10

# Invisible characters that editors and web pages slip into titles; they must not split words.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
)
_NON_WORD = re.compile(r"[\W_]+")

_KEY_SKIP = frozenset(
    "a an the on of for in to and with from towards toward via is are do does can "
    "how what when why we you your our".split()
)
# What a stored citation key may hold: safe in \cite{}, in BibTeX, biber and every style
# (the entry's ``key`` field gives alpha its label, so the underscore never reaches one).
CITATION_KEY = re.compile(r"[a-z0-9][a-z0-9_]{0,79}")


def _fold_run(match: re.Match[str]) -> str:
    # Combining marks (Devanagari vowel signs...) are not \w, yet they belong to their word.
    return "".join(ch if unicodedata.category(ch)[0] == "M" else " " for ch in match.group())


def title_key(title: str) -> str:
    """The identity of a paper: its title with Unicode width, case, punctuation and spaces folded.

    "U-Net: A" and "U Net  a" give the same key; Greek letters and digits are kept, so
    "PIXART-δ" and "PIXART-α" stay two papers.
    """
    if title.isascii():  # most titles: NFKC, invisibles and casefold have nothing to do
        return " ".join(_NON_WORD.sub(" ", title.lower()).split())
    text = unicodedata.normalize("NFKC", title).translate(_INVISIBLE).casefold()
    return " ".join(_NON_WORD.sub(_fold_run, text).split())


def key_digest(key: str) -> str:
    """The full hex digest a paper id is a prefix of."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def paper_id(key: str, length: int = ID_LENGTH) -> str:
    """The short, stable id of the paper whose title key is ``key`` (same on every machine)."""
    return key_digest(key)[:length]


def tag_name(tag: str) -> str:
    """A tag as the user typed it, trimmed and with inner whitespace collapsed (case kept)."""
    return " ".join(unicodedata.normalize("NFC", tag).split())


def tag_key(tag: str) -> str:
    """What makes two tags the same tag: the name, case-insensitively."""
    return tag_name(tag).casefold()


def citation_key(title: str, published: dt.date | None, paper_id: str) -> str:
    """``cra5_2024_3f9a1c2b4d``: first telling word of the title, year, paper id.

    Computed once, when the library first sees the paper, and stored: a date that a later
    digest supplies must not change a key someone has already cited. The id makes it unique.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_title)
    word = next((w for w in words if w not in _KEY_SKIP and len(w) > 1), None) or "paper"
    year = f"_{published.year}" if published else ""
    ident = re.sub(r"[^a-z0-9]", "", paper_id.lower()) or "x"
    return f"{word[:20]}{year}_{ident}"
