"""Search conformance: every operator's answer equals a set computed here, in plain Python.

The oracle reads the papers' texts with its own tokenizer (a character loop, no regular
expression, nothing from ``readinglist.search`` but the stemmer) and its own edit distance,
and applies docs/search.md's rules: phrases are consecutive words as written in one part of
a paper (title, abstract...); a prefix matches words as written and the joins of a compound's
leading parts; a word matches when a word or compound part has its stem; a fuzzy word stands
for the nearest words. It runs on the committed fixtures always, and on the real digests in
``../shared/digests`` when they are there (``shared`` marker).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.library import Library
from readinglist.search import SearchIndex
from readinglist.search.engine.analysis import stem  # the one thing shared: the stemmer

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE_OK = [HealthCheck.function_scoped_fixture]  # module fixtures, never changed by a test
FIXTURE_DIGESTS = [
    FIXTURES / "search" / "conformance.txt",
    ROOT / "readinglist" / "resources" / "sample" / "sample-digest.txt",
    *sorted((FIXTURES / "digests").glob("layout*.txt")),
]
STOP = set(
    "a an and are as at be by for from has have if in is it its of on or that the this to "
    "was we were which with".split()
)


# --- the oracle's reading of a text ------------------------------------------------------------


def is_letter(ch: str) -> bool:
    return ch.isalnum()


def pieces(text: str) -> list[tuple[str, str]]:
    """(kind, piece): runs of letters/digits ("w"), and every other character ("s")."""
    out: list[tuple[str, str]] = []
    run = ""
    for ch in text:
        if is_letter(ch):
            run += ch
            continue
        if run:
            out.append(("w", run))
            run = ""
        out.append(("s", ch))
    if run:
        out.append(("w", run))
    return out


def words(text: str) -> list[str]:
    """Words as written: lowercase runs of letters and digits."""
    return [p.lower() for kind, p in pieces(text) if kind == "w"]


def compounds(text: str) -> list[list[str]]:
    """Word runs joined by single hyphens or dots ("U-Net-based" -> [u, net, based])."""
    found: list[list[str]] = []
    current: list[str] = []
    parts = pieces(text)
    i = 0
    while i < len(parts):
        kind, piece = parts[i]
        if kind == "w":
            current.append(piece.lower())
            joined = (
                i + 2 < len(parts)
                and parts[i + 1][1] in "-."
                and parts[i + 1][0] == "s"
                and parts[i + 2][0] == "w"
            )
            if joined:
                i += 2
                continue
            if len(current) > 1:
                found.append(current)
            current = []
        i += 1
    return found


def joins(text: str) -> set[str]:
    """The joined leading parts of each compound (two to four parts)."""
    out: set[str] = set()
    for parts in compounds(text):
        for end in range(2, min(len(parts), 4) + 1):
            out.add("".join(parts[:end]))
    return out


def stems_of(text: str) -> set[str]:
    """The stems a plain word can match: of each word, compound part and join."""
    return {stem(w) for w in words(text) + sorted(joins(text)) if w not in STOP}


@dataclass
class Paper:
    id: str
    parts: list[str]  # title, abstract, organisation: phrases never span two
    exact: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    part_words: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for part in self.parts:
            self.part_words.append(words(part))
            self.exact |= set(words(part)) | joins(part)
            self.stems |= stems_of(part)


class Oracle:
    def __init__(self, papers: list[Paper]) -> None:
        self.papers = papers
        self.vocabulary: dict[str, int] = {}
        for paper in papers:
            for word in paper.exact:
                self.vocabulary[word] = self.vocabulary.get(word, 0) + 1

    def all(self) -> set[str]:
        return {p.id for p in self.papers}

    def phrase(self, text: str) -> set[str]:
        wanted = words(text)
        if len(wanted) == 1:
            return {p.id for p in self.papers if wanted[0] in p.exact}
        n = len(wanted)
        return {
            p.id
            for p in self.papers
            if any(ws[i : i + n] == wanted for ws in p.part_words for i in range(len(ws)))
        }

    def prefix(self, text: str) -> set[str]:
        start = "".join(words(text))
        return {p.id for p in self.papers if any(w.startswith(start) for w in p.exact)}

    def word(self, text: str) -> set[str]:
        """A plain word (letters only): papers with a word or compound part of its stem."""
        wanted = stem(text.lower())
        return {p.id for p in self.papers if wanted in p.stems}

    def hyphenated(self, text: str) -> set[str]:
        """An unquoted ``a-b`` (``field:a-b``): the joined word ``ab`` by its stem, or the phrase.

        The phrase is the parts as written, consecutive, in the field (``title:``) or anywhere.
        """
        fieldname, _, word = text.rpartition(":")
        parts = words(word)
        papers = self.papers
        joined = stem("".join(parts))
        if fieldname == "title":
            return {
                p.id for p in papers
                if joined in stems_of(p.parts[0]) or _holds(words(p.parts[0]), parts)
            }  # fmt: skip
        return {p.id for p in papers if joined in p.stems} | self.phrase(" ".join(parts))

    def nearest(self, text: str, typed: int | None = None) -> list[str]:
        limit = typed if typed is not None else (1 if len(text) < 5 else 2)
        found = {
            w: d
            for w in self.vocabulary
            if abs(len(w) - len(text)) <= limit and (d := osa(text, w)) <= limit
        }
        if typed is None:
            closest = min((d for d in found.values() if d > 0), default=0)
            found = {w: d for w, d in found.items() if d in (0, closest)}
        return sorted(found)

    def fuzzy(self, text: str, typed: int | None = None) -> set[str]:
        targets = {stem(w) for w in self.nearest(text, typed)}
        return {p.id for p in self.papers if p.stems & targets}


def _holds(found: list[str], wanted: list[str]) -> bool:
    n = len(wanted)
    return any(found[i : i + n] == wanted for i in range(len(found)))


def osa(a: str, b: str) -> int:
    """Optimal string alignment distance: insert, delete, substitute, swap neighbours."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, rows[i - 2][j - 2] + 1)
            rows[i][j] = best
    return rows[-1][-1]


