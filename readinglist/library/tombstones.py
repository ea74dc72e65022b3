"""Deleting papers into tombstones and bringing them back, inside the caller's transaction.

A tombstone keeps everything a paper had (its row, abstract, links, note, tags and sightings)
as JSON, so undo and undelete restore the paper exactly, and an import can tell that a paper
it meets was deleted on purpose.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from readinglist.library.identity import tag_key
from readinglist.library.queries import json_list

_CHUNK = 5_000  # ids per statement: json_each keeps one statement per chunk


def bury(conn: sqlite3.Connection, ids: Sequence[str], now: str) -> list[str]:
    """Delete these papers and everything hanging off them, leaving a tombstone for each.

    Returns the ids deleted (ids not in the library are left out). Tags left on no paper go too.
    """
    deleted: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        records = _records(conn, chunk)
        if not records:
            continue
        conn.executemany(
            "INSERT INTO deleted_papers (id, title_key, title, deleted_at, record)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET title_key = excluded.title_key,"
            " title = excluded.title, deleted_at = excluded.deleted_at, record = excluded.record",
            [
                (
                    r["paper"]["id"],
                    r["paper"]["title_key"],
                    r["paper"]["title"],
                    now,
                    json.dumps(r, ensure_ascii=False),
                )
                for r in records
            ],
        )
        seqs = json_list([r["paper"]["seq"] for r in records])
        tag_ids = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT tag FROM paper_tags"
                " WHERE paper IN (SELECT value FROM json_each(?))",
                (seqs,),
            )
        ]
        # Children first, explicitly: the schema cascades too, but only with foreign_keys on.
        for table in ("paper_tags", "sightings", "notes", "paper_texts"):
            conn.execute(
                f"DELETE FROM {table} WHERE paper IN (SELECT value FROM json_each(?))", (seqs,)
            )
        conn.execute("DELETE FROM papers WHERE seq IN (SELECT value FROM json_each(?))", (seqs,))
        conn.executemany(
            "DELETE FROM tags WHERE id = ? AND NOT EXISTS"
            " (SELECT 1 FROM paper_tags WHERE tag = tags.id)",
            [(t,) for t in tag_ids],
        )
        deleted.extend(r["paper"]["id"] for r in records)
    order = {paper_id: n for n, paper_id in enumerate(ids)}
    return sorted(deleted, key=order.__getitem__)


def raise_from_tombstones(conn: sqlite3.Connection, ids: Sequence[str]) -> list[str]:
    """Put these deleted papers back as they were; returns the ids restored.

    A paper whose title is in the library again (a JSON merge brought it back) keeps the live
    copy: its tombstone is simply dropped.
    """
    restored: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        rows = conn.execute(
            "SELECT id, record FROM deleted_papers WHERE id IN (SELECT value FROM json_each(?))",
            (json_list(chunk),),
        ).fetchall()
        for paper_id, record in rows:
            if _restore(conn, json.loads(record)):
                restored.append(paper_id)
        conn.execute(
            "DELETE FROM deleted_papers WHERE id IN (SELECT value FROM json_each(?))",
            (json_list([r[0] for r in rows]),),
        )
    order = {paper_id: n for n, paper_id in enumerate(ids)}
    return sorted(restored, key=order.__getitem__)


def deleted_keys(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, str]:
    """Which of these title keys belong to deleted papers: title_key -> paper id.

    A key that is also live (a JSON merge brought the paper back) counts as live.
    """
    wanted = list(keys)
    if not wanted:
        return {}
    rows = conn.execute(
        "SELECT d.title_key, d.id FROM deleted_papers d"
        " WHERE d.title_key IN (SELECT value FROM json_each(?))"
        " AND NOT EXISTS (SELECT 1 FROM papers p WHERE p.title_key = d.title_key)",
        (json_list(wanted),),
    )
    return dict(rows.fetchall())


def _records(conn: sqlite3.Connection, ids: list[str]) -> list[dict[str, Any]]:
    cursor = conn.execute(
        "SELECT * FROM papers WHERE id IN (SELECT value FROM json_each(?))", (json_list(ids),)
    )
    columns = [d[0] for d in cursor.description]
    papers = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    by_seq: dict[int, dict[str, Any]] = {
        p["seq"]: {"paper": p, "text": None, "note": None, "tags": [], "sightings": []}
        for p in papers
    }
    if not by_seq:
        return []
    seqs = json_list(list(by_seq))
    for seq, abstract, links in conn.execute(
        "SELECT paper, abstract, links FROM paper_texts"
        " WHERE paper IN (SELECT value FROM json_each(?))",
        (seqs,),
    ):
        by_seq[seq]["text"] = {"abstract": abstract, "links": links}
    for seq, text, updated_at in conn.execute(
        "SELECT paper, text, updated_at FROM notes WHERE paper IN (SELECT value FROM json_each(?))",
        (seqs,),
    ):
        by_seq[seq]["note"] = {"text": text, "updated_at": updated_at}
    for seq, tag_id, name in conn.execute(
        "SELECT pt.paper, t.id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag"
        " WHERE pt.paper IN (SELECT value FROM json_each(?)) ORDER BY t.key",
        (seqs,),
    ):
        by_seq[seq]["tags"].append([tag_id, name])
    for seq, digest, position, label, upvotes in conn.execute(
        "SELECT paper, digest, position, label, upvotes FROM sightings"
        " WHERE paper IN (SELECT value FROM json_each(?)) ORDER BY digest",
        (seqs,),
    ):
        by_seq[seq]["sightings"].append([digest, position, label, upvotes])
    return list(by_seq.values())


def _restore(conn: sqlite3.Connection, record: dict[str, Any]) -> bool:
    paper = dict(record["paper"])
    live = conn.execute(
        "SELECT 1 FROM papers WHERE title_key = ? OR id = ?", (paper["title_key"], paper["id"])
    ).fetchone()
    if live is not None:
        return False
    # Keep the paper's place (seq orders ties) unless a paper added since took it.
    if conn.execute("SELECT 1 FROM papers WHERE seq = ?", (paper["seq"],)).fetchone():
        paper["seq"] = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM papers").fetchone()[0]
    # Columns by name, only those this schema has: a tombstone from an older schema restores
    # with the newer columns at their defaults.
    present = [row[1] for row in conn.execute("PRAGMA table_info(papers)")]
    columns = [c for c in present if c in paper]
    conn.execute(
        f"INSERT INTO papers ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [paper[c] for c in columns],
    )
    seq = paper["seq"]
    text = record.get("text") or {"abstract": "", "links": "[]"}
    conn.execute(
        "INSERT INTO paper_texts (paper, abstract, links) VALUES (?, ?, ?)",
        (seq, text["abstract"], text["links"]),
    )
    if record.get("note"):
        conn.execute(
            "INSERT INTO notes (paper, text, updated_at) VALUES (?, ?, ?)",
            (seq, record["note"]["text"], record["note"]["updated_at"]),
        )
    for tag_id, name in record.get("tags", []):
        # The tag's old id when it is free (a tag used elsewhere kept it anyway).
        conn.execute(
            "INSERT INTO tags (id, name, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (tag_id, name, tag_key(name)),
        )
        conn.execute(
            "INSERT INTO tags (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (name, tag_key(name)),
        )
        conn.execute(
            "INSERT INTO paper_tags (paper, tag) SELECT ?, id FROM tags WHERE key = ?"
            " ON CONFLICT DO NOTHING",
            (seq, tag_key(name)),
        )
    # Sightings of digests still in the ledger (a restored backup may have lost some).
    conn.executemany(
        "INSERT INTO sightings (paper, digest, position, label, upvotes)"
        " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM digests WHERE id = ?)"
        " ON CONFLICT DO NOTHING",
        [(seq, d, pos, label, up, d) for d, pos, label, up in record.get("sightings", [])],
    )
    conn.execute(
        "UPDATE papers SET seen = (SELECT count(*) FROM sightings WHERE paper = ?) WHERE seq = ?",
        (seq, seq),
    )
    return True
