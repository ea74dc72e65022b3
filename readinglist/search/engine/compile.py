"""A parsed query (``readinglist.search.query``'s tree) compiled into Whoosh queries.

What each node means, in index terms (docs/search.md says it for users):

- ``Words``: the stems of the word in the stemmed field (``U-Net`` -> ``unet``), ANDed; a
  hyphenated word, or else the phrase of its parts (``fine-tuning``: "fine tuning").
- ``Phrase``: the words as written at consecutive positions of the field's ``_exact`` twin;
  a bare phrase also matching in the title ranks higher. One word in quotes is that word as
  written.
- ``Prefix``: every word as written in the ``_exact`` field starting with the prefix.
- ``Fuzzy``: the words of the ``_exact`` field nearest to the typed one (or all within the
  typed distance), then every form of them the stemmer joins, scored like typed words.

Expansions (prefix and fuzzy words) depend only on the index: ``Expansions`` remembers them
for one searcher.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from whoosh import query as wq

from readinglist.search import query as q
from readinglist.search.engine.analysis import _WORD, PaperAnalyzer, exact_words
from readinglist.search.engine.schema import EXACT_FIELDS
from readinglist.search.engine.sets import PHRASE_BOOST, PHRASE_TITLE_BOOST, PhraseSet, PrefixSet
from readinglist.search.engine.vocabulary import Vocabulary, vocabulary

# How far a fuzzy word may reach when no distance is typed: one edit up to four letters, two
# beyond; and how many words it may become (the nearest, then the commonest).
FUZZY_MAX_TERMS = 64
FUZZY_LONG_WORD = 5

_ANALYZER = PaperAnalyzer()


def fuzzy_distance(word: str, typed: int | None) -> int:
    """The edits a fuzzy word allows: as typed (``~2``), else by its length."""
    if typed is not None:
        return typed
    return 1 if len(word) < FUZZY_LONG_WORD else 2


def nearest_words(vocab: Vocabulary, word: str, typed: int | None) -> list[str]:
    """The words of ``vocab`` a fuzzy ``word~`` stands for (see the module docstring).

    ``word~``: the word itself if present, and the words at the smallest distance found
    within the allowed edits; ``word~N``: every word within N edits. At most
    ``FUZZY_MAX_TERMS``, nearest then commonest first.
    """
    found = vocab.near(word, fuzzy_distance(word, typed))
    if typed is None:
        nearest = min((d for d in found.values() if d > 0), default=0)
        found = {w: d for w, d in found.items() if d in (0, nearest)}
    ranked = sorted(found, key=lambda w: (found[w], -vocab.frequency.get(w, 0), w))
    return ranked[:FUZZY_MAX_TERMS]


@dataclass
class Expansions:
    """Vocabularies and fuzzy/prefix expansions for one searcher (its caller owns it)."""

    searcher: Any
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    fuzzy: dict[tuple[str, str, int | None], list[str]] = field(default_factory=dict)
    prefixes: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def vocabulary(self, fieldname: str) -> Vocabulary:
        found = self.vocabularies.get(fieldname)
        if found is None:
            found = self.vocabularies[fieldname] = vocabulary(self.searcher.reader(), fieldname)
        return found

    def fuzzy_words(self, node: q.Fuzzy) -> list[str]:
        key = (node.field, node.text, node.distance)
        found = self.fuzzy.get(key)
        if found is None:
            vocab = self.vocabulary(EXACT_FIELDS.get(node.field, "text_exact"))
            found = nearest_words(vocab, node.text, node.distance)
            if len(self.fuzzy) > 256:
                self.fuzzy.clear()
            self.fuzzy[key] = found
        return found

    def prefix_words(self, fieldname: str, prefix: str) -> list[str]:
        key = (fieldname, prefix)
        found = self.prefixes.get(key)
        if found is None:
            found = PrefixSet(fieldname, prefix).expand(self.searcher.reader())
            if len(self.prefixes) > 256:
                self.prefixes.clear()
            self.prefixes[key] = found
        return found


@dataclass
class Compiled:
    """A parsed query as Whoosh queries, and what its fuzzy words became (for highlights)."""

    query: wq.Query | None
    filter: wq.Query | None
    mask: wq.Query | None
    fuzzy_words: set[str] = field(default_factory=set)
    fuzzy_stems: set[str] = field(default_factory=set)


def compile_query(parsed: q.ParsedQuery, expansions: Expansions) -> Compiled:
    """Whoosh queries for the text part, the filters (all must match) and the exclusions."""
    compiler = _Compiler(expansions)
    query = compiler.alone(parsed.tree) if parsed.tree is not None else None
    filters = [f for f in map(compiler.node, parsed.filters) if f is not None]
    exclusions = [f for f in map(compiler.alone, parsed.exclusions) if f is not None]
    return Compiled(
        query=query,
        filter=_and(filters),
        mask=_or(exclusions),
        fuzzy_words=compiler.fuzzy_words,
        fuzzy_stems=compiler.fuzzy_stems,
    )


class _Compiler:
    def __init__(self, expansions: Expansions) -> None:
        self.expansions = expansions
        self.fuzzy_words: set[str] = set()
        self.fuzzy_stems: set[str] = set()

    def alone(self, node: q.Node) -> wq.Query | None:
        """``node`` where nothing else narrows the search: stop words count, as written.

        Beside other words a stop word is skipped ("the transformer" is "transformer"), but a
        part made only of stop words ("the", "the -video", "the OR video") would otherwise
        stand for every paper: it means the words as written instead, like a phrase.
        """
        found = self.node(node)
        return found if found is not None else self.as_written(node)

    def as_written(self, node: q.Node) -> wq.Query | None:
        if isinstance(node, q.All):
            return _and([p for p in map(self.as_written, node.parts) if p is not None])
        if isinstance(node, q.Words):
            exact = EXACT_FIELDS.get(node.field)
            words = exact_words(node.text) if exact is not None else []
            return _and([wq.Term(exact, w) for w in words])
        return None

    def node(self, node: q.Node) -> wq.Query | None:  # noqa: C901,PLR0911 - a case per node
        """The Whoosh query for ``node``; None for words that are all stop words ("the")."""
        if isinstance(node, q.All):
            return _and([p for p in map(self.node, node.parts) if p is not None])
        if isinstance(node, q.Either):
            return _or([p for p in map(self.alone, node.parts) if p is not None])
        if isinstance(node, q.Without):
            keep, drop = self.alone(node.keep), self.alone(node.drop)
            return wq.AndNot(keep, drop) if keep is not None and drop is not None else keep
        if isinstance(node, q.Words):
            return _and([w for w in map(self.word, _WORD.findall(node.text), repeat(node.field))
                         if w is not None])
        if isinstance(node, q.Phrase):
            return self.phrase(node)
        if isinstance(node, q.Prefix):
            if node.field == "tag":
                return wq.Prefix("tag", node.text)
            return PrefixSet(EXACT_FIELDS.get(node.field, "text_exact"), node.text)
        if isinstance(node, q.Fuzzy):
            return self.fuzzy(node)
        if isinstance(node, q.Equals):
            return wq.Term(node.field, node.value)
        if isinstance(node, q.Range):
            return wq.NumericRange(
                node.field,
                node.low,
                node.high,
                startexcl=node.low_excluded,
                endexcl=node.high_excluded,
            )
        if isinstance(node, q.HasAny):
            return wq.Every(node.field)
        raise TypeError(f"not a query node: {node!r}")

    def word(self, word: str, fieldname: str) -> wq.Query | None:
        """One word's stems; a hyphenated word (``fine-tuning``) also as the phrase of its parts.

        The joined form is what the index holds for "fine-tuning" and "finetuning"; the
        phrase finds "fine tuning" written apart, so the three spellings find each other.
        """
        found = _and([wq.Term(fieldname, t.text) for t in _ANALYZER(word, mode="query")])
        parts = exact_words(word) if "-" in word else []
        if len(parts) < 2 or fieldname not in EXACT_FIELDS:
            return found
        phrase = self.phrase(q.Phrase(" ".join(parts), fieldname))
        return phrase if found is None else wq.Or([found, phrase])

    def phrase(self, node: q.Phrase) -> wq.Query:
        exact = EXACT_FIELDS.get(node.field, "text_exact")
        words = exact_words(node.text)
        if len(words) == 1:
            return wq.Term(exact, words[0])
        found: list[wq.Query] = [PhraseSet(exact, words, boost=PHRASE_BOOST)]
        if node.field == "text":
            # The title is inside ``text`` too; a phrase there as well ranks the paper higher.
            found.append(PhraseSet("title_exact", words, boost=PHRASE_TITLE_BOOST))
        return wq.Or(found)

    def fuzzy(self, node: q.Fuzzy) -> wq.Query:
        words = self.expansions.fuzzy_words(node)
        stems: list[str] = []
        for word in words:
            for token in _ANALYZER(word, mode="query"):
                if token.text not in stems:
                    stems.append(token.text)
        self.fuzzy_words.update(words)
        self.fuzzy_stems.update(stems)
        if not stems:
            return wq.NullQuery
        return _or([wq.Term(node.field, s) for s in stems]) or wq.NullQuery


def _and(parts: list[wq.Query]) -> wq.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _or(parts: list[wq.Query]) -> wq.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)