# --- a library, its index and its oracle -------------------------------------------------------


@dataclass
class Built:
    library: Library
    index: SearchIndex
    oracle: Oracle
    home: Path

    def found(self, query: str) -> set[str]:
        results = self.index.search(query, limit=None, snippets=False, library=self.library,
                                    correct=False)
        assert results.error is None, (query, results.error)
        assert results.total == len(results.ids), query
        return set(results.ids)


def build(home: Path, files: Iterable[Path]) -> Built:
    library = Library.open(home)
    for _ in library.import_files(list(files)):
        pass
    index = SearchIndex.open(home)
    list(index.ensure_fresh(library))
    papers = [
        Paper(p.id, [p.title, p.abstract or "", p.organization or ""])
        for p in library.papers(library.list_ids())
    ]
    return Built(library, index, Oracle(papers), home)


@pytest.fixture(scope="module")
def fixture_library(tmp_path_factory: pytest.TempPathFactory):
    built = build(tmp_path_factory.mktemp("oracle") / "home", FIXTURE_DIGESTS)
    yield built
    built.index.close()
    built.library.close()


@pytest.fixture(scope="module")
def real_library(tmp_path_factory: pytest.TempPathFactory):
    shared = ROOT.parent / "shared" / "digests"
    files = sorted(shared.glob("*.txt")) if shared.is_dir() else []
    if not files:
        pytest.skip(f"real digests not found at {shared}")
    built = build(tmp_path_factory.mktemp("oracle-real") / "home", files)
    yield built
    built.index.close()
    built.library.close()


# --- the table, row by row -------------------------------------------------------------

TABLE_PHRASES = ['"fine tuning"', '"self supervised"', '"state of the art"', '"text to image"',
                 '"image editing"', '"the latent space to"', '"text and image"']
TABLE_PREFIXES = ["generati*", "tokeniz*", "evaluat*", "unet*", "transform*"]
TABLE_WORDS = ["llm", "llms", "cnn", "cnns", "vlm", "vlms", "mllms", "unet", "transformer",
               "ocr", "cot", "sft", "dpo", "gui"]
# Unquoted hyphenated words: the joined word (by its stem) or the phrase of the parts.
TABLE_HYPHENATED = ["fine-tuning", "self-supervised", "state-of-the-art", "text-to-image",
                    "U-Net", "GPT-4", "fine-tuned", "title:fine-tuning"]
TABLE_FUZZY = ["transfomer~", "ransformer~", "tokenizr~", "evaluaton~", "imagge~",
               "transfomer~1", "segmantation~2"]


