"""Find the URLs (code, project pages) written inside an abstract."""

from __future__ import annotations

import re

# Braces end a URL too: abstracts keep LaTeX leftovers such as "https://x.github.io/{here}".
_URL_RE = re.compile(r"https?://[^\s<>\"'{}|\\^`]+", re.IGNORECASE)
_TRAILING = ".,;:!?*。，；：、"
_CLOSERS = {")": "(", "]": "["}


def find_links(text: str) -> tuple[str, ...]:
    """The distinct URLs in ``text``, in order, without the punctuation that follows them."""
    if "://" not in text:
        return ()
    found: dict[str, None] = {}
    for match in _URL_RE.finditer(text):
        url = _trim(match.group())
        host = url.split("://", 1)[1].split("/", 1)[0]
        if host.strip(".-:"):
            found.setdefault(url, None)
    return tuple(found)


def _trim(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]  # "(see https://x.org/a)" - the parenthesis is the sentence's
        else:
            break
    return url
