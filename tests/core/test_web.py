"""A paper's Hugging Face page and arXiv search, from its arXiv id when known, else its title."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from readinglist import web


def test_known_arxiv_id_gives_the_exact_pages() -> None:
    texts = ["https://github.com/x/y", "See https://arxiv.org/abs/2403.01234v2 for details."]
    assert web.arxiv_id(texts) == "2403.01234"
    assert web.arxiv_url("Any", texts) == "https://arxiv.org/abs/2403.01234"
    assert web.hugging_face_url("Any", texts) == "https://huggingface.co/papers/2403.01234"
    assert web.arxiv_id(["https://huggingface.co/papers/2501.00001"]) == "2501.00001"
    assert web.arxiv_id(["arXiv:2312.12345"]) == "2312.12345"


def test_without_an_id_both_sites_are_searched_by_the_whole_title() -> None:
    title = "Q&A  for   C++ models: 100% #1?"
    for url, key in ((web.arxiv_url(title), "query"), (web.hugging_face_url(title), "q")):
        parts = urlsplit(url)
        assert parts.scheme == "https"
        assert parse_qs(parts.query)[key] == ["Q&A for C++ models: 100% #1?"]
    assert urlsplit(web.arxiv_url(title)).netloc == "arxiv.org"
    assert urlsplit(web.hugging_face_url(title)).netloc == "huggingface.co"
    # A number that only looks like an id is not one.
    assert web.arxiv_id(["version 2403.01234 of the data"]) is None