def check_table(built: Built) -> None:
    o = built.oracle
    for text in TABLE_PHRASES:
        assert built.found(text) == o.phrase(text.strip('"')), text
    for text in TABLE_PREFIXES:
        assert built.found(text) == o.prefix(text.rstrip("*")), text
    for text in TABLE_WORDS:
        assert built.found(text) == o.word(text), text
    for text in TABLE_HYPHENATED:
        assert built.found(text) == o.hyphenated(text), text
    # However "fine-tuning" is written, quoted or not, it finds what the phrase finds.
    for text in ("fine-tuning", "fine-tuned", "self-supervised", "text-to-image"):
        assert built.found(text) >= built.found(f'"{text}"'), text
        assert built.found(text) >= built.found(f'"{text.replace("-", " ")}"'), text
    for text in TABLE_FUZZY:
        base, _, typed = text.partition("~")
        assert built.found(text) == o.fuzzy(base, int(typed) if typed else None), text
    # Hyphen or space: the same phrase; stop words count; another word in between does not.
    assert built.found('"fine-tuning"') == built.found('"fine tuning"')
    assert built.found('"state-of-the-art"') == built.found('"state of the art"')
    # U-Net, UNet, unet, U-Net-based's lead: one word. Acronym plurals: one word.
    # U-Net also finds its parts written apart or inside a longer compound ("bi-U-Net").
    assert built.found("U-Net") >= built.found("unet") == built.found("UNet")
    for one, other in (("llm", "LLMs"), ("cnn", "CNNs"), ("vlm", "VLMs"), ("mllm", "MLLMs")):
        assert built.found(one) == built.found(other), one
    # An unclosed quote is the unquoted words.
    assert built.found('"image editing') == built.found("image editing")
    # Operators combine as sets.
    a, b = built.found("image"), built.found("text")
    assert built.found("image OR text") == a | b
    assert built.found("image text") == a & b
    assert built.found("image -text") == a - b
    assert built.found("image NOT text") == a - b
    assert built.found('image -"text to image"') == a - o.phrase("text to image")
    # Stop words are skipped beside other words; a part made only of them is them as written
    # (never every paper, never an exclusion ignored).
    the = o.phrase("the")
    assert the and built.found("the") == the
    assert built.found("the of") == the & o.phrase("of")
    assert built.found("the image") == a
    assert built.found("the -image") == the - a
    assert built.found("image -the") == a - the
    assert built.found("the OR image") == the | a
    assert built.found("title:the") == {p.id for p in o.papers if "the" in words(p.parts[0])}


def test_table_on_the_fixtures(fixture_library: Built) -> None:
    built, o = fixture_library, fixture_library.oracle
    check_table(built)
    titles = {p.id: p.parts[0] for p in o.papers}

    def found_titles(query: str) -> set[str]:
        return {titles[i] for i in built.found(query)}

    # The fixtures hold each case, so the sets are not vacuous.
    assert "Joint Text and Image Representations for Retrieval" not in found_titles(
        '"text to image"')
    assert "Text-to-Image Generation with Latent Diffusion" in found_titles('"text to image"')
    assert "Fine-tuning Large Language Models with Little Data" in found_titles('"fine tuning"')
    # "fine tuning" written apart, "finetuned" joined: both found by an unquoted fine-tuning.
    assert "Instruction Data for Small Models" in found_titles("fine-tuning")
    assert "Instruction Data for Small Models" in found_titles("fine-tuned")
    assert "Instruction Data for Small Models" in found_titles("self-supervised")
    assert "Text to Image Retrieval without Captions" in found_titles("text-to-image")
    # The joined word goes by its stem: "fine-tuned" is a form of fine-tuning.
    assert "Text to Image Retrieval without Captions" in found_titles("fine-tuning")
    assert "Multimodal LLMs as Visual Agents" in found_titles("llm")
    assert "Scaling Laws of CNN Classifiers" in found_titles("cnns")
    assert "UNet Variants for Medical Image Segmentation" in found_titles("u-net")
    assert len(found_titles('"state of the art"')) >= 3
    assert found_titles("transfomer~") and not any(
        "Training" in t and "ransform" not in t for t in found_titles("transfomer~"))
    assert "training" not in o.nearest("transfomer")
    assert {"generation", "generative"} <= {w for w in o.vocabulary if w.startswith("generati")}
    assert "Text-to-Image Generation with Latent Diffusion" in found_titles("generati*")
    assert "Self-Supervised Tokenizers for Vision Transformers" in found_titles("tokeniz*")
    for text in ("ocr", "cot", "sft", "dpo", "gui"):
        assert built.found(text) == set(), text


