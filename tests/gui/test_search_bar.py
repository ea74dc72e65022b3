"""The search bar says when results are a correction's, and lets the user search as typed."""

from __future__ import annotations

from readinglist.gui.search_bar import SearchBar


def test_corrected_results_say_so_and_offer_the_words_as_typed(qtbot) -> None:
    bar = SearchBar()
    qtbot.addWidget(bar)
    with qtbot.waitSignal(bar.query_changed, timeout=2000) as typed:
        bar.set_query("evaluaton benchmark")
    assert typed.args == ["evaluaton benchmark"] and not bar.as_typed
    bar.show_result(3, "evaluation benchmark", 4.0, corrected=True)
    text = bar.info.text()
    assert "Showing results for <b>evaluation benchmark</b>" in text
    assert 'Search instead for <a href="astyped:evaluaton benchmark">' in text
    # Clicking it searches the same words again, this time never corrected.
    with qtbot.waitSignal(bar.query_changed, timeout=2000) as again:
        bar.info.linkActivated.emit("astyped:evaluaton benchmark")
    assert again.args == ["evaluaton benchmark"] and bar.as_typed
    bar.show_result(0, "evaluation benchmark", 2.0, corrected=False)
    assert "no papers match" in bar.info.text() and "did you mean" in bar.info.text()
    # Typing again drops "as typed".
    qtbot.keyClicks(bar.field, "s")
    assert not bar.as_typed


def test_a_refused_query_shows_its_message(qtbot) -> None:
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.set_query("d*")
    bar.show_result(0, None, None, error="'d*': a prefix needs at least 2 letters before the *")
    assert "prefix needs at least 2 letters" in bar.info.text()
