"""Digest files in, papers out: the parser for copied Hugging Face paper listings (no Qt, no DB)."""

from readinglist.digests.model import DigestInfo, DigestRefused, DigestWarning, ParsedPaper
from readinglist.digests.reader import DigestReader, open_digest, parse_digest

__all__ = [
    "DigestInfo",
    "DigestReader",
    "DigestRefused",
    "DigestWarning",
    "ParsedPaper",
    "open_digest",
    "parse_digest",
]