@pytest.mark.shared
def test_table_on_the_real_digests(real_library: Built) -> None:
    check_table(real_library)
    assert len(real_library.found('"state of the art"')) > 50
    assert real_library.found('"fine tuning"') and real_library.found('"text to image"')


# --- the same rows through `readinglist search --json` -----------------------------------------

NAMES_THE_LIBRARY_LACKS = ["ocr", "cot", "sft", "dpo", "int4", "fp8", "gui", "OCR"]


def command_line(built: Built, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
                 query: str, *flags: str) -> tuple[int, dict]:
    from readinglist.cli import main as cli_main

    monkeypatch.setenv("READINGLIST_HOME", str(built.home))
    capsys.readouterr()
    status = cli_main(["search", query, "--json", "--limit", "100000", *flags])
    return status, json.loads(capsys.readouterr().out)


def check_command_line(built: Built, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture, typo: str, fixed: str) -> None:
    """Each row as the command line answers it: the oracle's set, and corrections said."""
    search = lambda q, *f: command_line(built, monkeypatch, capsys, q, *f)  # noqa: E731
    rows = [*TABLE_PHRASES, *TABLE_PREFIXES, *TABLE_WORDS, *TABLE_HYPHENATED, *TABLE_FUZZY,
            '"image editing']
    for text in rows:
        status, data = search(text)
        assert status == 0 and not data["corrected"] and data["query"] == text, text
        assert {r["id"] for r in data["results"]} == built.found(text), text
        assert data["total"] == len(data["results"]), text
    for text in NAMES_THE_LIBRARY_LACKS:
        status, data = search(text)
        assert (data["total"], data["suggestion"], data["corrected"]) == (0, None, False), text
    status, data = search("d*")
    assert status == 2 and data["total"] == 0 and "at least 2 letters" in data["error"]
    # A sure correction changes the misspelt word only, and the JSON says so.
    status, data = search(typo)
    assert data["corrected"] and data["suggestion"] == fixed and data["query"] == typo
    assert {r["id"] for r in data["results"]} == built.found(fixed) != set()
    status, data = search(typo, "--as-typed")
    assert not data["corrected"] and data["suggestion"] == fixed and data["total"] == 0


