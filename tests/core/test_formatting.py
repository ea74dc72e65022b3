"""Sizes read the way people read them."""

from readinglist.formatting import human_size


def test_human_size() -> None:
    assert human_size(0) == "0 bytes"
    assert human_size(1023) == "1023 bytes"
    assert human_size(1024) == "1.0 KB"
    assert human_size(782_336) == "764.0 KB"
    assert human_size(5 * 1024**2) == "5.0 MB"
    assert human_size(3 * 1024**4) == "3072.0 GB"
