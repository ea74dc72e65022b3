"""The sidebar's digest groups: the newest few alone, then month by month (an oracle by hand)."""

from __future__ import annotations

import datetime as dt

from readinglist.digest_months import digest_month, group_digests


def _digest(n: int, label: str | None, imported: dt.datetime | None) -> dict:
    return {"id": n, "label": label, "imported_at": imported}


def test_month_from_the_label_with_the_year_of_the_import():
    when = dt.datetime(2026, 2, 3, tzinfo=dt.UTC)
    assert digest_month(_digest(1, "Jan 30", when)) == (2026, 1)
    assert digest_month(_digest(1, "Dec 30", when)) == (2025, 12)  # a December before February
    assert digest_month(_digest(1, "September 4, 2024", when)) == (2024, 9)
    assert digest_month(_digest(1, "Sept. 4", when)) == (2025, 9)
    assert digest_month(_digest(1, None, when)) == (2026, 2)
    assert digest_month(_digest(1, "not a date", when)) == (2026, 2)
    assert digest_month(_digest(1, "Mar 14", None)) is None
    assert digest_month(_digest(1, None, None)) is None


def test_sixty_digests_newest_alone_then_by_month_newest_first():
    # Sixty daily digests, one a day from 2026-12-01 back; imported the day they came out.
    start = dt.date(2026, 12, 1)
    digests = []
    for n in range(60):
        day = start - dt.timedelta(days=n)
        when = dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC)
        digests.append(_digest(60 - n, f"{day:%b} {day.day}", when))

    shown, groups = group_digests(digests, recent=8)

    assert [d["id"] for d in shown] == list(range(60, 52, -1))
    # The oracle: the remaining 52 days, by (year, month) of their date, newest month first.
    expected: dict[tuple[int, int], list[int]] = {}
    for n in range(8, 60):
        day = start - dt.timedelta(days=n)
        expected.setdefault((day.year, day.month), []).append(60 - n)
    assert [(g.year, g.month) for g in groups] == sorted(expected, reverse=True)
    assert [[d["id"] for d in g.digests] for g in groups] == [
        expected[k] for k in sorted(expected, reverse=True)
    ]
    assert [g.title for g in groups] == ["November 2026", "October 2026"]
    assert [g.key for g in groups] == ["2026-11", "2026-10"]
    assert sum(len(g.digests) for g in groups) + len(shown) == 60


def test_few_digests_are_all_shown_and_monthless_ones_never_vanish():
    when = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    few = [_digest(n, "Mar 1", when) for n in range(3)]
    assert group_digests(few, recent=8) == (few, [])
    many = [_digest(n, "Mar 1", when) for n in range(9)] + [_digest(99, None, None)]
    shown, groups = group_digests(many, recent=8)
    assert [d["id"] for d in shown] == [*range(8), 99]
    assert [len(g.digests) for g in groups] == [1]
