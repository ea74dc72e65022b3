"""What a search returns: a page of hits, the total, and any suggestion or correction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Hit:
    """One result: the paper id, its score, and (for the page asked for) highlighted text."""

    id: str
    score: float | None
    title: str = ""
    title_html: str = ""
    snippet_html: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "score": None if self.score is None else round(self.score, 4),
            "snippet": self.snippet_html,
        }


@dataclass(slots=True)
class SearchResults:
    """A page of hits, the total count, and a "did you mean" when the query found little."""

    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    corrected: bool = False  # True: the hits are for ``suggestion`` (the query found nothing)
    elapsed_ms: float = 0.0
    fallback: bool = False  # True: the query was malformed and read as plain words
    error: str | None = None  # the query was refused (a one-letter prefix); nothing searched

    @property
    def ids(self) -> list[str]:
        return [hit.id for hit in self.hits]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "query": self.query,
            "total": self.total,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "suggestion": self.suggestion,
            "corrected": self.corrected,
            "results": [hit.to_json() for hit in self.hits],
        }
        if self.error is not None:
            data["error"] = self.error
        return data
