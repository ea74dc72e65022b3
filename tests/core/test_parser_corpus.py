"""The benchmark corpus generator, and the parser's bounded memory on a large generated digest."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import tracemalloc
from pathlib import Path
from types import ModuleType

import pytest

from readinglist.digests import open_digest

CORPUS_PY = Path(__file__).resolve().parents[2] / "bench" / "corpus.py"


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpus", CORPUS_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = module
    spec.loader.exec_module(module)
    return module


def read_all(paths: list[Path]) -> tuple[list[str], set[str], list[str]]:
    titles: list[str] = []
    layouts: set[str] = set()
    warnings: list[str] = []
    for path in paths:
        reader = open_digest(path)
        titles.extend(paper.title for paper in reader)
        layouts.add(reader.info.layout)
        warnings.extend(str(w) for w in reader.info.warnings)
    return titles, layouts, warnings


def test_corpus_reads_back_every_paper_in_every_layout(corpus: ModuleType, tmp_path: Path) -> None:
    papers = corpus.generate_papers(900, seed=5, shared=False)
    assert len({p["title"] for p in papers}) == 900
    paths = corpus.write_digests(papers, tmp_path, per_file=50, seed=5)
    assert len(paths) == 18
    titles, layouts, warnings = read_all(paths)
    assert warnings == []
    assert set(titles) == {p["title"] for p in papers}
    assert 900 < len(titles) < 900 * 1.1  # a few repeats across files, like real digests
    assert layouts == {"blank-separated", "blank-separated+metadata", "compact", "mixed"}
    encodings = {_encoding(path) for path in paths}
    assert encodings == {"utf-8", "utf-8-sig", "utf-16-le"}


def _encoding(path: Path) -> str:
    reader = open_digest(path)
    next(iter(reader))
    return reader.info.encoding


def test_corpus_papers_look_like_real_ones(corpus: ModuleType) -> None:
    papers = corpus.generate_papers(400, seed=2, shared=False)
    abstracts = [len(str(p["abstract"])) for p in papers]
    titles = [len(str(p["title"])) for p in papers]
    assert min(abstracts) >= 200 and sum(abstracts) / len(abstracts) > 600
    assert max(titles) < 250 and sum(titles) / len(titles) < 120
    assert any("https://github.com/" in str(p["abstract"]) for p in papers)
    assert any(p["upvotes"] is not None for p in papers)
    assert all(p["published"] is not None for p in papers)


def test_corpus_is_deterministic_for_a_seed(corpus: ModuleType, tmp_path: Path) -> None:
    def digest_of(folder: Path, seed: int) -> str:
        papers = corpus.generate_papers(120, seed, shared=False)
        paths = corpus.write_digests(papers, folder, 40, seed)
        return hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()

    assert digest_of(tmp_path / "a", 7) == digest_of(tmp_path / "b", 7)
    assert digest_of(tmp_path / "c", 8) != digest_of(tmp_path / "a", 7)


def test_corpus_learns_from_the_fixtures_without_the_real_digests(
    corpus: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus, "SHARED_DIGESTS", tmp_path / "absent")
    corpus.load_source.cache_clear()
    try:
        source = corpus.load_source()
        assert all("fixtures" in f or "sample" in f for f in source.files)
        paths = corpus.write_digests(corpus.generate_papers(60, 1), tmp_path / "out", 30, 1)
        titles, _, warnings = read_all(paths)
        assert warnings == [] and len(set(titles)) == 60
    finally:
        corpus.load_source.cache_clear()


def test_corpus_command_line(
    corpus: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(corpus, "SHARED_DIGESTS", tmp_path / "absent")  # the same everywhere
    corpus.load_source.cache_clear()
    try:
        assert corpus.main(["--papers", "30", "--out", str(tmp_path), "--per-file", "10"]) == 0
    finally:
        corpus.load_source.cache_clear()
    assert len(list(tmp_path.glob("digest-*.txt"))) == 3
    assert "30 distinct papers in 3 files" in capsys.readouterr().out


@pytest.mark.slow
def test_a_large_digest_streams_in_bounded_memory(corpus: ModuleType, tmp_path: Path) -> None:
    # Drawn from the repository's fixtures only (as every test's corpus, so a clone without
    # ../shared tests the same); sized from a sample so the file is over 20 MB.
    (sample,) = corpus.write_digests(corpus.generate_papers(500, seed=11, shared=False),
                                     tmp_path / "sample",
                                     per_file=500, seed=11)
    wanted = int(21_000_000 / (sample.stat().st_size / 500)) + 1
    papers = corpus.generate_papers(wanted, seed=11, shared=False)
    (path,) = corpus.write_digests(papers, tmp_path, per_file=len(papers), seed=11)
    size = path.stat().st_size
    assert size > 20_000_000
    tracemalloc.start()
    try:
        reader = open_digest(path)
        count = 0
        for _ in reader:
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == reader.info.paper_count == wanted
    assert reader.bytes_read == size
    assert peak < 8_000_000, f"peak {peak:,} bytes while reading a {size:,}-byte digest"