def test_table_through_the_command_line_on_the_fixtures(
    fixture_library: Built, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    check_command_line(fixture_library, monkeypatch, capsys,
                       "evaluaton benchmark", "evaluation benchmark")


@pytest.mark.shared
def test_table_through_the_command_line_on_the_real_digests(
    real_library: Built, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # The example: the typo fixed, the name and the compound left alone.
    check_command_line(real_library, monkeypatch, capsys,
                       "layton tokeizer 1024-pixel", "layton tokenizer 1024-pixel")


# --- generated queries -------------------------------------------------------------------------


def vocabulary_words(built: Built) -> list[str]:
    # Stop words are skipped outside phrases (docs/search.md): not asked alone.
    return sorted(
        w for w in built.oracle.vocabulary if w.isalpha() and len(w) >= 3 and w not in STOP
    )


def phrase_windows(built: Built) -> list[str]:
    windows = []
    for paper in built.oracle.papers:
        for ws in paper.part_words:
            for i in range(0, max(len(ws) - 3, 0), 7):
                windows.append(" ".join(ws[i : i + 2 + i % 3]))
    return sorted(set(windows))


def generated_queries(built: Built) -> st.SearchStrategy[tuple[str, str]]:
    words_ = vocabulary_words(built)
    windows = phrase_windows(built)
    word = st.sampled_from(words_)
    return st.one_of(
        word.map(lambda w: ("word", w)),
        st.sampled_from(windows).map(lambda p: ("phrase", p)),
        word.map(lambda w: ("prefix", w[: 2 + len(w) % 4])),
        st.tuples(word, st.integers(0, 10)).map(lambda t: ("fuzzy", typo(*t))),
    )


def typo(word: str, seed: int) -> str:
    i = seed % len(word)
    if seed % 3 == 0:
        return word[:i] + word[i + 1 :] if len(word) > 4 else word
    if seed % 3 == 1:
        return word[:i] + "e" + word[i:]
    return word[:i] + ("a" if word[i] != "a" else "o") + word[i + 1 :]


def expected(built: Built, kind: str, text: str) -> tuple[str, set[str]]:
    o = built.oracle
    if kind == "word":
        return text, o.word(text)
    if kind == "phrase":
        return f'"{text}"', o.phrase(text)
    if kind == "prefix":
        return f"{text}*", o.prefix(text)
    return f"{text}~", o.fuzzy(text)


def check_generated(built: Built, data: st.DataObject) -> None:
    kind, text = data.draw(generated_queries(built))
    query, wanted = expected(built, kind, text)
    if kind == "fuzzy" and len(built.oracle.nearest(text)) > 64:
        return  # capped at 64 words (docs/search.md); the oracle does not rank them
    assert built.found(query) == wanted, query
    # Two of them, with OR, AND and NOT, are the set operations of their answers.
    kind2, text2 = data.draw(generated_queries(built))
    query2, wanted2 = expected(built, kind2, text2)
    if kind2 == "fuzzy":
        return
    assert built.found(f"{query} OR {query2}") == wanted | wanted2, (query, query2)
    assert built.found(f"{query} {query2}") == wanted & wanted2, (query, query2)
    assert built.found(f"{query} -{query2}") == wanted - wanted2, (query, query2)


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_generated_queries_on_the_fixtures(fixture_library: Built, data: st.DataObject) -> None:
    check_generated(fixture_library, data)


@pytest.mark.shared
@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_generated_queries_on_the_real_digests(real_library: Built, data: st.DataObject) -> None:
    check_generated(real_library, data)


# --- corrections never hide a word the library uses --------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_a_word_the_library_uses_is_never_corrected(fixture_library: Built, data: st.DataObject):
    built = fixture_library
    word = data.draw(st.sampled_from(vocabulary_words(built)))
    other = data.draw(st.sampled_from(vocabulary_words(built)))
    results = built.index.search(f"{word} {other}", library=built.library)
    assert not results.corrected, (word, other)
    assert results.suggestion is None, (word, other)


def test_corrections_follow_the_rules(fixture_library: Built) -> None:
    built = fixture_library
    search = lambda q, **kw: built.index.search(q, library=built.library, **kw)  # noqa: E731
    # A sure correction: a long word, one edit from a word of several papers.
    sure = search("evaluaton benchmark")
    assert sure.corrected and sure.suggestion == "evaluation benchmark"
    assert sure.query == "evaluaton benchmark" and sure.total > 0
    assert json.loads(json.dumps(sure.to_json()))["corrected"] is True
    # Only the misspelt word changes.
    mixed = search("Tokenizer evaluaton 1024-pixel")
    assert mixed.suggestion == "Tokenizer evaluation 1024-pixel"
    # Short words, acronyms and numbers are never corrected; nothing is shown instead.
    for text in ("ocr", "cot", "sft", "dpo", "int4", "fp8", "gui", "EVALUATON"):
        results = search(text)
        assert not results.corrected and results.total == 0, text
    assert search("ocr").suggestion is None
    # Asked for the words as typed: never corrected.
    assert search("evaluaton benchmark", correct=False).total == 0


def test_related_papers_use_content_words_only(fixture_library: Built) -> None:
    from readinglist.search.similar import key_terms

    built = fixture_library
    reader = built.index.searcher().reader
    for paper in built.oracle.papers:
        text = f"{paper.parts[0]}. {paper.parts[1]}"
        terms = [t for t, _w in key_terms(reader, text)]
        for term in terms:
            assert term.isalpha() and len(term) >= 3, (paper.parts[0], term)
            assert term not in {"where", "et", "al", "which", "propos", "use"}, term
            # A whole word of the text, never a fragment of a compound.
            assert term in {stem(w) for w in words(text)} | {stem(j) for j in joins(text)}
        related = built.index.related(paper.id, library=built.library)
        assert paper.id not in related.ids


if __name__ == "__main__":  # pragma: no cover - a quick look at the oracle's reading
    print(words(sys.argv[1]), sorted(joins(sys.argv[1])))
